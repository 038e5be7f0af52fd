//! Azure credentials: which secret signs a profile's storage requests and which Entra ID
//! identity asks Azure Resource Manager to purge the CDN. Never shows a secret.
//!
//! Lookup order for storage, as `shipdeck credentials` shows it:
//! 1. the profile's OS-keyring entry (`azure:PROFILE`): a storage account key, a SAS token, or
//!    an Entra ID client secret, stored by `shipdeck login`;
//! 2. the environment as `az` reads it: `AZURE_STORAGE_CONNECTION_STRING` (for this account),
//!    `AZURE_STORAGE_KEY`, `AZURE_STORAGE_SAS_TOKEN`;
//! 3. Entra ID through `azure_identity`: a client secret (`AZURE_CLIENT_ID`, `AZURE_TENANT_ID`,
//!    `AZURE_CLIENT_SECRET`), workload identity (`AZURE_FEDERATED_TOKEN_FILE`, as GitHub's
//!    `azure/login` and AKS set it), managed identity (`IDENTITY_ENDPOINT` or `MSI_ENDPOINT`,
//!    as App Service and Container Apps set it), then the Azure CLI's login (`az` on PATH).
//!
//! The CDN purge needs an Entra ID token (keys and SAS tokens do not reach Resource Manager), so
//! it uses the keyring's client secret when that is what is stored, else step 3.

use super::{CredentialError, CredentialSource, Secret, SecretStore, mask};
use crate::adapters::azure::AzureAuth;
use azure_core::credentials::TokenCredential;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What `shipdeck login` stores for an Azure profile.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AzureSecret {
    AccountKey {
        key: Secret,
    },
    Sas {
        token: Secret,
    },
    ClientSecret {
        tenant_id: String,
        client_id: String,
        secret: Secret,
    },
}

impl std::fmt::Debug for AzureSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl AzureSecret {
    /// Which kind of secret, with nothing that could be used.
    pub fn describe(&self) -> String {
        match self {
            AzureSecret::AccountKey { .. } => "storage account key".into(),
            AzureSecret::Sas { .. } => "SAS token".into(),
            AzureSecret::ClientSecret { client_id, .. } => {
                format!("Entra ID client secret (client {})", mask(client_id))
            }
        }
    }
}

fn entry(profile: &str) -> String {
    format!("azure:{profile}")
}

/// The secret stored for an Azure profile, if any.
pub async fn load(
    store: Arc<dyn SecretStore>,
    profile: &str,
) -> Result<Option<AzureSecret>, CredentialError> {
    super::load_entry(store, entry(profile), profile).await
}

pub async fn save(
    store: Arc<dyn SecretStore>,
    profile: &str,
    secret: &AzureSecret,
) -> Result<(), CredentialError> {
    super::save_entry(store, entry(profile), secret).await
}

pub async fn remove(store: Arc<dyn SecretStore>, profile: &str) -> Result<bool, CredentialError> {
    super::remove_entry(store, entry(profile)).await
}

/// What the environment says, read once so lookups are consistent and testable.
#[derive(Default, Clone)]
pub struct Env {
    vars: std::collections::BTreeMap<String, String>,
    az_on_path: bool,
}

impl Env {
    /// The process environment.
    pub fn current() -> Env {
        let names = [
            "AZURE_STORAGE_CONNECTION_STRING",
            "AZURE_STORAGE_KEY",
            "AZURE_STORAGE_SAS_TOKEN",
            "AZURE_CLIENT_ID",
            "AZURE_TENANT_ID",
            "AZURE_CLIENT_SECRET",
            "AZURE_FEDERATED_TOKEN_FILE",
            "IDENTITY_ENDPOINT",
            "MSI_ENDPOINT",
        ];
        let vars = names
            .iter()
            .filter_map(|n| {
                let v = std::env::var(n).ok()?;
                (!v.trim().is_empty()).then(|| (n.to_string(), v))
            })
            .collect();
        let az_on_path = std::env::var_os("PATH").is_some_and(|p| {
            std::env::split_paths(&p).any(|d| d.join("az").is_file() || d.join("az.cmd").is_file())
        });
        Env { vars, az_on_path }
    }

    /// An environment made of `vars` (tests).
    pub fn from_vars(vars: &[(&str, &str)], az_on_path: bool) -> Env {
        Env {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            az_on_path,
        }
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }
}

/// The parts of a storage connection string Shipdeck uses.
#[derive(Default)]
struct ConnectionString {
    account: Option<String>,
    key: Option<String>,
    sas: Option<String>,
}

fn parse_connection_string(s: &str) -> ConnectionString {
    let mut c = ConnectionString::default();
    for part in s.split(';') {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        match k.trim() {
            "AccountName" => c.account = Some(v.trim().to_string()),
            "AccountKey" => c.key = Some(v.trim().to_string()),
            "SharedAccessSignature" => c.sas = Some(v.trim().to_string()),
            _ => {}
        }
    }
    c
}

/// How storage requests of `account` are signed and where that comes from; `None` when nothing
/// is found (the source is then `Missing`).
pub fn storage(
    in_keyring: Option<&AzureSecret>,
    account: &str,
    env: &Env,
) -> (Option<AzureAuth>, CredentialSource) {
    if let Some(s) = in_keyring {
        let source = CredentialSource::AzureKeyring { kind: s.describe() };
        let auth = match s {
            AzureSecret::AccountKey { key } => Some(AzureAuth::AccountKey(key.clone())),
            AzureSecret::Sas { token } => Some(AzureAuth::Sas(token.clone())),
            AzureSecret::ClientSecret { .. } => entra_from_keyring(s).map(AzureAuth::Token),
        };
        return (auth, source);
    }
    if let Some(cs) = env.get("AZURE_STORAGE_CONNECTION_STRING") {
        let c = parse_connection_string(cs);
        // A connection string for another account is not this profile's.
        if c.account.as_deref().is_none_or(|a| a == account) {
            let variable = "AZURE_STORAGE_CONNECTION_STRING".to_string();
            if let Some(k) = c.key {
                return (
                    Some(AzureAuth::AccountKey(Secret::new(k))),
                    CredentialSource::AzureEnvironment { variable },
                );
            }
            if let Some(s) = c.sas {
                return (
                    Some(AzureAuth::Sas(Secret::new(s))),
                    CredentialSource::AzureEnvironment { variable },
                );
            }
        }
    }
    if let Some(k) = env.get("AZURE_STORAGE_KEY") {
        return (
            Some(AzureAuth::AccountKey(Secret::new(k))),
            CredentialSource::AzureEnvironment {
                variable: "AZURE_STORAGE_KEY".into(),
            },
        );
    }
    if let Some(s) = env.get("AZURE_STORAGE_SAS_TOKEN") {
        return (
            Some(AzureAuth::Sas(Secret::new(s))),
            CredentialSource::AzureEnvironment {
                variable: "AZURE_STORAGE_SAS_TOKEN".into(),
            },
        );
    }
    match entra(None, env) {
        Some((cred, source)) => (Some(AzureAuth::Token(cred)), source),
        None => (None, CredentialSource::Missing),
    }
}

fn entra_from_keyring(s: &AzureSecret) -> Option<Arc<dyn TokenCredential>> {
    let AzureSecret::ClientSecret {
        tenant_id,
        client_id,
        secret,
    } = s
    else {
        return None;
    };
    let secret = azure_core::credentials::Secret::new(secret.expose().to_string());
    azure_identity::ClientSecretCredential::new(tenant_id, client_id.clone(), secret, None)
        .ok()
        .map(|c| c as Arc<dyn TokenCredential>)
}

/// An Entra ID identity (for Resource Manager, or storage without a key): the keyring's client
/// secret when that is what is stored, else the environment's chain.
pub fn entra(
    in_keyring: Option<&AzureSecret>,
    env: &Env,
) -> Option<(Arc<dyn TokenCredential>, CredentialSource)> {
    if let Some(s @ AzureSecret::ClientSecret { .. }) = in_keyring {
        return entra_from_keyring(s)
            .map(|c| (c, CredentialSource::AzureKeyring { kind: s.describe() }));
    }
    let via = |v: &str| CredentialSource::EntraId { via: v.to_string() };
    if let (Some(client), Some(tenant), Some(secret)) = (
        env.get("AZURE_CLIENT_ID"),
        env.get("AZURE_TENANT_ID"),
        env.get("AZURE_CLIENT_SECRET"),
    ) {
        let secret = azure_core::credentials::Secret::new(secret.to_string());
        if let Ok(c) =
            azure_identity::ClientSecretCredential::new(tenant, client.to_string(), secret, None)
        {
            return Some((
                c,
                via(&format!(
                    "client secret from AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET (client {})",
                    mask(client)
                )),
            ));
        }
    }
    if env.get("AZURE_FEDERATED_TOKEN_FILE").is_some()
        && let Ok(c) = azure_identity::WorkloadIdentityCredential::new(None)
    {
        return Some((c, via("workload identity (AZURE_FEDERATED_TOKEN_FILE)")));
    }
    if (env.get("IDENTITY_ENDPOINT").is_some() || env.get("MSI_ENDPOINT").is_some())
        && let Ok(c) = azure_identity::ManagedIdentityCredential::new(None)
    {
        return Some((c, via("managed identity")));
    }
    if env.az_on_path
        && let Ok(c) = azure_identity::AzureCliCredential::new(None)
    {
        return Some((c, via("the Azure CLI's login (`az login`)")));
    }
    None
}

/// Where an Azure profile's storage credentials come from, with the keyring's error when it
/// could not be asked.
pub async fn lookup(
    store: Arc<dyn SecretStore>,
    profile: &str,
    account: &str,
) -> (CredentialSource, Option<CredentialError>) {
    let env = Env::current();
    match load(store, profile).await {
        Ok(s) => (storage(s.as_ref(), account, &env).1, None),
        Err(e) => (storage(None, account, &env).1, Some(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::MemoryStore;

    const KEY: &str = "c2hpcGRlY2stYXp1cmUtdGVzdC1rZXk=";

    #[test]
    fn lookup_order_keyring_then_environment_then_entra() {
        let kr = AzureSecret::Sas {
            token: Secret::new("sv=x&sig=SECRETSIG"),
        };
        let env = Env::from_vars(&[("AZURE_STORAGE_KEY", KEY)], true);
        let (auth, src) = storage(Some(&kr), "acct", &env);
        assert!(matches!(auth, Some(AzureAuth::Sas(_))));
        assert_eq!(
            src,
            CredentialSource::AzureKeyring {
                kind: "SAS token".into()
            }
        );
        let (auth, src) = storage(None, "acct", &env);
        assert!(matches!(auth, Some(AzureAuth::AccountKey(_))));
        assert_eq!(
            src,
            CredentialSource::AzureEnvironment {
                variable: "AZURE_STORAGE_KEY".into()
            }
        );
        // A connection string wins over a bare key, but only for its own account.
        let cs = format!(
            "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={KEY};EndpointSuffix=core.windows.net"
        );
        let env2 = Env::from_vars(
            &[
                ("AZURE_STORAGE_CONNECTION_STRING", &cs),
                ("AZURE_STORAGE_SAS_TOKEN", "sv=1&sig=X"),
            ],
            false,
        );
        let (_, src) = storage(None, "acct", &env2);
        assert_eq!(
            src,
            CredentialSource::AzureEnvironment {
                variable: "AZURE_STORAGE_CONNECTION_STRING".into()
            }
        );
        let (_, src) = storage(None, "other", &env2);
        assert_eq!(
            src,
            CredentialSource::AzureEnvironment {
                variable: "AZURE_STORAGE_SAS_TOKEN".into()
            }
        );
        let entra_env = Env::from_vars(
            &[
                ("AZURE_CLIENT_ID", "11111111-2222-3333-4444-555555555555"),
                ("AZURE_TENANT_ID", "contoso.onmicrosoft.com"),
                ("AZURE_CLIENT_SECRET", "client-secret-value"),
            ],
            true,
        );
        let (auth, src) = storage(None, "acct", &entra_env);
        assert!(matches!(auth, Some(AzureAuth::Token(_))));
        assert!(
            matches!(&src, CredentialSource::EntraId { via } if via.contains("client secret") && !via.contains("client-secret-value")),
            "{src:?}"
        );
        let (_, src) = storage(None, "acct", &Env::from_vars(&[], true));
        assert!(matches!(&src, CredentialSource::EntraId { via } if via.contains("Azure CLI")));
        let (auth, src) = storage(None, "acct", &Env::from_vars(&[], false));
        assert!(auth.is_none());
        assert_eq!(src, CredentialSource::Missing);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn secrets_round_trip_and_never_print() {
        let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
        let s = AzureSecret::ClientSecret {
            tenant_id: "t".into(),
            client_id: "11111111-2222-3333-4444-555555555555".into(),
            secret: Secret::new("very-secret-value"),
        };
        save(store.clone(), "prod", &s).await.unwrap();
        let back = load(store.clone(), "prod").await.unwrap().unwrap();
        assert_eq!(back, s);
        let shown = format!("{back:?} {}", back.describe());
        assert!(
            !shown.contains("very-secret") && !shown.contains("2222-3333"),
            "{shown}"
        );
        assert!(remove(store.clone(), "prod").await.unwrap());
        assert_eq!(load(store, "prod").await.unwrap(), None);
    }
}
