//! Shipdeck: release the web-chat widget to CDNs from a terminal console or a headless CLI.
//!
//! Layers, dependencies pointing down only:
//! - [`cli`] and [`tui`]: front ends, sharing [`session`], [`ops`] and [`present`]; neither
//!   imports the other. [`ci`] presents the same outcomes for pipelines (GitHub Actions).
//! - [`present`]: the words for typed outcomes, shared by every front end.
//! - [`ops`]: use cases (publish, promote, rollback, yank, verify, resume, history) returning
//!   typed outcomes.
//! - [`domain`]: pure rules, no IO.
//! - [`store`], [`cdn`], [`bridge`], [`credentials`]: adapters behind small traits; [`aws`] is
//!   the plumbing the AWS adapters share.

pub mod athena;
pub mod aws;
pub mod azure;
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
pub mod github;
pub mod ops;
pub mod present;
pub mod pricing;
pub mod session;
pub mod store;
pub mod tui;
