//! The one error type of filing-registry and how each variant reaches a caller.

use std::time::Duration;

use beian_platform::{
    error::Common,
    status::{ErrorReason, Failure},
};
use tonic::Status;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Invalid input, a contract part not delivered yet, verification-codes down or
    /// refusing, anything unexpected: each sent as [`Common`] documents.
    #[error(transparent)]
    Common(#[from] Common),
    /// No live filing holds the domain. NOT_FOUND, DOMAIN_NOT_FILED.
    #[error("domain not filed")]
    DomainNotFiled,
    /// The account holds no subject. FAILED_PRECONDITION, NO_SUBJECT_HELD.
    #[error("no subject held")]
    NoSubjectHeld,
    /// The subject has an order in progress (or one started concurrently).
    /// FAILED_PRECONDITION, ORDER_IN_PROGRESS.
    #[error("order in progress")]
    OrderInProgress,
    /// No order of that number under the caller's subject, or it is no longer in
    /// progress. NOT_FOUND, ORDER_NOT_FOUND.
    #[error("order not found")]
    OrderNotFound,
    /// No website of that number, in a state the request allows, under the caller's
    /// subject. NOT_FOUND, WEBSITE_NOT_FOUND.
    #[error("website not found")]
    WebsiteNotFound,
    /// A website change adds or alters a domain: since 2019-04-22 domains may only be
    /// removed. FAILED_PRECONDITION, DOMAIN_CHANGE_NOT_ALLOWED.
    #[error("domain change not allowed")]
    DomainChangeNotAllowed,
    /// The server filing service number was used by a website's filing (for ever, also after
    /// cancel access or deregistration) or is reserved by another new-website order in
    /// progress. ALREADY_EXISTS, SERVICE_NUMBER_USED.
    #[error("service number used")]
    ServiceNumberUsed,
    /// A new website's domain is under a top-level domain the regulator has not approved.
    /// FAILED_PRECONDITION, DOMAIN_TLD_NOT_APPROVED, ErrorInfo metadata `domain`.
    #[error("domain tld not approved")]
    DomainTldNotApproved { domain: String },
    /// A new website's domain belongs to a live filing (not deregistered). ALREADY_EXISTS,
    /// DOMAIN_ALREADY_FILED, ErrorInfo metadata `domain`.
    #[error("domain already filed")]
    DomainAlreadyFiled { domain: String },
    /// A new website's domain has no registration recorded, or its holder has not passed the
    /// registrar's real-name verification. FAILED_PRECONDITION, DOMAIN_NOT_REAL_NAME_VERIFIED,
    /// ErrorInfo metadata `domain`.
    #[error("domain not real-name verified")]
    DomainNotRealNameVerified { domain: String },
    /// A new website's domain registration has expired. FAILED_PRECONDITION, DOMAIN_EXPIRED,
    /// ErrorInfo metadata `domain`.
    #[error("domain expired")]
    DomainExpired { domain: String },
    /// A new website's domain is held by someone other than the subject (name, certificate
    /// type or number differ). FAILED_PRECONDITION, DOMAIN_HOLDER_MISMATCH, ErrorInfo
    /// metadata `domain`.
    #[error("domain holder mismatch")]
    DomainHolderMismatch { domain: String },
    /// A subject change names another province. FAILED_PRECONDITION, PROVINCE_CHANGE_NOT_ALLOWED.
    #[error("province change not allowed")]
    ProvinceChangeNotAllowed,
    /// The last six characters of the principal's ID number differ. PERMISSION_DENIED,
    /// PRINCIPAL_ID_SUFFIX_INCORRECT.
    #[error("principal id suffix incorrect")]
    PrincipalIdSuffixIncorrect,
    /// No filing matches the province, number, certificate type and number given; never
    /// says which one differs. NOT_FOUND, FILING_NOT_MATCHED.
    #[error("filing not matched")]
    FilingNotMatched,
    /// The matched filing's principal has no mobile and no email to send a recovered
    /// password to: the manual review is the way. FAILED_PRECONDITION, FILING_CONTACT_MISSING.
    #[error("filing contact missing")]
    FilingContactMissing,
    /// A wrong filing password. PERMISSION_DENIED, FILING_PASSWORD_INCORRECT, ErrorInfo
    /// metadata `attempts_left`.
    #[error("filing password incorrect")]
    FilingPasswordIncorrect { attempts_left: u32 },
    /// The subject's filing password is locked after wrong passwords, or its filing
    /// number saw too many recoveries today. RESOURCE_EXHAUSTED, FILING_PASSWORD_LOCKED,
    /// RetryInfo.
    #[error("filing password locked")]
    FilingPasswordLocked { retry_after: Duration },
    /// The target of a transfer holds the subject already. INVALID_ARGUMENT, TRANSFER_TO_SELF.
    #[error("transfer to self")]
    TransferToSelf,
    /// identity-recovery knows no account of the target id. NOT_FOUND, TRANSFER_TARGET_NOT_FOUND.
    #[error("transfer target not found")]
    TransferTargetNotFound,
    /// The target's own subject has an order in progress. FAILED_PRECONDITION,
    /// TRANSFER_TARGET_HAS_ORDER_IN_PROGRESS.
    #[error("transfer target has an order in progress")]
    TransferTargetHasOrderInProgress,
    /// The target holds a subject (also when another transfer to it won a race).
    /// FAILED_PRECONDITION, TRANSFER_TARGET_HOLDS_SUBJECT.
    #[error("transfer target holds a subject")]
    TransferTargetHoldsSubject,
    /// One side is not an account of the CN site. FAILED_PRECONDITION,
    /// TRANSFER_SITE_NOT_SUPPORTED.
    #[error("transfer site not supported")]
    TransferSiteNotSupported,
    /// The adopting account holds a subject already (one account, one subject).
    /// FAILED_PRECONDITION, ACCOUNT_ALREADY_HOLDS_SUBJECT.
    #[error("account already holds a subject")]
    AccountAlreadyHoldsSubject,
    /// The legacy filing's number is on the current platform already (imported or claimed
    /// before). FAILED_PRECONDITION, LEGACY_ALREADY_IMPORTED.
    #[error("legacy filing already imported")]
    LegacyAlreadyImported,
    /// The client address asked too many recoveries today. RESOURCE_EXHAUSTED,
    /// CLIENT_LIMIT, RetryInfo.
    #[error("client limit reached")]
    ClientLimit { retry_after: Duration },
}

beian_platform::common_error!(Error, peers);

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        match error {
            Error::Common(common) => common.into(),
            Error::DomainNotFiled => Failure::new(ErrorReason::DomainNotFiled).into(),
            Error::NoSubjectHeld => Failure::new(ErrorReason::NoSubjectHeld).into(),
            Error::FilingNotMatched => Failure::new(ErrorReason::FilingNotMatched).into(),
            Error::FilingContactMissing => Failure::new(ErrorReason::FilingContactMissing).into(),
            Error::DomainChangeNotAllowed => Failure::new(ErrorReason::DomainChangeNotAllowed).into(),
            Error::ProvinceChangeNotAllowed => Failure::new(ErrorReason::ProvinceChangeNotAllowed).into(),
            Error::PrincipalIdSuffixIncorrect => Failure::new(ErrorReason::PrincipalIdSuffixIncorrect).into(),
            Error::OrderInProgress => Failure::new(ErrorReason::OrderInProgress).into(),
            Error::ServiceNumberUsed => Failure::new(ErrorReason::ServiceNumberUsed).into(),
            Error::DomainTldNotApproved { domain } => {
                Failure::new(ErrorReason::DomainTldNotApproved).with_param("domain", domain).into()
            }
            Error::DomainAlreadyFiled { domain } => {
                Failure::new(ErrorReason::DomainAlreadyFiled).with_param("domain", domain).into()
            }
            Error::DomainNotRealNameVerified { domain } => {
                Failure::new(ErrorReason::DomainNotRealNameVerified).with_param("domain", domain).into()
            }
            Error::DomainExpired { domain } => {
                Failure::new(ErrorReason::DomainExpired).with_param("domain", domain).into()
            }
            Error::DomainHolderMismatch { domain } => {
                Failure::new(ErrorReason::DomainHolderMismatch).with_param("domain", domain).into()
            }
            Error::OrderNotFound => Failure::new(ErrorReason::OrderNotFound).into(),
            Error::WebsiteNotFound => Failure::new(ErrorReason::WebsiteNotFound).into(),
            Error::TransferToSelf => Failure::new(ErrorReason::TransferToSelf).into(),
            Error::TransferTargetNotFound => Failure::new(ErrorReason::TransferTargetNotFound).into(),
            Error::TransferTargetHasOrderInProgress => {
                Failure::new(ErrorReason::TransferTargetHasOrderInProgress).into()
            }
            Error::TransferTargetHoldsSubject => Failure::new(ErrorReason::TransferTargetHoldsSubject).into(),
            Error::TransferSiteNotSupported => Failure::new(ErrorReason::TransferSiteNotSupported).into(),
            Error::FilingPasswordIncorrect { attempts_left } => {
                Failure::new(ErrorReason::FilingPasswordIncorrect)
                    .with_param("attempts_left", attempts_left.to_string())
                    .into()
            }
            Error::FilingPasswordLocked { retry_after } => {
                Failure::new(ErrorReason::FilingPasswordLocked).retry_after(retry_after).into()
            }
            Error::AccountAlreadyHoldsSubject => Failure::new(ErrorReason::AccountAlreadyHoldsSubject).into(),
            Error::LegacyAlreadyImported => Failure::new(ErrorReason::LegacyAlreadyImported).into(),
            Error::ClientLimit { retry_after } => {
                Failure::new(ErrorReason::ClientLimit).retry_after(retry_after).into()
            }
        }
    }
}
