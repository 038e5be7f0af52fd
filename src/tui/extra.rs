//! State of the screens that other features add to the console: the cost estimate and the
//! Bridge origin allowlist. Kept apart from the release screens so each grows on its own.

use super::cost::CostScreen;
use super::keymap::Command;
use super::state::{Effect, Modal, Screen, Status};
use crate::ops::origins::{Listing, ProbeReport};

#[derive(Debug, Clone, Default)]
pub struct Extra {
    pub cost: CostScreen,
    pub origins: OriginsScreen,
    pub account: Option<Result<Account, String>>,
}

/// The Account screen: where this profile lives and who acts on it. Never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub profile: String,
    pub config: String,
    pub store: String,
    pub cdn: String,
    pub actor: String,
    /// Where credentials come from (e.g. "OS keyring (access key AKIA…1234)").
    pub credentials: String,
    /// Who holds the release lock, if anyone.
    pub lock: Option<String>,
    pub in_flight: Option<String>,
}

/// The Origins screen: the listing (or why there is none) and the last probe.
#[derive(Debug, Clone, Default)]
pub struct OriginsScreen {
    pub listing: Option<Result<Listing, String>>,
    pub probe: Option<ProbeReport>,
}

impl OriginsScreen {
    /// The origin on row `i`.
    pub fn origin_at(&self, i: usize) -> Option<String> {
        match &self.listing {
            Some(Ok(l)) => l.origins.get(i).map(|o| o.origin.clone()),
            _ => None,
        }
    }
}

impl Extra {
    pub fn origins_len(&self) -> usize {
        match &self.origins.listing {
            Some(Ok(l)) => l.origins.len(),
            _ => 0,
        }
    }

    pub fn cost_len(&self) -> usize {
        self.cost.rows()
    }

    /// Effects to run when a screen is shown.
    pub fn on_enter(&self, screen: Screen) -> Vec<Effect> {
        match screen {
            Screen::Cost if self.cost.data.is_none() => vec![Effect::LoadCost],
            Screen::Origins if self.origins.listing.is_none() => vec![Effect::LoadOrigins],
            // Always fresh: the lock and credentials change behind the console's back.
            Screen::Account => vec![Effect::LoadAccount],
            _ => Vec::new(),
        }
    }

    /// Whether a field of these screens has the keyboard.
    pub fn text_input(&self) -> bool {
        self.cost.editing.is_some()
    }

    /// Commands of the Cost and Origins screens: effects to run, a dialog to open, a status.
    pub fn command(
        &mut self,
        screen: Screen,
        c: Command,
        readonly: bool,
        selected: usize,
    ) -> (Vec<Effect>, Option<Modal>, Option<Status>) {
        let status = |text: &str, error: bool| {
            Some(Status {
                text: text.into(),
                error,
            })
        };
        match (screen, c) {
            (Screen::Cost, Command::EditNext) => {
                self.cost.editing = Some(0);
                (
                    Vec::new(),
                    None,
                    status(
                        "editing: type a value, ↑/↓ another input, Enter/Esc done",
                        false,
                    ),
                )
            }
            (Screen::Origins, Command::AddOrigin | Command::RemoveOrigin) if readonly => (
                Vec::new(),
                None,
                status(
                    "read-only mode: changes are disabled (started with --readonly)",
                    true,
                ),
            ),
            (Screen::Origins, _) if !matches!(self.origins.listing, Some(Ok(_))) => {
                (Vec::new(), None, None)
            }
            (Screen::Origins, Command::AddOrigin) => (
                Vec::new(),
                Some(Modal::OriginInput {
                    value: String::new(),
                    additional: true,
                }),
                None,
            ),
            (Screen::Origins, Command::RemoveOrigin) => match self.origins.origin_at(selected) {
                Some(o) => (
                    vec![Effect::PlanOrigin {
                        add: None,
                        remove: Some(o),
                    }],
                    None,
                    None,
                ),
                None => (
                    Vec::new(),
                    None,
                    status("the allowlist is empty: nothing to remove", false),
                ),
            },
            (Screen::Origins, Command::Probe) => (vec![Effect::ProbeOrigins], None, None),
            _ => (Vec::new(), None, None),
        }
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
