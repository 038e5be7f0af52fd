//! The words for a Traffic report, shared by `shipdeck traffic` and the console's Traffic
//! screen: what an empty window means, how the logs were read, a version's quiet days, an
//! alias change's before and after. Each front end lays these out; neither words them itself.

use crate::domain::traffic::{AroundChange, Counts, Row, VersionTraffic};
use crate::ops::traffic::{Engine, Traffic};

/// A share of requests as a percentage, or "-" when there were none.
pub fn share(n: u64, of: u64) -> String {
    if of == 0 {
        "-".into()
    } else {
        format!("{:.1}%", n as f64 * 100.0 / of as f64)
    }
}

/// The error rate (4xx and 5xx) of `c`.
pub fn error_rate(c: &Counts) -> String {
    share(c.errors(), c.requests)
}

/// A folder's CDN hit ratio, or "-" when the logs do not say.
pub fn hit_ratio(row: &Row) -> String {
    row.hit_ratio
        .map_or("-".into(), |h| format!("{:.0}%", h * 100.0))
}

/// The top referrer hosts of a folder, comma-separated.
pub fn referrers(row: &Row) -> String {
    row.referrers
        .iter()
        .map(|(h, _)| h.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Latency percentiles of a folder: "p50 20 · p95 150 · p99 500 ms", or "-" when the logs
/// carry no time (or the engine did not count it).
pub fn latency(p: Option<&crate::domain::traffic::Percentiles>) -> String {
    p.map_or("-".into(), |p| {
        format!("p50 {} · p95 {} · p99 {} ms", p.p50, p.p95, p.p99)
    })
}

/// The 95th percentile alone, for a table column: "150 ms" or "-".
pub fn p95(p: Option<&crate::domain::traffic::Percentiles>) -> String {
    p.map_or("-".into(), |p| format!("{} ms", p.p95))
}

/// Requests per file type: "umd 120 · css 110 · map 2", or "-" when none were counted.
pub fn file_types(row: &Row) -> String {
    if row.file_types.is_empty() {
        return "-".into();
    }
    row.file_types
        .iter()
        .map(|(t, n)| format!("{} {n}", t.name()))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Why there are no numbers, when no log file fell in the window (`None` when some did).
pub fn no_logs(t: &Traffic) -> Option<String> {
    (t.loaded.files == 0 && t.engine_kind == Engine::Local).then(|| {
        format!(
            "No log files for this window, so no numbers (not zeros): check `logs` in the profile; {}.",
            t.delay_note
        )
    })
}

/// How complete the window is.
pub fn completeness(t: &Traffic) -> String {
    match t.report.complete_until {
        Some(c) => format!(
            "Complete up to {} UTC; {}.",
            c.format("%Y-%m-%d %H:%M"),
            t.delay_note
        ),
        None => format!("The log files hold no requests yet; {}.", t.delay_note),
    }
}

/// How the logs were read: files, cache, requests and unreadable lines.
pub fn how_read(t: &Traffic) -> String {
    let r = &t.report;
    if t.engine_kind == Engine::Local {
        format!(
            "{} log file(s): {} read now ({}), {} from the cache; {} requests, {} line(s) could not be read, {} outside the published prefix",
            t.loaded.files,
            t.loaded.read,
            crate::domain::plan::human_bytes(t.loaded.bytes_read),
            t.loaded.cached,
            r.lines,
            r.bad_lines,
            r.outside
        )
    } else {
        format!(
            "{} requests counted by {} (referrer hosts are counted by the local reader only)",
            r.lines, t.engine
        )
    }
}

/// Since when nobody loads a version directly ("-" when it is still loaded).
pub fn quiet(v: &VersionTraffic) -> String {
    match (v.days_without_direct, v.last_direct) {
        (Some(d), Some(_)) => format!("no direct requests for {d} day(s)"),
        (Some(d), None) => format!("none in {d} day(s) of logs"),
        _ => "-".into(),
    }
}

/// What the error tracker says of a version in the window: "3 new issues (57 events)", "none",
/// or "-" when it was not asked (no tracker, or it failed before this version).
pub fn tracker(t: &crate::ops::traffic::Traffic, version: &str) -> String {
    match t.errors.as_ref().and_then(|e| e.releases.get(version)) {
        Some(i) if i.new_issues == 0 => "no new issues".into(),
        Some(i) => format!(
            "{} new issue{} ({} events)",
            i.new_issues,
            if i.new_issues == 1 { "" } else { "s" },
            i.events
        ),
        None => "-".into(),
    }
}

/// Which tracker was read, and why it could not be, when it could not.
pub fn tracker_note(t: &crate::ops::traffic::Traffic) -> Option<String> {
    let e = t.errors.as_ref()?;
    Some(match &e.failed {
        Some(why) => format!(
            "errors per release: {} could not be read: {}",
            e.source,
            crate::present::printable(why)
        ),
        None => format!(
            "errors: issues first seen in each release, in the window ({})",
            e.source
        ),
    })
}

/// Through which aliases a version was loaded: "latest 120, v1 30".
pub fn via_aliases(v: &VersionTraffic) -> String {
    v.via_aliases
        .iter()
        .map(|(a, n)| format!("{a} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An alias change's before and after: "1.0.0 → 1.1.0: errors 0.8% → 4.2% (120 → 95
/// requests), p95 120 → 480 ms" (the latency only when the logs carry it).
pub fn around(c: &AroundChange) -> String {
    let latency = match (&c.latency_before_ms, &c.latency_after_ms) {
        (None, None) => String::new(),
        (b, a) => format!(
            ", p95 {} → {} ms",
            b.map_or("-".into(), |p| p.p95.to_string()),
            a.map_or("-".into(), |p| p.p95.to_string())
        ),
    };
    format!(
        "{} → {}: errors {} → {} ({} → {} requests){latency}",
        c.from.as_deref().unwrap_or("∅"),
        c.to.as_deref().unwrap_or("∅"),
        error_rate(&c.before),
        error_rate(&c.after),
        c.before.requests,
        c.after.requests
    )
}
