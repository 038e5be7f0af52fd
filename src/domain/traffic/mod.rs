//! Traffic: who still loads which version, and whether a rollback took effect — from the CDN's
//! access logs, because CloudFront's and Front Door's metrics have no per-path dimension.
//!
//! Requests are counted per folder (a release `v1.2.3/` or an alias `latest/`, `v1/`…) in
//! five-minute buckets, per log file, so a file's counts can be cached by its ETag and merged
//! with others. Alias traffic is then attributed to the version each alias served at that
//! moment, from Shipdeck's own history (the view itself is built in `report.rs`). Pure: no
//! IO, no clock (callers pass `now`).

pub mod athena;
pub mod latency;
pub mod parse;
mod report;

use crate::domain::history::HistoryEvent;
use crate::domain::manifest::FileType;
use chrono::{DateTime, Utc};
pub use latency::{LATENCY_BOUNDS_MS, Latency, Percentiles};
pub use report::{AROUND, AroundChange, Report, Row, VersionTraffic, report};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Seconds per bucket.
pub const BUCKET_SECS: i64 = 300;

/// Counts of one folder in one bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub requests: u64,
    pub bytes: u64,
    pub s2xx: u64,
    pub s304: u64,
    pub s4xx: u64,
    pub s5xx: u64,
    /// Requests whose log says hit or miss (the denominator of the hit ratio).
    pub cache_known: u64,
    pub hits: u64,
    pub incomplete: u64,
    /// Status 0: the viewer left before an answer.
    pub aborted: u64,
    /// Requests per file type, in `FileType::ALL` order (absent in counts cached by an older
    /// Shipdeck, or counted by Athena: zero).
    #[serde(default)]
    pub types: [u64; 6],
    /// How long requests took, as a histogram.
    #[serde(default)]
    pub latency: Latency,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.requests += o.requests;
        self.bytes += o.bytes;
        self.s2xx += o.s2xx;
        self.s304 += o.s304;
        self.s4xx += o.s4xx;
        self.s5xx += o.s5xx;
        self.cache_known += o.cache_known;
        self.hits += o.hits;
        self.incomplete += o.incomplete;
        self.aborted += o.aborted;
        for (a, b) in self.types.iter_mut().zip(o.types.iter()) {
            *a += b;
        }
        self.latency.merge(&o.latency);
    }

    fn count(&mut self, r: &parse::Request) {
        self.requests += 1;
        self.bytes += r.bytes;
        match r.status {
            304 => self.s304 += 1,
            200..=299 => self.s2xx += 1,
            400..=499 => self.s4xx += 1,
            500..=599 => self.s5xx += 1,
            0 => self.aborted += 1,
            _ => {}
        }
        if let Some(h) = r.cache_hit {
            self.cache_known += 1;
            self.hits += u64::from(h);
        }
        self.incomplete += u64::from(r.incomplete);
        self.types[FileType::of(&r.path).index()] += 1;
        if let Some(ms) = r.time_taken_ms {
            self.latency.record(ms);
        }
    }

    /// Requests per file type, the types seen only.
    pub fn by_type(&self) -> BTreeMap<FileType, u64> {
        FileType::ALL
            .iter()
            .zip(self.types.iter())
            .filter(|(_, n)| **n > 0)
            .map(|(t, n)| (*t, *n))
            .collect()
    }

    /// Errors: 4xx and 5xx answers and incomplete downloads.
    pub fn errors(&self) -> u64 {
        self.s4xx + self.s5xx + self.incomplete
    }
}

/// What one or more log files say, per folder and bucket.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    /// folder → bucket start (epoch seconds / BUCKET_SECS) → counts.
    pub folders: BTreeMap<String, BTreeMap<i64, Counts>>,
    /// folder → referrer host → requests.
    pub referrers: BTreeMap<String, BTreeMap<String, u64>>,
    /// Requests read, lines that could not be read, requests outside the published prefix.
    pub lines: u64,
    pub bad_lines: u64,
    pub outside: u64,
    pub newest: Option<DateTime<Utc>>,
    pub oldest: Option<DateTime<Utc>>,
}

/// The folder a path belongs to under `path_prefix` (`/msr-webchat`): its first segment, or
/// `None` for paths outside the published prefix.
pub fn folder_of(path: &str, path_prefix: &str) -> Option<String> {
    folder_in(path, path_prefix).map(str::to_string)
}

/// [`folder_of`], borrowed from `path`.
fn folder_in<'a>(path: &'a str, path_prefix: &str) -> Option<&'a str> {
    let prefix = path_prefix.trim_end_matches('/');
    let rest = path.strip_prefix(prefix)?.strip_prefix('/')?;
    let (folder, file) = rest.split_once('/')?;
    (!folder.is_empty() && !file.is_empty()).then_some(folder)
}

impl Aggregate {
    /// Counts one request.
    pub fn add(&mut self, r: &parse::Request, path_prefix: &str) {
        self.lines += 1;
        let Some(folder) = folder_in(&r.path, path_prefix) else {
            self.outside += 1;
            return;
        };
        let bucket = r.at.timestamp().div_euclid(BUCKET_SECS);
        // Looked up by reference: a folder or host is copied once, when first seen.
        match self.folders.get_mut(folder) {
            Some(buckets) => buckets.entry(bucket).or_default().count(r),
            None => {
                let mut c = Counts::default();
                c.count(r);
                self.folders
                    .insert(folder.to_string(), BTreeMap::from([(bucket, c)]));
            }
        }
        if let Some(h) = &r.referrer_host {
            match self.referrers.get_mut(folder) {
                Some(hosts) => match hosts.get_mut(h.as_ref()) {
                    Some(n) => *n += 1,
                    None => {
                        hosts.insert(h.to_string(), 1);
                    }
                },
                None => {
                    self.referrers
                        .insert(folder.to_string(), BTreeMap::from([(h.to_string(), 1)]));
                }
            }
        }
        self.newest = self.newest.max(Some(r.at));
        self.oldest = Some(self.oldest.map_or(r.at, |o| o.min(r.at)));
    }

    /// Reads one log file's text.
    pub fn read(text: &str, path_prefix: &str) -> Aggregate {
        let mut a = Aggregate::default();
        let bad = parse::any(text, &mut |r| a.add(&r, path_prefix));
        a.bad_lines = bad;
        a
    }

    /// Where the counts stop being complete: the start of the newest hour, which may still be
    /// arriving (the report, alerts and `metrics publish` all stop there).
    pub fn complete_until(&self) -> Option<DateTime<Utc>> {
        self.newest.map(|n| {
            let h = n.timestamp().div_euclid(3600) * 3600;
            DateTime::from_timestamp(h, 0).unwrap_or(n)
        })
    }

    /// Adds another file's counts.
    pub fn merge(&mut self, o: &Aggregate) {
        for (f, buckets) in &o.folders {
            let mine = self.folders.entry(f.clone()).or_default();
            for (b, c) in buckets {
                mine.entry(*b).or_default().add(c);
            }
        }
        for (f, hosts) in &o.referrers {
            let mine = self.referrers.entry(f.clone()).or_default();
            for (h, n) in hosts {
                *mine.entry(h.clone()).or_default() += n;
            }
        }
        self.lines += o.lines;
        self.bad_lines += o.bad_lines;
        self.outside += o.outside;
        self.newest = self.newest.max(o.newest);
        self.oldest = match (self.oldest, o.oldest) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}

/// From when an alias served a version (none: the alias was removed).
type Served = (DateTime<Utc>, Option<String>);

/// Which version each alias served over time, from history.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    /// alias → its targets in time order.
    changes: BTreeMap<String, Vec<Served>>,
}

impl Timeline {
    pub fn from_history(events: &[HistoryEvent]) -> Timeline {
        let mut t = Timeline::default();
        let mut sorted: Vec<&HistoryEvent> = events.iter().filter(|e| e.outcome == "ok").collect();
        sorted.sort_by_key(|e| e.at);
        for e in sorted {
            for c in &e.changes {
                t.changes
                    .entry(c.alias.clone())
                    .or_default()
                    .push((e.at, c.to.clone()));
            }
        }
        t
    }

    /// Whether history ever moved `alias`.
    pub fn knows(&self, alias: &str) -> bool {
        self.changes.contains_key(alias)
    }

    /// The version `alias` served at `at`, if history knows.
    pub fn served(&self, alias: &str, at: DateTime<Utc>) -> Option<String> {
        self.changes
            .get(alias)?
            .iter()
            .rev()
            .find(|(t, _)| *t <= at)
            .and_then(|(_, v)| v.clone())
    }
}

/// Whether a folder name is a release folder (`v1.2.3`, `v2.0.0-beta.1`): its version.
pub fn release_of(folder: &str) -> Option<String> {
    let v = folder.strip_prefix('v')?;
    semver::Version::parse(v).ok().map(|v| v.to_string())
}

pub(super) fn sum(buckets: &BTreeMap<i64, Counts>, from: i64, to: i64) -> Counts {
    let mut c = Counts::default();
    for (_, x) in buckets.range(from.div_euclid(BUCKET_SECS)..to.div_euclid(BUCKET_SECS)) {
        c.add(x);
    }
    c
}

/// What a release manager asks the counts about: one alias folder, or one version — its own
/// folder plus the alias traffic it served (attributed per bucket by history).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Subject {
    Alias(String),
    Version(String),
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Alias(a) => write!(f, "{a}/"),
            Subject::Version(v) => write!(f, "{v}"),
        }
    }
}

/// The counts of `subject` over `[from, to)` (epoch seconds).
pub fn counts_for(
    agg: &Aggregate,
    history: &[HistoryEvent],
    subject: &Subject,
    from: i64,
    to: i64,
) -> Counts {
    let range = from.div_euclid(BUCKET_SECS)..to.div_euclid(BUCKET_SECS);
    match subject {
        Subject::Alias(a) => agg
            .folders
            .get(a)
            .map_or_else(Counts::default, |b| sum(b, from, to)),
        Subject::Version(v) => {
            let timeline = Timeline::from_history(history);
            let mut c = agg
                .folders
                .get(&format!("v{v}"))
                .map_or_else(Counts::default, |b| sum(b, from, to));
            for (folder, buckets) in &agg.folders {
                if release_of(folder).is_some() {
                    continue;
                }
                for (b, x) in buckets.range(range.clone()) {
                    let mid = DateTime::from_timestamp(b * BUCKET_SECS + BUCKET_SECS / 2, 0);
                    if mid.and_then(|m| timeline.served(folder, m)).as_deref() == Some(v.as_str()) {
                        c.add(x);
                    }
                }
            }
            c
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::history::{AliasChange, Operation};

    fn req(at: &str, path: &str, status: u16) -> parse::Request<'static> {
        parse::Request {
            at: DateTime::parse_from_rfc3339(at)
                .unwrap()
                .with_timezone(&Utc),
            path: path.to_string().into(),
            status,
            bytes: 100,
            cache_hit: Some(status == 200),
            incomplete: false,
            referrer_host: Some("shop.example.com".into()),
            time_taken_ms: Some(u32::from(status) / 2),
        }
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn alias_traffic_is_attributed_to_what_it_served_and_changes_compare_before_after() {
        let mut a = Aggregate::default();
        let p = "/msr-webchat";
        // latest served 1.0.0 until the promote at 10:00, 1.1.0 after; errors before.
        for m in 0..6 {
            a.add(
                &req(
                    &format!("2026-11-20T09:{:02}:00Z", 10 + m * 5),
                    "/msr-webchat/latest/x.js",
                    500,
                ),
                p,
            );
        }
        for m in 0..4 {
            a.add(
                &req(
                    &format!("2026-11-20T10:{:02}:00Z", 10 + m * 5),
                    "/msr-webchat/latest/x.js",
                    200,
                ),
                p,
            );
        }
        a.add(
            &req("2026-11-15T08:00:00Z", "/msr-webchat/v0.9.0/x.js", 200),
            p,
        );
        a.add(&req("2026-11-20T10:00:00Z", "/other/x.js", 200), p);
        let history = vec![
            HistoryEvent {
                id: "1".into(),
                at: t("2026-11-19T00:00:00Z"),
                by: "a".into(),
                action: Operation::Promote,
                description: "promote 1.0.0".into(),
                changes: vec![AliasChange {
                    alias: "latest".into(),
                    from: None,
                    to: Some("1.0.0".into()),
                }],
                outcome: "ok".into(),
                detail: None,
            },
            HistoryEvent {
                id: "2".into(),
                at: t("2026-11-20T10:00:00Z"),
                by: "a".into(),
                action: Operation::Promote,
                description: "promote 1.1.0".into(),
                changes: vec![AliasChange {
                    alias: "latest".into(),
                    from: Some("1.0.0".into()),
                    to: Some("1.1.0".into()),
                }],
                outcome: "ok".into(),
                detail: None,
            },
        ];
        let r = report(
            &a,
            &history,
            t("2026-11-14T00:00:00Z"),
            t("2026-11-21T00:00:00Z"),
            t("2026-11-27T00:00:00Z"),
        );
        assert_eq!((a.lines, a.outside), (12, 1));
        let v = |n: &str| r.versions.iter().find(|x| x.version == n).unwrap();
        assert_eq!(v("1.0.0").via_aliases["latest"], 6);
        assert_eq!(v("1.1.0").via_aliases["latest"], 4);
        assert_eq!(v("0.9.0").direct, 1);
        assert_eq!(v("0.9.0").days_without_direct, Some(11));
        let c = r
            .changes
            .iter()
            .find(|c| c.to.as_deref() == Some("1.1.0"))
            .unwrap();
        assert_eq!((c.before.requests, c.before.errors()), (6, 6));
        assert_eq!((c.after.requests, c.after.errors()), (4, 0));
        let latest = r.rows.iter().find(|x| x.folder == "latest").unwrap();
        assert_eq!(latest.spark.iter().sum::<u64>(), 10);
        assert_eq!(latest.spark.len(), 7, "a week in days");
        assert_eq!(latest.referrers, vec![("shop.example.com".to_string(), 10)]);
        assert_eq!(latest.hit_ratio, Some(0.4));
        assert_eq!(r.complete_until, Some(t("2026-11-20T10:00:00Z")));
        // A version's counts: its own folder plus the alias traffic it served, per bucket; an
        // alias's: its folder.
        let (from, to) = (
            t("2026-11-20T09:00:00Z").timestamp(),
            t("2026-11-20T11:00:00Z").timestamp(),
        );
        let of = |s: Subject| counts_for(&a, &history, &s, from, to);
        let new = of(Subject::Version("1.1.0".into()));
        assert_eq!((new.requests, new.s5xx), (4, 0));
        let old = of(Subject::Version("1.0.0".into()));
        assert_eq!((old.requests, old.s5xx), (6, 6));
        assert_eq!(of(Subject::Alias("latest".into())).requests, 10);
        assert_eq!(of(Subject::Alias("v9".into())).requests, 0);
        // The latency and the file type of each request came along.
        let latest_c = of(Subject::Alias("latest".into()));
        assert_eq!(latest_c.latency.count(), 10);
        assert_eq!(latest_c.by_type().get(&FileType::Other), Some(&10));
        // Merging two halves gives the same as reading all.
        let mut half = Aggregate::default();
        half.merge(&a);
        assert_eq!(half, a);
    }
}
