//! Text output of the read-only commands: tables laid out for a terminal, with the words from
//! `crate::present` (the console uses the same words).

use super::args::Global;
use crate::config::{self, Source};
use crate::domain::history::HistoryEvent;
use crate::domain::plan::human_bytes;
use crate::error::Result;
use crate::ops::query::ReleasesView;
use crate::ops::verify::Verified;
use crate::present::{self, Front};
use crate::session::Session;
use serde::Serialize;
use serde_json::json;

pub fn print_json<T: Serialize>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(text) => println!("{text}"),
        // Every output type serializes; if one ever does not, say so as JSON, not as a panic.
        Err(e) => println!(
            "{}",
            json!({ "error": format!("cannot encode the output: {e}") })
        ),
    }
}

pub fn releases(s: &Session, v: &ReleasesView) {
    println!("Profile {} — {}", s.profile_name, v.store);
    if let Some(f) = &v.in_flight {
        println!("warning: {}", present::in_flight(f, Front::Cli));
    }
    println!();
    println!(
        "{:<18} {:<11} {:>5} {:>10} {:>10}  {:<17} {:<14} aliases",
        "VERSION", "STATUS", "FILES", "SIZE", "GZIP", "PUBLISHED", "BY"
    );
    for r in &v.versions {
        let aliases: Vec<String> = r.aliases.iter().map(ToString::to_string).collect();
        println!(
            "{:<18} {:<11} {:>5} {:>10} {:>10}  {:<17} {:<14} {}",
            r.version.to_string(),
            present::release_status(r.status()),
            r.files,
            human_bytes(r.size),
            human_bytes(r.gzip_size),
            r.published_at.format("%Y-%m-%d %H:%M"),
            r.published_by,
            aliases.join(" ")
        );
    }
    if v.versions.is_empty() {
        println!("(no releases yet — `shipdeck publish DIR` adds one)");
    }
    println!();
    println!(
        "{:<10} {:<18} {:<10} {:<18} automatic",
        "ALIAS", "TARGET", "MODE", "PREVIOUS"
    );
    for a in &v.aliases {
        let or_dash =
            |v: &Option<semver::Version>| v.as_ref().map_or("-".into(), |v| v.to_string());
        println!(
            "{:<10} {:<18} {:<10} {:<18} {}",
            a.name.to_string(),
            a.target.to_string(),
            if a.pinned { "pinned" } else { "auto" },
            or_dash(&a.previous),
            or_dash(&a.automatic)
        );
    }
}

pub fn verified(results: &[Verified]) {
    for line in present::verify(results, Front::Cli).lines {
        println!("{}", line.text);
    }
}

pub fn history(events: &[HistoryEvent]) {
    if events.is_empty() {
        println!("(no history yet)");
    }
    for e in events {
        let changes = e.changes_text();
        println!(
            "{}  {:<14} {:<9} {:<30} {:<4} {}",
            e.at.format("%Y-%m-%d %H:%M:%S"),
            e.by,
            e.action,
            e.description,
            e.outcome,
            changes
        );
    }
}

pub fn profiles(g: &Global) -> Result<i32> {
    let loaded = config::load(g.config.as_deref())?;
    let source = present::config_source(match &loaded.source {
        Source::File(p) => Some(p.as_path()),
        Source::Builtin => None,
    });
    let mut names: Vec<String> = loaded.file.profiles.keys().cloned().collect();
    if !names.iter().any(|n| n == config::DEMO_PROFILE) {
        names.push(config::DEMO_PROFILE.into());
    }
    let default = crate::session::choose(&loaded, None).map(|(n, _)| n).ok();
    if g.json {
        print_json(&json!({ "config": source, "profiles": names, "default": default }));
    } else {
        println!("config: {source}");
        for n in names {
            let mark = if Some(&n) == default.as_ref() {
                "*"
            } else {
                " "
            };
            println!("{mark} {n}");
        }
    }
    Ok(0)
}
