//! The words for edge truth: `verify --edge` findings, and how far a change got (written,
//! invalidated, served). The CLI, the console and the CI summary all lay out these lines.

use super::{Said, Tone};
use crate::ops::apply::Report;
use crate::ops::edge::{EdgeConfirmation, EdgeFolder, EdgeReport, FolderKind, Reached};

/// The one word for how far a change got.
pub fn reached_word(r: Reached) -> &'static str {
    match r {
        Reached::Written => "written",
        Reached::Invalidated => "invalidated",
        Reached::Served => "served",
    }
}

/// The last line of a change: which of written, invalidated and served it reached, and what
/// the edge showed.
pub fn reached(r: &Report) -> Said {
    let word = reached_word(r.reached);
    let edge = match &r.edge {
        None => None,
        Some(EdgeConfirmation::Served { seconds }) if *seconds < 0.5 => {
            Some("every moved alias already serves its new target at the edge".to_string())
        }
        Some(EdgeConfirmation::Served { seconds }) => Some(format!(
            "every moved alias served its new target at the edge after {:.0} s",
            seconds
        )),
        Some(EdgeConfirmation::NotYet {
            waited,
            seconds,
            stale,
            served_as,
        }) => Some(if *waited {
            format!(
                "the edge did not serve the change within {:.0} s ({}); stale: {}",
                seconds,
                served_as.join("; "),
                stale.join(" ")
            )
        } else {
            format!(
                "the edge does not serve it yet ({}); an invalidation takes minutes: `shipdeck verify --edge --wait 10m` follows it",
                served_as.join("; ")
            )
        }),
        Some(EdgeConfirmation::Unchecked { error }) => {
            Some(format!("the edge could not be checked: {error}"))
        }
    };
    let how = match (r.reached, &r.edge) {
        (Reached::Served, _) => String::new(),
        (Reached::Invalidated, None) => {
            "; the CDN invalidation completed (set public_url to check what browsers get)".into()
        }
        (Reached::Written, None) if r.aliases_moved.is_empty() => String::new(),
        (Reached::Written, None) => {
            "; set public_url in the profile to check what browsers get".into()
        }
        _ => String::new(),
    };
    let tone = match (&r.edge, r.edge_stale_after_wait()) {
        (_, true) => Tone::Error,
        (Some(EdgeConfirmation::Served { .. }), _) => Tone::Ok,
        (Some(_), _) => Tone::Warning,
        (None, _) => Tone::Info,
    };
    let text = match edge {
        Some(e) => format!("Reached: {word} — {e}{how}"),
        None => format!("Reached: {word}{how}"),
    };
    Said { tone, text }
}

/// `verify --edge` laid out: a title, whether the edge is clean, and one line per folder and
/// per finding.
pub struct EdgeSummary {
    pub title: String,
    pub ok: bool,
    pub lines: Vec<Said>,
}

fn folder_line(f: &EdgeFolder) -> Said {
    let name = match f.kind {
        FolderKind::Alias => format!("{}/", f.target),
        FolderKind::Version => format!("{}/", f.target),
    };
    if f.findings() == 0 {
        return Said {
            tone: Tone::Ok,
            text: format!(
                "ok       {name:<14} {} file(s) served as {}",
                f.files.len(),
                f.version
            ),
        };
    }
    let text = match &f.served_as {
        Some(v) => format!(
            "FAILED   {name} is still served as {v} at the edge (store says {})",
            f.version
        ),
        None => format!(
            "FAILED   {name:<14} {} finding(s) against {}",
            f.findings(),
            f.version
        ),
    };
    Said {
        tone: Tone::Error,
        text,
    }
}

/// Presents a `verify --edge` report.
pub fn edge_report(r: &EdgeReport) -> EdgeSummary {
    let mut lines = Vec::new();
    for f in &r.folders {
        lines.push(folder_line(f));
        for file in &f.files {
            for finding in &file.findings {
                lines.push(Said {
                    tone: Tone::Error,
                    text: format!("  {}: {finding}", file.url),
                });
            }
        }
    }
    if let Some(w) = &r.waited {
        lines.push(if w.converged {
            Said {
                tone: Tone::Ok,
                text: format!("every alias served its target after {:.0} s", w.seconds),
            }
        } else {
            Said {
                tone: Tone::Error,
                text: format!(
                    "the edge did not serve every alias's target within {:.0} s ({} round(s))",
                    w.seconds, w.rounds
                ),
            }
        });
    }
    let n = r.findings();
    let title = if n == 0 {
        format!(
            "The edge serves what the store says: {} folder(s) through {} (Origin {})",
            r.folders.len(),
            r.base_url,
            r.origin
        )
    } else {
        format!(
            "{n} difference(s) between what browsers get through {} and what the store says",
            r.base_url
        )
    };
    EdgeSummary {
        title,
        ok: r.ok,
        lines,
    }
}

/// The informational headers of one answer (age, cache result, ETag), for detail views.
pub fn info(o: &crate::domain::edge::Observed) -> String {
    let mut parts = Vec::new();
    if let Some(a) = &o.age {
        parts.push(format!("age {a}"));
    }
    if let Some(c) = &o.cache {
        parts.push(c.clone());
    }
    if let Some(e) = &o.etag {
        parts.push(format!("etag {e}"));
    }
    parts.join(", ")
}
