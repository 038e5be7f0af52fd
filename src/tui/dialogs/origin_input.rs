//! The add-an-origin dialog: type the origin exactly as browsers send it; ↑/↓ choose the list.

use super::{Modal, frame_block, popup};
use crate::tui::keymap::Command;
use crate::tui::state::{Effect, OriginEdit, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub(crate) fn command(
    state: &mut State,
    value: String,
    additional: bool,
    c: Command,
) -> Vec<Effect> {
    match c {
        Command::Cancel => Vec::new(),
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
        Line::from(""),
        Line::from(Span::styled(
            " Enter plan the change · ↑/↓ switch list · Esc cancel",
            muted,
        )),
    ];
    popup(
        f,
        area,
        72,
        8,
        Paragraph::new(lines).block(frame_block(state, "Add an origin".into(), false)),
    );
}
