//! State of the screens that other features add to the console: the cost estimate and the
//! Bridge origin allowlist. Kept apart from the release screens so each grows on its own.

use super::cost::CostScreen;
use super::keymap::Command;
use super::state::{Effect, Modal, Screen, Status};

#[derive(Debug, Clone, Default)]
pub struct Extra {
    pub cost: CostScreen,
}

impl Extra {
    pub fn origins_len(&self) -> usize {
        0
    }

    pub fn cost_len(&self) -> usize {
        self.cost.rows()
    }

    /// Effects to run when a screen is shown.
    pub fn on_enter(&self, screen: Screen) -> Vec<Effect> {
        match screen {
            Screen::Cost if self.cost.data.is_none() => vec![Effect::LoadCost],
            _ => Vec::new(),
        }
    }

    /// Whether a field of these screens has the keyboard.
    pub fn text_input(&self) -> bool {
        self.cost.editing.is_some()
    }

    pub fn command(
        &mut self,
        screen: Screen,
        c: Command,
        _readonly: bool,
    ) -> (Vec<Effect>, Option<Modal>, Option<Status>) {
        if screen == Screen::Cost && c == Command::EditNext {
            self.cost.editing = Some(0);
            return (
                Vec::new(),
                None,
                Some(Status {
                    text: "editing: type a value, ↑/↓ another input, Enter/Esc done".into(),
                    error: false,
                }),
            );
        }
        (Vec::new(), None, None)
    }

    /// Keys while a field is being edited; returns true when handled.
    pub fn edit(&mut self, c: Option<Command>, ch: Option<char>, backspace: bool) -> bool {
        let Some(i) = self.cost.editing else {
            return false;
        };
        if let Some(ch) = ch {
            if ch.is_ascii_digit() || ch == '.' || ch == '_' {
                self.cost.fields[i].push(ch);
            }
        } else if backspace {
            self.cost.fields[i].pop();
        } else {
            match c {
                Some(Command::Up) => self.cost.editing = Some(i.saturating_sub(1)),
                Some(Command::Down) => {
                    self.cost.editing = Some((i + 1).min(self.cost.fields.len() - 1))
                }
                Some(Command::Confirm | Command::Cancel) => self.cost.editing = None,
                _ => {}
            }
        }
        true
    }
}
