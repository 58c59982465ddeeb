//! The messages the service sends, in zh-CN and en: a code message per
//! purpose and the notices other services ask for. Stored in the outbox by
//! name with their parameters, rendered when delivered.

mod code_texts;
mod notice_texts;

use std::collections::BTreeMap;

use beian_common::vocabulary::Purpose;

use crate::locale::Locale;

/// The notices other services send through EnqueueNotice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    LoginName,
    FilingPassword,
    TransferCompleted,
    ReviewDecided,
    PasswordChanged,
    AccountLocked,
    OrderApproved,
    OrderRejected,
    TransferFailed,
    LegacyLoginReset,
}

impl Notice {
    pub const ALL: [Self; 10] = [
        Self::LoginName,
        Self::FilingPassword,
        Self::TransferCompleted,
        Self::ReviewDecided,
        Self::PasswordChanged,
        Self::AccountLocked,
        Self::OrderApproved,
        Self::OrderRejected,
        Self::TransferFailed,
        Self::LegacyLoginReset,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::LoginName => "LOGIN_NAME",
            Self::FilingPassword => "FILING_PASSWORD",
            Self::TransferCompleted => "TRANSFER_COMPLETED",
            Self::ReviewDecided => "REVIEW_DECIDED",
            Self::PasswordChanged => "PASSWORD_CHANGED",
            Self::AccountLocked => "ACCOUNT_LOCKED",
            Self::OrderApproved => "ORDER_APPROVED",
            Self::OrderRejected => "ORDER_REJECTED",
            Self::TransferFailed => "TRANSFER_FAILED",
            Self::LegacyLoginReset => "LEGACY_LOGIN_RESET",
        }
    }

    /// The placeholders the notice's texts use; each must be given, no other.
    pub fn params(self) -> &'static [&'static str] {
        match self {
            Self::LoginName => &["login_name"],
            Self::FilingPassword => &["filing_password"],
            Self::TransferCompleted => &["filing_number", "masked_login_name"],
            Self::ReviewDecided => &["case_number", "decision", "note"],
            Self::PasswordChanged => &[],
            Self::AccountLocked => &["masked_login_name"],
            Self::OrderApproved => &["order_number", "order_kind"],
            Self::OrderRejected => &["order_number", "order_kind", "note"],
            Self::TransferFailed => &["case_number", "reason"],
            Self::LegacyLoginReset => &["case_number", "filing_number"],
        }
    }
}

/// Any message the outbox carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// A verification code: placeholders `code` and `minutes`.
    Code(Purpose),
    Notice(Notice),
}

/// Prefix of code templates' names: `CODE_ACCOUNT_LOOKUP`.
const CODE_PREFIX: &str = "CODE_";

/// Longest value of a placeholder: enough for any login name or number.
pub const MAX_PARAM_CHARS: usize = 128;

impl Template {
    pub fn all() -> Vec<Self> {
        Purpose::ALL
            .iter()
            .copied()
            .map(Self::Code)
            .chain(Notice::ALL.into_iter().map(Self::Notice))
            .collect()
    }

    /// The stored name, also the suffix of `BEIAN_SMS_TEMPLATE_<NAME>`.
    pub fn name(self) -> String {
        match self {
            Self::Code(purpose) => format!("{CODE_PREFIX}{}", purpose.as_str()),
            Self::Notice(notice) => notice.name().to_owned(),
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::all().into_iter().find(|t| t.name() == name)
    }
}

/// A message ready for its channel: the subject is used by email only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
}

/// Why a stored message cannot be rendered (a bug, or a corrupted row).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("template {template} lacks parameter {param}")]
pub struct MissingParam {
    pub template: String,
    pub param: &'static str,
}

/// Why notice parameters are refused; names the parameter, never its value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("{0} is required")]
    Missing(&'static str),
    #[error("{0} is not a parameter of this template")]
    Unexpected(String),
    #[error("{0} must be 1 to 128 characters without control characters")]
    Malformed(String),
    #[error("decision must be APPROVED, REJECTED or NOT_COMPLETED")]
    Decision,
    #[error("order_kind must name an order kind")]
    OrderKind,
}

/// Checks a notice's parameters before it is queued.
pub fn check_notice_params(notice: Notice, params: &BTreeMap<String, String>) -> Result<(), ParamError> {
    if let Some(unexpected) = params.keys().find(|k| !notice.params().contains(&k.as_str())) {
        return Err(ParamError::Unexpected(unexpected.clone()));
    }
    for &name in notice.params() {
        let value = params.get(name).ok_or(ParamError::Missing(name))?;
        let chars = value.trim().chars().count();
        if chars == 0 || chars > MAX_PARAM_CHARS || value.chars().any(char::is_control) {
            return Err(ParamError::Malformed(name.to_owned()));
        }
    }
    if notice == Notice::ReviewDecided
        && !matches!(
            params.get("decision").map(String::as_str),
            Some("APPROVED" | "REJECTED" | "NOT_COMPLETED")
        )
    {
        return Err(ParamError::Decision);
    }
    if let Some(kind) = params.get("order_kind")
        && notice_texts::order_kind(kind, Locale::En).is_none()
    {
        return Err(ParamError::OrderKind);
    }
    Ok(())
}

/// The subject and text of `template` in `locale`, placeholders filled.
pub fn render(
    template: Template,
    locale: Locale,
    params: &BTreeMap<String, String>,
) -> Result<Rendered, MissingParam> {
    let (subject, text, names): (&str, &str, &[&'static str]) = match template {
        Template::Code(purpose) => {
            let (subject, text) = code_texts::texts(purpose, locale);
            (subject, text, &["code", "minutes"])
        }
        Template::Notice(notice) => {
            let (subject, text) = notice_texts::texts(notice, locale);
            (subject, text, notice.params())
        }
    };
    let mut text = text.to_owned();
    for &name in names {
        let value =
            params.get(name).ok_or_else(|| MissingParam { template: template.name(), param: name })?;
        let shown = match name {
            "decision" => notice_texts::decision(value, locale),
            "order_kind" => notice_texts::order_kind(value, locale).unwrap_or(value),
            _ => value.as_str(),
        };
        text = text.replace(&format!("{{{name}}}"), shown);
    }
    Ok(Rendered { subject: subject.to_owned(), text })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn names_round_trip_and_are_distinct() {
        let all = Template::all();
        assert_eq!(all.len(), 16);
        for template in &all {
            assert_eq!(Template::from_name(&template.name()), Some(*template));
        }
        assert_eq!(Template::Code(Purpose::AccountLookup).name(), "CODE_ACCOUNT_LOOKUP");
        assert_eq!(Template::from_name("CODE_NOTHING"), None);
    }

    #[test]
    fn the_lock_notice_names_the_account_masked() {
        let p = params(&[("masked_login_name", "zh***9")]);
        for locale in [Locale::ZhCn, Locale::En] {
            let rendered = render(Template::Notice(Notice::AccountLocked), locale, &p).expect("renders");
            assert!(rendered.text.contains("zh***9"), "{}", rendered.text);
        }
        assert!(render(Template::Notice(Notice::AccountLocked), Locale::En, &params(&[])).is_err());
    }

    #[test]
    fn the_account_lookup_code_reads_as_the_seed() {
        let p = params(&[("code", "123456"), ("minutes", "5")]);
        let zh = render(Template::Code(Purpose::AccountLookup), Locale::ZhCn, &p).expect("renders");
        assert_eq!(
            zh.text,
            "【备案】您正在找回备案信息所在账号，验证码123456，5分钟内有效。如非本人操作，请忽略。"
        );
        let en = render(Template::Code(Purpose::AccountLookup), Locale::En, &p).expect("renders");
        assert!(en.text.contains("123456") && en.text.contains("5 minutes"), "{}", en.text);
    }

    #[test]
    fn every_template_renders_in_both_languages_without_placeholders_left() {
        let all_params = params(&[
            ("code", "654321"),
            ("minutes", "5"),
            ("login_name", "zhangwei2019"),
            ("filing_password", "483920"),
            ("filing_number", "浙ICP备19012345号"),
            ("masked_login_name", "li***w"),
            ("case_number", "RC-20260101-0001"),
            ("decision", "APPROVED"),
            ("note", "documents are clear"),
            ("order_number", "BA1234567812345678"),
            ("order_kind", "CANCEL_ACCESS"),
            ("reason", "the target holds a filing"),
        ]);
        for template in Template::all() {
            for locale in [Locale::ZhCn, Locale::En] {
                let rendered = render(template, locale, &all_params).expect("renders");
                assert!(!rendered.text.contains('{'), "{template:?} {locale:?}: {}", rendered.text);
                assert!(!rendered.subject.is_empty());
                let chinese = rendered.text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
                let only_params_chinese = rendered.text.replace("浙ICP备19012345号", "");
                let chinese_outside_params =
                    only_params_chinese.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
                match locale {
                    Locale::ZhCn => assert!(chinese, "{template:?}"),
                    Locale::En => assert!(!chinese_outside_params, "{template:?}: {}", rendered.text),
                }
            }
        }
        let review =
            render(Template::Notice(Notice::ReviewDecided), Locale::ZhCn, &all_params).expect("renders");
        assert!(review.text.contains("通过"), "{}", review.text);
    }

    #[test]
    fn order_notices_name_the_order_its_kind_and_the_reason() {
        let p =
            params(&[("order_number", "BA0001"), ("order_kind", "DEREGISTER_WEBSITE"), ("note", "材料不全")]);
        let approved = render(Template::Notice(Notice::OrderApproved), Locale::ZhCn, &p).expect("renders");
        assert_eq!(approved.text, "【备案】您的注销网站订单 BA0001 已审核通过。");
        let rejected = render(Template::Notice(Notice::OrderRejected), Locale::ZhCn, &p).expect("renders");
        assert_eq!(
            rejected.text,
            "【备案】您的注销网站订单 BA0001 审核未通过，原因：材料不全。请修改后重新提交。"
        );
        let en = render(Template::Notice(Notice::OrderRejected), Locale::En, &p).expect("renders");
        assert!(
            en.text.contains("website deregistration order BA0001 was rejected: 材料不全"),
            "{}",
            en.text
        );
        let failed =
            params(&[("case_number", "RV1"), ("reason", "对方账号下已有其他主体的备案信息，无法转移")]);
        let zh = render(Template::Notice(Notice::TransferFailed), Locale::ZhCn, &failed).expect("renders");
        assert_eq!(
            zh.text,
            "【备案】您的备案信息转移申请 RV1 未能完成，原因：对方账号下已有其他主体的备案信息，无法转移。\
             如有疑问，请联系客服。"
        );
        let wrong_kind = params(&[("order_number", "BA0001"), ("order_kind", "SOMETHING")]);
        assert_eq!(check_notice_params(Notice::OrderApproved, &wrong_kind), Err(ParamError::OrderKind));
        let ok = params(&[("order_number", "BA0001"), ("order_kind", "CHANGE_SUBJECT")]);
        assert_eq!(check_notice_params(Notice::OrderApproved, &ok), Ok(()));
    }

    #[test]
    fn missing_params_are_reported() {
        let error =
            render(Template::Notice(Notice::LoginName), Locale::En, &params(&[])).expect_err("missing");
        assert_eq!(error.param, "login_name");
    }

    #[test]
    fn notice_params_are_checked() {
        let ok = params(&[("login_name", "zhangwei2019")]);
        assert_eq!(check_notice_params(Notice::LoginName, &ok), Ok(()));
        assert_eq!(
            check_notice_params(Notice::LoginName, &params(&[])),
            Err(ParamError::Missing("login_name"))
        );
        assert!(matches!(
            check_notice_params(Notice::PasswordChanged, &ok),
            Err(ParamError::Unexpected(name)) if name == "login_name"
        ));
        assert!(matches!(
            check_notice_params(Notice::LoginName, &params(&[("login_name", "a\nb")])),
            Err(ParamError::Malformed(_))
        ));
        let decided = params(&[("case_number", "RC-1"), ("decision", "MAYBE"), ("note", "n")]);
        assert_eq!(check_notice_params(Notice::ReviewDecided, &decided), Err(ParamError::Decision));
    }

    #[test]
    fn an_approval_that_could_not_be_completed_says_so_in_both_languages() {
        let p = params(&[
            ("case_number", "RV-1"),
            ("decision", "NOT_COMPLETED"),
            ("note", "the email is in use"),
        ]);
        assert_eq!(check_notice_params(Notice::ReviewDecided, &p), Ok(()));
        let zh = render(Template::Notice(Notice::ReviewDecided), Locale::ZhCn, &p).expect("renders");
        assert!(zh.text.contains("审核结果：已通过但未能完成"), "{}", zh.text);
        let en = render(Template::Notice(Notice::ReviewDecided), Locale::En, &p).expect("renders");
        assert!(en.text.contains("decided: approved but could not be completed"), "{}", en.text);
    }
}
