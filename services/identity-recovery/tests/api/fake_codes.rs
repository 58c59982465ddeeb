//! A stand-in for verification-codes' internal API (the real one is being rewritten):
//! one-time proofs redeemable once per redemption key, an outbox idempotent on its key,
//! every call recorded, and the suite credential checked like the real host does.

use std::{
    collections::HashMap,
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

/// A proof the fake issued: for which purpose and mobile, and the key it was redeemed with.
struct Proof {
    purpose: common::Purpose,
    destination: String,
    redeemed_with: Option<String>,
}

#[derive(Default)]
struct State {
    proofs: HashMap<String, Proof>,
    redeem_calls: Vec<RedeemProofRequest>,
    notice_calls: Vec<EnqueueNoticeRequest>,
    /// Idempotency key → message id: what would really be sent.
    outbox: HashMap<String, String>,
    /// Notices to answer UNAVAILABLE before the outbox works again.
    notices_to_fail: usize,
}

impl State {
    /// Records a notice and queues it once per key; answers its message id.
    fn queue(&mut self, notice: EnqueueNoticeRequest) -> String {
        self.notice_calls.push(notice.clone());
        let next_id = format!("msg-{}", self.outbox.len() + 1);
        self.outbox.entry(notice.idempotency_key).or_insert(next_id).clone()
    }
}

#[derive(Clone)]
struct Service {
    state: Arc<Mutex<State>>,
    token: Secret,
}

/// The fake, serving on 127.0.0.1.
pub struct FakeCodes {
    state: Arc<Mutex<State>>,
    address: SocketAddr,
}

impl FakeCodes {
    /// Serves until the test's runtime ends; refuses callers without `token`.
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

    /// A proof of a correct ACCOUNT_LOOKUP code sent to `mobile`.
    pub fn issue_lookup_proof(&self, proof: &str, mobile: &str) {
        self.issue_proof(proof, common::Purpose::AccountLookup, mobile);
    }

    pub fn issue_proof(&self, proof: &str, purpose: common::Purpose, mobile: &str) {
        self.state()
            .proofs
            .insert(proof.to_owned(), Proof { purpose, destination: mobile.to_owned(), redeemed_with: None });
    }

    /// The next `count` notices fail as if verification-codes were down.
    pub fn fail_notices(&self, count: usize) {
        self.state().notices_to_fail = count;
    }

    pub fn redeem_calls(&self) -> Vec<RedeemProofRequest> {
        self.state().redeem_calls.clone()
    }

    pub fn notice_calls(&self) -> Vec<EnqueueNoticeRequest> {
        self.state().notice_calls.clone()
    }

    /// Distinct messages in the outbox, by idempotency key.
    pub fn outbox_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.state().outbox.keys().cloned().collect();
        keys.sort();
        keys
    }
}

impl Service {
    fn admit<T>(&self, request: &Request<T>) -> Result<(), Status> {
        let given = request.metadata().get(INTERNAL_TOKEN_HEADER).and_then(|v| v.to_str().ok());
        if given == Some(self.token.expose()) {
            Ok(())
        } else {
            Err(Failure::new(ErrorReason::CallerUnauthenticated).into())
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().expect("fake state")
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
        self.admit(&request)?;
        let call = request.into_inner();
        let mut state = self.state();
        state.redeem_calls.push(call.clone());
        // the redemption and its notices commit together: an outbox failure spends nothing
        if !call.notices.is_empty() && state.notices_to_fail > 0 {
            state.notices_to_fail -= 1;
            return Err(Status::unavailable("outbox down"));
        }
        let proof =
            state.proofs.get_mut(&call.proof).ok_or_else(|| Failure::new(ErrorReason::ProofInvalid))?;
        if proof.purpose as i32 != call.purpose
            || (!call.destination.is_empty() && proof.destination != call.destination)
        {
            return Err(Failure::new(ErrorReason::ProofPurposeMismatch).into());
        }
        match &proof.redeemed_with {
            Some(key) if *key != call.redemption_key => {
                return Err(Failure::new(ErrorReason::ProofAlreadyRedeemed).into());
            }
            Some(_) => {}
            None => proof.redeemed_with = Some(call.redemption_key.clone()),
        }
        let response = RedeemProofResponse {
            channel: common::Channel::Sms as i32,
            destination: proof.destination.clone(),
            purpose: proof.purpose as i32,
        };
        for notice in call.notices {
            state.queue(notice);
        }
        Ok(Response::new(response))
    }

    async fn enqueue_notice(
        &self,
        request: Request<EnqueueNoticeRequest>,
    ) -> Result<Response<EnqueueNoticeResponse>, Status> {
        self.admit(&request)?;
        let call = request.into_inner();
        let mut state = self.state();
        if state.notices_to_fail > 0 {
            state.notice_calls.push(call);
            state.notices_to_fail -= 1;
            return Err(Status::unavailable("outbox down"));
        }
        let message_id = state.queue(call);
        Ok(Response::new(EnqueueNoticeResponse { message_id }))
    }
}
