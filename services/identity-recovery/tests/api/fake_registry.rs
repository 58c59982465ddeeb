//! A stand-in for filing-registry's internal API: IssueFilingPasswordByReview and
//! TransferSubjectByReview answer UNIMPLEMENTED (as the real ones do until they land) for
//! the first calls asked, then issue or transfer once per case number (a transfer may be
//! told to refuse with a rule's reason instead); every call recorded, the credential
//! checked.

use std::{
    collections::BTreeSet,
    net::SocketAddr,
    sync::{Arc, Mutex, MutexGuard},
};

use beian_platform::{
    config::Secret,
    host::auth::INTERNAL_TOKEN_HEADER,
    status::{ErrorReason, Failure},
};
use beian_proto::{common::v1 as common, filing_registry::v1 as pb};
use pb::filing_registry_internal_service_server::{
    FilingRegistryInternalService, FilingRegistryInternalServiceServer,
};
use tokio_stream::wrappers::TcpListenerStream;
use tonic::{Request, Response, Status};

#[derive(Default)]
struct State {
    calls: Vec<pb::IssueFilingPasswordByReviewRequest>,
    issued: BTreeSet<String>,
    transfer_calls: Vec<pb::TransferSubjectByReviewRequest>,
    transferred: BTreeSet<String>,
    transfer_refusal: Option<ErrorReason>,
    unimplemented_for: usize,
}

#[derive(Clone)]
struct Service {
    state: Arc<Mutex<State>>,
    token: Secret,
}

pub struct FakeRegistry {
    state: Arc<Mutex<State>>,
    address: SocketAddr,
}

impl FakeRegistry {
    /// Answers UNIMPLEMENTED to the first `unimplemented_for` issue calls.
    pub async fn start(token: Secret, unimplemented_for: usize) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let address = listener.local_addr().expect("address");
        let state = Arc::new(Mutex::new(State { unimplemented_for, ..State::default() }));
        let service = Service { state: state.clone(), token };
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(FilingRegistryInternalServiceServer::new(service))
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

    pub fn calls(&self) -> Vec<pb::IssueFilingPasswordByReviewRequest> {
        self.state().calls.clone()
    }

    /// Case numbers a password was issued for.
    pub fn issued(&self) -> Vec<String> {
        self.state().issued.iter().cloned().collect()
    }

    /// Every transfer from now on is refused with `reason` (FAILED_PRECONDITION or its own code).
    pub fn refuse_transfers(&self, reason: ErrorReason) {
        self.state().transfer_refusal = Some(reason);
    }

    pub fn transfer_calls(&self) -> Vec<pb::TransferSubjectByReviewRequest> {
        self.state().transfer_calls.clone()
    }

    /// Case numbers a subject was moved for.
    pub fn transferred(&self) -> Vec<String> {
        self.state().transferred.iter().cloned().collect()
    }
}

fn unimplemented<T>() -> Result<Response<T>, Status> {
    Err(Failure::new(ErrorReason::NotImplemented).into())
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
}

#[tonic::async_trait]
impl FilingRegistryInternalService for Service {
    async fn get_filing_contact(
        &self,
        _request: Request<pb::GetFilingContactRequest>,
    ) -> Result<Response<pb::GetFilingContactResponse>, Status> {
        unimplemented()
    }

    async fn get_account_filing_state(
        &self,
        _request: Request<pb::GetAccountFilingStateRequest>,
    ) -> Result<Response<pb::GetAccountFilingStateResponse>, Status> {
        unimplemented()
    }

    async fn match_subject_details(
        &self,
        _request: Request<pb::MatchSubjectDetailsRequest>,
    ) -> Result<Response<pb::MatchSubjectDetailsResponse>, Status> {
        unimplemented()
    }

    async fn adopt_legacy_subject(
        &self,
        _request: Request<pb::AdoptLegacySubjectRequest>,
    ) -> Result<Response<pb::AdoptLegacySubjectResponse>, Status> {
        unimplemented()
    }

    async fn transfer_subject_by_review(
        &self,
        request: Request<pb::TransferSubjectByReviewRequest>,
    ) -> Result<Response<pb::TransferSubjectByReviewResponse>, Status> {
        self.admit(&request)?;
        let call = request.into_inner();
        let mut state = self.state.lock().expect("fake state");
        state.transfer_calls.push(call.clone());
        if state.unimplemented_for > 0 {
            state.unimplemented_for -= 1;
            return unimplemented();
        }
        if let Some(reason) = state.transfer_refusal {
            return Err(Failure::new(reason).into());
        }
        state.transferred.insert(call.case_number.clone());
        Ok(Response::new(pb::TransferSubjectByReviewResponse {
            change_id: format!("change-{}", call.case_number),
        }))
    }

    async fn check_filing_password(
        &self,
        _request: Request<pb::CheckFilingPasswordRequest>,
    ) -> Result<Response<pb::CheckFilingPasswordResponse>, Status> {
        unimplemented()
    }

    async fn decide_order(
        &self,
        _request: Request<pb::DecideOrderRequest>,
    ) -> Result<Response<pb::DecideOrderResponse>, Status> {
        unimplemented()
    }

    async fn issue_filing_password_by_review(
        &self,
        request: Request<pb::IssueFilingPasswordByReviewRequest>,
    ) -> Result<Response<pb::IssueFilingPasswordByReviewResponse>, Status> {
        self.admit(&request)?;
        let call = request.into_inner();
        let mut state = self.state.lock().expect("fake state");
        state.calls.push(call.clone());
        if state.unimplemented_for > 0 {
            state.unimplemented_for -= 1;
            return unimplemented();
        }
        state.issued.insert(call.case_number);
        Ok(Response::new(pb::IssueFilingPasswordByReviewResponse {
            sent_to: vec![common::MaskedContact {
                channel: common::Channel::Sms as i32,
                masked_destination: "137****5678".into(),
            }],
        }))
    }
}
