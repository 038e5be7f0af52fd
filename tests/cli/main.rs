//! End-to-end tests of the headless CLI on temporary local stores: every command, `--json`,
//! confirmations, and the bad inputs that must change nothing. One test binary, one file per
//! topic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

#[path = "../common/mod.rs"]
mod common;

mod aliases;
mod hostile;
mod output;
mod publish;
mod safety;
mod stranding;
mod usage;
mod verify_repair;
