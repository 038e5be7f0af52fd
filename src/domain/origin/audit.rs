//! The audit of an allowlist: every rule a list can break, with its severity and the fix. Dead
//! entries come from the parser (`super::parse_origin`); the rest are about what an entry
//! allows — any site, sandboxed pages, plain http and local addresses in production, sites on
//! shared hosting domains — and about the list itself.

use super::{OriginError, parse_origin};
use serde::Serialize;
use std::fmt;

/// How serious a finding is. `Warning` and above make `origins audit` exit non-zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One audit finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub severity: Severity,
    /// The entry at fault (empty for list-wide findings).
    pub entry: String,
    /// Where it lives (variable name), if known.
    pub source: String,
    pub message: String,
    pub fix: String,
}

/// One allowlist entry as written, with where it lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub raw: String,
    pub source: String,
}

/// The Bridge's `.env` defines no `ALLOWED_ORIGINS`: the runbook's "current setup" fallback,
/// `cors({ origin: '*' })`, lets any site call the Bridge. An error in a production profile.
pub fn no_allowlist_finding(production: bool) -> Finding {
    Finding {
        code: "no-allowlist",
        severity: if production {
            Severity::Error
        } else {
            Severity::Warning
        },
        entry: String::new(),
        source: "ALLOWED_ORIGINS".into(),
        message: "the .env defines no ALLOWED_ORIGINS, so the Bridge falls back to origin: '*' and any site may call it".into(),
        fix: "add ALLOWED_ORIGINS=https://your-site.example (comma-separated exact origins), e.g. with `shipdeck origins add`".into(),
    }
}

/// Hosting domains where anyone can publish a site under a subdomain.
pub const THIRD_PARTY_HOSTING: [&str; 16] = [
    "github.io",
    "vercel.app",
    "netlify.app",
    "herokuapp.com",
    "azurewebsites.net",
    "cloudfront.net",
    "pages.dev",
    "web.app",
    "firebaseapp.com",
    "onrender.com",
    "fly.dev",
    "glitch.me",
    "surge.sh",
    "ngrok-free.app",
    "ngrok.io",
    "azurestaticapps.net",
];

fn is_local(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    if h == "localhost"
        || h.ends_with(".localhost")
        || h.ends_with(".local")
        || h.ends_with(".internal")
    {
        return true;
    }
    if let Ok(ip) = h.parse::<std::net::IpAddr>() {
        return match ip {
            std::net::IpAddr::V4(v4) => {
                v4.is_loopback() || v4.is_private() || v4.is_link_local() || v4.is_unspecified()
            }
            std::net::IpAddr::V6(v6) => {
                v6.is_loopback()
                    || v6.is_unspecified()
                    || (v6.segments()[0] & 0xfe00) == 0xfc00
                    || (v6.segments()[0] & 0xffc0) == 0xfe80
            }
        };
    }
    false
}

/// Audits a whole allowlist. `production` turns on the stricter rules.
pub fn audit(entries: &[Entry], production: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    let f = |code, severity, e: &Entry, message: String, fix: String| Finding {
        code,
        severity,
        entry: e.raw.clone(),
        source: e.source.clone(),
        message,
        fix,
    };
    // Each origin's first entry, by the form browsers send (a map: lists run to thousands).
    let mut seen: std::collections::HashMap<String, &Entry> = std::collections::HashMap::new();
    for e in entries {
        let t = e.raw.trim();
        if t == "*" || t.eq_ignore_ascii_case("true") || t.contains('*') {
            out.push(f("wildcard-with-credentials", Severity::Error, e, "a wildcard or reflecting origin with credentials lets any site call the Bridge as the signed-in user (and browsers reject '*' with credentials anyway)".into(), "list each site's exact origin instead".into()));
            continue;
        }
        if t.eq_ignore_ascii_case("null") {
            out.push(f("null-origin", Severity::Error, e, "'null' is the origin of sandboxed iframes and local files, which any attacker can produce".into(), "remove it".into()));
            continue;
        }
        let origin = match parse_origin(&e.raw) {
            Ok(o) => o,
            Err(OriginError::NeverMatches { reasons, fixed }) => {
                out.push(f(
                    "never-matches",
                    Severity::Error,
                    e,
                    format!(
                        "can never match: browsers send origins without {}",
                        reasons.join(", ")
                    ),
                    format!("replace it with '{fixed}'"),
                ));
                fixed
            }
            Err(OriginError::Invalid(why)) => {
                out.push(f(
                    "invalid",
                    Severity::Error,
                    e,
                    why,
                    "fix or remove the entry".into(),
                ));
                continue;
            }
        };
        if let Some(first) = seen.get(&origin.to_string()) {
            out.push(f(
                "duplicate",
                Severity::Warning,
                e,
                format!("same origin as '{}' in {}", first.raw, first.source),
                "remove one of them".into(),
            ));
        } else {
            seen.insert(origin.to_string(), e);
        }
        if origin.scheme == "http" && production && !is_local(&origin.host) {
            out.push(f("insecure-http", Severity::Error, e, "plain http on a production profile: the page, and the chat with it, can be read and changed in transit".into(), format!("use 'https://{}'", origin.host)));
        }
        if is_local(&origin.host) {
            let sev = if production {
                Severity::Warning
            } else {
                Severity::Info
            };
            out.push(f("local-address", sev, e, "a localhost, loopback or private address: fine for development, never a real user's page".into(), if production { "remove it from the production allowlist".into() } else { "keep it out of production".into() }));
        }
        if let Some(domain) = THIRD_PARTY_HOSTING
            .iter()
            .find(|d| origin.host == **d || origin.host.ends_with(&format!(".{d}")))
        {
            out.push(f("third-party-hosting", Severity::Warning, e, format!("{domain} is a hosting domain where anyone can publish; if this site is deleted, someone else can claim its name and call the Bridge"), "serve that page from a domain you own, or confirm you keep this exact name".into()));
        }
    }
    if entries.is_empty() {
        out.push(Finding {
            code: "empty",
            severity: Severity::Warning,
            entry: String::new(),
            source: String::new(),
            message: "the allowlist is empty: the Bridge refuses every browser".into(),
            fix:
                "add the sites that embed the widget: shipdeck origins add https://app.example.com"
                    .into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(raw: &str) -> Entry {
        Entry {
            raw: raw.into(),
            source: "ALLOWED_ORIGINS".into(),
        }
    }

    fn codes(list: &[&str], production: bool) -> Vec<&'static str> {
        audit(&list.iter().map(|r| e(r)).collect::<Vec<_>>(), production)
            .into_iter()
            .map(|f| f.code)
            .collect()
    }

    #[test]
    fn audit_rules() {
        assert_eq!(codes(&["*"], false), vec!["wildcard-with-credentials"]);
        assert_eq!(codes(&["true"], false), vec!["wildcard-with-credentials"]);
        assert_eq!(codes(&["null"], false), vec!["null-origin"]);
        assert_eq!(
            codes(&["http://app.example.com"], true),
            vec!["insecure-http"]
        );
        assert!(codes(&["http://app.example.com"], false).is_empty());
        assert_eq!(
            codes(&["https://a.com", "https://A.com/"], false),
            vec!["never-matches", "duplicate"]
        );
        assert_eq!(
            codes(&["http://localhost:3000"], true),
            vec!["local-address"]
        );
        assert_eq!(codes(&["https://10.1.2.3"], true), vec!["local-address"]);
        assert_eq!(
            codes(
                &["https://team.github.io", "https://d1234.cloudfront.net"],
                false
            ),
            vec!["third-party-hosting", "third-party-hosting"]
        );
        assert_eq!(codes(&[], false), vec!["empty"]);
        let f = &audit(&[e("http://localhost:3000")], true)[0];
        assert_eq!(f.severity, Severity::Warning);
        let f = &audit(&[e("http://localhost:3000")], false)[0];
        assert_eq!(f.severity, Severity::Info);
        assert!(audit(&[e("https://app.example.com")], true).is_empty());
    }
}
