//! The Sentry auth token for releases, deploys and errors per release: the OS keyring's entry
//! (`shipdeck login --sentry`), else `SENTRY_AUTH_TOKEN` (as sentry-cli reads it). Never printed:
//! `credentials` names only where it comes from.

use super::token::{Service, from_env, stored};
use super::{CredentialSource, Secret, SecretStore};
use std::sync::Arc;

/// The token and where it came from, or `None` with nothing found.
pub async fn lookup(
    store: Arc<dyn SecretStore>,
    profile: &str,
) -> Option<(Secret, CredentialSource)> {
    let via = |v: &str| CredentialSource::Sentry { via: v.to_string() };
    if let Some(t) = stored(store, Service::Sentry, profile).await {
        return Some((t, via("OS keyring")));
    }
    from_env(&["SENTRY_AUTH_TOKEN"]).map(|(t, var)| (t, via(&format!("environment ({var})"))))
}

/// No Sentry token for a profile, and how to give one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no Sentry token for profile '{profile}': store one with `shipdeck login --sentry --profile {profile}`, or set SENTRY_AUTH_TOKEN"
)]
pub struct NoToken {
    pub profile: String,
}
