//! Planning alias changes (promote, rollback, unpin, yank, unyank) and resuming or reverting an
//! interrupted operation. The rules are in `domain::change`; this module reads what it needs
//! from the store and turns the decision into a complete [`Plan`].

use super::Context;
use super::records::{load_manifest, load_state, require_manifest};
use crate::domain::alias::AliasName;
use crate::domain::change::{Refusal, Request, decide};
use crate::domain::edge::Visibility;
use crate::domain::manifest::Manifest;
use crate::domain::plan::{
    Existing, FileOp, FileOpKind, Plan, alias_invalidation_path, alias_moves, sync_ops,
};
use crate::domain::state::{Core, InFlight, PublishingRecord, State};
use crate::error::{Error, Result};
use chrono::Utc;
use futures::future::try_join_all;
use semver::Version;
use std::collections::{BTreeMap, BTreeSet};

/// Plans a change; if the same change was interrupted earlier, plans finishing it instead.
pub async fn plan_change(ctx: &Context, req: &Request) -> Result<Plan> {
    let (state, etag) = load_state(ctx).await?;
    if let Some(f) = &state.in_flight {
        super::lock::refuse_if_held(ctx).await?;
        if f.description == req.description() {
            return plan_resume(ctx, false).await;
        }
        return Err(unfinished(f));
    }
    let out = decide(&state.core, req, &ctx.actor, Utc::now())?;
    let mut plan = finish_plan(ctx, &state, etag, req.description(), out.next, &[]).await?;
    plan.release_changes = out.release_changes;
    plan.warnings = out.warnings;
    plan.notes.extend(out.notes);
    plan.browsers_first = matches!(req, Request::Rollback { .. });
    if let Request::Yank { version, .. } = req {
        plan.notes.extend(quiet_note(ctx, &version.to_string()));
    }
    Ok(plan)
}

/// What the cached access logs say of direct requests to `version`, for a yank: an informed
/// decision, from the cache alone (a plan never downloads logs).
fn quiet_note(ctx: &Context, version: &str) -> Option<String> {
    let path = ctx.traffic_cache.as_deref()?;
    let days = super::traffic::cached_quiet_days(path, Utc::now());
    Some(match days.get(version) {
        Some(0) => format!(
            "traffic: {version} was loaded directly today (cached access logs); pages still pin it"
        ),
        Some(d) => {
            format!("traffic: no direct requests to {version} for {d} day(s) (cached access logs)")
        }
        None => format!("traffic: no direct requests to {version} in the cached access logs"),
    })
}

/// Refuses a plan that would write a key the store can never hold (too long, a name its file
/// system refuses), before anything is written: a change must never fail half-way for a
/// reason known in advance.
pub(crate) fn check_keys(ctx: &Context, plan: &Plan) -> Result<()> {
    let writes = plan
        .file_ops
        .iter()
        .filter(|o| o.kind != FileOpKind::Delete)
        .map(|o| o.key.clone());
    let manifest = plan
        .manifest
        .as_ref()
        .map(|m| ctx.layout.manifest_key(&m.version));
    for key in writes.chain(manifest) {
        ctx.store.check_key(&key)?;
    }
    Ok(())
}

/// The error for an unfinished operation recorded in the state.
pub fn unfinished(f: &InFlight) -> Error {
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
/// moved alias folder (and every alias in `relist`) match its target, and the CDN paths.
///
/// What a folder holds now comes from the release state, as a Terraform plan comes from its
/// state: a committed alias folder holds exactly its target's files, whose content ids the
/// target's manifest records, so one small read replaces a listing. A folder is listed where
/// the state cannot tell: an alias's first target, a missing manifest, an operation left in
/// flight (resume, revert), and every alias in `relist` (repair).
pub async fn finish_plan(
    ctx: &Context,
    state: &State,
    base_etag: Option<String>,
    description: String,
    next: Core,
    relist: &[AliasName],
) -> Result<Plan> {
    finish_plan_with(ctx, state, base_etag, description, next, relist, None).await
}

/// What one alias folder holds, and the release it must hold.
struct Folder {
    alias: AliasName,
    /// The target's manifest and its folder's content ids (`None`: the alias is removed).
    target: Option<(Manifest, Vec<Existing>)>,
    now: Vec<Existing>,
}

/// Reads the manifests of `versions` (each read once, all at once; `true`: required, `false`:
/// a missing one is left out), plus the one being published, which is not in the store yet.
async fn read_manifests(
    ctx: &Context,
    mut versions: BTreeMap<Version, bool>,
    publishing: Option<&Manifest>,
) -> Result<BTreeMap<Version, Manifest>> {
    if let Some(p) = publishing {
        versions.remove(&p.version);
    }
    let mut manifests: BTreeMap<Version, Manifest> =
        try_join_all(versions.into_iter().map(|(v, required)| async move {
            let m = if required {
                Some(require_manifest(ctx, &v).await?)
            } else {
                load_manifest(ctx, &v).await?
            };
            Ok::<_, Error>(m.map(|m| (v, m)))
        }))
        .await?
        .into_iter()
        .flatten()
        .collect();
    if let Some(p) = publishing {
        manifests.insert(p.version.clone(), p.clone());
    }
    Ok(manifests)
}

/// As [`finish_plan`], when a release is being published in the same operation: its manifest
/// is not in the store yet, so it is passed in.
pub async fn finish_plan_with(
    ctx: &Context,
    state: &State,
    base_etag: Option<String>,
    description: String,
    next: Core,
    relist: &[AliasName],
    publishing: Option<&Manifest>,
) -> Result<Plan> {
    let moves = alias_moves(&state.core, &next);
    let mut names: BTreeSet<AliasName> = moves.iter().map(|m| m.alias.clone()).collect();
    names.extend(relist.iter().cloned());
    // The release the state says a folder holds, where the state can be trusted to say.
    let now_of = |name: &AliasName| {
        (state.in_flight.is_none() && !relist.contains(name))
            .then(|| state.core.aliases.get(name).map(|r| r.target.clone()))
            .flatten()
    };

    // Every manifest needed, each read once and all at once: the targets' (required), and the
    // current targets' when they describe the folders (a missing one means listing instead).
    let mut versions: BTreeMap<Version, bool> = BTreeMap::new();
    for name in &names {
        if let Some(v) = now_of(name) {
            versions.entry(v).or_insert(false);
        }
        if let Some(r) = next.aliases.get(name) {
            versions.insert(r.target.clone(), true);
        }
    }
    let manifests = read_manifests(ctx, versions, publishing).await?;

    // What each folder holds now (from a manifest, or listed), and each target's content ids
    // (recorded in its manifest, or listed for manifests that predate them), read together.
    let (manifests, next_ref, now_of) = (&manifests, &next, &now_of);
    let folders = try_join_all(names.iter().map(|name| async move {
        let dst_dir = ctx.layout.alias_dir(name);
        let known_now = now_of(name)
            .and_then(|v| manifests.get(&v))
            .and_then(Manifest::existing);
        let now = async {
            match known_now {
                Some(files) => Ok(files),
                None => existing(ctx, &dst_dir).await,
            }
        };
        let target = async {
            let Some(r) = next_ref.aliases.get(name) else {
                return Ok(None);
            };
            let m = manifests[&r.target].clone();
            let src = if publishing.is_some_and(|p| p.version == r.target) {
                Vec::new()
            } else if let Some(known) = m.existing() {
                known
            } else {
                existing(ctx, &ctx.layout.release_dir(&r.target)).await?
            };
            Ok::<_, Error>(Some((m, src)))
        };
        let (now, target) = tokio::try_join!(now, target)?;
        Ok::<_, Error>(Folder {
            alias: name.clone(),
            target,
            now,
        })
    }))
    .await?;

    let (file_ops, unchanged, invalidations) = folder_ops(ctx, folders);
    let mut notes: Vec<String> = invalidation_cost(ctx, invalidations.len())
        .into_iter()
        .collect();
    if let Some(keys) = &ctx.edge_keys {
        notes.extend(super::edge_keys::plan_note(&moves, keys.purges_aliases()));
    }
    let browsers = moves
        .iter()
        .any(|m| m.from != m.to)
        .then(|| Visibility::new(&ctx.alias_cache_control, !invalidations.is_empty()));
    let plan = Plan {
        description,
        browsers,
        alias_moves: moves,
        file_ops,
        unchanged_files: unchanged,
        invalidations,
        notes,
        next,
        base_etag,
        base: Some(Box::new(state.clone())),
        resumes: state.in_flight.is_some(),
        ..Default::default()
    };
    check_keys(ctx, &plan)?;
    Ok(plan)
}

/// The copies and deletions that bring each alias folder to its target, how many files are
/// already right, and the CDN paths of the folders that change.
fn folder_ops(ctx: &Context, folders: Vec<Folder>) -> (Vec<FileOp>, usize, Vec<String>) {
    let mut file_ops = Vec::new();
    let mut unchanged = 0;
    let mut invalidations = Vec::new();
    for f in folders {
        let src_dir = match &f.target {
            Some((m, _)) => ctx.layout.release_dir(&m.version),
            None => String::new(),
        };
        let (ops, same) = sync_ops(
            &src_dir,
            &ctx.layout.alias_dir(&f.alias),
            f.target.as_ref().map(|(m, _)| m),
            f.target
                .as_ref()
                .map(|(_, s)| s.as_slice())
                .unwrap_or_default(),
            &f.now,
            &ctx.alias_cache_control,
        );
        unchanged += same;
        if !ops.is_empty() && ctx.cdn.enabled() {
            invalidations.push(alias_invalidation_path(ctx.cdn.path_prefix(), &f.alias));
        }
        file_ops.extend(ops);
    }
    (file_ops, unchanged, invalidations)
}

/// What `paths` invalidation paths cost, from the pricing file (e.g. CloudFront's free 1,000).
fn invalidation_cost(ctx: &Context, paths: usize) -> Option<String> {
    let (provider, id) = ctx.cdn.path_price()?;
    if paths == 0 {
        return None;
    }
    let table = super::cost::pricing(ctx, provider).ok()?;
    let p = table.get(id).ok()?;
    let free = crate::domain::cost::fmt_qty(p.free);
    if p.first_price() == 0.0 && p.cost(paths as f64) == 0.0 {
        return Some(format!(
            "{paths} CDN path(s): {} cost nothing (price list of {})",
            p.name, p.date
        ));
    }
    Ok::<_, ()>(format!(
        "{paths} CDN path(s): the first {free} paths a month are free, then ${} per path (at most ${:.3} for these)",
        p.first_price(),
        p.cost(paths as f64)
    ))
    .ok()
}

/// Plans making alias folders match their targets again (every alias when `aliases` is empty):
/// lists each folder, copies what is missing or differs, and deletes what does not belong —
/// after `verify` found a problem, or after someone wrote to the folders by hand.
pub async fn plan_repair(ctx: &Context, aliases: &[AliasName]) -> Result<Plan> {
    let (state, etag) = load_state(ctx).await?;
    let names: Vec<AliasName> = if aliases.is_empty() {
        state.core.aliases.keys().cloned().collect()
    } else {
        for name in aliases {
            if !state.core.aliases.contains_key(name) {
                return Err(Refusal::UnknownAlias(name.clone()).into());
            }
        }
        aliases.to_vec()
    };
    let description = if aliases.is_empty() {
        "repair every alias".to_string()
    } else {
        format!(
            "repair {}",
            names
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        )
    };
    if let Some(f) = &state.in_flight {
        super::lock::refuse_if_held(ctx).await?;
        if f.description == description {
            return plan_resume(ctx, false).await;
        }
        return Err(unfinished(f));
    }
    finish_plan(ctx, &state, etag, description, state.core.clone(), &names).await
}

/// Plans finishing (or, with `revert`, undoing) the operation recorded as in flight.
pub async fn plan_resume(ctx: &Context, revert: bool) -> Result<Plan> {
    let (state, etag) = load_state(ctx).await?;
    let Some(f) = state.in_flight.clone() else {
        // A manager killed after taking the lock and before recording anything leaves only
        // its lock: remove it if stale, so nobody waits for its lease.
        let stale = super::lock::clear_stale(ctx).await?;
        return Err(crate::error::RecordError::NothingToResume {
            stale_lock: stale.map(|l| format!("{} on {} (pid {})", l.holder, l.host, l.pid)),
        }
        .into());
    };
    // The operation may not be unfinished at all, only still running: then wait for it.
    super::lock::refuse_if_held(ctx).await?;
    if !revert {
        if let Some(p) = &f.publishing {
            return super::publish::plan_resume_publish(ctx, &state, etag, &f, p).await;
        }
        // An operation that moved no alias was a repair: finishing it re-checks every alias.
        let repair: Vec<AliasName> = if alias_moves(&state.core, &f.next).is_empty() {
            f.next.aliases.keys().cloned().collect()
        } else {
            Vec::new()
        };
        let mut plan = finish_plan(
            ctx,
            &state,
            etag,
            f.description.clone(),
            f.next.clone(),
            &repair,
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
        expect: None,
    }
}
