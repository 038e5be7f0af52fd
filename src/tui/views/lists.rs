//! The table screens: Aliases, History, and the screens of the allowlist and cost features.

use crate::tui::state::{State, list_offset};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

/// A table of `len` rows showing only the rows that fit, with the selection highlighted.
/// `row(i)` builds row `i`; only visible rows are built, so a redraw costs the same with ten
/// rows or ten thousand.
pub fn table<'a>(
    state: &State,
    f: &mut Frame,
    area: Rect,
    header: &[&str],
    widths: &[Constraint],
    len: usize,
    row: impl Fn(usize) -> Vec<Cell<'a>>,
) {
    let t = &state.theme;
    let page = usize::from(area.height.saturating_sub(1)).max(1);
    let offset = list_offset(state.selection(), page);
    let rows: Vec<Row> = (offset..len.min(offset + page))
        .map(|i| {
            let style = if i == state.selection() {
                Style::default().fg(t.selected_fg).bg(t.selected_bg)
            } else {
                Style::default()
            };
            Row::new(row(i)).style(style)
        })
        .collect();
    let table = Table::new(rows, widths.to_vec())
        .header(
            Row::new(header.to_vec())
                .style(Style::default().fg(t.muted).add_modifier(Modifier::BOLD)),
        )
        .column_spacing(1);
    f.render_widget(table, area);
}

/// The line under a table's header that says why it is empty and what to do.
pub fn empty_hint(f: &mut Frame, area: Rect, text: &str, color: ratatui::style::Color) {
    f.render_widget(
        Paragraph::new(text).style(Style::default().fg(color)),
        Rect {
            y: area.y + 1,
            height: 1,
            ..area
        },
    );
}

pub fn aliases(state: &State, f: &mut Frame, area: Rect) {
    let t = &state.theme;
    let Some(v) = &state.releases else { return };
    let rows: Vec<Vec<Cell>> = v
        .aliases
        .iter()
        .map(|a| {
            let mode = if a.pinned {
                Span::styled("pinned", Style::default().fg(t.badge_pinned))
            } else {
                Span::styled("automatic", Style::default().fg(t.ok))
            };
            let auto = match (&a.automatic, a.pinned) {
                (Some(x), true) if *x != a.target => format!("{x} (if unpinned)"),
                (Some(x), _) => x.clone(),
                (None, _) => "-".into(),
            };
            vec![
                Cell::from(a.name.clone()),
                Cell::from(a.target.clone()),
                Cell::from(mode),
                Cell::from(a.previous.clone().unwrap_or_else(|| "-".into())),
                Cell::from(auto),
            ]
        })
        .collect();
    table(
        state,
        f,
        area,
        &["ALIAS", "TARGET", "MODE", "PREVIOUS", "AUTOMATIC"],
        &[
            Constraint::Length(10),
            Constraint::Length(16),
            Constraint::Length(10),
            Constraint::Length(16),
            Constraint::Min(12),
        ],
        rows.len(),
        |i| rows[i].clone(),
    );
    if v.aliases.is_empty() {
        empty_hint(
            f,
            area,
            "no aliases yet — `p` promotes the selected version on the Releases screen",
            t.muted,
        );
    }
}

pub fn history(state: &State, f: &mut Frame, area: Rect) {
    let t = &state.theme;
    let rows: Vec<Vec<Cell>> = state
        .history
        .iter()
        .map(|e| {
            let changes = e.changes_text();
            let outcome = if e.outcome == "ok" {
                Span::styled("ok", Style::default().fg(t.ok))
            } else {
                Span::styled(e.outcome.clone(), Style::default().fg(t.error))
            };
            vec![
                Cell::from(e.at.format("%m-%d %H:%M").to_string()),
                Cell::from(e.by.clone()),
                Cell::from(e.description.clone()),
                Cell::from(outcome),
                Cell::from(changes),
            ]
        })
        .collect();
    table(
        state,
        f,
        area,
        &["WHEN", "WHO", "WHAT", "OUTCOME", "ALIASES"],
        &[
            Constraint::Length(11),
            Constraint::Length(13),
            Constraint::Length(28),
            Constraint::Length(7),
            Constraint::Min(10),
        ],
        rows.len(),
        |i| rows[i].clone(),
    );
    if state.history.is_empty() {
        empty_hint(f, area, "no history yet", t.muted);
    }
}

pub fn origins(state: &State, f: &mut Frame, area: Rect) {
    let t = &state.theme;
    let o = &state.extra.origins;
    let listing = match &o.listing {
        None => {
            f.render_widget(
                Paragraph::new(" loading the allowlist…").style(Style::default().fg(t.muted)),
                area,
            );
            return;
        }
        Some(Err(e)) => {
            let (what, how) = e.split_once("; ").unwrap_or((e.as_str(), ""));
            not_configured(state, f, area, what, how);
            return;
        }
        Some(Ok(l)) => l,
    };
    let [head, body] =
        ratatui::layout::Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let title = format!(
        " {}{} · a add · d remove · P probe",
        listing.source,
        if listing.production {
            " (production rules)"
        } else {
            ""
        }
    );
    f.render_widget(
        Paragraph::new(Span::styled(title, Style::default().fg(t.muted))),
        head,
    );
    let rows: Vec<Vec<Cell>> = listing
        .origins
        .iter()
        .map(|e| {
            use crate::domain::origin::{OriginError, Severity, parse_origin};
            let (label, color) = match e.findings.iter().map(|f| f.severity).max() {
                Some(Severity::Error) => ("ERROR", t.error),
                Some(Severity::Warning) => ("WARN", t.warn),
                Some(Severity::Info) => ("info", t.muted),
                None => ("ok", t.ok),
            };
            let findings: Vec<&str> = e.findings.iter().map(|f| f.code).collect();
            // What a browser sends for this entry: the probe result to show beside it.
            let sent = match parse_origin(&e.origin) {
                Ok(p) => p.to_string(),
                Err(OriginError::NeverMatches { fixed, .. }) => fixed.to_string(),
                Err(_) => e.origin.clone(),
            };
            let probe = o
                .probe
                .as_ref()
                .and_then(|p| p.results.iter().find(|r| r.origin == sent))
                .map_or(Span::styled("-", Style::default().fg(t.muted)), |r| {
                    let text = format!(
                        "{}{}",
                        if r.allowed { "allowed" } else { "refused" },
                        if r.problems.is_empty() {
                            ""
                        } else {
                            " ≠ list"
                        }
                    );
                    Span::styled(
                        text,
                        Style::default().fg(if r.problems.is_empty() { t.ok } else { t.error }),
                    )
                });
            vec![
                // Debug-quoted so stray spaces in an entry are visible.
                Cell::from(if e.origin.trim() == e.origin {
                    e.origin.clone()
                } else {
                    format!("{:?}", e.origin)
                }),
                Cell::from(e.list.trim_end_matches("_ORIGINS").to_lowercase()),
                Cell::from(Span::styled(label, Style::default().fg(color))),
                Cell::from(findings.join(", ")),
                Cell::from(probe),
            ]
        })
        .collect();
    table(
        state,
        f,
        body,
        &["ORIGIN", "LIST", "AUDIT", "FINDINGS", "PROBE"],
        &[
            Constraint::Min(26),
            Constraint::Length(10),
            Constraint::Length(5),
            Constraint::Min(16),
            Constraint::Length(16),
        ],
        rows.len(),
        |i| rows[i].clone(),
    );
    if listing.origins.is_empty() {
        empty_hint(
            f,
            body,
            " the allowlist is empty: the Bridge refuses every browser — `a` adds an origin",
            t.warn,
        );
    }
}

pub fn account(state: &State, f: &mut Frame, area: Rect) {
    let t = &state.theme;
    let a = match &state.extra.account {
        None => {
            f.render_widget(
                Paragraph::new(" loading…").style(Style::default().fg(t.muted)),
                area,
            );
            return;
        }
        Some(Err(e)) => {
            f.render_widget(
                Paragraph::new(format!(" {e}"))
                    .style(Style::default().fg(t.error))
                    .wrap(Wrap { trim: false }),
                area,
            );
            return;
        }
        Some(Ok(a)) => a,
    };
    let row = |k: &str, v: String, style: Style| {
        ratatui::text::Line::from(vec![
            Span::styled(format!(" {k:<12}"), Style::default().fg(t.muted)),
            Span::styled(v, style),
        ])
    };
    let plain = Style::default();
    let lines = vec![
        ratatui::text::Line::from(""),
        row(
            "profile",
            a.profile.clone(),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        row("config", a.config.clone(), plain),
        row("store", a.store.clone(), plain),
        row("CDN", a.cdn.clone(), plain),
        row("acting as", a.actor.clone(), plain),
        row("credentials", a.credentials.clone(), plain),
        match &a.lock {
            Some(l) => row("lock", format!("held by {l}"), Style::default().fg(t.warn)),
            None => row("lock", "free".into(), Style::default().fg(t.ok)),
        },
        match &a.in_flight {
            Some(op) => row(
                "unfinished",
                format!("{op} (Ctrl-r resumes)"),
                Style::default().fg(t.error),
            ),
            None => row("unfinished", "none".into(), Style::default().fg(t.ok)),
        },
    ];
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

fn not_configured(state: &State, f: &mut Frame, area: Rect, what: &str, how: &str) {
    let t = &state.theme;
    let text = vec![
        ratatui::text::Line::from(""),
        ratatui::text::Line::from(Span::styled(
            format!(" {what}"),
            Style::default().add_modifier(Modifier::BOLD),
        )),
        ratatui::text::Line::from(""),
        ratatui::text::Line::from(Span::styled(
            format!(" {how}"),
            Style::default().fg(t.muted),
        )),
    ];
    f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), area);
}
