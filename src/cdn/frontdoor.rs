//! Azure Front Door (Standard/Premium) and classic Azure CDN: purges the paths of moved aliases
//! through Azure Resource Manager, never `/*` and never immutable version folders, at most 100
//! paths per request, and follows each long-running purge to its end.
//!
//! No maintained crate covers the CDN management API, so this is reqwest and a bearer token from
//! `azure_identity` for `https://management.azure.com/.default`. A purge answers 202 with an
//! `Azure-AsyncOperation` URL (or `Location`) and `Retry-After`; Shipdeck polls it until it
//! says Succeeded, Failed or Canceled. The invalidation id Shipdeck reports is that operation's
//! path (several, comma-separated, for more than 100 paths), so `shipdeck invalidate --status`
//! can ask again later.

use super::{Cdn, CdnError, Invalidation, InvalidationStatus};
use crate::adapters::azure::{AzureCause, CONNECT_TIMEOUT, OPERATION_TIMEOUT, http_client, redact};
use async_trait::async_trait;
use azure_core::credentials::TokenCredential;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The Resource Manager API version of the purge calls (stable for both resource types).
pub const API_VERSION: &str = "2025-06-01";
/// The most paths Azure accepts in one purge request.
pub const MAX_PATHS: usize = 100;
const SCOPE: &str = "https://management.azure.com/.default";

/// Front Door Standard/Premium, or a classic CDN endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    FrontDoor,
    Classic,
}

/// Which endpoint to purge: the profile's `cdn` keys, as the session resolved them (this
/// adapter does not read configuration).
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub subscription: String,
    pub resource_group: String,
    /// The CDN / Front Door profile's name.
    pub profile: String,
    /// The endpoint's name.
    pub endpoint: String,
    /// Front Door only: the custom domains to purge (empty: all of the endpoint's).
    pub domains: Vec<String>,
    /// A Resource-Manager-compatible endpoint; `None` is `https://management.azure.com`.
    pub management_endpoint: Option<String>,
}

pub struct AzurePurge {
    kind: Kind,
    cfg: Endpoint,
    path_prefix: String,
    credential: Option<Arc<dyn TokenCredential>>,
    /// Which profile, for hints.
    profile: String,
    http: reqwest::Client,
    /// How long to follow a purge before reporting it as still in progress.
    pub wait: Duration,
}

impl AzurePurge {
    /// `credential` is `None` when no Entra ID identity was found: every purge then fails with
    /// a sentence that says how to provide one.
    pub fn new(
        kind: Kind,
        cfg: Endpoint,
        path_prefix: &str,
        credential: Option<Arc<dyn TokenCredential>>,
        profile: &str,
    ) -> AzurePurge {
        AzurePurge {
            kind,
            cfg,
            path_prefix: path_prefix.to_string(),
            credential,
            profile: profile.to_string(),
            http: http_client(),
            wait: Duration::from_secs(120),
        }
    }

    pub(super) fn base(&self) -> String {
        self.cfg
            .management_endpoint
            .as_deref()
            .unwrap_or("https://management.azure.com")
            .trim_end_matches('/')
            .to_string()
    }

    /// The Front Door / CDN profile's name and resource group, for sentences.
    pub(super) fn profile_names(&self) -> (&str, &str) {
        (&self.cfg.profile, &self.cfg.resource_group)
    }

    /// The profile's resource path in Resource Manager (rule sets live under it).
    pub(super) fn profile_resource(&self) -> String {
        let c = &self.cfg;
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.Cdn/profiles/{}",
            segment(&c.subscription),
            segment(&c.resource_group),
            segment(&c.profile)
        )
    }

    /// The endpoint's resource path in Resource Manager.
    fn resource(&self) -> String {
        let c = &self.cfg;
        let kind = match self.kind {
            Kind::FrontDoor => "afdEndpoints",
            Kind::Classic => "endpoints",
        };
        format!(
            "{}/{kind}/{}",
            self.profile_resource(),
            segment(&c.endpoint)
        )
    }

    pub(super) fn error(&self, cause: impl Into<String>) -> CdnError {
        CdnError {
            cdn: self.describe(),
            cause: cause.into(),
            source: None,
        }
    }

    async fn token(&self) -> Result<String, CdnError> {
        let Some(cred) = &self.credential else {
            return Err(self.error(format!(
                "no Entra ID identity was found to purge with; run `az login`, set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or store a client secret with `shipdeck login --profile {}`",
                self.profile
            )));
        };
        match tokio::time::timeout(OPERATION_TIMEOUT, cred.get_token(&[SCOPE], None)).await {
            Ok(Ok(t)) => Ok(t.token.secret().to_string()),
            Ok(Err(e)) => {
                let cause = AzureCause::from_sdk(&e);
                Err(CdnError {
                    cdn: self.describe(),
                    cause: format!(
                        "Entra ID gave no token for Azure Resource Manager ({}); check `az login` or the client secret",
                        first_line(&cause.message)
                    ),
                    source: Some(Arc::new(cause)),
                })
            }
            Err(_) => Err(self.error(format!(
                "Entra ID did not give a token within {} s; check the network",
                OPERATION_TIMEOUT.as_secs()
            ))),
        }
    }

    /// One request with up to 3 attempts for throttling and server errors, honouring
    /// Retry-After (at most 10 s), all within the operation timeout.
    pub(super) async fn send(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<reqwest::Response, CdnError> {
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
                                "Azure Resource Manager at {} did not answer in time; the purge may not have started: run `shipdeck invalidate` with the alias paths",
                                self.base()
                            )
                        } else if e.is_connect() {
                            format!(
                                "could not reach Azure Resource Manager at {} (connect within {} s failed); check the network",
                                self.base(),
                                CONNECT_TIMEOUT.as_secs()
                            )
                        } else {
                            format!("the request to Azure Resource Manager failed: {msg}")
                        };
                        self.error(cause)
                    });
                }
            }
        }
    }

    /// A non-success answer as one sentence built from the status and Azure's error code.
    pub(super) async fn refused(&self, resp: reqwest::Response) -> CdnError {
        let status = resp.status().as_u16();
        let body = json_body(resp).await;
        let code = body["error"]["code"].as_str().unwrap_or("no error code");
        let msg = first_line(&redact(body["error"]["message"].as_str().unwrap_or("")));
        let what = match self.kind {
            Kind::FrontDoor => "Front Door endpoint",
            Kind::Classic => "CDN endpoint",
        };
        let cause = match status {
            401 => format!(
                "Azure Resource Manager refused the token (HTTP 401 {code}); sign in again (`az login`) or check the client secret"
            ),
            403 => format!(
                "the identity may not purge this {what} (HTTP 403 {code}); give it the \"CDN Endpoint Contributor\" role on profile '{}'",
                self.cfg.profile
            ),
            404 => format!(
                "there is no {what} '{}' in profile '{}' of resource group '{}' (HTTP 404 {code}); check the profile's cdn section",
                self.cfg.endpoint, self.cfg.profile, self.cfg.resource_group
            ),
            _ if msg.is_empty() => format!("Azure Resource Manager answered HTTP {status} {code}"),
            _ => format!("Azure Resource Manager answered HTTP {status} {code}: {msg}"),
        };
        self.error(cause)
    }

    /// Sends one purge request; returns the operation to follow (a path), if any.
    async fn purge(&self, paths: &[String]) -> Result<Option<String>, CdnError> {
        let url = format!(
            "{}{}/purge?api-version={API_VERSION}",
            self.base(),
            self.resource()
        );
        let mut body = serde_json::json!({ "contentPaths": paths });
        if self.kind == Kind::FrontDoor && !self.cfg.domains.is_empty() {
            body["domains"] = serde_json::json!(self.cfg.domains);
        }
        let resp = self.send(reqwest::Method::POST, &url, Some(&body)).await?;
        if !resp.status().is_success() {
            return Err(self.refused(resp).await);
        }
        let header = |n: &str| {
            resp.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let op = header("azure-asyncoperation").or_else(|| header("location"));
        Ok(op.map(|u| self.operation_id(&u)))
    }

    /// The operation URL as an id: its path and query without the management host.
    pub(super) fn operation_id(&self, url: &str) -> String {
        let base = self.base();
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

    /// The status word of one operation.
    pub(super) async fn operation_status(&self, id: &str) -> Result<String, CdnError> {
        if !id.starts_with('/') {
            return Err(self.error(format!(
                "'{id}' is not a purge id Shipdeck reported; copy the id from the publish or promote output"
            )));
        }
        let mut url = format!("{}{id}", self.base());
        if !url.contains("api-version=") {
            url.push_str(if url.contains('?') { "&" } else { "?" });
            url.push_str("api-version=");
            url.push_str(API_VERSION);
        }
        let resp = self.send(reqwest::Method::GET, &url, None).await?;
        if !resp.status().is_success() {
            return Err(self.refused(resp).await);
        }
        let body = json_body(resp).await;
        Ok(body["status"].as_str().unwrap_or("Unknown").to_string())
    }
}

/// A resource name as a path segment, escaping only what a segment cannot carry.
pub(super) fn segment(s: &str) -> String {
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
pub(super) async fn json_body(resp: reqwest::Response) -> serde_json::Value {
    let bytes = resp.bytes().await.unwrap_or_default();
    serde_json::from_slice(&bytes).unwrap_or_default()
}

fn first_line(s: &str) -> String {
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

/// An operation's status word as Shipdeck's status.
fn status_of(word: &str) -> InvalidationStatus {
    match word.to_ascii_lowercase().as_str() {
        "succeeded" => InvalidationStatus::Completed,
        "inprogress" | "running" | "notstarted" | "accepted" => {
            InvalidationStatus::InProgress { waited_s: 0 }
        }
        _ => InvalidationStatus::Other {
            status: word.to_string(),
        },
    }
}

#[async_trait]
impl Cdn for AzurePurge {
    fn describe(&self) -> String {
        match self.kind {
            Kind::FrontDoor => format!(
                "Azure Front Door endpoint {} (profile {})",
                self.cfg.endpoint, self.cfg.profile
            ),
            Kind::Classic => format!(
                "Azure CDN endpoint {} (profile {})",
                self.cfg.endpoint, self.cfg.profile
            ),
        }
    }

    fn enabled(&self) -> bool {
        true
    }

    fn path_prefix(&self) -> &str {
        &self.path_prefix
    }

    fn path_price(&self) -> Option<(crate::domain::cost::Provider, &'static str)> {
        Some((crate::domain::cost::Provider::Azure, "frontdoor.purge"))
    }

    async fn status(&self, id: &str) -> Result<InvalidationStatus, CdnError> {
        if id == "completed" {
            return Ok(InvalidationStatus::Completed);
        }
        // Several operations (more than 100 paths): complete when all are.
        let mut worst = InvalidationStatus::Completed;
        for one in id.split(',').filter(|s| !s.is_empty()) {
            match status_of(&self.operation_status(one).await?) {
                InvalidationStatus::Completed => {}
                other => worst = other,
            }
        }
        Ok(worst)
    }

    async fn invalidate(&self, paths: &[String]) -> Result<Invalidation, CdnError> {
        if paths.iter().any(|p| p == "/*" || p == "/") {
            return Err(self.error(
                "'/*' would purge every immutable release; purge the alias paths that changed instead",
            ));
        }
        let mut ops = Vec::new();
        for chunk in paths.chunks(MAX_PATHS) {
            if let Some(op) = self.purge(chunk).await? {
                ops.push(op);
            }
        }
        if ops.is_empty() {
            // Answered 200 with nothing to follow: the purge is done.
            return Ok(Invalidation {
                id: "completed".into(),
                status: InvalidationStatus::Completed,
            });
        }
        let id = ops.join(",");
        let start = Instant::now();
        let mut delay = Duration::from_millis(500);
        let mut status = self.status(&id).await?;
        while matches!(status, InvalidationStatus::InProgress { .. }) && start.elapsed() < self.wait
        {
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(10));
            status = self.status(&id).await?;
        }
        if let InvalidationStatus::InProgress { .. } = status {
            status = InvalidationStatus::InProgress {
                waited_s: self.wait.as_secs(),
            };
        }
        Ok(Invalidation { id, status })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_words() {
        assert_eq!(status_of("Succeeded"), InvalidationStatus::Completed);
        assert!(matches!(
            status_of("InProgress"),
            InvalidationStatus::InProgress { .. }
        ));
        assert!(
            matches!(status_of("Failed"), InvalidationStatus::Other { status } if status == "Failed")
        );
    }
}
