//! The yank dialog: a yank needs a reason the team will read later.

use super::{Modal, frame_block, popup_lines};
use crate::domain::change::Request;
use crate::tui::keymap::Command;
use crate::tui::state::{Effect, State, Status};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use semver::Version;

pub(crate) fn command(
    state: &mut State,
    version: Version,
    reason: String,
    c: Command,
) -> Vec<Effect> {
    match c {
        Command::Cancel => Vec::new(),
        Command::Confirm if reason.trim().is_empty() => {
            state.status = Some(Status {
                text: "a yank needs a reason that the team will read later".into(),
                error: true,
            });
            state.modal = Some(Modal::YankReason { version, reason });
            Vec::new()
        }
        Command::Confirm => state.plan(Request::Yank { version, reason }),
        _ => {
            state.modal = Some(Modal::YankReason { version, reason });
            Vec::new()
        }
    }
}

pub fn render(state: &State, f: &mut Frame, area: Rect, version: &Version, reason: &str) {
    let t = &state.theme;
    let muted = Style::default().fg(t.muted);
    let lines = vec![
        Line::from(format!(
            " Yank {version}: it leaves every alias; its folder stays."
        )),
        Line::from(""),
        Line::from(vec![
            Span::styled(" reason: ", Style::default().fg(t.accent)),
            Span::raw(reason.to_string()),
            Span::styled("▏", muted),
        ]),
        Line::from(""),
        Line::from(Span::styled(" Enter plan the yank · Esc cancel", muted)),
    ];
    popup_lines(f, area, 70, lines, frame_block(state, "Yank".into(), false));
}
