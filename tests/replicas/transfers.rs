//! Online transfers (SPEC §5) through the gateways: the holder of synthetic filing `i`
//! starts on one gateway and has its code sent to its mobile through the other; the last
//! step (the code and the empty account `load-target-<i>`) checks the code and has
//! filing-registry move the subject in one transaction keyed `transfer:<flow_id>` that
//! records the change and queues a TRANSFER_COMPLETED notice to each side for the relay.

use beian_load::seed;
use beian_platform::storage::Database;
use beian_proto::gateway::v1::{
    CompleteTransferRequest, CompleteTransferResponse, SendTransferCodeRequest, StartTransferRequest,
    filing_transfer_service_client::FilingTransferServiceClient,
};
use sqlx::Row;
use tonic::{Status, transport::Channel};

use crate::{Owed, Replicas, bearer};

/// Filing `filing`'s transfer, its code sent and read back.
#[derive(Debug, Clone)]
pub struct Transfer {
    pub filing: usize,
    pub session: String,
    pub flow_id: String,
    pub code: String,
}

/// Starts filing `filing`'s transfer through `one` (the holder logged in as `session`) and
/// sends its code through `other`.
pub async fn start(
    replicas: &Replicas,
    filing: usize,
    session: String,
    one: &Channel,
    other: &Channel,
) -> Transfer {
    let flow_id = FilingTransferServiceClient::new(one.clone())
        .start_transfer(bearer(StartTransferRequest {}, &session))
        .await
        .unwrap_or_else(|e| panic!("filing {filing}'s transfer starts: {e:?}"))
        .into_inner()
        .flow_id;
    FilingTransferServiceClient::new(other.clone())
        .send_transfer_code(bearer(SendTransferCodeRequest { flow_id: flow_id.clone() }, &session))
        .await
        .unwrap_or_else(|e| panic!("filing {filing}'s code: {e:?}"))
        .into_inner();
    let code = replicas.code_sent_to(&seed::filing(filing).mobile).await;
    Transfer { filing, session, flow_id, code }
}

/// The last step through `gateway`.
pub async fn complete(gateway: Channel, transfer: &Transfer) -> Result<CompleteTransferResponse, Status> {
    let request = CompleteTransferRequest {
        flow_id: transfer.flow_id.clone(),
        code: transfer.code.clone(),
        target_login_name: seed::target_login_name(transfer.filing),
    };
    FilingTransferServiceClient::new(gateway)
        .complete_transfer(bearer(request, &transfer.session))
        .await
        .map(tonic::Response::into_inner)
}

/// The last step through `first`; if that gateway is gone (killed mid-call), the same step
/// through `second`, as a load balancer would retry. Answers the move and whether the
/// retry was needed.
pub async fn complete_or_retry(
    first: Channel,
    second: Channel,
    transfer: Transfer,
) -> (CompleteTransferResponse, bool) {
    if let Ok(done) = complete(first, &transfer).await {
        return (done, false);
    }
    let done = complete(second, &transfer)
        .await
        .unwrap_or_else(|e| panic!("filing {} moves on the survivor: {e:?}", transfer.filing));
    (done, true)
}

impl Transfer {
    /// The code to the holder, then the notice to each side.
    pub fn owed(&self) -> Vec<Owed> {
        let (holder, filing_number) = (seed::filing(self.filing).mobile, seed::filing_number(self.filing));
        vec![
            ("CODE_FILING_TRANSFER", holder.clone(), String::new()),
            ("TRANSFER_COMPLETED", holder, filing_number.clone()),
            ("TRANSFER_COMPLETED", seed::target_mobile(self.filing), filing_number),
        ]
    }
}

/// Moved once: the subject held by the target, one change from the holder keyed by the flow.
pub async fn assert_moved_once(registry_db: &Database, transfer: &Transfer) {
    let holder: Option<String> =
        sqlx::query("select holder_account_id from subjects where filing_number = $1")
            .bind(seed::filing_number(transfer.filing))
            .fetch_one(registry_db.reader())
            .await
            .unwrap()
            .get("holder_account_id");
    let changes: Vec<(Option<String>, Option<String>, Option<String>)> = sqlx::query(
        "select from_account_id, to_account_id, idempotency_key from holder_changes \
         where subject_id = $1 and from_account_id is not null",
    )
    .bind(format!("load-sub-{}", transfer.filing))
    .fetch_all(registry_db.reader())
    .await
    .unwrap()
    .iter()
    .map(|row| (row.get("from_account_id"), row.get("to_account_id"), row.get("idempotency_key")))
    .collect();
    let target = seed::target_account_id(transfer.filing);
    let expected = (
        Some(seed::holder_account_id(transfer.filing)),
        Some(target.clone()),
        Some(format!("transfer:{}", transfer.flow_id)),
    );
    assert_eq!((holder, changes), (Some(target), vec![expected]), "{transfer:?}");
}
