//! API tokens kept in the OS keyring, one entry per service and profile (`github:prod`,
//! `sentry:prod`): GitHub's for an allowlist kept in GitHub, Sentry's for releases and
//! deploys. One implementation for both, so that a token is stored, found and removed the same
//! way whatever it opens.

use super::{CredentialError, Secret, SecretStore, off_runtime};
use std::sync::Arc;

/// The services whose tokens Shipdeck keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    GitHub,
    Sentry,
}

impl Service {
    /// `GitHub`, `Sentry`: in sentences.
    pub fn name(self) -> &'static str {
        match self {
            Service::GitHub => "GitHub",
            Service::Sentry => "Sentry",
        }
    }

    /// The `login` / `logout` flag.
    pub fn flag(self) -> &'static str {
        match self {
            Service::GitHub => "--github",
            Service::Sentry => "--sentry",
        }
    }

    fn entry(self, profile: &str) -> String {
        match self {
            Service::GitHub => format!("github:{profile}"),
            Service::Sentry => format!("sentry:{profile}"),
        }
    }
}

pub async fn save(
    store: Arc<dyn SecretStore>,
    service: Service,
    profile: &str,
    token: &Secret,
) -> Result<(), CredentialError> {
    let (e, t) = (service.entry(profile), token.expose().to_string());
    off_runtime(move || store.set(&e, &t)).await
}

pub async fn remove(
    store: Arc<dyn SecretStore>,
    service: Service,
    profile: &str,
) -> Result<bool, CredentialError> {
    super::remove_entry(store, service.entry(profile)).await
}

/// The stored token, if any (an unreadable keyring is a warning: the other sources still apply).
pub async fn stored(
    store: Arc<dyn SecretStore>,
    service: Service,
    profile: &str,
) -> Option<Secret> {
    let e = service.entry(profile);
    match off_runtime(move || store.get(&e)).await {
        Ok(v) => v.filter(|t| !t.trim().is_empty()).map(Secret::new),
        Err(e) => {
            tracing::warn!(
                "OS keyring unavailable for the {} token: {e}",
                service.name()
            );
            None
        }
    }
}

/// The first of `vars` that is set and not empty, with its name.
pub fn from_env(vars: &[&'static str]) -> Option<(Secret, &'static str)> {
    vars.iter().find_map(|var| {
        std::env::var(var)
            .ok()
            .filter(|t| !t.trim().is_empty())
            .map(|t| (Secret::new(t.trim()), *var))
    })
}
