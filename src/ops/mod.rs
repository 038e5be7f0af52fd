//! Use cases: publish, promote, rollback, yank, verify, history, resume — shared by the CLI and
//! the TUI.
//!
//! Each use case takes a [`Context`] (a store, a CDN, the key layout, who is acting) and is split
//! into a *plan* step that changes nothing and an *apply* step that executes exactly that plan,
//! so both front ends can show the plan and ask before anything is written.
//!
//! Use cases return typed outcomes (a `Plan`, a `Report`, `Verified` findings, a `CdnOutcome`,
//! progress events), never prose: each front end presents the same value (`crate::present`
//! holds the words they share), so the CLI and the console cannot drift apart.

pub mod account;
pub mod alarms;
pub mod alerts;
pub mod apply;
pub mod canary;
pub mod change;
pub mod cost;
pub mod edge;
pub mod edge_keys;
pub mod edge_setup;
pub mod invalidate;
pub mod lock;
mod log_text;
pub mod metrics;
pub mod origins;
pub mod pricing;
pub mod publish;
pub mod query;
pub mod rebuild;
pub mod records;
pub mod redeploy;
pub mod tracked;
pub mod traffic;
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
    /// A folder of pricing files that override the built-in ones (`pricing/` in the config
    /// dir), found by whoever builds the context: use cases never look for it themselves.
    pub pricing_dir: Option<std::path::PathBuf>,
    /// The profile's usage file, if it names one (the Cost screen and `cost` start from it).
    pub usage_file: Option<std::path::PathBuf>,
    /// The profile's traffic cache, when it has access logs (the yank plan reads it).
    pub traffic_cache: Option<std::path::PathBuf>,
    /// The build files a publish requires (the profile's `entry_files`, else the widget's).
    pub entry_files: Vec<String>,
    /// Whose prices a cost estimate uses unless told otherwise: the cloud the store is in
    /// ("aws" for S3 and local stores, "azure" for Azure Blob).
    pub default_provider: crate::domain::cost::Provider,
    /// Where browsers fetch the releases (`public_url`), for `verify --edge` and the edge
    /// phase of changes; `None` when the profile has no public URL (or is the demo).
    pub edge: Option<Arc<edge::EdgeSettings>>,
    /// How long a change waits for the edge to serve the moved aliases (`confirm_edge`,
    /// `--confirm-edge`); `None` checks once without waiting.
    pub confirm_edge: Option<std::time::Duration>,
    /// Set when the person running the change asked it to stop (Ctrl-C): an apply starts no
    /// new write, waits for the ones in flight and ends with [`crate::error::Error::Interrupted`],
    /// leaving the change recorded as unfinished for `shipdeck resume`.
    pub stop: Arc<std::sync::atomic::AtomicBool>,
    /// The error tracker (Sentry), when the profile names one: a publish creates the release,
    /// a move of its production alias records a deploy.
    pub tracking: Option<Arc<crate::tracking::Tracking>>,
    /// Edge mode (`alias_mode = "edge"`): the KeyValueStore whose keys every change writes
    /// before its copies.
    pub edge_keys: Option<Arc<dyn crate::cdn::alias_keys::AliasKeys>>,
}

impl Context {
    /// A context with the defaults of a profile that sets nothing but its store and CDN.
    pub fn new(
        store: Arc<dyn ObjectStore>,
        cdn: Arc<dyn Cdn>,
        layout: Layout,
        actor: &str,
    ) -> Self {
        Context {
            store,
            cdn,
            layout,
            actor: actor.to_string(),
            alias_cache_control: crate::domain::manifest::ALIAS_CACHE.to_string(),
            default_provider: crate::domain::cost::Provider::Aws,
            edge: None,
            confirm_edge: None,
            stop: Arc::default(),
            tracking: None,
            edge_keys: None,
            concurrency: 16,
            pricing_dir: None,
            usage_file: None,
            traffic_cache: None,
            entry_files: crate::domain::buildfile::DEFAULT_ENTRY_FILES
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
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

/// A running count of a long operation's progress events: what the CLI's progress line and the
/// console's gauge both show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgressTally {
    /// The current phase or step.
    pub label: String,
    pub done: usize,
    pub total: usize,
    pub bytes: u64,
    pub total_bytes: u64,
    /// Whether the last event was a one-line step rather than a file.
    pub step: bool,
}

impl ProgressTally {
    /// Folds one event in.
    pub fn add(&mut self, event: ProgressEvent) {
        match event {
            ProgressEvent::Phase {
                label,
                files,
                bytes,
            } => {
                *self = ProgressTally {
                    label,
                    total: files,
                    total_bytes: bytes,
                    ..Default::default()
                }
            }
            ProgressEvent::File { bytes, .. } => {
                self.done += 1;
                self.bytes += bytes;
                self.step = false;
            }
            ProgressEvent::Step(s) => {
                self.label = s;
                self.step = true;
            }
        }
    }

    /// How far along the current phase is, from 0 to 1.
    pub fn ratio(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            (self.done as f64 / self.total as f64).clamp(0.0, 1.0)
        }
    }
}

/// Serializes a value as its one-sentence text (errors in `--json` documents).
pub(crate) fn as_text<T: std::fmt::Display, S: serde::Serializer>(
    v: &T,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// A short random id for operations, history events and locks.
pub fn new_id() -> String {
    format!("{:012x}", rand::random::<u64>() & 0xffff_ffff_ffff)
}
