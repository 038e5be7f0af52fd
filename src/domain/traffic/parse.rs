//! CDN access-log lines → requests. Three formats, each read by its own field names, never by
//! position:
//! - W3C (CloudFront's legacy standard logs and standard logging v2 in w3c): `#Fields:` names the
//!   columns, and a concatenated file repeats it, so every `#Fields:` line resets the map;
//! - JSON lines of CloudFront standard logging v2 (the same names as keys);
//! - JSON lines of Azure Front Door's `FrontDoorAccessLog` (`time`, `properties.requestUri`…).
//!
//! The traps are handled here once: values are percent-encoded (decoded once, so `%2520` stays
//! `%20`), `-` means empty, status `000` means the viewer left (0), `Error` with 200 is an
//! incomplete download, rows may end with a trailing tab, lines are not in time order. A line
//! that cannot be read is counted, never fatal.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;

/// One request as a log line records it. Its text borrows from the line when the line needs no
/// decoding (the usual case): a million lines are read without a million allocations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request<'a> {
    pub at: DateTime<Utc>,
    /// The URL path, percent-decoded once.
    pub path: Cow<'a, str>,
    /// 0 when the viewer left before a status was sent (`000`).
    pub status: u16,
    pub bytes: u64,
    /// Served from the CDN's cache; `None` when the log does not say.
    pub cache_hit: Option<bool>,
    /// The download did not finish (`Error` with 200).
    pub incomplete: bool,
    /// The host of the Referer, when there is one (client addresses are never kept).
    pub referrer_host: Option<Cow<'a, str>>,
    /// How long the CDN took to serve it (CloudFront `time-taken`, Front Door `timeTaken`), in
    /// milliseconds; `None` when the log does not say.
    pub time_taken_ms: Option<u32>,
}

/// Decodes `%XX` escapes once; a malformed escape is kept as written.
pub fn percent_decode_once(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// The host of a URL (`https://shop.example.com:443/x` → `shop.example.com`).
pub fn host_of(url: &str) -> Option<String> {
    host_in(url).map(Cow::into_owned)
}

/// [`host_of`], borrowing from `url` when the host is already lowercase. One pass over the
/// authority, no search calls: this runs once per log line, on a short text.
fn host_in(url: &str) -> Option<Cow<'_, str>> {
    let start = url
        .as_bytes()
        .windows(3)
        .position(|w| matches!(w, [b':', b'/', b'/']))?
        + 3;
    let rest = url.get(start..)?;
    // The authority ends at the path, query or fragment; the host follows the last `@` and
    // ends at the first `:` after it (the port).
    let (mut end, mut host_start, mut colon) = (rest.len(), 0, None);
    for (i, b) in rest.bytes().enumerate() {
        match b {
            b'/' | b'?' | b'#' => {
                end = i;
                break;
            }
            b'@' => (host_start, colon) = (i + 1, None),
            b':' if colon.is_none() => colon = Some(i),
            _ => {}
        }
    }
    let authority = rest.get(host_start..end)?;
    let host = if authority.starts_with('[') {
        // An IPv6 literal: its colons are not a port.
        authority
            .split_once(']')
            .map_or(authority, |(h, _)| h)
            .trim_start_matches('[')
    } else {
        colon
            .and_then(|c| rest.get(host_start..c))
            .unwrap_or(authority)
    };
    if host.is_empty() {
        None
    } else if host.bytes().any(|b| b.is_ascii_uppercase()) {
        Some(Cow::Owned(host.to_ascii_lowercase()))
    } else {
        Some(Cow::Borrowed(host))
    }
}

/// A Referer's host: decoded once, then its host (borrowed when nothing needed decoding).
fn referrer_host_of(referer: &str) -> Option<Cow<'_, str>> {
    match decoded(referer) {
        Cow::Borrowed(r) => host_in(r),
        Cow::Owned(r) => host_of(&r).map(Cow::Owned),
    }
}

fn empty(v: &str) -> bool {
    v.is_empty() || v == "-"
}

/// `x-edge-result-type` (or Front Door's `cacheStatus`) → cache hit (any case, no copy: this
/// runs once per line).
fn cache_result(v: &str) -> Option<bool> {
    const HIT: [&str; 5] = [
        "hit",
        "refreshhit",
        "originshieldhit",
        "remote_hit",
        "partial_hit",
    ];
    const MISS: [&str; 6] = [
        "miss",
        "config_nocache",
        "error",
        "limitexceeded",
        "capacityexceeded",
        "redirect",
    ];
    if HIT.iter().any(|h| v.eq_ignore_ascii_case(h)) {
        Some(true)
    } else if MISS.iter().any(|m| v.eq_ignore_ascii_case(m)) {
        Some(false)
    } else {
        None
    }
}

/// Percent-decoded once, borrowed when there is nothing to decode (the usual case).
fn decoded(s: &str) -> Cow<'_, str> {
    if memchr::memchr(b'%', s.as_bytes()).is_none() {
        Cow::Borrowed(s)
    } else {
        percent_encoding::percent_decode_str(s).decode_utf8_lossy()
    }
}

/// What one data line's fields say, by name.
fn request_from(get: &dyn Fn(&str) -> Option<String>) -> Option<Request<'static>> {
    let at = match (get("date"), get("time")) {
        (Some(d), Some(t)) => {
            let d = NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()?;
            let t = NaiveTime::parse_from_str(&t, "%H:%M:%S").ok()?;
            Utc.from_utc_datetime(&d.and_time(t))
        }
        _ => {
            // Standard logging v2 may carry `timestamp` (seconds) or `timestamp(ms)`.
            if let Some(ms) = get("timestamp(ms)").and_then(|v| v.parse::<i64>().ok()) {
                DateTime::from_timestamp_millis(ms)?
            } else {
                let secs = get("timestamp")?.parse::<f64>().ok()?;
                DateTime::from_timestamp_millis((secs * 1000.0) as i64)?
            }
        }
    };
    let path: Cow<'static, str> = Cow::Owned(percent_decode_once(&get("cs-uri-stem")?));
    if !path.starts_with('/') {
        return None;
    }
    let status_text = get("sc-status")?;
    let status = if status_text == "000" {
        0
    } else {
        status_text.parse::<u16>().ok()?
    };
    let bytes = get("sc-bytes")
        .map(|b| b.parse::<u64>())
        .transpose()
        .ok()?
        .unwrap_or(0);
    let result = get("x-edge-result-type").unwrap_or_default();
    let response = get("x-edge-response-result-type").unwrap_or_default();
    let incomplete = status == 200 && (result == "Error" || response == "Error");
    Some(Request {
        at,
        path,
        status,
        bytes,
        cache_hit: cache_result(&result),
        incomplete,
        referrer_host: get("cs(Referer)")
            .map(|r| percent_decode_once(&r))
            .and_then(|r| host_of(&r))
            .map(Cow::Owned),
        time_taken_ms: get("time-taken").and_then(|t| super::latency::millis(&t)),
    })
}

/// The fields a request reads from a W3C row, in slot order; the first four are required.
const WANTED: [&str; 9] = [
    "date",
    "time",
    "cs-uri-stem",
    "sc-status",
    "sc-bytes",
    "x-edge-result-type",
    "x-edge-response-result-type",
    "cs(Referer)",
    "time-taken",
];
const DATE: usize = 0;
const TIME: usize = 1;
const URI: usize = 2;
const STATUS: usize = 3;
const BYTES: usize = 4;
const RESULT: usize = 5;
const RESPONSE: usize = 6;
const REFERER: usize = 7;
const TIME_TAKEN: usize = 8;

/// A row's wanted fields, by slot (empty when the file has no such column).
type Slots<'a> = [&'a str; WANTED.len()];

/// Where the fields a request needs are in a W3C row, from its `#Fields:` line.
struct Columns {
    count: usize,
    split: super::scan::Splitter,
}

impl Columns {
    /// The slots of the named fields; `None` when the file lacks one a request needs (its
    /// rows are then read by name, the slow way, to count them as unreadable the same way).
    fn of(map: &HashMap<String, usize>) -> Option<Columns> {
        if WANTED[..=STATUS].iter().any(|n| !map.contains_key(*n)) {
            return None;
        }
        let wanted = WANTED
            .iter()
            .enumerate()
            .filter_map(|(slot, n)| map.get(*n).map(|c| (*c, slot)))
            .collect();
        Some(Columns {
            count: map.len(),
            split: super::scan::Splitter::new(wanted),
        })
    }
}

/// `YYYY-MM-DD` → days since the epoch, by hand (this runs once per line).
fn day_of(d: &str) -> Option<i64> {
    let b = d.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)?;
    Some(date.signed_duration_since(NaiveDate::default()).num_days())
}

/// `HH:MM:SS` → seconds into the day.
fn secs_of(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    if b.len() != 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let two = |i: usize| -> Option<i64> {
        (b[i].is_ascii_digit() && b[i + 1].is_ascii_digit())
            .then(|| i64::from(b[i] - b'0') * 10 + i64::from(b[i + 1] - b'0'))
    };
    let (h, m, s) = (two(0)?, two(3)?, two(6)?);
    (h < 24 && m < 60 && s < 61).then_some(h * 3600 + m * 60 + s)
}

/// One W3C row by the positions of its fields, borrowing its text.
fn w3c_request<'a>(cols: &Slots<'a>, last_day: &mut Option<(&'a str, i64)>) -> Option<Request<'a>> {
    let field = |slot: usize| Some(cols[slot]).filter(|v| !empty(v));
    let d = field(DATE)?;
    let day = match *last_day {
        Some((text, day)) if text == d => day,
        _ => {
            let day = day_of(d)?;
            *last_day = Some((d, day));
            day
        }
    };
    let at = DateTime::from_timestamp(day * 86_400 + secs_of(field(TIME)?)?, 0)?;
    let path = decoded(field(URI)?);
    if !path.starts_with('/') {
        return None;
    }
    let status_text = field(STATUS)?;
    let status = if status_text == "000" {
        0
    } else {
        status_text.parse::<u16>().ok()?
    };
    let bytes = match field(BYTES) {
        Some(b) => b.parse::<u64>().ok()?,
        None => 0,
    };
    let result = field(RESULT).unwrap_or_default();
    let response = field(RESPONSE).unwrap_or_default();
    Some(Request {
        at,
        path,
        status,
        bytes,
        cache_hit: cache_result(result),
        incomplete: status == 200 && (result == "Error" || response == "Error"),
        referrer_host: field(REFERER).and_then(referrer_host_of),
        time_taken_ms: field(TIME_TAKEN).and_then(super::latency::millis),
    })
}

/// Reads W3C text; calls `each` per request; returns how many data lines could not be read.
pub fn w3c<'a>(text: &'a str, each: &mut dyn FnMut(Request<'a>)) -> u64 {
    let mut fields: Option<HashMap<String, usize>> = None;
    let mut columns: Option<Columns> = None;
    let mut last_day = None;
    let mut slots: Slots<'a> = [""; WANTED.len()];
    let mut cols: Vec<&'a str> = Vec::with_capacity(40);
    let mut bad = 0;
    for line in super::scan::lines(text) {
        if let Some(names) = line.strip_prefix("#Fields:") {
            let map: HashMap<String, usize> = names
                .split_whitespace()
                .enumerate()
                .map(|(i, n)| (n.to_string(), i))
                .collect();
            columns = Columns::of(&map);
            fields = Some(map);
            continue;
        }
        if line.starts_with('#') || line.trim_start().is_empty() {
            continue;
        }
        let Some(map) = &fields else {
            bad += 1;
            continue;
        };
        if let Some(c) = &mut columns {
            // The fields a request reads; the rest of the row is only counted.
            let fields = c.split.split(line, &mut slots);
            // A short row (a cut-off line) cannot be trusted; a trailing tab only adds an
            // empty column at the end.
            match (fields >= c.count)
                .then(|| w3c_request(&slots, &mut last_day))
                .flatten()
            {
                Some(r) => each(r),
                None => bad += 1,
            }
            continue;
        }
        cols.clear();
        cols.extend(line.split('\t'));
        let get = |name: &str| {
            map.get(name)
                .and_then(|i| cols.get(*i))
                .filter(|v| !empty(v))
                .map(|v| v.to_string())
        };
        // A short row (a cut-off line) cannot be trusted; a trailing tab only adds an empty
        // column at the end.
        if cols.len() < map.len() {
            bad += 1;
            continue;
        }
        match request_from(&get) {
            Some(r) => each(r),
            None => bad += 1,
        }
    }
    bad
}

/// Reads JSON lines (CloudFront v2 JSON or Front Door); returns the unreadable lines.
pub fn json_lines<'a>(text: &'a str, each: &mut dyn FnMut(Request<'a>)) -> u64 {
    let mut bad = 0;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            bad += 1;
            continue;
        };
        let r = if v["properties"].is_object() {
            front_door(&v)
        } else {
            let get = |name: &str| {
                let f = &v[name];
                let s = match f {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => return None,
                };
                (!empty(&s)).then_some(s)
            };
            request_from(&get)
        };
        match r {
            Some(r) => each(r),
            None => bad += 1,
        }
    }
    bad
}

/// One Front Door access-log record.
fn front_door(v: &Value) -> Option<Request<'static>> {
    let p = &v["properties"];
    let at = DateTime::parse_from_rfc3339(v["time"].as_str()?)
        .ok()?
        .with_timezone(&Utc);
    let uri = p["requestUri"].as_str()?;
    let after_host = uri.split_once("://").map_or(uri, |(_, r)| r);
    let path_and_query = after_host.find('/').map_or("/", |i| &after_host[i..]);
    let path = Cow::Owned(percent_decode_once(
        path_and_query.split(['?', '#']).next().unwrap_or("/"),
    ));
    let num = |k: &str| match &p[k] {
        Value::String(s) => s.parse::<u64>().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    };
    let status = u16::try_from(num("httpStatusCode")?).ok()?;
    Some(Request {
        at,
        path,
        status,
        bytes: num("responseBytes").unwrap_or(0),
        cache_hit: p["cacheStatus"].as_str().and_then(cache_result),
        incomplete: false,
        referrer_host: p["referrer"]
            .as_str()
            .filter(|r| !empty(r))
            .and_then(host_of)
            .map(Cow::Owned),
        time_taken_ms: match &p["timeTaken"] {
            Value::String(s) => super::latency::millis(s),
            Value::Number(n) => n
                .as_f64()
                .and_then(|s| super::latency::millis(&s.to_string())),
            _ => None,
        },
    })
}

/// Reads a log file's text in whichever format it is; returns the unreadable lines.
pub fn any<'a>(text: &'a str, each: &mut dyn FnMut(Request<'a>)) -> u64 {
    match text.trim_start().chars().next() {
        Some('{') => json_lines(text, each),
        _ => w3c(text, each),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &str = "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end\n";

    fn row(time: &str, path: &str, status: &str, result: &str, referer: &str) -> String {
        format!(
            "2026-11-20\t{time}\tIAD89-C1\t1234\t192.0.2.1\tGET\td1.cloudfront.net\t{path}\t{status}\t{referer}\tMozilla/5.0\t-\t-\t{result}\tid\tcdn.example.com\thttps\t100\t0.01\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256\t{result}\tHTTP/2.0\t-\t-\t443\t0.01\t{result}\ttext/javascript\t1234\t-\t-\t\n"
        )
    }

    #[test]
    fn w3c_traps() {
        let text = format!(
            "{FIELDS}{}{}{}{FIELDS}{}short\tline\n{}",
            row(
                "10:00:00",
                "/msr-webchat/v1.2.0/a%2520b.js",
                "200",
                "Hit",
                "https://shop.example.com%3A443/page"
            ),
            row("09:59:00", "/msr-webchat/latest/x.js", "000", "Miss", "-"),
            row("10:01:00", "/msr-webchat/latest/x.js", "200", "Error", "-"),
            row("10:02:00", "/msr-webchat/v1/x.js", "304", "RefreshHit", "-"),
            row("25:99:00", "/bad", "200", "Hit", "-"),
        );
        let mut got = Vec::new();
        let bad = w3c(&text, &mut |r| got.push(r));
        assert_eq!(bad, 2, "the short line and the bad time");
        assert_eq!(got.len(), 4);
        // Decoded once: %2520 → %20, not a space.
        assert_eq!(got[0].path, "/msr-webchat/v1.2.0/a%20b.js");
        assert_eq!(got[0].referrer_host.as_deref(), Some("shop.example.com"));
        assert_eq!(got[0].cache_hit, Some(true));
        assert_eq!((got[1].status, got[1].referrer_host.as_deref()), (0, None));
        assert!(got[2].incomplete && got[2].cache_hit == Some(false));
        assert_eq!(got[3].status, 304);
        // `time-taken` (seconds, the column by its name, not the TTFB beside it) in ms.
        assert!(got.iter().all(|r| r.time_taken_ms == Some(10)));
        // Data before any #Fields line is unreadable.
        assert_eq!(w3c("2026-11-20\t10:00:00\n", &mut |_| {}), 1);
    }

    #[test]
    fn a_referer_host_is_its_authority_without_user_or_port() {
        for (url, want) in [
            ("https://shop.example.com/page", Some("shop.example.com")),
            (
                "https://Shop.Example.COM:8443?x#y",
                Some("shop.example.com"),
            ),
            (
                "http://user:pa:ss@host.example:80/a@b",
                Some("host.example"),
            ),
            ("https://[2001:db8::1]:443/", Some("2001:db8::1")),
            ("android-app://com.example.app/", Some("com.example.app")),
            ("https:/one-slash.example/", None),
            ("https://", None),
            ("https://:443/", None),
            ("no scheme at all", None),
        ] {
            assert_eq!(host_of(url).as_deref(), want, "{url}");
        }
    }

    #[test]
    fn json_lines_of_both_kinds() {
        let text = r#"{"timestamp":"1763632800","cs-uri-stem":"/msr-webchat/latest/x.js","sc-status":"200","sc-bytes":"10","x-edge-result-type":"Hit"}
{"time":"2026-11-20T10:00:00.0000000Z","properties":{"requestUri":"https://cdn.example.com:443/msr-webchat/v1.2.0/x.js?v=1","httpStatusCode":"404","responseBytes":"0","cacheStatus":"MISS","referrer":"https://a.example.org/","timeTaken":"0.250"}}
not json
{"time":"2026-11-20T10:00:00Z","properties":{"requestUri":"https://cdn.example.com/x","httpStatusCode":"abc"}}
"#;
        let mut got = Vec::new();
        let bad = json_lines(text, &mut |r| got.push(r));
        assert_eq!(bad, 2);
        assert_eq!(got[0].path, "/msr-webchat/latest/x.js");
        assert_eq!(got[0].at.timestamp(), 1_763_632_800);
        assert_eq!(got[1].path, "/msr-webchat/v1.2.0/x.js");
        assert_eq!((got[1].status, got[1].cache_hit), (404, Some(false)));
        assert_eq!(got[1].referrer_host.as_deref(), Some("a.example.org"));
        assert_eq!(
            (got[0].time_taken_ms, got[1].time_taken_ms),
            (None, Some(250))
        );
    }
}
