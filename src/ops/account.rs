//! The Account view: where a profile lives, who acts on it, where its credentials come from,
//! who holds the release lock and whether an operation is unfinished. Never a secret.
//!
//! `shipdeck credentials` and the console's Account screen both read it from here, so they
//! describe a profile the same way.

use super::Context;
use super::lock::{self, LockRecord};
use super::query::{self, InFlightSummary};
use crate::credentials::{self, CredentialError, CredentialSource, Needs, SecretStore};
use crate::error::Result;
use std::sync::Arc;

/// Where a profile's credentials come from, and why the keyring could not be asked if so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub source: CredentialSource,
    pub keyring_error: Option<CredentialError>,
}

/// Looks up where `profile`'s credentials come from, for the cloud its store is in.
pub async fn credentials(
    secrets: Arc<dyn SecretStore>,
    profile: &str,
    needs: &Needs,
) -> Credentials {
    let (source, keyring_error) = match needs {
        Needs::Nothing => (CredentialSource::NotNeeded, None),
        Needs::Aws => credentials::aws_lookup(secrets, profile).await,
        Needs::Azure { account } => credentials::azure::lookup(secrets, profile, account).await,
    };
    Credentials {
        source,
        keyring_error,
    }
}

/// Everything the Account screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountView {
    pub profile: String,
    /// Where the configuration came from (a path, or the built-in demo).
    pub config: Option<std::path::PathBuf>,
    pub store: String,
    pub cdn: String,
    pub actor: String,
    pub credentials: Credentials,
    pub lock: Option<LockRecord>,
    pub in_flight: Option<InFlightSummary>,
}

/// What the session knows of the profile that the store cannot tell.
pub struct ProfileFacts {
    pub name: String,
    pub config: Option<std::path::PathBuf>,
    pub needs: Needs,
}

/// Reads the Account view fresh (the lock and credentials change behind the console's back).
pub async fn account(
    ctx: &Context,
    profile: ProfileFacts,
    secrets: Arc<dyn SecretStore>,
) -> Result<AccountView> {
    let credentials = credentials(secrets, &profile.name, &profile.needs).await;
    let lock = lock::current(ctx).await?;
    let in_flight = query::releases(ctx).await?.in_flight;
    Ok(AccountView {
        profile: profile.name,
        config: profile.config,
        store: ctx.store.describe(),
        cdn: ctx.cdn.describe(),
        actor: ctx.actor.clone(),
        credentials,
        lock,
        in_flight,
    })
}
