//! Small conversions every service's `grpc` module needs at the wire boundary:
//! the `beian.common.v1` enumerations (`enums`), times and required text.

pub mod enums;

use prost_types::Timestamp;

/// A stored unix-millisecond time as a protobuf Timestamp.
pub fn timestamp(millis: i64) -> Timestamp {
    Timestamp {
        seconds: millis.div_euclid(1000),
        nanos: i32::try_from(millis.rem_euclid(1000) * 1_000_000).unwrap_or(0),
    }
}

/// A protobuf Timestamp as unix milliseconds, the inverse of [`timestamp`]
/// (sub-millisecond parts dropped; out-of-range values saturate).
pub fn millis(time: &Timestamp) -> i64 {
    time.seconds.saturating_mul(1000).saturating_add(i64::from(time.nanos.div_euclid(1_000_000)))
}

/// A required text field, trimmed: empty or longer than `max_chars` is refused
/// with a description for the field violation.
pub fn required_text(value: &str, max_chars: usize) -> Result<&str, String> {
    let value = value.trim();
    if value.is_empty() {
        Err("is required".to_owned())
    } else if value.chars().count() > max_chars {
        Err(format!("must be at most {max_chars} characters"))
    } else {
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_split_millis() {
        assert_eq!(timestamp(1_700_000_000_123), Timestamp { seconds: 1_700_000_000, nanos: 123_000_000 });
        assert_eq!(timestamp(-1), Timestamp { seconds: -1, nanos: 999_000_000 });
    }

    #[test]
    fn millis_round_trip_through_timestamps() {
        for ms in [0, 1, 999, 1_000, 1_700_000_000_123, -1, -999, -1_001, i64::MAX / 2, i64::MIN / 2] {
            assert_eq!(millis(&timestamp(ms)), ms, "{ms}");
        }
        assert_eq!(millis(&Timestamp { seconds: 1, nanos: 999_999 }), 1_000);
        assert_eq!(millis(&Timestamp { seconds: i64::MAX, nanos: 0 }), i64::MAX);
    }

    #[test]
    fn required_text_trims_and_bounds() {
        assert_eq!(required_text("  alice ", 10), Ok("alice"));
        assert!(required_text("   ", 10).is_err());
        assert!(required_text("数据数据数据", 5).is_err());
    }
}
