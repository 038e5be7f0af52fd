//! Shipdeck: release the web-chat widget to CDNs from a terminal console or a headless CLI.
//!
//! Layers, dependencies pointing down only:
//! - [`cli`] and [`tui`]: front ends, sharing [`session`] and [`ops`].
//! - [`ops`]: use cases (publish, promote, rollback, yank, verify, resume, history).
//! - [`domain`]: pure rules, no IO.
//! - [`store`], [`cdn`]: adapters behind small traits.

pub mod bridge;
pub mod cdn;
pub mod cli;
pub mod config;
pub mod credentials;
pub mod demo;
pub mod domain;
pub mod error;
pub mod ops;
pub mod session;
pub mod store;
pub mod tui;
