//! The History screen: every change, newest first — when, who, what, outcome, aliases moved.

use super::{ListArea, empty_hint, table};
use crate::domain::history::HistoryEvent;
use crate::tui::state::{Effect, State, Status};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::Cell;

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
    let rows: Vec<Vec<Cell>> = events
        .iter()
        .map(|e| {
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
                Cell::from(match &e.detail {
                    Some(d) if e.changes.is_empty() => d.clone(),
                    Some(d) => format!("{} · {d}", e.changes_text()),
                    None => e.changes_text(),
                }),
            ]
        })
        .collect();
    let hits = table(
        state,
        f,
        area,
        &["WHEN", "WHO", "WHAT", "OUTCOME", "ALIASES / DETAIL"],
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
    if events.is_empty() {
        empty_hint(f, area, "no history yet", t.muted);
    }
    Some(hits)
}
