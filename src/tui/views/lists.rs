//! The table screens: Aliases, History, and the screens of the allowlist and cost features.

use crate::tui::state::{State, list_offset};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

/// A table showing only the rows that fit, with the selection highlighted.
pub fn table(
    state: &State,
    f: &mut Frame,
    area: Rect,
    header: &[&str],
    widths: &[Constraint],
    rows: Vec<Vec<Cell<'static>>>,
) {
    let t = &state.theme;
    let page = usize::from(area.height.saturating_sub(1)).max(1);
    let offset = list_offset(state.selection(), page);
    let rows: Vec<Row> = rows
        .into_iter()
        .enumerate()
        .skip(offset)
        .take(page)
        .map(|(i, cells)| {
            let style = if i == state.selection() {
                Style::default().fg(t.selected_fg).bg(t.selected_bg)
            } else {
                Style::default()
            };
            Row::new(cells).style(style)
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

pub fn aliases(state: &State, f: &mut Frame, area: Rect) {
    let t = &state.theme;
    let Some(v) = &state.releases else { return };
    let rows = v
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
        rows,
    );
    if v.aliases.is_empty() {
        f.render_widget(
            Paragraph::new(
                "no aliases yet — `p` promotes the selected version on the Releases screen",
            )
            .style(Style::default().fg(t.muted)),
            Rect {
                y: area.y + 1,
                height: 1,
                ..area
            },
        );
    }
}

pub fn history(state: &State, f: &mut Frame, area: Rect) {
    let t = &state.theme;
    let rows = state
        .history
        .iter()
        .map(|e| {
            let changes: Vec<String> = e
                .changes
                .iter()
                .map(|c| {
                    format!(
                        "{} {}→{}",
                        c.alias,
                        c.from.as_deref().unwrap_or("∅"),
                        c.to.as_deref().unwrap_or("∅")
                    )
                })
                .collect();
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
                Cell::from(changes.join(", ")),
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
        rows,
    );
    if state.history.is_empty() {
        f.render_widget(
            Paragraph::new("no history yet").style(Style::default().fg(t.muted)),
            Rect {
                y: area.y + 1,
                height: 1,
                ..area
            },
        );
    }
}

pub fn origins(state: &State, f: &mut Frame, area: Rect) {
    not_configured(
        state,
        f,
        area,
        "The Bridge origin allowlist is not configured for this profile.",
        "Add to the profile: bridge = { allowlist = { kind = \"dotenv\", path = \"../bridge/.env\" }, url = \"https://api.example.com\" }",
    );
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
