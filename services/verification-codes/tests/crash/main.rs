//! Real crashes of the real binary: the verification-codes process is killed
//! (SIGKILL, no drain) and started again on the same database. A message
//! committed with its code is delivered after the restart, once; a delivery
//! cut off mid-flight is retried with the same message id, so the provider can
//! drop the duplicate. SQLite file database: the outbox logic is the same on
//! PostgreSQL, which the service tests cover.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests: a failure is a test failure")]

use std::{
    net::SocketAddr,
    path::Path,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use beian_proto::{
    common::v1::{Channel, Purpose},
    verification_codes::v1::{
        SendCodeRequest, verification_codes_service_client::VerificationCodesServiceClient,
    },
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

const TOKEN: &str = "crash-test-internal-token";
const SECRET_KEY: &str = "crash-test-secret-key-0123456789abcdef";
const MOBILE: &str = "13812345678";

/// Bodies of the provider's requests; the first `hold` requests are never answered.
#[derive(Clone, Default)]
struct Provider {
    bodies: Arc<Mutex<Vec<serde_json::Value>>>,
}

impl Provider {
    async fn start(hold: usize) -> (Self, SocketAddr) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let provider = Self::default();
        let bodies = provider.bodies.clone();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((mut stream, _)) = listener.accept().await {
                let Some(body) = read_body(&mut stream).await else { continue };
                let index = {
                    let mut all = bodies.lock().unwrap();
                    all.push(body);
                    all.len()
                };
                if index <= hold {
                    held.push(stream); // the provider took it, and the sender dies before hearing so
                    continue;
                }
                let reply = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}";
                let _ = stream.write_all(reply.as_bytes()).await;
            }
        });
        (provider, addr)
    }

    fn bodies(&self) -> Vec<serde_json::Value> {
        self.bodies.lock().unwrap().clone()
    }

    async fn wait_for(&self, count: usize) -> Vec<serde_json::Value> {
        for _ in 0..300 {
            if self.bodies().len() >= count {
                return self.bodies();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the provider got {} requests, not {count}", self.bodies().len());
    }
}

async fn read_body(stream: &mut TcpStream) -> Option<serde_json::Value> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buffer).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned())
                })
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            if body.len() >= length {
                return serde_json::from_str(&body[..length]).ok();
            }
        }
    }
}

fn free_port() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

/// The binary, on `listen`, with its SQLite file under `dir`.
fn spawn(dir: &Path, listen: SocketAddr, provider: SocketAddr, extra: &[(&str, &str)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_verification-codes"))
        .env_clear()
        .env("BEIAN_LISTEN_ADDR", listen.to_string())
        .env("BEIAN_DATA_DIR", dir)
        .env("BEIAN_INTERNAL_TOKEN", TOKEN)
        .env("BEIAN_SECRET_KEY", SECRET_KEY)
        .env("BEIAN_SMS_PROVIDER_URL", format!("http://{provider}/sms"))
        .env("BEIAN_SMS_PROVIDER_KEY", "provider-key")
        // no SMTP server: emails would go to the file sink, which needs a development run
        .env("BEIAN_DEVELOPMENT", "true")
        .env("BEIAN_OUTBOX_POLL_MS", "100")
        .env("BEIAN_LOG", "warn")
        .envs(extra.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts")
}

async fn client(listen: SocketAddr) -> VerificationCodesServiceClient<tonic::transport::Channel> {
    for _ in 0..200 {
        if let Ok(channel) =
            tonic::transport::Endpoint::from_shared(format!("http://{listen}")).unwrap().connect().await
        {
            return VerificationCodesServiceClient::new(channel);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the service never listened on {listen}");
}

async fn send_code(listen: SocketAddr) {
    let mut request = tonic::Request::new(SendCodeRequest {
        request_id: "crash-send-1".into(),
        channel: Channel::Sms as i32,
        destination: MOBILE.into(),
        purpose: Purpose::AccountLookup as i32,
        client_ip: "203.0.113.9".into(),
        locale: "zh-CN".into(),
        decoy: false,
    });
    request.metadata_mut().insert("x-beian-internal-token", TOKEN.parse().unwrap());
    client(listen).await.send_code(request).await.expect("the code is committed");
}

fn kill(mut child: Child) {
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
}

#[tokio::test]
async fn a_message_committed_before_a_crash_is_delivered_once_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let (provider, provider_addr) = Provider::start(0).await;
    let listen = free_port();

    // committed with its code, but this process never delivers
    let first = spawn(dir.path(), listen, provider_addr, &[("BEIAN_OUTBOX_DISPATCH", "off")]);
    send_code(listen).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(provider.bodies().is_empty(), "nothing left before the crash");
    kill(first);

    let second = spawn(dir.path(), listen, provider_addr, &[]);
    let bodies = provider.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    kill(second);
    let bodies_after = provider.bodies();
    assert_eq!(bodies_after.len(), 1, "delivered exactly once: {bodies_after:?}");
    assert_eq!(bodies[0]["phone"], MOBILE);
    assert!(bodies[0]["message_id"].as_str().is_some_and(|id| !id.is_empty()));
}

#[tokio::test]
async fn a_delivery_cut_off_by_a_crash_is_retried_with_the_same_message_id() {
    let dir = tempfile::tempdir().unwrap();
    let (provider, provider_addr) = Provider::start(1).await;
    let listen = free_port();
    let lease = [("BEIAN_OUTBOX_LEASE_MS", "1500")];

    // the provider takes the message; the process dies before it hears back
    let first = spawn(dir.path(), listen, provider_addr, &lease);
    send_code(listen).await;
    provider.wait_for(1).await;
    kill(first);

    let second = spawn(dir.path(), listen, provider_addr, &lease);
    let bodies = provider.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    kill(second);
    let bodies_after = provider.bodies();
    assert_eq!(bodies_after.len(), 2, "one retry, then delivered: {bodies_after:?}");
    assert_eq!(bodies[0]["message_id"], bodies[1]["message_id"], "the retry carries the same message id");
    assert_eq!(bodies[1]["phone"], MOBILE);
}
