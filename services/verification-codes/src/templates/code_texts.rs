//! The words of code messages: one per purpose, so a person sees what the
//! code they did not ask for would have done. Placeholders: `{code}`, `{minutes}`.

use beian_common::vocabulary::Purpose;

use crate::locale::Locale;

/// (subject, text) of the code message for `purpose` in `locale`.
pub fn texts(purpose: Purpose, locale: Locale) -> (&'static str, &'static str) {
    match locale {
        Locale::ZhCn => ("【备案】验证码", zh(purpose)),
        Locale::En => ("[Beian] Your verification code", en(purpose)),
    }
}

fn zh(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::AccountLookup => {
            "【备案】您正在找回备案信息所在账号，验证码{code}，{minutes}分钟内有效。如非本人操作，请忽略。"
        }
        Purpose::PasswordReset => {
            "【备案】您正在找回账号密码，验证码{code}，{minutes}分钟内有效。如非本人操作，请忽略。"
        }
        Purpose::LegacyPasswordReset => {
            "【备案】您正在重置原备案平台账号密码，验证码{code}，{minutes}分钟内有效。如非本人操作，请忽略。"
        }
        Purpose::FilingTransfer => {
            "【备案】您正在将备案信息转移至其他账号，验证码{code}，{minutes}分钟内有效。如非本人操作，请忽略。"
        }
        Purpose::CancelAccess => {
            "【备案】您正在取消网站接入，验证码{code}，{minutes}分钟内有效。如非本人操作，请忽略。"
        }
        Purpose::FilingChange => {
            "【备案】您正在变更备案信息，验证码{code}，{minutes}分钟内有效。如非本人操作，请忽略。"
        }
    }
}

fn en(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::AccountLookup => {
            "[Beian] You are finding the account that holds your filing. Your verification code is \
             {code}, valid for {minutes} minutes. If this was not you, please ignore this message."
        }
        Purpose::PasswordReset => {
            "[Beian] You are resetting your account password. Your verification code is {code}, \
             valid for {minutes} minutes. If this was not you, please ignore this message."
        }
        Purpose::LegacyPasswordReset => {
            "[Beian] You are resetting the password of your login on the legacy filing platform. \
             Your verification code is {code}, valid for {minutes} minutes. If this was not you, \
             please ignore this message."
        }
        Purpose::FilingTransfer => {
            "[Beian] You are moving your filing to another account. Your verification code is \
             {code}, valid for {minutes} minutes. If this was not you, please ignore this message."
        }
        Purpose::CancelAccess => {
            "[Beian] You are cancelling the access of a website. Your verification code is {code}, \
             valid for {minutes} minutes. If this was not you, please ignore this message."
        }
        Purpose::FilingChange => {
            "[Beian] You are changing your filing details. Your verification code is {code}, valid \
             for {minutes} minutes. If this was not you, please ignore this message."
        }
    }
}
