//! Azure Resource Manager as Shipdeck's Azure CDN backends call it (`cdn::frontdoor` purges,
//! `cdn::frontdoor_rules` edge aliases): a bearer token from `azure_identity` for
//! `https://management.azure.com/.default`, one request with Shipdeck's retries and timeouts,
//! and the long-running operations Resource Manager answers with. No maintained crate covers
//! the CDN management API, so this is reqwest. Each backend words a refusal for what it asked.

use super::Cause;
use super::azure::{AzureCause, CONNECT_TIMEOUT, OPERATION_TIMEOUT, http_client, redact};
use azure_core::credentials::TokenCredential;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The Resource Manager API version of every call (stable for purges and rule-set rules).
pub const API_VERSION: &str = "2025-06-01";
const SCOPE: &str = "https://management.azure.com/.default";

/// Why a call did not get an answer: one sentence, and the error it came from.
#[derive(Debug, Clone)]
pub struct ArmFailure {
    pub cause: String,
    pub source: Option<Cause>,
}

impl ArmFailure {
    fn said(cause: String) -> ArmFailure {
        ArmFailure {
            cause,
            source: None,
        }
    }
}

pub struct Arm {
    base: String,
    credential: Option<Arc<dyn TokenCredential>>,
    /// Which Shipdeck profile, for hints.
    profile: String,
    http: reqwest::Client,
}

impl Arm {
    /// `credential` is `None` when no Entra ID identity was found: every call then fails with
    /// a sentence that says how to provide one.
    pub fn new(
        management_endpoint: Option<&str>,
        credential: Option<Arc<dyn TokenCredential>>,
        profile: &str,
    ) -> Arm {
        Arm {
            base: management_endpoint
                .unwrap_or("https://management.azure.com")
                .trim_end_matches('/')
                .to_string(),
            credential,
            profile: profile.to_string(),
            http: http_client(),
        }
    }

    /// `https://management.azure.com`, or the configured stand-in.
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn token(&self) -> Result<String, ArmFailure> {
        let Some(cred) = &self.credential else {
            return Err(ArmFailure::said(format!(
                "no Entra ID identity was found to call Azure Resource Manager with; run `az login`, set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or store a client secret with `shipdeck login --profile {}`",
                self.profile
            )));
        };
        match tokio::time::timeout(OPERATION_TIMEOUT, cred.get_token(&[SCOPE], None)).await {
            Ok(Ok(t)) => Ok(t.token.secret().to_string()),
            Ok(Err(e)) => {
                let cause = AzureCause::from_sdk(&e);
                Err(ArmFailure {
                    cause: format!(
                        "Entra ID gave no token for Azure Resource Manager ({}); check `az login` or the client secret",
                        first_line(&cause.message)
                    ),
                    source: Some(Arc::new(cause)),
                })
            }
            Err(_) => Err(ArmFailure::said(format!(
                "Entra ID did not give a token within {} s; check the network",
                OPERATION_TIMEOUT.as_secs()
            ))),
        }
    }

    /// One request with up to 3 attempts for throttling and server errors, honouring
    /// Retry-After (at most 10 s), all within the operation timeout.
    pub async fn send(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<reqwest::Response, ArmFailure> {
        let token = self.token().await?;
        let start = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut req = self
                .http
                .request(method.clone(), url)
                .bearer_auth(&token)
                .header("Accept", "application/json");
            if let Some(b) = body {
                req = req
                    .header("Content-Type", "application/json")
                    .body(b.to_string());
            }
            let r = req.send().await;
            let retry = match &r {
                Ok(resp) => {
                    let s = resp.status().as_u16();
                    (s == 429 || s >= 500).then(|| retry_after(resp))
                }
                Err(e) if e.is_connect() || e.is_timeout() => Some(Duration::from_millis(500)),
                Err(_) => None,
            };
            match retry {
                Some(delay) if attempt < 3 && start.elapsed() + delay < OPERATION_TIMEOUT => {
                    tokio::time::sleep(delay).await;
                }
                _ => {
                    return r.map_err(|e| {
                        let msg = redact(&e.to_string());
                        let cause = if e.is_timeout() {
                            format!(
                                "Azure Resource Manager at {} did not answer in time; the change may not have been made: check with `shipdeck edge status` or run `shipdeck invalidate` with the alias paths",
                                self.base
                            )
                        } else if e.is_connect() {
                            format!(
                                "could not reach Azure Resource Manager at {} (connect within {} s failed); check the network",
                                self.base,
                                CONNECT_TIMEOUT.as_secs()
                            )
                        } else {
                            format!("the request to Azure Resource Manager failed: {msg}")
                        };
                        ArmFailure::said(cause)
                    });
                }
            }
        }
    }

    /// The operation URL as an id: its path and query without the management host.
    pub fn operation_id(&self, url: &str) -> String {
        let base = self.base.clone();
        let rest = url.strip_prefix(&base).unwrap_or(url);
        match reqwest::Url::parse(url) {
            Ok(u) if !url.starts_with(&base) => {
                let mut s = u.path().to_string();
                if let Some(q) = u.query() {
                    s.push('?');
                    s.push_str(q);
                }
                s
            }
            _ => rest.to_string(),
        }
    }

    /// An operation's answer (`id` as [`Arm::operation_id`] made it), for the caller to read or
    /// to word its refusal.
    pub async fn operation(&self, id: &str) -> Result<reqwest::Response, ArmFailure> {
        let mut url = format!("{}{id}", self.base);
        if !url.contains("api-version=") {
            url.push_str(if url.contains('?') { "&" } else { "?" });
            url.push_str("api-version=");
            url.push_str(API_VERSION);
        }
        self.send(reqwest::Method::GET, &url, None).await
    }
}

/// A resource name as a path segment, escaping only what a segment cannot carry.
pub fn segment(s: &str) -> String {
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'(')
        .remove(b')');
    percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
}

/// A response's JSON body, or `null` when it has none or it is not JSON.
pub async fn json_body(resp: reqwest::Response) -> serde_json::Value {
    let bytes = resp.bytes().await.unwrap_or_default();
    serde_json::from_slice(&bytes).unwrap_or_default()
}

pub fn first_line(s: &str) -> String {
    s.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}

fn retry_after(resp: &reqwest::Response) -> Duration {
    resp.headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(Duration::from_millis(500), |s| {
            Duration::from_secs(s.min(10))
        })
}

/// A Front Door or CDN profile's resource path in Resource Manager (rule sets live under it).
pub fn profile_resource(subscription: &str, resource_group: &str, profile: &str) -> String {
    format!(
        "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Cdn/profiles/{}",
        segment(subscription),
        segment(resource_group),
        segment(profile)
    )
}
