//! Cloud credentials, kept in the OS keyring (macOS Keychain, Windows Credential Manager,
//! Secret Service on Linux) and never in a file, a log line, an error or `Debug` output.
//!
//! Lookup order for an S3 profile: the keyring entry of the profile, then the standard AWS chain
//! (environment, shared config and SSO). An Azure profile's order is in [`azure`]. Keyring calls
//! are blocking, so they run on their own thread and are awaited, never on the async runtime's
//! threads.

pub mod azure;
pub mod github;
pub mod sentry;
pub mod token;

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

/// A secret value: `Debug` and `Display` print `***`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The value itself, for the one place that must hand it to an SDK.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// An AWS access key pair.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsKeys {
    pub access_key_id: String,
    pub secret_access_key: Secret,
}

impl fmt::Debug for AwsKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsKeys")
            .field("access_key_id", &mask(&self.access_key_id))
            .field("secret_access_key", &self.secret_access_key)
            .finish()
    }
}

/// `AKIAEXAMPLE1234` → `AKIA…1234`: enough to recognise a key, not to use it.
pub fn mask(id: &str) -> String {
    let n = id.chars().count();
    if n <= 8 {
        return "***".into();
    }
    format!(
        "{}…{}",
        id.chars().take(4).collect::<String>(),
        id.chars().skip(n - 4).collect::<String>()
    )
}

/// Why the keyring could not be used. Never carries a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error(
        "the OS keyring is not available ({0}); on Linux start a Secret Service (e.g. gnome-keyring) in your session, or give credentials through the environment or the cloud's CLI login instead"
    )]
    Unavailable(String),
    #[error("the OS keyring refused the request ({0})")]
    Refused(String),
    #[error(
        "the keyring entry of profile '{0}' is not one Shipdeck wrote; run `shipdeck logout --profile {0}` then `shipdeck login --profile {0}`"
    )]
    NotOurs(String),
    #[error("the keyring call did not finish (its thread stopped); try again")]
    Interrupted,
}

/// Where secrets are kept, by entry name (`aws:PROFILE`, `azure:PROFILE`). The OS keyring in
/// production; an in-memory store in tests.
pub trait SecretStore: Send + Sync {
    fn describe(&self) -> String;
    fn get(&self, entry: &str) -> Result<Option<String>, CredentialError>;
    fn set(&self, entry: &str, value: &str) -> Result<(), CredentialError>;
    /// Returns whether something was removed.
    fn delete(&self, entry: &str) -> Result<bool, CredentialError>;
}

const SERVICE: &str = "shipdeck";

/// The keyring entry of an S3 profile's keys.
fn aws_entry(profile: &str) -> String {
    format!("aws:{profile}")
}

/// The operating system's keyring.
pub struct OsKeyring;

impl OsKeyring {
    fn entry(name: &str) -> Result<keyring::Entry, CredentialError> {
        keyring::Entry::new(SERVICE, name).map_err(|e| explain(&e))
    }
}

fn explain(e: &keyring::Error) -> CredentialError {
    match e {
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) => {
            CredentialError::Unavailable(e.to_string())
        }
        other => CredentialError::Refused(other.to_string()),
    }
}

impl SecretStore for OsKeyring {
    fn describe(&self) -> String {
        "OS keyring".into()
    }

    fn get(&self, profile: &str) -> Result<Option<String>, CredentialError> {
        match Self::entry(profile)?.get_password() {
            Ok(v) => Ok(Some(v)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(explain(&e)),
        }
    }

    fn set(&self, profile: &str, value: &str) -> Result<(), CredentialError> {
        Self::entry(profile)?
            .set_password(value)
            .map_err(|e| explain(&e))
    }

    fn delete(&self, profile: &str) -> Result<bool, CredentialError> {
        match Self::entry(profile)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(explain(&e)),
        }
    }
}

/// An in-memory secret store: a test double for the OS keyring (there is no keyring server to
/// run in unit tests; the end-to-end test uses a real Secret Service).
#[derive(Default)]
pub struct MemoryStore(Mutex<HashMap<String, String>>);

impl MemoryStore {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        // A panic while holding the map cannot leave it half-written: take it as it is.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl SecretStore for MemoryStore {
    fn describe(&self) -> String {
        "memory".into()
    }
    fn get(&self, profile: &str) -> Result<Option<String>, CredentialError> {
        Ok(self.map().get(profile).cloned())
    }
    fn set(&self, profile: &str, value: &str) -> Result<(), CredentialError> {
        self.map().insert(profile.into(), value.into());
        Ok(())
    }
    fn delete(&self, profile: &str) -> Result<bool, CredentialError> {
        Ok(self.map().remove(profile).is_some())
    }
}

/// Runs a blocking keyring call on its own thread and awaits it.
pub(crate) async fn off_runtime<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, CredentialError> + Send + 'static,
) -> Result<T, CredentialError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.await.map_err(|_| CredentialError::Interrupted)?
}

/// The JSON document kept in keyring entry `entry` for `profile`, if any; one Shipdeck did not
/// write is refused with the way out.
pub(crate) async fn load_entry<T: serde::de::DeserializeOwned>(
    store: Arc<dyn SecretStore>,
    entry: String,
    profile: &str,
) -> Result<Option<T>, CredentialError> {
    let raw = off_runtime(move || store.get(&entry)).await?;
    match raw {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|_| CredentialError::NotOurs(profile.to_string())),
    }
}

/// Keeps `value` as a JSON document in keyring entry `entry`.
pub(crate) async fn save_entry<T: Serialize>(
    store: Arc<dyn SecretStore>,
    entry: String,
    value: &T,
) -> Result<(), CredentialError> {
    let text = serde_json::to_string(value)
        .map_err(|e| CredentialError::Refused(format!("the secret could not be encoded: {e}")))?;
    off_runtime(move || store.set(&entry, &text)).await
}

/// Removes keyring entry `entry`; whether there was one.
pub(crate) async fn remove_entry(
    store: Arc<dyn SecretStore>,
    entry: String,
) -> Result<bool, CredentialError> {
    off_runtime(move || store.delete(&entry)).await
}

/// The keys stored for `profile`, if any.
pub async fn load(
    store: Arc<dyn SecretStore>,
    profile: &str,
) -> Result<Option<AwsKeys>, CredentialError> {
    load_entry(store, aws_entry(profile), profile).await
}

pub async fn save(
    store: Arc<dyn SecretStore>,
    profile: &str,
    keys: &AwsKeys,
) -> Result<(), CredentialError> {
    save_entry(store, aws_entry(profile), keys).await
}

pub async fn remove(store: Arc<dyn SecretStore>, profile: &str) -> Result<bool, CredentialError> {
    remove_entry(store, aws_entry(profile)).await
}

/// Which credentials a profile's store needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Needs {
    /// A local store.
    Nothing,
    Aws,
    /// An Azure storage account (a connection string counts only for its own account).
    Azure {
        account: String,
    },
}

/// Where a profile's credentials come from. Holds at most a masked key id, never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum CredentialSource {
    /// A local store needs none.
    NotNeeded,
    /// The profile's OS-keyring entry.
    Keyring { access_key: String },
    /// `AWS_ACCESS_KEY_ID` and friends.
    Environment { access_key: String },
    /// A web-identity token exchanged for a role (GitHub Actions OIDC: `AWS_ROLE_ARN` and
    /// `AWS_WEB_IDENTITY_TOKEN_FILE`, as aws-actions/configure-aws-credentials sets them).
    WebIdentity { role: String },
    /// A named AWS profile (shared config or SSO).
    AwsProfile { name: String },
    /// The default profile of the AWS shared config.
    SharedConfig,
    /// An Azure profile's OS-keyring entry: which kind of secret (never the secret).
    AzureKeyring { kind: String },
    /// An Azure secret from the environment, named by its variable.
    AzureEnvironment { variable: String },
    /// An Entra ID credential through azure_identity, and how it is obtained.
    EntraId { via: String },
    /// A GitHub token, for an allowlist kept in GitHub.
    GitHub { via: String },
    /// A Sentry auth token, for releases, deploys and errors per release.
    Sentry { via: String },
    /// Nothing found.
    Missing,
}

/// Where a profile's AWS credentials come from, without showing them.
pub fn aws_source(in_keyring: Option<&AwsKeys>) -> CredentialSource {
    if let Some(k) = in_keyring {
        return CredentialSource::Keyring {
            access_key: mask(&k.access_key_id),
        };
    }
    if let Ok(id) = std::env::var("AWS_ACCESS_KEY_ID") {
        return CredentialSource::Environment {
            access_key: mask(&id),
        };
    }
    if let (Ok(role), Some(_)) = (
        std::env::var("AWS_ROLE_ARN"),
        std::env::var_os("AWS_WEB_IDENTITY_TOKEN_FILE"),
    ) {
        return CredentialSource::WebIdentity { role };
    }
    if let Ok(name) = std::env::var("AWS_PROFILE") {
        return CredentialSource::AwsProfile { name };
    }
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    if home.is_some_and(|h| h.join(".aws/credentials").is_file() || h.join(".aws/config").is_file())
    {
        return CredentialSource::SharedConfig;
    }
    CredentialSource::Missing
}

/// Where credentials come from for a profile whose store needs them: the keyring entry, else
/// the AWS chain; with the keyring's error when it could not be asked.
pub async fn aws_lookup(
    store: Arc<dyn SecretStore>,
    profile: &str,
) -> (CredentialSource, Option<CredentialError>) {
    match load(store, profile).await {
        Ok(k) => (aws_source(k.as_ref()), None),
        Err(e) => (aws_source(None), Some(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzzSECRET";

    #[test]
    fn secrets_never_print() {
        let k = AwsKeys {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: Secret::new(SECRET),
        };
        for out in [
            format!("{k:?}"),
            format!("{:?}", k.secret_access_key),
            format!("{}", k.secret_access_key),
            format!("{:#?}", Some(&k)),
        ] {
            assert!(
                !out.contains(SECRET) && !out.contains("IOSFODNN7EXA"),
                "{out}"
            );
        }
        assert_eq!(mask("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
        assert_eq!(mask("short"), "***");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn store_round_trip_off_the_runtime() {
        // A current-thread runtime would deadlock if the call blocked it.
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        assert_eq!(load(store.clone(), "prod").await.unwrap(), None);
        let k = AwsKeys {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: Secret::new(SECRET),
        };
        save(store.clone(), "prod", &k).await.unwrap();
        assert_eq!(load(store.clone(), "prod").await.unwrap(), Some(k));
        assert!(remove(store.clone(), "prod").await.unwrap());
        assert!(!remove(store.clone(), "prod").await.unwrap());
        store.set("aws:bad", "not json").unwrap();
        let e = load(store, "bad").await.unwrap_err().to_string();
        assert!(
            e.contains("shipdeck logout --profile bad") && !e.contains("not json"),
            "{e}"
        );
    }
}
