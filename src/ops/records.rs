//! Reading and writing Shipdeck's own records: the state document (always with a precondition),
//! manifests (create-only) and history events (append-only, one object each).

use super::Context;
use crate::domain::history::{HistoryEvent, event_name};
use crate::domain::manifest::Manifest;
use crate::domain::state::{STATE_SCHEMA, State};
use crate::error::{Error, RecordError, Result};
use crate::store::{Condition, Headers, StoreError};
use bytes::Bytes;
use futures::stream::{self, StreamExt, TryStreamExt};
use semver::Version;

pub(crate) fn json_headers() -> Headers {
    Headers {
        content_type: "application/json".into(),
        cache_control: "no-store".into(),
    }
}

/// The state and its ETag (`None` when no state exists yet: a fresh store). A store that holds
/// release manifests but no state lost its state: that is damage, never "no releases yet".
pub async fn load_state(ctx: &Context) -> Result<(State, Option<String>)> {
    let key = ctx.layout.state_key();
    match ctx.store.get(&key).await? {
        None => {
            let manifests = ctx.store.list(&ctx.layout.manifests_dir()).await?;
            if !manifests.is_empty() {
                return Err(RecordError::StateMissing {
                    key,
                    store: ctx.store.describe(),
                    manifests: manifests.len(),
                }
                .into());
            }
            Ok((State::default(), None))
        }
        Some(obj) => {
            let state: State =
                serde_json::from_slice(&obj.body).map_err(|e| RecordError::StateDamaged {
                    key: key.clone(),
                    store: ctx.store.describe(),
                    reason: e.to_string(),
                })?;
            if state.schema != STATE_SCHEMA {
                return Err(RecordError::StateSchema {
                    key,
                    found: state.schema,
                    known: STATE_SCHEMA,
                }
                .into());
            }
            Ok((state, Some(obj.meta.etag)))
        }
    }
}

/// Encodes one of Shipdeck's records as pretty JSON.
pub(crate) fn to_json<T: serde::Serialize>(v: &T, what: &str) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(v).map_err(|e| {
        RecordError::Encode {
            what: what.to_string(),
            reason: e.to_string(),
        }
        .into()
    })
}

/// Writes the state only if it is still the version `etag` names; returns the new ETag.
pub async fn save_state(ctx: &Context, state: &State, etag: Option<&str>) -> Result<String> {
    let body = to_json(state, "the release state")?;
    match put_if(ctx, &ctx.layout.state_key(), body, etag).await {
        Ok(etag) => Ok(etag),
        Err(StoreError::PreconditionFailed { .. }) => Err(Error::Conflict),
        Err(e) => Err(e.into()),
    }
}

/// Writes one of Shipdeck's JSON records only if it is still the version `etag` names (absent
/// when `None`); the new ETag. Someone else's write in between is `PreconditionFailed`.
pub(crate) async fn put_if(
    ctx: &Context,
    key: &str,
    body: Vec<u8>,
    etag: Option<&str>,
) -> std::result::Result<String, StoreError> {
    let cond = match etag {
        Some(t) => Condition::IfMatch(t.to_string()),
        None => Condition::IfAbsent,
    };
    ctx.store
        .put(key, Bytes::from(body), &json_headers(), &cond)
        .await
        .map(|meta| meta.etag)
}

pub async fn load_manifest(ctx: &Context, v: &Version) -> Result<Option<Manifest>> {
    let key = ctx.layout.manifest_key(v);
    match ctx.store.get(&key).await? {
        None => Ok(None),
        Some(obj) => serde_json::from_slice(&obj.body).map(Some).map_err(|e| {
            RecordError::ManifestDamaged {
                version: v.clone(),
                key,
                reason: e.to_string(),
            }
            .into()
        }),
    }
}

/// Loads a manifest that must exist.
pub async fn require_manifest(ctx: &Context, v: &Version) -> Result<Manifest> {
    load_manifest(ctx, v).await?.ok_or_else(|| {
        RecordError::NoManifest {
            version: v.clone(),
            store: ctx.store.describe(),
        }
        .into()
    })
}

/// Writes a manifest once; an identical manifest already there counts as written.
pub async fn save_manifest(ctx: &Context, m: &Manifest) -> Result<()> {
    let key = ctx.layout.manifest_key(&m.version);
    let body = to_json(m, "a manifest")?;
    match ctx
        .store
        .put(
            &key,
            Bytes::from(body),
            &json_headers(),
            &Condition::IfAbsent,
        )
        .await
    {
        Ok(_) => Ok(()),
        Err(StoreError::PreconditionFailed { .. }) => {
            // Re-run of an interrupted publish: a manifest for the same files is fine.
            match load_manifest(ctx, &m.version).await? {
                Some(existing) if existing.files == m.files => Ok(()),
                _ => Err(RecordError::ManifestDiffers {
                    version: m.version.clone(),
                }
                .into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn append_history(ctx: &Context, event: &HistoryEvent) -> Result<()> {
    let key = format!("{}{}", ctx.layout.history_dir(), event_name(event));
    let body = to_json(event, "a history event")?;
    ctx.store
        .put(
            &key,
            Bytes::from(body),
            &json_headers(),
            &Condition::IfAbsent,
        )
        .await?;
    Ok(())
}

/// Replaces an event this run appended with a completed copy of itself (the invalidation id,
/// known only once the CDN answered). Only ever called on an event the caller just wrote.
pub async fn rewrite_history(ctx: &Context, event: &HistoryEvent) -> Result<()> {
    let key = format!("{}{}", ctx.layout.history_dir(), event_name(event));
    let body = to_json(event, "a history event")?;
    ctx.store
        .put(&key, Bytes::from(body), &json_headers(), &Condition::None)
        .await?;
    Ok(())
}

/// The newest `limit` events, newest first.
pub async fn read_history(ctx: &Context, limit: Option<usize>) -> Result<Vec<HistoryEvent>> {
    let mut keys = ctx.store.list(&ctx.layout.history_dir()).await?;
    keys.sort_by(|a, b| b.key.cmp(&a.key));
    if let Some(n) = limit {
        keys.truncate(n);
    }
    // One object per event: read them concurrently (in order), not one round trip at a time.
    // Futures built in a loop, not by a closure (see `apply::run_phase` for why).
    let mut reads = Vec::with_capacity(keys.len());
    for k in &keys {
        reads.push(ctx.store.get(&k.key));
    }
    let objects: Vec<_> = stream::iter(reads)
        .buffered(ctx.concurrency.max(1))
        .try_collect()
        .await?;
    Ok(objects
        .into_iter()
        .flatten()
        .filter_map(|obj| serde_json::from_slice::<HistoryEvent>(&obj.body).ok())
        .collect())
}
