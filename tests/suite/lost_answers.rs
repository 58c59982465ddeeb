//! A step retried after the gateway's call to a peer succeeded but its answer was
//! lost does nothing twice. A proxy between the gateway and verification-codes
//! forwards every call, but loses the answer of the first `SendCode` and of the
//! first `CheckCode` after verification-codes completed them.
//!
//! Needs verification-codes to honour `request_id` (a retry with the same key
//! answers the first call's code or proof without sending again).

use std::{
    collections::HashSet,
    convert::Infallible,
    marker::PhantomData,
    net::SocketAddr,
    sync::{Arc, Mutex, OnceLock},
    task::{Context, Poll},
    time::Duration,
};

use beian_proto::gateway::v1::{SendAccountLookupCodeRequest, VerifyAccountLookupCodeRequest};
use beian_tests::TestSuite;
use futures::future::BoxFuture;
use tonic::{
    Status,
    body::Body,
    server::NamedService,
    transport::{Channel, Endpoint, Server, server::TcpIncoming},
};
use tower::{Service, ServiceExt};

use crate::{
    lookup::{MOBILE, lookup_client, start},
    reason,
};

/// What the proxy shares between its services: where to forward, what it lost.
#[derive(Debug, Default)]
struct Losing {
    target: OnceLock<Channel>,
    lost: Mutex<HashSet<String>>,
}

impl Losing {
    /// Whether to lose this answer: the first of each of SendCode and CheckCode.
    fn loses(&self, method: &str) -> bool {
        matches!(method, "SendCode" | "CheckCode")
            && self.lost.lock().expect("lock").insert(method.to_owned())
    }
}

trait Named: Send + Sync + 'static {
    const NAME: &'static str;
}
struct Public;
impl Named for Public {
    const NAME: &'static str = "beian.verification_codes.v1.VerificationCodesService";
}
struct Internal;
impl Named for Internal {
    const NAME: &'static str = "beian.verification_codes.v1.VerificationCodesInternalService";
}

/// Forwards one gRPC service's calls unchanged (credential included).
struct Forward<N> {
    losing: Arc<Losing>,
    name: PhantomData<N>,
}

impl<N> Clone for Forward<N> {
    fn clone(&self) -> Self {
        Self { losing: self.losing.clone(), name: PhantomData }
    }
}

impl<N: Named> NamedService for Forward<N> {
    const NAME: &'static str = N::NAME;
}

impl<N> Service<http::Request<Body>> for Forward<N> {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let losing = self.losing.clone();
        Box::pin(async move {
            let method = request.uri().path().rsplit('/').next().unwrap_or_default().to_owned();
            let mut channel = losing.target.get().expect("the proxy's target is set").clone();
            let answer = match channel.ready().await {
                Ok(channel) => channel.call(request).await,
                Err(error) => Err(error),
            };
            match answer {
                // the answer's headers came: verification-codes finished the call
                Ok(_) if losing.loses(&method) => Ok(Status::unavailable("the answer was lost").into_http()),
                Ok(answer) => Ok(answer),
                Err(error) => Ok(Status::unavailable(error.to_string()).into_http()),
            }
        })
    }
}

/// Starts the proxy; returns its URL and where to set its target once known.
async fn start_proxy() -> (String, Arc<Losing>) {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("binds");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let losing = Arc::new(Losing::default());
    let server = Server::builder()
        .add_service(Forward::<Public> { losing: losing.clone(), name: PhantomData })
        .add_service(Forward::<Internal> { losing: losing.clone(), name: PhantomData })
        .serve_with_incoming(TcpIncoming::from(listener));
    tokio::spawn(server);
    (url, losing)
}

#[tokio::test]
async fn a_lost_answer_is_retried_without_a_second_code_or_notice() {
    let (proxy, losing) = start_proxy().await;
    let suite = TestSuite::start_with(|s| {
        s.seed_demo = true;
        s.gateway_verification_codes_url = Some(proxy);
    })
    .await;
    let target = Endpoint::from_shared(format!("http://{}", suite.addresses().verification_codes))
        .expect("endpoint")
        .connect_lazy();
    losing.target.set(target).expect("set once");

    let flow_id = start(&suite, "shop-zhang.cn").await.expect("filed").flow_id;
    let mut lookup = lookup_client(suite.gateway().await);
    let send = SendAccountLookupCodeRequest { flow_id: flow_id.clone() };
    let lost = lookup.send_account_lookup_code(send.clone()).await.expect_err("the answer is lost");
    assert_eq!(reason(&lost), "DEPENDENCY_UNAVAILABLE");
    let sent = lookup
        .send_account_lookup_code(send)
        .await
        .expect("the retry answers the code already sent")
        .into_inner()
        .code
        .expect("code");
    assert_eq!(sent.masked_destination, "152****1234");
    let code = suite.code_sent_to(MOBILE, 1).await;

    let verify = VerifyAccountLookupCodeRequest { flow_id, code };
    let lost = lookup.verify_account_lookup_code(verify.clone()).await.expect_err("the answer is lost");
    assert_eq!(reason(&lost), "DEPENDENCY_UNAVAILABLE");
    let done = lookup
        .verify_account_lookup_code(verify)
        .await
        .expect("the retry answers the proof already issued")
        .into_inner();
    assert_eq!(done.masked_login_name, "zh***9");

    // one code, one pair of login-name notices
    suite.wait_for_messages(2, |m| m["text"].as_str().is_some_and(|t| t.contains("zhangwei2019"))).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let messages = suite.messages();
    let codes =
        messages.iter().filter(|m| m["template"].as_str().is_some_and(|t| t.starts_with("CODE_"))).count();
    let notices =
        messages.iter().filter(|m| m["text"].as_str().is_some_and(|t| t.contains("zhangwei2019"))).count();
    assert_eq!((codes, notices), (1, 2), "{messages:#?}");
    suite.stop().await;
}
