//! Object stores: the one small trait every backend (local directory, S3, Azure Blob) implements.
//!
//! The trait is deliberately tiny — get, head, put with a precondition, list, server-side copy,
//! delete — so a new backend is one file, and one shared contract suite (`tests/contract`)
//! proves that every backend behaves the same, as apache `object_store` does.

pub mod azure;
#[cfg(feature = "test-faults")]
pub mod faulty;
pub mod local;
pub mod s3;
pub mod silence;
pub(crate) mod tree;

use async_trait::async_trait;
use bytes::Bytes;

/// Headers a published object carries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Headers {
    pub content_type: String,
    pub cache_control: String,
}

/// A write precondition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    None,
    /// Create only: fail if the key exists (`If-None-Match: *`).
    IfAbsent,
    /// Replace only the version with this ETag (`If-Match`).
    IfMatch(String),
}

/// What a store reports of one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    pub key: String,
    pub size: u64,
    /// Opaque version tag used for preconditions.
    pub etag: String,
    /// A value that is equal for equal content on this backend, when the backend knows one
    /// (SHA-256 on the local store, the single-part ETag on S3).
    pub content_id: Option<String>,
    pub content_type: Option<String>,
    pub cache_control: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Object {
    pub meta: ObjectMeta,
    pub body: Bytes,
}

pub use crate::adapters::Cause;

/// Why a store operation failed, in words a user can act on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// A precondition did not hold (412, or the object exists on create-only).
    #[error("'{key}' was changed by someone else — reload and retry")]
    PreconditionFailed { key: String },
    /// A key this backend can never hold (too long, a name the file system refuses): found
    /// while planning, before anything is written.
    #[error("{store} cannot hold '{key}': {reason}")]
    InvalidKey {
        store: String,
        key: String,
        reason: String,
    },
    /// Anything else: which store, which key (when one), what happened and what to do.
    #[error("{store}: {}{cause}", if key.is_empty() { String::new() } else { format!("'{key}': ") })]
    Failed {
        store: String,
        key: String,
        cause: String,
        #[source]
        source: Option<Cause>,
    },
}

/// A key shortened for a sentence: long keys are the usual reason they are refused.
pub fn shown_key(key: &str) -> String {
    let escaped = key.escape_debug().to_string();
    if escaped.chars().count() <= 80 {
        return escaped;
    }
    let head: String = escaped.chars().take(60).collect();
    let tail: String = escaped
        .chars()
        .rev()
        .take(16)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{head}…{tail}")
}

impl StoreError {
    /// A failure of `store` on `key`, explained by `cause`, with the error it came from.
    pub fn failed(
        store: impl Into<String>,
        key: impl Into<String>,
        cause: impl Into<String>,
        source: Option<Cause>,
    ) -> Self {
        StoreError::Failed {
            store: store.into(),
            key: key.into(),
            cause: cause.into(),
            source,
        }
    }
}

/// The storage contract. Keys use `/` separators and never start with `/`.
#[async_trait]
pub trait ObjectStore: Send + Sync {
    /// A short description for headers and errors, e.g. `local /srv/cdn` or `s3://bucket`.
    fn describe(&self) -> String;
    /// Whether this backend can hold `key` at all (its length and naming limits). Plans check
    /// every key they would write with it, so an impossible key is refused before any write.
    fn check_key(&self, key: &str) -> Result<(), StoreError>;
    async fn get(&self, key: &str) -> Result<Option<Object>, StoreError>;
    async fn head(&self, key: &str) -> Result<Option<ObjectMeta>, StoreError>;
    async fn put(
        &self,
        key: &str,
        body: Bytes,
        headers: &Headers,
        condition: &Condition,
    ) -> Result<ObjectMeta, StoreError>;
    /// Every object whose key starts with `prefix`, sorted by key.
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>, StoreError>;
    /// Server-side copy, replacing the headers with `headers`. Returns the new object's content
    /// id when the backend reports one, so a caller can confirm the copy without listing.
    async fn copy(
        &self,
        from: &str,
        to: &str,
        headers: &Headers,
    ) -> Result<Option<String>, StoreError>;
    /// Deletes `key`; deleting a missing key succeeds.
    async fn delete(&self, key: &str) -> Result<(), StoreError>;
}
