//! Edge aliases against the release state. `edge status` reads the CDN's KeyValueStore and
//! compares each alias's key with what the state says it serves (`domain::edge_alias`);
//! `edge sync` writes the keys that differ in one call over the ETag it read (so a colleague's
//! write in between is refused, never lost) and records the change in history.

use super::records::{append_history, load_state};
use super::{Context, new_id};
use crate::cdn::kvs::Kvs;
use crate::domain::alias::AliasName;
use crate::domain::edge_alias::{AliasKey, KeyVerdict, compare, sync_writes};
use crate::domain::history::{AliasChange, HistoryEvent, Operation};
use crate::error::Result;
use chrono::Utc;
use semver::Version;
use serde::Serialize;
use std::collections::BTreeMap;

/// Every alias beside its key, and the ETag of what was read.
#[derive(Debug, Clone, Serialize)]
pub struct EdgeStatus {
    pub kvs: String,
    pub etag: String,
    pub aliases: Vec<AliasKey>,
}

impl EdgeStatus {
    /// Whether every alias's key names the state's release and no key is left over.
    pub fn in_sync(&self) -> bool {
        self.aliases.iter().all(|a| a.verdict == KeyVerdict::InSync)
    }
}

/// One key a sync writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyWrite {
    pub key: String,
    pub value: String,
}

/// What `edge sync` would do or did.
#[derive(Debug, Clone, Serialize)]
pub struct EdgeSync {
    pub before: EdgeStatus,
    pub puts: Vec<KeyWrite>,
    pub deletes: Vec<String>,
    pub applied: bool,
    /// The store's ETag after the write.
    pub etag: Option<String>,
    pub history_id: Option<String>,
}

impl EdgeSync {
    pub fn is_noop(&self) -> bool {
        self.puts.is_empty() && self.deletes.is_empty()
    }
}

pub async fn status(ctx: &Context, kvs: &Kvs) -> Result<EdgeStatus> {
    let (state, _) = load_state(ctx).await?;
    let aliases: BTreeMap<AliasName, Version> = state
        .core
        .aliases
        .iter()
        .map(|(a, r)| (a.clone(), r.target.clone()))
        .collect();
    let snap = kvs.read().await?;
    Ok(EdgeStatus {
        kvs: kvs.describe(),
        etag: snap.etag,
        aliases: compare(&aliases, &snap.items),
    })
}

/// The writes that make the edge agree with the state.
pub async fn plan_sync(ctx: &Context, kvs: &Kvs) -> Result<EdgeSync> {
    let before = status(ctx, kvs).await?;
    let (puts, deletes) = sync_writes(&before.aliases);
    Ok(EdgeSync {
        before,
        puts: puts
            .into_iter()
            .map(|(key, value)| KeyWrite { key, value })
            .collect(),
        deletes,
        applied: false,
        etag: None,
        history_id: None,
    })
}

/// Writes the plan's keys if the store is still as the plan read it, then records it.
pub async fn apply_sync(ctx: &Context, kvs: &Kvs, mut plan: EdgeSync) -> Result<EdgeSync> {
    if plan.is_noop() {
        return Ok(plan);
    }
    let puts: Vec<(String, String)> = plan
        .puts
        .iter()
        .map(|w| (w.key.clone(), w.value.clone()))
        .collect();
    let etag = kvs.write(&plan.before.etag, &puts, &plan.deletes).await?;
    plan.applied = true;
    plan.etag = Some(etag);
    let was = |k: &str| {
        plan.before
            .aliases
            .iter()
            .find(|a| a.alias == k)
            .and_then(|a| a.edge.clone())
    };
    let mut changes: Vec<AliasChange> = plan
        .puts
        .iter()
        .map(|w| AliasChange {
            alias: w.key.clone(),
            from: was(&w.key),
            to: Some(w.value.clone()),
        })
        .collect();
    changes.extend(plan.deletes.iter().map(|k| AliasChange {
        alias: k.clone(),
        from: was(k),
        to: None,
    }));
    let event = HistoryEvent {
        id: new_id(),
        at: Utc::now(),
        by: ctx.actor.clone(),
        action: Operation::Edge,
        description: format!("edge sync of {}", kvs.describe()),
        changes,
        outcome: "ok".into(),
        detail: None,
        commit: None,
        invalidation: None,
    };
    // The keys are written: a history that cannot be appended is said, not an error that
    // would suggest the edge did not change.
    match append_history(ctx, &event).await {
        Ok(()) => plan.history_id = Some(event.id),
        Err(e) => tracing::warn!(error = %e, "edge sync done but not recorded in history"),
    }
    Ok(plan)
}
