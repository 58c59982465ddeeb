//! Single-use request data, made before a timed run so that only the step
//! under test is measured: pass tokens (slider check answered), started flows,
//! and flows whose code was sent and read back from the message sink.

use std::path::Path;

use beian_platform::storage::Database;
use beian_proto::gateway::v1::{
    AnswerHumanCheckRequest, CompleteTransferRequest, CreateHumanCheckRequest, LoginRequest,
    SendAccountLookupCodeRequest, SendTransferCodeRequest, SliderAnswer, StartAccountLookupRequest,
    StartTransferRequest, VerifyAccountLookupCodeRequest,
    account_lookup_service_client::AccountLookupServiceClient, account_service_client::AccountServiceClient,
    answer_human_check_request::Answer, filing_transfer_service_client::FilingTransferServiceClient,
    human_check_service_client::HumanCheckServiceClient,
};
use futures::{StreamExt, TryStreamExt, stream};
use tonic::transport::Channel;

use crate::{
    messages,
    seed::{self, Filing},
};

/// How many preparation calls are in flight at once.
const IN_FLIGHT: usize = 16;

/// What preparing needs: the gateway, as a browser reaches it, and the
/// verification-codes database, where the slider answers are.
#[derive(Debug, Clone)]
pub struct Preparer {
    pub channel: Channel,
    pub verification_codes: Database,
}

impl Preparer {
    /// One StartAccountLookup request per filing in `filings`, each with a fresh pass token.
    pub async fn start_requests(
        &self,
        filings: &[&Filing],
    ) -> anyhow::Result<Vec<StartAccountLookupRequest>> {
        stream::iter(filings.iter().map(|filing| async move {
            Ok::<_, anyhow::Error>(StartAccountLookupRequest {
                domain: filing.domain.clone(),
                human_check_token: self.pass_token().await?,
            })
        }))
        .buffered(IN_FLIGHT)
        .try_collect()
        .await
    }

    /// A started lookup flow per filing in `filings`, ready for SendAccountLookupCode.
    pub async fn send_requests(
        &self,
        filings: &[&Filing],
    ) -> anyhow::Result<Vec<SendAccountLookupCodeRequest>> {
        let starts = self.start_requests(filings).await?;
        stream::iter(starts.into_iter().map(|start| async move {
            let mut lookup = AccountLookupServiceClient::new(self.channel.clone());
            let flow_id = lookup.start_account_lookup(start).await?.into_inner().flow_id;
            anyhow::ensure!(!flow_id.is_empty(), "a synthetic filing started no flow");
            Ok(SendAccountLookupCodeRequest { flow_id })
        }))
        .buffered(IN_FLIGHT)
        .try_collect()
        .await
    }

    /// A flow per filing whose code was sent, with that code. The filings must
    /// be distinct: a newer code to a mobile kills the older one.
    pub async fn verify_requests(
        &self,
        filings: &[&Filing],
        messages_file: &Path,
    ) -> anyhow::Result<Vec<VerifyAccountLookupCodeRequest>> {
        let sends = self.send_requests(filings).await?;
        let already = messages::count(messages_file)?;
        stream::iter(sends.iter().cloned().map(|send| async move {
            let mut lookup = AccountLookupServiceClient::new(self.channel.clone());
            lookup.send_account_lookup_code(send).await?;
            Ok::<_, anyhow::Error>(())
        }))
        .buffer_unordered(IN_FLIGHT)
        .try_collect::<Vec<()>>()
        .await?;
        let mobiles: Vec<&str> = filings.iter().map(|f| f.mobile.as_str()).collect();
        let codes = messages::codes_after(messages_file, already, &mobiles).await?;
        sends
            .into_iter()
            .zip(&mobiles)
            .map(|(send, mobile)| {
                let code =
                    codes.get(*mobile).cloned().ok_or_else(|| anyhow::anyhow!("no code for a flow"))?;
                Ok(VerifyAccountLookupCodeRequest { flow_id: send.flow_id, code })
            })
            .collect()
    }

    /// For filings `0..count`: the holder logged in, a transfer started and its code sent
    /// and read back; the last step names the filing's empty target account.
    pub async fn transfer_requests(
        &self,
        count: usize,
        filings: &[Filing],
        messages_file: &Path,
    ) -> anyhow::Result<Vec<(String, CompleteTransferRequest)>> {
        let already = messages::count(messages_file)?;
        // logins hash a password each: no more at once than identity-recovery's permits,
        // or it sheds them
        let sessions: Vec<String> = stream::iter((0..count).map(|i| async move {
            let login = LoginRequest { login_name: seed::login_name(i), password: seed::PASSWORD.to_owned() };
            let session = AccountServiceClient::new(self.channel.clone()).login(login).await?;
            Ok::<_, anyhow::Error>(session.into_inner().session_token)
        }))
        .buffered(identity_recovery::LoginSettings::default().hash_permits)
        .try_collect()
        .await?;
        let started: Vec<(String, String)> = stream::iter(sessions.into_iter().map(|session| async move {
            let mut transfers = FilingTransferServiceClient::new(self.channel.clone());
            let flow_id = transfers
                .start_transfer(bearer(StartTransferRequest {}, &session)?)
                .await?
                .into_inner()
                .flow_id;
            transfers
                .send_transfer_code(bearer(SendTransferCodeRequest { flow_id: flow_id.clone() }, &session)?)
                .await?;
            Ok::<_, anyhow::Error>((session, flow_id))
        }))
        .buffered(IN_FLIGHT)
        .try_collect()
        .await?;
        let mobiles: Vec<&str> = filings.iter().take(count).map(|f| f.mobile.as_str()).collect();
        let codes = messages::codes_after(messages_file, already, &mobiles).await?;
        started
            .into_iter()
            .zip(&mobiles)
            .enumerate()
            .map(|(i, ((session, flow_id), mobile))| {
                let code =
                    codes.get(*mobile).cloned().ok_or_else(|| anyhow::anyhow!("no code for a transfer"))?;
                let request =
                    CompleteTransferRequest { flow_id, code, target_login_name: seed::target_login_name(i) };
                Ok((session, request))
            })
            .collect()
    }

    /// A pass token earned like a browser earns it: a slider challenge, its
    /// answer read from verification-codes' database, the answer given.
    async fn pass_token(&self) -> anyhow::Result<String> {
        let mut human = HumanCheckServiceClient::new(self.channel.clone());
        let challenge = human.create_human_check(CreateHumanCheckRequest {}).await?.into_inner();
        let x = self.slider_answer(&challenge.challenge_id).await?;
        let answer =
            Answer::Slider(SliderAnswer { challenge_id: challenge.challenge_id, x, drag_millis: 900 });
        let pass = human.answer_human_check(AnswerHumanCheckRequest { answer: Some(answer) }).await?;
        Ok(pass.into_inner().human_check_token)
    }

    /// Where the piece fits, from verification-codes' database (one pool for every token).
    async fn slider_answer(&self, challenge_id: &str) -> anyhow::Result<i32> {
        verification_codes::dev::slider_answer(&self.verification_codes, challenge_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("challenge {challenge_id} is not waiting for an answer"))
    }
}

fn bearer<T>(message: T, session: &str) -> anyhow::Result<tonic::Request<T>> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert("authorization", format!("Bearer {session}").parse()?);
    Ok(request)
}
