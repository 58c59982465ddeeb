//! A step retried after the gateway's call to a peer succeeded but its answer was
//! lost does nothing twice. A proxy between the gateway and a peer forwards every
//! call, but loses the answer of the first call of the methods it is told to, after
//! the peer completed it: `SendCode` and `CheckCode` of verification-codes,
//! `OpenReviewCase` of identity-recovery, `CancelAccess`, `Deregister` and `CreateOrder`
//! of filing-registry.

use std::{
    collections::HashSet,
    convert::Infallible,
    marker::PhantomData,
    net::SocketAddr,
    sync::{Arc, Mutex, OnceLock},
    task::{Context, Poll},
};

use beian_proto::gateway::v1::{
    AbandonOrderRequest, CancelAccessRequest, ChangeFilingRequest, DeregisterRequest, MyOrder,
    SendAccountLookupCodeRequest, SendCancelAccessCodeRequest, VerifyAccountLookupCodeRequest, WebsiteChange,
    change_filing_request::Change, filing_service_client::FilingServiceClient,
};
use beian_proto::identity_recovery::v1::{
    ListReviewCasesRequest, identity_recovery_service_client::IdentityRecoveryServiceClient,
};
use beian_tests::{TestSuite, with_credential};
use futures::future::BoxFuture;
use tonic::{
    Status,
    body::Body,
    server::NamedService,
    transport::{Channel, Endpoint, Server, server::TcpIncoming},
};
use tower::{Service, ServiceExt};

use crate::{
    decisions::{bearer, login},
    filing::my_filing,
    lookup::{MOBILE, assert_one_code_and_one_notice_pair, lookup_client, start},
    reason,
    reviews::{application, request as review},
};

/// What the proxy shares between its services: where to forward, what it loses.
#[derive(Debug)]
pub(crate) struct Losing {
    pub(crate) target: OnceLock<Channel>,
    to_lose: &'static [&'static str],
    lost: Mutex<HashSet<String>>,
}

impl Losing {
    /// Whether to lose this answer: the first of each method to lose.
    fn loses(&self, method: &str) -> bool {
        self.to_lose.contains(&method) && self.lost.lock().expect("lock").insert(method.to_owned())
    }
}

pub(crate) trait Named: Send + Sync + 'static {
    const NAME: &'static str;
}
struct CodesPublic;
impl Named for CodesPublic {
    const NAME: &'static str = "beian.verification_codes.v1.VerificationCodesService";
}
struct CodesInternal;
impl Named for CodesInternal {
    const NAME: &'static str = "beian.verification_codes.v1.VerificationCodesInternalService";
}
pub(crate) struct IdentityPublic;
impl Named for IdentityPublic {
    const NAME: &'static str = "beian.identity_recovery.v1.IdentityRecoveryService";
}
pub(crate) struct IdentityInternal;
impl Named for IdentityInternal {
    const NAME: &'static str = "beian.identity_recovery.v1.IdentityRecoveryInternalService";
}

struct RegistryPublic;
impl Named for RegistryPublic {
    const NAME: &'static str = "beian.filing_registry.v1.FilingRegistryService";
}
struct RegistryInternal;
impl Named for RegistryInternal {
    const NAME: &'static str = "beian.filing_registry.v1.FilingRegistryInternalService";
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
                // the answer's headers came: the peer finished the call
                Ok(_) if losing.loses(&method) => Ok(Status::unavailable("the answer was lost").into_http()),
                Ok(answer) => Ok(answer),
                Err(error) => Ok(Status::unavailable(error.to_string()).into_http()),
            }
        })
    }
}

/// Starts a proxy for a peer's two services, losing the first answer of each method
/// in `to_lose`; returns its URL and where to set its target once known.
pub(crate) async fn start_proxy<P: Named, I: Named>(
    to_lose: &'static [&'static str],
) -> (String, Arc<Losing>) {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("binds");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let losing = Arc::new(Losing { target: OnceLock::new(), to_lose, lost: Mutex::default() });
    let server = Server::builder()
        .add_service(Forward::<P> { losing: losing.clone(), name: PhantomData })
        .add_service(Forward::<I> { losing: losing.clone(), name: PhantomData })
        .serve_with_incoming(TcpIncoming::from(listener));
    tokio::spawn(server);
    (url, losing)
}

#[tokio::test]
async fn a_lost_answer_is_retried_without_a_second_code_or_notice() {
    let (proxy, losing) = start_proxy::<CodesPublic, CodesInternal>(&["SendCode", "CheckCode"]).await;
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
    assert_one_code_and_one_notice_pair(&suite).await;
    suite.stop().await;
}

#[tokio::test]
async fn a_lost_review_answer_is_retried_without_a_second_case() {
    let (proxy, losing) = start_proxy::<IdentityPublic, IdentityInternal>(&["OpenReviewCase"]).await;
    let suite = TestSuite::start_with(|s| {
        s.seed_demo = true;
        s.gateway_identity_recovery_url = Some(proxy);
    })
    .await;
    let target = Endpoint::from_shared(format!("http://{}", suite.addresses().identity_recovery))
        .expect("endpoint")
        .connect_lazy();
    losing.target.set(target).expect("set once");

    let flow_id = start(&suite, "shop-zhang.cn").await.expect("filed").flow_id;
    let lost = review(&suite, application(&flow_id, suite.human_check_token().await, vec![]))
        .await
        .expect_err("the answer is lost");
    assert_eq!(reason(&lost), "DEPENDENCY_UNAVAILABLE");
    // the pass was spent: the person passes the slider again and resends the form
    let ticket = review(&suite, application(&flow_id, suite.human_check_token().await, vec![]))
        .await
        .expect("the retry answers the case already opened");

    let mut identity =
        IdentityRecoveryServiceClient::new(suite.channel(suite.addresses().identity_recovery).await);
    let queue = identity
        .list_review_cases(with_credential(&suite, ListReviewCasesRequest::default()))
        .await
        .expect("the queue")
        .into_inner();
    let numbers: Vec<&str> = queue.review_cases.iter().map(|c| c.case_number.as_str()).collect();
    assert_eq!(numbers, vec![ticket.case_number.as_str()]);
    suite.stop().await;
}

#[tokio::test]
async fn a_lost_order_answer_is_retried_as_the_order_it_started() {
    let (proxy, losing) =
        start_proxy::<RegistryPublic, RegistryInternal>(&["CancelAccess", "Deregister", "CreateOrder"]).await;
    let suite = TestSuite::start_with(|s| {
        s.seed_demo = true;
        s.gateway_filing_registry_url = Some(proxy);
    })
    .await;
    let target = Endpoint::from_shared(format!("http://{}", suite.addresses().filing_registry))
        .expect("endpoint")
        .connect_lazy();
    losing.target.set(target).expect("set once");
    let zhang = login(&suite, "zhangwei2019").await;
    let mut filing = FilingServiceClient::new(suite.gateway().await);
    const WEBSITE: &str = "浙ICP备19012345号-1";
    // the order in progress is the one the retry answered; abandoned for the next request
    let in_progress_then_abandon = async |order: MyOrder| {
        let current = my_filing(&suite, &zhang).await.expect("held").order_in_progress.expect("an order");
        assert_eq!(current.order_number, order.order_number, "the retry answers the order started first");
        let abandon = AbandonOrderRequest { order_number: order.order_number };
        FilingServiceClient::new(suite.gateway().await)
            .abandon_order(bearer(abandon, &zhang))
            .await
            .expect("abandons");
    };

    // cancel access: its flow names the order
    let send = SendCancelAccessCodeRequest { website_number: WEBSITE.into() };
    let flow_id =
        filing.send_cancel_access_code(bearer(send, &zhang)).await.expect("sent").into_inner().flow_id;
    let code = suite.code_sent_to("15212341234", 1).await;
    let cancel = CancelAccessRequest { flow_id, code, filing_password: beian::demo::FILING_PASSWORD.into() };
    let lost = filing.cancel_access(bearer(cancel.clone(), &zhang)).await.expect_err("the answer is lost");
    assert_eq!(reason(&lost), "DEPENDENCY_UNAVAILABLE");
    let retried = filing.cancel_access(bearer(cancel, &zhang)).await.expect("the retry answers the order");
    in_progress_then_abandon(retried.into_inner().order.expect("an order")).await;

    // deregistration and a change: the client's request id names the order
    let deregister = DeregisterRequest {
        website_number: WEBSITE.into(),
        filing_password: beian::demo::FILING_PASSWORD.into(),
        request_id: "deregister-0001".into(),
    };
    let lost = filing.deregister(bearer(deregister.clone(), &zhang)).await.expect_err("the answer is lost");
    assert_eq!(reason(&lost), "DEPENDENCY_UNAVAILABLE");
    let retried = filing.deregister(bearer(deregister, &zhang)).await.expect("the retry answers the order");
    in_progress_then_abandon(retried.into_inner().order.expect("an order")).await;

    let change = ChangeFilingRequest {
        change: Some(Change::Website(WebsiteChange {
            website_number: WEBSITE.into(),
            principal_email: "web@example.com".into(),
            ..Default::default()
        })),
        request_id: "change-0001".into(),
        ..Default::default()
    };
    let lost = filing.change_filing(bearer(change.clone(), &zhang)).await.expect_err("the answer is lost");
    assert_eq!(reason(&lost), "DEPENDENCY_UNAVAILABLE");
    let retried = filing.change_filing(bearer(change, &zhang)).await.expect("the retry answers the order");
    in_progress_then_abandon(retried.into_inner().order.expect("an order")).await;

    // a malformed id is refused before anything starts
    let bad = DeregisterRequest {
        filing_password: beian::demo::FILING_PASSWORD.into(),
        request_id: "short".into(),
        ..Default::default()
    };
    let refused = filing.deregister(bearer(bad, &zhang)).await.expect_err("too short");
    assert_eq!(reason(&refused), "INVALID_ARGUMENT");
    suite.stop().await;
}
