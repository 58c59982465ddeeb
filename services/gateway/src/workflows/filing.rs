//! SPEC §6: the logged-in holder's own filing (我的备案) — view it, add a website (新增网站),
//! change details, abandon the order in progress, cancel a website's access (取消接入),
//! deregister (注销) the subject or one website. Each becomes an order that the regulator's
//! review decides (filing-registry's `DecideOrder`); one order at a time per subject.
//!
//! Cancel access is a flow: `SendCancelAccessCode` sends an SMS code of purpose
//! CANCEL_ACCESS to the holder's mobile (key `<flow_id>:send:1`); `CancelAccess` checks
//! it (key `<flow_id>:check:<code_id>`) and keeps the proof in the flow, then asks
//! filing-registry to start the order, which checks the filing password (with the lock
//! of SPEC §3) and redeems the proof under a key of the account and website, so a wrong
//! password can be typed again with the same proof. The finished flow keeps the order
//! and answers a retry from it.
//!
//! Every order filing-registry starts is named: `<flow_id>:order` for a flow (cancel
//! access, an SMS-verified subject change), `client:<id>` for the request id a client may
//! give Deregister and ChangeFiling. A retry after a lost answer gets the order the first
//! call started instead of ORDER_IN_PROGRESS.

use beian_common::vocabulary::{Nature, Purpose};
use serde::{Deserialize, Serialize};

use crate::{
    error::Error,
    flows::{CodeStep, FlowId, FlowKind, FlowState, Flows},
    model::{
        CodeRequest, CodeSent, TypedCode,
        account::SessionToken,
        client::Client,
        filing::{MyFiling, MyOrder, NewWebsite, OrderStarted, SubjectChange, WebsiteChange},
        transfer::{HistoryOf, HistoryPage, HistoryQuery},
    },
    peers::{FilingRegistry, IdentityRecovery, VerificationCodes},
};

/// CancelAccess, validated.
#[derive(Debug, Clone)]
pub struct CancelAccess {
    pub flow_id: FlowId,
    pub code: TypedCode,
    pub filing_password: FilingPassword,
}

/// Deregister, validated: the whole subject when `website_number` is None.
#[derive(Debug, Clone)]
pub struct Deregister {
    pub website_number: Option<String>,
    pub filing_password: FilingPassword,
    pub request_id: Option<ClientRequestId>,
}

/// An id the client gave its request (8 to 64 letters, digits, '-' or '_'), so a retry after
/// a lost answer gets the order the first call started. filing-registry scopes it to the
/// account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRequestId(String);

impl ClientRequestId {
    /// None for an empty id.
    pub fn parse(value: &str) -> Result<Option<Self>, Error> {
        let value = value.trim();
        if value.is_empty() {
            return Ok(None);
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if !(8..=64).contains(&value.len()) || !value.chars().all(allowed) {
            return Err(Error::invalid("request_id", "must be 8 to 64 letters, digits, '-' or '_'"));
        }
        Ok(Some(Self(value.to_owned())))
    }

    /// The id filing-registry keys the order by; never like a flow's (`<flow id>:order`).
    fn key(request_id: Option<&Self>) -> String {
        request_id.map(|id| format!("client:{}", id.0)).unwrap_or_default()
    }
}

/// filing-registry's rule on who the principal may become, checked before a code is sent for
/// a change it would refuse: only an organisation's principal changes person, and a new one
/// comes with their ID number.
fn check_principal(nature: Nature, change: &SubjectChange) -> Result<(), Error> {
    const FIELD: &str = "subject.principal_id_number";
    match nature {
        Nature::Individual if change.principal_id_number.is_some() => Err(Error::invalid(
            FIELD,
            "an individual's principal is the subject itself: its ID number is the certificate's",
        )),
        Nature::Organisation
            if !change.principal_name.trim().is_empty() && change.principal_id_number.is_none() =>
        {
            Err(Error::invalid(FIELD, "a new principal needs their ID number"))
        }
        _ => Ok(()),
    }
}

/// The request id of the order a flow starts.
fn flow_order_key(flow_id: &FlowId) -> String {
    format!("{}:order", flow_id.as_str())
}

/// A filing password as typed. `Debug` never shows it.
#[derive(Clone)]
pub struct FilingPassword(pub String);

impl std::fmt::Debug for FilingPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FilingPassword(***)")
    }
}

/// What a subject change answers: the order, or (first call in an SMS-verifying province)
/// the flow whose code must come with the change again.
#[derive(Debug, Clone)]
pub enum SubjectChangeAnswer {
    Order(MyOrder),
    CodeSent { flow_id: FlowId, sent: CodeSent },
}

/// A subject change waiting for its SMS code, for one account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChangeFlow {
    account_id: String,
    step: ChangeStep,
}

type ChangeStep = CodeStep<MyOrder>;

impl FlowState for ChangeFlow {
    const KIND: FlowKind = FlowKind::FilingChange;

    fn step(&self) -> &'static str {
        self.step.name()
    }
}

/// A cancel access in progress, for one account and website.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CancelFlow {
    account_id: String,
    website_number: String,
    step: Step,
}

type Step = CodeStep<OrderStarted>;

impl FlowState for CancelFlow {
    const KIND: FlowKind = FlowKind::CancelAccess;

    fn step(&self) -> &'static str {
        self.step.name()
    }
}

#[derive(Debug, Clone)]
pub struct Filing {
    pub(super) codes: VerificationCodes,
    pub(super) registry: FilingRegistry,
    pub(super) identity: IdentityRecovery,
    pub(super) flows: Flows,
}

impl Filing {
    async fn account_id(&self, session: &SessionToken) -> Result<String, Error> {
        Ok(self.identity.resolve_session(session).await?.account_id)
    }

    /// GetMyFiling: the caller's subject (NO_SUBJECT_HELD if none), contacts masked.
    pub async fn my_filing(&self, session: &SessionToken) -> Result<MyFiling, Error> {
        let account_id = self.account_id(session).await?;
        self.registry.held_subject(&account_id).await
    }

    /// ListMyHolderHistory: the changes the caller took part in (old or new holder) and
    /// every change of the subject it holds now; empty when none. A subject given away is
    /// seen up to that change, not where it went next.
    pub async fn my_holder_history(
        &self,
        session: &SessionToken,
        page_size: i32,
        page_token: String,
    ) -> Result<HistoryPage, Error> {
        let account_id = self.account_id(session).await?;
        self.registry
            .holder_history(HistoryQuery { of: HistoryOf::Party(account_id), page_size, page_token })
            .await
    }

    /// AbandonOrder: ends the caller's order in progress.
    pub async fn abandon_order(&self, session: &SessionToken, order_number: &str) -> Result<MyOrder, Error> {
        let account_id = self.account_id(session).await?;
        self.registry.abandon_order(&account_id, order_number).await
    }

    /// AddWebsite: a NEW_WEBSITE order in progress. filing-registry holds the rules (approved
    /// TLDs, domains not filed, the single-use service number) and decides races. One call,
    /// no flow: with the client's request id, a lost answer retried gets the order it started.
    pub async fn add_website(
        &self,
        session: &SessionToken,
        website: NewWebsite,
        request_id: Option<&ClientRequestId>,
    ) -> Result<MyOrder, Error> {
        let account_id = self.account_id(session).await?;
        self.registry.add_website(&account_id, website, &ClientRequestId::key(request_id)).await
    }

    /// ChangeFiling of a website: an order in progress (domains may only be removed).
    pub async fn change_website(
        &self,
        session: &SessionToken,
        change: WebsiteChange,
        request_id: Option<&ClientRequestId>,
    ) -> Result<MyOrder, Error> {
        let account_id = self.account_id(session).await?;
        self.registry.change_website(&account_id, change, &ClientRequestId::key(request_id)).await
    }

    /// ChangeFiling of the subject. Where the province verifies changes by SMS, the first
    /// call (no flow) sends a FILING_CHANGE code to the principal mobile given and answers the
    /// flow; the second brings the flow and the code (key `<flow_id>:check:<code_id>`), whose
    /// proof filing-registry redeems for that mobile with the ID suffix check.
    pub async fn change_subject(
        &self,
        session: &SessionToken,
        change: SubjectChange,
        code: Option<(FlowId, TypedCode)>,
        request_id: Option<&ClientRequestId>,
        client: &Client,
    ) -> Result<SubjectChangeAnswer, Error> {
        let account_id = self.account_id(session).await?;
        let Some((flow_id, code)) = code else {
            let filing = self.registry.held_subject(&account_id).await?;
            check_principal(filing.nature, &change)?;
            if !filing.changes_need_sms {
                let key = ClientRequestId::key(request_id);
                let order = self.registry.change_subject(&account_id, change, None, &key).await?;
                return Ok(SubjectChangeAnswer::Order(order));
            }
            if filing.order_in_progress.is_some() {
                return Err(Error::OrderInProgress);
            }
            let province = change.province_code.trim();
            if !province.is_empty() && province != filing.province_code {
                return Err(Error::ProvinceChangeNotAllowed);
            }
            if change.principal_mobile.trim().is_empty() {
                return Err(Error::invalid(
                    "subject.principal_mobile",
                    "the SMS code goes to the principal mobile: give it",
                ));
            }
            let flow = self.flows.create(ChangeFlow { account_id, step: ChangeStep::Started }).await?;
            let request = CodeRequest {
                destination: change.principal_mobile.trim(),
                purpose: Purpose::FilingChange,
                request_id: format!("{}:send:1", flow.id.as_str()),
            };
            let sent = self.codes.send_sms_code(request, client).await?;
            let next = ChangeFlow {
                step: ChangeStep::CodeSent { code_id: sent.code_id.clone() },
                ..flow.state.clone()
            };
            self.flows.advance(&flow, next).await?;
            return Ok(SubjectChangeAnswer::CodeSent { flow_id: flow.id, sent });
        };
        let mut flow = self.flows.load::<ChangeFlow>(&flow_id).await?;
        if flow.state.account_id != account_id {
            return Err(Error::WorkflowNotFound);
        }
        let proof = match &flow.state.step {
            ChangeStep::Done { result: order } => return Ok(SubjectChangeAnswer::Order(order.clone())),
            ChangeStep::Started => return Err(Error::StepOutOfOrder),
            ChangeStep::ProofHeld { proof } => proof.clone(),
            ChangeStep::CodeSent { code_id } => {
                let request_id = format!("{}:check:{code_id}", flow.id.as_str());
                let proof = self.codes.check_code(code_id, &code, request_id, client).await?;
                let next =
                    ChangeFlow { step: ChangeStep::ProofHeld { proof: proof.clone() }, ..flow.state.clone() };
                flow = self.flows.advance(&flow, next).await?;
                proof
            }
        };
        let key = flow_order_key(&flow.id);
        let order = self.registry.change_subject(&account_id, change, Some(&proof), &key).await?;
        let next = ChangeFlow { step: ChangeStep::Done { result: order.clone() }, ..flow.state.clone() };
        self.flows.advance(&flow, next).await?;
        Ok(SubjectChangeAnswer::Order(order))
    }

    /// Deregister: an order in progress, once the filing password is right.
    pub async fn deregister(
        &self,
        session: &SessionToken,
        request: Deregister,
    ) -> Result<OrderStarted, Error> {
        let account_id = self.account_id(session).await?;
        let key = ClientRequestId::key(request.request_id.as_ref());
        self.registry
            .deregister(&account_id, request.website_number.as_deref(), &request.filing_password.0, &key)
            .await
    }

    /// SendCancelAccessCode: refuses at once what could not become an order (no such
    /// active website, an order in progress), then sends the code to the holder's mobile.
    pub async fn send_cancel_access_code(
        &self,
        session: &SessionToken,
        website_number: &str,
        client: &Client,
    ) -> Result<(FlowId, CodeSent), Error> {
        let account_id = self.account_id(session).await?;
        let filing = self.registry.held_subject(&account_id).await?;
        if filing.order_in_progress.is_some() {
            return Err(Error::OrderInProgress);
        }
        if !filing.websites.iter().any(|w| w.website_number == website_number && w.state == "ACTIVE") {
            return Err(Error::WebsiteNotFound);
        }
        let contacts = self.identity.account_contacts(&account_id).await?;
        let flow = self
            .flows
            .create(CancelFlow { account_id, website_number: website_number.to_owned(), step: Step::Started })
            .await?;
        let request = CodeRequest {
            destination: &contacts.mobile,
            purpose: Purpose::CancelAccess,
            request_id: format!("{}:send:1", flow.id.as_str()),
        };
        let sent = self.codes.send_sms_code(request, client).await?;
        let state =
            CancelFlow { step: Step::CodeSent { code_id: sent.code_id.clone() }, ..flow.state.clone() };
        self.flows.advance(&flow, state).await?;
        Ok((flow.id, sent))
    }

    /// CancelAccess: the code, then the order (filing password checked by the registry).
    pub async fn cancel_access(
        &self,
        session: &SessionToken,
        request: CancelAccess,
        client: &Client,
    ) -> Result<OrderStarted, Error> {
        let account_id = self.account_id(session).await?;
        let mut flow = self.flows.load::<CancelFlow>(&request.flow_id).await?;
        if flow.state.account_id != account_id {
            // another account's flow is as unknown as none
            return Err(Error::WorkflowNotFound);
        }
        let proof = match &flow.state.step {
            Step::Done { result: started } => return Ok(started.clone()),
            Step::Started => return Err(Error::StepOutOfOrder),
            Step::ProofHeld { proof } => proof.clone(),
            Step::CodeSent { code_id } => {
                let request_id = format!("{}:check:{code_id}", flow.id.as_str());
                let proof = self.codes.check_code(code_id, &request.code, request_id, client).await?;
                let state =
                    CancelFlow { step: Step::ProofHeld { proof: proof.clone() }, ..flow.state.clone() };
                flow = self.flows.advance(&flow, state).await?;
                proof
            }
        };
        let started = self
            .registry
            .cancel_access(
                &account_id,
                &flow.state.website_number,
                &proof,
                &request.filing_password.0,
                &flow_order_key(&flow.id),
            )
            .await?;
        let state = CancelFlow { step: Step::Done { result: started.clone() }, ..flow.state.clone() };
        self.flows.advance(&flow, state).await?;
        Ok(started)
    }
}
