//! GitHub REST plumbing for the allowlist kept in GitHub Actions variables or secrets, and for
//! the Bridge's deploy workflow: the few endpoints Shipdeck calls, with GitHub's required
//! headers, bounded waits, and one sentence per error that names the fix (a token lacking scope,
//! a variable someone else changed).
//!
//! It lives beside the allowlist source (`bridge/github.rs`) and the redeploy use case
//! (`ops/redeploy.rs`), which both use it. No token ever appears in an error or a log line.

use crate::credentials::Secret;
use serde_json::Value;
use std::time::Duration;

/// The REST API version Shipdeck speaks (`X-GitHub-Api-Version`).
pub const API_VERSION: &str = "2026-03-10";
/// The public API; GitHub Enterprise Server has its own (`https://HOST/api/v3`).
pub const PUBLIC_API: &str = "https://api.github.com";

/// Why a GitHub request failed, as one sentence a user can act on.
#[derive(Debug, Clone, thiserror::Error)]
#[error("GitHub ({what}): {sentence}")]
pub struct GitHubError {
    /// What was asked, e.g. "variable ALLOWED_ORIGINS of org/repo".
    pub what: String,
    pub status: Option<u16>,
    pub sentence: String,
}

/// A client for one repository.
#[derive(Clone)]
pub struct GitHub {
    api: String,
    repo: String,
    token: Secret,
    /// What the token must be allowed, for error sentences (e.g. "Variables: read and write").
    pub needs: String,
    http: reqwest::Client,
}

impl std::fmt::Debug for GitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHub")
            .field("api", &self.api)
            .field("repo", &self.repo)
            .field("token", &"***")
            .finish()
    }
}

/// A JSON answer and its status.
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl GitHub {
    pub fn new(api: Option<&str>, repo: &str, token: Secret, needs: &str) -> GitHub {
        GitHub {
            api: api.unwrap_or(PUBLIC_API).trim_end_matches('/').to_string(),
            repo: repo.to_string(),
            token,
            needs: needs.to_string(),
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .timeout(Duration::from_secs(15))
                .redirect(super::same_host_redirects())
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
        }
    }

    pub fn repo(&self) -> &str {
        &self.repo
    }

    /// `…/repos/{owner}/{repo}{path}`.
    fn url(&self, path: &str) -> String {
        format!("{}/repos/{}{path}", self.api, self.repo)
    }

    /// One request; answers with any status (callers decide what 404 means), fails only when
    /// GitHub could not be reached.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        what: &str,
    ) -> Result<Answer, GitHubError> {
        let mut req = self
            .http
            .request(method, self.url(path))
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", API_VERSION)
            .header(
                "User-Agent",
                concat!("shipdeck/", env!("CARGO_PKG_VERSION")),
            )
            .bearer_auth(self.token.expose());
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(b.to_string());
        }
        let resp = req.send().await.map_err(|e| GitHubError {
            what: what.to_string(),
            status: None,
            sentence: if e.is_timeout() {
                format!("{} did not answer within 15 s; try again", self.api)
            } else {
                format!(
                    "could not reach {} ({}); check the network or `api_url`",
                    self.api,
                    super::redact(&e.without_url().to_string())
                )
            },
        })?;
        let status = resp.status().as_u16();
        if resp.status().is_redirection() {
            let to = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .map(super::redact)
                .unwrap_or_else(|| "(no Location)".into());
            return Err(GitHubError {
                what: what.to_string(),
                status: Some(status),
                sentence: format!(
                    "{} answered with a redirect (HTTP {status}) to {to}; Shipdeck does not follow API calls to another host, so nothing was changed there — check `api_url` in the profile's bridge section",
                    self.api
                ),
            });
        }
        let bytes = resp.bytes().await.unwrap_or_default();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Answer { status, body })
    }

    /// The sentence for an answer that is not a success.
    pub fn refused(&self, a: &Answer, what: &str) -> GitHubError {
        let msg = a.body["message"].as_str().unwrap_or("").to_string();
        let sentence = match a.status {
            401 => format!(
                "GitHub refused the token (HTTP 401 {msg}): it is wrong or expired, or lacks the scope this needs ({}); store a new one with `shipdeck login --github`",
                self.needs
            ),
            403 if msg.to_ascii_lowercase().contains("rate limit") => {
                "GitHub's rate limit is used up (HTTP 403); wait for it to reset and try again"
                    .into()
            }
            403 | 404 if msg.contains("Resource not accessible") => format!(
                "the token lacks scope (HTTP {} {msg}): it needs {} on {}",
                a.status, self.needs, self.repo
            ),
            403 => format!(
                "GitHub refused (HTTP 403 {msg}): the token lacks scope; it needs {} on {}",
                self.needs, self.repo
            ),
            404 => format!(
                "not found (HTTP 404): check `repo` ({}), the environment and the name, and that the token can see the repository ({})",
                self.repo, self.needs
            ),
            409 | 412 => format!(
                "someone else changed it (HTTP {} {msg}); nothing more was written — run the command again to see the current list",
                a.status
            ),
            422 => format!("GitHub refused the request as invalid (HTTP 422 {msg})"),
            s => format!("GitHub answered HTTP {s} {msg}"),
        };
        GitHubError {
            what: what.to_string(),
            status: Some(a.status),
            sentence,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_never_prints() {
        let g = GitHub::new(None, "org/repo", Secret::new("ghp_secretvalue123"), "x");
        assert!(!format!("{g:?}").contains("ghp_secret"));
        let a = Answer {
            status: 401,
            body: serde_json::json!({"message": "Bad credentials"}),
        };
        let e = g.refused(&a, "variable X").to_string();
        assert!(
            e.contains("lacks the scope") && e.contains("shipdeck login --github"),
            "{e}"
        );
    }
}
