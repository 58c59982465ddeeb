//! Server filing service numbers (备案服务号): a server bought for hosting filed websites
//! comes with one, and a website's successful filing uses it for good (seed 002 §3–§4:
//! "备案服务号不可复用"). The regulator publishes no format, so the suite fixes one: 10 to 20
//! ASCII letters and digits with at least one digit, typed in any case or in full-width
//! forms; the canonical form is upper case (`ecs2026a00017` → `ECS2026A00017`).

use thiserror::Error;

use crate::width::to_half_width;

const MIN_LEN: usize = 10;
const MAX_LEN: usize = 20;

/// Why a value is not a service number (never repeats the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ServiceNumberError {
    #[error("must be 10 to 20 letters and digits with at least one digit, such as ECS2026A00017")]
    Malformed,
}

/// The canonical form of a service number a user typed: trimmed, half width, upper case.
pub fn normalise_service_number(input: &str) -> Result<String, ServiceNumberError> {
    let number: String = input.trim().chars().map(to_half_width).map(|c| c.to_ascii_uppercase()).collect();
    let well_formed = (MIN_LEN..=MAX_LEN).contains(&number.len())
        && number.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && number.chars().any(|c| c.is_ascii_digit());
    if well_formed { Ok(number) } else { Err(ServiceNumberError::Malformed) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_forms_become_one_canonical_number() {
        for typed in ["ECS2026A00017", " ecs2026a00017 ", "ＥＣＳ２０２６Ａ０００１７"] {
            assert_eq!(normalise_service_number(typed).as_deref(), Ok("ECS2026A00017"), "{typed:?}");
        }
        assert_eq!(normalise_service_number("2026000001").as_deref(), Ok("2026000001"));
    }

    #[test]
    fn other_values_are_malformed() {
        for value in [
            "",
            "ECS20261",
            "ECS2026A0001700000000X",
            "ECSABCDEFGHIJ",
            "ECS-2026-A0017",
            "ECS 2026A00017",
            "备案服务号2026000001",
        ] {
            assert_eq!(normalise_service_number(value), Err(ServiceNumberError::Malformed), "{value:?}");
        }
    }
}
