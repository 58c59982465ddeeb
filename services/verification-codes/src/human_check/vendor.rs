//! An external captcha vendor, verified server-side with the `siteverify`
//! protocol that reCAPTCHA, hCaptcha and Turnstile share: a form-encoded POST
//! of `secret`, `response` (the token) and `remoteip`, answered with JSON
//! whose `success` says whether the token is good.
//!
//! A vendor that cannot be reached, times out, answers a non-2xx status or
//! no such JSON is DEPENDENCY_UNAVAILABLE: the user did nothing wrong and may
//! retry, and no pass is issued (the check fails closed).

use std::net::IpAddr;

use beian_platform::config::Secret;
use serde::Deserialize;

use crate::{error::Error, settings::VendorSettings};

#[derive(Debug, Clone)]
pub struct Vendor {
    client: reqwest::Client,
    url: String,
    secret: Secret,
}

#[derive(Debug, Deserialize)]
struct Verdict {
    success: bool,
}

impl Vendor {
    pub fn new(settings: &VendorSettings) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .build()
            .map_err(|e| anyhow::anyhow!("cannot build the captcha vendor client: {e}"))?;
        Ok(Self { client, url: settings.url.clone(), secret: settings.secret.clone() })
    }

    /// Whether the vendor vouches for `token` from `client`.
    pub async fn verify(&self, token: &str, client: IpAddr) -> Result<bool, Error> {
        let unavailable = |what: String| Error::unavailable(format!("captcha vendor: {what}"));
        let remote_ip = client.to_string();
        let response = self
            .client
            .post(&self.url)
            .form(&[("secret", self.secret.expose()), ("response", token), ("remoteip", remote_ip.as_str())])
            .send()
            .await
            .map_err(|e| unavailable(e.without_url().to_string()))?;
        if !response.status().is_success() {
            return Err(unavailable(format!("answered {}", response.status())));
        }
        let verdict: Verdict = response.json().await.map_err(|e| unavailable(e.without_url().to_string()))?;
        Ok(verdict.success)
    }
}
