//! The words of notices (not codes). Placeholders are the notice's params.

use super::Notice;
use crate::locale::Locale;

/// (subject, text) of `notice` in `locale`.
pub fn texts(notice: Notice, locale: Locale) -> (&'static str, &'static str) {
    match (notice, locale) {
        (Notice::LoginName, Locale::ZhCn) => {
            ("【备案】您的登录名", "【备案】您的登录名为 {login_name}，请妥善保管。如非本人操作，请忽略。")
        }
        (Notice::LoginName, Locale::En) => (
            "[Beian] Your login name",
            "[Beian] Your login name is {login_name}. If you did not ask for it, please ignore this message.",
        ),
        (Notice::FilingPassword, Locale::ZhCn) => (
            "【备案】您的备案密码",
            "【备案】您的备案密码为 {filing_password}，请妥善保管，切勿告知他人。如非本人操作，请联系客服。",
        ),
        (Notice::FilingPassword, Locale::En) => (
            "[Beian] Your filing password",
            "[Beian] Your filing password is {filing_password}. Keep it safe and never share it. \
             If you did not ask for it, please contact customer service.",
        ),
        (Notice::TransferCompleted, Locale::ZhCn) => (
            "【备案】备案信息转移完成",
            "【备案】备案 {filing_number} 已转移至账号 {masked_login_name}。如有疑问，请联系客服。",
        ),
        (Notice::TransferCompleted, Locale::En) => (
            "[Beian] Filing moved",
            "[Beian] Filing {filing_number} moved to account {masked_login_name}. \
             If you have questions, please contact customer service.",
        ),
        (Notice::ReviewDecided, Locale::ZhCn) => (
            "【备案】审核结果通知",
            "【备案】您的审核申请 {case_number} 已处理，审核结果：{decision}。说明：{note}",
        ),
        (Notice::ReviewDecided, Locale::En) => (
            "[Beian] Review decided",
            "[Beian] Your review {case_number} was decided: {decision}. Note: {note}",
        ),
        (Notice::PasswordChanged, Locale::ZhCn) => {
            ("【备案】账号密码已修改", "【备案】您的账号密码已修改。如非本人操作，请立即联系客服。")
        }
        (Notice::PasswordChanged, Locale::En) => (
            "[Beian] Your password was changed",
            "[Beian] Your account password was changed. If this was not you, contact customer service at once.",
        ),
        (Notice::AccountLocked, Locale::ZhCn) => (
            "【备案】账号已临时锁定",
            "【备案】您的账号 {masked_login_name} 因多次登录失败已被临时锁定，请稍后再试。\
             如非本人操作，请尽快通过找回密码修改密码。",
        ),
        (Notice::AccountLocked, Locale::En) => (
            "[Beian] Your account was locked",
            "[Beian] Your account {masked_login_name} was temporarily locked after repeated failed logins; \
             try again later. If this was not you, reset your password soon.",
        ),
        (Notice::OrderApproved, Locale::ZhCn) => {
            ("【备案】备案订单审核通过", "【备案】您的{order_kind}订单 {order_number} 已审核通过。")
        }
        (Notice::OrderApproved, Locale::En) => {
            ("[Beian] Filing order approved", "[Beian] Your {order_kind} order {order_number} was approved.")
        }
        (Notice::OrderRejected, Locale::ZhCn) => (
            "【备案】备案订单审核未通过",
            "【备案】您的{order_kind}订单 {order_number} 审核未通过，原因：{note}。请修改后重新提交。",
        ),
        (Notice::OrderRejected, Locale::En) => (
            "[Beian] Filing order rejected",
            "[Beian] Your {order_kind} order {order_number} was rejected: {note}. \
             Please correct it and submit again.",
        ),
        (Notice::TransferFailed, Locale::ZhCn) => (
            "【备案】备案信息转移未完成",
            "【备案】您的备案信息转移申请 {case_number} 未能完成，原因：{reason}。如有疑问，请联系客服。",
        ),
        (Notice::TransferFailed, Locale::En) => (
            "[Beian] Filing transfer not completed",
            "[Beian] Your filing transfer request {case_number} could not be completed: {reason}. \
             If you have questions, please contact customer service.",
        ),
        (Notice::LegacyLoginReset, Locale::ZhCn) => (
            "【备案】备案账号邮箱初始化完成",
            "【备案】您的备案账号邮箱初始化申请 {case_number} 已通过，备案 {filing_number} 的原备案平台登录邮箱\
             已更换为本邮箱，原登录邮箱不再可用。请通过找回密码设置新的登录密码。",
        ),
        (Notice::LegacyLoginReset, Locale::En) => (
            "[Beian] Legacy login email replaced",
            "[Beian] Your legacy login reset {case_number} was approved: this email is now the legacy \
             login of filing {filing_number}, and the old login email no longer works. Set a new password \
             through legacy password recovery.",
        ),
    }
}

/// The words for an order's kind (filing-registry's OrderKind names, as seed 002 calls
/// them); None for anything else.
pub fn order_kind(value: &str, locale: Locale) -> Option<&'static str> {
    Some(match (value, locale) {
        ("NEW_WEBSITE", Locale::ZhCn) => "新增网站",
        ("CHANGE_SUBJECT", Locale::ZhCn) => "变更主体",
        ("CHANGE_WEBSITE", Locale::ZhCn) => "变更网站",
        ("CANCEL_ACCESS", Locale::ZhCn) => "取消接入",
        ("DEREGISTER_SUBJECT", Locale::ZhCn) => "注销主体",
        ("DEREGISTER_WEBSITE", Locale::ZhCn) => "注销网站",
        ("NEW_WEBSITE", Locale::En) => "new website",
        ("CHANGE_SUBJECT", Locale::En) => "subject change",
        ("CHANGE_WEBSITE", Locale::En) => "website change",
        ("CANCEL_ACCESS", Locale::En) => "access cancellation",
        ("DEREGISTER_SUBJECT", Locale::En) => "subject deregistration",
        ("DEREGISTER_WEBSITE", Locale::En) => "website deregistration",
        _ => return None,
    })
}

/// The words for a review decision (`APPROVED`, `REJECTED`, or `NOT_COMPLETED`: approved,
/// but what it asked for could no longer be done; checked on enqueue).
pub fn decision(value: &str, locale: Locale) -> &str {
    match (value, locale) {
        ("APPROVED", Locale::ZhCn) => "通过",
        ("REJECTED", Locale::ZhCn) => "未通过",
        ("APPROVED", Locale::En) => "approved",
        ("REJECTED", Locale::En) => "rejected",
        ("NOT_COMPLETED", Locale::ZhCn) => "已通过但未能完成",
        ("NOT_COMPLETED", Locale::En) => "approved but could not be completed",
        (other, _) => other,
    }
}
