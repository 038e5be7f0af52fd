//! Planning alias changes (promote, rollback, unpin, yank, unyank) and resuming or reverting an
//! interrupted operation. The rules are in `domain::change`; this module reads what it needs
//! from the store and turns the decision into a complete [`Plan`].

use super::Context;
use super::records::{load_state, require_manifest};
use crate::domain::alias::AliasName;
use crate::domain::change::{Request, decide};
use crate::domain::manifest::Manifest;
use crate::domain::plan::{
    Existing, FileOp, FileOpKind, Plan, alias_invalidation_path, alias_moves, sync_ops,
};
use crate::domain::state::{Core, PublishingRecord, State};
use crate::error::{Error, Result};
use chrono::Utc;
use std::collections::BTreeSet;

/// Plans a change; if the same change was interrupted earlier, plans finishing it instead.
pub async fn plan_change(ctx: &Context, req: &Request) -> Result<Plan> {
    let (state, etag) = load_state(ctx).await?;
    if let Some(f) = &state.in_flight {
        if f.description == req.description() {
            return plan_resume(ctx, false).await;
        }
        return Err(unfinished(&state));
    }
    let out = decide(&state.core, req, &ctx.actor, Utc::now()).map_err(Error::Refused)?;
    let mut plan = finish_plan(ctx, &state, etag, req.description(), out.next, &[]).await?;
    plan.release_changes = out.release_changes;
    plan.notes.extend(out.notes);
    Ok(plan)
}

/// The error for a state with an unfinished operation.
pub fn unfinished(state: &State) -> Error {
    let f = state
        .in_flight
        .as_ref()
        .expect("called with an operation in flight");
    Error::Unfinished {
        description: f.description.clone(),
        by: f.by.clone(),
        at: f.started_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    }
}

/// Lists a folder as paths relative to it.
async fn existing(ctx: &Context, dir: &str) -> Result<Vec<Existing>> {
    Ok(ctx
        .store
        .list(dir)
        .await?
        .into_iter()
        .map(|m| Existing {
            path: m.key[dir.len()..].to_string(),
            size: m.size,
            content_id: m.content_id,
        })
        .collect())
}

/// Completes a plan for moving from `state.core` to `next`: the file operations that make every
/// moved alias folder (and every alias in `also_sync`) match its target, and the CDN paths.
pub async fn finish_plan(
    ctx: &Context,
    state: &State,
    base_etag: Option<String>,
    description: String,
    next: Core,
    also_sync: &[AliasName],
) -> Result<Plan> {
    finish_plan_with(ctx, state, base_etag, description, next, also_sync, None).await
}

/// As [`finish_plan`], when a release is being published in the same operation: its manifest
/// is not in the store yet, so it is passed in.
pub async fn finish_plan_with(
    ctx: &Context,
    state: &State,
    base_etag: Option<String>,
    description: String,
    next: Core,
    also_sync: &[AliasName],
    publishing: Option<&Manifest>,
) -> Result<Plan> {
    let moves = alias_moves(&state.core, &next);
    let mut names: BTreeSet<AliasName> = moves.iter().map(|m| m.alias.clone()).collect();
    names.extend(also_sync.iter().cloned());
    let mut file_ops = Vec::new();
    let mut unchanged = 0;
    let mut invalidations = Vec::new();
    // Each target release is read once, however many aliases move to it.
    let mut targets: Vec<Manifest> = Vec::new();
    for name in names {
        let dst_dir = ctx.layout.alias_dir(&name);
        let target = next.aliases.get(&name).map(|r| r.target.clone());
        // The alias folder is listed while the target's manifest is read: one round trip less.
        let listing = existing(ctx, &dst_dir);
        let (manifest, src_dir, src, dst) = match &target {
            Some(v) => {
                let known = match (publishing, targets.iter().find(|t| &t.version == v)) {
                    (Some(p), _) if &p.version == v => Some(p.clone()),
                    (_, Some(t)) => Some(t.clone()),
                    _ => None,
                };
                let (m, dst) = match known {
                    Some(m) => (m, listing.await?),
                    None => {
                        let (m, dst) = tokio::join!(require_manifest(ctx, v), listing);
                        (m?, dst?)
                    }
                };
                let dir = ctx.layout.release_dir(v);
                // The release folder's content ids: recorded in the manifest, or listed.
                let src = if publishing.is_some_and(|p| &p.version == v) {
                    Vec::new()
                } else if let Some(known) = m.existing() {
                    known
                } else {
                    existing(ctx, &dir).await?
                };
                if !targets.iter().any(|t| t.version == m.version) {
                    targets.push(m.clone());
                }
                (Some(m), dir, src, dst)
            }
            None => (None, String::new(), Vec::new(), listing.await?),
        };
        let (ops, same) = sync_ops(
            &src_dir,
            &dst_dir,
            manifest.as_ref(),
            &src,
            &dst,
            &ctx.alias_cache_control,
        );
        unchanged += same;
        if !ops.is_empty() && ctx.cdn.enabled() {
            invalidations.push(alias_invalidation_path(ctx.cdn.path_prefix(), &name));
        }
        file_ops.extend(ops);
    }
    let notes = invalidation_cost(ctx, invalidations.len())
        .into_iter()
        .collect();
    Ok(Plan {
        description,
        alias_moves: moves,
        file_ops,
        unchanged_files: unchanged,
        invalidations,
        notes,
        next,
        base_etag,
        targets,
        base: Some(Box::new(state.clone())),
        resumes: state.in_flight.is_some(),
        ..Default::default()
    })
}

/// What `paths` invalidation paths cost, from the pricing file (e.g. CloudFront's free 1,000).
fn invalidation_cost(ctx: &Context, paths: usize) -> Option<String> {
    let (provider, id) = ctx.cdn.path_price()?;
    if paths == 0 {
        return None;
    }
    let table = super::cost::pricing(provider).ok()?;
    let p = table.get(id).ok()?;
    let free = crate::domain::cost::fmt_qty(p.free);
    Ok::<_, ()>(format!(
        "{paths} CDN path(s): the first {free} paths a month are free, then ${} per path (at most ${:.3} for these)",
        p.first_price(),
        p.cost(paths as f64)
    ))
    .ok()
}

/// Plans finishing (or, with `revert`, undoing) the operation recorded as in flight.
pub async fn plan_resume(ctx: &Context, revert: bool) -> Result<Plan> {
    let (state, etag) = load_state(ctx).await?;
    let Some(f) = state.in_flight.clone() else {
        return Err(Error::Refused(
            "nothing to resume: no unfinished operation is recorded for this profile".into(),
        ));
    };
    if !revert {
        if let Some(p) = &f.publishing {
            return super::publish::plan_resume_publish(ctx, &state, etag, &f, p).await;
        }
        let mut plan = finish_plan(
            ctx,
            &state,
            etag,
            f.description.clone(),
            f.next.clone(),
            &[],
        )
        .await?;
        plan.notes.push(format!(
            "finishing '{}', started by {} at {}",
            f.description,
            f.by,
            f.started_at.format("%Y-%m-%d %H:%M:%S UTC")
        ));
        return Ok(plan);
    }
    // Revert: put every alias the operation touched back where the committed state says.
    let touched: Vec<AliasName> = alias_moves(&state.core, &f.next)
        .into_iter()
        .map(|m| m.alias)
        .collect();
    let mut plan = finish_plan(
        ctx,
        &state,
        etag,
        format!("revert {}", f.description),
        state.core.clone(),
        &touched,
    )
    .await?;
    if let Some(PublishingRecord { version, .. }) = &f.publishing {
        let dir = ctx.layout.release_dir(version);
        for m in ctx.store.list(&dir).await? {
            plan.file_ops.push(delete_op(m.key, m.size));
        }
        let mk = ctx.layout.manifest_key(version);
        if ctx.store.head(&mk).await?.is_some() {
            plan.file_ops.push(delete_op(mk, 0));
        }
        plan.release_changes
            .push(format!("the partial upload of {version} is removed"));
    }
    plan.notes
        .push(format!("undoing '{}', started by {}", f.description, f.by));
    Ok(plan)
}

fn delete_op(key: String, size: u64) -> FileOp {
    FileOp {
        kind: FileOpKind::Delete,
        key,
        source: None,
        size,
        content_type: String::new(),
        cache_control: String::new(),
        entry: false,
    }
}
