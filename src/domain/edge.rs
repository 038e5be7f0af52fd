//! Edge truth: what a browser receives from the CDN, judged against what the store says it
//! should receive.
//!
//! The store can be perfect while customers still get yesterday's widget: an invalidation that
//! has not finished, a cache that ignores `max-age`, a response-headers policy that drops CORS.
//! `verify --edge` and the last phase of every change fetch the public URLs like a browser and
//! hand each answer here. These rules decide, without IO, what is wrong with one answer, which
//! release an alias is really serving, and when browsers will see a change.

use crate::domain::manifest::FileEntry;
use semver::Version;
use serde::Serialize;

/// What one GET of a public URL answered (headers as sent, the body's digest after decoding).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Observed {
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_encoding: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_origin: Option<String>,
    /// SHA-256 (hex) of the decoded body, for a 2xx answer whose encoding could be decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// A `Content-Encoding` the body could not be decoded from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undecodable: Option<String>,
    /// Informational: how long the edge has held it, its cache result, its ETag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
}

/// What the edge should serve for one URL.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub file: &'a FileEntry,
    /// The layout's Cache-Control for this URL: the alias's, or the release file's own.
    pub cache_control: &'a str,
    /// The `Origin` the request carried (scripts and stylesheets must be allowed for it).
    pub origin: &'a str,
    /// Whether the request asked for a compressed answer.
    pub asked_compression: bool,
}

/// One way an answer differs from what browsers should get.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Finding {
    #[error("the edge answers {status} instead of the file")]
    NotServed { status: u16 },
    #[error("{}", other_bytes(serving.as_ref(), expected))]
    OtherBytes {
        /// The published release whose file the edge serves instead, when one matches.
        serving: Option<Version>,
        /// The release the store says it should serve.
        expected: Version,
    },
    #[error("Cache-Control is {}, expected '{want}'", quoted(got))]
    CacheControl { got: Option<String>, want: String },
    #[error("Content-Type is {}, expected '{want}'", quoted(got))]
    ContentType { got: Option<String>, want: String },
    #[error(
        "served uncompressed although the browser asked for br or gzip: turn on compression at the CDN"
    )]
    NotCompressed,
    #[error(
        "{}: the embed snippet loads it with crossorigin=\"anonymous\" and integrity, so browsers refuse the script — add a CORS response header at the CDN",
        no_cors(got)
    )]
    NoCors { got: Option<String> },
    #[error("the body is encoded as '{encoding}', which Shipdeck cannot decode to check its bytes")]
    Undecodable { encoding: String },
}

fn quoted(v: &Option<String>) -> String {
    v.as_ref()
        .map_or_else(|| "missing".to_string(), |v| format!("'{v}'"))
}

fn other_bytes(serving: Option<&Version>, expected: &Version) -> String {
    match serving {
        Some(v) => format!("the edge still serves the {v} file (the store says {expected})"),
        None => {
            format!("the edge serves bytes of no published release (the store says {expected})")
        }
    }
}

fn no_cors(got: &Option<String>) -> String {
    match got {
        None => "no Access-Control-Allow-Origin".to_string(),
        Some(v) => format!("Access-Control-Allow-Origin is '{v}', not this origin"),
    }
}

impl Finding {
    /// Whether this finding says the bytes are not (yet) the target's: what waiting can fix.
    pub fn is_stale(&self) -> bool {
        matches!(self, Finding::OtherBytes { .. } | Finding::NotServed { .. })
    }
}

/// The smallest and largest bodies a CDN compresses on the fly: CloudFront compresses 1,000 to
/// 10,000,000 bytes, Front Door 1 KiB to 8 MiB, so only files inside both are expected
/// compressed.
pub const COMPRESS_MIN: u64 = 1024;
pub const COMPRESS_MAX: u64 = 8 * 1024 * 1024;

fn extension(path: &str) -> String {
    path.rsplit('.').next().unwrap_or("").to_ascii_lowercase()
}

/// Scripts and stylesheets: loaded with `crossorigin`, so they need a CORS header.
pub fn needs_cors(path: &str) -> bool {
    matches!(extension(path).as_str(), "js" | "mjs" | "css")
}

/// Files a CDN should compress when the browser asks (and the size is in range).
pub fn should_compress(path: &str, size: u64) -> bool {
    matches!(extension(path).as_str(), "js" | "mjs" | "css" | "map")
        && (COMPRESS_MIN..=COMPRESS_MAX).contains(&size)
}

/// Cache-Control values mean the same when they carry the same directives, in any order and
/// case.
pub fn same_cache_control(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        let mut d: Vec<String> = s
            .split(',')
            .map(|p| p.trim().to_ascii_lowercase().replace(' ', ""))
            .filter(|p| !p.is_empty())
            .collect();
        d.sort();
        d
    };
    norm(a) == norm(b)
}

fn essence(ct: &str) -> String {
    ct.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// A Content-Type is right when its media type is the expected one (parameters aside); every
/// JavaScript media type counts as JavaScript.
pub fn same_content_type(got: &str, want: &str) -> bool {
    let js = |e: &str| {
        matches!(
            e,
            "text/javascript" | "application/javascript" | "application/x-javascript"
        )
    };
    let (g, w) = (essence(got), essence(want));
    g == w || (js(&g) && js(&w))
}

/// Judges one answer. `identify(path, sha256)` names the published release whose file at that
/// path has those bytes, so a stale alias says what it serves instead.
pub fn judge(
    want: &Expected<'_>,
    expected_version: &Version,
    got: &Observed,
    identify: &dyn Fn(&str, &str) -> Option<Version>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if !(200..300).contains(&got.status) {
        out.push(Finding::NotServed { status: got.status });
        return out;
    }
    let f = want.file;
    match (&got.sha256, &got.undecodable) {
        (_, Some(enc)) => out.push(Finding::Undecodable {
            encoding: enc.clone(),
        }),
        (Some(sha), None) if *sha != f.sha256 => out.push(Finding::OtherBytes {
            serving: identify(&f.path, sha),
            expected: expected_version.clone(),
        }),
        _ => {}
    }
    if !got
        .cache_control
        .as_deref()
        .is_some_and(|c| same_cache_control(c, want.cache_control))
    {
        out.push(Finding::CacheControl {
            got: got.cache_control.clone(),
            want: want.cache_control.to_string(),
        });
    }
    if !got
        .content_type
        .as_deref()
        .is_some_and(|c| same_content_type(c, &f.content_type))
    {
        out.push(Finding::ContentType {
            got: got.content_type.clone(),
            want: f.content_type.clone(),
        });
    }
    let encoded = got
        .content_encoding
        .as_deref()
        .is_some_and(|e| !e.trim().eq_ignore_ascii_case("identity") && !e.trim().is_empty());
    if want.asked_compression && should_compress(&f.path, f.size) && !encoded {
        out.push(Finding::NotCompressed);
    }
    if needs_cors(&f.path) {
        let ok = got
            .allow_origin
            .as_deref()
            .is_some_and(|a| a == "*" || a == want.origin);
        if !ok {
            out.push(Finding::NoCors {
                got: got.allow_origin.clone(),
            });
        }
    }
    out
}

/// The release a whole folder is served as, when every stale file of it is that release's: the
/// sentence "latest/ is still served as 1.0.0 at the edge".
pub fn served_as<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Option<Version> {
    let mut seen: Option<Version> = None;
    for f in findings {
        if let Finding::OtherBytes { serving, .. } = f {
            match (serving, &seen) {
                (None, _) => return None,
                (Some(v), None) => seen = Some(v.clone()),
                (Some(v), Some(s)) if v != s => return None,
                _ => {}
            }
        }
    }
    seen
}

/// How long browsers may keep an alias file after it changed: the `max-age` of its
/// Cache-Control (0 when it has none or says `no-store`/`no-cache`).
pub fn max_age_secs(cache_control: &str) -> u64 {
    let mut age = 0;
    for d in cache_control
        .split(',')
        .map(|d| d.trim().to_ascii_lowercase())
    {
        if d == "no-store" || d == "no-cache" {
            return 0;
        }
        if let Some(v) = d.strip_prefix("max-age=") {
            age = v.trim_matches('"').parse().unwrap_or(0);
        }
    }
    age
}

/// When browsers will see an alias change: after the CDN forgets the old files (an
/// invalidation whose duration is not in our hands, or at once without a CDN), plus the
/// alias's max-age for browsers that loaded it just before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Visibility {
    /// Whether a CDN invalidation or purge must complete first.
    pub after_invalidation: bool,
    /// Seconds browsers may keep the old alias files (`max-age` of `alias_cache_control`).
    pub browser_max_age: u64,
    pub alias_cache_control: String,
}

impl Visibility {
    pub fn new(alias_cache_control: &str, after_invalidation: bool) -> Self {
        Visibility {
            after_invalidation,
            browser_max_age: max_age_secs(alias_cache_control),
            alias_cache_control: alias_cache_control.to_string(),
        }
    }
}

impl std::fmt::Display for Visibility {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let when = if self.after_invalidation {
            "after the invalidation completes (minutes; not in Shipdeck's hands)"
        } else {
            "as soon as it is written (no CDN cache is invalidated)"
        };
        write!(
            f,
            "browsers see it {when}, plus up to {} s for browsers that loaded the alias within its max-age ('{}'); pinned versions (vX.Y.Z/) never change",
            self.browser_max_age, self.alias_cache_control
        )
    }
}

/// The longest wait for the edge Shipdeck accepts (an invalidation takes minutes, not hours).
pub const MAX_WAIT_SECS: u64 = 3600;

/// A wait that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a wait; use seconds, minutes or an hour such as 90s, 5m or 1h (at most 1h)")]
pub struct WaitError(pub String);

/// A wait written as `90s`, `5m`, `1h` or plain seconds, from 1 s to [`MAX_WAIT_SECS`].
pub fn parse_wait(s: &str) -> Result<std::time::Duration, WaitError> {
    let t = s.trim();
    let (n, unit) = match t.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (&t[..i], &t[i..]),
        None => (t, "s"),
    };
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(WaitError(s.to_string())),
    };
    let secs = n
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .filter(|v| (1..=MAX_WAIT_SECS).contains(v))
        .ok_or_else(|| WaitError(s.to_string()))?;
    Ok(std::time::Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_parse_with_units_and_bounds() {
        assert_eq!(parse_wait("90s").unwrap().as_secs(), 90);
        assert_eq!(parse_wait("5m").unwrap().as_secs(), 300);
        assert_eq!(parse_wait("1h").unwrap().as_secs(), 3600);
        assert_eq!(parse_wait("42").unwrap().as_secs(), 42);
        for bad in [
            "",
            "0s",
            "2h",
            "5 m",
            "m",
            "-1s",
            "1d",
            "99999999999999999999s",
        ] {
            assert!(parse_wait(bad).is_err(), "{bad}");
        }
    }

    fn file(path: &str, size: u64, ct: &str) -> FileEntry {
        FileEntry {
            path: path.into(),
            size,
            gzip_size: size / 3,
            brotli_size: None,
            sha256: "aa".into(),
            sri: "sha384-x".into(),
            content_type: ct.into(),
            cache_control: "public, max-age=3600".into(),
            content_id: None,
        }
    }

    fn good() -> Observed {
        Observed {
            status: 200,
            cache_control: Some("public, max-age=300".into()),
            content_type: Some("application/javascript".into()),
            content_encoding: Some("gzip".into()),
            allow_origin: Some("*".into()),
            sha256: Some("aa".into()),
            ..Default::default()
        }
    }

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn a_clean_answer_has_no_finding_and_each_difference_is_one() {
        let f = file("msr-webchat.umd.js", 5000, "text/javascript; charset=utf-8");
        let want = Expected {
            file: &f,
            cache_control: "public, max-age=300",
            origin: "https://app.example.com",
            asked_compression: true,
        };
        let none = |_: &str, _: &str| None;
        assert!(judge(&want, &v("1.0.1"), &good(), &none).is_empty());

        let stale = Observed {
            sha256: Some("bb".into()),
            ..good()
        };
        let old = |p: &str, s: &str| (p == "msr-webchat.umd.js" && s == "bb").then(|| v("1.0.0"));
        let got = judge(&want, &v("1.0.1"), &stale, &old);
        assert_eq!(
            got,
            vec![Finding::OtherBytes {
                serving: Some(v("1.0.0")),
                expected: v("1.0.1")
            }]
        );
        assert_eq!(served_as(&got), Some(v("1.0.0")));
        assert!(got[0].to_string().contains("still serves the 1.0.0 file"));

        let bad = Observed {
            cache_control: Some("max-age=60".into()),
            content_type: Some("text/plain".into()),
            content_encoding: None,
            allow_origin: None,
            ..good()
        };
        let codes: Vec<String> = judge(&want, &v("1.0.1"), &bad, &none)
            .iter()
            .map(|f| {
                serde_json::to_value(f).unwrap()["code"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            codes,
            ["cache_control", "content_type", "not_compressed", "no_cors"]
        );
        let msg = Finding::NoCors { got: None }.to_string();
        assert!(msg.contains("browsers refuse the script"), "{msg}");
    }

    #[test]
    fn small_files_and_other_types_are_not_expected_compressed_or_cors() {
        let f = file("index.html", 50_000, "text/html; charset=utf-8");
        let want = Expected {
            file: &f,
            cache_control: "public, max-age=300",
            origin: "https://a.example",
            asked_compression: true,
        };
        let plain = Observed {
            content_type: Some("text/html".into()),
            content_encoding: None,
            allow_origin: None,
            ..good()
        };
        assert!(judge(&want, &v("1.0.0"), &plain, &|_, _| None).is_empty());
        assert!(!should_compress("a.js", 999));
        assert!(should_compress("a.js.map", 2000));
        let missing = Observed {
            status: 404,
            ..Default::default()
        };
        assert_eq!(
            judge(&want, &v("1.0.0"), &missing, &|_, _| None),
            vec![Finding::NotServed { status: 404 }]
        );
    }

    #[test]
    fn equivalences_and_max_age() {
        assert!(same_cache_control(
            "public,max-age=300",
            "Public, max-age=300"
        ));
        assert!(same_cache_control(
            "immutable, public, max-age=31536000",
            "public, immutable, max-age=31536000"
        ));
        assert!(!same_cache_control(
            "public, max-age=300",
            "public, max-age=3600"
        ));
        assert!(same_content_type(
            "application/javascript",
            "text/javascript; charset=utf-8"
        ));
        assert!(!same_content_type("text/css", "text/javascript"));
        assert_eq!(max_age_secs("public, max-age=300"), 300);
        assert_eq!(max_age_secs("no-store"), 0);
        let s = Visibility::new("public, max-age=300", true).to_string();
        assert!(s.contains("after the invalidation completes"), "{s}");
        assert!(s.contains("up to 300 s"), "{s}");
        assert_eq!(served_as(&[]), None);
        let mixed = [
            Finding::OtherBytes {
                serving: Some(v("1.0.0")),
                expected: v("1.1.0"),
            },
            Finding::OtherBytes {
                serving: Some(v("0.9.0")),
                expected: v("1.1.0"),
            },
        ];
        assert_eq!(served_as(&mixed), None);
    }
}
