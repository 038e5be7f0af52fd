//! `State::update` for every action: movement, screens, filter, dialogs and their cancel paths,
//! worker results, errors, and read-only mode. Pure: no terminal, no store.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

#[path = "../common/mod.rs"]
mod common;

mod canary;
mod changes;
mod features;
mod navigation;

use shipdeck::domain::change::Request;
use shipdeck::tui::keymap::Command;
use shipdeck::tui::state::{Action, Effect};

pub(crate) fn cmd(c: Command) -> Action {
    Action::Cmd(c)
}

pub(crate) fn plan_of(effects: &[Effect]) -> Option<&Request> {
    effects.iter().find_map(|e| match e {
        Effect::Plan(r) => Some(r),
        _ => None,
    })
}

pub(crate) fn a_plan() -> shipdeck::domain::plan::Plan {
    shipdeck::domain::plan::Plan {
        description: "promote 1.1.0".into(),
        release_changes: vec!["1.1.0 becomes eligible for automatic aliases".into()],
        ..Default::default()
    }
}
