//! One rlt bench suite for every scenario: iteration `i` (rlt's runner-wide
//! sequence number) makes one gateway call with the `i`-th prepared request,
//! so no single-use token or code is ever used twice.

use std::{sync::Arc, time::Duration};

use async_trait::async_trait;
use beian_platform::storage::Database;
use beian_proto::gateway::v1::{
    CompleteTransferRequest, LoginRequest, SendAccountLookupCodeRequest, StartAccountLookupRequest,
    VerifyAccountLookupCodeRequest, account_lookup_service_client::AccountLookupServiceClient,
    account_service_client::AccountServiceClient,
    filing_transfer_service_client::FilingTransferServiceClient,
};
use rlt::{BenchSuite, IterInfo, IterReport, Status};
use tokio::time::Instant;
use tonic::transport::Channel;
use tonic_health::pb::{
    HealthCheckRequest, HealthCheckResponse, health_check_response::ServingStatus,
    health_client::HealthClient,
};
use tonic_types::StatusExt;

/// What each iteration calls, with the prepared requests (one per iteration).
#[derive(Debug, Clone)]
pub enum Work {
    Health,
    /// A health check on verification-codes' own port.
    Hop,
    /// Reads and writes on the probe database (`parts.rs`), no gRPC.
    Read(Database),
    Write(Database),
    Start(Arc<Vec<StartAccountLookupRequest>>),
    Send(Arc<Vec<SendAccountLookupCodeRequest>>),
    Verify(Arc<Vec<VerifyAccountLookupCodeRequest>>),
    /// Reusable: iteration `i` logs in as account `i % len`.
    Login(Arc<Vec<LoginRequest>>),
    /// The holder's session token and its transfer's last step.
    Transfer(Arc<Vec<(String, CompleteTransferRequest)>>),
}

impl Work {
    /// How many iterations the prepared data allows.
    pub fn capacity(&self) -> Option<usize> {
        match self {
            Self::Health | Self::Hop | Self::Read(_) | Self::Write(_) | Self::Login(_) => None,
            Self::Start(requests) => Some(requests.len()),
            Self::Send(requests) => Some(requests.len()),
            Self::Verify(requests) => Some(requests.len()),
            Self::Transfer(requests) => Some(requests.len()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct GatewayLoad {
    /// Worker `w` uses connection `w % len`, as ghz spreads its workers.
    pub connections: Arc<Vec<Channel>>,
    /// A connection to verification-codes, for the hop.
    pub peer: Channel,
    pub work: Work,
}

/// A worker's clients, on its connection.
pub struct Clients {
    health: HealthClient<Channel>,
    peer_health: HealthClient<Channel>,
    lookup: AccountLookupServiceClient<Channel>,
    accounts: AccountServiceClient<Channel>,
    transfers: FilingTransferServiceClient<Channel>,
}

#[async_trait]
impl BenchSuite for GatewayLoad {
    type WorkerState = Clients;

    async fn state(&self, worker_id: u32) -> anyhow::Result<Clients> {
        anyhow::ensure!(!self.connections.is_empty(), "no connection to the gateway");
        let channel = self.connections[worker_id as usize % self.connections.len()].clone();
        Ok(Clients {
            health: HealthClient::new(channel.clone()),
            peer_health: HealthClient::new(self.peer.clone()),
            lookup: AccountLookupServiceClient::new(channel.clone()),
            accounts: AccountServiceClient::new(channel.clone()),
            transfers: FilingTransferServiceClient::new(channel),
        })
    }

    async fn bench(&mut self, clients: &mut Clients, info: &IterInfo) -> anyhow::Result<IterReport> {
        let i = usize::try_from(info.runner_seq)?;
        let missing = || anyhow::anyhow!("iteration {i} has no prepared request");
        // each request is cloned before `timed` starts the clock: only the call is timed
        let (duration, result) = match &self.work {
            Work::Health => {
                let check = clients.health.check(HealthCheckRequest { service: String::new() });
                timed(async { serving(check.await?.into_inner()) }).await
            }
            Work::Hop => {
                let check = clients.peer_health.check(HealthCheckRequest { service: String::new() });
                timed(async { serving(check.await?.into_inner()) }).await
            }
            Work::Read(db) => {
                timed(async { crate::parts::read(db, info.runner_seq).await.map_err(database) }).await
            }
            Work::Write(db) => {
                timed(async { crate::parts::write(db, info.runner_seq).await.map_err(database) }).await
            }
            Work::Start(requests) => {
                let request = requests.get(i).ok_or_else(missing)?.clone();
                timed(clients.lookup.start_account_lookup(request)).await
            }
            Work::Send(requests) => {
                let request = requests.get(i).ok_or_else(missing)?.clone();
                timed(clients.lookup.send_account_lookup_code(request)).await
            }
            Work::Verify(requests) => {
                let request = requests.get(i).ok_or_else(missing)?.clone();
                timed(clients.lookup.verify_account_lookup_code(request)).await
            }
            Work::Login(requests) => {
                anyhow::ensure!(!requests.is_empty(), "no login prepared");
                let request = requests[i % requests.len()].clone();
                timed(clients.accounts.login(request)).await
            }
            Work::Transfer(requests) => {
                let (session, request) = requests.get(i).ok_or_else(missing)?.clone();
                let mut request = tonic::Request::new(request);
                request.metadata_mut().insert("authorization", format!("Bearer {session}").parse()?);
                timed(clients.transfers.complete_transfer(request)).await
            }
        };
        // a failed call goes to rlt's error distribution, keyed by code and reason
        result.map_err(|status| anyhow::anyhow!(describe(&status)))?;
        Ok(IterReport { duration, status: Status::success(0), bytes: 0, items: 1 })
    }
}

async fn timed<T>(
    call: impl Future<Output = Result<T, tonic::Status>>,
) -> (Duration, Result<(), tonic::Status>) {
    let started = Instant::now();
    let result = call.await.map(drop);
    (started.elapsed(), result)
}

/// A probe's database error, as a failed call.
fn database(error: sqlx::Error) -> tonic::Status {
    tonic::Status::internal(error.to_string())
}

/// A health answer other than SERVING is a failure.
fn serving(answer: HealthCheckResponse) -> Result<(), tonic::Status> {
    if answer.status == ServingStatus::Serving as i32 {
        Ok(())
    } else {
        Err(tonic::Status::unavailable(format!("health answered {:?}", answer.status())))
    }
}

/// `RESOURCE_EXHAUSTED CODE_RESEND_TOO_SOON`, or the message when there is no reason.
fn describe(status: &tonic::Status) -> String {
    match status.get_details_error_info() {
        Some(info) => format!("{:?} {}", status.code(), info.reason),
        None => format!("{:?} {}", status.code(), status.message()),
    }
}
