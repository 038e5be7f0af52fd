//! `shipdeck traffic`: the Traffic view as text or one JSON document.

use super::args::Global;
use super::output::print_json;
use crate::domain::traffic::Report;
use crate::error::{InputError, Result};
use crate::ops::traffic::Engine;
use crate::ops::traffic::{Traffic, parse_when, traffic};
use crate::present::traffic as words;
use crate::session::{self, Session};
use std::io::IsTerminal;

pub async fn run(
    s: &Session,
    g: &Global,
    since: &str,
    until: Option<&str>,
    engine: Engine,
    sql: bool,
) -> Result<i32> {
    let now = chrono::Utc::now();
    let since = parse_when(since, now).map_err(|source| InputError::Time {
        flag: "--since",
        source,
    })?;
    let until = match until {
        Some(u) => parse_when(u, now).map_err(|source| InputError::Time {
            flag: "--until",
            source,
        })?,
        None => now,
    };
    if sql {
        let table = match &s.profile.logs {
            Some(crate::config::LogsConfig::Cloudfront {
                athena: Some(a), ..
            }) => a.table.clone(),
            _ => "cloudfront_standard_logs".into(),
        };
        println!(
            "{}",
            crate::domain::traffic::athena::sql(&table, s.ctx.cdn.path_prefix(), since, until)
        );
        return Ok(0);
    }
    let logs = session::log_source(s).await?;
    if engine == Engine::Athena {
        let json = g.json;
        let progress = move |state: &str, secs: u64| {
            if !json {
                super::out::progress(&format!("Athena query: {state} ({secs} s)"));
            }
        };
        let t = crate::ops::traffic::traffic_in_engine(&s.ctx, &logs, since, until, now, &progress)
            .await?;
        if !g.json {
            eprintln!();
        }
        present(g, &t);
        return Ok(0);
    }
    let show = !g.json && std::io::stderr().is_terminal();
    let progress = move |done: usize, total: usize| {
        if show && total > 0 {
            super::out::progress(&format!("reading log files: {done}/{total}"));
            if done == total {
                eprintln!();
            }
        }
    };
    let t = traffic(
        &s.ctx,
        &logs,
        &session::traffic_cache(&s.profile_name),
        since,
        until,
        now,
        &progress,
    )
    .await?;
    present(g, &t);
    Ok(0)
}

/// The report as JSON or text, and in the CI summary when run in a workflow.
fn present(g: &Global, t: &Traffic) {
    if let Some(gh) = crate::ci::github::GitHub::detect() {
        gh.traffic(t);
    }
    if g.json {
        print_json(t);
    } else {
        print(t);
    }
}

fn print(t: &Traffic) {
    let r: &Report = &t.report;
    let fmt = |d: chrono::DateTime<chrono::Utc>| d.format("%Y-%m-%d %H:%M").to_string();
    println!(
        "Traffic {} → {} UTC (trend per {}), from {}",
        fmt(r.since),
        fmt(r.until),
        r.step,
        t.source
    );
    if let Some(none) = words::no_logs(t) {
        println!("{none}");
        return;
    }
    println!("{}", words::completeness(t));
    println!();
    println!(
        "{:<16} {:>9} {:>10} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6}  {:<16} {:<24} TREND",
        "FOLDER",
        "REQUESTS",
        "BYTES",
        "2xx",
        "304",
        "4xx",
        "5xx",
        "HIT",
        "INCOMP",
        "LAST SEEN",
        "REFERRERS"
    );
    for row in &r.rows {
        let c = &row.counts;
        println!(
            "{:<16} {:>9} {:>10} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6}  {:<16} {:<24} {}",
            row.folder,
            c.requests,
            crate::domain::plan::human_bytes(c.bytes),
            c.s2xx,
            c.s304,
            c.s4xx,
            c.s5xx,
            words::hit_ratio(row),
            c.incomplete,
            row.last_seen.map(fmt).unwrap_or_default(),
            words::referrers(row),
            crate::present::sparkline(&row.spark)
        );
    }
    print_types_and_latency(r);
    print_versions_and_changes(t);
    println!();
    println!("{}", words::how_read(t));
    for s in &t.skipped {
        println!("not counted: {s}");
    }
    if let Some(h) = &t.hint {
        println!("hint: {h}");
    }
}

/// Per folder: requests per file type and latency percentiles.
fn print_types_and_latency(r: &Report) {
    if r.rows.is_empty() {
        return;
    }
    println!();
    println!("{:<16} {:<32} FILE TYPES", "FOLDER", "LATENCY");
    for row in &r.rows {
        println!(
            "{:<16} {:<32} {}",
            row.folder,
            words::latency(row.latency_ms.as_ref()),
            words::file_types(row)
        );
    }
}

/// Per version, direct and through aliases; then before and after each alias change.
fn print_versions_and_changes(t: &Traffic) {
    let r = &t.report;
    let fmt = |d: chrono::DateTime<chrono::Utc>| d.format("%Y-%m-%d %H:%M").to_string();
    println!();
    let errors = t.errors.is_some();
    println!(
        "{:<16} {:>9}  {:<40} {:<32}{}",
        "VERSION",
        "DIRECT",
        "THROUGH ALIASES",
        "NO DIRECT REQUESTS",
        if errors { " ERRORS (SENTRY)" } else { "" }
    );
    for v in &r.versions {
        println!(
            "{:<16} {:>9}  {:<40} {:<32}{}",
            v.version,
            v.direct,
            words::via_aliases(v),
            words::quiet(v),
            if errors {
                format!(" {}", words::tracker(t, &v.version))
            } else {
                String::new()
            }
        );
    }
    if let Some(note) = words::tracker_note(t) {
        println!("{note}");
    }
    if !r.changes.is_empty() {
        println!();
        println!("AROUND ALIAS CHANGES (1 h before → 1 h after)");
        for c in &r.changes {
            println!(
                "{} {:<9} {:<8} {}",
                fmt(c.at),
                c.action,
                c.alias,
                words::around(c)
            );
        }
    }
}
