//! Message boxes: errors, verify findings, probe drift, a change that landed with problems.
//! Enter or Esc closes them; other keys leave them open.

use super::{Modal, frame_block, popup, tone_style};
use crate::ops::verify::Verified;
use crate::present::{self, Front, Said};
use crate::tui::keymap::Command;
use crate::tui::state::{Effect, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Keys of the help overlay and of message boxes: close on Enter, Esc, `?` or `q`.
pub(crate) fn command(state: &mut State, modal: Modal, c: Command) -> Vec<Effect> {
    if !matches!(
        c,
        Command::Cancel | Command::Confirm | Command::Help | Command::Quit
    ) {
        state.modal = Some(modal);
    }
    Vec::new()
}

/// Verify results arrived: shown as a message, with the repair hint for the console.
pub(crate) fn verified(
    state: &mut State,
    r: Result<Vec<Verified>, crate::error::Error>,
) -> Vec<Effect> {
    state.busy = None;
    match r {
        Ok(results) => {
            let v = present::verify(&results, Front::Console);
            state.modal = Some(Modal::Message {
                title: v.title,
                lines: v.lines,
                error: !v.ok,
            });
        }
        Err(e) => state.error("Verify failed", e),
    }
    Vec::new()
}

/// `verify --edge` results arrived: the same title and lines as the CLI prints.
pub(crate) fn edge_verified(
    state: &mut State,
    r: Result<Box<crate::ops::edge::EdgeReport>, crate::error::Error>,
) -> Vec<Effect> {
    state.busy = None;
    match r {
        Ok(report) => {
            let v = present::edge::edge_report(&report);
            state.modal = Some(Modal::Message {
                title: v.title,
                lines: v.lines,
                error: !v.ok,
            });
        }
        Err(e) => state.error("Edge check failed", e),
    }
    Vec::new()
}

pub fn render(state: &State, f: &mut Frame, area: Rect, title: &str, lines: &[Said], error: bool) {
    let mut body: Vec<Line> = lines
        .iter()
        .map(|l| {
            Line::from(Span::styled(
                format!(" {}", l.text),
                tone_style(state, l.tone),
            ))
        })
        .collect();
    body.push(Line::from(""));
    body.push(Line::from(Span::styled(
        " Enter/Esc close",
        Style::default().fg(state.theme.muted),
    )));
    popup(
        f,
        area,
        76,
        body.len() as u16 + 4,
        Paragraph::new(body)
            .wrap(Wrap { trim: false })
            .block(frame_block(state, title.to_string(), error)),
    );
}
