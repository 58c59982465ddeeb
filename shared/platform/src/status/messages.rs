//! The words people read for each error reason, in zh-CN and en. The legacy
//! outcomes use the seeds' wording exactly (002 §6.3). `{name}` placeholders
//! are filled from the error's metadata, which only ever holds masked data.

use beian_proto::common::v1::ErrorReason as R;

/// (zh-CN, en) message templates of a reason.
pub fn templates(reason: R) -> (&'static str, &'static str) {
    match reason {
        R::Unspecified | R::Internal => {
            ("系统繁忙，请稍后再试", "Something went wrong; please try again later")
        }
        R::InvalidArgument => {
            ("输入信息有误，请检查后重新提交", "Some input is invalid; please check it and try again")
        }
        R::DeadlineExceeded => ("请求超时，请稍后再试", "The request timed out; please try again"),
        R::Overloaded => ("当前访问人数较多，请稍后再试", "The service is busy; please try again shortly"),
        R::NotImplemented => ("该功能暂未开放", "This function is not available yet"),
        R::CallerUnauthenticated => ("调用方未通过认证", "The caller is not authenticated"),
        R::SessionRequired => ("请先登录", "Please log in first"),
        R::StaffOnly => ("仅审核人员可以操作", "Only review staff may do this"),
        R::WorkflowNotFound => ("操作已过期，请重新开始", "This step has expired; please start again"),
        R::WorkflowStepOutOfOrder => ("请按页面提示的步骤操作", "Please complete the previous step first"),
        R::DependencyUnavailable => {
            ("服务暂时不可用，请稍后再试", "A service is temporarily unavailable; please try again later")
        }
        R::HumanCheckFailed => {
            ("验证未通过，请重新拖动滑块", "Verification failed; please drag the slider again")
        }
        R::HumanCheckExpired => {
            ("验证已过期，请重新验证", "The verification has expired; please verify again")
        }
        R::HumanCheckRequired => ("请先完成滑块验证", "Please complete the slider verification first"),
        R::CodeIncorrect => ("验证码错误，请重新输入", "The verification code is incorrect"),
        R::CodeExpired => {
            ("验证码已过期，请重新获取", "The verification code has expired; please request a new one")
        }
        R::CodeAttemptsExhausted => {
            ("验证码错误次数过多，请重新获取", "Too many wrong attempts; please request a new code")
        }
        R::CodeAlreadyUsed => {
            ("验证码已使用，请重新获取", "The verification code was already used; please request a new one")
        }
        R::CodeResendTooSoon => {
            ("{retry_seconds}秒后重新发送", "You can request a new code in {retry_seconds} seconds")
        }
        R::DestinationHourlyLimit => (
            "验证码发送过于频繁，请一小时后再试",
            "Too many codes sent to this destination; try again in an hour",
        ),
        R::DestinationDailyLimit => (
            "今日验证码发送次数已达上限，请明天再试",
            "The daily limit of codes for this destination is reached; try again tomorrow",
        ),
        R::ClientLimit => {
            ("操作过于频繁，请稍后再试", "Too many requests from your network; please try again later")
        }
        R::DestinationPrefixLimit => {
            ("短信发送繁忙，请稍后再试", "SMS sending is busy; please try again later")
        }
        R::ProofInvalid => {
            ("身份验证无效，请重新验证", "The identity verification is invalid; please verify again")
        }
        R::ProofAlreadyRedeemed => {
            ("身份验证已使用，请重新验证", "The identity verification was already used; please verify again")
        }
        R::ProofPurposeMismatch => (
            "身份验证不适用于此操作，请重新验证",
            "The identity verification does not apply to this operation",
        ),
        R::CodeFailuresLimit => (
            "验证码错误次数过多，今日无法再获取验证码，请明天再试",
            "Too many wrong codes today; no new code can be sent until tomorrow",
        ),
        R::DomainNotFiled => ("未查询到该域名的备案信息", "No filing was found for this domain"),
        R::FilingNotMatched => (
            "备案信息不匹配，请核对省份、备案号、证件类型和证件号码",
            "No filing matches the province, filing number and certificate given",
        ),
        R::FilingContactMissing => (
            "该备案的主体负责人未登记手机号码和邮箱，请通过人工审核找回备案密码",
            "The filing's principal has no mobile or email on file; recover the filing password by manual review",
        ),
        R::OrderInProgress => (
            "该主体下有进行中的备案订单，请放弃订单或待审核完成后再操作",
            "An order is in progress on this subject; abandon it or wait until it is decided",
        ),
        R::FilingPasswordIncorrect => ("备案密码错误，请重新输入", "The filing password is incorrect"),
        R::FilingPasswordLocked => (
            "频繁尝试，已临时锁定，请稍后再试",
            "Too many attempts; temporarily locked, please try again later",
        ),
        R::DomainChangeNotAllowed => (
            "自2019年4月22日起，变更网站信息时只能删除网站域名，不能修改或新增域名",
            "Since 2019-04-22 a website's domains can only be removed, never added or modified",
        ),
        R::ProvinceChangeNotAllowed => {
            ("变更备案时，不能变更备案所在省份", "The province of a filing cannot change")
        }
        R::ServiceNumberUsed => (
            "备案服务号不可复用：此备案服务号已使用，无法再给其他网站备案使用",
            "A filing service number is single use: this one is used already and cannot file another website",
        ),
        R::DomainNotRealNameVerified => {
            ("域名未完成实名认证", "The domain has not passed real-name verification")
        }
        R::DomainHolderMismatch => {
            ("域名持有者信息与备案主体信息不一致", "The domain holder does not match the filing subject")
        }
        R::DomainExpired => ("域名已过期，请续费后再试", "The domain has expired; renew it first"),
        R::DomainTldNotApproved => (
            "域名{domain}的后缀未经工信部批复，不能备案",
            "The top-level domain of {domain} is not approved by the regulator and cannot be filed",
        ),
        R::NoSubjectHeld => ("当前账号下没有备案信息", "This account holds no filing"),
        R::WebsiteNotFound => ("未找到该网站备案信息", "No such website under your filing"),
        R::PrincipalIdSuffixIncorrect => {
            ("身份证件号码后六位不正确", "The last six digits of the principal's ID number are incorrect")
        }
        R::DomainAlreadyFiled => ("域名{domain}已备案，不能重复备案", "The domain {domain} is already filed"),
        R::OrderNotFound => ("未找到该备案订单", "No such order"),
        R::SubjectHeldByAnotherAccount => (
            "该主体的备案信息在其他阿里云账号下，请将备案信息转移至本账号后继续备案",
            "Another account holds this subject's filing: move it to this account before you continue",
        ),
        R::AccountHoldsOtherSubject => (
            "一个阿里云账号只能对应一个备案主体信息，请更换账号后备案",
            "One account holds one filing subject only: file this subject from another account",
        ),
        R::TransferTargetNotFound => ("对方登录账号不存在", "No account has that login name"),
        R::TransferTargetHasOrderInProgress => {
            ("对方账号下有进行中的备案订单，无法转移", "The target account has an order in progress")
        }
        R::TransferTargetHoldsSubject => (
            "对方账号下已有其他主体的备案信息，无法转移",
            "The target account already holds a filing subject",
        ),
        R::TransferSiteNotSupported => (
            "目前备案转移功能仅支持阿里云中国站账号间转移",
            "Filings move only between accounts of the China site",
        ),
        R::TransferToSelf => ("不能转移到当前账号", "A filing cannot move to the account that holds it"),
        R::LegacyAlreadyImported => (
            "您的备案信息已导入阿里云账号，此备案平台已停止使用",
            "Your filing was already imported into an account; the legacy platform is retired — log in with that account",
        ),
        R::LegacyLoginHasNoFiling => (
            "此备案账号无备案信息，请更换账号继续导入",
            "This legacy login holds no filing; import with the login that holds it",
        ),
        R::AccountAlreadyHoldsSubject => (
            "此阿里云账号已导入备案信息，请更换账号重新导入",
            "This account already holds a filing subject; import into an account without one",
        ),
        R::LegacyLoginNotActivated => (
            "该账号未激活，此备案平台已停止使用",
            "This legacy login was never activated; the legacy platform is retired",
        ),
        R::LegacyOnlyOrdersInProgress => (
            "原账号没有备案主体，不需要转移",
            "The legacy login has no filed subject, only orders in progress, which cannot move; abandon them",
        ),
        R::FilingExistsOnLegacy => (
            "需通过验证原备案账号 {legacy_email}，将备案信息导入后继续备案",
            "Verify the legacy login {legacy_email} and import its filing before you continue",
        ),
        R::LegacyCredentialsIncorrect => {
            ("原备案账号或密码错误", "The legacy login or password is incorrect")
        }
        R::LegacyFilingMustBeClaimed => {
            ("该备案需先认领至阿里云账号", "This legacy filing must be claimed first")
        }
        R::LegacyFilingMustBeImported => {
            ("该备案需先导入至阿里云账号", "This legacy filing must be imported first")
        }
        R::ClaimNotEligible => ("该备案不符合认领条件", "This filing cannot be claimed"),
        R::LegacyFilingNotFound => ("未查询到原万网备案信息", "No legacy filing matches the details given"),
        R::LegacyLoginLocked => (
            "频繁尝试，已临时锁定，请稍后再试",
            "Too many attempts; temporarily locked, please try again later",
        ),
        R::LegacyLoginEmailInUse => (
            "该邮箱已是其他原备案平台账号的登录邮箱，请更换邮箱后重新申请",
            "This email is already another legacy login's email; apply again with another email",
        ),
        R::LoginFailed => ("登录名或密码错误", "The login name or password is incorrect"),
        R::AccountNotFound => ("账号不存在", "No such account"),
        R::PasswordTooWeak => (
            "密码需包含大小写字母、数字、特殊字符，长度不少于8位",
            "Use at least 8 characters with upper and lower case letters, digits and special characters",
        ),
        R::PasswordTooCommon => (
            "请避免使用过于简单的密码（如“123456”“admin”等）",
            "This password is too common, like 123456 or admin",
        ),
        R::PasswordTooSimilar => {
            ("新密码需与旧密码有显著区别", "The new password must be clearly different from the old one")
        }
        R::AccountLocked => (
            "频繁尝试，已临时锁定，请稍后再试",
            "Too many attempts; temporarily locked, please try again later",
        ),
        R::ReviewCaseNotFound => ("未找到该申请", "No such application"),
        R::ReviewCaseAlreadyDecided => ("该申请已处理", "This application was already decided"),
        R::MaterialsIncomplete => ("资料不完整，请补充上传", "Some required documents are missing"),
        R::ReviewCaseAlreadyOpen => {
            ("已有处理中的申请，请勿重复提交", "An application for this is already being reviewed")
        }
        R::DocumentRejected => {
            ("图片需为JPG、PNG或PDF格式，且不超过5MB", "Documents must be JPG, PNG or PDF and at most 5 MB")
        }
    }
}

/// Fills `{name}` placeholders from `params`; unknown ones stay as written.
pub fn render(template: &str, params: &[(String, String)]) -> String {
    params.iter().fold(template.to_owned(), |text, (key, value)| text.replace(&format!("{{{key}}}"), value))
}
