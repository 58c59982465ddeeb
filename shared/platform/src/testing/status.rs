//! Reading the suite's errors in tests.

use std::fmt;

use tonic::Status;

use crate::status::{ErrorReason, reason_name, reason_of};

/// The reason a suite error carries; compares with its ErrorInfo name
/// (`"CODE_INCORRECT"`) or with an [`ErrorReason`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Reason(pub ErrorReason);

impl Reason {
    pub fn as_str(self) -> &'static str {
        reason_name(self.0)
    }
}

impl fmt::Debug for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq<&str> for Reason {
    fn eq(&self, name: &&str) -> bool {
        self.as_str() == *name
    }
}

impl PartialEq<ErrorReason> for Reason {
    fn eq(&self, reason: &ErrorReason) -> bool {
        self.0 == *reason
    }
}

/// The reason of a suite error; panics (failing the test) on a status without one.
pub fn reason(status: &Status) -> Reason {
    Reason(reason_of(status).unwrap_or_else(|| panic!("not a suite error (no beian ErrorInfo): {status:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::Failure;

    #[test]
    fn reasons_compare_by_name_and_by_value() {
        let status = Status::from(Failure::new(ErrorReason::CodeIncorrect));
        assert_eq!(reason(&status), "CODE_INCORRECT");
        assert_eq!(reason(&status), ErrorReason::CodeIncorrect);
        assert_eq!(reason(&status).as_str(), "CODE_INCORRECT");
    }

    #[test]
    #[should_panic(expected = "not a suite error")]
    fn a_status_without_a_reason_fails_the_test() {
        reason(&Status::internal("bare"));
    }
}
