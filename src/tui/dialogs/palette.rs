//! The command palette (`:`): type to filter every command, Enter runs it.

use super::{Modal, frame_block, popup_lines};
use crate::tui::keymap::{Command, palette_matches};
use crate::tui::state::{Effect, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

pub(crate) fn command(
    state: &mut State,
    query: String,
    selected: usize,
    c: Command,
) -> Vec<Effect> {
    let matches = palette_matches(&query, state.readonly);
    let selected = match c {
        Command::Cancel => return Vec::new(),
        Command::Confirm => {
            return match matches.get(selected) {
                Some(entry) => state.command(entry.command.clone()),
                None => Vec::new(),
            };
        }
        Command::Up => selected.saturating_sub(1),
        Command::Down => (selected + 1).min(matches.len().saturating_sub(1)),
        _ => selected,
    };
    state.modal = Some(Modal::Palette { query, selected });
    Vec::new()
}

pub fn render(state: &State, f: &mut Frame, area: Rect, query: &str, selected: usize) {
    let t = &state.theme;
    let muted = Style::default().fg(t.muted);
    let matches = palette_matches(query, state.readonly);
    let mut lines = vec![Line::from(vec![
        Span::styled(" : ", Style::default().fg(t.accent)),
        Span::raw(query.to_string()),
        Span::styled("▏", muted),
    ])];
    for (i, m) in matches.iter().take(12).enumerate() {
        let style = if i == selected {
            Style::default().fg(t.selected_fg).bg(t.selected_bg)
        } else {
            Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {:<14}", m.name),
                style.add_modifier(Modifier::BOLD),
            ),
            Span::styled(format!(" {}", m.help), style),
        ]));
    }
    if matches.is_empty() {
        lines.push(Line::from(Span::styled(" no command matches", muted)));
    }
    // A steady height while typing: the box does not jump as the list narrows.
    lines.resize(13, Line::from(""));
    popup_lines(
        f,
        area,
        64,
        lines,
        frame_block(state, "Command palette".into(), false),
    );
}
