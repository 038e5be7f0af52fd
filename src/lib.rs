//! Shipdeck: release the web-chat widget to CDNs from a terminal console or a headless CLI.
//!
//! Layers, dependencies pointing down only:
//! - [`cli`] and [`tui`]: front ends, sharing [`session`], [`ops`] and [`present`]; neither
//!   imports the other. [`ci`] presents the same outcomes for pipelines (GitHub Actions).
//! - [`present`]: the words for typed outcomes, shared by every front end.
//! - [`ops`]: use cases (publish, promote, rollback, yank, verify, resume, history) returning
//!   typed outcomes.
//! - [`domain`]: pure rules, no IO.
//! - [`store`], [`cdn`], [`bridge`], [`edge`], [`logs`], [`pricing`], [`credentials`]: ports,
//!   each a small trait with one file per backend; [`adapters`] holds the client plumbing per
//!   outside system (AWS, Azure, GitHub) that the backends share.
//!
//! `ARCHITECTURE.md` says where a new feature's files go; `tests/layers.rs` keeps the rule.

pub mod adapters;
pub mod bridge;
pub mod cdn;
pub mod ci;
pub mod cli;
pub mod config;
pub mod credentials;
pub mod demo;
pub mod domain;
pub mod edge;
pub mod error;
pub mod logs;
pub mod metrics;
pub mod ops;
pub mod present;
pub mod pricing;
pub mod session;
pub mod store;
pub mod tracking;
pub mod tui;
