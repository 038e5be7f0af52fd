//! Azure plumbing shared by the Blob store and the Front Door / CDN purge: how a profile
//! authenticates, the HTTP client with Shipdeck's timeouts and retries, the short-lived account
//! SAS minted from an account key, and the one sentence an Azure error becomes.
//!
//! It lives beside both adapters rather than inside one (as `aws.rs` does for AWS), so that
//! `store/azure.rs` and `cdn/frontdoor.rs` never borrow from each other.
//!
//! The official `azure_storage_blob` crate signs only with an Entra ID token or a SAS already in
//! the URL. An account key is therefore never sent anywhere: Shipdeck signs an account SAS with
//! it locally (HMAC-SHA256, valid for an hour) and puts that in the URL. Because a SAS is in
//! URLs, nothing built from an SDK error reaches a user without [`redact`] removing every query
//! string first.

use crate::credentials::Secret;
use azure_core::credentials::TokenCredential;
use azure_core::http::{ClientOptions, ExponentialRetryOptions, RetryOptions, Transport, Url};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The Blob service version Shipdeck speaks: the newest that both Azure and Azurite 3.35 know.
pub const BLOB_VERSION: &str = "2025-11-05";

/// Bounded waits, the same as on S3: connect, one attempt, one whole operation.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(8);
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(20);

/// How requests to a storage account are signed.
#[derive(Clone)]
pub enum AzureAuth {
    /// A storage account key (base64): each request carries an account SAS minted from it.
    AccountKey(Secret),
    /// A SAS token given by the user (with or without the leading `?`).
    Sas(Secret),
    /// An Entra ID credential (client secret, workload or managed identity, Azure CLI).
    Token(Arc<dyn TokenCredential>),
}

impl std::fmt::Debug for AzureAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AzureAuth::AccountKey(_) => "AccountKey(***)",
            AzureAuth::Sas(_) => "Sas(***)",
            AzureAuth::Token(_) => "Token(Entra ID)",
        })
    }
}

/// Connection settings of one Azure storage account.
#[derive(Clone, Debug)]
pub struct AzureSettings {
    pub account: String,
    /// The Blob endpoint, e.g. `http://127.0.0.1:10000/devstoreaccount1` for Azurite or a
    /// sovereign cloud; defaults to `https://{account}.blob.core.windows.net`.
    pub endpoint: Option<String>,
    pub auth: AzureAuth,
    /// Which profile, for "run shipdeck login --profile P" hints.
    pub profile: String,
}

impl AzureSettings {
    /// The Blob endpoint without a trailing slash.
    pub fn blob_endpoint(&self) -> String {
        match &self.endpoint {
            Some(e) => e.trim_end_matches('/').to_string(),
            None => format!("https://{}.blob.core.windows.net", self.account),
        }
    }
}

/// One HTTP client with Shipdeck's connect and per-attempt timeouts, shared by every request of
/// a profile so connections are reused.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(ATTEMPT_TIMEOUT)
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// Client options: the shared transport and at most 3 attempts with backoff, all within the
/// operation timeout.
pub fn client_options(http: &reqwest::Client) -> ClientOptions {
    ClientOptions {
        transport: Some(Transport::new(Arc::new(http.clone()))),
        retry: RetryOptions::exponential(ExponentialRetryOptions {
            initial_delay: azure_core::time::Duration::milliseconds(200),
            max_retries: 2,
            max_total_elapsed: azure_core::time::Duration::seconds(20),
            max_delay: azure_core::time::Duration::seconds(2),
        }),
        ..ClientOptions::default()
    }
}

/// An account SAS minted from a key, remembered until it is half-way to its expiry.
pub struct SasMinter {
    account: String,
    key: Secret,
    https_only: bool,
    cached: Mutex<Option<(chrono::DateTime<chrono::Utc>, String)>>,
}

/// How long a minted SAS is valid.
const SAS_LIFETIME_MINUTES: i64 = 60;

impl SasMinter {
    pub fn new(account: &str, key: Secret, https_only: bool) -> SasMinter {
        SasMinter {
            account: account.to_string(),
            key,
            https_only,
            cached: Mutex::new(None),
        }
    }

    /// A SAS query string (without `?`) valid for at least half an hour from now.
    pub fn query(&self) -> Result<String, BadAccountKey> {
        let now = chrono::Utc::now();
        let mut cached = self
            .cached
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((minted, q)) = cached.as_ref()
            && now - *minted < chrono::Duration::minutes(SAS_LIFETIME_MINUTES / 2)
        {
            return Ok(q.clone());
        }
        let q = account_sas(&self.account, &self.key, now, self.https_only)?;
        *cached = Some((now, q.clone()));
        Ok(q)
    }
}

/// An account key that cannot sign (not base64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the account key is not valid base64; copy it again from the portal's Access keys page (`shipdeck credentials` says where it came from)"
)]
pub struct BadAccountKey;

/// Signs an account SAS for the Blob service (all resource types; read, add, create, write,
/// delete, list), valid from five minutes ago (clock skew) for an hour. The string to sign for
/// versions from 2020-12-06 on is `account\nsp\nss\nsrt\nst\nse\nsip\nspr\nsv\nses\n`.
pub fn account_sas(
    account: &str,
    key: &Secret,
    now: chrono::DateTime<chrono::Utc>,
    https_only: bool,
) -> Result<String, BadAccountKey> {
    let fmt = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let st = fmt(now - chrono::Duration::minutes(5));
    let se = fmt(now + chrono::Duration::minutes(SAS_LIFETIME_MINUTES));
    let (sp, ss, srt) = ("racwdl", "b", "sco");
    let spr = if https_only { "https" } else { "https,http" };
    let to_sign = format!("{account}\n{sp}\n{ss}\n{srt}\n{st}\n{se}\n\n{spr}\n{BLOB_VERSION}\n\n");
    let key = azure_core::credentials::Secret::new(key.expose().to_string());
    let sig = azure_core::hmac::hmac_sha256(&to_sign, &key).map_err(|_| BadAccountKey)?;
    // Query values, escaping all but RFC 3986's unreserved characters.
    const VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    let enc = |s: &str| percent_encoding::utf8_percent_encode(s, VALUE).to_string();
    Ok(format!(
        "sv={BLOB_VERSION}&ss={ss}&srt={srt}&sp={sp}&st={}&se={}&spr={}&sig={}",
        enc(&st),
        enc(&se),
        enc(spr),
        enc(&sig)
    ))
}

/// Adds a SAS query to a URL.
pub fn with_query(mut url: Url, query: &str) -> Url {
    let q = query.trim_start_matches('?');
    if !q.is_empty() {
        url.set_query(Some(q));
    }
    url
}

pub use super::redact;

/// What an Azure request failed with, reduced to what can be shown: the HTTP status, Azure's
/// error code and a redacted message. Kept as the source of store and CDN errors.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct AzureCause {
    pub status: Option<u16>,
    pub code: Option<String>,
    pub message: String,
    pub timed_out: bool,
    pub unreachable: bool,
}

impl AzureCause {
    /// Reads an SDK error without keeping anything that could carry a secret.
    pub fn from_sdk(e: &azure_core::Error) -> AzureCause {
        let status = e.http_status().map(u16::from);
        let code = match e.kind() {
            azure_core::error::ErrorKind::HttpResponse { error_code, .. } => error_code.clone(),
            _ => None,
        };
        let mut timed_out = false;
        let mut unreachable = false;
        let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
        while let Some(s) = src {
            if let Some(r) = s.downcast_ref::<reqwest::Error>() {
                timed_out |= r.is_timeout();
                unreachable |= r.is_connect();
            }
            if let Some(io) = s.downcast_ref::<std::io::Error>() {
                timed_out |= io.kind() == std::io::ErrorKind::TimedOut;
                unreachable |= io.kind() == std::io::ErrorKind::ConnectionRefused;
            }
            src = s.source();
        }
        AzureCause {
            status,
            code,
            message: redact(&e.to_string()),
            timed_out,
            unreachable,
        }
    }

    /// The cause of a whole operation that ran out of time.
    pub fn timeout() -> AzureCause {
        AzureCause {
            status: None,
            code: None,
            message: format!("no answer within {} s", OPERATION_TIMEOUT.as_secs()),
            timed_out: true,
            unreachable: false,
        }
    }

    /// One sentence for a user: what Azure said and what to do about it. `what` names the
    /// service ("Azure Blob storage account 'a'"), `profile` the profile for hints.
    pub fn explain(&self, what: &str, endpoint: &str, profile: &str) -> String {
        if self.timed_out {
            return format!(
                "{what} at {endpoint} did not answer within {} s; check the network or the service status, then run `shipdeck resume` to finish what was started",
                OPERATION_TIMEOUT.as_secs()
            );
        }
        if self.unreachable || self.status.is_none() {
            return format!(
                "could not reach {what} at {endpoint} ({}); check the endpoint and the network, then try again",
                self.message
            );
        }
        let status = self.status.unwrap_or_default();
        let code = self.code.as_deref().unwrap_or("no error code");
        match (status, code) {
            (403, "AuthenticationFailed" | "AuthorizationFailure") | (401, _) => format!(
                "{what} refused the credentials (HTTP {status} {code}): the key or SAS is wrong, expired or too narrow; store the right one with `shipdeck login --profile {profile}`, or check `shipdeck credentials --profile {profile}`"
            ),
            (403, _) => format!(
                "{what} refused the request (HTTP {status} {code}): the credential lacks a permission; give it read, write, delete and list on the container (for Entra ID: the Storage Blob Data Contributor role)"
            ),
            (404, "ContainerNotFound") => format!(
                "{what} has no such container (HTTP 404 ContainerNotFound); create it (`az storage container create`) or fix `container` in the profile"
            ),
            (404, "ResourceNotFound") => format!(
                "{what} was not found (HTTP 404 ResourceNotFound); check the account name and endpoint in the profile"
            ),
            (429, _) | (500..=599, _) => format!(
                "{what} is busy or failing (HTTP {status} {code}) after 3 attempts; try again in a minute, then run `shipdeck resume`"
            ),
            _ => format!("{what} answered HTTP {status} {code}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_removes_signatures_from_urls_and_text() {
        let t = "error sending request for url (http://127.0.0.1:10000/devstoreaccount1/c/a.js?sv=2025-11-05&sig=abc%2Bdef): timed out; sig=zzz&x=1";
        let r = redact(t);
        assert!(!r.contains("abc") && !r.contains("zzz"), "{r}");
        assert!(
            r.contains("http://127.0.0.1:10000/devstoreaccount1/c/a.js?…)"),
            "{r}"
        );
        assert!(r.contains("timed out"), "{r}");
        assert_eq!(redact("plain words?"), "plain words?");
    }

    #[test]
    fn account_sas_is_signed_over_the_documented_string() {
        // The string to sign and key give a signature that an independent HMAC agrees with.
        let now = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let key = Secret::new("a2V5LWZvci10ZXN0cw==");
        let q = account_sas("acct", &key, now, false).unwrap();
        assert!(q.starts_with("sv=2025-11-05&ss=b&srt=sco&sp=racwdl&st=2026-01-02T02%3A59%3A05Z&se=2026-01-02T04%3A04%3A05Z&spr=https%2Chttp&sig="), "{q}");
        let to_sign = "acct\nracwdl\nb\nsco\n2026-01-02T02:59:05Z\n2026-01-02T04:04:05Z\n\nhttps,http\n2025-11-05\n\n";
        let want = hmac_check::sign(b"key-for-tests", to_sign.as_bytes());
        let sig = q.split("sig=").nth(1).unwrap();
        let sig = percent_encoding::percent_decode_str(sig)
            .decode_utf8()
            .unwrap();
        assert_eq!(sig, want);
        assert!(account_sas("acct", &Secret::new("not base64!"), now, true).is_err());
    }

    /// HMAC-SHA256 by its definition (RFC 2104), independent of the crate that signs.
    mod hmac_check {
        use base64::Engine;
        use sha2::Digest;
        pub fn sign(key: &[u8], msg: &[u8]) -> String {
            let mut k = [0u8; 64];
            k[..key.len()].copy_from_slice(key);
            let inner: Vec<u8> = k
                .iter()
                .map(|b| b ^ 0x36)
                .chain(msg.iter().copied())
                .collect();
            let ih = sha2::Sha256::digest(&inner);
            let outer: Vec<u8> = k
                .iter()
                .map(|b| b ^ 0x5c)
                .chain(ih.iter().copied())
                .collect();
            base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(&outer))
        }
    }
}
