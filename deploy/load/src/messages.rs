//! The suite's message sink (`messages.jsonl`, one JSON object a line), read
//! the way tests/src/lib.rs reads it: delivery is asynchronous (an outbox), so
//! every read here waits, with a deadline.

use std::{
    collections::HashMap,
    path::Path,
    time::{Duration, Instant},
};

/// How long a wait goes on without a new message.
const DEADLINE: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(50);

fn lines(path: &Path) -> anyhow::Result<Vec<serde_json::Value>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => return Err(error.into()),
    };
    text.lines().map(|line| Ok(serde_json::from_str(line)?)).collect()
}

/// Messages delivered so far: the file's lines, counted without parsing them (the
/// wait below reads the whole file every poll, beside the outbox it waits for).
pub fn count(path: &Path) -> anyhow::Result<usize> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(bytes.iter().filter(|&&b| b == b'\n').count()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(error) => Err(error.into()),
    }
}

/// Waits until at least `expected` messages were delivered in all: the
/// outbox is drained, so the next timed run does not share the CPU with it.
/// Gives up once no message has arrived for [`DEADLINE`]: a large run's backlog
/// may take longer than that in all.
pub async fn wait_for_count(path: &Path, expected: usize) -> anyhow::Result<()> {
    let mut delivered = count(path)?;
    let mut deadline = Instant::now() + DEADLINE;
    while delivered < expected {
        anyhow::ensure!(
            Instant::now() < deadline,
            "only {delivered} of {expected} messages were delivered, none in the last {} s",
            DEADLINE.as_secs()
        );
        tokio::time::sleep(POLL).await;
        let now = count(path)?;
        if now > delivered {
            deadline = Instant::now() + DEADLINE;
        }
        delivered = now;
    }
    Ok(())
}

/// The code sent to each of `destinations` in the messages after the first
/// `skip` (the newest one if several): waits until every destination has one.
pub async fn codes_after(
    path: &Path,
    skip: usize,
    destinations: &[&str],
) -> anyhow::Result<HashMap<String, String>> {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let mut codes = HashMap::new();
        for message in lines(path)?.into_iter().skip(skip) {
            let is_code = message["template"].as_str().is_some_and(|t| t.starts_with("CODE_"));
            if let (true, Some(to), Some(code)) =
                (is_code, message["destination"].as_str(), message["params"]["code"].as_str())
            {
                codes.insert(to.to_owned(), code.to_owned());
            }
        }
        let missing = destinations.iter().filter(|d| !codes.contains_key(**d)).count();
        if missing == 0 {
            return Ok(codes);
        }
        anyhow::ensure!(Instant::now() < deadline, "{missing} codes were not delivered in time");
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_newest_code_after_the_skipped_lines_wins() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("messages.jsonl");
        let line = |to: &str, template: &str, code: &str| {
            serde_json::json!({ "destination": to, "template": template, "params": { "code": code } })
                .to_string()
        };
        let lines = [
            line("13900000001", "CODE_ACCOUNT_LOOKUP", "111111"),
            line("13900000001", "CODE_ACCOUNT_LOOKUP", "222222"),
            line("13900000001", "LOGIN_NAME", "999999"),
            line("13900000002", "CODE_ACCOUNT_LOOKUP", "333333"),
        ];
        std::fs::write(&path, lines.join("\n") + "\n")?;
        let codes = codes_after(&path, 1, &["13900000001", "13900000002"]).await?;
        assert_eq!(codes.get("13900000001").map(String::as_str), Some("222222"));
        assert_eq!(codes.get("13900000002").map(String::as_str), Some("333333"));
        assert_eq!(count(&path)?, 4);
        Ok(())
    }
}
