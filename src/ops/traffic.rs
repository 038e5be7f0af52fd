//! The Traffic use case: list the CDN's log files for a window, read the new ones (gzip or plain,
//! multi-member gzip too), count them per folder, keep each file's counts in a local cache keyed
//! by the log object's ETag so the next run reads only new files, and build the report with the
//! profile's history.

use super::Context;
use super::records::read_history;
use crate::domain::history::HistoryEvent;
use crate::domain::traffic::{Aggregate, Report, report};
use crate::error::{Error, Result};
use crate::logs::LogFiles;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Where a profile's CDN access logs are, opened.
pub struct LogSource {
    pub store: std::sync::Arc<dyn LogFiles>,
    pub prefix: String,
    /// How late the CDN may deliver logs, in words, for the completeness note.
    pub delay_note: String,
    /// The logs as a table in a query engine (Athena), when configured.
    pub engine: Option<TableEngine>,
    /// Above this many bytes of logs in a window, the report suggests the engine.
    pub engine_threshold: u64,
}

pub use crate::logs::{QueryEngine, QueryProgress};

/// Where the logs are counted: a closed set, so `--engine` names the valid ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// Read the log files here (cached per file).
    Local,
    /// One query over the logs table in Athena.
    Athena,
}

/// The logs table and the engine that queries it.
pub struct TableEngine {
    pub engine: std::sync::Arc<dyn QueryEngine>,
    pub table: String,
}

/// One cached file: its ETag and its counts.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cached {
    etag: String,
    agg: Aggregate,
}

/// The cache's format: counts cached by a Shipdeck that counted less (no latency sum) are read
/// again rather than merged with zeros.
const CACHE_FORMAT: u32 = 2;

/// The per-file cache of one profile's logs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Cache {
    #[serde(default)]
    format: u32,
    /// The URL path prefix the counts were made for; another one invalidates the cache.
    path_prefix: String,
    files: BTreeMap<String, Cached>,
}

/// How the logs were read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Loaded {
    /// Log files in the window.
    pub files: usize,
    /// Read now (new or changed), and taken from the cache.
    pub read: usize,
    pub cached: usize,
    pub bytes_read: u64,
}

/// The report and how it was made.
#[derive(Debug, Clone, Serialize)]
pub struct Traffic {
    pub source: String,
    pub delay_note: String,
    /// Which engine counted.
    pub engine_kind: Engine,
    /// `local` (log files read here) or the query engine's name.
    pub engine: String,
    pub loaded: Loaded,
    pub report: Report,
    /// A suggestion for big windows (the Athena engine).
    pub hint: Option<String>,
    /// Log files not counted, each with why ("…: skipped: expands beyond 256 MiB").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
    /// The error tracker's new issues per release in the window, beside the CDN's numbers
    /// (absent when the profile names no tracker).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<TrackerErrors>,
}

/// What the error tracker (Sentry) says of each release in the window.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TrackerErrors {
    pub source: String,
    /// version → issues first seen in that release, inside the window.
    pub releases: BTreeMap<String, crate::tracking::Issues>,
    /// Why the tracker could not be read (the releases read before it failed stay).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
}

/// At most this many releases are asked about (the newest first), so a window with many old
/// versions does not turn into many slow calls.
const TRACKER_RELEASES: usize = 20;

/// The tracker's new issues for `versions` since `since`; `None` without a tracker. A failing
/// call stops the reading (one unreachable tracker is one wait, not one per release).
pub async fn tracker_errors(
    ctx: &Context,
    versions: &[String],
    since: DateTime<Utc>,
) -> Option<TrackerErrors> {
    let t = ctx.tracking.as_ref()?;
    let mut out = TrackerErrors {
        source: t.tracker.describe(),
        ..TrackerErrors::default()
    };
    let mut newest: Vec<&String> = versions.iter().collect();
    newest.sort_by_key(|v| std::cmp::Reverse(semver::Version::parse(v).ok()));
    for v in newest.into_iter().take(TRACKER_RELEASES) {
        match t.tracker.issues(&t.release(v), since).await {
            Ok(i) => {
                out.releases.insert(v.clone(), i);
            }
            Err(e) => {
                out.failed = Some(e.to_string());
                break;
            }
        }
    }
    Some(out)
}

/// The hour a log file's name says it covers, in any of the known layouts: CloudFront legacy
/// (`…E123.2026-11-20-10.abcd.gz`), v2 (`…/2026/11/20/10/…` or Hive `year=2026/month=11/day=20/
/// hour=10`) and Front Door (`y=2026/m=11/d=20/h=10`).
pub fn hour_of_key(key: &str) -> Option<DateTime<Utc>> {
    let at = |y: &str, m: &str, d: &str, h: &str| -> Option<DateTime<Utc>> {
        let date = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?;
        Some(Utc.from_utc_datetime(&date.and_hms_opt(h.parse().ok()?, 0, 0)?))
    };
    // key=value segments (Hive, Front Door).
    let mut kv: BTreeMap<&str, &str> = BTreeMap::new();
    for seg in key.split('/') {
        // The first wins: Front Door's path has `m=` twice (month, then minute).
        if let Some((k, v)) = seg.split_once('=') {
            kv.entry(k).or_insert(v);
        }
    }
    let pick = |names: &[&str]| names.iter().find_map(|n| kv.get(n).copied());
    if let (Some(y), Some(m), Some(d), Some(h)) = (
        pick(&["year", "y"]),
        pick(&["month", "m"]),
        pick(&["day", "d"]),
        pick(&["hour", "h"]),
    ) {
        return at(y, m, d, h);
    }
    // Legacy: the `YYYY-MM-DD-HH` part of the file name.
    let name = key.rsplit('/').next().unwrap_or(key);
    for part in name.split('.') {
        let p: Vec<&str> = part.split('-').collect();
        if let [y, m, d, h] = p.as_slice()
            && y.len() == 4
            && h.len() == 2
        {
            return at(y, m, d, h);
        }
    }
    // v2 folders: …/YYYY/MM/DD/HH/…
    let segs: Vec<&str> = key.split('/').collect();
    segs.windows(4).rev().find_map(|w| {
        (w[0].len() == 4 && w.iter().all(|s| s.chars().all(|c| c.is_ascii_digit())))
            .then(|| at(w[0], w[1], w[2], w[3]))
            .flatten()
    })
}

pub use super::log_text::MAX_LOG_TEXT;
use super::log_text::{Unreadable, with_text};

/// One skipped file, for the report: its key (control characters removed) and why.
fn skip_line(key: &str, why: &Unreadable) -> String {
    let key: String = key.chars().filter(|c| !c.is_control()).collect();
    format!("{key}: {why}")
}

fn read_cache(path: &Path, path_prefix: &str) -> Cache {
    let cache: Cache = std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    if cache.path_prefix == path_prefix && cache.format == CACHE_FORMAT {
        cache
    } else {
        Cache {
            format: CACHE_FORMAT,
            path_prefix: path_prefix.to_string(),
            files: BTreeMap::new(),
        }
    }
}

fn write_cache(path: &Path, cache: &Cache) {
    let write = || -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // A temporary name of this writer's own: the console reads logs for Traffic and for
        // alerts at once, and a CLI may run beside it; two writers sharing one temporary file
        // could rename a mix of both into place.
        let tmp = path.with_extension(format!(
            "{}.{:016x}.tmp",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::write(&tmp, serde_json::to_vec(cache)?)?;
        std::fs::rename(tmp, path)
    };
    // A cache that cannot be written only costs the next run a re-read.
    if let Err(e) = write() {
        tracing::warn!(path = %path.display(), "traffic cache not written: {e}");
    }
}

/// Above the profile's threshold, the sentence that suggests counting in the query engine.
fn engine_hint(logs: &LogSource, window_bytes: u64) -> Option<String> {
    (window_bytes > logs.engine_threshold).then(|| match &logs.engine {
        Some(e) => format!(
            "this window holds {} of logs; `shipdeck traffic --engine athena` counts it in {} instead of downloading it",
            crate::domain::plan::human_bytes(window_bytes),
            e.engine.describe()
        ),
        None => format!(
            "this window holds {} of logs; with athena = {{ database = \"…\", table = \"…\" }} in the profile's logs, `--engine athena` counts it in Athena",
            crate::domain::plan::human_bytes(window_bytes)
        ),
    })
}

/// Reads the logs of `[since, until)` (new files only; the rest from `cache_path`) and builds
/// the report. `progress` hears (files done, files to read).
pub async fn traffic(
    ctx: &Context,
    logs: &LogSource,
    cache_path: &Path,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> Result<Traffic> {
    let w = read_window(ctx, logs, cache_path, since, until, progress).await?;
    let (report, errors) = report_with_errors(ctx, &w.agg, since, until, now).await?;
    Ok(Traffic {
        errors,
        source: format!("{} under '{}'", logs.store.describe(), logs.prefix),
        delay_note: logs.delay_note.clone(),
        engine_kind: Engine::Local,
        engine: "local".into(),
        loaded: w.loaded,
        report,
        hint: w.hint,
        skipped: w.skipped,
    })
}

/// The counts of a window of logs, before any report is made of them (alerts read them too).
pub struct Window {
    pub agg: Aggregate,
    pub loaded: Loaded,
    pub hint: Option<String>,
    pub skipped: Vec<String>,
}

/// Reads the logs of `[since, until)` into one aggregate: new files only, the rest from the
/// per-file cache at `cache_path`.
pub async fn read_window(
    ctx: &Context,
    logs: &LogSource,
    cache_path: &Path,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> Result<Window> {
    if until <= since {
        return Err(crate::error::InputError::EmptyWindow.into());
    }
    let path_prefix = ctx.cdn.path_prefix().to_string();
    let mut cache = read_cache(cache_path, &path_prefix);
    let listed = logs.store.files(&logs.prefix).await?;
    // A file named for an hour holds that hour's requests (and a few from just before).
    let in_window = |k: &str| {
        hour_of_key(k)
            .is_none_or(|h| h + Duration::hours(2) > since && h < until + Duration::hours(1))
    };
    let files: Vec<_> = listed.iter().filter(|o| in_window(&o.key)).collect();
    let window_bytes: u64 = files.iter().map(|o| o.size).sum();
    let hint = engine_hint(logs, window_bytes);
    // A file larger than the most text one may hold is said so without being fetched.
    let (todo, too_large): (Vec<&&crate::store::ObjectMeta>, Vec<_>) = files
        .iter()
        .filter(|o| cache.files.get(&o.key).is_none_or(|c| c.etag != o.etag))
        .partition(|o| o.size <= MAX_LOG_TEXT);
    let mut loaded = Loaded {
        files: files.len(),
        read: todo.len(),
        cached: files.len() - todo.len() - too_large.len(),
        bytes_read: 0,
    };
    let total = todo.len();
    progress(0, total);
    // Futures built in a loop rather than by a closure: closure-made futures trip rustc's
    // higher-ranked `Send` check when the caller is spawned (as in apply.rs).
    let mut reads = Vec::with_capacity(todo.len());
    // Downloads wait on the store, reading waits on the CPU: as many files are read at once as
    // there are cores (each reading thread keeps its own text buffer warm), however many are
    // downloading.
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let readers = std::sync::Arc::new(tokio::sync::Semaphore::new(cores));
    for o in &todo {
        let store = logs.store.clone();
        let key = o.key.clone();
        let etag = o.etag.clone();
        let prefix = path_prefix.clone();
        let readers = readers.clone();
        reads.push(async move {
            let Some(body) = store.read(&key).await? else {
                return Ok::<_, Error>((key, etag, Ok(Aggregate::default()), 0));
            };
            let n = body.len() as u64;
            let permit = readers.acquire_owned().await.ok();
            // An unreadable file is skipped and said so, never fatal.
            let agg = tokio::task::spawn_blocking(move || {
                let _permit = permit;
                with_text(&body, |text| Aggregate::read(text, &prefix))
            })
            .await
            .map_err(|e| {
                Error::io(
                    "reading a log file stopped",
                    std::io::Error::other(e.to_string()),
                )
            })?;
            Ok((key, etag, agg, n))
        });
    }
    let mut skipped: Vec<String> = too_large
        .iter()
        .map(|o| skip_line(&o.key, &Unreadable::too_large()))
        .collect();
    let mut stream = futures::stream::iter(reads).buffer_unordered(ctx.concurrency.max(1));
    let mut done = 0;
    while let Some(r) = stream.next().await {
        let (key, etag, agg, n) = r?;
        loaded.bytes_read += n;
        match agg {
            Ok(agg) => {
                cache.files.insert(key, Cached { etag, agg });
            }
            // Not cached: the next run says so again.
            Err(why) => skipped.push(skip_line(&key, &why)),
        }
        done += 1;
        progress(done, total);
    }
    // Forget files that are gone from the log store.
    let listed_keys: std::collections::BTreeSet<&str> =
        listed.iter().map(|o| o.key.as_str()).collect();
    cache.files.retain(|k, _| listed_keys.contains(k.as_str()));
    if total > 0 {
        write_cache(cache_path, &cache);
    }
    let mut agg = Aggregate::default();
    for o in &files {
        if let Some(c) = cache.files.get(&o.key) {
            agg.merge(&c.agg);
        }
    }
    // A skipped file counts as one unreadable line too, as it always did.
    agg.bad_lines += skipped.len() as u64;
    Ok(Window {
        agg,
        loaded,
        hint,
        skipped,
    })
}

/// The same report from the logs table: one SQL query, run where the logs are.
pub async fn traffic_in_engine(
    ctx: &Context,
    logs: &LogSource,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
    progress: &QueryProgress,
) -> Result<Traffic> {
    let Some(te) = &logs.engine else {
        return Err(crate::error::ProfileGap::NoAthenaTable.into());
    };
    let sql = crate::domain::traffic::athena::sql(&te.table, ctx.cdn.path_prefix(), since, until);
    let rows = te.engine.run(&sql, progress).await?;
    let agg = crate::domain::traffic::athena::aggregate(&rows).map_err(|row| Error::Rows {
        engine: te.engine.describe(),
        row,
    })?;
    let (report, errors) = report_with_errors(ctx, &agg, since, until, now).await?;
    Ok(Traffic {
        errors,
        source: format!("table {} in {}", te.table, te.engine.describe()),
        delay_note: logs.delay_note.clone(),
        engine_kind: Engine::Athena,
        engine: te.engine.describe(),
        loaded: Loaded::default(),
        report,
        hint: None,
        skipped: Vec::new(),
    })
}

/// The report of a window's counts, however they were counted (here or in a query engine),
/// with the error tracker's word on each release in it.
async fn report_with_errors(
    ctx: &Context,
    agg: &Aggregate,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(Report, Option<TrackerErrors>)> {
    let history = read_history(ctx, None).await?;
    let known = store_folders(ctx, &history).await?;
    let report = report(
        &agg.folded(|f| known.contains(f) || agg.served(f)),
        &history,
        since,
        until,
        now,
    );
    let versions: Vec<String> = report.versions.iter().map(|v| v.version.clone()).collect();
    let errors = tracker_errors(ctx, &versions, since).await;
    Ok((report, errors))
}

/// The folders the view shows by name whatever the CDN answered: this store's releases and
/// aliases, and every alias history ever moved (a removed alias still has visitors). Other
/// folders keep their name only when the CDN served content from them (a folder published
/// by hand, or before Shipdeck); what only ever got errors (scanners, typos) is one row.
async fn store_folders(ctx: &Context, history: &[HistoryEvent]) -> Result<BTreeSet<String>> {
    let (state, _) = crate::ops::records::load_state(ctx).await?;
    let releases = state.core.releases.keys().map(|v| format!("v{v}"));
    let aliases = state.core.aliases.keys().map(ToString::to_string);
    let moved = history
        .iter()
        .flat_map(|e| e.changes.iter().map(|c| c.alias.clone()));
    Ok(releases.chain(aliases).chain(moved).collect())
}

/// Days without a direct request to each release folder, from the cache alone (no download):
/// what the yank plan shows.
pub fn cached_quiet_days(cache_path: &Path, now: DateTime<Utc>) -> BTreeMap<String, i64> {
    let Ok(bytes) = std::fs::read(cache_path) else {
        return BTreeMap::new();
    };
    let Ok(cache) = serde_json::from_slice::<Cache>(&bytes) else {
        return BTreeMap::new();
    };
    let mut agg = Aggregate::default();
    for c in cache.files.values() {
        agg.merge(&c.agg);
    }
    let far = now - Duration::days(3650);
    report(&agg, &[], far, now, now)
        .versions
        .into_iter()
        .filter_map(|v| Some((v.version, v.days_without_direct?)))
        .collect()
}

pub use crate::domain::when::{NotATime, parse_when};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_from_every_key_layout() {
        let h = |k: &str| hour_of_key(k).map(|d| d.to_rfc3339());
        let want = Some("2026-11-20T10:00:00+00:00".to_string());
        assert_eq!(h("cdn/E2ABC.2026-11-20-10.a1b2c3d4.gz"), want);
        assert_eq!(
            h("AWSLogs/1234/CloudFront/E2ABC/2026/11/20/10/E2ABC.x.log.gz"),
            want
        );
        assert_eq!(
            h(
                "AWSLogs/1234/CloudFront/DistributionId=E2ABC/year=2026/month=11/day=20/hour=10/x.gz"
            ),
            want
        );
        assert_eq!(
            h("resourceId=/SUBSCRIPTIONS/S/PROFILES/P/y=2026/m=11/d=20/h=10/m=00/PT1H.json"),
            want
        );
        assert_eq!(h("cdn/unrelated.txt"), None);
    }
}
