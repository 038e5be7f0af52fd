//! The Sentry wiring of a profile: its `sentry` table and the token from the keyring or
//! `SENTRY_AUTH_TOKEN`. A profile that names Sentry but has no token still gets a tracker: one
//! whose every call fails with the sentence that says how to give the token, so a publish or a
//! promote reports "release not created in Sentry: no token…" instead of skipping it silently.

use super::Session;
use super::credentials::secret_store;
use crate::error::Result;
use crate::tracking::{Created, ErrorTracker, Issues, TrackerError, Tracking};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// A tracker without a token.
struct NoToken {
    describe: String,
    why: crate::credentials::sentry::NoToken,
}

impl NoToken {
    fn fail(&self, what: String) -> TrackerError {
        TrackerError::Call {
            service: "Sentry",
            what,
            reason: self.why.to_string(),
            source: None,
        }
    }
}

#[async_trait::async_trait]
impl ErrorTracker for NoToken {
    fn describe(&self) -> String {
        self.describe.clone()
    }
    async fn create_release(&self, release: &str) -> std::result::Result<Created, TrackerError> {
        Err(self.fail(format!("create the release {release}")))
    }
    async fn record_deploy(
        &self,
        release: &str,
        env: &str,
    ) -> std::result::Result<(), TrackerError> {
        Err(self.fail(format!("record the deploy of {release} to {env}")))
    }
    async fn issues(
        &self,
        release: &str,
        _: DateTime<Utc>,
    ) -> std::result::Result<Issues, TrackerError> {
        Err(self.fail(format!("read the issues of {release}")))
    }
}

pub async fn tracking(s: &Session) -> Result<Option<Arc<Tracking>>> {
    let Some(c) = &s.profile.sentry else {
        return Ok(None);
    };
    let tracker: Arc<dyn ErrorTracker> =
        match crate::credentials::sentry::lookup(secret_store(), &s.profile_name).await {
            Some((token, _)) => Arc::new(crate::tracking::sentry::Sentry::new(
                &c.url, &c.org, &c.project, token,
            )?),
            None => Arc::new(NoToken {
                describe: format!("Sentry at {} ({}/{})", c.url, c.org, c.project),
                why: crate::credentials::sentry::NoToken {
                    profile: s.profile_name.clone(),
                },
            }),
        };
    Ok(Some(Arc::new(Tracking {
        tracker,
        release_template: c.release.clone(),
        environment: c.environment.clone(),
        alias: c.alias.clone(),
    })))
}
