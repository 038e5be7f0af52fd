//! The GitHub token for an allowlist kept in GitHub: the OS keyring's entry (`shipdeck login
//! --github`), else `GH_TOKEN`, else `GITHUB_TOKEN` (as a workflow has it), else the GitHub CLI's
//! `gh auth token`. Never printed: `credentials` names only where it comes from.

use super::token::{self, Service, from_env};
use super::{CredentialError, CredentialSource, Secret, SecretStore};
use std::sync::Arc;
use std::time::Duration;

pub async fn save(
    store: Arc<dyn SecretStore>,
    profile: &str,
    token: &Secret,
) -> Result<(), CredentialError> {
    token::save(store, Service::GitHub, profile, token).await
}

pub async fn remove(store: Arc<dyn SecretStore>, profile: &str) -> Result<bool, CredentialError> {
    token::remove(store, Service::GitHub, profile).await
}

/// The GitHub CLI's token for `host` (github.com unless an Enterprise API is configured).
async fn gh_cli(host: &str) -> Option<Secret> {
    let mut cmd = tokio::process::Command::new("gh");
    cmd.args(["auth", "token", "--hostname", host])
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(5), cmd.output())
        .await
        .ok()?
        .ok()?;
    let t = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !t.is_empty()).then(|| Secret::new(t))
}

/// The host `gh` knows an API URL by.
pub fn host_of(api_url: Option<&str>) -> String {
    api_url
        .and_then(|u| reqwest::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_string))
        .filter(|h| h != "api.github.com")
        .unwrap_or_else(|| "github.com".into())
}

/// The token and where it came from, or `None` with nothing found.
pub async fn lookup(
    store: Arc<dyn SecretStore>,
    profile: &str,
    api_url: Option<&str>,
) -> Option<(Secret, CredentialSource)> {
    let via = |v: &str| CredentialSource::GitHub { via: v.to_string() };
    if let Some(t) = token::stored(store, Service::GitHub, profile).await {
        return Some((t, via("OS keyring")));
    }
    if let Some((t, var)) = from_env(&["GH_TOKEN", "GITHUB_TOKEN"]) {
        return Some((t, via(&format!("environment ({var})"))));
    }
    let host = host_of(api_url);
    gh_cli(&host).await.map(|t| {
        (
            t,
            via(&format!(
                "the GitHub CLI (`gh auth token --hostname {host}`)"
            )),
        )
    })
}

/// The sentence for no token at all.
pub fn missing(profile: &str) -> NoToken {
    NoToken {
        profile: profile.to_string(),
    }
}

/// No GitHub token for a profile, and how to give one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no GitHub token for profile '{profile}': store one with `shipdeck login --github --profile {profile}`, set GH_TOKEN, or sign in with `gh auth login`"
)]
pub struct NoToken {
    pub profile: String,
}
