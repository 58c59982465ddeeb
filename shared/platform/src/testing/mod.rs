//! Helpers for the suite's tests and load runs (feature `testing`): log capture,
//! scratch databases and reading errors. Nothing here runs in a service.

mod scratch;
mod status;

pub use scratch::{Engine, ScratchDatabases};
pub use status::{Reason, reason};

use std::{
    io::Write,
    sync::{Arc, Mutex, PoisonError},
};

use tracing_subscriber::fmt::MakeWriter;

/// Everything a tracing formatter writes, kept in memory so a test can read its logs.
#[derive(Debug, Clone, Default)]
pub struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl CapturedLogs {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

impl Write for CapturedLogs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for CapturedLogs {
    type Writer = Self;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Whether `text` holds `digits` as a number of its own — not inside a longer
/// run of digits such as a timestamp, a duration or an id.
pub fn holds_number(text: &str, digits: &str) -> bool {
    text.match_indices(digits).any(|(at, _)| {
        let before = text[..at].chars().next_back().is_some_and(|c| c.is_ascii_digit());
        let after = text[at + digits.len()..].chars().next().is_some_and(|c| c.is_ascii_digit());
        !before && !after
    })
}

#[cfg(test)]
mod tests {
    use super::holds_number;

    #[test]
    fn numbers_stand_alone_or_not_at_all() {
        assert!(holds_number("code 123456 sent", "123456"));
        assert!(holds_number("123456", "123456"));
        assert!(!holds_number("at 2026-11-22T04:05:00.1234567Z", "123456"));
        assert!(!holds_number("id 91234567", "123456"));
    }
}
