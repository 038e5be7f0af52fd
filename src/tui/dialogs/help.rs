//! The help overlay (`?`): the keys of the current screen, generated from the keymap so it can
//! never disagree with what the keys do.

use super::{frame_block, popup};
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(state: &State, f: &mut Frame, area: Rect) {
    let t = &state.theme;
    let screen = state.screen.title();
    let mut lines: Vec<Line> = state
        .keymap
        .help_for(screen, state.readonly)
        .into_iter()
        .map(|(k, h)| {
            Line::from(vec![
                Span::styled(format!(" {k:>8}  "), Style::default().fg(t.accent)),
                Span::raw(h),
            ])
        })
        .collect();
    lines.push(Line::from(Span::styled(
        " mouse: click selects, wheel scrolls · Esc closes",
        Style::default().fg(t.muted),
    )));
    popup(
        f,
        area,
        64,
        lines.len() as u16 + 2,
        Paragraph::new(lines).block(frame_block(state, format!("Keys — {screen}"), false)),
    );
}
