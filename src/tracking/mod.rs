//! The port for the error tracker the widget reports to (Sentry): a release per published
//! version, a deploy each time the production alias moves, and the new issues per release
//! that tell a release manager whether errors rose after a change — beside the CDN's numbers.
//! The change use cases and `alerts check` drive it; each tracker is one file.

pub mod sentry;

use crate::adapters::Cause;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Why the tracker did not do what was asked, in words a user can act on (never the token).
#[derive(Debug, Clone, thiserror::Error)]
pub enum TrackerError {
    #[error("{service} could not {what}: {reason}")]
    Call {
        service: &'static str,
        what: String,
        reason: String,
        #[source]
        source: Option<Cause>,
    },
}

/// Whether a release was made now or existed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Created {
    New,
    Existing,
}

/// What the tracker knows of a release's errors in a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Issues {
    /// Issues first seen in this release, first seen inside the window.
    pub new_issues: u64,
    /// Events of those issues (all time: Sentry counts per issue).
    pub events: u64,
}

#[async_trait::async_trait]
pub trait ErrorTracker: Send + Sync {
    /// `Sentry at https://sentry.io (acme/webchat)`.
    fn describe(&self) -> String;
    async fn create_release(&self, release: &str) -> Result<Created, TrackerError>;
    async fn record_deploy(&self, release: &str, environment: &str) -> Result<(), TrackerError>;
    async fn issues(&self, release: &str, since: DateTime<Utc>) -> Result<Issues, TrackerError>;
}

/// A profile's tracker and how it names things.
pub struct Tracking {
    pub tracker: std::sync::Arc<dyn ErrorTracker>,
    /// `{version}` or e.g. `webchat@{version}`: the name `Sentry.init({ release })` uses.
    pub release_template: String,
    pub environment: String,
    /// The alias whose moves are deploys.
    pub alias: String,
}

impl Tracking {
    /// The tracker's release name of a version.
    pub fn release(&self, version: &str) -> String {
        self.release_template.replace("{version}", version)
    }
}
