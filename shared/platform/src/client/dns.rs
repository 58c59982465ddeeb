//! `dns:///name:port`: calls spread over every address a name resolves to, the
//! set followed as it changes. Behind a Kubernetes headless Service the name
//! resolves to each ready replica, so a caller reaches replicas added after it
//! connected (a plain Service keeps each long-lived HTTP/2 connection on the
//! replica it first reached).

use std::{collections::BTreeSet, future::Future, io, net::SocketAddr, time::Duration};

use tokio::sync::mpsc::Sender;
use tonic::transport::{Channel, Endpoint, channel::Change};

pub const SCHEME: &str = "dns:///";

/// How often the name is resolved again: a new replica gets calls within this long.
const RESOLVE_EVERY: Duration = Duration::from_secs(5);

/// A channel over `target` (`name:port`), following what it resolves to.
pub fn balanced(
    target: &str,
    endpoint: impl Fn(SocketAddr) -> anyhow::Result<Endpoint> + Send + 'static,
) -> anyhow::Result<Channel> {
    let has_port =
        target.rsplit_once(':').is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
    anyhow::ensure!(has_port, "invalid service address {SCHEME}{target}: expected {SCHEME}name:port");
    let (channel, changes) = Channel::balance_channel(16);
    let target = target.to_owned();
    let resolve = move || {
        let target = target.clone();
        async move { Ok(tokio::net::lookup_host(target).await?.collect()) }
    };
    tokio::spawn(follow(resolve, RESOLVE_EVERY, endpoint, changes));
    Ok(channel)
}

/// Resolves every `every` and tells the channel which addresses came and went,
/// until the channel is dropped. A failed or empty answer keeps the known set:
/// a DNS hiccup must not take every replica away.
async fn follow<R>(
    resolve: impl Fn() -> R,
    every: Duration,
    endpoint: impl Fn(SocketAddr) -> anyhow::Result<Endpoint>,
    changes: Sender<Change<SocketAddr, Endpoint>>,
) where
    R: Future<Output = io::Result<BTreeSet<SocketAddr>>>,
{
    let mut known = BTreeSet::new();
    loop {
        match resolve().await {
            Ok(found) if !found.is_empty() => {
                for gone in known.difference(&found) {
                    if changes.send(Change::Remove(*gone)).await.is_err() {
                        return;
                    }
                }
                for &new in found.difference(&known) {
                    match endpoint(new) {
                        Ok(endpoint) => {
                            if changes.send(Change::Insert(new, endpoint)).await.is_err() {
                                return;
                            }
                        }
                        Err(error) => tracing::warn!(%new, %error, "cannot call this peer address"),
                    }
                }
                known = found;
            }
            Ok(_) => tracing::warn!("a peer's name resolved to no address; calling the last ones known"),
            Err(error) => {
                tracing::warn!(%error, "cannot resolve a peer's name; calling the last addresses known")
            }
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            () = changes.closed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests: a failure is a test failure")]

    use std::sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    };

    use tonic::service::interceptor::InterceptedService;
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

    use super::*;

    /// A health server that counts the calls it answers.
    async fn counting_server() -> (SocketAddr, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        let (_, health) = tonic_health::server::health_reporter();
        let service = InterceptedService::new(health, move |request| {
            counted.fetch_add(1, Ordering::SeqCst);
            Ok(request)
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(service)
                .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
        );
        (address, calls)
    }

    async fn call(client: &mut HealthClient<Channel>, times: usize) {
        for _ in 0..times {
            client.check(HealthCheckRequest { service: String::new() }).await.unwrap();
        }
    }

    #[tokio::test]
    async fn calls_follow_the_replicas_a_name_resolves_to() {
        let (a, calls_a) = counting_server().await;
        let (b, calls_b) = counting_server().await;
        let answer = Arc::new(Mutex::new(BTreeSet::from([a])));
        let resolved = answer.clone();
        let resolve = move || {
            let found = resolved.lock().unwrap().clone();
            async move { Ok(found) }
        };
        let every = Duration::from_millis(50);
        let (channel, changes) = Channel::balance_channel(16);
        let endpoint = |address| Ok(Endpoint::from_shared(format!("http://{address}"))?);
        tokio::spawn(follow(resolve, every, endpoint, changes));
        let mut client = HealthClient::new(channel);

        call(&mut client, 10).await;
        assert_eq!((calls_a.load(Ordering::SeqCst), calls_b.load(Ordering::SeqCst)), (10, 0));

        // scale out: the new replica gets calls without a new connection from the caller
        answer.lock().unwrap().insert(b);
        tokio::time::sleep(every * 4).await;
        call(&mut client, 60).await;
        assert!(calls_b.load(Ordering::SeqCst) > 0, "the replica added later was never called");

        // scale in: the replica gone gets no more calls; an empty answer changes nothing
        *answer.lock().unwrap() = BTreeSet::from([b]);
        tokio::time::sleep(every * 4).await;
        answer.lock().unwrap().clear();
        tokio::time::sleep(every * 4).await;
        let (before_a, before_b) = (calls_a.load(Ordering::SeqCst), calls_b.load(Ordering::SeqCst));
        call(&mut client, 20).await;
        assert_eq!(calls_a.load(Ordering::SeqCst), before_a);
        assert_eq!(calls_b.load(Ordering::SeqCst), before_b + 20);
    }

    #[test]
    fn a_dns_target_needs_a_port() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let _entered = runtime.enter();
        let endpoint = |address| Ok(Endpoint::from_shared(format!("http://{address}"))?);
        assert!(balanced("filing-registry", endpoint).is_err());
        assert!(balanced(":50053", endpoint).is_err());
        assert!(balanced("filing-registry-replicas:50053", endpoint).is_ok());
    }
}
