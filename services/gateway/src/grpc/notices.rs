//! The sentences a front end shows beside an answer, in the caller's language: the
//! seeds' own words in zh-CN, a faithful English one in en. Presentation only: the
//! workflows answer domain values, the handlers add these.

use beian_common::locale::Locale;

/// With a login name sent to the bound contacts (seed 000, step 5).
pub fn login_name_sent(locale: Locale) -> &'static str {
    match locale {
        Locale::ZhCn => "您的登录名将会发送到您绑定的手机号或邮箱里，请注意查收。",
        Locale::En => {
            "Your login name will be sent to the mobile number or email address bound to your account. \
             Please check for it."
        }
    }
}

/// With a recovered filing password sent to the principal (seed 004, step 5).
pub fn filing_password_sent(locale: Locale) -> &'static str {
    match locale {
        Locale::ZhCn => "找回的备案密码会以邮件和手机短信的形式发送到主体负责人(法人)的手机和邮箱。",
        Locale::En => {
            "The recovered filing password will be sent by email and SMS to the mobile number and \
             email address of the subject's principal (legal representative)."
        }
    }
}

/// Beside a transfer target's masked mobile (seed 002).
pub fn transfer_preview(locale: Locale) -> &'static str {
    match locale {
        Locale::ZhCn => "此信息仅供用来辅助核对对方账号",
        Locale::En => "This information is provided only to help verify the other party's account",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [fn(Locale) -> &'static str; 3] = [login_name_sent, filing_password_sent, transfer_preview];

    #[test]
    fn every_notice_is_chinese_in_zh_cn_and_english_in_en() {
        let chinese = |text: &str| text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        for notice in ALL {
            assert!(chinese(notice(Locale::ZhCn)), "{}", notice(Locale::ZhCn));
            let en = notice(Locale::En);
            assert!(en.is_ascii() && !en.contains("  "), "{en}");
        }
    }
}
