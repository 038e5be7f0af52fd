//! The Traffic view built from the counts: one row per folder, requests per version (direct and
//! through aliases, attributed by history), and each alias change's before and after.

use super::{Aggregate, BUCKET_SECS, Counts, OTHER, Percentiles, Timeline, release_of, sum};
use crate::domain::history::{HistoryEvent, Operation};
use crate::domain::manifest::FileType;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// One folder's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub folder: String,
    /// `release` or `alias`.
    pub kind: String,
    pub counts: Counts,
    /// Hits over requests whose cache result is known; `None` when none is.
    pub hit_ratio: Option<f64>,
    pub last_seen: Option<DateTime<Utc>>,
    /// The top referrer hosts, most requests first.
    pub referrers: Vec<(String, u64)>,
    /// Requests per day (per hour for windows of two days or less), oldest first.
    pub spark: Vec<u64>,
    /// Requests per file type (empty when the engine did not count them).
    pub file_types: BTreeMap<FileType, u64>,
    /// Latency percentiles in milliseconds; `None` when the logs carry no time.
    pub latency_ms: Option<Percentiles>,
}

/// Requests of one version: direct (its own folder) and through each alias.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionTraffic {
    pub version: String,
    pub direct: u64,
    pub via_aliases: BTreeMap<String, u64>,
    /// The last request to the release folder itself, over all cached logs.
    pub last_direct: Option<DateTime<Utc>>,
    /// Whole days since then (or since the oldest log when never).
    pub days_without_direct: Option<i64>,
}

/// Requests and error rate of one alias before and after a change of its target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AroundChange {
    pub at: DateTime<Utc>,
    pub action: Operation,
    pub alias: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub before: Counts,
    pub after: Counts,
    /// Latency percentiles before and after, in milliseconds.
    pub latency_before_ms: Option<Percentiles>,
    pub latency_after_ms: Option<Percentiles>,
}

/// The Traffic view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// `day` or `hour`: what one sparkline step is.
    pub step: String,
    pub rows: Vec<Row>,
    pub versions: Vec<VersionTraffic>,
    pub changes: Vec<AroundChange>,
    /// The data is complete up to here (the newest log's hour, less the delivery delay).
    pub complete_until: Option<DateTime<Utc>>,
    pub lines: u64,
    pub bad_lines: u64,
    pub outside: u64,
}

/// How far around a change the before/after comparison looks.
pub const AROUND: i64 = 3600;

/// Builds the view of `[since, until)` from the aggregate of every log file read, and history.
pub fn report(
    agg: &Aggregate,
    history: &[HistoryEvent],
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Report {
    let (from, to) = (since.timestamp(), until.timestamp());
    let step = if until - since <= Duration::days(2) {
        3600
    } else {
        86_400
    };
    let steps = ((to - from + step - 1) / step).max(1) as usize;
    let mut rows = Vec::new();
    for (folder, buckets) in &agg.folders {
        let counts = sum(buckets, from, to);
        if counts.requests == 0 {
            continue;
        }
        let mut spark = vec![0u64; steps];
        for (b, c) in buckets.range(from.div_euclid(BUCKET_SECS)..to.div_euclid(BUCKET_SECS)) {
            let i = ((b * BUCKET_SECS - from) / step) as usize;
            if let Some(s) = spark.get_mut(i) {
                *s += c.requests;
            }
        }
        let last = buckets
            .range(..to.div_euclid(BUCKET_SECS))
            .next_back()
            .map(|(b, _)| b * BUCKET_SECS + BUCKET_SECS - 1);
        let mut referrers: Vec<(String, u64)> = agg
            .referrers
            .get(folder)
            .map(|m| m.iter().map(|(h, n)| (h.clone(), *n)).collect())
            .unwrap_or_default();
        referrers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        referrers.truncate(3);
        rows.push(Row {
            folder: folder.clone(),
            kind: if folder == OTHER {
                "other".into()
            } else if release_of(folder).is_some() {
                "release".into()
            } else {
                "alias".into()
            },
            hit_ratio: (counts.cache_known > 0)
                .then(|| counts.hits as f64 / counts.cache_known as f64),
            file_types: counts.by_type(),
            latency_ms: counts.latency.percentiles(),
            counts,
            last_seen: last.and_then(|s| DateTime::from_timestamp(s, 0)),
            referrers,
            spark,
        });
    }
    rows.sort_by(|a, b| {
        b.counts
            .requests
            .cmp(&a.counts.requests)
            .then(a.folder.cmp(&b.folder))
    });
    let timeline = Timeline::from_history(history);
    Report {
        since,
        until,
        step: if step == 3600 { "hour" } else { "day" }.into(),
        versions: versions(agg, &timeline, from, to, now),
        changes: around_changes(agg, history, from, to),
        complete_until: agg.complete_until(),
        rows,
        lines: agg.lines,
        bad_lines: agg.bad_lines,
        outside: agg.outside,
    }
}

/// Per version: direct requests, requests through aliases (attributed by history), and how long
/// since anyone loaded the release folder itself.
fn versions(
    agg: &Aggregate,
    timeline: &Timeline,
    from: i64,
    to: i64,
    now: DateTime<Utc>,
) -> Vec<VersionTraffic> {
    let mut out: BTreeMap<String, VersionTraffic> = BTreeMap::new();
    let entry = |out: &mut BTreeMap<String, VersionTraffic>, v: &str| {
        out.entry(v.to_string())
            .or_insert_with(|| VersionTraffic {
                version: v.to_string(),
                direct: 0,
                via_aliases: BTreeMap::new(),
                last_direct: None,
                days_without_direct: None,
            })
            .version
            .clone()
    };
    for (folder, buckets) in &agg.folders {
        if let Some(v) = release_of(folder) {
            entry(&mut out, &v);
            let t = out.get_mut(&v);
            if let Some(t) = t {
                t.direct = sum(buckets, from, to).requests;
                t.last_direct = buckets
                    .keys()
                    .next_back()
                    .and_then(|b| DateTime::from_timestamp(b * BUCKET_SECS + BUCKET_SECS - 1, 0));
            }
            continue;
        }
        for (b, c) in buckets.range(from.div_euclid(BUCKET_SECS)..to.div_euclid(BUCKET_SECS)) {
            let mid = DateTime::from_timestamp(b * BUCKET_SECS + BUCKET_SECS / 2, 0);
            let Some(v) = mid.and_then(|m| timeline.served(folder, m)) else {
                continue;
            };
            entry(&mut out, &v);
            if let Some(t) = out.get_mut(&v) {
                *t.via_aliases.entry(folder.clone()).or_default() += c.requests;
            }
        }
    }
    let oldest = agg.oldest;
    out.into_values()
        .map(|mut t| {
            let since = t.last_direct.or(oldest);
            t.days_without_direct = since.map(|s| (now - s).num_days().max(0));
            t
        })
        .collect()
}

/// Before and after each alias change in the window, per alias, over `AROUND` seconds.
fn around_changes(
    agg: &Aggregate,
    history: &[HistoryEvent],
    from: i64,
    to: i64,
) -> Vec<AroundChange> {
    let mut out = Vec::new();
    for e in history.iter().filter(|e| e.outcome == "ok") {
        let t = e.at.timestamp();
        if t < from || t >= to {
            continue;
        }
        for c in &e.changes {
            let Some(buckets) = agg.folders.get(&c.alias) else {
                continue;
            };
            let (before, after) = (sum(buckets, t - AROUND, t), sum(buckets, t, t + AROUND));
            out.push(AroundChange {
                at: e.at,
                action: e.action,
                alias: c.alias.clone(),
                from: c.from.clone(),
                to: c.to.clone(),
                latency_before_ms: before.latency.percentiles(),
                latency_after_ms: after.latency.percentiles(),
                before,
                after,
            });
        }
    }
    out.sort_by_key(|c| c.at);
    out
}
