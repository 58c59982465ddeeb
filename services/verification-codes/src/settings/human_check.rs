//! How a human check is answered: the built-in slider or an external vendor.

use std::time::Duration;

use beian_platform::config::Secret;

use super::args::{HumanCheckKind, VerificationArgs};

#[derive(Debug, Clone, Default)]
pub enum HumanCheckSettings {
    /// CreateHumanCheck serves slider puzzles; answers are slider offsets.
    #[default]
    Slider,
    /// Answers are vendor tokens verified server-side; no slider is served.
    Vendor(VendorSettings),
}

/// An external captcha vendor speaking the common `siteverify` protocol: a
/// form POST of `secret`, `response` (the token) and `remoteip`, answered with
/// JSON `{"success": true|false, …}`.
#[derive(Debug, Clone)]
pub struct VendorSettings {
    pub url: String,
    pub secret: Secret,
    pub timeout: Duration,
}

impl HumanCheckSettings {
    pub(crate) fn from_args(args: &VerificationArgs) -> anyhow::Result<Self> {
        match args.human_check {
            HumanCheckKind::Slider => Ok(Self::Slider),
            HumanCheckKind::Vendor => {
                let url = args.captcha_vendor_url.clone().ok_or_else(|| {
                    anyhow::anyhow!("BEIAN_HUMAN_CHECK=vendor needs BEIAN_CAPTCHA_VENDOR_URL")
                })?;
                let secret = args.captcha_vendor_secret.clone().ok_or_else(|| {
                    anyhow::anyhow!("BEIAN_HUMAN_CHECK=vendor needs BEIAN_CAPTCHA_VENDOR_SECRET")
                })?;
                Ok(Self::Vendor(VendorSettings {
                    url,
                    secret,
                    timeout: Duration::from_millis(args.captcha_vendor_timeout_ms),
                }))
            }
        }
    }
}
