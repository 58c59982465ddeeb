//! Transfers of a subject to another account (SPEC §5): online with a proof, on an
//! approved offline review, every refusal, the races, and the holder-change history.

use std::collections::BTreeSet;

use beian_proto::{filing_registry::v1 as pb, verification_codes::v1::NoticeTemplate};
use tonic::{Code, Status};

use crate::{fake_codes::GOOD_PROOF, support::*};

fn online(from: &str, to: &str, request_id: &str) -> pb::TransferSubjectRequest {
    pb::TransferSubjectRequest {
        from_account_id: from.into(),
        to_account_id: to.into(),
        proof: format!("{GOOD_PROOF}-{request_id}"),
        reason: "online transfer".into(),
        request_id: request_id.into(),
        locale: "zh-CN".into(),
    }
}

fn by_review(case_number: &str, to: &str) -> pb::TransferSubjectByReviewRequest {
    pb::TransferSubjectByReviewRequest {
        case_number: case_number.into(),
        subject_id: String::new(),
        to_account_id: to.into(),
        staff_id: "staff-1".into(),
        filing_number: WEBSITE.into(),
        locale: String::new(),
    }
}

impl TestApp {
    async fn transfer(&self, request: pb::TransferSubjectRequest) -> Result<pb::HolderChange, Status> {
        let reply = self.public().await.transfer_subject(self.request(request)).await?;
        Ok(reply.into_inner().change.expect("a change"))
    }

    async fn transfer_by_review(
        &self,
        request: pb::TransferSubjectByReviewRequest,
    ) -> Result<String, Status> {
        let reply = self.internal().await.transfer_subject_by_review(self.request(request)).await?;
        Ok(reply.into_inner().change_id)
    }

    async fn holder_of(&self, subject_id: &str) -> Option<String> {
        use sqlx::Row;
        sqlx::query("select holder_account_id from subjects where subject_id = $1")
            .bind(subject_id)
            .fetch_one(self.database().reader())
            .await
            .unwrap()
            .get("holder_account_id")
    }

    pub(crate) async fn held(&self, account_id: &str) -> Result<pb::Subject, Status> {
        let request = pb::GetHeldSubjectRequest { account_id: account_id.into() };
        let reply = self.public().await.get_held_subject(self.request(request)).await?;
        Ok(reply.into_inner().subject.expect("a subject"))
    }

    async fn history(
        &self,
        request: pb::ListHolderHistoryRequest,
    ) -> Result<pb::ListHolderHistoryResponse, Status> {
        Ok(self.public().await.list_holder_history(self.request(request)).await?.into_inner())
    }
}

/// What each account holds, by subject.
async fn holders(app: &TestApp, subjects: &[&str]) -> Vec<Option<String>> {
    let mut held = Vec::new();
    for subject in subjects {
        held.push(app.holder_of(subject).await);
    }
    held
}

#[tokio::test]
async fn an_online_transfer_moves_the_subject_with_its_websites_and_notifies_both_sides() {
    let app = TestApp::start().await;
    let change = app.transfer(online("acc-t1", "acc-t2", "flow-1")).await.expect("transfers");
    assert_eq!(
        (change.subject_id.as_str(), change.from_account_id.as_str(), change.to_account_id.as_str()),
        (SUBJECT_ID, "acc-t1", "acc-t2")
    );
    assert_eq!((change.actor.as_str(), change.reason.as_str()), ("acc-t1", "online transfer"));
    assert!(change.change_time.is_some());
    assert_eq!(
        app.codes.redeemed_for(&format!("{GOOD_PROOF}-flow-1")).as_deref(),
        Some(MOBILE),
        "the holder's code"
    );

    // the old holder's view ends at once; the new holder sees the subject and its websites
    assert_eq!(reason(&app.held("acc-t1").await.expect_err("gone")), "NO_SUBJECT_HELD");
    let subject = app.held("acc-t2").await.expect("held by the target");
    assert_eq!(subject.filing_number, FILING);
    assert_eq!(subject.websites.iter().map(|w| w.website_number.as_str()).collect::<Vec<_>>(), vec![WEBSITE]);

    let notices = app.codes.wait_for(2).await;
    let destinations: BTreeSet<&str> = notices.iter().map(|n| n.destination.as_str()).collect();
    assert_eq!(destinations, BTreeSet::from([MOBILE, "13900002222"]));
    for notice in &notices {
        assert_eq!(notice.template, NoticeTemplate::TransferCompleted as i32);
        assert_eq!(notice.params.get("filing_number").map(String::as_str), Some(FILING));
        assert_eq!(notice.params.get("masked_login_name").map(String::as_str), Some("li***w"));
    }
    app.stop().await;
}

#[tokio::test]
async fn a_retried_transfer_answers_the_first_change_and_changes_nothing_twice() {
    let app = TestApp::start().await;
    let first = app.transfer(online("acc-t1", "acc-t2", "flow-r")).await.expect("transfers");
    app.codes.wait_for(2).await;
    let again = app.transfer(online("acc-t1", "acc-t2", "flow-r")).await.expect("answers again");
    assert_eq!(first, again);
    let history = app
        .history(pb::ListHolderHistoryRequest { subject_id: SUBJECT_ID.into(), ..Default::default() })
        .await
        .expect("history");
    assert_eq!(history.changes.len(), 2, "the seed's entry and one transfer");
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(app.codes.outbox().len(), 2, "no second pair of notices");
    app.stop().await;
}

#[tokio::test]
async fn every_rule_refuses_with_its_reason_and_moves_nothing() {
    let app = TestApp::start().await;
    add_subjects(
        &app,
        &[
            other_subject(3, "acc-t3", None),
            other_subject(6, "acc-intl", None),
            other_subject(4, "acc-t4", Some("CHANGE_WEBSITE")),
        ],
    )
    .await;
    let refused = |request| async { reason(&app.transfer(request).await.expect_err("refused")) };
    assert_eq!(refused(online("acc-t1", "acc-t1", "a")).await, "TRANSFER_TO_SELF");
    assert_eq!(refused(online("acc-t1", "acc-nobody", "b")).await, "TRANSFER_TARGET_NOT_FOUND");
    assert_eq!(refused(online("acc-t1", "acc-intl", "c")).await, "TRANSFER_SITE_NOT_SUPPORTED", "CN→INTL");
    assert_eq!(refused(online("acc-intl", "acc-t2", "d")).await, "TRANSFER_SITE_NOT_SUPPORTED", "INTL→CN");
    // the international site is refused on both sides too, not only across sites
    let both_intl = online("acc-intl", "acc-intl2", "k");
    assert_eq!(refused(both_intl).await, "TRANSFER_SITE_NOT_SUPPORTED", "INTL→INTL");
    assert_eq!(refused(online("acc-t1", "acc-t3", "e")).await, "TRANSFER_TARGET_HOLDS_SUBJECT");
    assert_eq!(refused(online("acc-t1", "acc-t4", "f")).await, "TRANSFER_TARGET_HAS_ORDER_IN_PROGRESS");
    assert_eq!(refused(online("acc-t4", "acc-t2", "g")).await, "ORDER_IN_PROGRESS");
    assert_eq!(refused(online("acc-t2", "acc-t1", "h")).await, "NO_SUBJECT_HELD");
    let bad_proof = pb::TransferSubjectRequest { proof: "forged".into(), ..online("acc-t1", "acc-t2", "i") };
    assert_eq!(refused(bad_proof).await, "PROOF_INVALID");
    let blank = pb::TransferSubjectRequest { request_id: " ".into(), ..online("acc-t1", "acc-t2", "j") };
    assert_eq!(app.transfer(blank).await.expect_err("blank").code(), Code::InvalidArgument);

    assert_eq!(
        holders(&app, &[SUBJECT_ID, "sub-t3", "sub-t4", "sub-t6"]).await,
        ["acc-t1", "acc-t3", "acc-t4", "acc-intl"].map(|a| Some(a.to_owned())).to_vec()
    );
    assert_eq!(reason(&app.held("acc-intl2").await.expect_err("holds nothing")), "NO_SUBJECT_HELD");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(app.codes.outbox().is_empty(), "no notice for a refused transfer");
    app.stop().await;
}

#[tokio::test]
async fn a_review_transfer_moves_the_subject_once_per_case_and_a_failed_rule_is_a_permanent_refusal() {
    let app = TestApp::start().await;
    let change_id = app.transfer_by_review(by_review("OT-1", "acc-t2")).await.expect("transfers");
    assert_eq!(app.transfer_by_review(by_review("OT-1", "acc-t2")).await.expect("retried"), change_id);
    assert_eq!(app.holder_of(SUBJECT_ID).await.as_deref(), Some("acc-t2"));
    let history = app
        .history(pb::ListHolderHistoryRequest { filing_number: FILING.into(), ..Default::default() })
        .await
        .expect("staff's view");
    let last = history.changes.last().expect("the transfer");
    assert_eq!(
        (last.change_id.as_str(), last.from_account_id.as_str(), last.actor.as_str(), last.reason.as_str()),
        (change_id.as_str(), "acc-t1", "staff-1", "offline transfer OT-1")
    );
    assert_eq!(app.codes.wait_for(2).await.len(), 2, "both sides told");

    // another case to an account that now holds a subject
    add_subjects(&app, &[other_subject(3, "acc-t3", None)]).await;
    let refused = app.transfer_by_review(by_review("OT-2", "acc-t3")).await.expect_err("refused");
    assert_eq!(
        (refused.code(), reason(&refused).as_str()),
        (Code::FailedPrecondition, "TRANSFER_TARGET_HOLDS_SUBJECT")
    );
    let unknown = pb::TransferSubjectByReviewRequest {
        filing_number: "浙ICP备99999999号".into(),
        ..by_review("OT-3", "acc-t4")
    };
    assert_eq!(
        reason(&app.transfer_by_review(unknown).await.expect_err("no such filing")),
        "FILING_NOT_MATCHED"
    );
    assert_eq!(app.holder_of(SUBJECT_ID).await.as_deref(), Some("acc-t2"));
    app.stop().await;
}

#[tokio::test]
async fn two_transfers_of_one_subject_race_and_exactly_one_moves_it() {
    let app = TestApp::start().await;
    for round in 0..5 {
        // the subject starts each round with acc-t1
        let holder = app.holder_of(SUBJECT_ID).await.expect("held");
        if holder != "acc-t1" {
            app.transfer(online(&holder, "acc-t1", &format!("back-{round}"))).await.expect("back to acc-t1");
        }
        let (a, b) = tokio::join!(
            app.transfer(online("acc-t1", "acc-t2", &format!("x-{round}"))),
            app.transfer(online("acc-t1", "acc-t4", &format!("y-{round}"))),
        );
        let (won, lost) = match (a, b) {
            (Ok(won), Err(lost)) | (Err(lost), Ok(won)) => (won, lost),
            other => panic!("exactly one transfer must win: {other:?}"),
        };
        assert_eq!(reason(&lost), "NO_SUBJECT_HELD", "the loser no longer holds it");
        assert_eq!(app.holder_of(SUBJECT_ID).await, Some(won.to_account_id.clone()));
    }
    let history = app
        .history(pb::ListHolderHistoryRequest { subject_id: SUBJECT_ID.into(), ..Default::default() })
        .await
        .expect("history");
    // every recorded change starts where the previous one ended: never two holders
    for pair in history.changes.windows(2) {
        assert_eq!(pair[1].from_account_id, pair[0].to_account_id, "{history:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn two_subjects_raced_to_one_target_leave_it_holding_exactly_one() {
    let app = TestApp::start().await;
    add_subjects(&app, &[other_subject(4, "acc-t4", None)]).await;
    let (a, b) = tokio::join!(
        app.transfer(online("acc-t1", "acc-t2", "p")),
        app.transfer(online("acc-t4", "acc-t2", "q")),
    );
    let lost = match (&a, &b) {
        (Ok(_), Err(lost)) | (Err(lost), Ok(_)) => lost,
        other => panic!("exactly one transfer must win: {other:?}"),
    };
    assert_eq!(reason(lost), "TRANSFER_TARGET_HOLDS_SUBJECT");
    let held = holders(&app, &[SUBJECT_ID, "sub-t4"]).await;
    assert_eq!(held.iter().filter(|h| h.as_deref() == Some("acc-t2")).count(), 1, "{held:?}");
    assert!(
        held.contains(&Some("acc-t1".to_owned())) || held.contains(&Some("acc-t4".to_owned())),
        "{held:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_holder_sees_the_history_of_its_own_subject_only() {
    let app = TestApp::start().await;
    app.transfer(online("acc-t1", "acc-t2", "h-1")).await.expect("transfers");
    let own = app
        .history(pb::ListHolderHistoryRequest { account_id: "acc-t2".into(), ..Default::default() })
        .await
        .expect("the new holder's view");
    assert_eq!(own.filing_number, FILING);
    let moves: Vec<(&str, &str)> =
        own.changes.iter().map(|c| (c.from_account_id.as_str(), c.to_account_id.as_str())).collect();
    assert_eq!(moves, vec![("", "acc-t1"), ("acc-t1", "acc-t2")]);
    let old = app
        .history(pb::ListHolderHistoryRequest { account_id: "acc-t1".into(), ..Default::default() })
        .await
        .expect_err("the old holder holds nothing");
    assert_eq!(reason(&old), "NO_SUBJECT_HELD");
    let neither = app.history(pb::ListHolderHistoryRequest::default()).await.expect_err("names nothing");
    assert_eq!(neither.code(), Code::InvalidArgument);
    app.stop().await;
}

#[tokio::test]
async fn the_deciding_update_cannot_give_one_account_a_second_subject() {
    let app = TestApp::start().await;
    add_subjects(&app, &[other_subject(4, "acc-t4", None)]).await;
    let mut writer = app.database().writer().await.unwrap();
    let mut tx = writer.begin().await.unwrap();
    let error = filing_registry::transfers::store::move_subject(&mut tx, "sub-t4", "acc-t4", "acc-t1", 1)
        .await
        .expect_err("acc-t1 holds a subject");
    assert!(error.as_database_error().is_some_and(|e| e.is_unique_violation()), "{error}");
    tx.rollback().await.unwrap();
    drop(writer);
    assert_eq!(app.holder_of("sub-t4").await.as_deref(), Some("acc-t4"));
    app.stop().await;
}

#[tokio::test]
async fn an_account_lists_the_changes_it_took_part_in_a_page_at_a_time() {
    let app = TestApp::start().await;
    app.transfer(online("acc-t1", "acc-t2", "p-1")).await.expect("to acc-t2");
    app.transfer(online("acc-t2", "acc-t4", "p-2")).await.expect("on to acc-t4");
    let party = |account: &str, page_size: i32, page_token: &str| pb::ListHolderHistoryRequest {
        party_account_id: account.into(),
        page_size,
        page_token: page_token.into(),
        ..Default::default()
    };
    let moves = |page: &pb::ListHolderHistoryResponse| -> Vec<(String, String)> {
        page.changes.iter().map(|c| (c.from_account_id.clone(), c.to_account_id.clone())).collect()
    };
    let pair = |from: &str, to: &str| (from.to_owned(), to.to_owned());

    // acc-t1 gave it away: it sees its part, not where the subject went next
    let gave = app.history(party("acc-t1", 0, "")).await.expect("acc-t1's");
    assert_eq!(moves(&gave), vec![pair("", "acc-t1"), pair("acc-t1", "acc-t2")]);
    assert!(gave.filing_number.is_empty() && gave.changes.iter().all(|c| c.filing_number == FILING));
    // acc-t4 holds it now: every change of it, one page at a time
    let mut seen = Vec::new();
    let mut token = String::new();
    loop {
        let page = app.history(party("acc-t4", 1, &token)).await.expect("a page");
        assert_eq!(page.changes.len(), 1);
        seen.extend(moves(&page));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(seen, vec![pair("", "acc-t1"), pair("acc-t1", "acc-t2"), pair("acc-t2", "acc-t4")]);
    // a token names its listing
    let first = app.history(party("acc-t4", 1, "")).await.expect("first page");
    let foreign = app.history(party("acc-t1", 1, &first.next_page_token)).await.expect_err("not acc-t1's");
    assert_eq!(foreign.code(), Code::InvalidArgument);
    // an account that took part in nothing lists nothing
    assert!(app.history(party("acc-none", 0, "")).await.expect("empty").changes.is_empty());
    app.stop().await;
}

/// CreateOrder of a website change by `account_id`.
fn change_order(account_id: &str, n: usize) -> pb::CreateOrderRequest {
    pb::CreateOrderRequest {
        account_id: account_id.into(),
        kind: pb::OrderKind::ChangeWebsite as i32,
        change: Some(pb::create_order_request::Change::WebsiteChange(pb::WebsiteChange {
            website_number: WEBSITE.into(),
            principal_email: format!("race{n}@example.com"),
            ..Default::default()
        })),
        proof: String::new(),
        request_id: String::new(),
    }
}

#[tokio::test]
async fn orders_racing_a_transfer_never_leave_the_old_holders_order_on_the_moved_subject() {
    use sqlx::Row;
    let owned = TestApp::start().await;
    let app = &owned;
    for round in 0..30 {
        let orders = (0..8).map(|n| async move {
            // spread the orders over the transfer's reads and its transaction
            tokio::time::sleep(std::time::Duration::from_millis(n * 5)).await;
            app.public()
                .await
                .create_order(app.request(change_order("acc-t1", round * 10 + n as usize)))
                .await
        });
        let (moved, ordered) = tokio::join!(
            app.transfer(online("acc-t1", "acc-t2", &format!("race-{round}"))),
            futures::future::join_all(orders),
        );
        let holder = app.holder_of(SUBJECT_ID).await.expect("held");
        let in_progress: Vec<String> =
            sqlx::query("select order_number from orders where subject_id = $1 and state = 'IN_PROGRESS'")
                .bind(SUBJECT_ID)
                .fetch_all(app.database().reader())
                .await
                .unwrap()
                .iter()
                .map(|row| row.get("order_number"))
                .collect();
        assert!(
            holder != "acc-t2" || in_progress.is_empty(),
            "round {round}: moved to acc-t2 with acc-t1's order {in_progress:?} in progress"
        );
        assert_eq!(moved.is_ok(), holder == "acc-t2", "round {round}: {moved:?}");
        for answer in &ordered {
            if let Err(refused) = answer {
                assert!(
                    ["ORDER_IN_PROGRESS", "NO_SUBJECT_HELD"].contains(&reason(refused).as_str()),
                    "{refused:?}"
                );
            }
        }
        // start the next round held by acc-t1 with no order
        if holder == "acc-t2" {
            app.transfer(online("acc-t2", "acc-t1", &format!("back-{round}"))).await.expect("back to acc-t1");
        } else {
            let order = in_progress.first().expect("the transfer lost to an order");
            let abandon =
                pb::AbandonOrderRequest { account_id: "acc-t1".into(), order_number: order.clone() };
            app.public().await.abandon_order(app.request(abandon)).await.expect("abandons");
        }
    }
    owned.stop().await;
}

#[tokio::test]
async fn an_approved_subject_deregistration_ends_the_holding_and_frees_the_account() {
    let app = TestApp::start().await;
    add_subjects(&app, &[other_subject(2, "acc-t2", None)]).await;
    let deregister = || async {
        let request = pb::DeregisterRequest {
            account_id: "acc-t1".into(),
            website_number: String::new(),
            filing_password: OLD_PASSWORD.into(),
            request_id: String::new(),
        };
        app.public().await.deregister(app.request(request)).await
    };
    let order = deregister().await.expect("starts").into_inner().order.expect("an order");
    let decide = pb::DecideOrderRequest {
        order_number: order.order_number.clone(),
        decision: pb::OrderDecision::Approve as i32,
        note: String::new(),
        decided_by: "reviewer-7".into(),
        locale: String::new(),
    };
    app.internal().await.decide_order(app.request(decide)).await.expect("approved");

    // the account holds nothing; the subject takes no order and goes nowhere
    assert_eq!(reason(&app.held("acc-t1").await.expect_err("deregistered")), "NO_SUBJECT_HELD");
    assert_eq!(reason(&deregister().await.expect_err("no new order")), "NO_SUBJECT_HELD");
    let refused = app
        .public()
        .await
        .create_order(app.request(change_order("acc-t1", 0)))
        .await
        .expect_err("no new order");
    assert_eq!(reason(&refused), "NO_SUBJECT_HELD");
    assert_eq!(
        reason(&app.transfer(online("acc-t1", "acc-t4", "gone")).await.expect_err("gone")),
        "NO_SUBJECT_HELD"
    );
    let staff =
        pb::TransferSubjectByReviewRequest { filing_number: FILING.into(), ..by_review("OT-9", "acc-t4") };
    assert_eq!(
        reason(&app.transfer_by_review(staff).await.expect_err("not transferable")),
        "NO_SUBJECT_HELD"
    );
    assert_eq!(app.holder_of(SUBJECT_ID).await, None);
    // nor has it a filing password left to recover
    let recovered = app.recover(recovery("after-deregistration")).await.expect_err("deregistered");
    assert_eq!(reason(&recovered), "FILING_NOT_MATCHED");

    // the deregistration is the subject's last holder change, and part of the old holder's history
    let history = app
        .history(pb::ListHolderHistoryRequest { filing_number: FILING.into(), ..Default::default() })
        .await
        .expect("staff's view");
    let last = history.changes.last().expect("the deregistration");
    assert_eq!(
        (last.from_account_id.as_str(), last.to_account_id.as_str(), last.actor.as_str()),
        ("acc-t1", "", "reviewer-7")
    );
    assert_eq!(last.reason, format!("deregistration {}", order.order_number));
    let party = pb::ListHolderHistoryRequest { party_account_id: "acc-t1".into(), ..Default::default() };
    let own = app.history(party).await.expect("acc-t1's part");
    assert_eq!(own.changes.last().map(|c| &c.change_id), Some(&last.change_id));

    // one account, one live subject: acc-t1 may take another now
    app.transfer(online("acc-t2", "acc-t1", "next")).await.expect("acc-t1 holds none");
    assert_eq!(app.held("acc-t1").await.expect("held").subject_id, "sub-t2");
    app.stop().await;
}
