//! Applying a plan, in the order that keeps every step safe to interrupt:
//! lock → record in flight → upload/copy (entry points last) → delete → commit state →
//! history → CDN invalidation → unlock.
//!
//! The check that the change landed is the store's own answer to each write: every copy reports
//! the new object's content id, which must equal its source's. (A full re-read of the folders
//! is `shipdeck verify`; listing them again here would cost as much as a tenth of the copies.)
//!
//! Every step is idempotent, and the in-flight record holds the state to commit, so a run killed
//! anywhere is finished by `shipdeck resume` (or by re-running the same command).

use super::records::{append_history, load_state, save_manifest, save_state};
use super::{Context, Progress, ProgressEvent, lock, new_id};
use crate::domain::history::{AliasChange, HistoryEvent};
use crate::domain::plan::{FileOp, FileOpKind, Plan};
use crate::domain::state::InFlight;
use crate::error::{Error, Result};
use crate::store::{Condition, Headers};
use bytes::Bytes;
use chrono::Utc;
use futures::stream::{self, StreamExt, TryStreamExt};
use serde::Serialize;
use std::collections::BTreeMap;

/// What applying a plan did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub history_id: Option<String>,
    pub files_written: usize,
    pub files_deleted: usize,
    pub bytes_written: u64,
    /// The CDN's answer, or why it failed (the alias change stands either way).
    pub invalidation: Option<String>,
    pub invalidation_failed: bool,
    /// Anything the post-apply check found wrong.
    pub verify_problems: Vec<String>,
    /// Steps after the commit that failed; the change itself stands.
    pub warnings: Vec<String>,
}

/// Applies `plan`. A no-op plan returns at once without locking.
pub async fn apply(
    ctx: &Context,
    plan: &Plan,
    action: &str,
    progress: &dyn Progress,
) -> Result<Report> {
    if plan.is_noop() {
        return Ok(Report::default());
    }
    let lease = lock::acquire(ctx, &plan.description).await?;
    let result = apply_locked(ctx, plan, action, progress).await;
    // After a failure the store may be unreachable: do not wait long to release the lock (an
    // unreleased lock of a finished process goes stale and is taken over).
    let _ = tokio::time::timeout(std::time::Duration::from_secs(3), lease.release(ctx)).await;

    if let Err(e) = &result {
        tracing::error!(error = %e, plan = %plan.description, "apply failed");
    }
    result
}

async fn run_phase(
    ctx: &Context,
    label: &str,
    ops: Vec<&FileOp>,
    progress: &dyn Progress,
) -> Result<Vec<Done>> {
    if ops.is_empty() {
        return Ok(Vec::new());
    }
    progress.report(ProgressEvent::Phase {
        label: label.to_string(),
        files: ops.len(),
        bytes: ops.iter().map(|o| o.size).sum(),
    });
    // Futures built in a loop rather than by a closure: closure-made futures that borrow
    // `ctx` trip rustc's higher-ranked `Send` check when the caller is spawned.
    let concurrency = ctx.concurrency.max(1);
    let mut futures = Vec::with_capacity(ops.len());
    for op in ops {
        futures.push(async move {
            let content_id = run_op(ctx, op).await?;
            progress.report(ProgressEvent::File {
                key: op.key.clone(),
                bytes: op.size,
            });
            Ok::<Done, Error>(Done {
                key: op.key.clone(),
                bytes: op.size,
                mismatch: op.mismatch(content_id.as_deref()),
                content_id,
            })
        });
    }
    stream::iter(futures)
        .buffer_unordered(concurrency)
        .try_collect()
        .await
}

/// One finished object operation.
struct Done {
    key: String,
    bytes: u64,
    /// The store's content id of the written object.
    content_id: Option<String>,
    /// What the store's answer says went wrong, if anything.
    mismatch: Option<String>,
}

fn bytes(done: &[Done]) -> u64 {
    done.iter().map(|d| d.bytes).sum()
}

fn mismatches(done: Vec<Done>) -> impl Iterator<Item = String> {
    done.into_iter().filter_map(|d| d.mismatch)
}

async fn run_op(ctx: &Context, op: &FileOp) -> Result<Option<String>> {
    let headers = Headers {
        content_type: op.content_type.clone(),
        cache_control: op.cache_control.clone(),
    };
    match op.kind {
        FileOpKind::Upload => {
            let src = op.source.as_deref().expect("uploads have a source");
            let bytes = tokio::fs::read(src)
                .await
                .map_err(|e| Error::Io(format!("cannot read build file '{src}': {e}")))?;
            if bytes.len() as u64 != op.size {
                return Err(Error::Refused(format!(
                    "build file '{src}' changed since the plan was made; run the command again"
                )));
            }
            let meta = ctx
                .store
                .put(&op.key, Bytes::from(bytes), &headers, &Condition::None)
                .await?;
            return Ok(meta.content_id);
        }
        FileOpKind::Copy | FileOpKind::Replace => {
            let src = op.source.as_deref().expect("copies have a source");
            return Ok(ctx.store.copy(src, &op.key, &headers).await?);
        }
        FileOpKind::Delete => ctx.store.delete(&op.key).await?,
    }
    Ok(None)
}

async fn apply_locked(
    ctx: &Context,
    plan: &Plan,
    action: &str,
    progress: &dyn Progress,
) -> Result<Report> {
    // The state the plan was made from; the in-flight write below is conditional on its ETag,
    // so a state changed since the plan is refused exactly as if it had been read again.
    let (mut state, etag) = match &plan.base {
        Some(base) => ((**base).clone(), plan.base_etag.clone()),
        None => load_state(ctx).await?,
    };
    if etag != plan.base_etag {
        return Err(Error::Conflict);
    }
    let op_id = new_id();
    state.in_flight = Some(InFlight {
        id: op_id.clone(),
        description: plan.description.clone(),
        started_at: Utc::now(),
        by: ctx.actor.clone(),
        next: plan.next.clone(),
        publishing: plan
            .publishing
            .clone()
            .or_else(|| state.in_flight.as_ref().and_then(|f| f.publishing.clone())),
    });
    let etag = save_state(ctx, &state, etag.as_deref()).await?;
    progress.report(ProgressEvent::Step(
        "recorded the operation as in flight".into(),
    ));

    let mut report = Report::default();
    let uploads: Vec<&FileOp> = plan
        .file_ops
        .iter()
        .filter(|o| o.kind == FileOpKind::Upload)
        .collect();
    let is_copy = |o: &&FileOp| matches!(o.kind, FileOpKind::Copy | FileOpKind::Replace);
    let early: Vec<&FileOp> = plan
        .file_ops
        .iter()
        .filter(is_copy)
        .filter(|o| !o.entry)
        .collect();
    let entries: Vec<&FileOp> = plan
        .file_ops
        .iter()
        .filter(is_copy)
        .filter(|o| o.entry)
        .collect();
    let deletes: Vec<&FileOp> = plan
        .file_ops
        .iter()
        .filter(|o| o.kind == FileOpKind::Delete)
        .collect();
    report.files_written = uploads.len() + early.len() + entries.len();
    report.files_deleted = deletes.len();

    let uploaded = run_phase(ctx, "uploading release files", uploads, progress).await?;
    report.bytes_written += bytes(&uploaded);
    // The manifest records what the store said of each uploaded object (its content id).
    let manifest = plan.manifest.clone().map(|mut m| {
        let dir = ctx.layout.release_dir(&m.version);
        for f in &mut m.files {
            let key = format!("{dir}{}", f.path);
            f.content_id = uploaded
                .iter()
                .find(|d| d.key == key)
                .and_then(|d| d.content_id.clone());
        }
        m
    });
    if let Some(m) = &manifest {
        save_manifest(ctx, m).await?;
        progress.report(ProgressEvent::Step(format!(
            "wrote the manifest of {}",
            m.version
        )));
    }
    // Copies of files uploaded just now expect the content ids the uploads reported.
    let uploaded_ids: BTreeMap<&str, &str> = uploaded
        .iter()
        .filter_map(|d| Some((d.key.as_str(), d.content_id.as_deref()?)))
        .collect();
    let expecting = |ops: Vec<&FileOp>| -> Vec<FileOp> {
        ops.into_iter()
            .map(|o| {
                let mut o = o.clone();
                if o.expect.is_none() {
                    o.expect = o
                        .source
                        .as_deref()
                        .and_then(|s| uploaded_ids.get(s))
                        .map(|id| id.to_string());
                }
                o
            })
            .collect()
    };
    for (label, ops) in [
        ("copying alias files", expecting(early)),
        ("copying entry points", expecting(entries)),
    ] {
        let done = run_phase(ctx, label, ops.iter().collect(), progress).await?;
        report.bytes_written += bytes(&done);
        report.verify_problems.extend(mismatches(done));
    }
    run_phase(ctx, "deleting stale files", deletes, progress).await?;

    state.core = plan.next.clone();
    state.in_flight = None;
    save_state(ctx, &state, Some(&etag)).await?;
    progress.report(ProgressEvent::Step("committed the release state".into()));

    let changes: Vec<AliasChange> = plan
        .alias_moves
        .iter()
        .map(|m| AliasChange {
            alias: m.alias.to_string(),
            from: m.from.as_ref().map(ToString::to_string),
            to: m.to.as_ref().map(ToString::to_string),
        })
        .collect();
    let event = HistoryEvent {
        id: op_id.clone(),
        at: Utc::now(),
        by: ctx.actor.clone(),
        action: action.to_string(),
        description: plan.description.clone(),
        changes,
        outcome: "ok".into(),
    };
    // From here on the change is committed: a failure is a warning to show, not an error that
    // would suggest the change did not happen.
    match append_history(ctx, &event).await {
        Ok(()) => report.history_id = Some(op_id),
        Err(e) => report.warnings.push(format!(
            "the change is committed, but its history event could not be written: {e}"
        )),
    }

    if !plan.invalidations.is_empty() && ctx.cdn.enabled() {
        progress.report(ProgressEvent::Step(format!(
            "invalidating {} CDN path(s)",
            plan.invalidations.len()
        )));
        match ctx.cdn.invalidate(&plan.invalidations).await {
            Ok(inv) => report.invalidation = Some(format!("{} {}", inv.id, inv.status)),
            Err(e) => {
                report.invalidation_failed = true;
                report.invalidation = Some(e.clone());
                let failed = HistoryEvent {
                    id: new_id(),
                    at: Utc::now(),
                    by: ctx.actor.clone(),
                    action: "invalidate".into(),
                    description: format!("invalidate {}", plan.invalidations.join(" ")),
                    changes: Vec::new(),
                    outcome: format!("failed: {e}"),
                };
                if let Err(e) = append_history(ctx, &failed).await {
                    report.warnings.push(format!(
                        "the failed invalidation could not be recorded in history: {e}"
                    ));
                }
            }
        }
    }

    progress.report(ProgressEvent::Step("done".into()));
    Ok(report)
}
