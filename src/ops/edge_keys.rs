//! Edge aliases against the release state. `edge status` reads the CDN's KeyValueStore and
//! compares each alias's key with what the state says it serves (`domain::edge_alias`);
//! `edge sync` writes the keys that differ in one call over the ETag it read (so a colleague's
//! write in between is refused, never lost) and records the change in history. In edge mode
//! (`alias_mode = "edge"`), every change writes its moved aliases' keys before its copies
//! ([`write_moves`]), so browsers get a rollback within seconds; the copies keep the fallback
//! folders right.

use super::records::{append_history, load_state};
use super::{Context, new_id};
use crate::cdn::alias_keys::{AliasKeys, KeysError as KvsError};
use crate::domain::alias::AliasName;
use crate::domain::edge_alias::{AliasKey, KeyVerdict, compare, sync_writes};
use crate::domain::history::{AliasChange, HistoryEvent, Operation};
use crate::domain::plan::AliasMove;
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
    /// The functions that read the keys (`edge status` asks the control plane; other callers
    /// leave it unasked).
    pub functions: Functions,
}

/// The functions reading the keys, as far as they could be asked.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Functions {
    NotAsked,
    Known {
        functions: Vec<super::edge_setup::FunctionState>,
    },
    /// The control plane did not answer; the keys' verdicts stand.
    Unknown {
        error: String,
    },
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

pub async fn status(ctx: &Context, kvs: &dyn AliasKeys) -> Result<EdgeStatus> {
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
        functions: Functions::NotAsked,
    })
}

/// `edge status`: the keys, and the functions' stages and code from the control plane.
pub async fn full_status(
    ctx: &Context,
    kvs: &dyn AliasKeys,
    control: &crate::cdn::edge_control::EdgeControl,
    name: &str,
    code: &crate::domain::edge_alias::cloudfront::Functions,
) -> Result<EdgeStatus> {
    let mut report = status(ctx, kvs).await?;
    report.functions = match super::edge_setup::functions(control, name, code).await {
        Ok(functions) => Functions::Known { functions },
        Err(e) => Functions::Unknown {
            error: e.to_string(),
        },
    };
    Ok(report)
}

/// The writes that make the edge agree with the state.
pub async fn plan_sync(ctx: &Context, kvs: &dyn AliasKeys) -> Result<EdgeSync> {
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
pub async fn apply_sync(
    ctx: &Context,
    kvs: &dyn AliasKeys,
    mut plan: EdgeSync,
) -> Result<EdgeSync> {
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
    plan.history_id = record(ctx, format!("edge sync of {}", kvs.describe()), changes).await;
    Ok(plan)
}

/// Records key writes as an `edge` history event; its id, or `None` when history could not be
/// appended (the keys are written: that is said, not an error that would suggest otherwise).
pub(super) async fn record(
    ctx: &Context,
    description: String,
    changes: Vec<AliasChange>,
) -> Option<String> {
    let event = HistoryEvent {
        id: new_id(),
        at: Utc::now(),
        by: ctx.actor.clone(),
        action: Operation::Edge,
        description,
        changes,
        outcome: "ok".into(),
        detail: None,
        commit: None,
        invalidation: None,
    };
    match append_history(ctx, &event).await {
        Ok(()) => Some(event.id),
        Err(e) => {
            tracing::warn!(error = %e, "edge keys written but not recorded in history");
            None
        }
    }
}

/// What edge mode wrote for a change's moved aliases, before its copies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum EdgeKeysOutcome {
    /// The moved aliases' keys now name their targets (`etag`: the store's after the write).
    Written {
        keys: Vec<KeyWrite>,
        deleted: Vec<String>,
        etag: String,
    },
    /// Every moved alias's key already named its target.
    Unchanged,
}

/// The moves as key writes: a put per alias with a target, a delete per alias that goes away.
fn key_moves(moves: &[AliasMove]) -> Vec<(String, Option<String>)> {
    moves
        .iter()
        .filter(|m| m.from != m.to)
        .map(|m| (m.alias.to_string(), m.to.as_ref().map(ToString::to_string)))
        .collect()
}

/// The plan's line about the edge, in edge mode.
pub fn plan_note(moves: &[AliasMove], purges_aliases: bool) -> Option<String> {
    let keys = key_moves(moves);
    if keys.is_empty() {
        return None;
    }
    let list: Vec<String> = keys
        .iter()
        .map(|(a, t)| format!("{a} → {}", t.as_deref().unwrap_or("no key")))
        .collect();
    Some(if purges_aliases {
        format!(
            "edge: 1 rule write ({}) before the copies, 0 copies at the edge; Front Door caches by the alias's path, so the alias paths are still purged below",
            list.join(", ")
        )
    } else {
        format!(
            "edge: 1 key write ({}) before the copies, 0 copies at the edge; the copies below keep the fallback folders right",
            list.join(", ")
        )
    })
}

/// Edge mode: makes the key of each moved alias name its new target (or removes it), in one
/// write over the ETag read now; keys already right are left alone.
pub async fn write_moves(
    kvs: &dyn AliasKeys,
    moves: &[AliasMove],
) -> std::result::Result<EdgeKeysOutcome, KvsError> {
    let wanted = key_moves(moves);
    if wanted.is_empty() {
        return Ok(EdgeKeysOutcome::Unchanged);
    }
    // One moved alias (a rollback, an unpin): its key alone, so browsers get the move after
    // three calls (ETag, key, write); more: one listing.
    let snap = if let [(alias, _)] = wanted.as_slice() {
        kvs.read_keys(std::slice::from_ref(alias)).await?
    } else {
        kvs.read().await?
    };
    let mut puts = Vec::new();
    let mut deletes = Vec::new();
    for (alias, target) in wanted {
        match target {
            Some(t) if snap.items.get(&alias) != Some(&t) => puts.push((alias, t)),
            None if snap.items.contains_key(&alias) => deletes.push(alias),
            _ => {}
        }
    }
    if puts.is_empty() && deletes.is_empty() {
        return Ok(EdgeKeysOutcome::Unchanged);
    }
    let etag = kvs.write(&snap.etag, &puts, &deletes).await?;
    Ok(EdgeKeysOutcome::Written {
        keys: puts
            .into_iter()
            .map(|(key, value)| KeyWrite { key, value })
            .collect(),
        deleted: deletes,
        etag,
    })
}
