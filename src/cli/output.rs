//! Text output of the read-only commands.

use super::args::Global;
use crate::config::{self, Source};
use crate::domain::history::HistoryEvent;
use crate::domain::plan::human_bytes;
use crate::error::Result;
use crate::ops::query::ReleasesView;
use crate::ops::verify::Verified;
use crate::session::Session;
use serde::Serialize;
use serde_json::json;

pub fn print_json<T: Serialize>(v: &T) {
    println!(
        "{}",
        serde_json::to_string_pretty(v).expect("output serializes")
    );
}

pub fn releases(s: &Session, v: &ReleasesView) {
    println!("Profile {} — {}", s.profile_name, v.store);
    if let Some(f) = &v.in_flight {
        println!("warning: {f}");
    }
    println!();
    println!(
        "{:<18} {:<11} {:>5} {:>10} {:>10}  {:<17} {:<14} aliases",
        "VERSION", "STATUS", "FILES", "SIZE", "GZIP", "PUBLISHED", "BY"
    );
    for r in &v.versions {
        let status = if r.yanked {
            "yanked"
        } else if r.prerelease {
            "prerelease"
        } else if r.promoted {
            "stable"
        } else {
            "unpromoted"
        };
        println!(
            "{:<18} {:<11} {:>5} {:>10} {:>10}  {:<17} {:<14} {}",
            r.version,
            status,
            r.files,
            human_bytes(r.size),
            human_bytes(r.gzip_size),
            r.published_at.format("%Y-%m-%d %H:%M"),
            r.published_by,
            r.aliases.join(" ")
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
        println!(
            "{:<10} {:<18} {:<10} {:<18} {}",
            a.name,
            a.target,
            if a.pinned { "pinned" } else { "auto" },
            a.previous.as_deref().unwrap_or("-"),
            a.automatic.as_deref().unwrap_or("-")
        );
    }
}

pub fn verified(results: &[Verified]) {
    for r in results {
        if r.problems.is_empty() {
            println!(
                "ok       {:<14} {} file(s) match {}",
                r.target, r.files, r.version
            );
        } else {
            println!(
                "FAILED   {:<14} {} problem(s) against {}",
                r.target,
                r.problems.len(),
                r.version
            );
            for p in &r.problems {
                println!("         {p}");
            }
            if r.target != r.version {
                println!(
                    "         `shipdeck repair {}` makes it match {} again",
                    r.target, r.version
                );
            }
        }
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
    let source = match &loaded.source {
        Source::File(p) => p.display().to_string(),
        Source::Builtin => "built-in (no config file found)".into(),
    };
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
