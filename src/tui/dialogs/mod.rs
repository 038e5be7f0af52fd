//! The console's dialogs, one file each (as gitui gives each popup its own): its keys and its
//! view. A dialog takes the keys while it is open. This module holds the [`Modal`] enum, routes
//! keys and drawing to the dialog that is open, and the popup helpers every dialog draws with.

pub mod canary;
pub mod channel;
pub mod help;
pub mod message;
pub mod origin_input;
pub mod palette;
pub mod plan;
pub mod rollback;
pub mod yank;

use super::keymap::Command;
use super::state::{Effect, State};
use crate::domain::alias::AliasName;
use crate::domain::plan::Plan;
use crate::ops::origins::OriginPlan;
use crate::present::{Said, Tone};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use semver::Version;

/// An overlay that takes the keys while it is open.
#[derive(Debug, Clone)]
pub enum Modal {
    Help,
    Palette {
        query: String,
        selected: usize,
    },
    Plan {
        plan: Box<Plan>,
        action: crate::domain::history::Operation,
        running: bool,
    },
    Message {
        title: String,
        lines: Vec<Said>,
        error: bool,
    },
    YankReason {
        version: Version,
        reason: String,
    },
    RollbackPick {
        options: Vec<(AliasName, Version)>,
        selected: usize,
    },
    /// Typing a canary step for an alias (edge mode).
    Canary {
        alias: AliasName,
        value: String,
    },
    /// A canary step's plan, for a confirmation.
    CanaryPlan {
        plan: Box<crate::ops::canary::CanaryPlan>,
        running: bool,
    },
    /// Typing the channel a prerelease is promoted to.
    Channel {
        version: Version,
        value: String,
    },
    /// Typing an origin to add; ↑/↓ choose the list.
    OriginInput {
        value: String,
        additional: bool,
    },
    OriginPlan {
        plan: Box<OriginPlan>,
        running: bool,
    },
}

impl Modal {
    /// A message box; `lines` pairs each line with whether it reports something wrong.
    pub fn message(title: &str, lines: Vec<(String, bool)>, error: bool) -> Modal {
        Modal::Message {
            title: title.into(),
            lines: lines
                .into_iter()
                .map(|(text, bad)| Said {
                    tone: if bad { Tone::Error } else { Tone::Info },
                    text,
                })
                .collect(),
            error,
        }
    }

    /// An empty command palette.
    pub fn palette() -> Modal {
        Modal::Palette {
            query: String::new(),
            selected: 0,
        }
    }

    /// Whether keys are text for this dialog's field.
    pub fn takes_text(&self) -> bool {
        matches!(
            self,
            Modal::Palette { .. }
                | Modal::YankReason { .. }
                | Modal::OriginInput { .. }
                | Modal::Channel { .. }
                | Modal::Canary { .. }
        )
    }

    /// A typed character (`Some`) or a backspace (`None`) for the dialog's field.
    pub fn type_text(&mut self, c: Option<char>) {
        let field = match self {
            Modal::Palette { query, selected } => {
                *selected = 0;
                query
            }
            Modal::YankReason { reason, .. } => reason,
            Modal::OriginInput { value, .. }
            | Modal::Channel { value, .. }
            | Modal::Canary { value, .. } => value,
            _ => return,
        };
        match c {
            Some(c) => field.push(c),
            None => {
                field.pop();
            }
        }
    }
}

/// Keys while `modal` is open (taken out of the state; a dialog that stays puts itself back).
pub fn command(state: &mut State, modal: Modal, c: Command) -> Vec<Effect> {
    match modal {
        Modal::Help | Modal::Message { .. } => message::command(state, modal, c),
        Modal::Palette { query, selected } => palette::command(state, query, selected, c),
        Modal::Plan {
            plan,
            action,
            running,
        } => plan::command(state, plan, action, running, c),
        Modal::OriginPlan { plan, running } => plan::origin_command(state, plan, running, c),
        Modal::YankReason { version, reason } => yank::command(state, version, reason, c),
        Modal::RollbackPick { options, selected } => rollback::command(state, options, selected, c),
        Modal::OriginInput { value, additional } => {
            origin_input::command(state, value, additional, c)
        }
        Modal::Channel { version, value } => channel::command(state, version, value, c),
        Modal::Canary { alias, value } => canary::command(state, alias, value, c),
        Modal::CanaryPlan { plan, running } => canary::plan_command(state, plan, running, c),
    }
}

/// Draws the open dialog, if any, over the screen.
pub fn render(state: &State, f: &mut Frame, area: Rect) {
    let Some(modal) = &state.modal else { return };
    match modal {
        Modal::Help => help::render(state, f, area),
        Modal::Palette { query, selected } => palette::render(state, f, area, query, *selected),
        Modal::Plan { plan, running, .. } => plan::render(state, f, area, plan, *running),
        Modal::OriginPlan { plan, running } => plan::render_origin(state, f, area, plan, *running),
        Modal::OriginInput { value, additional } => {
            origin_input::render(state, f, area, value, *additional)
        }
        Modal::Message {
            title,
            lines,
            error,
        } => message::render(state, f, area, title, lines, *error),
        Modal::YankReason { version, reason } => yank::render(state, f, area, version, reason),
        Modal::RollbackPick { options, selected } => {
            rollback::render(state, f, area, options, *selected)
        }
        Modal::Channel { version, value } => channel::render(state, f, area, version, value),
        Modal::Canary { alias, value } => canary::render(state, f, area, alias, value),
        Modal::CanaryPlan { plan, running } => {
            canary::render_plan(state, f, area, plan, *running);
        }
    }
}

/// A `w` × `h` box centred in `area`, kept inside it.
pub(crate) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width.saturating_sub(2)).max(10.min(area.width));
    let h = h.min(area.height.saturating_sub(2)).max(3.min(area.height));
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Draws `content` in a `w` × `h` box centred in `area`, over whatever is beneath.
pub(crate) fn popup(f: &mut Frame, area: Rect, w: u16, h: u16, content: Paragraph) {
    let r = centered(area, w, h);
    f.render_widget(Clear, r);
    f.render_widget(content, r);
}

/// Draws `lines` in a box `w` wide (and as tall as the lines) centred in `area`, each line cut
/// with "…" to the box's inner width, so a line that does not fit never ends silently.
pub(crate) fn popup_lines(f: &mut Frame, area: Rect, w: u16, lines: Vec<Line<'_>>, block: Block) {
    let h = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let inner = usize::from(centered(area, w, h).width.saturating_sub(2));
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| crate::tui::screens::fit_line(l, inner))
        .collect();
    popup(f, area, w, h, Paragraph::new(lines).block(block));
}

/// A dialog's border and title, in the accent colour (or the error colour).
pub(crate) fn frame_block<'a>(state: &State, title: String, error: bool) -> Block<'a> {
    let t = &state.theme;
    let color = if error { t.error } else { t.accent };
    Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(color))
        .title(Span::styled(
            format!(" {title} "),
            Style::default().fg(color).add_modifier(Modifier::BOLD),
        ))
        .style(Style::default().fg(t.fg).bg(t.bg))
}

/// The style of a line by its tone.
pub(crate) fn tone_style(state: &State, tone: Tone) -> Style {
    let t = &state.theme;
    match tone {
        Tone::Ok => Style::default().fg(t.ok),
        Tone::Info => Style::default(),
        Tone::Warning => Style::default().fg(t.warn),
        Tone::Error => Style::default().fg(t.error),
    }
}

pub(crate) use crate::present::columns::fit;
