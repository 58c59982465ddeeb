//! The development adapter: each message becomes one JSON line appended to a
//! file (`<data dir>/messages.jsonl` by default), where a developer reads the
//! codes. Never for production: the file holds codes and addresses in clear.

use std::path::PathBuf;

use beian_platform::storage::now_millis;
use serde::Serialize;
use tokio::{io::AsyncWriteExt, sync::Mutex};

use super::{Outcome, Outgoing};
use beian_common::vocabulary::Channel;

#[derive(Debug)]
pub struct FileSink {
    path: PathBuf,
    /// One writer at a time, so lines never interleave.
    lock: Mutex<()>,
}

/// One line of the file.
#[derive(Serialize)]
struct Line<'a> {
    message_id: &'a str,
    channel: &'static str,
    destination: &'a str,
    template: &'a str,
    locale: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<&'a str>,
    text: &'a str,
    params: &'a std::collections::BTreeMap<String, String>,
    delivered_at_ms: i64,
}

impl FileSink {
    pub fn new(path: PathBuf) -> Self {
        Self { path, lock: Mutex::new(()) }
    }

    pub async fn append(&self, message: Outgoing<'_>) -> Outcome {
        let channel = message.destination.channel();
        let line = Line {
            message_id: message.message_id,
            channel: channel.as_str(),
            destination: message.destination.address(),
            template: message.template,
            locale: message.locale.as_str(),
            subject: (channel == Channel::Email).then_some(message.rendered.subject.as_str()),
            text: &message.rendered.text,
            params: message.params,
            delivered_at_ms: now_millis(),
        };
        let mut bytes = match serde_json::to_vec(&line) {
            Ok(bytes) => bytes,
            Err(error) => return Outcome::Failed(format!("cannot encode the message: {error}")),
        };
        bytes.push(b'\n');
        let _writer = self.lock.lock().await;
        match self.write(&bytes).await {
            Ok(()) => Outcome::Delivered,
            Err(error) => Outcome::Retry(format!("cannot append to {}: {error}", self.path.display())),
        }
    }

    async fn write(&self, bytes: &[u8]) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(dir).await?;
        }
        let mut file = tokio::fs::OpenOptions::new().create(true).append(true).open(&self.path).await?;
        file.write_all(bytes).await?;
        file.flush().await
    }
}
