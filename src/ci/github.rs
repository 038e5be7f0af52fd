//! GitHub Actions: the job summary (`$GITHUB_STEP_SUMMARY`, Markdown, kept under GitHub's
//! 1 MiB cap), step outputs (`$GITHUB_OUTPUT`), `::error::`/`::warning::` annotations (at most
//! ten, then one that counts the rest) and `::add-mask::` for secrets Shipdeck handles.
//!
//! The words come from `crate::present`, as for every front end; this file only lays them out
//! for a pull-request reviewer.

use crate::domain::embed::snippet;
use crate::domain::manifest::Manifest;
use crate::domain::plan::{FileOpKind, Plan, human_bytes};
use crate::ops::apply::Report;
use crate::ops::invalidate::CdnOutcome;
use crate::ops::verify::Verified;
use crate::present::terminal::terminal_safe;
use crate::present::{self, Front, Tone};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

/// GitHub's limit on one step's summary; Shipdeck stays well under it.
const SUMMARY_LIMIT: usize = 1024 * 1024;
/// Room kept for the summary's end when its file table is cut short.
const SUMMARY_BUDGET: usize = SUMMARY_LIMIT - 64 * 1024;
/// GitHub shows ten annotations of each kind per step.
const MAX_ANNOTATIONS: usize = 10;

/// The GitHub Actions environment, when Shipdeck runs in a workflow step.
#[derive(Debug, Clone)]
pub struct GitHub {
    summary: Option<PathBuf>,
    outputs: Option<PathBuf>,
}

/// One annotation: an error or a warning, in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub error: bool,
    pub text: String,
}

impl GitHub {
    /// `Some` only when `GITHUB_ACTIONS=true`.
    pub fn detect() -> Option<GitHub> {
        (std::env::var("GITHUB_ACTIONS").as_deref() == Ok("true")).then(|| GitHub {
            summary: std::env::var_os("GITHUB_STEP_SUMMARY")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            outputs: std::env::var_os("GITHUB_OUTPUT")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
        })
    }

    /// Appends Markdown to the job summary (cut to stay under GitHub's cap).
    pub fn summary(&self, markdown: &str) {
        let Some(path) = &self.summary else { return };
        let text = if markdown.len() > SUMMARY_LIMIT {
            let mut cut = SUMMARY_BUDGET;
            while !markdown.is_char_boundary(cut) {
                cut -= 1;
            }
            format!(
                "{}\n\n… (cut to stay under GitHub's 1 MiB summary limit)\n",
                &markdown[..cut]
            )
        } else {
            markdown.to_string()
        };
        append(path, &text);
    }

    /// Sets step outputs (`key=value`, or a heredoc block for values with line breaks).
    pub fn outputs(&self, pairs: &[(&str, String)]) {
        let Some(path) = &self.outputs else { return };
        let mut text = String::new();
        for (k, v) in pairs {
            if v.contains('\n') {
                let delim = format!("SHIPDECK_EOF_{:016x}", rand::random::<u64>());
                let _ = writeln!(text, "{k}<<{delim}\n{v}\n{delim}");
            } else {
                let _ = writeln!(text, "{k}={v}");
            }
        }
        append(path, &text);
    }

    /// Prints annotations: at most ten, then one that counts the rest.
    pub fn annotate(&self, all: &[Annotation]) {
        let mut out = std::io::stdout().lock();
        for a in all.iter().take(MAX_ANNOTATIONS) {
            let kind = if a.error { "error" } else { "warning" };
            let _ = writeln!(out, "::{kind}::{}", escape(&terminal_safe(&a.text)));
        }
        if all.len() > MAX_ANNOTATIONS {
            let _ = writeln!(
                out,
                "::warning::{} more finding(s) are in the job summary",
                all.len() - MAX_ANNOTATIONS
            );
        }
    }

    /// Masks `secret` in the rest of the job's logs.
    pub fn mask(&self, secret: &str) {
        if !secret.is_empty() {
            let _ = writeln!(std::io::stdout().lock(), "::add-mask::{}", escape(secret));
        }
    }

    /// A change that was planned and (when `report` is given) applied.
    pub fn change(&self, c: &ChangeSummary<'_>) {
        self.summary(&change_markdown(c));
        let version = c
            .manifest
            .map(|m| m.version.to_string())
            .or_else(|| {
                c.plan
                    .alias_moves
                    .iter()
                    .find_map(|m| m.to.as_ref().map(ToString::to_string))
            })
            .unwrap_or_default();
        let aliases: Vec<String> = c
            .plan
            .alias_moves
            .iter()
            .map(|m| {
                let show = |v: &Option<semver::Version>| {
                    v.as_ref().map_or("none".into(), ToString::to_string)
                };
                format!("{}={}->{}", m.alias, show(&m.from), show(&m.to))
            })
            .collect();
        let invalidation = match c.report.map(|r| &r.cdn) {
            Some(CdnOutcome::Requested { invalidation, .. }) => invalidation.id.clone(),
            _ => String::new(),
        };
        let url = match (c.public_url, c.manifest) {
            (Some(base), Some(m)) => format!(
                "{}/{}/",
                base.trim_end_matches('/'),
                crate::domain::version::folder_name(&m.version)
            ),
            _ => String::new(),
        };
        let result = match c.report {
            None if c.plan.is_noop() => "no-change",
            None => "planned",
            Some(r) if !r.landed() => "failed",
            Some(r) if r.edge_stale_after_wait() => "edge-stale",
            Some(_) => "ok",
        };
        let reached = c
            .report
            .map(|r| crate::present::edge::reached_word(r.reached).to_string())
            .unwrap_or_default();
        self.outputs(&[
            ("reached", reached),
            ("version", version),
            ("aliases", aliases.join(" ")),
            ("invalidation-id", invalidation),
            ("url", url),
            ("result", result.to_string()),
        ]);
        if let Some(r) = c.report {
            let lines = present::verdict(r).lines;
            let notes: Vec<Annotation> = lines
                .into_iter()
                .filter(|l| l.tone != Tone::Info && l.tone != Tone::Ok)
                .map(|l| Annotation {
                    error: l.tone == Tone::Error,
                    text: l.text,
                })
                .collect();
            self.annotate(&notes);
        }
    }

    /// Verify findings: a summary table and an error annotation per problem.
    pub fn verified(&self, results: &[Verified]) {
        let v = present::verify(results, Front::Cli);
        let mut md = format!(
            "### {}\n\n| target | release | files | result |\n|---|---|---|---|\n",
            v.title
        );
        for r in results {
            let verdict = if r.problems.is_empty() {
                "✅ match".to_string()
            } else {
                format!("❌ {} problem(s)", r.problems.len())
            };
            let _ = writeln!(
                md,
                "| `{}` | {} | {} | {verdict} |",
                r.target, r.version, r.files
            );
        }
        let problems: Vec<&String> = results.iter().flat_map(|r| &r.problems).collect();
        if !problems.is_empty() {
            md.push_str("\n<details><summary>Every difference</summary>\n\n");
            for p in &problems {
                let _ = writeln!(md, "- {}", md_escape(p));
            }
            md.push_str("\n</details>\n");
        }
        self.summary(&md);
        self.outputs(&[("result", if v.ok { "ok" } else { "failed" }.into())]);
        let notes: Vec<Annotation> = problems
            .into_iter()
            .map(|p| Annotation {
                error: true,
                text: p.clone(),
            })
            .collect();
        self.annotate(&notes);
    }

    /// `verify --edge`: a table per folder, the findings, and an annotation per finding.
    pub fn edge_verified(&self, r: &crate::ops::edge::EdgeReport) {
        let v = present::edge::edge_report(r);
        let mut md = format!(
            "### {}\n\n| folder | store says | files | result |\n|---|---|---|---|\n",
            md_escape(&v.title)
        );
        for f in &r.folders {
            let verdict = match (&f.served_as, f.findings()) {
                (_, 0) => "✅ served".to_string(),
                (Some(old), _) => format!("❌ still served as {old}"),
                (None, n) => format!("❌ {n} finding(s)"),
            };
            let _ = writeln!(
                md,
                "| `{}/` | {} | {} | {verdict} |",
                f.target,
                f.version,
                f.files.len()
            );
        }
        let problems: Vec<String> = v
            .lines
            .iter()
            .filter(|l| l.tone == Tone::Error)
            .map(|l| l.text.trim().to_string())
            .collect();
        if !problems.is_empty() {
            md.push_str("\n<details><summary>Every difference</summary>\n\n");
            for p in &problems {
                let _ = writeln!(md, "- {}", md_escape(p));
            }
            md.push_str("\n</details>\n");
        }
        self.summary(&md);
        self.outputs(&[("result", if v.ok { "ok" } else { "failed" }.into())]);
        let notes: Vec<Annotation> = problems
            .into_iter()
            .map(|text| Annotation { error: true, text })
            .collect();
        self.annotate(&notes);
    }

    /// A change that is not a release change (an allowlist edit, a hand-made invalidation, a
    /// rebuilt state): its plan lines as a list, and the result output.
    pub fn lines(&self, title: &str, lines: &[String], outputs: &[(&str, String)]) {
        let mut md = format!("### ✅ shipdeck: {}\n\n", md_escape(title));
        for l in lines {
            let _ = writeln!(md, "- {}", md_escape(l.trim()));
        }
        self.summary(&md);
        let mut all = vec![("result", "ok".to_string())];
        all.extend(outputs.iter().cloned());
        self.outputs(&all);
    }

    /// A command that failed: one error annotation, and a line in the summary.
    pub fn failed(&self, command: &str, message: &str) {
        self.summary(&format!(
            "### ❌ shipdeck {command}\n\n{}\n",
            md_escape(message)
        ));
        self.outputs(&[("result", "failed".into())]);
        self.annotate(&[Annotation {
            error: true,
            text: message.to_string(),
        }]);
    }
}

/// What the summary of a change needs.
pub struct ChangeSummary<'a> {
    pub plan: &'a Plan,
    pub report: Option<&'a Report>,
    /// The release published or acted on, for URLs and the embed snippet.
    pub manifest: Option<&'a Manifest>,
    pub public_url: Option<&'a str>,
    pub dry_run: bool,
}

/// The Markdown summary of a change: the plan as tables, then what happened.
pub fn change_markdown(c: &ChangeSummary<'_>) -> String {
    let plan = c.plan;
    let head = match c.report {
        _ if plan.is_noop() => "✅",
        None => "📝",
        Some(r) if r.landed() => "✅",
        Some(_) => "⚠️",
    };
    let mut md = format!("### {head} shipdeck: {}\n\n", md_escape(&plan.description));
    if c.dry_run {
        md.push_str("_Dry run: nothing was changed._\n\n");
    }
    for w in &plan.warnings {
        let _ = writeln!(md, "> **Warning:** {}\n", md_escape(w));
    }
    for r in &plan.release_changes {
        let _ = writeln!(md, "- {}", md_escape(r));
    }
    if !plan.alias_moves.is_empty() {
        md.push_str("\n| alias | before | after | mode |\n|---|---|---|---|\n");
        for m in &plan.alias_moves {
            let show =
                |v: &Option<semver::Version>| v.as_ref().map_or("—".into(), ToString::to_string);
            let mode = if m.pinned { "pinned" } else { "automatic" };
            let _ = writeln!(
                md,
                "| `{}` | {} | {} | {mode} |",
                m.alias,
                show(&m.from),
                show(&m.to)
            );
        }
    }
    files_table(&mut md, plan);
    if !plan.invalidations.is_empty() {
        let paths: Vec<String> = plan
            .invalidations
            .iter()
            .map(|p| format!("`{p}`"))
            .collect();
        let _ = writeln!(md, "\nCDN paths: {}", paths.join(", "));
    }
    for n in &plan.notes {
        let _ = writeln!(md, "\n_{}_", md_escape(n));
    }
    if let Some(r) = c.report {
        let v = present::verdict(r);
        let _ = writeln!(md, "\n**{}:** {}.", v.head, v.summary);
        for l in v.lines {
            let _ = writeln!(md, "\n{}", md_escape(&l.text));
        }
    }
    embed(&mut md, c);
    md
}

fn files_table(md: &mut String, plan: &Plan) {
    if plan.file_ops.is_empty() {
        return;
    }
    md.push_str("\n| | file | size | cache-control |\n|---|---|---|---|\n");
    for (i, op) in plan.file_ops.iter().enumerate() {
        if md.len() > SUMMARY_BUDGET / 2 {
            let _ = writeln!(md, "| | … and {} more | | |", plan.file_ops.len() - i);
            break;
        }
        let sym = match op.kind {
            FileOpKind::Upload => "⬆️ upload",
            FileOpKind::Copy => "➕ copy",
            FileOpKind::Replace => "🔁 replace",
            FileOpKind::Delete => "➖ delete",
        };
        let size = if op.kind == FileOpKind::Delete {
            String::new()
        } else {
            human_bytes(op.size)
        };
        let _ = writeln!(
            md,
            "| {sym} | `{}` | {size} | {} |",
            op.key, op.cache_control
        );
    }
}

fn embed(md: &mut String, c: &ChangeSummary<'_>) {
    let (Some(base), Some(m)) = (c.public_url, c.manifest) else {
        return;
    };
    let base = base.trim_end_matches('/');
    let _ = writeln!(
        md,
        "\n**URL:** {base}/{}/\n\nEmbed, pinned to this version with Subresource Integrity:\n\n```html",
        crate::domain::version::folder_name(&m.version)
    );
    for l in snippet(m, base, None) {
        let _ = writeln!(md, "{l}");
    }
    md.push_str("```\n");
}

/// Annotation text on one line, with GitHub's escapes.
fn escape(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Text placed in Markdown: pipes and angle brackets cannot break the tables or inject HTML.
pub(super) fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn append(path: &std::path::Path, text: &str) {
    let r = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()));
    if let Err(e) = r {
        tracing::warn!(path = %path.display(), error = %e, "cannot write to a GitHub Actions file");
    }
}
