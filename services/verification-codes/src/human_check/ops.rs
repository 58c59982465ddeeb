//! Creating and answering human checks, and redeeming their passes.

use beian_platform::storage::now_millis;
use sqlx::AnyConnection;

use super::{Challenge, Pass, SliderAnswer, judge, slider, store};
use crate::{
    client::ClientAddress,
    error::Error,
    keys::{Use, random_token},
    limits,
    service::{HumanCheckMode, VerificationCodes},
    settings::millis,
};

impl VerificationCodes {
    /// A new slider challenge, unless this client asked for too many lately
    /// (CLIENT_LIMIT with RetryInfo).
    pub async fn create_human_check(&self, client: ClientAddress) -> Result<Challenge, Error> {
        let inner = self.inner();
        if let HumanCheckMode::Vendor(_) = inner.human_check {
            return Err(Error::SliderNotOffered);
        }
        let cap = limits::challenge_cap(&inner.policy);
        let key = client.key();
        let since = |now: i64| now - millis(cap.window);
        // A cheap look first, so a refused client costs no image.
        {
            let mut conn = inner.db.reader().acquire().await?;
            let now = now_millis();
            let newest = limits::store::newest_challenges(&mut conn, &key, since(now), cap.max).await?;
            if let Some(refusal) = cap.check(&newest, now) {
                return Err(Error::Limited { limit: refusal.limit, retry_after: refusal.retry_after(now) });
            }
        }
        let puzzle = tokio::task::spawn_blocking(|| slider::generate(&mut rand::rng()))
            .await
            .map_err(Error::internal)?
            .map_err(Error::internal)?;
        let now = now_millis();
        let challenge_id = uuid::Uuid::new_v4().simple().to_string();
        let expires_at_ms = now + millis(inner.policy.challenge_ttl);
        let mut tx = inner.db.begin().await?;
        limits::store::take_gates(&mut tx, &[format!("challenge:{key}")], now).await?;
        let newest = limits::store::newest_challenges(&mut tx, &key, since(now), cap.max).await?;
        if let Some(refusal) = cap.check(&newest, now) {
            tx.rollback().await?;
            return Err(Error::Limited { limit: refusal.limit, retry_after: refusal.retry_after(now) });
        }
        let row = store::NewChallenge {
            challenge_id: &challenge_id,
            answer_x: i64::from(puzzle.answer_x),
            client_ip: &key,
            created_at_ms: now,
            expires_at_ms,
        };
        store::insert_challenge(&mut tx, &row).await?;
        tx.commit().await?;
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
        let mut tx = inner.db.begin().await?;
        let Some(answer_x) = store::take_answer(&mut tx, challenge_id, now).await? else {
            tx.rollback().await?;
            return Err(Error::HumanCheckExpired);
        };
        let answer_x = u32::try_from(answer_x).map_err(Error::internal)?;
        if let Err(refused) = judge(&inner.policy, answer_x, answer) {
            tx.commit().await?;
            tracing::info!(%challenge_id, "slider answer refused");
            return Err(refused);
        }
        let pass = self.issue_pass(&mut tx, client, now).await?;
        tx.commit().await?;
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
        let mut conn = self.inner().db.writer().acquire().await?;
        self.issue_pass(&mut conn, client, now_millis()).await
    }

    /// Spends a pass; HUMAN_CHECK_EXPIRED if unknown, expired or spent.
    pub async fn redeem_pass(&self, token: &str) -> Result<(), Error> {
        let inner = self.inner();
        let hash = inner.keys.digest(Use::Pass, &[token]);
        if store::redeem_pass(inner.db.writer(), &hash, now_millis()).await? {
            Ok(())
        } else {
            Err(Error::HumanCheckExpired)
        }
    }

    async fn issue_pass(
        &self,
        conn: &mut AnyConnection,
        client: ClientAddress,
        now: i64,
    ) -> Result<Pass, Error> {
        let inner = self.inner();
        let token = random_token();
        let expires_at_ms = now + millis(inner.policy.pass_ttl);
        let hash = inner.keys.digest(Use::Pass, &[&token]);
        store::insert_pass(conn, &hash, &client.key(), now, expires_at_ms).await?;
        Ok(Pass { token, expires_at_ms })
    }
}
