//! The one error type of the gateway and how each variant reaches a front end.

use std::time::Duration;

use beian_platform::{
    error::Common,
    status::{ErrorReason, Failure},
};
use tonic::Status;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Invalid input, a contract part not delivered yet, a service's refusal meant for
    /// the user (sent on unchanged), a service that is down, anything unexpected: each
    /// sent as [`Common`] documents.
    #[error(transparent)]
    Common(#[from] Common),
    /// A request message is larger than its RPC accepts (4 MiB; more only where documents
    /// travel). INVALID_ARGUMENT, BadRequest naming `request`.
    #[error("request larger than {limit_bytes} bytes")]
    RequestTooLarge { limit_bytes: usize },
    /// A document is too large, of the wrong type, or one too many. INVALID_ARGUMENT,
    /// DOCUMENT_REJECTED, BadRequest naming it (`documents[2]`, or `documents` for the count).
    #[error("document {field} rejected: {description}")]
    DocumentRejected { field: String, description: String },
    /// The client's quota of this request is used up. RESOURCE_EXHAUSTED, CLIENT_LIMIT, RetryInfo.
    #[error("client limit reached")]
    ClientLimit { retry_after: Duration },
    /// A pending case exists for the same request. ALREADY_EXISTS, REVIEW_CASE_ALREADY_OPEN,
    /// without the other case's number (the applicant may be a stranger to it).
    #[error("review case already open")]
    ReviewCaseAlreadyOpen,
    /// No `authorization: Bearer` session, or a dead one. UNAUTHENTICATED, SESSION_REQUIRED.
    #[error("session required")]
    SessionRequired,
    /// The flow id is unknown, expired or of another workflow. NOT_FOUND, WORKFLOW_NOT_FOUND.
    #[error("workflow not found")]
    WorkflowNotFound,
    /// A step was called before the one it depends on. FAILED_PRECONDITION, WORKFLOW_STEP_OUT_OF_ORDER.
    #[error("workflow step out of order")]
    StepOutOfOrder,
    /// Neither platform holds the domain. NOT_FOUND, DOMAIN_NOT_FILED.
    #[error("domain not filed")]
    DomainNotFiled,
    /// The caller's subject has an order in progress (seen before a code is sent for a new
    /// one). FAILED_PRECONDITION, ORDER_IN_PROGRESS.
    #[error("order in progress")]
    OrderInProgress,
    /// A subject change names another province (seen before a code is sent for it).
    /// FAILED_PRECONDITION, PROVINCE_CHANGE_NOT_ALLOWED.
    #[error("province change not allowed")]
    ProvinceChangeNotAllowed,
    /// No active website of that number under the caller's subject. NOT_FOUND, WEBSITE_NOT_FOUND.
    #[error("website not found")]
    WebsiteNotFound,
    /// No account has the transfer target's login name. NOT_FOUND, TRANSFER_TARGET_NOT_FOUND.
    #[error("transfer target not found")]
    TransferTargetNotFound,
    /// A transfer rule the gateway checks before sending a code: ORDER_IN_PROGRESS or
    /// TRANSFER_SITE_NOT_SUPPORTED, FAILED_PRECONDITION (filing-registry checks every rule
    /// again when the subject moves).
    #[error("transfer refused: {0:?}")]
    TransferRule(ErrorReason),
    /// The caller is logged in but is not review staff. PERMISSION_DENIED, STAFF_ONLY.
    #[error("staff only")]
    StaffOnly,
    /// A new filing's details exist on the legacy platform in the import band
    /// (2010-06-01 … 2017-01-31): the user imports first. FAILED_PRECONDITION,
    /// FILING_EXISTS_ON_LEGACY with metadata `legacy_email` (masked).
    #[error("filing exists on the legacy platform")]
    FilingExistsOnLegacy { masked_legacy_email: String },
    /// A new filing's domain is filed by another live or access-cancelled website.
    /// ALREADY_EXISTS, DOMAIN_ALREADY_FILED with metadata `domain`.
    #[error("domain already filed")]
    DomainAlreadyFiled { domain: String },
    /// A new filing (or a claim) the caller's account cannot make: SUBJECT_HELD_BY_ANOTHER_ACCOUNT
    /// or ACCOUNT_HOLDS_OTHER_SUBJECT, FAILED_PRECONDITION.
    #[error("new filing refused: {0:?}")]
    NewFilingRule(ErrorReason),
    /// A legacy filing that cannot be claimed: LEGACY_FILING_NOT_FOUND (NOT_FOUND),
    /// LEGACY_FILING_MUST_BE_IMPORTED or CLAIM_NOT_ELIGIBLE (FAILED_PRECONDITION).
    #[error("claim refused: {0:?}")]
    ClaimRefused(ErrorReason),
    /// The code refusals of verification-codes, given by the gateway itself only for a decoy
    /// password reset (an unknown login name), exactly as verification-codes words them:
    /// RESOURCE_EXHAUSTED CODE_RESEND_TOO_SOON with RetryInfo; INVALID_ARGUMENT CODE_INCORRECT
    /// with metadata `attempts_left`; FAILED_PRECONDITION CODE_EXPIRED; RESOURCE_EXHAUSTED
    /// CODE_ATTEMPTS_EXHAUSTED.
    #[error("code refused: {0:?}")]
    Code(CodeRefusal),
}

/// How verification-codes refuses a code step (see [`Error::Code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefusal {
    ResendTooSoon { retry_after: Duration },
    Incorrect { attempts_left: u32 },
    Expired,
    AttemptsExhausted,
}

beian_platform::common_error!(Error, peers);

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        match error {
            Error::Common(common) => common.into(),
            Error::RequestTooLarge { limit_bytes } => Failure::invalid_field(
                "request",
                format!("must be at most {} MiB for this call", limit_bytes / (1024 * 1024)),
            )
            .into(),
            Error::DocumentRejected { field, description } => {
                Failure::new(ErrorReason::DocumentRejected).with_violation(field, description).into()
            }
            Error::ClientLimit { retry_after } => {
                Failure::new(ErrorReason::ClientLimit).retry_after(retry_after).into()
            }
            Error::ReviewCaseAlreadyOpen => Failure::new(ErrorReason::ReviewCaseAlreadyOpen).into(),
            Error::SessionRequired => Failure::new(ErrorReason::SessionRequired).into(),
            Error::WorkflowNotFound => Failure::new(ErrorReason::WorkflowNotFound).into(),
            Error::StepOutOfOrder => Failure::new(ErrorReason::WorkflowStepOutOfOrder).into(),
            Error::StaffOnly => Failure::new(ErrorReason::StaffOnly).into(),
            Error::OrderInProgress => Failure::new(ErrorReason::OrderInProgress).into(),
            Error::WebsiteNotFound => Failure::new(ErrorReason::WebsiteNotFound).into(),
            Error::ProvinceChangeNotAllowed => Failure::new(ErrorReason::ProvinceChangeNotAllowed).into(),
            Error::TransferTargetNotFound => Failure::new(ErrorReason::TransferTargetNotFound).into(),
            Error::TransferRule(reason) => Failure::new(reason).into(),
            Error::DomainNotFiled => Failure::new(ErrorReason::DomainNotFiled).into(),
            Error::FilingExistsOnLegacy { masked_legacy_email } => {
                Failure::new(ErrorReason::FilingExistsOnLegacy)
                    .with_param("legacy_email", masked_legacy_email)
                    .into()
            }
            Error::DomainAlreadyFiled { domain } => {
                Failure::new(ErrorReason::DomainAlreadyFiled).with_param("domain", domain).into()
            }
            Error::NewFilingRule(reason) | Error::ClaimRefused(reason) => Failure::new(reason).into(),
            Error::Code(CodeRefusal::ResendTooSoon { retry_after }) => {
                Failure::new(ErrorReason::CodeResendTooSoon).retry_after(retry_after).into()
            }
            Error::Code(CodeRefusal::Incorrect { attempts_left }) => Failure::new(ErrorReason::CodeIncorrect)
                .with_param("attempts_left", attempts_left.to_string())
                .into(),
            Error::Code(CodeRefusal::Expired) => Failure::new(ErrorReason::CodeExpired).into(),
            Error::Code(CodeRefusal::AttemptsExhausted) => {
                Failure::new(ErrorReason::CodeAttemptsExhausted).into()
            }
        }
    }
}
