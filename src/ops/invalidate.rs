//! Telling the CDN: after a change (from `apply`) and by hand (`shipdeck invalidate`).
//!
//! Both go through [`invalidate_recorded`], so a failed request is recorded in history the same
//! way whoever asked, and both return a [`CdnOutcome`] that each front end presents.

use super::records::append_history;
use super::{Context, new_id};
use crate::cdn::{CdnError, Invalidation, InvalidationStatus};
use crate::domain::history::HistoryEvent;
use crate::domain::layout::check_cdn_path;
use crate::error::{Error, InputError, Result};
use chrono::Utc;
use serde::Serialize;

/// What the CDN was told after a change, or by hand.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CdnOutcome {
    /// No alias moved, or the profile has no CDN in front of its store.
    #[default]
    NotNeeded,
    /// `--no-invalidate` was given: these paths were not invalidated.
    Skipped { paths: Vec<String> },
    /// The CDN accepted the request.
    Requested {
        cdn: String,
        paths: Vec<String>,
        invalidation: Invalidation,
    },
    /// The CDN refused or could not be reached; the paths still need invalidating.
    Failed {
        paths: Vec<String>,
        #[serde(serialize_with = "super::as_text")]
        error: CdnError,
    },
}

/// Invalidates `paths` at the profile's CDN and records a failure in history. Returns the
/// outcome and, when the failure could not be recorded, why.
pub async fn invalidate_recorded(ctx: &Context, paths: &[String]) -> (CdnOutcome, Option<Error>) {
    if paths.is_empty() {
        return (CdnOutcome::NotNeeded, None);
    }
    if ctx.cdn.skipped() {
        return (
            CdnOutcome::Skipped {
                paths: paths.to_vec(),
            },
            None,
        );
    }
    if !ctx.cdn.enabled() {
        return (CdnOutcome::NotNeeded, None);
    }
    match ctx.cdn.invalidate(paths).await {
        Ok(invalidation) => (
            CdnOutcome::Requested {
                cdn: ctx.cdn.describe(),
                paths: paths.to_vec(),
                invalidation,
            },
            None,
        ),
        Err(error) => {
            let unrecorded = record(ctx, paths, &format!("failed: {error}")).await.err();
            (
                CdnOutcome::Failed {
                    paths: paths.to_vec(),
                    error,
                },
                unrecorded,
            )
        }
    }
}

async fn record(ctx: &Context, paths: &[String], outcome: &str) -> Result<()> {
    let event = HistoryEvent {
        commit: None,
        invalidation: None,
        id: new_id(),
        at: Utc::now(),
        by: ctx.actor.clone(),
        action: crate::domain::history::Operation::Invalidate,
        description: format!("invalidate {}", paths.join(" ")),
        changes: Vec::new(),
        outcome: outcome.to_string(),
        detail: None,
    };
    append_history(ctx, &event).await
}

/// Checks paths typed by hand: each must be a path, and never `/*`.
pub fn check_paths(paths: &[String]) -> Result<()> {
    if paths.is_empty() {
        return Err(InputError::NoPaths.into());
    }
    for p in paths {
        check_cdn_path(p).map_err(InputError::from)?;
    }
    Ok(())
}

/// Fails when the profile has no CDN to talk to.
pub fn require_cdn(ctx: &Context, profile: &str) -> Result<()> {
    if ctx.cdn.enabled() {
        return Ok(());
    }
    Err(if ctx.cdn.skipped() {
        InputError::CdnSkipped
    } else {
        InputError::NoCdn {
            profile: profile.to_string(),
        }
    }
    .into())
}

/// `shipdeck invalidate PATH...`: invalidates hand-picked paths, recorded in history whether it
/// worked or not. A failure is an error here, since invalidating is the whole command.
pub async fn invalidate_by_hand(ctx: &Context, paths: &[String]) -> Result<CdnOutcome> {
    check_paths(paths)?;
    let (outcome, unrecorded) = invalidate_recorded(ctx, paths).await;
    if let Some(e) = unrecorded {
        tracing::warn!(error = %e, "a failed invalidation could not be recorded in history");
    }
    match outcome {
        CdnOutcome::Failed { error, .. } => Err(Error::Cdn(error)),
        CdnOutcome::Requested { .. } => {
            record(ctx, paths, "ok").await?;
            Ok(outcome)
        }
        other => Ok(other),
    }
}

/// The status of an earlier invalidation.
pub async fn status(ctx: &Context, id: &str) -> Result<InvalidationStatus> {
    ctx.cdn.status(id).await.map_err(Error::Cdn)
}
