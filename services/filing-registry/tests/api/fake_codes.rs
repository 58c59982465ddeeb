//! A stand-in for verification-codes' outbox: EnqueueNotice idempotent on its key, every
//! call recorded, outages on demand, the suite credential checked like the real host.
//! RedeemProof knows [`CANCEL_ACCESS_PROOF`] (and [`cancel_access_proof`]'s) and
//! [`FILING_CHANGE_PROOF`], each refused for a destination other than its code's, and any
//! proof starting with [`GOOD_PROOF`] for a FILING_TRANSFER code, each for one redemption key
//! (a retry with the key succeeds again), like the real one.

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    sync::{Arc, Mutex, MutexGuard},
};

use beian_platform::{
    config::Secret,
    host::auth::INTERNAL_TOKEN_HEADER,
    status::{ErrorReason, Failure},
};
use beian_proto::{
    common::v1 as common,
    verification_codes::v1::{
        EnqueueNoticeRequest, EnqueueNoticeResponse, RedeemHumanCheckPassRequest,
        RedeemHumanCheckPassResponse, RedeemProofRequest, RedeemProofResponse,
        verification_codes_internal_service_server::{
            VerificationCodesInternalService, VerificationCodesInternalServiceServer,
        },
    },
};
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Request, Response, Status};

/// A proof the fake redeems for purpose CANCEL_ACCESS (any number of times), of a code sent
/// to [`CANCEL_ACCESS_MOBILE`], the bound mobile of acc-t1 (the seeded subject's holder).
pub const CANCEL_ACCESS_PROOF: &str = "proof-cancel-access";
pub const CANCEL_ACCESS_MOBILE: &str = "15212341234";

/// A proof the fake redeems for purpose CANCEL_ACCESS, of a code sent to `mobile`.
pub fn cancel_access_proof(mobile: &str) -> String {
    format!("{CANCEL_ACCESS_PROOF}:{mobile}")
}

/// A proof the fake redeems for purpose FILING_CHANGE, of a code sent to [`FILING_CHANGE_MOBILE`].
pub const FILING_CHANGE_PROOF: &str = "proof-filing-change";
pub const FILING_CHANGE_MOBILE: &str = "13912345678";

/// What the transfer proofs the fake redeems start with.
pub const GOOD_PROOF: &str = "proof-ok";

#[derive(Default)]
struct State {
    /// Proof → redemption key and destination of its one use.
    redeemed: BTreeMap<String, (String, String)>,
    calls: Vec<EnqueueNoticeRequest>,
    /// Idempotency key → the notice: what would really be sent.
    outbox: BTreeMap<String, EnqueueNoticeRequest>,
    /// Calls to answer UNAVAILABLE before the outbox works again.
    to_fail: usize,
}

#[derive(Clone)]
struct Service {
    state: Arc<Mutex<State>>,
    token: Secret,
}

pub struct FakeCodes {
    state: Arc<Mutex<State>>,
    address: SocketAddr,
}

impl FakeCodes {
    pub async fn start(token: Secret) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let address = listener.local_addr().expect("address");
        let state = Arc::new(Mutex::new(State::default()));
        let service = Service { state: state.clone(), token };
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(VerificationCodesInternalServiceServer::new(service))
                .serve_with_incoming(TcpListenerStream::new(listener)),
        );
        Self { state, address }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().expect("fake state")
    }

    /// The next `count` notices fail as if verification-codes were down.
    pub fn fail_notices(&self, count: usize) {
        self.state().to_fail = count;
    }

    pub fn calls(&self) -> Vec<EnqueueNoticeRequest> {
        self.state().calls.clone()
    }

    /// The destination a proof was redeemed for, if it was.
    pub fn redeemed_for(&self, proof: &str) -> Option<String> {
        self.state().redeemed.get(proof).map(|(_, destination)| destination.clone())
    }

    /// Distinct messages, by idempotency key.
    pub fn outbox(&self) -> BTreeMap<String, EnqueueNoticeRequest> {
        self.state().outbox.clone()
    }

    /// Waits (up to 10 s) until the outbox holds `count` messages, and answers them.
    pub async fn wait_for(&self, count: usize) -> Vec<EnqueueNoticeRequest> {
        for _ in 0..200 {
            let outbox = self.outbox();
            if outbox.len() >= count {
                return outbox.into_values().collect();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the outbox holds {} messages, not {count}", self.outbox().len());
    }
}

#[tonic::async_trait]
impl VerificationCodesInternalService for Service {
    async fn redeem_human_check_pass(
        &self,
        _request: Request<RedeemHumanCheckPassRequest>,
    ) -> Result<Response<RedeemHumanCheckPassResponse>, Status> {
        Err(Status::unimplemented("not part of the fake"))
    }

    async fn redeem_proof(
        &self,
        request: Request<RedeemProofRequest>,
    ) -> Result<Response<RedeemProofResponse>, Status> {
        let call = request.into_inner();
        if call.proof.starts_with(GOOD_PROOF) {
            let mut state = self.state.lock().expect("fake state");
            if call.purpose != common::Purpose::FilingTransfer as i32 {
                return Err(Failure::new(ErrorReason::ProofInvalid).into());
            }
            let first = (call.redemption_key.clone(), call.destination.clone());
            if state.redeemed.entry(call.proof.clone()).or_insert(first).0 != call.redemption_key {
                return Err(Failure::new(ErrorReason::ProofAlreadyRedeemed).into());
            }
            return Ok(Response::new(RedeemProofResponse {
                channel: common::Channel::Sms as i32,
                destination: call.destination,
                purpose: call.purpose,
            }));
        }
        let cancel_access_to = match call.proof.strip_prefix(CANCEL_ACCESS_PROOF) {
            Some("") => Some(CANCEL_ACCESS_MOBILE),
            Some(rest) => rest.strip_prefix(':'),
            None => None,
        };
        let (purpose, destination) = match (call.proof.as_str(), cancel_access_to) {
            (_, Some(mobile)) => (common::Purpose::CancelAccess, mobile),
            (FILING_CHANGE_PROOF, None) => (common::Purpose::FilingChange, FILING_CHANGE_MOBILE),
            _ => return Err(Failure::new(ErrorReason::ProofInvalid).into()),
        };
        if call.purpose != purpose as i32 || call.redemption_key.is_empty() {
            return Err(Failure::new(ErrorReason::ProofPurposeMismatch).into());
        }
        // an empty destination asks for no check, as with the real one
        if !call.destination.is_empty() && call.destination != destination {
            return Err(Failure::new(ErrorReason::ProofInvalid).into());
        }
        Ok(Response::new(RedeemProofResponse {
            channel: common::Channel::Sms as i32,
            destination: String::new(),
            purpose: call.purpose,
        }))
    }

    async fn enqueue_notice(
        &self,
        request: Request<EnqueueNoticeRequest>,
    ) -> Result<Response<EnqueueNoticeResponse>, Status> {
        let given = request.metadata().get(INTERNAL_TOKEN_HEADER).and_then(|v| v.to_str().ok());
        if given != Some(self.token.expose()) {
            return Err(Failure::new(ErrorReason::CallerUnauthenticated).into());
        }
        let call = request.into_inner();
        let mut state = self.state.lock().expect("fake state");
        state.calls.push(call.clone());
        if state.to_fail > 0 {
            state.to_fail -= 1;
            return Err(Status::unavailable("verification-codes is down (fake)"));
        }
        let message_id = format!("m-{}", call.idempotency_key);
        state.outbox.entry(call.idempotency_key.clone()).or_insert(call);
        Ok(Response::new(EnqueueNoticeResponse { message_id }))
    }
}
