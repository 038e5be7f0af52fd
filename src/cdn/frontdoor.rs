//! Azure Front Door (Standard/Premium) and classic Azure CDN: purges the paths of moved aliases
//! through Azure Resource Manager, never `/*` and never immutable version folders, at most 100
//! paths per request, and follows each long-running purge to its end.
//!
//! Resource Manager is `adapters::arm` (token, retries, operations). A purge answers 202 with an
//! `Azure-AsyncOperation` URL (or `Location`) and `Retry-After`; Shipdeck polls it until it
//! says Succeeded, Failed or Canceled. The invalidation id Shipdeck reports is that operation's
//! path (several, comma-separated, for more than 100 paths), so `shipdeck invalidate --status`
//! can ask again later.

use super::{Cdn, CdnError, Invalidation, InvalidationStatus};
pub use crate::adapters::arm::API_VERSION;
use crate::adapters::arm::{Arm, ArmFailure, first_line, json_body, profile_resource, segment};
use crate::adapters::azure::redact;
use async_trait::async_trait;
use azure_core::credentials::TokenCredential;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The most paths Azure accepts in one purge request.
pub const MAX_PATHS: usize = 100;

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
    arm: Arm,
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
            arm: Arm::new(cfg.management_endpoint.as_deref(), credential, profile),
            kind,
            cfg,
            path_prefix: path_prefix.to_string(),
            wait: Duration::from_secs(120),
        }
    }

    /// The profile's resource path in Resource Manager.
    fn profile_resource(&self) -> String {
        let c = &self.cfg;
        profile_resource(&c.subscription, &c.resource_group, &c.profile)
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

    fn error(&self, cause: impl Into<String>) -> CdnError {
        CdnError {
            cdn: self.describe(),
            cause: cause.into(),
            source: None,
        }
    }

    fn failed(&self, f: ArmFailure) -> CdnError {
        CdnError {
            cdn: self.describe(),
            cause: f.cause,
            source: f.source,
        }
    }

    /// A non-success answer as one sentence built from the status and Azure's error code.
    async fn refused(&self, resp: reqwest::Response) -> CdnError {
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
            self.arm.base(),
            self.resource()
        );
        let mut body = serde_json::json!({ "contentPaths": paths });
        if self.kind == Kind::FrontDoor && !self.cfg.domains.is_empty() {
            body["domains"] = serde_json::json!(self.cfg.domains);
        }
        let resp = self
            .arm
            .send(reqwest::Method::POST, &url, Some(&body))
            .await
            .map_err(|f| self.failed(f))?;
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
        Ok(op.map(|u| self.arm.operation_id(&u)))
    }

    /// The status word of one operation.
    async fn operation_status(&self, id: &str) -> Result<String, CdnError> {
        if !id.starts_with('/') {
            return Err(self.error(format!(
                "'{id}' is not a purge id Shipdeck reported; copy the id from the publish or promote output"
            )));
        }
        let resp = self.arm.operation(id).await.map_err(|f| self.failed(f))?;
        if !resp.status().is_success() {
            return Err(self.refused(resp).await);
        }
        let body = json_body(resp).await;
        Ok(body["status"].as_str().unwrap_or("Unknown").to_string())
    }
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
