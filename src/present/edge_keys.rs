//! Edge alias keys in words: `edge status` (each alias's key beside the state), `edge sync`
//! (the writes, then what browsers get), canary steps, and what edge mode wrote before a
//! change's copies (every front end's verdict shows it).

use super::{Said, Tone, columns, printable};
use crate::domain::edge_alias::{AliasKey, EdgeTarget, KeyVerdict};
use crate::ops::canary::CanaryPlan;
use crate::ops::edge_keys::{EdgeKeysOutcome, EdgeStatus, EdgeSync, Functions};

/// What edge mode wrote before a change's copies.
pub fn outcome(o: &EdgeKeysOutcome) -> Said {
    match o {
        EdgeKeysOutcome::Written { keys, deleted, .. } => {
            let mut list: Vec<String> = keys
                .iter()
                .map(|k| format!("{} → {}", k.key, k.value))
                .collect();
            list.extend(deleted.iter().map(|k| format!("{k} removed")));
            Said::new(
                Tone::Ok,
                format!(
                    "edge: keys written before the copies ({}); edge locations read them within seconds",
                    list.join(", ")
                ),
            )
        }
        EdgeKeysOutcome::Unchanged => Said::new(
            Tone::Info,
            "edge: the alias keys already named the new targets".to_string(),
        ),
    }
}

/// An alias's edge key in a table cell: what browsers get, short.
pub fn cell(c: &crate::ops::query::EdgeCell) -> String {
    let value = c.value.as_deref().unwrap_or("-");
    match c.verdict {
        KeyVerdict::InSync => match value.parse::<EdgeTarget>() {
            Ok(EdgeTarget {
                stable,
                canary: Some(canary),
            }) => format!("{stable}, {} {}%", canary.version, canary.percent),
            _ => printable(value),
        },
        KeyVerdict::Differs => format!(
            "{} differs",
            printable(value.split(';').next().unwrap_or(value))
        ),
        KeyVerdict::Missing => "no key: copies".into(),
        KeyVerdict::Unreadable => "unreadable: copies".into(),
        KeyVerdict::Orphan => "left over".into(),
    }
}

/// What browsers get for one alias, and why.
pub fn verdict(a: &AliasKey) -> String {
    let edge = a.edge.as_deref().unwrap_or("-");
    match a.verdict {
        KeyVerdict::InSync => match edge.parse::<EdgeTarget>().ok().and_then(|t| t.canary) {
            Some(c) => format!(
                "in sync; canary: {} for {} % of viewers",
                c.version, c.percent
            ),
            None => "in sync".into(),
        },
        KeyVerdict::Differs => format!(
            "differs: browsers get {}, the state says {}",
            edge.split(';').next().unwrap_or(edge),
            a.state.as_deref().unwrap_or("-")
        ),
        KeyVerdict::Missing => "no key: browsers get the copied alias folder".into(),
        KeyVerdict::Unreadable => {
            "not a value the function reads: browsers get the copied alias folder".into()
        }
        KeyVerdict::Orphan => "no such alias in the release state: the key is left over".into(),
    }
}

pub fn status(s: &EdgeStatus) -> Vec<String> {
    let mut out = vec![format!("{} (ETag {})", s.kvs, s.etag)];
    let alias_w = columns::width_of("ALIAS", s.aliases.iter().map(|a| a.alias.as_str()), 32);
    let state_w = columns::width_of(
        "STATE",
        s.aliases.iter().map(|a| a.state.as_deref().unwrap_or("-")),
        40,
    );
    let edge_w = columns::width_of(
        "EDGE",
        s.aliases.iter().map(|a| a.edge.as_deref().unwrap_or("-")),
        48,
    );
    let row = |a: &str, st: &str, e: &str, v: &str| {
        format!(
            "{}  {}  {}  {v}",
            columns::cell(a, alias_w),
            columns::cell(st, state_w),
            columns::cell(e, edge_w)
        )
    };
    out.push(row("ALIAS", "STATE", "EDGE", "WHAT BROWSERS GET"));
    for a in &s.aliases {
        out.push(row(
            &a.alias,
            a.state.as_deref().unwrap_or("-"),
            a.edge.as_deref().unwrap_or("-"),
            &verdict(a),
        ));
    }
    let off = s
        .aliases
        .iter()
        .filter(|a| a.verdict != KeyVerdict::InSync)
        .count();
    out.push(if off == 0 {
        "every alias's key names the release the state says".into()
    } else {
        format!("{off} key(s) differ from the release state: `shipdeck edge sync` writes the state's targets")
    });
    out.extend(functions(&s.functions));
    out
}

/// The functions that read the keys: whether viewers run them, with this Shipdeck's code.
fn functions(f: &Functions) -> Vec<String> {
    match f {
        Functions::NotAsked => vec![],
        Functions::Unknown { error } => vec![format!(
            "functions: not checked ({}); the keys' verdicts above stand",
            printable(error)
        )],
        Functions::Known { functions } => functions
            .iter()
            .map(|f| {
                let verdict = match (f.stage, f.code_current) {
                    ("live", true) => "LIVE, this Shipdeck's code".to_string(),
                    ("live", false) => {
                        "LIVE with other code: `shipdeck edge setup` deploys this Shipdeck's".into()
                    }
                    ("development", _) => "not published: viewers do not run it, so they get the copied alias folders; `shipdeck edge setup` publishes it".into(),
                    _ => "missing: viewers get the copied alias folders; `shipdeck edge setup` creates it".into(),
                };
                format!("function {} (viewer {}): {verdict}", f.name, f.role)
            })
            .collect(),
    }
}

/// The writes of a sync, before it is applied.
pub fn sync_plan(p: &EdgeSync) -> Vec<String> {
    if p.is_noop() {
        return vec![
            "Nothing to write: every alias's key already names the state's release.".into(),
        ];
    }
    let was = |k: &str| {
        p.before
            .aliases
            .iter()
            .find(|a| a.alias == k)
            .and_then(|a| a.edge.clone())
            .unwrap_or_else(|| "no key".into())
    };
    let mut out = vec![format!(
        "Plan: write {} (ETag {})",
        p.before.kvs, p.before.etag
    )];
    for w in &p.puts {
        out.push(format!(
            "  put    {} = {} (was {})",
            w.key,
            w.value,
            was(&w.key)
        ));
    }
    for k in &p.deletes {
        out.push(format!("  delete {} (was {})", k, was(k)));
    }
    out.push(format!(
        "{} key(s) in one write, 0 copies; refused if someone else writes the store first",
        p.puts.len() + p.deletes.len()
    ));
    out
}

/// What a sync did.
pub fn sync_done(p: &EdgeSync) -> Vec<String> {
    let mut out = vec![format!(
        "Done: {} key(s) written (ETag {}); edge locations read them within seconds.",
        p.puts.len() + p.deletes.len(),
        p.etag.as_deref().unwrap_or("-")
    )];
    if p.history_id.is_none() {
        out.push(
            "warning: the keys are written but history could not be appended (see the log)".into(),
        );
    }
    out
}

/// A canary step before it is applied: the key's value before and after.
pub fn canary_plan(p: &CanaryPlan) -> Vec<String> {
    vec![
        format!("Plan: {}", p.description),
        format!(
            "  edge key {} : {} → {}",
            p.alias,
            p.before.as_deref().unwrap_or("no key"),
            p.after
        ),
        "1 key write, 0 copies; refused if someone else writes the store first".into(),
    ]
}

/// What a canary step did.
pub fn canary_done(p: &CanaryPlan) -> String {
    let mut s = format!(
        "Done: {} ({}); edge locations read it within seconds.",
        p.description, p.after
    );
    if p.history_id.is_none() {
        s.push_str(" warning: history could not be appended (see the log)");
    }
    s
}
