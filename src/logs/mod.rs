//! The Traffic use case's two ports to a CDN's access logs: [`LogFiles`], where the log files
//! are listed and read (the log bucket or container through any object store, or a folder on
//! this machine that another tool keeps in sync, `dir.rs`), and [`QueryEngine`], for counting
//! the logs where they lie instead of downloading them (Athena runs the domain's SQL over a
//! logs table; the tests run the same SQL in DuckDB). `ops::traffic` drives both; each source
//! and engine is one file.
//!
//! They are ports of their own, beside `store` and `cdn`, so that a source or an engine never
//! imports the use case that calls it.

pub mod athena;
pub mod dir;

use crate::adapters::Cause;
use crate::store::{ObjectMeta, ObjectStore, StoreError};

/// Where a CDN's log files are listed and read. Read-only: Traffic never writes a log file.
#[async_trait::async_trait]
pub trait LogFiles: Send + Sync {
    /// A short description for the report's source line and errors.
    fn describe(&self) -> String;
    /// Every log file whose key starts with `prefix`, sorted by key, each with a version tag
    /// (`etag`) that changes when the file does: the per-file cache is keyed by it.
    async fn files(&self, prefix: &str) -> Result<Vec<ObjectMeta>, StoreError>;
    /// A file's bytes; `None` when it went away after it was listed.
    async fn read(&self, key: &str) -> Result<Option<bytes::Bytes>, StoreError>;
}

/// The log bucket (S3) or container (Azure Blob) is read through the store that serves it.
#[async_trait::async_trait]
impl<T: ObjectStore> LogFiles for T {
    fn describe(&self) -> String {
        ObjectStore::describe(self)
    }

    async fn files(&self, prefix: &str) -> Result<Vec<ObjectMeta>, StoreError> {
        self.list(prefix).await
    }

    async fn read(&self, key: &str) -> Result<Option<bytes::Bytes>, StoreError> {
        Ok(self.get(key).await?.map(|o| o.body))
    }
}

/// Hears a running query's state and the seconds waited.
pub type QueryProgress = dyn Fn(&str, u64) + Send + Sync;

/// Result rows of a query, header left out, each cell as text.
pub type Rows = Vec<Vec<Option<String>>>;

/// Why a query gave no rows, in words a user can act on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum QueryError {
    /// The engine's API refused or failed a call; `reason` is the adapter's sentence.
    #[error("{engine} could not {what}: {reason}")]
    Call {
        engine: &'static str,
        what: &'static str,
        reason: String,
        #[source]
        source: Option<Cause>,
    },
    #[error(
        "{engine} started the query but gave no id; retry, and look at the workgroup if it persists"
    )]
    NoId { engine: &'static str },
    #[error(
        "the {engine} query {id} ended {state}: {why}; check the table and database in the profile's logs.athena"
    )]
    Ended {
        engine: &'static str,
        id: String,
        state: String,
        why: String,
    },
    #[error(
        "the {engine} query {id} is still running after {minutes} min; look at it in the {engine} console"
    )]
    TooLong {
        engine: &'static str,
        id: String,
        minutes: u64,
    },
}

/// A query engine that runs SQL over the logs table.
#[async_trait::async_trait]
pub trait QueryEngine: Send + Sync {
    fn describe(&self) -> String;
    /// Runs `sql`; `progress` hears its state and seconds waited.
    async fn run(&self, sql: &str, progress: &QueryProgress) -> Result<Rows, QueryError>;
}
