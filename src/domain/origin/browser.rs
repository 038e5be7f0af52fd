//! What a browser needs from the Bridge beyond an echoed origin: the widget sends
//! `POST`/`PATCH`/`DELETE` with `Content-Type` and `Authorization`, with credentials, and chats
//! send many messages. A preflight that echoes the origin but narrows any of these still breaks
//! the widget in the browser, so each gap is a finding with a code, what the browser does, and
//! the fix in the Bridge's `cors()` options.

use super::Observed;

/// Below this `Access-Control-Max-Age`, browsers repeat the preflight so often that every chat
/// message pays for one.
pub const MIN_MAX_AGE: u64 = 600;

/// What the widget needs the Bridge to allow (the runbook's defaults, or the profile's
/// `bridge.expect_methods` / `expect_headers`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needs {
    pub methods: Vec<String>,
    pub headers: Vec<String>,
}

impl Default for Needs {
    fn default() -> Self {
        Needs {
            methods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"]
                .map(String::from)
                .to_vec(),
            headers: ["Content-Type", "Authorization"].map(String::from).to_vec(),
        }
    }
}

fn listed(header: Option<&str>) -> Vec<String> {
    header
        .unwrap_or("")
        .split(',')
        .map(|p| p.trim().to_ascii_lowercase())
        .filter(|p| !p.is_empty())
        .collect()
}

fn js_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("'{i}'")).collect();
    format!("[{}]", quoted.join(", "))
}

/// The gaps in an allowing preflight's answer.
pub fn preflight_gaps(o: &Observed, needs: &Needs) -> Vec<String> {
    let mut out = Vec::new();
    let methods = listed(o.allow_methods.as_deref());
    // OPTIONS is the preflight itself; browsers never ask for it.
    let missing: Vec<&String> = needs
        .methods
        .iter()
        .filter(|m| !m.eq_ignore_ascii_case("OPTIONS"))
        .filter(|m| !methods.contains(&m.to_ascii_lowercase()) && !methods.contains(&"*".into()))
        .collect();
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|m| m.as_str()).collect();
        out.push(format!(
            "[methods] the preflight allows only {}: a browser blocks the widget's {} requests with a CORS error — fix: cors({{ methods: {} }})",
            o.allow_methods.as_deref().unwrap_or("no method"),
            names.join(", "),
            js_list(&needs.methods)
        ));
    }
    let headers = listed(o.allow_headers.as_deref());
    let missing: Vec<&String> = needs
        .headers
        .iter()
        .filter(|h| !headers.contains(&h.to_ascii_lowercase()))
        .collect();
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|m| m.as_str()).collect();
        out.push(format!(
            "[headers] the preflight does not allow the {} header(s): a browser refuses to send the widget's requests — fix: cors({{ allowedHeaders: {} }})",
            names.join(", "),
            js_list(&needs.headers)
        ));
    }
    let age = o
        .max_age
        .as_deref()
        .and_then(|a| a.trim().parse::<i64>().ok());
    match age {
        Some(a) if a >= MIN_MAX_AGE as i64 => {}
        _ => out.push(format!(
            "[max_age] Access-Control-Max-Age is {}: the browser repeats the preflight before nearly every chat message, doubling its latency — fix: cors({{ maxAge: 86400 }})",
            o.max_age
                .as_deref()
                .map_or("missing (browsers keep 5 s)".to_string(), |a| format!("{a} s"))
        )),
    }
    out
}

/// Judges the actual request's answer (the GET after the preflight), as a browser does with
/// credentials: the origin echoed, never `*`, and credentials allowed; a refused origin must get
/// no allowing header at all.
pub fn actual_gaps(origin: &str, expected_allowed: bool, o: &Observed) -> Vec<String> {
    let echoed = o.allow_origin.as_deref() == Some(origin);
    let star = o.allow_origin.as_deref() == Some("*");
    let creds = o.allow_credentials.as_deref() == Some("true");
    let mut out = Vec::new();
    if expected_allowed {
        if star {
            out.push("[actual_star] the actual response says Access-Control-Allow-Origin: *; with credentials a browser rejects it — fix: cors({ origin: <the allowlist check>, credentials: true })".to_string());
        } else if !echoed {
            out.push(format!(
                "[actual_origin] the actual response (status {}) does not echo the origin: the browser discards the Bridge's answer — fix: apply cors() to every route, not only OPTIONS",
                o.status
            ));
        }
        if (echoed || star) && !creds {
            out.push("[actual_credentials] the actual response lacks Access-Control-Allow-Credentials: true: a fetch with credentials fails — fix: cors({ credentials: true })".to_string());
        }
    } else if echoed || star {
        out.push("[actual_allows] the actual response allows an origin the allowlist refuses: a browser on that site reads the Bridge's answers — fix: check the origin in cors({ origin }) against the allowlist".to_string());
    }
    out
}

/// Methods a browser sends without asking first (the Fetch standard's CORS-safelisted ones).
const SAFELISTED_METHODS: [&str; 3] = ["GET", "HEAD", "POST"];
/// Request headers a browser sends without asking first (`Content-Type` only for form types,
/// never for the widget's JSON).
const SAFELISTED_HEADERS: [&str; 3] = ["accept", "accept-language", "content-language"];

/// The widget's requests (each of `needs.methods` with `needs.headers`, with credentials) that
/// a browser on `origin` would refuse, judged as the Fetch standard does from the Bridge's
/// preflight answer and its answer to an actual request: a preflight unless the request is
/// safelisted, which must answer 2xx, echo the origin exactly (with credentials `*` is refused),
/// allow credentials, and list the method and every header (with credentials `*` is only a
/// name); then the actual answer must echo the origin and allow credentials. A short
/// `Access-Control-Max-Age` costs time but refuses nothing.
pub fn refused_requests(
    origin: &str,
    preflight: &Observed,
    actual: Option<&Observed>,
    needs: &Needs,
) -> Vec<String> {
    let credentialed = |o: &Observed| {
        o.allow_origin.as_deref() == Some(origin) && o.allow_credentials.as_deref() == Some("true")
    };
    let methods = listed(preflight.allow_methods.as_deref());
    let headers = listed(preflight.allow_headers.as_deref());
    let custom: Vec<String> = needs
        .headers
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .filter(|h| !SAFELISTED_HEADERS.contains(&h.as_str()))
        .collect();
    let preflight_ok = (200..300).contains(&preflight.status) && credentialed(preflight);
    let actual_ok = actual.is_none_or(credentialed);
    needs
        .methods
        .iter()
        .filter(|m| !m.eq_ignore_ascii_case("OPTIONS"))
        .filter(|m| {
            let safelisted = SAFELISTED_METHODS.iter().any(|s| m.eq_ignore_ascii_case(s));
            let asks = !safelisted || !custom.is_empty();
            let allowed_by_preflight = preflight_ok
                && (safelisted || methods.contains(&m.to_ascii_lowercase()))
                && custom.iter().all(|h| headers.contains(h));
            (asks && !allowed_by_preflight) || !actual_ok
        })
        .map(|m| m.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowing(methods: &str, headers: &str, age: Option<&str>) -> Observed {
        Observed {
            status: 204,
            allow_origin: Some("https://a.example".into()),
            allow_credentials: Some("true".into()),
            allow_methods: Some(methods.into()),
            allow_headers: Some(headers.into()),
            max_age: age.map(String::from),
            vary_origin: true,
        }
    }

    #[test]
    fn the_runbook_preflight_has_no_gap_and_a_narrowed_one_has_each() {
        let n = Needs::default();
        let full = allowing(
            "GET,POST,PATCH,DELETE,OPTIONS",
            "Content-Type,Authorization",
            Some("86400"),
        );
        assert!(preflight_gaps(&full, &n).is_empty());
        let narrow = allowing("GET,POST", "Content-Type", Some("5"));
        let gaps = preflight_gaps(&narrow, &n);
        assert_eq!(gaps.len(), 3, "{gaps:?}");
        assert!(gaps[0].starts_with("[methods]") && gaps[0].contains("PATCH, DELETE"));
        assert!(gaps[1].starts_with("[headers]") && gaps[1].contains("Authorization"));
        assert!(gaps[2].starts_with("[max_age]") && gaps[2].contains("maxAge"));
        let none = allowing("GET,POST,PATCH,DELETE", "content-type, authorization", None);
        assert_eq!(preflight_gaps(&none, &n).len(), 1);
    }

    #[test]
    fn a_browser_refuses_what_the_preflight_does_not_grant_and_nothing_for_max_age() {
        let n = Needs::default();
        let o = "https://a.example";
        let full = allowing(
            "GET,POST,PATCH,DELETE,OPTIONS",
            "Content-Type,Authorization",
            Some("5"),
        );
        assert!(refused_requests(o, &full, Some(&full), &n).is_empty());
        // POST is safelisted, but the widget's Authorization header makes every request ask.
        let methods = allowing("GET,POST", "Content-Type,Authorization", None);
        assert_eq!(refused_requests(o, &methods, None, &n), ["PATCH", "DELETE"]);
        let headers = allowing("GET,POST,PATCH,DELETE", "Content-Type", None);
        assert_eq!(
            refused_requests(o, &headers, None, &n),
            ["GET", "POST", "PATCH", "DELETE"]
        );
        // With credentials a wildcard is not a grant.
        let mut star = full.clone();
        star.allow_origin = Some("*".into());
        assert_eq!(refused_requests(o, &star, None, &n).len(), 4);
        // An actual answer without the echo refuses even what the preflight granted.
        let mut bare = full.clone();
        bare.allow_credentials = None;
        assert_eq!(refused_requests(o, &full, Some(&bare), &n).len(), 4);
        // Refused origins: everything.
        assert_eq!(
            refused_requests("https://b.example", &full, None, &n).len(),
            4
        );
    }

    #[test]
    fn the_actual_response_is_judged_as_a_credentialed_fetch() {
        let ok = allowing("", "", None);
        assert!(actual_gaps("https://a.example", true, &ok).is_empty());
        let star = Observed {
            allow_origin: Some("*".into()),
            ..ok.clone()
        };
        assert!(actual_gaps("https://a.example", true, &star)[0].starts_with("[actual_star]"));
        assert!(actual_gaps("https://a.example", false, &star)[0].starts_with("[actual_allows]"));
        let bare = Observed {
            status: 200,
            ..Default::default()
        };
        assert!(actual_gaps("https://a.example", true, &bare)[0].starts_with("[actual_origin]"));
        assert!(actual_gaps("https://evil.example", false, &bare).is_empty());
        let nocreds = Observed {
            allow_credentials: None,
            ..ok
        };
        assert!(
            actual_gaps("https://a.example", true, &nocreds)[0].starts_with("[actual_credentials]")
        );
    }
}
