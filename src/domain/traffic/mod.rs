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
mod scan;
mod tally;

use crate::domain::history::HistoryEvent;
use crate::domain::manifest::FileType;
use chrono::{DateTime, Utc};
pub use latency::{LATENCY_BOUNDS_MS, Latency, Percentiles};
pub use report::{AROUND, AroundChange, Report, Row, VersionTraffic, report};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
pub use tally::Tally;

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

/// The row that counts every folder that is not a release or alias (scanners, typos, folders
/// of other tools). Parentheses cannot appear in a release or alias name.
pub const OTHER: &str = "(other)";

/// Distinct folders one log file keeps by name (releases and aliases, the first seen; `latest`
/// always), channels among them, and referrer hosts per folder: beyond these, requests are
/// counted under [`OTHER`], so neither memory, the cache nor the output grows with what
/// strangers request. A real store has a few hundred releases at most.
pub const MAX_FOLDERS: usize = 4096;
pub const MAX_CHANNELS: usize = 64;
pub const MAX_REFERRERS: usize = 256;

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
    // A byte search: this runs once per log line.
    let slash = memchr::memchr(b'/', rest.as_bytes())?;
    let (folder, file) = (rest.get(..slash)?, rest.get(slash + 1..)?);
    (!folder.is_empty() && !file.is_empty()).then_some(folder)
}

impl Aggregate {
    /// Whether the CDN answered any request under `folder` with content (2xx or 304): a folder
    /// that exists, or existed, rather than one a scanner made up.
    pub fn served(&self, folder: &str) -> bool {
        self.folders
            .get(folder)
            .is_some_and(|b| b.values().any(|c| c.s2xx + c.s304 > 0))
    }

    /// The same counts with every folder `keep` rejects merged into [`OTHER`]: what the view
    /// shows, one row for everything that is not a release or alias of this store.
    pub fn folded(&self, keep: impl Fn(&str) -> bool) -> Aggregate {
        if self.folders.keys().all(|f| f == OTHER || keep(f)) {
            return self.clone();
        }
        let mut out = Aggregate {
            folders: BTreeMap::new(),
            referrers: BTreeMap::new(),
            ..self.clone()
        };
        let name = |f: &String| {
            if f == OTHER || keep(f) {
                f.clone()
            } else {
                OTHER.to_string()
            }
        };
        for (f, buckets) in &self.folders {
            let mine = out.folders.entry(name(f)).or_default();
            for (b, c) in buckets {
                mine.entry(*b).or_default().add(c);
            }
        }
        for (f, hosts) in &self.referrers {
            let mine = out.referrers.entry(name(f)).or_default();
            for (h, n) in hosts {
                *mine.entry(h.clone()).or_default() += n;
            }
        }
        out
    }

    /// Reads one log file's text.
    pub fn read(text: &str, path_prefix: &str) -> Aggregate {
        let mut t = Tally::default();
        let bad = parse::any(text, &mut |r| t.add(&r, path_prefix));
        t.finish(bad)
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
mod tests;
