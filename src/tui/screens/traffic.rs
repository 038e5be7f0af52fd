//! The Traffic screen: requests per release and alias folder from the CDN's access logs for the
//! last seven days, with trends, who still loads each version directly, and what happened around
//! each promote and rollback. The worker reads the logs (new files only) with progress; keys
//! keep working meanwhile.

use super::{ListArea, table};
use crate::domain::plan::human_bytes;
use crate::ops::traffic::Traffic;
use crate::present::sparkline;
use crate::present::traffic as words;
use crate::tui::state::{Effect, State};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

#[derive(Debug, Clone, Default)]
pub struct TrafficScreen {
    pub data: Option<Result<Traffic, crate::error::Error>>,
    /// Log files read so far, of how many (while loading).
    pub progress: Option<(usize, usize)>,
    /// The profile's alert rules, evaluated: the badge in the header, the list below.
    pub alerts: Option<Result<crate::ops::alerts::AlertsReport, crate::error::Error>>,
}

impl TrafficScreen {
    pub fn len(&self) -> usize {
        match &self.data {
            Some(Ok(t)) => t.report.rows.len(),
            _ => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

pub(crate) fn alerts_loaded(
    state: &mut State,
    r: Result<Box<crate::ops::alerts::AlertsReport>, crate::error::Error>,
) -> Vec<Effect> {
    state.traffic.alerts = Some(r.map(|b| *b));
    Vec::new()
}

/// The alert rules' lines worth a place on the Traffic screen: firing and unknown first.
fn alert_lines(state: &State) -> Vec<Line<'static>> {
    let t = &state.theme;
    match &state.traffic.alerts {
        Some(Ok(r)) if !r.rules.is_empty() => {
            let mut rules: Vec<_> = r.rules.iter().collect();
            rules.sort_by_key(|e| (!e.firing, e.unevaluated.is_none()));
            rules
                .into_iter()
                .map(|e| {
                    let colour = if e.firing {
                        t.error
                    } else if e.unevaluated.is_some() {
                        t.warn
                    } else {
                        t.muted
                    };
                    Line::from(Span::styled(
                        format!(" {}", crate::present::alerts::line(e)),
                        Style::default().fg(colour),
                    ))
                })
                .collect()
        }
        Some(Err(e)) => vec![Line::from(Span::styled(
            format!(" alerts: {}", crate::present::failure(e)),
            Style::default().fg(t.warn),
        ))],
        _ => Vec::new(),
    }
}

pub(crate) fn progress(state: &mut State, done: usize, total: usize) -> Vec<Effect> {
    state.traffic.progress = Some((done, total));
    Vec::new()
}

pub(crate) fn loaded(
    state: &mut State,
    r: Result<Box<Traffic>, crate::error::Error>,
) -> Vec<Effect> {
    state.traffic.progress = None;
    state.traffic.data = Some(r.map(|b| *b));
    state.clamp_selections();
    Vec::new()
}

/// The window, how complete it is, and how the logs were read.
fn headline(data: &Traffic) -> String {
    let r = &data.report;
    if let Some(none) = words::no_logs(data) {
        return format!(" {none}");
    }
    format!(
        " {} → {} UTC · complete up to {} · {} files ({} new) · {} requests, {} unreadable",
        fmt(r.since),
        fmt(r.until),
        r.complete_until.map(fmt).unwrap_or_else(|| "-".into()),
        data.loaded.files,
        data.loaded.read,
        r.lines,
        r.bad_lines
    )
}

fn fmt(d: chrono::DateTime<chrono::Utc>) -> String {
    d.format("%m-%d %H:%M").to_string()
}

pub fn render(state: &State, f: &mut Frame, area: Rect) -> Option<ListArea> {
    let t = &state.theme;
    let muted = Style::default().fg(t.muted);
    let data = match &state.traffic.data {
        None => {
            let text = match state.traffic.progress {
                Some((d, n)) if n > 0 => format!(" reading log files: {d}/{n}"),
                _ => " listing log files…".into(),
            };
            f.render_widget(Paragraph::new(Span::styled(text, muted)), area);
            return None;
        }
        Some(Err(e)) => {
            f.render_widget(
                Paragraph::new(Span::styled(
                    format!(" {}", crate::present::failure(e)),
                    Style::default().fg(t.error),
                ))
                .wrap(Wrap { trim: false }),
                area,
            );
            return None;
        }
        Some(Ok(d)) => d,
    };
    let r = &data.report;
    let head = headline(data);
    let below = if area.height >= 30 { 10 } else { 6 };
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(below),
    ])
    .areas(area);
    f.render_widget(Paragraph::new(Span::styled(head, muted)), top);
    let wide = area.width >= 110;
    let mut header = vec!["FOLDER", "REQUESTS", "BYTES", "4xx", "5xx", "HIT", "P95"];
    let mut widths = vec![
        Constraint::Length(14),
        Constraint::Length(9),
        Constraint::Length(9),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Length(5),
        Constraint::Length(8),
    ];
    if wide {
        header.extend(["INCOMP", "LAST SEEN", "REFERRERS"]);
        widths.extend([
            Constraint::Length(7),
            Constraint::Length(12),
            Constraint::Length(26),
        ]);
    }
    header.push("TREND");
    widths.push(Constraint::Min(8));
    let rows = &r.rows;
    let hits = table(state, f, body, &header, &widths, rows.len(), |i| {
        let row = &rows[i];
        let c = &row.counts;
        let mut cells = vec![
            Line::from(row.folder.clone()),
            Line::from(c.requests.to_string()),
            Line::from(human_bytes(c.bytes)),
            Line::from(c.s4xx.to_string()),
            Line::from(c.s5xx.to_string()),
            Line::from(words::hit_ratio(row)),
            Line::from(words::p95(row.latency_ms.as_ref())),
        ];
        if wide {
            cells.push(Line::from(c.incomplete.to_string()));
            cells.push(Line::from(row.last_seen.map(fmt).unwrap_or_default()));
            cells.push(Line::from(words::referrers(row)));
        }
        cells.push(Line::from(Span::styled(
            sparkline(&row.spark),
            Style::default().fg(t.accent),
        )));
        cells
    });
    render_below(state, f, bottom, data);
    Some(hits)
}

/// Who still loads each version directly, and the alias changes of the window.
fn render_below(state: &State, f: &mut Frame, area: Rect, data: &Traffic) {
    let t = &state.theme;
    let width = usize::from(area.width);
    let muted = Style::default().fg(t.muted);
    let mut lines = alert_lines(state);
    lines.push(Line::from(Span::styled(
        " direct requests per version (a yank or a clean-up is safe when nobody loads it)",
        muted,
    )));
    for v in &data.report.versions {
        // The tracker's errors beside the CDN's numbers, before the quiet days (which a
        // narrow terminal cuts first).
        let errors = if data.errors.is_some() {
            format!("{:<26} ", words::tracker(data, &v.version))
        } else {
            String::new()
        };
        let line = format!(
            " {:<10} direct {:>7}  via {:<18} {errors}{}",
            v.version,
            v.direct,
            words::via_aliases(v),
            words::quiet(v)
        );
        lines.push(Line::from(crate::tui::dialogs::fit(&line, width)));
    }
    if let Some(note) = words::tracker_note(data) {
        lines.push(Line::from(Span::styled(
            crate::tui::dialogs::fit(&format!(" {note}"), width),
            muted,
        )));
    }
    for c in &data.report.changes {
        lines.push(Line::from(vec![
            Span::styled(format!(" {} {} {} ", fmt(c.at), c.action, c.alias), muted),
            Span::raw(words::around(c)),
        ]));
    }
    f.render_widget(Paragraph::new(lines), area);
}
