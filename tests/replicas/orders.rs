//! Orders (备案订单) decided by the regulator's review: the holder of synthetic filing `j`
//! adds a website through a gateway (a NEW_WEBSITE order in progress, holding its service
//! number), and filing-registry's DecideOrder — what `beian dev decide-order` calls —
//! approves or rejects it on either replica. One transaction decides, applies an approval
//! (the website under the subject's next number, the service number used for good) and
//! queues the holder's notice (ORDER_APPROVED or ORDER_REJECTED, keyed by the order), which
//! the relay hands on.

use std::net::SocketAddr;

use beian::dev::OrderDecision;
use beian_load::seed;
use beian_platform::{config::Secret, storage::Database};
use beian_proto::{
    filing_registry::v1 as registry,
    gateway::v1::{AddWebsiteRequest, filing_service_client::FilingServiceClient},
};
use sqlx::Row;
use tonic::transport::Channel;

use crate::{Owed, TOKEN, bearer, reviews::Decision};

/// What a rejection tells the holder.
pub const REJECTION_NOTE: &str = "网站名称与内容不符";

/// The order of filing `filing`'s holder, and what the regulator will decide.
#[derive(Debug, Clone)]
pub struct Order {
    pub filing: usize,
    pub order_number: String,
    pub decision: Decision,
}

fn domain(filing: usize) -> String {
    format!("order-{filing}.example.cn")
}

fn service_number(filing: usize) -> String {
    format!("ORDER{filing:06}")
}

/// Filing `filing`'s holder (logged in as `session`) adds a website through `gateway`.
pub async fn start(gateway: Channel, session: &str, filing: usize, decision: Decision) -> Order {
    let order = FilingServiceClient::new(gateway)
        .add_website(bearer(
            AddWebsiteRequest {
                website_name: format!("新增站点{filing}"),
                domains: vec![domain(filing)],
                service_number: service_number(filing),
                request_id: String::new(),
            },
            session,
        ))
        .await
        .unwrap_or_else(|e| panic!("filing {filing}'s order: {e:?}"))
        .into_inner()
        .order
        .expect("an order");
    Order { filing, order_number: order.order_number, decision }
}

/// `decision` on `order` by the filing-registry replica at `registry`.
pub async fn decide_on(
    registry: SocketAddr,
    order: &Order,
    decision: Decision,
) -> anyhow::Result<registry::Order> {
    let (decision, note) = match decision {
        Decision::Approve => (OrderDecision::Approve, ""),
        Decision::Reject => (OrderDecision::Reject, REJECTION_NOTE),
    };
    let token = Secret::new(TOKEN.to_owned());
    beian::dev::decide_order(registry, &token, &order.order_number, decision, note).await
}

/// Decides `order` on the replica at `first`; if that one is gone (killed mid-call), the
/// same decision on `second`, as a reviewer would retry. Answers whether it was needed.
pub async fn decide(first: SocketAddr, second: SocketAddr, order: Order) -> bool {
    if decide_on(first, &order, order.decision).await.is_ok() {
        return false;
    }
    decide_on(second, &order, order.decision).await.expect("the survivor decides");
    true
}

impl Order {
    /// The holder's notice, to the filing's principal mobile.
    pub fn owed(&self) -> Owed {
        let template = match self.decision {
            Decision::Approve => "ORDER_APPROVED",
            Decision::Reject => "ORDER_REJECTED",
        };
        (template, seed::filing(self.filing).mobile, self.order_number.clone())
    }

    /// The order's state as filing-registry's API names it.
    pub fn state(&self) -> registry::OrderState {
        match self.decision {
            Decision::Approve => registry::OrderState::Approved,
            Decision::Reject => registry::OrderState::Rejected,
        }
    }
}

/// Decided once: the state and note decided; an approval added one website (the subject's
/// second number, with the order's domain) and used the service number once; a rejection
/// added nothing and left the number free.
pub async fn assert_decided_once(registry_db: &Database, order: &Order) {
    let row = sqlx::query("select state, decision_note, website_number from orders where order_number = $1")
        .bind(&order.order_number)
        .fetch_one(registry_db.reader())
        .await
        .unwrap();
    let decided: (String, Option<String>, Option<String>) =
        (row.get("state"), row.get("decision_note"), row.get("website_number"));
    let websites: Vec<(String, String)> = sqlx::query(
        "select w.website_number, d.domain from websites w \
         join website_domains d on d.website_id = w.website_id \
         where w.subject_id = $1 order by w.website_number",
    )
    .bind(format!("load-sub-{}", order.filing))
    .fetch_all(registry_db.reader())
    .await
    .unwrap()
    .iter()
    .map(|row| (row.get("website_number"), row.get("domain")))
    .collect();
    let used: i64 = sqlx::query("select count(*) as n from service_numbers where service_number = $1")
        .bind(service_number(order.filing))
        .fetch_one(registry_db.reader())
        .await
        .unwrap()
        .get("n");
    let filing_number = seed::filing_number(order.filing);
    let mut expected_websites = vec![(format!("{filing_number}-1"), seed::filing(order.filing).domain)];
    let expected = match order.decision {
        Decision::Approve => {
            let number = format!("{filing_number}-2");
            expected_websites.push((number.clone(), domain(order.filing)));
            ("APPROVED", Some(String::new()), Some(number), 1)
        }
        Decision::Reject => ("REJECTED", Some(REJECTION_NOTE.to_owned()), None, 0),
    };
    assert_eq!(
        (decided, websites, used),
        ((expected.0.to_owned(), expected.1, expected.2), expected_websites, expected.3),
        "{order:?}"
    );
}
