//! The help overlay (`?`): the keys of the current screen, generated from the keymap so it can
//! never disagree with what the keys do.

use super::{frame_block, popup_lines};
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

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
    // As wide as the longest line (cut with … only when the terminal is narrower).
    let w = lines.iter().map(Line::width).max().unwrap_or(0) + 3;
    let w = u16::try_from(w).unwrap_or(u16::MAX).max(64);
    popup_lines(
        f,
        area,
        w,
        lines,
        frame_block(state, format!("Keys — {screen}"), false),
    );
}
