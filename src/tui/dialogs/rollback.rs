//! The rollback picker: which alias to pin to which version.

use super::{Modal, frame_block, popup_lines};
use crate::domain::alias::AliasName;
use crate::domain::change::Request;
use crate::tui::keymap::Command;
use crate::tui::state::{Effect, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use semver::Version;

/// Opens the picker on `options`, or says there is nothing to roll back.
pub(crate) fn open(state: &mut State, options: Vec<(AliasName, Version)>) -> Vec<Effect> {
    if options.is_empty() {
        state.info("nothing to roll back here: select an alias with a previous target, or a version an alias can serve");
        return Vec::new();
    }
    state.modal = Some(Modal::RollbackPick {
        options,
        selected: 0,
    });
    Vec::new()
}

pub(crate) fn command(
    state: &mut State,
    options: Vec<(AliasName, Version)>,
    selected: usize,
    c: Command,
) -> Vec<Effect> {
    let selected = match c {
        Command::Cancel | Command::No => return Vec::new(),
        Command::Confirm | Command::Yes => {
            return match options.get(selected) {
                Some((alias, to)) => state.plan(Request::Rollback {
                    alias: alias.clone(),
                    to: Some(to.clone()),
                }),
                None => Vec::new(),
            };
        }
        Command::Up => selected.saturating_sub(1),
        Command::Down => (selected + 1).min(options.len().saturating_sub(1)),
        _ => selected,
    };
    state.modal = Some(Modal::RollbackPick { options, selected });
    Vec::new()
}

pub fn render(
    state: &State,
    f: &mut Frame,
    area: Rect,
    options: &[(AliasName, Version)],
    selected: usize,
) {
    let t = &state.theme;
    // One alias with several targets asks "to which version"; one version, "which alias".
    let one_alias = options.windows(2).all(|w| w[0].0 == w[1].0);
    let question = match options.first() {
        Some((a, _)) if one_alias && options.len() > 1 => format!(" Pin '{a}' to which version?"),
        _ => " Pin which alias?".to_string(),
    };
    let mut lines = vec![Line::from(question), Line::from("")];
    // As many choices as fit, scrolled so the selected one shows (the store may hold hundreds).
    let rows = usize::from(area.height.saturating_sub(9)).max(3);
    let first = selected.saturating_sub(rows - 1);
    if first > 0 {
        lines.push(Line::from(Span::styled(
            format!(" … {first} more above"),
            Style::default().fg(t.muted),
        )));
    }
    for (i, (a, v)) in options.iter().enumerate().skip(first).take(rows) {
        let style = if i == selected {
            Style::default().fg(t.selected_fg).bg(t.selected_bg)
        } else {
            Style::default()
        };
        lines.push(Line::from(Span::styled(
            format!(" {:<10} → {v}", a.to_string()),
            style,
        )));
    }
    let below = options.len().saturating_sub(first + rows);
    if below > 0 {
        lines.push(Line::from(Span::styled(
            format!(" … {below} more below"),
            Style::default().fg(t.muted),
        )));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        " ↑/↓ choose · Enter plan the rollback · Esc cancel",
        Style::default().fg(t.muted),
    )));
    popup_lines(
        f,
        area,
        60,
        lines,
        frame_block(state, "Roll back".into(), false),
    );
}
