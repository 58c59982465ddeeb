//! Errors as the suite sends them: every failure carries a stable reason
//! (google.rpc.ErrorInfo, domain `beian`), messages in zh-CN and en
//! (google.rpc.LocalizedMessage), field violations for bad input
//! (google.rpc.BadRequest) and, for limits, when to retry (google.rpc.RetryInfo).

mod messages;

use std::time::Duration;

pub use beian_proto::common::v1::ErrorReason;
use tonic::{Code, Status};
use tonic_types::{ErrorDetail, ErrorInfo, FieldViolation, LocalizedMessage, RetryInfo, StatusExt};

/// The ErrorInfo domain of every suite error.
pub const ERROR_DOMAIN: &str = "beian";

const REASON_PREFIX: &str = "ERROR_REASON_";

/// A failure to send: a reason plus the details that go with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    reason: ErrorReason,
    violations: Vec<(String, String)>,
    retry_after: Option<Duration>,
    params: Vec<(String, String)>,
}

impl Failure {
    pub fn new(reason: ErrorReason) -> Self {
        Self { reason, violations: Vec::new(), retry_after: None, params: Vec::new() }
    }

    /// INVALID_ARGUMENT naming one bad field (`field` in proto field path form).
    pub fn invalid_field(field: impl Into<String>, description: impl Into<String>) -> Self {
        Self::new(ErrorReason::InvalidArgument).with_violation(field, description)
    }

    pub fn with_violation(mut self, field: impl Into<String>, description: impl Into<String>) -> Self {
        self.violations.push((field.into(), description.into()));
        self
    }

    /// When the caller may try again; also fills `{retry_seconds}` in messages.
    pub fn retry_after(mut self, delay: Duration) -> Self {
        self.retry_after = Some(delay);
        let seconds = delay.as_secs() + u64::from(delay.subsec_nanos() > 0);
        self.with_param("retry_seconds", seconds.to_string())
    }

    /// A value for the messages and ErrorInfo metadata. Never personal data in the clear.
    pub fn with_param(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((key.into(), value.into()));
        self
    }

    pub fn reason(&self) -> ErrorReason {
        self.reason
    }

    pub fn code(&self) -> Code {
        code_of(self.reason)
    }

    /// Whether any field violation names `field`.
    pub fn names_field(&self, field: &str) -> bool {
        self.violations.iter().any(|(f, _)| f == field)
    }
}

impl From<Failure> for Status {
    fn from(failure: Failure) -> Self {
        let (zh, en) = messages::templates(failure.reason);
        let zh = messages::render(zh, &failure.params);
        let en = messages::render(en, &failure.params);
        let mut details = vec![
            ErrorDetail::ErrorInfo(ErrorInfo::new(
                reason_name(failure.reason),
                ERROR_DOMAIN,
                failure.params.iter().cloned().collect::<std::collections::HashMap<_, _>>(),
            )),
            ErrorDetail::LocalizedMessage(LocalizedMessage::new("zh-CN", zh)),
            ErrorDetail::LocalizedMessage(LocalizedMessage::new("en", en.clone())),
        ];
        if !failure.violations.is_empty() {
            let violations = failure
                .violations
                .into_iter()
                .map(|(field, description)| FieldViolation::new(field, description))
                .collect::<Vec<_>>();
            details.push(ErrorDetail::BadRequest(tonic_types::BadRequest::new(violations)));
        }
        if let Some(delay) = failure.retry_after {
            details.push(ErrorDetail::RetryInfo(RetryInfo::new(Some(delay))));
        }
        Status::with_error_details_vec(code_of(failure.reason), en, details)
    }
}

/// The ErrorInfo reason string of a reason: its name without the prefix.
pub fn reason_name(reason: ErrorReason) -> &'static str {
    let name = reason.as_str_name();
    name.strip_prefix(REASON_PREFIX).unwrap_or(name)
}

/// The reason a status carries, if it came from the suite.
pub fn reason_of(status: &Status) -> Option<ErrorReason> {
    let info = status.get_details_error_info()?;
    if info.domain != ERROR_DOMAIN {
        return None;
    }
    ErrorReason::from_str_name(&format!("{REASON_PREFIX}{}", info.reason))
}

/// The gRPC code each reason is sent with (documented on the enum in common.proto).
pub fn code_of(reason: ErrorReason) -> Code {
    use ErrorReason as R;
    match reason {
        R::Unspecified | R::Internal => Code::Internal,
        R::InvalidArgument
        | R::CodeIncorrect
        | R::TransferToSelf
        | R::PasswordTooWeak
        | R::PasswordTooCommon
        | R::PasswordTooSimilar
        | R::MaterialsIncomplete
        | R::DocumentRejected => Code::InvalidArgument,
        R::DeadlineExceeded => Code::DeadlineExceeded,
        R::Overloaded
        | R::CodeResendTooSoon
        | R::DestinationHourlyLimit
        | R::DestinationDailyLimit
        | R::ClientLimit
        | R::DestinationPrefixLimit
        | R::CodeFailuresLimit
        | R::FilingPasswordLocked
        | R::LegacyLoginLocked
        | R::AccountLocked => Code::ResourceExhausted,
        R::NotImplemented => Code::Unimplemented,
        R::CallerUnauthenticated | R::SessionRequired | R::LoginFailed => Code::Unauthenticated,
        R::StaffOnly
        | R::HumanCheckFailed
        | R::ProofInvalid
        | R::ProofPurposeMismatch
        | R::FilingPasswordIncorrect
        | R::PrincipalIdSuffixIncorrect
        | R::LegacyCredentialsIncorrect => Code::PermissionDenied,
        R::WorkflowNotFound
        | R::DomainNotFiled
        | R::FilingNotMatched
        | R::WebsiteNotFound
        | R::OrderNotFound
        | R::TransferTargetNotFound
        | R::LegacyFilingNotFound
        | R::AccountNotFound
        | R::ReviewCaseNotFound => Code::NotFound,
        R::ServiceNumberUsed | R::DomainAlreadyFiled | R::ReviewCaseAlreadyOpen => Code::AlreadyExists,
        R::DependencyUnavailable => Code::Unavailable,
        R::WorkflowStepOutOfOrder
        | R::HumanCheckExpired
        | R::HumanCheckRequired
        | R::CodeExpired
        | R::CodeAttemptsExhausted
        | R::CodeAlreadyUsed
        | R::ProofAlreadyRedeemed
        | R::OrderInProgress
        | R::DomainChangeNotAllowed
        | R::ProvinceChangeNotAllowed
        | R::DomainNotRealNameVerified
        | R::DomainHolderMismatch
        | R::DomainExpired
        | R::DomainTldNotApproved
        | R::NoSubjectHeld
        | R::SubjectHeldByAnotherAccount
        | R::AccountHoldsOtherSubject
        | R::FilingContactMissing
        | R::TransferTargetHasOrderInProgress
        | R::TransferTargetHoldsSubject
        | R::TransferSiteNotSupported
        | R::LegacyLoginEmailInUse
        | R::LegacyAlreadyImported
        | R::LegacyLoginHasNoFiling
        | R::AccountAlreadyHoldsSubject
        | R::LegacyLoginNotActivated
        | R::LegacyOnlyOrdersInProgress
        | R::FilingExistsOnLegacy
        | R::LegacyFilingMustBeClaimed
        | R::LegacyFilingMustBeImported
        | R::ClaimNotEligible
        | R::ReviewCaseAlreadyDecided => Code::FailedPrecondition,
    }
}

/// An RPC of the v1 contract that a later release delivers.
pub fn not_implemented(rpc: &str) -> Status {
    Failure::new(ErrorReason::NotImplemented).with_param("rpc", rpc).into()
}

#[cfg(test)]
mod tests;
