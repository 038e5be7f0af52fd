//! Use cases: publish, promote, rollback, yank, verify, history, resume — shared by the CLI and
//! the TUI.
//!
//! Each use case takes a [`Context`] (a store, a CDN, the key layout, who is acting) and is split
//! into a *plan* step that changes nothing and an *apply* step that executes exactly that plan,
//! so both front ends can show the plan and ask before anything is written.

pub mod apply;
pub mod change;
pub mod cost;
pub mod lock;
pub mod origins;
pub mod publish;
pub mod query;
pub mod records;
pub mod verify;

use crate::cdn::Cdn;
use crate::domain::layout::Layout;
use crate::store::ObjectStore;
use std::sync::Arc;

/// Everything a use case needs to act on one profile.
#[derive(Clone)]
pub struct Context {
    pub store: Arc<dyn ObjectStore>,
    pub cdn: Arc<dyn Cdn>,
    pub layout: Layout,
    /// Who is acting, as recorded in history and locks.
    pub actor: String,
    /// Cache-Control of alias files.
    pub alias_cache_control: String,
    /// How many object operations run at once.
    pub concurrency: usize,
}

/// Progress of a long operation, reported to whoever shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgressEvent {
    /// A phase starts: what it does, how many files and bytes.
    Phase {
        label: String,
        files: usize,
        bytes: u64,
    },
    /// One file done.
    File { key: String, bytes: u64 },
    /// A one-line step (commit, history, invalidation, verify).
    Step(String),
}

pub trait Progress: Send + Sync {
    fn report(&self, event: ProgressEvent);
}

/// Progress nobody watches.
pub struct Silent;

impl Progress for Silent {
    fn report(&self, _event: ProgressEvent) {}
}

impl<F: Fn(ProgressEvent) + Send + Sync> Progress for F {
    fn report(&self, event: ProgressEvent) {
        self(event)
    }
}

/// A short random id for operations, history events and locks.
pub fn new_id() -> String {
    format!("{:012x}", rand::random::<u64>() & 0xffff_ffff_ffff)
}
