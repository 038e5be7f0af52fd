//! The architecture's one rule, kept true by reading the source: imports point down the layers.
//!
//! domain (pure rules) ← ports and adapters (store, cdn, bridge, edge, logs, pricing,
//! credentials, adapters) ← error ← config, ops ← present ← session, demo ← front ends (cli,
//! tui, ci). A module may use its own layer and the layers below it; the two interactive front ends
//! never use each other. `ARCHITECTURE.md` explains each layer; this test fails, naming the file
//! and the import, the day one points up.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each top-level module of `src/` and its layer: a module may import its own layer and the
/// layers below it. `None` for the crate's roots (`lib.rs`, `main.rs`).
fn layer(module: &str) -> Option<u8> {
    Some(match module {
        "domain" => 0,
        "adapters" | "store" | "cdn" | "bridge" | "edge" | "logs" | "metrics" | "tracking"
        | "pricing" | "credentials" => 1,
        "error" => 2,
        "config" | "ops" => 3,
        "present" => 4,
        "session" | "demo" => 5,
        "ci" => 6,
        "cli" | "tui" => 7,
        _ => return None,
    })
}

/// Whether `module` may import `used`.
fn may_import(module: &str, used: &str) -> bool {
    // The two interactive front ends share everything below them, never each other.
    if matches!((module, used), ("cli", "tui") | ("tui", "cli")) {
        return false;
    }
    match (layer(module), layer(used)) {
        (Some(m), Some(u)) => u <= m,
        // A name that is not a module of src/ (a macro path, say) is not an import.
        _ => true,
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level modules a line of code names through `crate::`, grouped imports included
/// (`use crate::{a::X, b};` names `a` and `b`).
fn crate_modules(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // Top-level names of the group: words at brace depth 0, each starting an item.
            let mut depth = 0usize;
            let mut item_start = true;
            let mut word = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if (c.is_alphanumeric() || c == '_') && depth == 0 && item_start => {
                        word.push(c)
                    }
                    _ => {
                        if !word.is_empty() {
                            found.insert(std::mem::take(&mut word));
                            item_start = false;
                        }
                    }
                }
            }
            if !word.is_empty() {
                found.insert(word);
            }
        } else {
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
        rest = after;
    }
    found
}

#[test]
fn imports_point_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 50, "src/ holds the crate's files");
    let mut wrong = Vec::new();
    let mut checked = 0;
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap_or(file);
        let module = rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or_default()
            .trim_end_matches(".rs")
            .to_string();
        if layer(&module).is_none() {
            continue;
        }
        checked += 1;
        let text = std::fs::read_to_string(file).unwrap_or_default();
        // Whole statements, so a grouped `use` spanning lines is read at once; comments out.
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for used in crate_modules(&code) {
            if !may_import(&module, &used) {
                wrong.push(format!("{} imports crate::{used}", rel.display()));
            }
        }
    }
    assert!(checked > 50, "every layer's files were read");
    assert!(
        wrong.is_empty(),
        "imports that point up the layers (see ARCHITECTURE.md):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_reader_sees_grouped_and_plain_imports() {
    let m = crate_modules("use crate::{ops::{a, b}, session::X};\nlet x = crate::tui::y();");
    let want: BTreeSet<String> = ["ops", "session", "tui"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(m, want);
    // A rule that lets the domain import `ops` would be caught.
    assert!(!may_import("domain", "ops"));
    assert!(!may_import("store", "session"));
    assert!(!may_import("ops", "present"));
    assert!(!may_import("error", "ops") && !may_import("error", "config"));
    assert!(!may_import("tui", "cli") && !may_import("cli", "tui"));
    assert!(may_import("cli", "ops") && may_import("ops", "store"));
}

/// Errors are typed all the way down: a `Result` whose error is a bare `String` cannot keep its
/// source or tell a front end which fix to offer, so none is left in `src/`.
#[test]
fn no_error_is_a_bare_string() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            if let Some(i) = code.find("Result<")
                && code[i..].contains(", String>")
            {
                found.push(format!("{}:{}: {code}", file.display(), n + 1));
            }
        }
    }
    assert!(found.is_empty(), "String errors:\n{}", found.join("\n"));
}
