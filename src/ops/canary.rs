//! Gradual promotes in edge mode: a canary is the alias's KeyValueStore key naming a second
//! release for a share of viewers (`1.0.1;1.1.0=5`, see `domain::edge_alias`). Starting one,
//! changing its share and aborting it are each a plan, a lock and a history entry, and a key
//! write over the ETag the plan read; finishing one is an ordinary promote (the CLI runs it).
//! The release state does not change until the canary is finished.

use super::edge_keys::KeyWrite;
use super::records::load_state;
use super::{Context, lock};
use crate::cdn::alias_keys::AliasKeys;
use crate::domain::alias::AliasName;
use crate::domain::edge_alias::{self, Canary, EdgeTarget};
use crate::domain::history::AliasChange;
use crate::error::{Error, NotFound, Result};
use semver::Version;
use serde::Serialize;

/// A canary step as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Start { version: Version, percent: u8 },
    Set { percent: u8 },
    Abort,
}

/// What a step will write, read from the state and the edge now.
#[derive(Debug, Clone, Serialize)]
pub struct CanaryPlan {
    pub alias: String,
    pub description: String,
    /// The key's value now.
    pub before: Option<String>,
    /// The key's value after the step.
    pub after: String,
    /// The KeyValueStore's ETag the write requires.
    pub etag: String,
    pub applied: bool,
    pub history_id: Option<String>,
}

/// What a step reads: the state, the alias's release in it, its key at the edge, the ETag.
struct Read {
    state: crate::domain::state::State,
    target: Version,
    edge: Option<String>,
    etag: String,
}

async fn read(ctx: &Context, kvs: &dyn AliasKeys, alias: &AliasName) -> Result<Read> {
    let (state, _) = load_state(ctx).await?;
    let target = state
        .core
        .aliases
        .get(alias)
        .map(|r| r.target.clone())
        .ok_or_else(|| NotFound::Alias(alias.to_string()))?;
    let snap = kvs.read().await?;
    Ok(Read {
        state,
        target,
        edge: snap.items.get(&alias.to_string()).cloned(),
        etag: snap.etag,
    })
}

/// The running canary's release, which `canary finish` promotes like any release.
pub async fn finishing(ctx: &Context, kvs: &dyn AliasKeys, alias: &AliasName) -> Result<Version> {
    let r = read(ctx, kvs, alias).await?;
    Ok(edge_alias::canary_of(&alias.to_string(), &r.target, r.edge.as_deref())?.version)
}

pub async fn plan(
    ctx: &Context,
    kvs: &dyn AliasKeys,
    alias: &AliasName,
    step: &Step,
) -> Result<CanaryPlan> {
    if !kvs.canary() {
        return Err(crate::domain::edge_alias::CanaryError::NoSplit {
            store: kvs.describe(),
        }
        .into());
    }
    let Read {
        state,
        target,
        edge,
        etag,
    } = read(ctx, kvs, alias).await?;
    let name = alias.to_string();
    let (after, description): (EdgeTarget, String) = match step {
        Step::Start { version, percent } => {
            let rel = state
                .core
                .releases
                .get(version)
                .ok_or_else(|| NotFound::Version(version.clone()))?;
            if let Some(y) = &rel.yanked {
                return Err(crate::domain::change::Refusal::PromoteYanked {
                    version: version.clone(),
                    reason: y.reason.clone(),
                }
                .into());
            }
            alias.check_target(version)?;
            (
                edge_alias::canary_start(&name, &target, edge.as_deref(), version, *percent)?,
                format!("canary {name}: {version} for {percent} % of viewers"),
            )
        }
        Step::Set { percent } => (
            edge_alias::canary_set(&name, &target, edge.as_deref(), *percent)?,
            format!("canary {name}: {percent} % of viewers"),
        ),
        Step::Abort => {
            let Canary { version, .. } = edge_alias::canary_of(&name, &target, edge.as_deref())?;
            (
                edge_alias::canary_abort(&name, &target, edge.as_deref())?,
                format!("canary {name}: abort {version}, every viewer on {target}"),
            )
        }
    };
    Ok(CanaryPlan {
        alias: name,
        description,
        before: edge,
        after: after.to_string(),
        etag,
        applied: false,
        history_id: None,
    })
}

/// Writes the step under the lock, over the ETag the plan read, and records it.
pub async fn apply(ctx: &Context, kvs: &dyn AliasKeys, mut plan: CanaryPlan) -> Result<CanaryPlan> {
    let lease = lock::acquire(ctx, &plan.description).await?;
    let written = kvs
        .write(&plan.etag, &[(plan.alias.clone(), plan.after.clone())], &[])
        .await
        .map_err(Error::from);
    let recorded = match written {
        Ok(_) => {
            plan.applied = true;
            let change = AliasChange {
                alias: plan.alias.clone(),
                from: plan.before.clone(),
                to: Some(plan.after.clone()),
            };
            plan.history_id =
                super::edge_keys::record(ctx, plan.description.clone(), vec![change]).await;
            Ok(plan)
        }
        Err(e) => Err(e),
    };
    lease.release(ctx).await;
    recorded
}

/// Every alias with a canary at the edge.
pub async fn status(kvs: &dyn AliasKeys) -> Result<Vec<KeyWrite>> {
    let snap = kvs.read().await?;
    Ok(snap
        .items
        .into_iter()
        .filter(|(_, v)| v.parse::<EdgeTarget>().is_ok_and(|t| t.canary.is_some()))
        .map(|(key, value)| KeyWrite { key, value })
        .collect())
}
