//! The pure core of Shipdeck: every release rule lives here, and nothing here does IO or awaits.
//!
//! Adapters (`store`, `cdn`, `bridge`) move bytes; use cases (`ops`) sequence them; this module
//! decides what a valid version is, where an alias must point, what a change plans to touch and
//! what it costs. Keeping it free of IO is what lets the same rules be unit- and property-tested
//! in microseconds and shared, unchanged, by the CLI and the TUI.

pub mod alarm;
pub mod alert;
pub mod alias;
pub mod buildfile;
pub mod change;
pub mod cost;
pub mod edge;
pub mod edge_alias;
pub mod embed;
pub mod envfile;
pub mod history;
pub mod layout;
pub mod manifest;
pub mod metrics;
pub mod origin;
pub mod plan;
pub mod rebuild;
pub mod state;
pub mod tomlfile;
pub mod traffic;
pub mod version;
pub mod when;
