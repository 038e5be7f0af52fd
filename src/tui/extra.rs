//! State of the screens that other features add to the console: the Bridge origin allowlist
//! and the cost estimate. Kept apart from the release screens so each grows on its own.

use super::keymap::Command;
use super::state::{Effect, Modal, Screen, Status};

#[derive(Debug, Clone, Default)]
pub struct Extra {}

impl Extra {
    pub fn origins_len(&self) -> usize {
        0
    }

    pub fn cost_len(&self) -> usize {
        0
    }

    /// Effects to run when a screen is shown.
    pub fn on_enter(&self, _screen: Screen) -> Vec<Effect> {
        Vec::new()
    }

    pub fn command(
        &mut self,
        _screen: Screen,
        _c: Command,
        _readonly: bool,
    ) -> (Vec<Effect>, Option<Modal>, Option<Status>) {
        (Vec::new(), None, None)
    }
}
