//! Errors written for the release manager reading them at 2 a.m.: one sentence saying what is
//! wrong and how to fix it, never an SDK debug dump, never a secret.

use crate::store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    /// Bad input from the user (exit code 2).
    #[error("{0}")]
    Usage(String),
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
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(String),
}

impl Error {
    /// Process exit code: 2 for bad usage, 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
