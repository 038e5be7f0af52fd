//! CDNs: what must be told when an alias moves.
//!
//! Only alias folders are ever invalidated, and only the ones that moved; release folders are
//! immutable and cached for a year. `NoCdn` serves profiles without a CDN (the local store).

pub mod cloudfront;

use async_trait::async_trait;

/// The outcome of an invalidation request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalidation {
    pub id: String,
    pub status: String,
}

#[async_trait]
pub trait Cdn: Send + Sync {
    fn describe(&self) -> String;
    /// Whether there is a CDN to invalidate at all.
    fn enabled(&self) -> bool;
    /// The URL path prefix under which the store's keys are served (e.g. `/msr-webchat`).
    fn path_prefix(&self) -> &str;
    async fn invalidate(&self, paths: &[String]) -> Result<Invalidation, String>;
    /// The pricing entry (provider, price id) of an invalidation path, if it costs anything.
    fn path_price(&self) -> Option<(&'static str, &'static str)> {
        None
    }
}

/// No CDN in front of the store.
pub struct NoCdn {
    pub path_prefix: String,
}

#[async_trait]
impl Cdn for NoCdn {
    fn describe(&self) -> String {
        "no CDN".into()
    }
    fn enabled(&self) -> bool {
        false
    }
    fn path_prefix(&self) -> &str {
        &self.path_prefix
    }
    async fn invalidate(&self, _paths: &[String]) -> Result<Invalidation, String> {
        Ok(Invalidation {
            id: "none".into(),
            status: "not needed".into(),
        })
    }
}
