//! Origins and the audit of a Bridge allowlist.
//!
//! The Bridge uses the `cors` middleware with an array of strings, which it compares with the
//! browser's `Origin` header by exact string equality. A browser always sends
//! `scheme://host[:port]` with a lower-case host, no path, no trailing slash and no default port,
//! so any entry in another form is dead: it can never match. This module knows that form,
//! turns near-misses into the entry that would work, and audits a list for entries that are
//! dead, dangerous (`*`, `null`, `http://` in production) or risky (local addresses,
//! third-party hosting domains).

mod audit;
pub mod browser;
pub mod edit;

pub use audit::{Entry, Finding, Severity, THIRD_PARTY_HOSTING, audit, no_allowlist_finding};
use serde::Serialize;
use std::fmt;

/// An origin in the exact form browsers send.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin {
    pub scheme: String,
    pub host: String,
    pub port: Option<u16>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(p) => write!(f, "{}://{}:{p}", self.scheme, self.host),
            None => write!(f, "{}://{}", self.scheme, self.host),
        }
    }
}

/// Why an entry is not a live origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginError {
    /// Not an origin at all.
    Invalid(String),
    /// An origin, but written so that it can never equal what a browser sends; `fixed` would.
    NeverMatches { reasons: Vec<String>, fixed: Origin },
}

impl fmt::Display for OriginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OriginError::Invalid(why) => f.write_str(why),
            OriginError::NeverMatches { reasons, fixed } => write!(
                f,
                "it can never match, because browsers send origins without {}; use '{fixed}' instead",
                reasons.join(", ")
            ),
        }
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    }
}

/// Parses an allowlist entry. `Ok` only when the entry is exactly what a browser would send.
pub fn parse_origin(raw: &str) -> Result<Origin, OriginError> {
    let invalid = |why: &str| invalid(raw, why);
    if raw.is_empty() {
        return Err(OriginError::Invalid(
            "an empty entry is not an origin (a stray comma?)".into(),
        ));
    }
    if raw.contains(',') {
        return Err(OriginError::Invalid(format!(
            "'{raw}' holds several origins separated by commas; give one origin per argument, e.g. shipdeck origins add https://a.example https://b.example"
        )));
    }
    let mut reasons = Vec::new();
    let trimmed = raw.trim();
    if trimmed != raw {
        reasons.push("surrounding spaces".to_string());
    }
    let (scheme_raw, rest) = trimmed
        .split_once("://")
        .ok_or_else(|| invalid("it has no scheme"))?;
    let scheme = scheme_raw.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(invalid(&format!(
            "the scheme '{scheme_raw}' is not http or https"
        )));
    }
    if scheme != scheme_raw {
        reasons.push("upper case".into());
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (host_raw, port_raw) = split_authority(raw, authority)?;
    let host = check_host(raw, host_raw)?;
    if host != host_raw {
        reasons.push("upper case".into());
    }
    let mut port = match port_raw {
        None => None,
        Some(p) => Some(
            p.parse::<u16>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| invalid(&format!("'{p}' is not a port")))?,
        ),
    };
    if let Some(p) = port
        && Some(p) == default_port(&scheme)
    {
        reasons.push(format!("the default port :{p}"));
        port = None;
    }
    reasons.extend(tail_reason(tail).map(str::to_string));
    let mut seen = std::collections::HashSet::new();
    reasons.retain(|r| seen.insert(r.clone()));

    let origin = Origin { scheme, host, port };
    if reasons.is_empty() {
        Ok(origin)
    } else {
        Err(OriginError::NeverMatches {
            reasons,
            fixed: origin,
        })
    }
}

/// What a browser would send for an allowlist entry: the entry itself when it is an exact
/// origin, the form it should have been when it can never match, nothing when it is no origin.
pub fn sent_form(raw: &str) -> Option<Origin> {
    match parse_origin(raw) {
        Ok(o) => Some(o),
        Err(OriginError::NeverMatches { fixed, .. }) => Some(fixed),
        Err(OriginError::Invalid(_)) => None,
    }
}

fn invalid(raw: &str, why: &str) -> OriginError {
    OriginError::Invalid(format!(
        "'{raw}' is not an origin: {why}; write scheme://host[:port], e.g. https://app.example.com"
    ))
}

/// What follows the authority, if anything, that a browser never sends.
fn tail_reason(tail: &str) -> Option<&'static str> {
    if tail == "/" {
        Some("a trailing slash")
    } else if tail.starts_with('?') {
        Some("a query")
    } else if tail.starts_with('#') {
        Some("a fragment")
    } else if !tail.is_empty() {
        Some("a path")
    } else {
        None
    }
}

/// Splits `host[:port]` (or `[v6]:port`).
fn split_authority<'a>(
    raw: &str,
    authority: &'a str,
) -> Result<(&'a str, Option<&'a str>), OriginError> {
    if authority.contains('@') {
        return Err(invalid(raw, "it has user information ('@')"));
    }
    if let Some(stripped) = authority.strip_prefix('[') {
        let close = stripped
            .find(']')
            .ok_or_else(|| invalid(raw, "an IPv6 address is missing its ']'"))?;
        let host = &authority[..close + 2];
        let after = &authority[close + 2..];
        return Ok((host, after.strip_prefix(':')));
    }
    Ok(match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    })
}

/// Checks a host name or IPv6 literal; returns it in lower case.
fn check_host(raw: &str, host_raw: &str) -> Result<String, OriginError> {
    if host_raw.is_empty() {
        return Err(invalid(raw, "it has no host"));
    }
    if !host_raw.is_ascii() {
        let hint = ascii_host(host_raw)
            .map(|h| {
                format!(
                    "; browsers send it in its ASCII (punycode) form: list '{}'",
                    raw.replacen(host_raw, &h, 1)
                )
            })
            .unwrap_or_default();
        return Err(OriginError::Invalid(format!(
            "'{raw}' has an internationalised host name, which browsers never send as written{hint}"
        )));
    }
    let host = host_raw.to_ascii_lowercase();
    let valid_host = if host.starts_with('[') {
        host[1..host.len() - 1]
            .parse::<std::net::Ipv6Addr>()
            .is_ok()
    } else {
        host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
    };
    if host.contains('*') {
        return Err(invalid(
            raw,
            "wildcards are not supported: the Bridge compares origins exactly, so list every site",
        ));
    }
    if !valid_host || host.len() > 253 {
        return Err(invalid(
            raw,
            &format!("'{host_raw}' is not a valid host name"),
        ));
    }
    Ok(host)
}

/// The ASCII form of an internationalised host name: each non-ASCII label lower-cased and
/// punycode-encoded behind `xn--` (RFC 3492; labels are not NFC-normalised, which covers the
/// names people type).
pub fn ascii_host(host: &str) -> Option<String> {
    let labels: Option<Vec<String>> = host
        .split('.')
        .map(|l| {
            if l.is_ascii() {
                Some(l.to_ascii_lowercase())
            } else {
                punycode(&l.to_lowercase()).map(|p| format!("xn--{p}"))
            }
        })
        .collect();
    Some(labels?.join("."))
}

/// RFC 3492 punycode encoding of one label.
fn punycode(input: &str) -> Option<String> {
    const BASE: u32 = 36;
    const TMIN: u32 = 1;
    const TMAX: u32 = 26;
    let digit = |d: u32| -> char {
        match u8::try_from(d) {
            Ok(d) if d < 26 => char::from(b'a' + d),
            Ok(d) => char::from(b'0' + d - 26),
            Err(_) => '?',
        }
    };
    let cps: Vec<u32> = input.chars().map(u32::from).collect();
    let mut out: String = input.chars().filter(char::is_ascii).collect();
    let basic = u32::try_from(out.len()).ok()?;
    let mut handled = basic;
    if basic > 0 {
        out.push('-');
    }
    let (mut n, mut delta, mut bias) = (128u32, 0u32, 72u32);
    let total = u32::try_from(cps.len()).ok()?;
    while handled < total {
        let m = *cps.iter().filter(|&&c| c >= n).min()?;
        delta = delta.checked_add((m - n).checked_mul(handled + 1)?)?;
        n = m;
        for &c in &cps {
            if c < n {
                delta = delta.checked_add(1)?;
            }
            if c == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let t = if k <= bias {
                        TMIN
                    } else if k >= bias + TMAX {
                        TMAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(out)
}

fn adapt(delta: u32, points: u32, first: bool) -> u32 {
    let mut delta = if first { delta / 700 } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > ((36 - 1) * 26) / 2 {
        delta /= 36 - 1;
        k += 36;
    }
    k + (36 * delta) / (delta + 38)
}

/// What the Bridge answered to one preflight request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Observed {
    pub status: u16,
    pub allow_origin: Option<String>,
    pub allow_credentials: Option<String>,
    pub allow_methods: Option<String>,
    pub allow_headers: Option<String>,
    pub max_age: Option<String>,
    pub vary_origin: bool,
}

impl Observed {
    /// Whether a browser would let `origin` through.
    pub fn allows(&self, origin: &str) -> bool {
        (200..300).contains(&self.status)
            && self
                .allow_origin
                .as_deref()
                .is_some_and(|a| a == origin || a == "*")
    }
}

/// Compares what the list says about `origin` with what the Bridge answered; each problem is
/// a sentence for the release manager.
pub fn judge(origin: &str, expected_allowed: bool, o: &Observed) -> Vec<String> {
    let mut problems = Vec::new();
    let allowed = o.allows(origin);
    if o.allow_origin.as_deref() == Some("*") && o.allow_credentials.as_deref() == Some("true") {
        problems.push("[star] the Bridge answers '*' with credentials: any site may call it as the signed-in user, and browsers refuse the combination — fix: cors({ origin: <the allowlist check>, credentials: true })".into());
    }
    match (expected_allowed, allowed) {
        (true, false) => problems.push(format!(
            "[stale_bridge] the allowlist allows it but the Bridge refused it (status {}): the running Bridge does not have the current list, and a browser on that site gets a CORS error — restart or redeploy it",
            o.status
        )),
        (false, true) => problems.push("[wider_bridge] the allowlist does not allow it but the Bridge did: the running Bridge has an older or wider list than its source, and a browser on that site reads its answers — restart or redeploy it, and check its CORS code".into()),
        _ => {}
    }
    if allowed {
        if !o.vary_origin && o.allow_origin.as_deref() != Some("*") {
            problems.push("[vary] the answer lacks 'Vary: Origin': a shared cache can hand one site's CORS answer to another, whose browser then refuses it — fix: keep cors() from setting a fixed origin (it adds Vary: Origin when it echoes)".into());
        }
        if o.allow_credentials.as_deref() != Some("true") {
            problems.push("[credentials] no 'Access-Control-Allow-Credentials: true': a browser fails the widget's requests with credentials (its cookies and Authorization header) — fix: cors({ credentials: true })".into());
        }
    }
    problems
}

#[cfg(test)]
mod tests {

    #[test]
    fn internationalised_hosts_are_refused_with_the_form_browsers_send() {
        assert_eq!(ascii_host("bücher.de").as_deref(), Some("xn--bcher-kva.de"));
        assert_eq!(
            ascii_host("München.example").as_deref(),
            Some("xn--mnchen-3ya.example")
        );
        assert_eq!(ascii_host("例え.jp").as_deref(), Some("xn--r8jz45g.jp"));
        let Err(OriginError::Invalid(why)) = parse_origin("https://bücher.de") else {
            panic!("an IDN host is refused")
        };
        assert!(why.contains("list 'https://xn--bcher-kva.de'"), "{why}");
    }

    #[test]
    fn several_origins_in_one_argument_are_refused_with_the_way_to_pass_them() {
        let Err(OriginError::Invalid(why)) = parse_origin("https://a.com,https://b.com") else {
            panic!("a comma is refused")
        };
        assert!(why.contains("one origin per argument"), "{why}");
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exact_origins_parse() {
        assert_eq!(
            parse_origin("https://app.example.com").unwrap().to_string(),
            "https://app.example.com"
        );
        assert_eq!(
            parse_origin("http://localhost:5173").unwrap().port,
            Some(5173)
        );
        assert_eq!(parse_origin("http://[::1]:3000").unwrap().host, "[::1]");
    }

    #[test]
    fn near_misses_say_what_would_match() {
        for (raw, fixed, why) in [
            (
                "https://App.Example.com",
                "https://app.example.com",
                "upper case",
            ),
            (
                "https://app.example.com/",
                "https://app.example.com",
                "a trailing slash",
            ),
            (
                "https://app.example.com/chat",
                "https://app.example.com",
                "a path",
            ),
            (
                "https://app.example.com:443",
                "https://app.example.com",
                "the default port :443",
            ),
            (
                "http://app.example.com:80",
                "http://app.example.com",
                "the default port :80",
            ),
            (
                " https://app.example.com",
                "https://app.example.com",
                "surrounding spaces",
            ),
            (
                "HTTPS://app.example.com?x=1",
                "https://app.example.com",
                "a query",
            ),
        ] {
            match parse_origin(raw) {
                Err(OriginError::NeverMatches { reasons, fixed: f }) => {
                    assert_eq!(f.to_string(), fixed, "{raw}");
                    assert!(reasons.iter().any(|r| r == why), "{raw}: {reasons:?}");
                }
                other => panic!("{raw}: {other:?}"),
            }
        }
        let msg = parse_origin("https://App.example.com/")
            .unwrap_err()
            .to_string();
        assert_eq!(
            msg,
            "it can never match, because browsers send origins without upper case, a trailing slash; use 'https://app.example.com' instead"
        );
    }

    #[test]
    fn non_origins_are_invalid() {
        for raw in [
            "app.example.com",
            "ftp://x.com",
            "https://",
            "https://a..b",
            "https://x.com:99999",
            "https://u@x.com",
            "https://*.example.com",
            "",
        ] {
            assert!(
                matches!(parse_origin(raw), Err(OriginError::Invalid(_))),
                "{raw}"
            );
        }
    }

    proptest! {
        /// Whatever the input: no panic; an `Ok` origin prints back to exactly the input; a
        /// never-matches fix is itself a valid origin.
        #[test]
        fn parser_is_total_and_round_trips(raw in "\\PC{0,40}", tail in "[a-zA-Z0-9:/._\\-\\[\\]]{0,30}") {
            for input in [raw.clone(), format!("https://{tail}"), format!("HTTP://{tail}")] {
                match parse_origin(&input) {
                    Ok(o) => prop_assert_eq!(o.to_string(), input),
                    Err(OriginError::NeverMatches { fixed, .. }) => {
                        let again = parse_origin(&fixed.to_string());
                        prop_assert!(again.is_ok(), "fix {} of {:?} does not parse", fixed, input);
                    }
                    Err(OriginError::Invalid(_)) => {}
                }
            }
        }
    }
}
