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

use super::edge::{EdgeConfirmation, Reached};
use super::invalidate::{CdnOutcome, invalidate_recorded};
use super::records::{append_history, load_state, save_manifest, save_state};
use super::{Context, Progress, ProgressEvent, lock, new_id};
use crate::domain::history::{AliasChange, HistoryEvent, Operation};
use crate::domain::plan::{CopyMismatch, FileOp, FileOpKind, Plan};
use crate::domain::state::{InFlight, State};
use crate::error::{Error, Result};
use crate::store::{Condition, Headers};
use bytes::Bytes;
use chrono::Utc;
use futures::stream::{self, StreamExt};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

/// What applying a plan did: data, never prose; each front end presents it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub history_id: Option<String>,
    pub files_written: usize,
    pub files_deleted: usize,
    pub bytes_written: u64,
    /// The aliases that moved, as recorded in history.
    pub aliases_moved: Vec<AliasChange>,
    /// What the CDN was told (the alias change stands whatever happened there).
    pub cdn: CdnOutcome,
    /// Writes whose object the store reports with other content than its source.
    pub copy_mismatches: Vec<CopyMismatch>,
    /// Steps after the commit that failed; the change itself stands.
    pub warnings: Vec<Warning>,
    /// What the edge served for the moved aliases afterwards (`None`: no alias moved, or the
    /// profile has no `public_url`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge: Option<EdgeConfirmation>,
    /// How far the change got: written, invalidated, served.
    pub reached: Reached,
    /// What the error tracker (Sentry) recorded: the release, the deploy.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tracked: Vec<super::tracked::Tracked>,
    /// Edge mode: the moved aliases' KeyValueStore keys, written before the copies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge_keys: Option<super::edge_keys::EdgeKeysOutcome>,
}

impl Report {
    /// Whether the change landed as planned (no mismatch; warnings are about records only).
    pub fn landed(&self) -> bool {
        self.copy_mismatches.is_empty()
    }

    /// Whether the change waited for the edge and the edge did not serve it in time.
    pub fn edge_stale_after_wait(&self) -> bool {
        matches!(
            self.edge,
            Some(EdgeConfirmation::NotYet { waited: true, .. })
        )
    }

    fn how_far(&self) -> Reached {
        if matches!(self.edge, Some(EdgeConfirmation::Served { .. })) {
            return Reached::Served;
        }
        match &self.cdn {
            CdnOutcome::Requested { invalidation, .. }
                if invalidation.status == crate::cdn::InvalidationStatus::Completed =>
            {
                Reached::Invalidated
            }
            _ => Reached::Written,
        }
    }
}

/// A step after the commit that failed.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "warning", rename_all = "snake_case")]
pub enum Warning {
    /// The change is committed, but its history event was not written.
    HistoryNotWritten {
        #[serde(serialize_with = "super::as_text")]
        error: Error,
    },
    /// The CDN request failed and that failure could not be recorded in history either.
    FailureNotRecorded {
        #[serde(serialize_with = "super::as_text")]
        error: Error,
    },
    /// The error tracker did not record the release or the deploy (the change stands).
    TrackerFailed {
        #[serde(serialize_with = "super::as_text")]
        error: Error,
    },
    /// Edge mode: the moved aliases' keys could not be written, so the edge may still serve
    /// their old targets (`shipdeck edge sync` writes them).
    EdgeKeysNotWritten {
        #[serde(serialize_with = "super::as_text")]
        error: Error,
    },
}
/// Applies `plan`. A no-op plan returns at once without locking.
pub async fn apply(
    ctx: &Context,
    plan: &Plan,
    action: Operation,
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

    match result {
        Err(e) => {
            tracing::error!(error = %e, plan = %plan.description, "apply failed");
            Err(e)
        }
        Ok(mut report) => {
            // The last phase, after the lock is released (a wait may take minutes): what
            // browsers get for the aliases that moved.
            let moved: Vec<crate::domain::alias::AliasName> = report
                .aliases_moved
                .iter()
                .filter(|c| c.to.is_some() && c.from != c.to)
                .filter_map(|c| c.alias.parse().ok())
                .collect();
            if ctx.edge.is_some() && !moved.is_empty() {
                progress.report(ProgressEvent::Step(format!(
                    "edge: checking what browsers get for {} alias(es)",
                    moved.len()
                )));
                report.edge = super::edge::confirm(ctx, &moved, ctx.confirm_edge).await;
            }
            super::tracked::record(ctx, plan, &mut report).await;
            report.reached = report.how_far();
            Ok(report)
        }
    }
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
    //
    // When one operation fails, no new one starts, but every one already started is awaited:
    // dropping them could leave a write landing after this phase reported failure (a store
    // may run it on a thread that does not stop when its future is dropped), and a revert
    // started right after would not see it.
    let concurrency = ctx.concurrency.max(1);
    let failed = AtomicBool::new(false);
    let failed = &failed;
    let mut futures = Vec::with_capacity(ops.len());
    for op in ops {
        futures.push(async move {
            if failed.load(Ordering::SeqCst) {
                return Ok(None);
            }
            if ctx.stop.load(Ordering::SeqCst) {
                failed.store(true, Ordering::SeqCst);
                return Err(Error::Interrupted);
            }
            let content_id = match run_op(ctx, op).await {
                Ok(id) => id,
                Err(e) => {
                    failed.store(true, Ordering::SeqCst);
                    return Err(e);
                }
            };
            progress.report(ProgressEvent::File {
                key: op.key.clone(),
                bytes: op.size,
            });
            Ok::<Option<Done>, Error>(Some(Done {
                key: op.key.clone(),
                bytes: op.size,
                mismatch: op.mismatch(content_id.as_deref()),
                content_id,
            }))
        });
    }
    let results: Vec<Result<Option<Done>>> = stream::iter(futures)
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let mut done = Vec::with_capacity(results.len());
    let mut first_error = None;
    for r in results {
        match r {
            Ok(Some(d)) => done.push(d),
            Ok(None) => {}
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(done),
    }
}

/// One finished object operation.
struct Done {
    key: String,
    bytes: u64,
    /// The store's content id of the written object.
    content_id: Option<String>,
    /// What the store's answer says went wrong, if anything.
    mismatch: Option<CopyMismatch>,
}

fn bytes(done: &[Done]) -> u64 {
    done.iter().map(|d| d.bytes).sum()
}

fn mismatches(done: Vec<Done>) -> impl Iterator<Item = CopyMismatch> {
    done.into_iter().filter_map(|d| d.mismatch)
}

async fn run_op(ctx: &Context, op: &FileOp) -> Result<Option<String>> {
    let headers = Headers {
        content_type: op.content_type.clone(),
        cache_control: op.cache_control.clone(),
    };
    match op.kind {
        FileOpKind::Upload => {
            let Some(src) = op.source.as_deref() else {
                return Err(crate::error::BuildError::NoBuildFile {
                    key: op.key.clone(),
                }
                .into());
            };
            let bytes = tokio::fs::read(src)
                .await
                .map_err(|e| Error::io(format!("cannot read build file '{src}'"), e))?;
            if bytes.len() as u64 != op.size {
                return Err(crate::error::BuildError::Changed {
                    path: src.to_string(),
                }
                .into());
            }
            let meta = ctx
                .store
                .put(&op.key, Bytes::from(bytes), &headers, &Condition::None)
                .await?;
            return Ok(meta.content_id);
        }
        FileOpKind::Copy | FileOpKind::Replace => {
            let Some(src) = op.source.as_deref() else {
                return Err(crate::error::RecordError::NoCopySource {
                    key: op.key.clone(),
                }
                .into());
            };
            return Ok(ctx.store.copy(src, &op.key, &headers).await?);
        }
        FileOpKind::Delete => ctx.store.delete(&op.key).await?,
    }
    Ok(None)
}

async fn apply_locked(
    ctx: &Context,
    plan: &Plan,
    action: Operation,
    progress: &dyn Progress,
) -> Result<Report> {
    let (mut state, etag, op_id) = record_in_flight(ctx, plan).await?;
    progress.report(ProgressEvent::Step(
        "recorded the operation as in flight".into(),
    ));
    // Edge mode: the keys first (browsers follow them within seconds), then the copies that
    // keep the fallback folders right. A key that cannot be written does not stop the change.
    let edge_keys = match &ctx.edge_keys {
        Some(kvs) if !plan.alias_moves.is_empty() => {
            progress.report(ProgressEvent::Step("edge: writing the alias keys".into()));
            Some(super::edge_keys::write_moves(kvs.as_ref(), &plan.alias_moves).await)
        }
        _ => None,
    };
    let mut report = write_files(ctx, plan, progress).await?;
    match edge_keys {
        Some(Ok(outcome)) => report.edge_keys = Some(outcome),
        Some(Err(e)) => report
            .warnings
            .push(Warning::EdgeKeysNotWritten { error: e.into() }),
        None => {}
    }

    state.core = plan.next.clone();
    state.in_flight = None;
    save_state(ctx, &state, Some(&etag)).await?;
    progress.report(ProgressEvent::Step("committed the release state".into()));
    after_commit(ctx, plan, action, op_id, progress, &mut report).await;
    Ok(report)
}

/// Records the plan as in flight, on the state the plan was made from: the write is
/// conditional on its ETag, so a state changed since the plan is refused exactly as if it had
/// been read again. Returns the state, its new ETag and the operation's id.
async fn record_in_flight(ctx: &Context, plan: &Plan) -> Result<(State, String, String)> {
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
    Ok((state, etag, op_id))
}

/// Uploads, writes the manifest, copies (entry points last), deletes.
async fn write_files(ctx: &Context, plan: &Plan, progress: &dyn Progress) -> Result<Report> {
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
        report.copy_mismatches.extend(mismatches(done));
    }
    run_phase(ctx, "deleting stale files", deletes, progress).await?;
    Ok(report)
}

/// After the commit: history, then the CDN. Failures here are warnings in the report, never
/// errors that would suggest the change did not happen.
async fn after_commit(
    ctx: &Context,
    plan: &Plan,
    action: Operation,
    op_id: String,
    progress: &dyn Progress,
    report: &mut Report,
) {
    let changes: Vec<AliasChange> = plan
        .alias_moves
        .iter()
        .map(|m| AliasChange {
            alias: m.alias.to_string(),
            from: m.from.as_ref().map(ToString::to_string),
            to: m.to.as_ref().map(ToString::to_string),
        })
        .collect();
    report.aliases_moved = changes.clone();
    let mut event = HistoryEvent {
        commit: plan.commit(),
        invalidation: None,
        id: op_id.clone(),
        at: Utc::now(),
        by: ctx.actor.clone(),
        action,
        description: plan.description.clone(),
        changes,
        outcome: "ok".into(),
        detail: (!plan.release_changes.is_empty()).then(|| plan.release_changes.join("; ")),
    };
    // From here on the change is committed: a failure is a warning to show, not an error that
    // would suggest the change did not happen.
    match append_history(ctx, &event).await {
        Ok(()) => report.history_id = Some(op_id),
        Err(error) => report.warnings.push(Warning::HistoryNotWritten { error }),
    }

    if !plan.invalidations.is_empty() && ctx.cdn.enabled() {
        progress.report(ProgressEvent::Step(format!(
            "invalidating {} CDN path(s)",
            plan.invalidations.len()
        )));
    }
    let (cdn, unrecorded) = invalidate_recorded(ctx, &plan.invalidations).await;
    // The event names the invalidation it asked for, as the CI summary does. Written after the
    // CDN answers so that history never waits on the CDN; if this second write fails the event
    // stands without the id, which the report still shows.
    if let (CdnOutcome::Requested { invalidation, .. }, Some(_)) = (&cdn, &report.history_id) {
        event.invalidation = Some(invalidation.id.clone());
        if let Err(error) = crate::ops::records::rewrite_history(ctx, &event).await {
            tracing::debug!(%error, "history event kept without its invalidation id");
        }
    }
    report.cdn = cdn;
    if let Some(error) = unrecorded {
        report.warnings.push(Warning::FailureNotRecorded { error });
    }

    progress.report(ProgressEvent::Step("done".into()));
}
