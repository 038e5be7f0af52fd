//! The Azure Blob store (the official `azure_storage_blob` crate): one container of a storage
//! account, or Azurite with `endpoint`.
//!
//! Azure differs from S3 in three ways this adapter hides behind the storage contract:
//! - A create-only write that loses answers 409 `BlobAlreadyExists` (S3: 412); both mean
//!   "someone else wrote it" and become [`StoreError::PreconditionFailed`].
//! - Copy Blob cannot set headers: the copy carries the source's. Setting them afterwards would
//!   leave an alias file, for a moment, with the release's one-year immutable header, which an
//!   edge could cache for a year. So an alias copy goes through a staging blob outside the
//!   published prefix: copy the release file there, give it the alias headers (and its MD5
//!   again, which setting properties would otherwise clear), then copy it into place. Every
//!   state the alias blob is ever in has the alias headers.
//! - The content id is the blob's Content-MD5 (sent with every upload, so even large blobs have
//!   one), shown as hex like an S3 ETag.
//!
//! Every call has the same bounded waits as S3 and its errors are one sentence built from the
//! status and Azure's error code, with every URL's query (where a SAS lives) removed.

use super::{Condition, Headers, Object, ObjectMeta, ObjectStore, StoreError};
use crate::adapters::azure::{
    AzureAuth, AzureCause, AzureSettings, BLOB_VERSION, OPERATION_TIMEOUT, SasMinter,
    client_options, http_client, with_query,
};
use async_trait::async_trait;
use azure_core::credentials::TokenCredential;
use azure_core::http::{Etag, RequestContent, Url};
use azure_storage_blob::models::{
    BlobClientDeleteOptions, BlobClientGetPropertiesResultHeaders, BlobClientSetPropertiesOptions,
    BlobClientStartCopyFromUrlResultHeaders, BlobContainerClientListBlobsOptions,
    BlockBlobClientUploadOptions, CopyStatus,
};
use azure_storage_blob::{BlobClient, BlobClientOptions, BlobContainerClient};
use bytes::Bytes;
use futures::StreamExt;
use md5::{Digest, Md5};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// The longest blob name Azure accepts, in characters, and the most path segments.
const MAX_NAME_CHARS: usize = 1024;
const MAX_SEGMENTS: usize = 254;

/// Where alias copies are staged: outside every published prefix (prefixes may not start with
/// `.shipdeck`), removed after each copy.
const STAGING: &str = ".shipdeck-staging/";

/// How a request is signed, prepared once per store.
enum Signer {
    Sas(String),
    Minted(SasMinter),
    Token(Arc<dyn TokenCredential>),
}

pub struct AzureStore {
    container: String,
    settings: AzureSettings,
    /// The container URL, without any query.
    base: Url,
    signer: Signer,
    options: BlobClientOptions,
    /// How long the account has answered nothing while asked: one bound for every operation.
    silence: super::silence::Silence,
}

impl AzureStore {
    /// A store on `container` of the account in `settings`. Fails only on a malformed endpoint
    /// or an Entra ID credential over plain HTTP.
    pub fn connect(container: &str, settings: AzureSettings) -> Result<AzureStore, StoreError> {
        let endpoint = settings.blob_endpoint();
        let describe = format!(
            "Azure container '{container}' of account '{}'",
            settings.account
        );
        let bad = |why: String| StoreError::failed(&describe, "", why, None);
        let mut base = Url::parse(&endpoint).map_err(|_| {
            bad(format!(
                "the endpoint '{endpoint}' is not a URL; use e.g. https://{}.blob.core.windows.net",
                settings.account
            ))
        })?;
        base.path_segments_mut()
            .map_err(|()| bad(format!("the endpoint '{endpoint}' cannot hold a path")))?
            .pop_if_empty()
            .push(container);
        let https = base.scheme() == "https";
        let signer = match &settings.auth {
            AzureAuth::Sas(s) => Signer::Sas(s.expose().trim_start_matches('?').to_string()),
            AzureAuth::AccountKey(k) => {
                Signer::Minted(SasMinter::new(&settings.account, k.clone(), https))
            }
            AzureAuth::Token(_) if !https => {
                return Err(bad(format!(
                    "an Entra ID token is only sent over HTTPS and the endpoint '{endpoint}' is not; use an https endpoint, or an account key or SAS"
                )));
            }
            AzureAuth::Token(t) => Signer::Token(t.clone()),
        };
        let http = http_client();
        Ok(AzureStore {
            container: container.to_string(),
            base,
            signer,
            options: BlobClientOptions {
                client_options: client_options(&http),
                version: BLOB_VERSION.to_string(),
            },
            settings,
            silence: super::silence::Silence::new(OPERATION_TIMEOUT),
        })
    }

    /// The blob's URL, signed with the SAS when there is one.
    fn blob_url(&self, key: &str) -> Result<Url, StoreError> {
        let mut url = self.base.clone();
        if let Ok(mut segs) = url.path_segments_mut() {
            segs.extend(key.split('/'));
        }
        match &self.signer {
            Signer::Sas(q) => Ok(with_query(url, q)),
            Signer::Minted(m) => {
                let q = m.query().map_err(|why| {
                    StoreError::failed(self.describe(), key, why.to_string(), Some(Arc::new(why)))
                })?;
                Ok(with_query(url, &q))
            }
            Signer::Token(_) => Ok(url),
        }
    }

    fn token(&self) -> Option<Arc<dyn TokenCredential>> {
        match &self.signer {
            Signer::Token(t) => Some(t.clone()),
            _ => None,
        }
    }

    fn blob(&self, key: &str) -> Result<BlobClient, StoreError> {
        BlobClient::new(
            self.blob_url(key)?,
            self.token(),
            Some(self.options.clone()),
        )
        .map_err(|e| self.fail(key, &e))
    }

    fn container_client(&self) -> Result<BlobContainerClient, StoreError> {
        let url = match &self.signer {
            Signer::Token(_) => self.base.clone(),
            _ => {
                // The container URL with the SAS: the blob URL of an empty key, minus the slash.
                let mut u = self.blob_url("")?;
                if let Ok(mut segs) = u.path_segments_mut() {
                    segs.pop_if_empty();
                }
                u
            }
        };
        BlobContainerClient::new(
            url,
            self.token(),
            Some(self.options.clone().into_container()),
        )
        .map_err(|e| self.fail("", &e))
    }

    fn fail(&self, key: &str, e: &azure_core::Error) -> StoreError {
        let cause = AzureCause::from_sdk(e);
        self.failed(key, cause)
    }

    fn failed(&self, key: &str, cause: AzureCause) -> StoreError {
        let what = format!(
            "Azure Blob storage account '{}' (container '{}')",
            self.settings.account, self.container
        );
        let sentence = cause.explain(
            &what,
            &self.settings.blob_endpoint(),
            &self.settings.profile,
        );
        StoreError::failed(self.describe(), key, sentence, Some(Arc::new(cause)))
    }

    /// Runs one operation within the operation timeout.
    async fn bounded<T>(
        &self,
        key: &str,
        op: impl std::future::Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        self.bounded_until(Instant::now() + OPERATION_TIMEOUT, key, op)
            .await
    }

    /// Runs one step of an operation before the operation's deadline: every step of a
    /// multi-request operation shares one deadline, so retries and clean-ups cannot add up;
    /// and every operation gives up once the account has answered nothing, to anyone, for as
    /// long (`Silence`), so a change stops within that of the server stopping.
    async fn bounded_until<T>(
        &self,
        deadline: Instant,
        key: &str,
        op: impl std::future::Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        match self.silence.bound(deadline, op).await {
            Ok(r) => r,
            Err(_) => Err(self.failed(key, AzureCause::timeout())),
        }
    }

    /// Copies `from` to `to` as Azure does (content and headers of the source) and waits until
    /// the copy is complete; returns the destination's properties.
    async fn copy_as_is(&self, from: &str, to: &str) -> Result<ObjectMeta, StoreError> {
        let source = self.blob_url(from)?.to_string();
        let dest = self.blob(to)?;
        let started = dest
            .start_copy_from_url(source, None)
            .await
            .map_err(|e| self.fail(to, &e))?;
        let mut status = started.copy_status().ok().flatten();
        // Within one account a copy is usually complete at once; otherwise poll it.
        let mut waited = Duration::ZERO;
        while matches!(status, Some(CopyStatus::Pending)) && waited < OPERATION_TIMEOUT {
            tokio::time::sleep(Duration::from_millis(100)).await;
            waited += Duration::from_millis(100);
            let p = dest
                .get_properties(None)
                .await
                .map_err(|e| self.fail(to, &e))?;
            status = p.copy_status().ok().flatten();
        }
        if let Some(s @ (CopyStatus::Failed | CopyStatus::Aborted | CopyStatus::Pending)) = status {
            return Err(StoreError::failed(
                self.describe(),
                to,
                format!("the server-side copy from '{from}' ended as {s:?}; run the command again"),
                None,
            ));
        }
        self.head_inner(to).await?.ok_or_else(|| {
            StoreError::failed(
                self.describe(),
                to,
                "the copy finished but the blob is not there; run the command again",
                None,
            )
        })
    }

    async fn head_inner(&self, key: &str) -> Result<Option<ObjectMeta>, StoreError> {
        let r = match self.blob(key)?.get_properties(None).await {
            Ok(r) => r,
            Err(e) if e.http_status().map(u16::from) == Some(404) => return Ok(None),
            Err(e) => return Err(self.fail(key, &e)),
        };
        let size = r.content_length().ok().flatten().unwrap_or(0);
        Ok(Some(meta(
            key,
            size,
            r.etag().ok().flatten(),
            r.content_md5().ok().flatten(),
            r.content_type().ok().flatten(),
            r.cache_control().ok().flatten(),
        )))
    }
}

/// What a store reports of one blob, with the ETag unquoted and the MD5 as hex.
/// Whether a store error says the server did not answer (timed out or unreachable).
fn unresponsive(e: &StoreError) -> bool {
    matches!(e, StoreError::Failed { source: Some(c), .. }
        if c.downcast_ref::<AzureCause>().is_some_and(|c| c.timed_out || c.unreachable))
}

fn meta(
    key: &str,
    size: u64,
    etag: Option<Etag>,
    md5: Option<Vec<u8>>,
    content_type: Option<String>,
    cache_control: Option<String>,
) -> ObjectMeta {
    ObjectMeta {
        key: key.to_string(),
        size,
        etag: etag
            .map(|e| e.to_string().trim_matches('"').to_string())
            .unwrap_or_default(),
        content_id: md5.filter(|m| !m.is_empty()).map(hex::encode),
        content_type,
        cache_control,
    }
}

/// A quoted ETag for If-Match, as Azure sends them in headers.
fn quoted(t: &str) -> Etag {
    Etag::from(format!("\"{}\"", t.trim_matches('"')))
}

/// Options trait shim: the container client takes its own options type with the same fields.
trait IntoContainer {
    fn into_container(self) -> azure_storage_blob::BlobContainerClientOptions;
}

impl IntoContainer for BlobClientOptions {
    fn into_container(self) -> azure_storage_blob::BlobContainerClientOptions {
        azure_storage_blob::BlobContainerClientOptions {
            client_options: self.client_options,
            version: self.version,
        }
    }
}

#[async_trait]
impl ObjectStore for AzureStore {
    fn describe(&self) -> String {
        match &self.settings.endpoint {
            Some(ep) => format!(
                "azure://{}/{} at {ep}",
                self.settings.account, self.container
            ),
            None => format!("azure://{}/{}", self.settings.account, self.container),
        }
    }

    fn check_key(&self, key: &str) -> Result<(), StoreError> {
        let chars = key.chars().count();
        let segments = key.split('/').count();
        let reason = if chars > MAX_NAME_CHARS {
            format!(
                "it is {chars} characters long and Azure blob names hold at most {MAX_NAME_CHARS}; use a shorter version or file name"
            )
        } else if segments > MAX_SEGMENTS {
            format!(
                "it has {segments} path segments and Azure blob names hold at most {MAX_SEGMENTS}; use fewer folders"
            )
        } else if key.ends_with('.') || key.ends_with('/') {
            "Azure does not allow blob names that end with '.' or '/'; rename the file".to_string()
        } else {
            return Ok(());
        };
        Err(StoreError::InvalidKey {
            store: self.describe(),
            key: super::shown_key(key),
            reason,
        })
    }

    async fn get(&self, key: &str) -> Result<Option<Object>, StoreError> {
        if self.check_key(key).is_err() {
            return Ok(None);
        }
        self.bounded(key, async {
            let r = match self.blob(key)?.download(None).await {
                Ok(r) => r,
                Err(e) if e.http_status().map(u16::from) == Some(404) => return Ok(None),
                Err(e) => return Err(self.fail(key, &e)),
            };
            let p = r.properties;
            let body = r.body.collect().await.map_err(|e| {
                let cause = AzureCause::from_sdk(&e);
                StoreError::failed(
                    self.describe(),
                    key,
                    format!("the download was cut off ({}); try again", cause.message),
                    Some(Arc::new(cause)),
                )
            })?;
            let mut m = meta(
                key,
                body.len() as u64,
                p.etag,
                p.content_md5,
                p.content_type,
                p.cache_control,
            );
            m.size = body.len() as u64;
            Ok(Some(Object { meta: m, body }))
        })
        .await
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectMeta>, StoreError> {
        if self.check_key(key).is_err() {
            return Ok(None);
        }
        self.bounded(key, self.head_inner(key)).await
    }

    async fn put(
        &self,
        key: &str,
        body: Bytes,
        headers: &Headers,
        condition: &Condition,
    ) -> Result<ObjectMeta, StoreError> {
        self.bounded(key, async {
            let md5 = Md5::digest(&body).to_vec();
            let size = body.len() as u64;
            let mut opts = BlockBlobClientUploadOptions {
                blob_content_type: Some(headers.content_type.clone()),
                blob_cache_control: Some(headers.cache_control.clone()),
                blob_content_md5: Some(md5.clone()),
                ..Default::default()
            };
            match condition {
                Condition::None => {}
                Condition::IfAbsent => opts.if_none_match = Some(Etag::from("*")),
                Condition::IfMatch(t) => opts.if_match = Some(quoted(t)),
            }
            let r = self
                .blob(key)?
                .block_blob_client()
                .upload(RequestContent::from(body.to_vec()), Some(opts))
                .await;
            let out = match r {
                Ok(o) => o,
                Err(e) => {
                    let status = e.http_status().map(u16::from);
                    // 409 BlobAlreadyExists (create-only), 412 (stale If-Match) and 404 (If-Match
                    // on a blob that is gone) all mean someone else changed it.
                    let conflict = match condition {
                        Condition::None => false,
                        Condition::IfAbsent => matches!(status, Some(409 | 412)),
                        Condition::IfMatch(_) => matches!(status, Some(404 | 409 | 412)),
                    };
                    if conflict {
                        return Err(StoreError::PreconditionFailed {
                            key: key.to_string(),
                        });
                    }
                    return Err(self.fail(key, &e));
                }
            };
            Ok(meta(
                key,
                size,
                out.etag,
                Some(md5),
                Some(headers.content_type.clone()),
                Some(headers.cache_control.clone()),
            ))
        })
        .await
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>, StoreError> {
        self.bounded(prefix, async {
            let opts = BlobContainerClientListBlobsOptions {
                prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
                maxresults: Some(5000),
                ..Default::default()
            };
            let mut pager = self
                .container_client()?
                .list_blobs(Some(opts))
                .map_err(|e| self.fail(prefix, &e))?;
            let mut out = Vec::new();
            while let Some(item) = pager.next().await {
                let item = item.map_err(|e| self.fail(prefix, &e))?;
                let Some(name) = item.name else { continue };
                let p = item.properties.unwrap_or_default();
                out.push(meta(
                    &name,
                    p.content_length.unwrap_or(0),
                    p.etag,
                    p.content_md5,
                    p.content_type,
                    p.cache_control,
                ));
            }
            out.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(out)
        })
        .await
    }

    async fn copy(
        &self,
        from: &str,
        to: &str,
        headers: &Headers,
    ) -> Result<Option<String>, StoreError> {
        let stage = format!("{STAGING}{:016x}", rand::random::<u64>());
        // One deadline for the whole copy, its clean-up included: a server that stops answering
        // right after a copy must not hold this operation past the deadline (nor let it report
        // success and start the next one, which would wait its own full timeout).
        let deadline = Instant::now() + OPERATION_TIMEOUT;
        let r = self
            .bounded_until(deadline, to, async {
                // 1. The release file to a staging blob nobody serves.
                let staged = self.copy_as_is(from, &stage).await?;
                // 2. The alias headers on the staging blob, with its MD5 sent again.
                let md5 = staged.content_id.as_deref().and_then(|h| hex::decode(h).ok());
                let opts = BlobClientSetPropertiesOptions {
                    blob_content_type: Some(headers.content_type.clone()),
                    blob_cache_control: Some(headers.cache_control.clone()),
                    blob_content_md5: md5,
                    ..Default::default()
                };
                self.blob(&stage)?
                    .set_properties(Some(opts))
                    .await
                    .map_err(|e| self.fail(&stage, &e))?;
                // 3. Into place: the alias blob gets content and headers in one step.
                let placed = self.copy_as_is(&stage, to).await?;
                if placed.cache_control.as_deref() != Some(headers.cache_control.as_str())
                    || placed.content_type.as_deref() != Some(headers.content_type.as_str())
                {
                    return Err(StoreError::failed(
                        self.describe(),
                        to,
                        "the copy did not carry the alias headers; run `shipdeck verify` and `shipdeck repair`",
                        None,
                    ));
                }
                Ok(placed.content_id)
            })
            .await;
        // The staging blob goes; one left behind is harmless (never served from a published
        // prefix, and the next copy does not reuse its name). After a failure the server may be
        // the problem, so the clean-up gets a short wait and the failure is reported at once.
        // After a success it gets what is left of the deadline; a server that stops answering
        // then is reported (the copy stands, and `shipdeck resume` sees it is already right).
        match r {
            Ok(id) => {
                let cleanup = self
                    .bounded_until(deadline, &stage, self.delete(&stage))
                    .await;
                if cleanup.as_ref().err().is_some_and(unresponsive) {
                    return Err(self.failed(to, AzureCause::timeout()));
                }
                Ok(id)
            }
            Err(e) => {
                if !unresponsive(&e) {
                    let short = Instant::now() + Duration::from_secs(2);
                    let _ = self.bounded_until(short, &stage, self.delete(&stage)).await;
                }
                Err(e)
            }
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        if self.check_key(key).is_err() {
            return Ok(());
        }
        self.bounded(key, async {
            match self
                .blob(key)?
                .delete(Some(BlobClientDeleteOptions::default()))
                .await
            {
                Ok(_) => Ok(()),
                Err(e) if e.http_status().map(u16::from) == Some(404) => Ok(()),
                Err(e) => Err(self.fail(key, &e)),
            }
        })
        .await
    }
}
