//! Sentry's web API (sentry.io or self-hosted): create a release, record a deploy, read the
//! issues first seen in a release. Endpoints from Sentry's API reference
//! (docs.sentry.io/api/): `POST /api/0/organizations/{org}/releases/`,
//! `POST /api/0/organizations/{org}/releases/{version}/deploys/` and
//! `GET /api/0/projects/{org}/{project}/issues/?query=first-release:"…"` (paged by its `Link`
//! header). The token is a bearer token and never appears in an error, a log line or `Debug`.

use super::{Created, ErrorTracker, Issues, TrackerError};
use crate::credentials::Secret;
use chrono::{DateTime, Utc};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use std::time::Duration;

const SERVICE: &str = "Sentry";

/// At most this many pages of issues are read (100 each).
const MAX_PAGES: usize = 20;

pub struct Sentry {
    url: String,
    org: String,
    project: String,
    token: Secret,
    http: reqwest::Client,
}

impl std::fmt::Debug for Sentry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sentry")
            .field("url", &self.url)
            .field("org", &self.org)
            .field("project", &self.project)
            .field("token", &"***")
            .finish()
    }
}

fn seg(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

/// The `next` page's URL of a `Link` header, when Sentry says it has results.
fn next_page(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let part = part.trim();
        let is_next = part.contains("rel=\"next\"") && part.contains("results=\"true\"");
        let url = part.strip_prefix('<')?.split_once('>')?.0;
        is_next.then(|| url.to_string())
    })
}

/// A POST with a JSON body (reqwest's `json` feature is not enabled).
fn json_post(req: reqwest::RequestBuilder, body: &Value) -> reqwest::RequestBuilder {
    req.header("Content-Type", "application/json")
        .body(body.to_string())
}

impl Sentry {
    pub fn new(url: &str, org: &str, project: &str, token: Secret) -> Result<Sentry, TrackerError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .redirect(crate::adapters::same_host_redirects())
            .user_agent(concat!("shipdeck/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TrackerError::Call {
                service: SERVICE,
                what: "start an HTTP client".into(),
                reason: e.to_string(),
                source: Some(std::sync::Arc::new(e)),
            })?;
        Ok(Sentry {
            url: url.trim_end_matches('/').to_string(),
            org: org.to_string(),
            project: project.to_string(),
            token,
            http,
        })
    }

    fn api(&self, path: &str) -> String {
        format!("{}/api/0/{path}", self.url)
    }

    /// The sentence for an answer that is not what was asked.
    fn refused(&self, what: &str, status: u16, body: &Value) -> TrackerError {
        let detail: String = body
            .get("detail")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let reason = match status {
            401 => "the token was refused; store a valid one with `shipdeck login --sentry` or set SENTRY_AUTH_TOKEN".into(),
            403 => "the token may not do this; it needs the project:releases and event:read scopes".into(),
            404 => format!(
                "{} has no organization '{}' or project '{}' (or the release is unknown); check `sentry` in the profile",
                self.url, self.org, self.project
            ),
            300..=399 => format!(
                "{} answered with a redirect (HTTP {status}) to another host; Shipdeck does not follow API calls there — check `url` in the profile's sentry",
                self.url
            ),
            _ if detail.is_empty() => format!("HTTP {status}"),
            _ => format!("HTTP {status}: {detail}"),
        };
        TrackerError::Call {
            service: SERVICE,
            what: what.to_string(),
            reason,
            source: None,
        }
    }

    fn unreachable(&self, what: &str, e: reqwest::Error) -> TrackerError {
        let reason = if e.is_timeout() {
            format!("{} did not answer within 15 s", self.url)
        } else {
            format!("cannot connect to {} ({e})", self.url)
        };
        TrackerError::Call {
            service: SERVICE,
            what: what.to_string(),
            reason: crate::adapters::redact(&reason),
            source: Some(std::sync::Arc::new(e)),
        }
    }

    async fn send(
        &self,
        what: &str,
        req: reqwest::RequestBuilder,
    ) -> Result<(u16, Value, Option<String>), TrackerError> {
        let resp = req
            .bearer_auth(self.token.expose())
            .send()
            .await
            .map_err(|e| self.unreachable(what, e))?;
        let status = resp.status().as_u16();
        let link = resp
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = resp.bytes().await.unwrap_or_default();
        let body = serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null);
        Ok((status, body, link))
    }
}

#[async_trait::async_trait]
impl ErrorTracker for Sentry {
    fn describe(&self) -> String {
        format!("Sentry at {} ({}/{})", self.url, self.org, self.project)
    }

    async fn create_release(&self, release: &str) -> Result<Created, TrackerError> {
        let what = format!("create the release {release}");
        let url = self.api(&format!("organizations/{}/releases/", seg(&self.org)));
        let body = json!({ "version": release, "projects": [self.project] });
        let (status, answer, _) = self
            .send(&what, json_post(self.http.post(url), &body))
            .await?;
        match status {
            201 => Ok(Created::New),
            200 | 208 => Ok(Created::Existing),
            _ => Err(self.refused(&what, status, &answer)),
        }
    }

    async fn record_deploy(&self, release: &str, environment: &str) -> Result<(), TrackerError> {
        let what = format!("record the deploy of {release} to {environment}");
        let url = self.api(&format!(
            "organizations/{}/releases/{}/deploys/",
            seg(&self.org),
            seg(release)
        ));
        let body = json!({ "environment": environment, "name": "shipdeck" });
        let (status, answer, _) = self
            .send(&what, json_post(self.http.post(url), &body))
            .await?;
        match status {
            200 | 201 => Ok(()),
            _ => Err(self.refused(&what, status, &answer)),
        }
    }

    async fn issues(&self, release: &str, since: DateTime<Utc>) -> Result<Issues, TrackerError> {
        let what = format!("read the issues of {release}");
        let first = format!(
            "{}?query={}&limit=100",
            self.api(&format!(
                "projects/{}/{}/issues/",
                seg(&self.org),
                seg(&self.project)
            )),
            seg(&format!("first-release:\"{release}\""))
        );
        let mut out = Issues::default();
        let mut next = Some(first);
        let mut pages = 0;
        while let Some(url) = next.take() {
            // Follow only pages on Sentry's own host.
            if !url.starts_with(&self.url) {
                break;
            }
            let (status, answer, link) = self.send(&what, self.http.get(&url)).await?;
            if status != 200 {
                return Err(self.refused(&what, status, &answer));
            }
            for issue in answer.as_array().into_iter().flatten() {
                let seen = issue
                    .get("firstSeen")
                    .and_then(Value::as_str)
                    .and_then(|s| DateTime::parse_from_rfc3339(s).ok());
                if seen.is_some_and(|s| s >= since) {
                    out.new_issues += 1;
                    out.events += issue
                        .get("count")
                        .and_then(|c| c.as_str().and_then(|s| s.parse().ok()).or(c.as_u64()))
                        .unwrap_or(0);
                }
            }
            pages += 1;
            if pages < MAX_PAGES {
                next = link.as_deref().and_then(next_page);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_page_is_read_only_when_sentry_says_it_has_results() {
        let more = r#"<https://s.io/api/0/x/?cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", <https://s.io/api/0/x/?cursor=0:100:0>; rel="next"; results="true"; cursor="0:100:0""#;
        assert_eq!(
            next_page(more).as_deref(),
            Some("https://s.io/api/0/x/?cursor=0:100:0")
        );
        let last = more.replace(r#"results="true""#, r#"results="false""#);
        assert_eq!(next_page(&last), None);
    }

    #[test]
    fn the_token_never_prints() {
        let s = Sentry::new(
            "https://sentry.io",
            "acme",
            "webchat",
            Secret::new("sntrys_SECRET"),
        )
        .unwrap();
        assert!(!format!("{s:?}").contains("SECRET"));
    }
}
