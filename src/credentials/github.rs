//! The GitHub token for an allowlist kept in GitHub: the OS keyring's entry (`shipdeck login
//! --github`), else `GH_TOKEN`, else `GITHUB_TOKEN` (as a workflow has it), else the GitHub CLI's
//! `gh auth token`. Never printed: `credentials` names only where it comes from.

use super::{CredentialError, CredentialSource, Secret, SecretStore, off_runtime};
use std::sync::Arc;
use std::time::Duration;

fn entry(profile: &str) -> String {
    format!("github:{profile}")
}

pub async fn save(
    store: Arc<dyn SecretStore>,
    profile: &str,
    token: &Secret,
) -> Result<(), CredentialError> {
    let (e, t) = (entry(profile), token.expose().to_string());
    off_runtime(move || store.set(&e, &t)).await
}

pub async fn remove(store: Arc<dyn SecretStore>, profile: &str) -> Result<bool, CredentialError> {
    super::remove_entry(store, entry(profile)).await
}

async fn stored(store: Arc<dyn SecretStore>, profile: &str) -> Option<Secret> {
    let e = entry(profile);
    match off_runtime(move || store.get(&e)).await {
        Ok(v) => v.filter(|t| !t.trim().is_empty()).map(Secret::new),
        Err(e) => {
            tracing::warn!("OS keyring unavailable for the GitHub token: {e}");
            None
        }
    }
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
    if let Some(t) = stored(store, profile).await {
        return Some((t, via("OS keyring")));
    }
    for var in ["GH_TOKEN", "GITHUB_TOKEN"] {
        if let Ok(t) = std::env::var(var)
            && !t.trim().is_empty()
        {
            return Some((Secret::new(t.trim()), via(&format!("environment ({var})"))));
        }
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
