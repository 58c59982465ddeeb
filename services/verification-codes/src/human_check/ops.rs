//! Creating and answering human checks, and redeeming their passes.

use beian_platform::storage::{duration_millis, now_millis};
use sqlx::AnyConnection;

use super::{Challenge, Pass, SliderAnswer, judge, slider, store};
use crate::{
    client::ClientAddress,
    error::Error,
    keys::{Use, random_token},
    limits::counters,
    service::{HumanCheckMode, VerificationCodes},
};

impl VerificationCodes {
    /// A new slider challenge, unless this client asked for too many lately
    /// (CLIENT_LIMIT with RetryInfo). Counted first, so a refused client
    /// costs no image; a challenge that is not made is not counted.
    pub async fn create_human_check(&self, client: ClientAddress) -> Result<Challenge, Error> {
        let inner = self.inner();
        if let HumanCheckMode::Vendor(_) = inner.human_check {
            return Err(Error::SliderNotOffered);
        }
        let key = client.key();
        let now = now_millis();
        let taken = match counters::take(&inner.db, &counters::for_challenge(&inner.policy, &key), now)
            .await?
        {
            Ok(taken) => taken,
            Err(refusal) => {
                return Err(Error::Limited { limit: refusal.limit, retry_after: refusal.retry_after(now) });
            }
        };
        match self.new_challenge(&key).await {
            Ok(challenge) => Ok(challenge),
            Err(error) => {
                taken.give_back(&inner.db).await;
                Err(error)
            }
        }
    }

    async fn new_challenge(&self, client_key: &str) -> Result<Challenge, Error> {
        let inner = self.inner();
        let puzzle = tokio::task::spawn_blocking(|| slider::generate(&mut rand::rng()))
            .await
            .map_err(Error::internal)?
            .map_err(Error::internal)?;
        let now = now_millis();
        let challenge_id = uuid::Uuid::new_v4().simple().to_string();
        let expires_at_ms = now + duration_millis(inner.policy.challenge_ttl);
        let row = store::NewChallenge {
            challenge_id: &challenge_id,
            answer_x: i64::from(puzzle.answer_x),
            client_ip: client_key,
            created_at_ms: now,
            expires_at_ms,
        };
        store::insert_challenge(&mut *inner.db.writer().await?, &row).await?;
        Ok(Challenge {
            challenge_id,
            background_png: puzzle.background_png,
            piece_png: puzzle.piece_png,
            piece_y: puzzle.piece_y,
            width: slider::WIDTH,
            height: slider::HEIGHT,
            expires_at_ms,
        })
    }

    /// Judges a slider answer. The first answer, right or wrong, uses the
    /// challenge up: HUMAN_CHECK_EXPIRED afterwards.
    pub async fn answer_slider(
        &self,
        challenge_id: &str,
        answer: SliderAnswer,
        client: ClientAddress,
    ) -> Result<Pass, Error> {
        let inner = self.inner();
        if let HumanCheckMode::Vendor(_) = inner.human_check {
            return Err(Error::invalid("slider", "this deployment checks humans with a vendor_token"));
        }
        let now = now_millis();
        let mut writer = inner.db.writer().await?;
        let mut tx = writer.begin().await?;
        let Some(answer_x) = store::take_answer(&mut tx, challenge_id, now).await? else {
            tx.rollback().await?;
            drop(writer);
            return Err(Error::HumanCheckExpired);
        };
        let answer_x = u32::try_from(answer_x).map_err(Error::internal)?;
        if let Err(refused) = judge(&inner.policy, answer_x, answer) {
            tx.commit().await?;
            drop(writer);
            tracing::info!(%challenge_id, "slider answer refused");
            return Err(refused);
        }
        let pass = self.issue_pass(&mut tx, client, now).await?;
        tx.commit().await?;
        drop(writer);
        tracing::info!(%challenge_id, "slider answer passed");
        Ok(pass)
    }

    /// Verifies a vendor's token with the vendor.
    pub async fn answer_vendor(&self, token: &str, client: ClientAddress) -> Result<Pass, Error> {
        let HumanCheckMode::Vendor(vendor) = &self.inner().human_check else {
            return Err(Error::invalid("vendor_token", "this deployment checks humans with the slider"));
        };
        if !vendor.verify(token, client.ip()).await? {
            tracing::info!("captcha vendor refused a token");
            return Err(Error::HumanCheckFailed);
        }
        let mut conn = self.inner().db.writer().await?;
        self.issue_pass(&mut conn, client, now_millis()).await
    }

    /// Spends a pass; HUMAN_CHECK_EXPIRED if unknown, expired or spent.
    pub async fn redeem_pass(&self, token: &str) -> Result<(), Error> {
        let inner = self.inner();
        let now = now_millis();
        // issued under the current key, or the previous one during a rotation
        for keys in inner.keys.generations() {
            if store::redeem_pass(&mut *inner.db.writer().await?, &keys.digest(Use::Pass, &[token]), now)
                .await?
            {
                return Ok(());
            }
        }
        Err(Error::HumanCheckExpired)
    }

    async fn issue_pass(
        &self,
        conn: &mut AnyConnection,
        client: ClientAddress,
        now: i64,
    ) -> Result<Pass, Error> {
        let inner = self.inner();
        let token = random_token();
        let expires_at_ms = now + duration_millis(inner.policy.pass_ttl);
        let hash = inner.keys.digest(Use::Pass, &[&token]);
        store::insert_pass(conn, &hash, &client.key(), now, expires_at_ms).await?;
        Ok(Pass { token, expires_at_ms })
    }
}
