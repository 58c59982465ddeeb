//! The one error type of verification-codes and how each variant reaches a caller.

use std::time::Duration;

use beian_platform::{
    error::Common,
    status::{ErrorReason, Failure},
};
use tonic::Status;

/// Which cap refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Another code to the same destination for the same purpose, too soon.
    ResendCooldown,
    DestinationHourly,
    DestinationDaily,
    ClientHourly,
    ClientDaily,
    /// Too many SMS to one mobile number block, or emails to one mail domain.
    DestinationPrefix,
    /// Too many slider challenges from one client.
    Challenges,
    /// Too many wrong checks of codes to one destination for one purpose today.
    CheckFailures,
}

impl Limit {
    pub fn reason(self) -> ErrorReason {
        match self {
            Self::ResendCooldown => ErrorReason::CodeResendTooSoon,
            Self::DestinationHourly => ErrorReason::DestinationHourlyLimit,
            Self::DestinationDaily => ErrorReason::DestinationDailyLimit,
            Self::ClientHourly | Self::ClientDaily | Self::Challenges => ErrorReason::ClientLimit,
            Self::DestinationPrefix => ErrorReason::DestinationPrefixLimit,
            Self::CheckFailures => ErrorReason::CodeFailuresLimit,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Invalid input (INVALID_ARGUMENT naming the field), the captcha vendor down or
    /// answering nonsense (DEPENDENCY_UNAVAILABLE: the caller may retry), anything
    /// unexpected (INTERNAL, cause logged): each sent as [`Common`] documents.
    #[error(transparent)]
    Common(#[from] Common),
    /// Wrong slider answer, too fast a drag, or a token the vendor rejected.
    /// PERMISSION_DENIED, HUMAN_CHECK_FAILED.
    #[error("human check failed")]
    HumanCheckFailed,
    /// The challenge or pass is unknown, expired or used. FAILED_PRECONDITION, HUMAN_CHECK_EXPIRED.
    #[error("human check expired")]
    HumanCheckExpired,
    /// CreateHumanCheck while an external vendor answers human checks.
    /// UNIMPLEMENTED, NOT_IMPLEMENTED (the slider is not offered by this deployment).
    #[error("the slider is not offered: human checks go to the captcha vendor")]
    SliderNotOffered,
    /// Wrong code, attempts remain (metadata `attempts_left`). INVALID_ARGUMENT, CODE_INCORRECT.
    #[error("code incorrect, {attempts_left} attempts left")]
    CodeIncorrect { attempts_left: u32 },
    /// Expired, replaced by a newer code, or unknown. FAILED_PRECONDITION, CODE_EXPIRED.
    #[error("code expired")]
    CodeExpired,
    /// Dead after too many wrong checks. FAILED_PRECONDITION, CODE_ATTEMPTS_EXHAUSTED.
    #[error("code attempts exhausted")]
    CodeAttemptsExhausted,
    /// Checked correctly once already. FAILED_PRECONDITION, CODE_ALREADY_USED.
    #[error("code already used")]
    CodeAlreadyUsed,
    /// A cap refused the request. RESOURCE_EXHAUSTED with the cap's reason and RetryInfo.
    #[error("limited by {limit:?} for {retry_after:?}")]
    Limited { limit: Limit, retry_after: Duration },
    /// Unknown, forged or expired proof. PERMISSION_DENIED, PROOF_INVALID.
    #[error("proof invalid")]
    ProofInvalid,
    /// Redeemed already under another redemption key. FAILED_PRECONDITION, PROOF_ALREADY_REDEEMED.
    #[error("proof already redeemed")]
    ProofAlreadyRedeemed,
    /// Issued for another purpose or destination. PERMISSION_DENIED, PROOF_PURPOSE_MISMATCH.
    #[error("proof issued for another purpose or destination")]
    ProofPurposeMismatch,
}

beian_platform::common_error!(Error);

impl Error {
    /// The captcha vendor cannot be reached or answers nonsense.
    pub fn unavailable(cause: impl std::fmt::Display) -> Self {
        Self::Common(Common::unavailable(cause))
    }
}

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        match error {
            Error::Common(common) => common.into(),
            Error::HumanCheckFailed => Failure::new(ErrorReason::HumanCheckFailed).into(),
            Error::HumanCheckExpired => Failure::new(ErrorReason::HumanCheckExpired).into(),
            Error::SliderNotOffered => {
                Failure::new(ErrorReason::NotImplemented).with_param("rpc", "CreateHumanCheck").into()
            }
            Error::CodeIncorrect { attempts_left } => Failure::new(ErrorReason::CodeIncorrect)
                .with_param("attempts_left", attempts_left.to_string())
                .into(),
            Error::CodeExpired => Failure::new(ErrorReason::CodeExpired).into(),
            Error::CodeAttemptsExhausted => Failure::new(ErrorReason::CodeAttemptsExhausted).into(),
            Error::CodeAlreadyUsed => Failure::new(ErrorReason::CodeAlreadyUsed).into(),
            Error::Limited { limit, retry_after } => {
                Failure::new(limit.reason()).retry_after(retry_after).into()
            }
            Error::ProofInvalid => Failure::new(ErrorReason::ProofInvalid).into(),
            Error::ProofAlreadyRedeemed => Failure::new(ErrorReason::ProofAlreadyRedeemed).into(),
            Error::ProofPurposeMismatch => Failure::new(ErrorReason::ProofPurposeMismatch).into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use beian_platform::status::reason_of;
    use tonic::Code;

    use super::*;

    #[test]
    fn limits_carry_their_reason_and_retry_info() {
        use tonic_types::StatusExt;
        let status = Status::from(Error::Limited {
            limit: Limit::ResendCooldown,
            retry_after: Duration::from_secs(42),
        });
        assert_eq!(status.code(), Code::ResourceExhausted);
        assert_eq!(reason_of(&status), Some(ErrorReason::CodeResendTooSoon));
        let retry = status.get_details_retry_info().expect("retry info");
        assert_eq!(retry.retry_delay, Some(Duration::from_secs(42)));
        let status =
            Status::from(Error::Limited { limit: Limit::Challenges, retry_after: Duration::from_secs(1) });
        assert_eq!(reason_of(&status), Some(ErrorReason::ClientLimit));
    }

    #[test]
    fn incorrect_codes_say_how_many_attempts_are_left() {
        use tonic_types::StatusExt;
        let status = Status::from(Error::CodeIncorrect { attempts_left: 3 });
        assert_eq!(status.code(), Code::InvalidArgument);
        let info = status.get_details_error_info().expect("error info");
        assert_eq!(info.metadata.get("attempts_left").map(String::as_str), Some("3"));
    }

    #[test]
    fn causes_never_reach_the_caller() {
        let status = Status::from(Error::internal("database: secret detail"));
        assert_eq!(status.code(), Code::Internal);
        assert!(!status.message().contains("secret"));
        let status = Status::from(Error::unavailable("vendor at 10.0.0.1 down"));
        assert_eq!(status.code(), Code::Unavailable);
        assert!(!status.message().contains("10.0.0.1"));
    }
}
