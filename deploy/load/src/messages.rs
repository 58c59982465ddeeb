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

/// The file's text; empty before the first delivery.
fn text(path: &Path) -> anyhow::Result<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(error) => Err(error.into()),
    }
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
/// `skip` (the newest one if several): waits until every destination has one,
/// giving up once none has arrived for [`DEADLINE`]. Each poll parses only the
/// lines written since the last one (a large run's file holds tens of thousands),
/// and never a line still being written.
pub async fn codes_after(
    path: &Path,
    skip: usize,
    destinations: &[&str],
) -> anyhow::Result<HashMap<String, String>> {
    let mut codes = HashMap::new();
    let mut consumed = 0;
    let mut deadline = Instant::now() + DEADLINE;
    loop {
        let text = text(path)?;
        let before = codes.len();
        for line in text.split_inclusive('\n').skip(consumed).take_while(|line| line.ends_with('\n')) {
            consumed += 1;
            if consumed <= skip {
                continue;
            }
            let message: serde_json::Value = serde_json::from_str(line)?;
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
        if codes.len() > before {
            deadline = Instant::now() + DEADLINE;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "{missing} codes were not delivered, none in the last {} s",
            DEADLINE.as_secs()
        );
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

    #[tokio::test]
    async fn a_line_still_being_written_is_read_once_it_is_whole() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("messages.jsonl");
        let first = serde_json::json!({ "destination": "13900000001", "template": "CODE_ACCOUNT_LOOKUP", "params": { "code": "111111" } });
        let second = serde_json::json!({ "destination": "13900000002", "template": "CODE_ACCOUNT_LOOKUP", "params": { "code": "222222" } }).to_string();
        let (head, tail) = second.split_at(20);
        std::fs::write(&path, format!("{first}\n{head}"))?;
        let writer = {
            let (path, tail) = (path.clone(), tail.to_owned());
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(200)).await;
                let mut file = std::fs::OpenOptions::new().append(true).open(&path)?;
                std::io::Write::write_all(&mut file, format!("{tail}\n").as_bytes())
            })
        };
        let codes = codes_after(&path, 0, &["13900000001", "13900000002"]).await?;
        writer.await??;
        assert_eq!(codes.get("13900000002").map(String::as_str), Some("222222"));
        Ok(())
    }
}
