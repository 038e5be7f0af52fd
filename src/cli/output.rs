//! Text output of the read-only commands: tables laid out for a terminal, with the words from
//! `crate::present` (the console uses the same words).

use super::args::Global;
use crate::config::{self, Source};
use crate::domain::history::{HistoryEvent, short_commit};
use crate::domain::manifest::ManifestDiff;
use crate::domain::plan::human_bytes;
use crate::error::Result;
use crate::ops::query::{ReleaseDetail, ReleasesView};
use crate::ops::verify::Verified;
use crate::present::{self, Front, columns};
use crate::session::Session;
use serde::Serialize;
use serde_json::json;

/// The version of every `--json` document's shape (`assets/schemas/` describes each one).
pub const SCHEMA_VERSION: u64 = 1;

/// Prints one JSON document, with its `schema_version`.
pub fn print_json<T: Serialize>(v: &T) {
    let doc = match serde_json::to_value(v) {
        Ok(serde_json::Value::Object(mut map)) => {
            map.insert("schema_version".into(), SCHEMA_VERSION.into());
            serde_json::Value::Object(map)
        }
        Ok(other) => other,
        Err(e) => {
            json!({ "error": format!("cannot encode the output: {e}"), "code": "io", "exit_code": 1 })
        }
    };
    match serde_json::to_string_pretty(&doc) {
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
        if let Some(reason) = &r.yank_reason {
            println!("{:<18} yanked: {reason}", "");
        }
    }
    if v.versions.is_empty() {
        println!("(no releases yet — `shipdeck publish DIR` adds one)");
    }
    println!();
    let edge = v.aliases.iter().any(|a| a.edge.is_some());
    let header = format!(
        "{:<10} {:<18} {:<10} {:<18} {:<18}{}",
        "ALIAS",
        "TARGET",
        "MODE",
        "PREVIOUS",
        "automatic",
        if edge {
            " EDGE (what browsers get)"
        } else {
            ""
        }
    );
    println!("{}", header.trim_end());
    for a in &v.aliases {
        let or_dash =
            |v: &Option<semver::Version>| v.as_ref().map_or("-".into(), |v| v.to_string());
        let cell = a
            .edge
            .as_ref()
            .map(|c| format!(" {}", present::edge_keys::cell(c)))
            .unwrap_or_default();
        let line = format!(
            "{:<10} {:<18} {:<10} {:<18} {:<18}{cell}",
            a.name.to_string(),
            a.target.to_string(),
            if a.pinned { "pinned" } else { "auto" },
            or_dash(&a.previous),
            or_dash(&a.automatic)
        );
        println!("{}", line.trim_end());
    }
    if let Some(e) = &v.edge_error {
        println!(
            "edge keys not read ({}); the targets above are the release state's",
            present::printable(e)
        );
    }
}

/// `shipdeck show`: the release, its files with headers and SRI, and the embed snippets.
pub fn show(d: &ReleaseDetail, public_url: Option<&str>) {
    let r = &d.row;
    println!(
        "{}  {}  {} file(s), {} ({} gzip)",
        r.version,
        present::release_status(r.status()),
        r.files,
        human_bytes(r.size),
        human_bytes(r.gzip_size)
    );
    println!(
        "published {} by {}{}",
        r.published_at.format("%Y-%m-%d %H:%M UTC"),
        r.published_by,
        d.manifest
            .commit
            .as_deref()
            .map(|c| format!(", commit {c}"))
            .unwrap_or_default()
    );
    if let Some(reason) = &r.yank_reason {
        println!("yanked: {reason}");
    }
    let aliases: Vec<String> = r.aliases.iter().map(ToString::to_string).collect();
    println!(
        "served by: {}",
        if aliases.is_empty() {
            "no alias".to_string()
        } else {
            aliases.join(", ")
        }
    );
    println!();
    // Columns as wide as their widest value, never cut: a file's path and type identify it.
    let files = &d.manifest.files;
    let path_w = columns::width_of("FILE", files.iter().map(|f| f.path.as_str()), usize::MAX);
    let type_w = columns::width_of(
        "CONTENT-TYPE",
        files.iter().map(|f| f.content_type.as_str()),
        usize::MAX,
    );
    println!(
        "{} {:>10} {:>10}  {} CACHE-CONTROL",
        columns::cell("FILE", path_w),
        "SIZE",
        "GZIP",
        columns::cell("CONTENT-TYPE", type_w)
    );
    for f in files {
        println!(
            "{} {:>10} {:>10}  {} {}",
            columns::cell(&f.path, path_w),
            human_bytes(f.size),
            human_bytes(f.gzip_size),
            columns::cell(&f.content_type, type_w),
            f.cache_control
        );
        println!("{} {}", " ".repeat(path_w), f.sri);
    }
    if let Some(base) = public_url {
        println!();
        println!("Embed (this version, with SRI):");
        for l in crate::domain::embed::snippet(&d.manifest, base, None) {
            println!("  {l}");
        }
        if let Some(a) = aliases.first() {
            println!("Embed ({a}):");
            for l in crate::domain::embed::snippet(&d.manifest, base, Some(a)) {
                println!("  {l}");
            }
        }
    }
}

/// `shipdeck diff`: files added, removed and changed, with sizes.
pub fn diff(d: &ManifestDiff) {
    println!("{} → {}", d.from, d.to);
    for f in &d.added {
        println!(
            "+ {:<40} {:>10} ({} gzip)",
            f.path,
            human_bytes(f.size),
            human_bytes(f.gzip_size)
        );
    }
    for f in &d.removed {
        println!(
            "- {:<40} {:>10} ({} gzip)",
            f.path,
            human_bytes(f.size),
            human_bytes(f.gzip_size)
        );
    }
    for (a, b) in &d.changed {
        println!(
            "~ {:<40} {:>10} → {} ({} → {} gzip)",
            a.path,
            human_bytes(a.size),
            human_bytes(b.size),
            human_bytes(a.gzip_size),
            human_bytes(b.gzip_size)
        );
    }
    let before: u64 = d.changed.iter().map(|(a, _)| a.size).sum::<u64>()
        + d.removed.iter().map(|f| f.size).sum::<u64>();
    let after: u64 = d.changed.iter().map(|(_, b)| b.size).sum::<u64>()
        + d.added.iter().map(|f| f.size).sum::<u64>();
    println!(
        "{} added, {} removed, {} changed ({} → {}), {} unchanged",
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        human_bytes(before),
        human_bytes(after),
        d.unchanged
    );
}

pub fn verified(results: &[Verified]) {
    for line in present::verify(results, Front::Cli).lines {
        println!("{}", line.text);
    }
}

pub fn history(events: &[HistoryEvent]) {
    if events.is_empty() {
        println!("(no history yet)");
        return;
    }
    // Columns as wide as their longest value (up to a cap, cut with "…" beyond it), so a long
    // user name or description never shifts the columns after it.
    let rows: Vec<[String; 6]> = events
        .iter()
        .map(|e| {
            [
                e.by.clone(),
                e.action.to_string(),
                e.description.clone(),
                e.outcome.clone(),
                e.commit.as_deref().map(short_commit).unwrap_or_default(),
                e.tail(),
            ]
        })
        .collect();
    let header = [
        "WHO",
        "ACTION",
        "WHAT",
        "OUTCOME",
        "COMMIT",
        "ALIASES / DETAIL",
    ];
    let caps = [20, 12, 48, 24, 12];
    let widths: Vec<usize> = caps
        .iter()
        .enumerate()
        .map(|(i, cap)| columns::width_of(header[i], rows.iter().map(|r| r[i].as_str()), *cap))
        .collect();
    // The commit column only when some change names a commit.
    let commits = rows.iter().any(|r| !r[4].is_empty());
    let line = |when: &str, cells: [&str; 6]| {
        let mut out = format!("{when:<19}");
        for (i, w) in widths.iter().enumerate() {
            if i == 4 && !commits {
                continue;
            }
            out.push_str("  ");
            out.push_str(&columns::cell(cells[i], *w));
        }
        out.push_str("  ");
        out.push_str(cells[5]);
        println!("{}", out.trim_end());
    };
    line("WHEN (UTC)", header);
    for (e, r) in events.iter().zip(&rows) {
        let when = e.at.format("%Y-%m-%d %H:%M:%S").to_string();
        line(&when, [&r[0], &r[1], &r[2], &r[3], &r[4], &r[5]]);
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
