//! `beian dev` aids that call a running suite: what the regulator's review does, by hand.

use std::{net::SocketAddr, time::Duration};

use beian_platform::{client::peer_channel, config::Secret, metrics::Metrics};
use beian_proto::filing_registry::v1::{
    self as pb, filing_registry_internal_service_client::FilingRegistryInternalServiceClient,
};

/// Approve or reject, as `beian dev decide-order` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OrderDecision {
    Approve,
    Reject,
}

/// Decides an order through filing-registry's internal `DecideOrder` with the suite's
/// credential, as the regulator's review would; answers the order's state afterwards.
pub async fn decide_order(
    filing_registry: SocketAddr,
    token: &Secret,
    order_number: &str,
    decision: OrderDecision,
    note: &str,
) -> anyhow::Result<pb::Order> {
    let channel =
        peer_channel(&format!("http://{filing_registry}"), Duration::from_secs(10), token, &Metrics::new())?;
    let reply = FilingRegistryInternalServiceClient::new(channel)
        .decide_order(pb::DecideOrderRequest {
            order_number: order_number.to_owned(),
            decision: match decision {
                OrderDecision::Approve => pb::OrderDecision::Approve,
                OrderDecision::Reject => pb::OrderDecision::Reject,
            } as i32,
            note: note.to_owned(),
            decided_by: "dev".to_owned(),
            locale: String::new(),
        })
        .await
        .map_err(|status| {
            anyhow::anyhow!("DecideOrder refused: {} ({:?})", status.message(), status.code())
        })?;
    reply.into_inner().order.ok_or_else(|| anyhow::anyhow!("DecideOrder answered no order"))
}
