//! The runbook's CloudWatch metrics (§6), made from the CDN's logs: `DownloadCount` per
//! `Version` and `FileType` and `DownloadLatency` per `Version`, one statistic set per complete
//! five-minute bucket, with alias traffic counted for the version the alias served then.
//!
//! What is published, and from which bucket on, is decided here so that a second run, another
//! manager or a CI job never sends a bucket twice: the plan starts at the shared watermark and
//! ends where the logs stop being complete. Pure: no IO, no clock.

use crate::domain::manifest::FileType;
use crate::domain::traffic::{Aggregate, BUCKET_SECS, Latency, Timeline, release_of};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The runbook's namespace.
pub const DEFAULT_NAMESPACE: &str = "MSR/Webchat";

/// CloudWatch refuses data points older than two weeks; older buckets are left out (and said).
pub const MAX_AGE: Duration = Duration::days(14);

/// The metrics the runbook names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum MetricName {
    DownloadCount,
    DownloadLatency,
}

impl MetricName {
    pub fn as_str(self) -> &'static str {
        match self {
            MetricName::DownloadCount => "DownloadCount",
            MetricName::DownloadLatency => "DownloadLatency",
        }
    }

    /// The CloudWatch unit of its values.
    pub fn unit(self) -> &'static str {
        match self {
            MetricName::DownloadCount => "Count",
            MetricName::DownloadLatency => "Milliseconds",
        }
    }
}

/// One data point: a statistic set for one bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Datum {
    pub metric: MetricName,
    pub version: String,
    /// `DownloadCount` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_type: Option<FileType>,
    /// The bucket's start.
    pub at: DateTime<Utc>,
    pub sample_count: u64,
    pub sum: u64,
    pub min: u64,
    pub max: u64,
}

/// Where publishing stopped last time: buckets before `published_until` are in CloudWatch.
/// Kept in the release store beside the history, one entry per region and namespace.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Watermark {
    pub schema: u32,
    /// `region/namespace` → the end of the last bucket published.
    pub published_until: BTreeMap<String, DateTime<Utc>>,
}

pub const WATERMARK_SCHEMA: u32 = 1;

impl Watermark {
    pub fn key(region: &str, namespace: &str) -> String {
        format!("{region}/{namespace}")
    }
}

/// What one publish sends.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Plan {
    /// The buckets covered, `[from, until)`: every one of them is published by this plan, also
    /// the buckets without requests (nothing to send for them).
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub data: Vec<Datum>,
    /// Requests counted in the data.
    pub requests: u64,
    /// Requests to an alias at a time history does not say what it served: not published.
    pub unattributed: u64,
    /// Requests to folders that are neither a release nor an alias Shipdeck knows.
    pub other_folders: u64,
    /// Buckets skipped because CloudWatch would refuse them (older than two weeks).
    pub too_old: bool,
}

/// The sums of one version in one bucket.
#[derive(Default)]
struct Sums {
    types: [u64; 6],
    latency: Latency,
}

/// The plan for `[start, complete_until)` where `start` is the later of `since` and the
/// watermark, and at most [`MAX_AGE`] before `now`; bucket-aligned.
pub fn plan(
    agg: &Aggregate,
    timeline: &Timeline,
    aliases: &[String],
    since: DateTime<Utc>,
    watermark: Option<DateTime<Utc>>,
    complete_until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Plan {
    let Some(complete) = complete_until else {
        return Plan::default();
    };
    let oldest_allowed = now - MAX_AGE + Duration::minutes(10);
    let wanted = watermark.map_or(since, |w| w.max(since));
    let start = wanted.max(oldest_allowed);
    let first = start.timestamp().div_euclid(BUCKET_SECS)
        + i64::from(start.timestamp().rem_euclid(BUCKET_SECS) != 0);
    let end = complete.timestamp().div_euclid(BUCKET_SECS);
    let mut p = Plan {
        too_old: wanted < oldest_allowed,
        ..Plan::default()
    };
    if end <= first {
        return p;
    }
    p.from = DateTime::from_timestamp(first * BUCKET_SECS, 0);
    p.until = DateTime::from_timestamp(end * BUCKET_SECS, 0);
    let mut sums: BTreeMap<(i64, String), Sums> = BTreeMap::new();
    for (folder, buckets) in &agg.folders {
        let release = release_of(folder);
        let alias = aliases.iter().any(|a| a == folder) || timeline.knows(folder);
        for (b, c) in buckets.range(first..end) {
            let version = match (&release, alias) {
                (Some(v), _) => Some(v.clone()),
                (None, true) => {
                    let mid = DateTime::from_timestamp(b * BUCKET_SECS + BUCKET_SECS / 2, 0);
                    match mid.and_then(|m| timeline.served(folder, m)) {
                        Some(v) => Some(v),
                        None => {
                            p.unattributed += c.requests;
                            continue;
                        }
                    }
                }
                (None, false) => None,
            };
            let Some(version) = version else {
                p.other_folders += c.requests;
                continue;
            };
            let s = sums.entry((*b, version)).or_default();
            for (a, n) in s.types.iter_mut().zip(c.types.iter()) {
                *a += n;
            }
            s.latency.merge(&c.latency);
            p.requests += c.requests;
        }
    }
    for ((b, version), s) in sums {
        let Some(at) = DateTime::from_timestamp(b * BUCKET_SECS, 0) else {
            continue;
        };
        for (t, n) in FileType::ALL.iter().zip(s.types.iter()) {
            if *n > 0 {
                p.data.push(Datum {
                    metric: MetricName::DownloadCount,
                    version: version.clone(),
                    file_type: Some(*t),
                    at,
                    sample_count: *n,
                    sum: *n,
                    min: 1,
                    max: 1,
                });
            }
        }
        let timed = s.latency.count();
        if timed > 0 {
            p.data.push(Datum {
                metric: MetricName::DownloadLatency,
                version,
                file_type: None,
                at,
                sample_count: timed,
                sum: s.latency.sum_ms,
                min: u64::from(s.latency.min_ms.unwrap_or(0)),
                max: u64::from(s.latency.max_ms.unwrap_or(0)),
            });
        }
    }
    p
}

/// Splits the plan's data into calls of at most `max` data points, each ending at a bucket's
/// end when it can, so that a call that fails leaves every earlier bucket wholly published:
/// returns each batch with the end of the last bucket it completes.
pub fn batches(data: &[Datum], max: usize) -> Vec<(&[Datum], DateTime<Utc>)> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut start = 0;
    while start < data.len() {
        let mut end = (start + max).min(data.len());
        if end < data.len() {
            // Back up to the last bucket boundary inside the batch, if there is one.
            let boundary = (start + 1..=end)
                .rev()
                .find(|i| data[*i].at != data[*i - 1].at);
            if let Some(b) = boundary {
                end = b;
            }
        }
        let last = data[end - 1].at;
        // The batch completes its last bucket only if the next batch starts a new one.
        let completes = if end == data.len() || data[end].at != last {
            last + Duration::seconds(BUCKET_SECS)
        } else {
            last
        };
        out.push((&data[start..end], completes));
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::history::{AliasChange, HistoryEvent, Operation};
    use crate::domain::traffic::parse::Request;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn req(at: &str, folder: &str, file: &str, ms: u32) -> Request<'static> {
        Request {
            at: t(at),
            path: format!("/w/{folder}/{file}").into(),
            status: 200,
            bytes: 10,
            cache_hit: None,
            incomplete: false,
            referrer_host: None,
            time_taken_ms: Some(ms),
        }
    }

    fn promote(at: &str, alias: &str, to: &str) -> HistoryEvent {
        HistoryEvent {
            commit: None,
            invalidation: None,
            id: at.into(),
            at: t(at),
            by: "a".into(),
            action: Operation::Promote,
            description: String::new(),
            changes: vec![AliasChange {
                alias: alias.into(),
                from: None,
                to: Some(to.into()),
            }],
            outcome: "ok".into(),
            detail: None,
        }
    }

    #[test]
    fn alias_traffic_counts_for_what_it_served_and_the_watermark_is_never_crossed() {
        let mut a = crate::domain::traffic::Tally::default();
        for r in [
            req("2026-11-20T10:01:00Z", "v1.0.0", "msr-webchat.umd.js", 10),
            req("2026-11-20T10:02:00Z", "latest", "style.css", 30),
            req("2026-11-20T10:03:00Z", "latest", "style.css", 50),
            // After the promote at 10:30 latest serves 1.1.0.
            req("2026-11-20T10:41:00Z", "latest", "msr-webchat.es.js", 20),
            req("2026-11-20T10:42:00Z", "scanner", "x.php", 1),
            req("2026-11-20T10:43:00Z", "v1", "msr-webchat.es.js", 1),
            // Not complete yet.
            req("2026-11-20T11:10:00Z", "v1.0.0", "msr-webchat.umd.js", 10),
        ] {
            a.add(&r, "/w");
        }
        let a = a.finish(0);
        let tl = Timeline::from_history(&[
            promote("2026-11-19T00:00:00Z", "latest", "1.0.0"),
            promote("2026-11-20T10:30:00Z", "latest", "1.1.0"),
        ]);
        let aliases = vec!["latest".to_string(), "v1".to_string()];
        let now = t("2026-11-20T12:00:00Z");
        let complete = Some(t("2026-11-20T11:00:00Z"));
        let p = plan(
            &a,
            &tl,
            &aliases,
            t("2026-11-20T00:00:00Z"),
            None,
            complete,
            now,
        );
        assert_eq!(
            (p.from, p.until),
            (Some(t("2026-11-20T00:00:00Z")), complete)
        );
        assert_eq!((p.requests, p.unattributed, p.other_folders), (4, 1, 1));
        let count = |v: &str, ft: FileType| -> u64 {
            p.data
                .iter()
                .filter(|d| d.version == v && d.file_type == Some(ft))
                .map(|d| d.sum)
                .sum()
        };
        assert_eq!(count("1.0.0", FileType::Umd), 1);
        assert_eq!(count("1.0.0", FileType::Css), 2, "latest served 1.0.0");
        assert_eq!(count("1.1.0", FileType::Es), 1, "then 1.1.0");
        // Two css requests in one bucket: one statistic set, average 40 ms.
        let lat = p
            .data
            .iter()
            .find(|d| d.metric == MetricName::DownloadLatency && d.at == t("2026-11-20T10:00:00Z"))
            .unwrap();
        assert_eq!(
            (lat.sample_count, lat.sum, lat.min, lat.max),
            (3, 90, 10, 50)
        );
        // From the watermark on only, and nothing when the watermark is at the complete end.
        let later = plan(
            &a,
            &tl,
            &aliases,
            t("2026-11-20T00:00:00Z"),
            Some(t("2026-11-20T10:05:00Z")),
            complete,
            now,
        );
        assert_eq!(later.requests, 1);
        assert!(later.data.iter().all(|d| d.at >= t("2026-11-20T10:05:00Z")));
        let none = plan(
            &a,
            &tl,
            &aliases,
            t("2026-11-20T00:00:00Z"),
            complete,
            complete,
            now,
        );
        assert_eq!((none.data.len(), none.from), (0, None));
        // More than two weeks back is left out and said.
        let old = plan(
            &a,
            &tl,
            &aliases,
            t("2026-10-01T00:00:00Z"),
            None,
            complete,
            now,
        );
        assert!(old.too_old);
        assert!(old.from.unwrap() > t("2026-11-06T00:00:00Z"));
    }

    #[test]
    fn batches_end_at_bucket_boundaries_and_say_what_they_complete() {
        let d = |m: i64| Datum {
            metric: MetricName::DownloadCount,
            version: "1.0.0".into(),
            file_type: Some(FileType::Umd),
            at: t("2026-11-20T10:00:00Z") + Duration::minutes(m),
            sample_count: 1,
            sum: 1,
            min: 1,
            max: 1,
        };
        // Buckets of 2, 3 and 1 data points; calls of at most 4.
        let data = vec![d(0), d(0), d(5), d(5), d(5), d(10)];
        let b = batches(&data, 4);
        let sizes: Vec<usize> = b.iter().map(|(x, _)| x.len()).collect();
        assert_eq!(sizes, vec![2, 4]);
        assert_eq!(b[0].1, t("2026-11-20T10:05:00Z"));
        assert_eq!(b[1].1, t("2026-11-20T10:15:00Z"));
        // A bucket larger than a call is split; the first part completes nothing new.
        let big = vec![d(0), d(0), d(0), d(5)];
        let b = batches(&big, 2);
        assert_eq!(b[0].1, t("2026-11-20T10:00:00Z"));
        assert_eq!(b.last().unwrap().1, t("2026-11-20T10:10:00Z"));
        assert_eq!(b.iter().map(|(x, _)| x.len()).sum::<usize>(), 4);
    }
}
