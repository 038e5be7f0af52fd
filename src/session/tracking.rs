//! The Sentry wiring of a profile: its `sentry` table and the token from the keyring or
//! `SENTRY_AUTH_TOKEN`. A profile that names Sentry but has no token still gets a tracker: one
//! whose every call fails with the sentence that says how to give the token, so a publish or a
//! promote reports "release not created in Sentry: no token…" instead of skipping it silently.
//! The token is looked up when the tracker is first used, not when the profile is opened.

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

/// The profile's tracker, whose token is looked up on its first call: a command that never
/// talks to Sentry (`releases`, `history`, `verify`, …) never asks the keyring for it.
struct Lazy {
    config: crate::config::SentryConfig,
    profile: String,
    tracker: tokio::sync::OnceCell<Arc<dyn ErrorTracker>>,
}

impl Lazy {
    fn describe_config(&self) -> String {
        let c = &self.config;
        format!("Sentry at {} ({}/{})", c.url, c.org, c.project)
    }

    async fn get(&self) -> std::result::Result<&Arc<dyn ErrorTracker>, TrackerError> {
        self.tracker
            .get_or_try_init(|| async {
                tracing::debug!(profile = %self.profile, "looking up the Sentry token");
                let c = &self.config;
                let tracker: Arc<dyn ErrorTracker> =
                    match crate::credentials::sentry::lookup(secret_store(), &self.profile).await {
                        Some((token, _)) => Arc::new(crate::tracking::sentry::Sentry::new(
                            &c.url, &c.org, &c.project, token,
                        )?),
                        None => Arc::new(NoToken {
                            describe: self.describe_config(),
                            why: crate::credentials::sentry::NoToken {
                                profile: self.profile.clone(),
                            },
                        }),
                    };
                Ok(tracker)
            })
            .await
    }
}

#[async_trait::async_trait]
impl ErrorTracker for Lazy {
    fn describe(&self) -> String {
        self.describe_config()
    }
    async fn create_release(&self, release: &str) -> std::result::Result<Created, TrackerError> {
        self.get().await?.create_release(release).await
    }
    async fn record_deploy(
        &self,
        release: &str,
        env: &str,
    ) -> std::result::Result<(), TrackerError> {
        self.get().await?.record_deploy(release, env).await
    }
    async fn issues(
        &self,
        release: &str,
        since: DateTime<Utc>,
    ) -> std::result::Result<Issues, TrackerError> {
        self.get().await?.issues(release, since).await
    }
}

pub async fn tracking(s: &Session) -> Result<Option<Arc<Tracking>>> {
    let Some(c) = &s.profile.sentry else {
        return Ok(None);
    };
    let tracker: Arc<dyn ErrorTracker> = Arc::new(Lazy {
        config: c.clone(),
        profile: s.profile_name.clone(),
        tracker: tokio::sync::OnceCell::new(),
    });
    Ok(Some(Arc::new(Tracking {
        tracker,
        release_template: c.release.clone(),
        environment: c.environment.clone(),
        alias: c.alias.clone(),
    })))
}
