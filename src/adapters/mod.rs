//! One module per outside system whose client the ports' backends share: AWS, Azure and GitHub.
//! Each holds the connection settings, the client with Shipdeck's timeouts and retries, and the
//! one sentence its errors become (never a secret, never an SDK debug dump).
//!
//! The ports (`store`, `cdn`, `bridge`, `edge`, `logs`, `pricing`, `credentials`) own their
//! traits and one file per backend; a backend builds on the system's module here, so backends
//! never borrow from each other and nothing here imports a use case or a front end.

pub mod arm;
pub mod aws;
pub mod azure;
pub mod github;

use std::sync::Arc;

/// The error an SDK or the OS gave, kept as the source of a port's error so a log or a
/// debugger can follow the chain (as apache `object_store` keeps its sources).
pub type Cause = Arc<dyn std::error::Error + Send + Sync>;

/// The redirect policy of every API client (GitHub, Sentry): an API call is never followed to
/// another host (reads included): a write "done" by whoever answers there is not a write the
/// service made. Same-host redirects (a renamed repository) are followed, at most 3.
pub fn same_host_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_host = attempt.previous().first().is_some_and(|first| {
            first.host_str() == attempt.url().host_str()
                && first.port_or_known_default() == attempt.url().port_or_known_default()
        });
        if same_host && attempt.previous().len() <= 3 {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// Removes every query string from URLs in `text` (a SAS signature lives there) and any
/// `sig=` that is left, so an SDK or HTTP error can be shown.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_url = false;
    while let Some(c) = chars.next() {
        if c == '?' && in_url {
            out.push_str("?…");
            while chars
                .peek()
                .is_some_and(|n| !n.is_whitespace() && !matches!(n, ')' | '"' | '\'' | '>'))
            {
                chars.next();
            }
            in_url = false;
            continue;
        }
        if c.is_whitespace() || matches!(c, '(' | '"' | '\'' | '<') {
            in_url = false;
        }
        out.push(c);
        if out.ends_with("http://") || out.ends_with("https://") {
            in_url = true;
        }
    }
    // A signature outside a URL (a header echoed in a message, say).
    while let Some(i) = out.find("sig=") {
        let end = out[i..]
            .find(|c: char| c == '&' || c.is_whitespace())
            .map_or(out.len(), |e| i + e);
        out.replace_range(i..end, "sig-redacted");
    }
    out
}
