//! The History screen: every change, newest first — when, who, what, outcome, the commit, the
//! aliases moved and the invalidation asked for.

use super::{ListArea, empty_hint, table};
use crate::domain::history::{HistoryEvent, short_commit};
use crate::tui::state::{Effect, State, Status};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The History screen's own state.
#[derive(Debug, Clone, Default)]
pub struct HistoryScreen {
    pub events: Vec<HistoryEvent>,
}

/// History arrived (or could not be read: said in the status line, the list stays).
pub(crate) fn loaded(
    state: &mut State,
    r: Result<Vec<HistoryEvent>, crate::error::Error>,
) -> Vec<Effect> {
    match r {
        Ok(h) => {
            state.history.events = h;
            state.clamp_selections();
        }
        Err(e) => {
            state.status = Some(Status {
                text: format!("history: {}", crate::present::failure(&e)),
                error: true,
            })
        }
    }
    Vec::new()
}

pub fn render(state: &State, f: &mut Frame, area: Rect) -> Option<ListArea> {
    let t = &state.theme;
    let events = &state.history.events;
    // The commit column only when some change names a commit (as the CLI does).
    let commits = events.iter().any(|e| e.commit.is_some());
    let rows: Vec<Vec<Line>> = events
        .iter()
        .map(|e| {
            let outcome = if e.outcome == "ok" {
                Span::styled("ok", Style::default().fg(t.ok))
            } else {
                Span::styled(e.outcome.clone(), Style::default().fg(t.error))
            };
            let mut cells = vec![
                Line::from(e.at.format("%m-%d %H:%M").to_string()),
                Line::from(e.by.clone()),
                Line::from(e.description.clone()),
                Line::from(outcome),
            ];
            if commits {
                cells.push(Line::from(
                    e.commit.as_deref().map(short_commit).unwrap_or_default(),
                ));
            }
            cells.push(Line::from(e.tail()));
            cells
        })
        .collect();
    let mut header = vec!["WHEN", "WHO", "WHAT", "OUTCOME"];
    let mut widths = vec![
        Constraint::Length(11),
        Constraint::Length(12),
        Constraint::Max(28),
        Constraint::Length(7),
    ];
    if commits {
        header.push("COMMIT");
        widths.push(Constraint::Length(7));
    }
    header.push("ALIASES / DETAIL");
    widths.push(Constraint::Min(24));
    let hits = table(state, f, area, &header, &widths, rows.len(), |i| {
        rows[i].clone()
    });
    if events.is_empty() {
        empty_hint(f, area, "no history yet", t.muted);
    }
    Some(hits)
}
