//! The CDN's edge, seen as a browser sees it: plain GETs of public URLs.
//!
//! This adapter exists because every other one talks to a control plane (the store's API, the
//! CDN's invalidation API) and none of them can say what a customer's browser receives. It sends
//! no credential of any kind, follows at most three redirects, bounds every wait and every body,
//! and hands back headers and the decoded body's digest for `domain::edge` to judge.

pub mod http;

use crate::domain::edge::Observed;
use async_trait::async_trait;

/// The error an edge request keeps as its source.
pub use crate::adapters::Cause;

/// Why the edge could not be asked: which URL, in words, with the HTTP error it came from.
#[derive(Debug, Clone, thiserror::Error)]
pub enum EdgeError {
    #[error("the edge at {url} did not answer within {secs} s; is the CDN reachable from here?")]
    Timeout {
        url: String,
        secs: u64,
        #[source]
        source: Cause,
    },
    #[error("cannot reach the edge at {url}: {cause}; check the profile's public_url")]
    Unreachable {
        url: String,
        cause: String,
        #[source]
        source: Cause,
    },
    #[error("{url} redirects more than 3 times; point public_url at the final address")]
    TooManyRedirects { url: String },
    #[error(
        "the edge's answer for {url} is larger than {limit} bytes; no widget file is that large"
    )]
    TooLarge { url: String, limit: u64 },
    #[error("the request to {url} failed: {cause}")]
    Failed {
        url: String,
        cause: String,
        #[source]
        source: Cause,
    },
    #[error("cannot set up the HTTP client for the edge ({0})")]
    Client(String),
}

/// One request as a browser on a customer's page sends it.
#[derive(Debug, Clone)]
pub struct EdgeRequest {
    pub url: String,
    /// The page's origin (scripts load with `crossorigin="anonymous"`).
    pub origin: String,
}

/// Fetches public URLs. One implementation (HTTP); the trait keeps use cases independent of
/// the HTTP client.
#[async_trait]
pub trait Edge: Send + Sync {
    async fn get(&self, req: &EdgeRequest) -> Result<Observed, EdgeError>;
}
