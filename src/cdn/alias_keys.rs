//! Where edge aliases live at the CDN: one key per alias whose value names the release the
//! alias serves (`domain::edge_alias`). Two backends: a CloudFront KeyValueStore read by a
//! viewer-request function (`cdn::kvs`), and an Azure Front Door rule set with one URL-rewrite
//! rule per alias (`cdn::frontdoor_rules`). Edge mode, `edge status|sync` and the listing use
//! this trait and never know which CDN they talk to, except through what it can do: a canary
//! needs per-viewer selection (CloudFront only), and Front Door keys its cache on the request's
//! path, so moving an alias there still purges the alias's paths.

use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What the store holds, and the ETag a write must name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysSnapshot {
    pub etag: String,
    pub items: BTreeMap<String, String>,
}

/// Why the keys could not be read or written.
#[derive(Debug, Clone, thiserror::Error)]
pub enum KeysError {
    #[error(
        "someone else changed the {store} since it was read; nothing was written — run the command again"
    )]
    Changed { store: String },
    #[error("{store}: {cause}")]
    Call {
        store: String,
        cause: String,
        #[source]
        source: Option<Arc<dyn std::error::Error + Send + Sync>>,
    },
}

#[async_trait]
pub trait AliasKeys: Send + Sync {
    /// The store as a user names it ("KeyValueStore arn:…", "Front Door rule set …").
    fn describe(&self) -> String;
    /// Whether a value may carry a canary (`1.0.1;1.1.0=5`).
    fn canary(&self) -> bool;
    /// Whether the CDN caches alias files under the alias's path, so a moved key still needs
    /// the alias's paths purged (Front Door); CloudFront's function rewrites before its cache.
    fn purges_aliases(&self) -> bool;
    /// Every key and value, with the ETag of this state.
    async fn read(&self) -> Result<KeysSnapshot, KeysError>;
    /// Only `keys` (those that exist), with the ETag read before them.
    async fn read_keys(&self, keys: &[String]) -> Result<KeysSnapshot, KeysError>;
    /// Puts and deletes keys if the store is still at `etag`; the new ETag.
    async fn write(
        &self,
        etag: &str,
        puts: &[(String, String)],
        deletes: &[String],
    ) -> Result<String, KeysError>;
}
