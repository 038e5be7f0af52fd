//! Errors of the use cases, written for the release manager reading them at 2 a.m.: one
//! sentence saying what is wrong and how to fix it, never an SDK debug dump, never a secret.
//!
//! Each layer has its own typed error that keeps its source (`StoreError`, `CdnError`,
//! `Refusal`, `AliasError`, `VersionError`, …); this enum wraps them without rewording, so a
//! sentence is written once, where its type is defined, and a front end only presents it.

use crate::cdn::CdnError;
use crate::domain::alias::AliasError;
use crate::domain::change::Refusal;
use crate::domain::version::VersionError;
use crate::store::StoreError;
use thiserror::Error;

#[derive(Debug, Clone, Error)]
pub enum Error {
    /// Bad input from the user (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// A version typed by the user that Shipdeck does not accept (exit code 2).
    #[error(transparent)]
    Version(#[from] VersionError),
    /// An alias name that is not one, or an alias that cannot serve a version (exit code 2).
    #[error(transparent)]
    Alias(#[from] AliasError),
    /// The input was fine but a release rule refuses the change (exit code 1).
    #[error(transparent)]
    Rule(#[from] Refusal),
    /// The input was fine but the thing it names is not there or not allowed (exit code 1).
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Config(String),
    #[error(
        "the release state is locked by {holder} since {since} ({operation}); wait for it to finish, or if that run died, `shipdeck unlock` after checking with them"
    )]
    Locked {
        holder: String,
        since: String,
        operation: String,
    },
    #[error(
        "someone else changed the release state — reload and retry; nothing of this change was committed"
    )]
    Conflict,
    #[error(
        "an unfinished operation is recorded: '{description}', started by {by} at {at}; run `shipdeck resume` to finish it or `shipdeck resume --revert` to undo it"
    )]
    Unfinished {
        description: String,
        by: String,
        at: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cdn(#[from] CdnError),
    /// The Bridge could not be asked (a probe).
    #[error(transparent)]
    Probe(#[from] crate::bridge::probe::ProbeError),
    /// The CDN's edge could not be asked (`verify --edge`).
    #[error(transparent)]
    Edge(#[from] crate::edge::EdgeError),
    /// A wait that is not one (`--wait`, `--confirm-edge`).
    #[error(transparent)]
    Wait(#[from] crate::domain::edge::WaitError),
    /// An allowlist source could not read or write the list.
    #[error(transparent)]
    Allowlist(#[from] crate::bridge::AllowlistError),
    /// An allowlist edit refused, naming the origin and the rule.
    #[error(transparent)]
    OriginEdit(#[from] crate::domain::origin::edit::EditError),
    #[error("{0}")]
    Io(String),
    /// The logs' query engine gave no answer (`traffic --engine athena`).
    #[error(transparent)]
    Query(#[from] crate::logs::QueryError),
    /// The query engine answered rows that are not counts.
    #[error(
        "{engine} answered rows Shipdeck cannot read: {row}; check that the table is the CDN's logs table"
    )]
    Rows {
        engine: String,
        row: crate::domain::traffic::athena::RowError,
    },
    /// The person running a change asked it to stop (Ctrl-C); the writes in flight finished.
    #[error(
        "stopped as asked, after the writes in flight; the change is recorded as unfinished — `shipdeck resume` finishes it, `shipdeck resume --revert` undoes it"
    )]
    Interrupted,
}

impl Error {
    /// A stable code naming the kind of failure, for `--json` documents and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Usage(_) => "usage",
            Error::Version(_) => "invalid_version",
            Error::Alias(_) => "invalid_alias",
            Error::Rule(_) => "refused_by_rule",
            Error::Refused(_) => "refused",
            Error::Config(_) => "config",
            Error::Locked { .. } => "locked",
            Error::Conflict => "conflict",
            Error::Unfinished { .. } => "unfinished",
            Error::Store(_) => "store",
            Error::Cdn(_) => "cdn",
            Error::Probe(_) => "bridge_unreachable",
            Error::Edge(_) => "edge_unreachable",
            Error::Wait(_) => "usage",
            Error::OriginEdit(e) if e.is_usage() => "invalid_origin",
            Error::OriginEdit(_) => "refused_by_rule",
            Error::Allowlist(e) if e.is_usage() => "usage",
            Error::Allowlist(crate::bridge::AllowlistError::Store(e)) => {
                Error::Store(e.clone()).code()
            }
            Error::Allowlist(_) => "refused",
            Error::Io(_) => "io",
            Error::Query(_) => "query",
            Error::Rows { .. } => "query",
            Error::Interrupted => "interrupted",
        }
    }

    /// Process exit code: 2 for bad usage, 3 when someone else holds or changed the release
    /// state (retry later), 130 when Ctrl-C stopped a change, 1 for everything else. (4, verify
    /// found differences, and 5, changes pending, are outcomes, not errors: see `cli::exit`,
    /// whose table these numbers are in; this layer does not import the front end.)
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) | Error::Version(_) | Error::Alias(_) | Error::Wait(_) => 2,
            Error::OriginEdit(e) if e.is_usage() => 2,
            Error::Allowlist(e) if e.is_usage() => 2,
            Error::Locked { .. } | Error::Conflict => 3,
            Error::Store(crate::store::StoreError::PreconditionFailed { .. }) => 3,
            // As shells report a command stopped by SIGINT.
            Error::Interrupted => 130,
            _ => 1,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
