//! The port for counting CDN logs where they lie instead of downloading them: a query engine
//! that runs the domain's SQL over a logs table (Athena; the tests run the same SQL in DuckDB).
//! The Traffic use case (`ops::traffic`) drives it; the engines implement it, one file each.
//!
//! It is a port of its own, beside `store` and `cdn`, so that an engine never imports the use
//! case that calls it.

pub mod athena;

use crate::adapters::Cause;

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
