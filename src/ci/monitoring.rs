//! The monitoring commands in a GitHub Actions job summary: `shipdeck traffic` (per folder:
//! requests, errors, latency and file types; per version; before and after each alias change)
//! and `shipdeck alerts check` (each rule's verdict, a warning annotation per firing rule).
//!
//! Kept apart from `github.rs`, which lays out changes and verification: the nightly pipeline
//! runs these, and a reviewer reads "latency and errors after 1.1.0 went to latest" here.
//! The words come from `present::traffic` and `present::alerts`, as for the CLI and console.

use super::github::{Annotation, GitHub, md_escape};
use crate::ops::alerts::AlertsReport;
use crate::ops::traffic::Traffic;
use crate::present::alerts as alert_words;
use crate::present::traffic as words;
use std::fmt::Write as _;

impl GitHub {
    /// A traffic report: one table per part, and the `requests` and `error_rate` outputs.
    pub fn traffic(&self, t: &Traffic) {
        self.summary(&traffic_markdown(t));
        let all: u64 = t.report.rows.iter().map(|r| r.counts.requests).sum();
        let errors: u64 = t.report.rows.iter().map(|r| r.counts.errors()).sum();
        self.outputs(&[
            ("result", "ok".into()),
            ("requests", all.to_string()),
            ("error_rate", words::share(errors, all)),
        ]);
    }

    /// Alert verdicts: a table of every rule, and a warning annotation per firing rule (an
    /// error per rule that could not be evaluated).
    pub fn alerts(&self, r: &AlertsReport) {
        self.summary(&alerts_markdown(r));
        let result = if r.firing > 0 {
            "firing"
        } else if r.unevaluated > 0 {
            "failed"
        } else {
            "ok"
        };
        self.outputs(&[("result", result.into()), ("firing", r.firing.to_string())]);
        let notes: Vec<Annotation> = r
            .rules
            .iter()
            .filter(|e| e.firing || e.unevaluated.is_some())
            .map(|e| Annotation {
                error: e.unevaluated.is_some(),
                text: alert_words::line(e),
            })
            .collect();
        self.annotate(&notes);
    }
}

/// The Markdown of a traffic report.
pub fn traffic_markdown(t: &Traffic) -> String {
    let r = &t.report;
    let fmt = |d: chrono::DateTime<chrono::Utc>| d.format("%Y-%m-%d %H:%M").to_string();
    let mut md = format!(
        "### 📈 shipdeck traffic {} → {} UTC\n\n",
        fmt(r.since),
        fmt(r.until)
    );
    if let Some(none) = words::no_logs(t) {
        let _ = writeln!(md, "{}", md_escape(&none));
        return md;
    }
    let _ = writeln!(md, "{}\n", md_escape(&words::completeness(t)));
    md.push_str("| folder | requests | errors | 5xx | hit | latency | file types |\n|---|---:|---:|---:|---:|---|---|\n");
    for row in &r.rows {
        let c = &row.counts;
        let _ = writeln!(
            md,
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            md_escape(&row.folder),
            c.requests,
            words::error_rate(c),
            words::share(c.s5xx, c.requests),
            words::hit_ratio(row),
            words::latency(row.latency_ms.as_ref()),
            words::file_types(row)
        );
    }
    if !r.versions.is_empty() {
        let errors = t.errors.is_some();
        md.push_str("\n| version | direct | through aliases |");
        md.push_str(if errors {
            " errors (tracker) |\n|---|---:|---|---|\n"
        } else {
            "\n|---|---:|---|\n"
        });
        for v in &r.versions {
            let _ = write!(
                md,
                "| {} | {} | {} |",
                md_escape(&v.version),
                v.direct,
                md_escape(&words::via_aliases(v))
            );
            if errors {
                let _ = write!(md, " {} |", md_escape(&words::tracker(t, &v.version)));
            }
            md.push('\n');
        }
        if let Some(note) = words::tracker_note(t) {
            let _ = writeln!(md, "\n{}", md_escape(&note));
        }
    }
    if !r.changes.is_empty() {
        md.push_str("\n**Around alias changes** (1 h before → 1 h after)\n\n| when | action | alias | before → after |\n|---|---|---|---|\n");
        for c in &r.changes {
            let _ = writeln!(
                md,
                "| {} | {} | `{}` | {} |",
                fmt(c.at),
                c.action,
                md_escape(&c.alias),
                md_escape(&words::around(c))
            );
        }
    }
    let _ = writeln!(md, "\n{}", md_escape(&words::how_read(t)));
    for s in &t.skipped {
        let _ = writeln!(md, "\n⚠️ not counted: {}", md_escape(s));
    }
    md
}

/// The Markdown of alert verdicts.
pub fn alerts_markdown(r: &AlertsReport) -> String {
    let head = if r.firing > 0 {
        "🔥"
    } else if r.unevaluated > 0 {
        "❌"
    } else {
        "✅"
    };
    let mut md = format!("### {head} {}\n\n", md_escape(&alert_words::summary(r)));
    for e in &r.rules {
        let _ = writeln!(md, "- {}", md_escape(alert_words::line(e).trim()));
    }
    md
}
