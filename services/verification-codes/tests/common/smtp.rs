//! A real (minimal) SMTP server on 127.0.0.1:0 speaking enough of RFC 5321
//! for one client: greeting, EHLO/HELO, MAIL, RCPT, DATA (with dot
//! un-stuffing), RSET, NOOP, QUIT. Records every accepted mail.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
};

use base64::Engine;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

#[derive(Debug, Clone, Default)]
pub struct Mail {
    pub from: String,
    pub recipients: Vec<String>,
    /// The message as received (headers, blank line, body), CRLF line ends.
    pub data: String,
}

impl Mail {
    /// A header's value, unfolded, with RFC 2047 encoded words decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        let prefix = format!("{}:", name.to_ascii_lowercase());
        let line = unfolded.lines().find(|l| l.to_ascii_lowercase().starts_with(&prefix))?;
        Some(decode_words(line[prefix.len()..].trim()))
    }

    /// The body, decoded from base64 when so encoded.
    pub fn body(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        let base64 =
            self.header("Content-Transfer-Encoding").is_some_and(|v| v.eq_ignore_ascii_case("base64"));
        if base64 {
            let compact: String = body.split_whitespace().collect();
            let bytes = base64::engine::general_purpose::STANDARD.decode(compact).expect("base64 body");
            String::from_utf8(bytes).expect("utf-8 body")
        } else {
            body.to_owned()
        }
    }
}

/// `=?utf-8?b?…?=` and `=?utf-8?q?…?=` words decoded and joined; other text kept.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    for (i, word) in value.split_whitespace().enumerate() {
        let lower = word.to_ascii_lowercase();
        let encoded = word.starts_with("=?") && word.ends_with("?=");
        if encoded && lower.contains("?b?") {
            let text = &word[lower.find("?b?").expect("b") + 3..word.len() - 2];
            let bytes = base64::engine::general_purpose::STANDARD.decode(text).expect("base64 word");
            out.push_str(&String::from_utf8(bytes).expect("utf-8 word"));
        } else if encoded && lower.contains("?q?") {
            let text = &word[lower.find("?q?").expect("q") + 3..word.len() - 2];
            out.push_str(&decode_q(text));
        } else {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

fn decode_q(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'_' => out.push(b' '),
            b'=' if i + 2 < bytes.len() => {
                out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).expect("hex"));
                i += 2;
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8(out).expect("utf-8 word")
}

pub type Mailbox = Arc<Mutex<Vec<Mail>>>;

/// Serves until the test's runtime ends. With `refuse_recipients`, every
/// RCPT is answered 550 (a permanent refusal).
pub async fn serve(refuse_recipients: bool) -> (SocketAddr, Mailbox) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("address");
    let mailbox: Mailbox = Arc::default();
    let received = mailbox.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let received = received.clone();
            tokio::spawn(async move {
                let _ = session(stream, received, refuse_recipients).await;
            });
        }
    });
    (addr, mailbox)
}

async fn session(stream: tokio::net::TcpStream, received: Mailbox, refuse: bool) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 test.local ESMTP ready\r\n").await?;
    let mut mail = Mail::default();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command.split([' ', ':']).next().unwrap_or_default().to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-test.local\r\n250 8BITMIME\r\n",
            "HELO" | "NOOP" => b"250 OK\r\n",
            "RSET" => {
                mail = Mail::default();
                b"250 OK\r\n"
            }
            "MAIL" => {
                mail.from = address(&command);
                b"250 OK\r\n"
            }
            "RCPT" if refuse => b"550 5.1.1 mailbox unavailable\r\n",
            "RCPT" => {
                mail.recipients.push(address(&command));
                b"250 OK\r\n"
            }
            "DATA" => {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                mail.data = data;
                received.lock().expect("lock").push(std::mem::take(&mut mail));
                b"250 OK queued\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 command not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// The address inside `<…>` of a MAIL or RCPT command.
fn address(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command[start..].find('>').map_or(command.len(), |i| start + i);
    command[start..end].to_owned()
}
