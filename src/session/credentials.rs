//! Credentials wiring: each cloud's connection settings with the secret the lookup order finds
//! first (OS keyring, then the environment and the SDKs' own chains), and GitHub tokens looked
//! up on first use. No secret is ever written to a file or a log line here.

use crate::credentials::azure::AzureSecret;
use crate::error::Result;
use std::sync::Arc;

/// A GitHub repository whose token is looked up on first use (keyring, GH_TOKEN, GITHUB_TOKEN,
/// `gh auth token`).
pub(super) fn github_repo(
    profile: &str,
    repo: &str,
    environment: Option<String>,
    api_url: Option<String>,
) -> crate::bridge::github::Repo {
    let (p, api) = (profile.to_string(), api_url.clone());
    let token = Arc::new(move || {
        let (p, api) = (p.clone(), api.clone());
        let f: futures::future::BoxFuture<
            'static,
            std::result::Result<_, crate::credentials::github::NoToken>,
        > = Box::pin(async move {
            crate::credentials::github::lookup(secret_store(), &p, api.as_deref())
                .await
                .map(|(t, src)| (t, crate::present::credential_source(&src)))
                .ok_or_else(|| crate::credentials::github::missing(&p))
        });
        f
    });
    crate::bridge::github::Repo::new(api_url, repo, environment, token)
}

/// The secret store: the OS keyring.
pub fn secret_store() -> Arc<dyn crate::credentials::SecretStore> {
    Arc::new(crate::credentials::OsKeyring)
}

/// AWS connection settings of an S3 profile, with keys from the OS keyring when stored.
pub async fn aws_settings(
    name: &str,
    region: &str,
    endpoint: Option<String>,
) -> Result<crate::adapters::aws::AwsSettings> {
    // No keyring on this machine (a CI runner, a server without a desktop session) is not an
    // error: the standard AWS chain still applies. `shipdeck credentials` shows which is used.
    let keys = match crate::credentials::load(secret_store(), name).await {
        Ok(k) => k,
        Err(e) => {
            tracing::warn!(
                profile = name,
                "OS keyring unavailable, using the AWS credential chain: {e}"
            );
            None
        }
    };
    Ok(crate::adapters::aws::AwsSettings {
        region: region.to_string(),
        endpoint,
        keys,
        profile: name.to_string(),
    })
}

/// Azure connection settings of a profile, with the secret the lookup order finds first (see
/// `credentials::azure`), and the keyring entry for the CDN's Entra ID identity.
pub async fn azure_settings(
    name: &str,
    account: &str,
    endpoint: Option<String>,
) -> Result<(crate::adapters::azure::AzureSettings, Option<AzureSecret>)> {
    let stored = match crate::credentials::azure::load(secret_store(), name).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(
                profile = name,
                "OS keyring unavailable, using the environment and Entra ID: {e}"
            );
            None
        }
    };
    let env = crate::credentials::azure::Env::current();
    let (auth, _) = crate::credentials::azure::storage(stored.as_ref(), account, &env);
    let Some(auth) = auth else {
        return Err(crate::error::ProfileGap::NoAzureCredentials {
            profile: name.to_string(),
        }
        .into());
    };
    Ok((
        crate::adapters::azure::AzureSettings {
            account: account.to_string(),
            endpoint,
            auth,
            profile: name.to_string(),
        },
        stored,
    ))
}
