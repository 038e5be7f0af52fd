//! `alerts check`: every alert rule of the profile evaluated on the complete part of its window
//! of the CDN's logs (and, for `edge_stale`, on what the edge serves now), with the value, the
//! threshold and, for a firing rule on an alias, the rollback that undoes its last move. The CLI,
//! the console's badge and the nightly pipeline all read this one outcome.

use super::Context;
use super::records::read_history;
use super::traffic::{LogSource, read_window};
use crate::domain::alert::{Metric, Rule, previous_target};
use crate::domain::traffic::{Subject, counts_for};
use crate::error::Result;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::path::Path;

/// One rule, evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluated {
    pub rule: Rule,
    /// The metric's value over the window; `None` when it has none (no requests, no timed
    /// request) or could not be evaluated (`unevaluated` says why).
    pub value: Option<f64>,
    pub firing: bool,
    /// The window evaluated: the complete part of the logs, `[from, until)`.
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Why there is no value although the data was read (e.g. "no requests in the window").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Why the rule could not be evaluated at all (exit code 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unevaluated: Option<String>,
    /// What to do when it fires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// Every rule of the profile, evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct AlertsReport {
    pub rules: Vec<Evaluated>,
    pub firing: usize,
    pub unevaluated: usize,
}

/// Where the logs are, when the profile names them.
pub struct Logs<'a> {
    pub source: &'a LogSource,
    pub cache: &'a Path,
}

/// The rollback (or other step) that answers a firing rule.
fn action_for(subject: &Subject, history: &[crate::domain::history::HistoryEvent]) -> String {
    match subject {
        Subject::Alias(a) => match previous_target(history, a) {
            Some(prev) => format!("roll back: shipdeck rollback {a} --to {prev}"),
            None => format!("roll back: shipdeck rollback {a}"),
        },
        Subject::Version(v) => format!(
            "`shipdeck releases` shows which aliases serve {v}; roll them back, or `shipdeck yank {v}`"
        ),
    }
}

/// Evaluates `rules` at `now`.
pub async fn check(
    ctx: &Context,
    logs: Option<Logs<'_>>,
    rules: &[Rule],
    now: DateTime<Utc>,
) -> Result<AlertsReport> {
    let history = read_history(ctx, None).await?;
    let needs_logs = rules
        .iter()
        .any(|r| !matches!(r.metric, Metric::SentryNewIssues | Metric::EdgeStale));
    // One read of the logs covers every rule's window, plus the hours that may still arrive.
    let window = match (&logs, needs_logs) {
        (Some(l), true) => {
            let longest = rules.iter().map(|r| r.window).max().unwrap_or_default();
            let longest = Duration::from_std(longest).unwrap_or_else(|_| Duration::days(30));
            let since = now - longest - Duration::hours(26);
            Some(read_window(ctx, l.source, l.cache, since, now, &|_, _| {}).await?)
        }
        _ => None,
    };
    // The newest hour may still be arriving: the data is complete up to its start.
    let complete = window.as_ref().and_then(|w| w.agg.complete_until());
    let edge = edge_staleness(ctx, rules).await;
    let mut out = Vec::new();
    for rule in rules {
        let mut e = Evaluated {
            rule: rule.clone(),
            value: None,
            firing: false,
            from: None,
            until: None,
            note: None,
            unevaluated: None,
            action: None,
        };
        match rule.metric {
            Metric::SentryNewIssues => {
                match sentry_new_issues(ctx, &rule.subject, rule.window, now).await {
                    Ok(n) => {
                        e.value = Some(n as f64);
                        e.from = Some(now - Duration::from_std(rule.window).unwrap_or_default());
                        e.until = Some(now);
                    }
                    Err(why) => e.unevaluated = Some(why.to_string()),
                }
            }
            Metric::EdgeStale => match (&rule.subject, &edge) {
                (Subject::Alias(a), Ok(stale)) => {
                    e.value = Some(stale.get(a).copied().unwrap_or(0) as f64);
                    e.until = Some(now);
                }
                (Subject::Version(_), _) => {
                    e.unevaluated = Some("edge_stale watches an alias; name alias = \"…\"".into());
                }
                (_, Err(why)) => e.unevaluated = Some(why.to_string()),
            },
            _ => match (&window, complete) {
                (None, _) => {
                    e.unevaluated = Some(
                        "the profile names no access logs; add logs = { kind = \"cloudfront\", … } (see `shipdeck traffic --help`)".into(),
                    );
                }
                (Some(_), None) => {
                    e.unevaluated = Some(format!(
                        "no log files in the last {} h; check the profile's logs",
                        26 + rule.window.as_secs() / 3600
                    ));
                }
                (Some(w), Some(until)) => {
                    let span =
                        Duration::from_std(rule.window).unwrap_or_else(|_| Duration::hours(1));
                    let from = until - span;
                    let c = counts_for(
                        &w.agg,
                        &history,
                        &rule.subject,
                        from.timestamp(),
                        until.timestamp(),
                    );
                    e.from = Some(from);
                    e.until = Some(until);
                    e.value = rule.metric.of_counts(&c);
                    if e.value.is_none() {
                        e.note = Some(if c.requests == 0 {
                            "no requests in the window".into()
                        } else {
                            "no request in the window carried a time".into()
                        });
                    }
                }
            },
        }
        e.firing = e.value.is_some_and(|v| rule.threshold.fires(v));
        if e.firing {
            e.action = Some(action_for(&rule.subject, &history));
        }
        out.push(e);
    }
    Ok(AlertsReport {
        firing: out.iter().filter(|e| e.firing).count(),
        unevaluated: out.iter().filter(|e| e.unevaluated.is_some()).count(),
        rules: out,
    })
}

/// New issues in the error tracker for the release of `subject` (an alias: the release it
/// serves now) first seen in the last `window`; or why it cannot be said.
async fn sentry_new_issues(
    ctx: &Context,
    subject: &Subject,
    window: std::time::Duration,
    now: DateTime<Utc>,
) -> std::result::Result<u64, SentryGap> {
    let Some(t) = &ctx.tracking else {
        return Err(SentryGap::NoSentry);
    };
    let version = match subject {
        Subject::Version(v) => v.clone(),
        Subject::Alias(a) => {
            let (state, _) = super::records::load_state(ctx).await?;
            let serving = state
                .core
                .aliases
                .iter()
                .find(|(name, _)| name.to_string() == *a)
                .map(|(_, r)| r.target.to_string());
            serving.ok_or_else(|| SentryGap::NoRelease(a.clone()))?
        }
    };
    let since = now - Duration::from_std(window).unwrap_or_else(|_| Duration::hours(1));
    t.tracker
        .issues(&t.release(&version), since)
        .await
        .map(|i| i.new_issues)
        .map_err(SentryGap::from)
}

/// Why `sentry_new_issues` has no value.
#[derive(Debug, thiserror::Error)]
enum SentryGap {
    #[error(
        "sentry_new_issues needs the profile's sentry = {{ org = \"…\", project = \"…\" }} (see `shipdeck alerts check --help`)"
    )]
    NoSentry,
    #[error("the alias {0} serves no release")]
    NoRelease(String),
    #[error(transparent)]
    State(#[from] crate::error::Error),
    #[error(transparent)]
    Tracker(#[from] crate::tracking::TrackerError),
}

/// Stale files per alias at the edge, when some rule asks (one check for all of them).
async fn edge_staleness(
    ctx: &Context,
    rules: &[Rule],
) -> Result<std::collections::BTreeMap<String, usize>> {
    let aliases: Vec<String> = rules
        .iter()
        .filter(|r| r.metric == Metric::EdgeStale)
        .filter_map(|r| match &r.subject {
            Subject::Alias(a) => Some(a.clone()),
            Subject::Version(_) => None,
        })
        .collect();
    if aliases.is_empty() {
        return Ok(Default::default());
    }
    let check = super::edge::EdgeCheck {
        names: aliases,
        ..Default::default()
    };
    let r = super::edge::verify_edge(ctx, &check).await?;
    Ok(r.folders
        .iter()
        .map(|f| (f.target.clone(), f.stale_urls().count()))
        .collect())
}
