//! Why an allowlist source could not read or write the list: one enum for every source (`.env`,
//! a JSON document in the store, GitHub variables and secrets), each case keeping its source and
//! written once as a sentence with its fix. The use-case error wraps it without rewording.

use crate::adapters::Cause;
use crate::adapters::github::GitHubError;
use crate::domain::envfile::EnvError;
use crate::store::StoreError;

#[derive(Debug, Clone, thiserror::Error)]
pub enum AllowlistError {
    #[error(
        "the Bridge's .env '{path}' is {mib} MiB, more than the {limit_mib} MiB an allowlist can need; check bridge.allowlist.path names the Bridge's .env"
    )]
    TooLarge {
        path: String,
        mib: u64,
        limit_mib: u64,
    },
    #[error(
        "cannot read the Bridge's .env '{path}': {source}; check bridge.allowlist.path in the profile"
    )]
    Unreadable {
        path: String,
        #[source]
        source: Cause,
    },
    /// The `.env` cannot be read or edited safely (the sentence names the line).
    #[error("{path}: {source}")]
    Env {
        path: String,
        #[source]
        source: EnvError,
    },
    /// Someone else changed the list between the read and the write (`place` names it).
    #[error(
        "someone else changed {place} since it was read; nothing was written — run the command again to see the current list"
    )]
    Changed { place: String },
    #[error(
        "the new allowlist for '{path}' was not made from the file's text; run the command again"
    )]
    NotFromText { path: String },
    #[error("cannot write '{path}': {source}; check the folder's permissions and free space")]
    Unwritable {
        path: String,
        #[source]
        source: Cause,
    },
    #[error("the allowlist document '{key}' is not valid JSON ({reason}); fix it in the store")]
    NotJson { key: String, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    GitHub(#[from] GitHubError),
    /// No GitHub token was found (the sentence says how to give one).
    #[error("{0}")]
    NoToken(#[from] crate::credentials::github::NoToken),
    #[error("GitHub ({what}): {why}; retry, and check the API URL names a GitHub server")]
    BadAnswer { what: String, why: &'static str },
    #[error("cannot seal secret {name}: the encryption failed; retry")]
    Seal { name: String },
    #[error(
        "this profile keeps no additional list on GitHub (no `additional_variable`); add to the allowed list"
    )]
    NoAdditionalList,
    #[error(
        "the list was saved in {doc} but the GitHub secret was not written ({source}); run `shipdeck origins apply` to write it and redeploy"
    )]
    SecretNotWritten {
        doc: String,
        #[source]
        source: Box<AllowlistError>,
    },
}

impl AllowlistError {
    /// Whether the request itself is wrong (exit code 2) rather than the source refusing it.
    pub fn is_usage(&self) -> bool {
        matches!(self, AllowlistError::NoAdditionalList)
    }
}
