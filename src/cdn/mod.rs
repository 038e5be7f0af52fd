//! CDNs: what must be told when an alias moves.
//!
//! Only alias folders are ever invalidated, and only the ones that moved; release folders are
//! immutable and cached for a year. `NoCdn` serves profiles without a CDN (the local store).

pub mod alias_keys;
pub mod cloudfront;
pub mod edge_control;
pub mod frontdoor;
pub mod frontdoor_rules;
pub mod kvs;

use crate::adapters::Cause;
use async_trait::async_trait;

/// The CDN's answer to an invalidation request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Invalidation {
    pub id: String,
    pub status: InvalidationStatus,
}

/// Where an invalidation stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum InvalidationStatus {
    Completed,
    /// Still running when Shipdeck stopped following it, after `waited_s` seconds.
    InProgress {
        waited_s: u64,
    },
    /// Any other status word the CDN reported.
    Other {
        status: String,
    },
}

impl InvalidationStatus {
    /// From the CDN's status word (compared case-insensitively: CloudFront says "Completed",
    /// some servers "COMPLETED").
    pub fn from_word(word: &str) -> Self {
        if word.eq_ignore_ascii_case("completed") || word.eq_ignore_ascii_case("succeeded") {
            InvalidationStatus::Completed
        } else if word.eq_ignore_ascii_case("inprogress")
            || word.eq_ignore_ascii_case("in progress")
        {
            InvalidationStatus::InProgress { waited_s: 0 }
        } else {
            InvalidationStatus::Other {
                status: word.to_string(),
            }
        }
    }
}

/// Why a CDN request failed: which CDN, in words, and the error it came from.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{cdn}: {cause}")]
pub struct CdnError {
    /// The CDN named as a user knows it, e.g. "CloudFront distribution E123".
    pub cdn: String,
    pub cause: String,
    #[source]
    pub source: Option<Cause>,
}

#[async_trait]
pub trait Cdn: Send + Sync {
    fn describe(&self) -> String;
    /// Whether there is a CDN to invalidate at all.
    fn enabled(&self) -> bool;
    /// The URL path prefix under which the store's keys are served (e.g. `/msr-webchat`).
    fn path_prefix(&self) -> &str;
    async fn invalidate(&self, paths: &[String]) -> Result<Invalidation, CdnError>;
    /// The current status of an earlier invalidation.
    async fn status(&self, id: &str) -> Result<InvalidationStatus, CdnError>;
    /// Whether a CDN is configured but switched off for this run (`--no-invalidate`).
    fn skipped(&self) -> bool {
        false
    }
    /// The pricing entry (provider, price id) of an invalidation path, if it costs anything.
    fn path_price(&self) -> Option<(crate::domain::cost::Provider, &'static str)> {
        None
    }
}

/// No CDN in front of the store, or one switched off for this run.
pub struct NoCdn {
    pub path_prefix: String,
    /// A CDN is configured but `--no-invalidate` was given.
    pub skipped: bool,
}

impl NoCdn {
    fn refuse(&self) -> CdnError {
        CdnError {
            cdn: "no CDN".into(),
            cause: if self.skipped {
                "--no-invalidate was given, so the CDN is not contacted".into()
            } else {
                "this profile has no CDN; add `cdn = { kind = \"cloudfront\", … }` to it".into()
            },
            source: None,
        }
    }
}

#[async_trait]
impl Cdn for NoCdn {
    fn describe(&self) -> String {
        if self.skipped {
            "CDN left alone (--no-invalidate)".into()
        } else {
            "no CDN".into()
        }
    }
    fn skipped(&self) -> bool {
        self.skipped
    }
    fn enabled(&self) -> bool {
        false
    }
    fn path_prefix(&self) -> &str {
        &self.path_prefix
    }
    async fn invalidate(&self, _paths: &[String]) -> Result<Invalidation, CdnError> {
        Err(self.refuse())
    }
    async fn status(&self, _id: &str) -> Result<InvalidationStatus, CdnError> {
        Err(self.refuse())
    }
}
