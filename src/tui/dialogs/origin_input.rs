//! The add-an-origin dialog: type the origin exactly as browsers send it; ↑/↓ choose the list.
//! While typing, the dialog says what is wrong with the value (the same sentence the CLI
//! gives) and, when the value is an origin written so that it never matches
//! (`https://App.Example.com/`), offers the form browsers send, accepted with one key.

use super::{Modal, fit, frame_block, popup_lines};
use crate::domain::origin::{OriginError, parse_origin};
use crate::tui::keymap::Command;
use crate::tui::state::{Effect, OriginEdit, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

pub(crate) fn command(
    state: &mut State,
    value: String,
    additional: bool,
    c: Command,
) -> Vec<Effect> {
    match c {
        Command::Cancel => Vec::new(),
        // The next-screen key takes the form browsers send, when the dialog offers one.
        Command::NextScreen => {
            let value = match parse_origin(&value) {
                Err(OriginError::NeverMatches { fixed, .. }) => fixed.to_string(),
                _ => value,
            };
            state.modal = Some(Modal::OriginInput { value, additional });
            Vec::new()
        }
        Command::Up | Command::Down => {
            state.modal = Some(Modal::OriginInput {
                value,
                additional: !additional,
            });
            Vec::new()
        }
        Command::Confirm if !value.trim().is_empty() => {
            state.busy = Some(format!("planning: add {value}"));
            vec![Effect::PlanOrigin(OriginEdit::Add {
                origin: value,
                additional,
            })]
        }
        _ => {
            state.modal = Some(Modal::OriginInput { value, additional });
            Vec::new()
        }
    }
}

pub fn render(state: &State, f: &mut Frame, area: Rect, value: &str, additional: bool) {
    let t = &state.theme;
    let muted = Style::default().fg(t.muted);
    let list = |on: bool, name: &str| {
        Span::styled(
            format!(" {} {name} ", if on { "(•)" } else { "( )" }),
            if on {
                Style::default().fg(t.accent)
            } else {
                muted
            },
        )
    };
    // What is wrong with the value so far, said as the CLI says it, and the fix when there is one.
    let check = match parse_origin(value) {
        _ if value.is_empty() => Line::from(""),
        Ok(_) => Line::from(Span::styled(
            " ✓ an origin browsers send",
            Style::default().fg(t.ok),
        )),
        Err(OriginError::NeverMatches { fixed, .. }) => Line::from(vec![
            Span::styled(" browsers send ", Style::default().fg(t.warn)),
            Span::styled(fixed.to_string(), Style::default().fg(t.accent)),
            Span::styled(
                format!(" — {} uses it", state.keymap.label("next_screen")),
                muted,
            ),
        ]),
        Err(e @ OriginError::Invalid(_)) => Line::from(Span::styled(
            format!(" {}", fit(&e.to_string(), 68)),
            Style::default().fg(t.error),
        )),
    };
    let lines = vec![
        Line::from(" Origin exactly as browsers send it: scheme://host[:port]"),
        Line::from(""),
        Line::from(vec![
            Span::styled(" origin: ", Style::default().fg(t.accent)),
            Span::raw(value.to_string()),
            Span::styled("▏", muted),
        ]),
        Line::from(vec![
            Span::raw(" list:"),
            list(!additional, "ALLOWED_ORIGINS"),
            list(additional, "ADDITIONAL_ORIGINS"),
        ]),
        check,
        Line::from(Span::styled(
            " Enter plan the change · ↑/↓ switch list · Esc cancel",
            muted,
        )),
    ];
    popup_lines(
        f,
        area,
        72,
        lines,
        frame_block(state, "Add an origin".into(), false),
    );
}
