//! Live CORS probes: real preflight requests to the running Bridge.

use crate::adapters::Cause;
use crate::domain::origin::Observed;
use std::sync::Arc;
use std::time::Duration;

/// Why a probe could not ask the Bridge: which URL, in words, and the HTTP error it came from.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ProbeError {
    #[error(
        "the Bridge at {url} did not answer within 10 s; is it overloaded or behind a firewall?"
    )]
    Timeout {
        url: String,
        #[source]
        source: Cause,
    },
    #[error("cannot reach the Bridge at {url}: {cause}; is it running, and is bridge.url right?")]
    Unreachable {
        url: String,
        cause: String,
        #[source]
        source: Cause,
    },
    #[error("the preflight to {url} failed: {cause}")]
    Failed {
        url: String,
        cause: String,
        #[source]
        source: Cause,
    },
    #[error("cannot set up the HTTP client for the probe ({0})")]
    Client(String),
}

/// Sends one preflight for `origin` to `url`; errors say which URL and why.
pub async fn preflight(
    client: &reqwest::Client,
    url: &str,
    origin: &str,
) -> Result<Observed, ProbeError> {
    let resp = client
        .request(reqwest::Method::OPTIONS, url)
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "content-type,authorization",
        )
        .send()
        .await
        .map_err(|e| describe_error(url, e))?;
    Ok(observed(&resp))
}

/// Sends the actual request a page makes after its preflight (a GET with `Origin`), for the
/// headers a browser checks on the answer itself.
pub async fn actual(
    client: &reqwest::Client,
    url: &str,
    origin: &str,
) -> Result<Observed, ProbeError> {
    let resp = client
        .get(url)
        .header("Origin", origin)
        .send()
        .await
        .map_err(|e| describe_error(url, e))?;
    Ok(observed(&resp))
}

fn observed(resp: &reqwest::Response) -> Observed {
    let h = resp.headers();
    let get = |name: &str| {
        h.get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let vary_origin = h
        .get_all("vary")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',')
                .any(|p| p.trim().eq_ignore_ascii_case("origin"))
        });
    Observed {
        status: resp.status().as_u16(),
        allow_origin: get("access-control-allow-origin"),
        allow_credentials: get("access-control-allow-credentials"),
        allow_methods: get("access-control-allow-methods"),
        allow_headers: get("access-control-allow-headers"),
        max_age: get("access-control-max-age"),
        vary_origin,
    }
}

/// A client with bounded waits, so a dead Bridge gives an answer, not a hang.
pub fn client() -> Result<reqwest::Client, ProbeError> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ProbeError::Client(e.to_string()))
}

fn describe_error(url: &str, e: reqwest::Error) -> ProbeError {
    let mut cause = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        cause = s.to_string();
        src = s.source();
    }
    let url = url.to_string();
    let (timeout, connect) = (e.is_timeout(), e.is_connect());
    let source: Cause = Arc::new(e);
    if timeout {
        ProbeError::Timeout { url, source }
    } else if connect {
        ProbeError::Unreachable { url, cause, source }
    } else {
        ProbeError::Failed { url, cause, source }
    }
}
