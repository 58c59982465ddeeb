//! The slider (or vendor) human check, answered by verification-codes.

use crate::{
    error::Error,
    model::{HumanAnswer, HumanChallenge, HumanPass, client::Client},
    peers::VerificationCodes,
};

#[derive(Debug, Clone)]
pub struct HumanCheck {
    codes: VerificationCodes,
}

impl HumanCheck {
    pub fn new(codes: VerificationCodes) -> Self {
        Self { codes }
    }

    pub async fn create(&self, client: &Client) -> Result<HumanChallenge, Error> {
        self.codes.create_human_check(client).await
    }

    pub async fn answer(&self, client: &Client, answer: HumanAnswer) -> Result<HumanPass, Error> {
        self.codes.answer_human_check(client, answer).await
    }
}
