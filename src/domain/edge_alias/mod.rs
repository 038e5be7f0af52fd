//! Edge aliases (issue: "rollback in seconds with no copies"): an alias as one key at the CDN's
//! edge instead of a folder of copies. A CloudFront KeyValueStore holds one key per alias
//! (`latest`, `v1`, `v1.0`, `next`, …); a viewer-request function (generated in
//! [`cloudfront`]) rewrites `/{prefix}{alias}/{file}` to `/{prefix}v{X.Y.Z}/{file}` before the
//! cache lookup, so moving an alias is one key write: no copies, no invalidation.
//!
//! The key's value is the contract between Shipdeck and the function (the README documents it):
//!
//! | value            | viewers get                                                      |
//! |------------------|------------------------------------------------------------------|
//! | `1.0.1`          | 1.0.1                                                            |
//! | `1.0.1;1.1.0=5`  | 1.1.0 for 5 % of viewers (sticky per viewer address), else 1.0.1 |
//!
//! A viewer's share is [`viewer_bucket`] of its address, 0–99, computed the same way by the
//! generated JavaScript (a test runs both on the same addresses): one page load never mixes
//! the files of two releases, and raising the percentage only adds viewers.
//!
//! Pure: parsing, formatting, limits and the bucket rule; no IO.

pub mod cloudfront;
pub mod frontdoor;
pub mod setup;

use crate::domain::version::{VersionError, parse_version};
use semver::Version;
use std::fmt;
use std::str::FromStr;

/// The longest KeyValueStore key, in bytes (AWS, "Quotas on CloudFront Functions": key size).
pub const MAX_KEY_BYTES: usize = 512;
/// The longest KeyValueStore value, in bytes (same quota table: value size, 1 KB).
pub const MAX_VALUE_BYTES: usize = 1024;
/// The largest CloudFront Function, in bytes (same quota table: function size, 10 KB).
pub const MAX_FUNCTION_BYTES: usize = 10 * 1024;

/// What an alias serves at the edge: a release, and during a gradual promote a canary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EdgeTarget {
    pub stable: Version,
    pub canary: Option<Canary>,
}

/// A release served to a whole-percent share of viewers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canary {
    pub version: Version,
    /// 1 to 99.
    pub percent: u8,
}

/// Why a KeyValueStore value is not an edge target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EdgeValueError {
    #[error(
        "'{0}' is not an edge alias value; write VERSION or VERSION;CANARY=PERCENT (e.g. 1.0.1;1.1.0=5)"
    )]
    Malformed(String),
    #[error("{0}")]
    Version(#[from] VersionError),
    #[error("a canary share is a whole percent from 1 to 99, not '{0}'")]
    Percent(String),
    #[error("the canary {0} is the release every other viewer gets; name a different release")]
    SameVersion(Version),
    #[error(
        "'{0}' is longer than the {MAX_VALUE_BYTES} bytes a KeyValueStore value holds; use shorter prerelease names"
    )]
    TooLong(String),
}

impl fmt::Display for EdgeTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.canary {
            None => write!(f, "{}", self.stable),
            Some(c) => write!(f, "{};{}={}", self.stable, c.version, c.percent),
        }
    }
}

impl FromStr for EdgeTarget {
    type Err = EdgeValueError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        if value.len() > MAX_VALUE_BYTES {
            return Err(EdgeValueError::TooLong(value.chars().take(40).collect()));
        }
        let malformed = || EdgeValueError::Malformed(value.to_string());
        let (stable, canary) = match value.split_once(';') {
            None => (value, None),
            Some((s, c)) => (s, Some(c.split_once('=').ok_or_else(malformed)?)),
        };
        if stable.is_empty() || stable.trim() != stable {
            return Err(malformed());
        }
        let stable = parse_version(stable)?;
        let canary = match canary {
            None => None,
            Some((v, p)) => {
                let version = parse_version(v)?;
                let percent = p
                    .parse::<u8>()
                    .ok()
                    .filter(|n| (1..=99).contains(n) && p.chars().all(|c| c.is_ascii_digit()))
                    .ok_or_else(|| EdgeValueError::Percent(p.to_string()))?;
                if version == stable {
                    return Err(EdgeValueError::SameVersion(version));
                }
                Some(Canary { version, percent })
            }
        };
        Ok(EdgeTarget { stable, canary })
    }
}

impl EdgeTarget {
    /// The release the viewer at `addr` gets.
    pub fn serves(&self, addr: &str) -> &Version {
        match &self.canary {
            Some(c) if viewer_bucket(addr) < u32::from(c.percent) => &c.version,
            _ => &self.stable,
        }
    }
}

/// A viewer's place in 0–99: FNV-1a (32-bit) of its address's bytes, modulo 100. The generated
/// function's `bucket` is the same computation in JavaScript.
pub fn viewer_bucket(addr: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in addr.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h % 100
}

/// How an alias's key at the edge compares with the release state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyVerdict {
    /// The key names the release the state says (a canary on top included).
    InSync,
    /// The key names another release: browsers get it, not the state's.
    Differs,
    /// No key: browsers get the copied alias folder.
    Missing,
    /// A value the function cannot read: browsers get the copied alias folder.
    Unreadable,
    /// A key for an alias the state does not have.
    Orphan,
}

/// One alias (or orphan key) at the edge.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AliasKey {
    pub alias: String,
    /// What the release state says the alias serves.
    pub state: Option<String>,
    /// The key's value, as stored.
    pub edge: Option<String>,
    pub verdict: KeyVerdict,
}

/// Every alias of the state beside its key, then the keys no alias owns.
pub fn compare(
    aliases: &std::collections::BTreeMap<crate::domain::alias::AliasName, Version>,
    items: &std::collections::BTreeMap<String, String>,
) -> Vec<AliasKey> {
    let mut out: Vec<AliasKey> = aliases
        .iter()
        .map(|(a, target)| {
            let edge = items.get(&a.to_string()).cloned();
            let verdict = match edge.as_deref().map(str::parse::<EdgeTarget>) {
                None => KeyVerdict::Missing,
                Some(Err(_)) => KeyVerdict::Unreadable,
                Some(Ok(t)) if &t.stable == target => KeyVerdict::InSync,
                Some(Ok(_)) => KeyVerdict::Differs,
            };
            AliasKey {
                alias: a.to_string(),
                state: Some(target.to_string()),
                edge,
                verdict,
            }
        })
        .collect();
    for (k, v) in items {
        if !aliases.keys().any(|a| a.to_string() == *k) {
            out.push(AliasKey {
                alias: k.clone(),
                state: None,
                edge: Some(v.clone()),
                verdict: KeyVerdict::Orphan,
            });
        }
    }
    out
}

/// The writes that make the edge say what the state says: a put per alias whose key differs,
/// is missing or unreadable, a delete per orphan key. A key in sync (a canary included) stays.
pub fn sync_writes(rows: &[AliasKey]) -> (Vec<(String, String)>, Vec<String>) {
    let mut puts = Vec::new();
    let mut deletes = Vec::new();
    for r in rows {
        match (r.verdict, &r.state) {
            (KeyVerdict::InSync, _) => {}
            (KeyVerdict::Orphan, _) | (_, None) => deletes.push(r.alias.clone()),
            (_, Some(target)) => puts.push((r.alias.clone(), target.clone())),
        }
    }
    (puts, deletes)
}

/// Why a canary step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanaryError {
    #[error(
        "{store} has no per-viewer split, so it cannot run a canary; gradual promotes run on CloudFront (promote without --canary here)"
    )]
    NoSplit { store: String },
    #[error(
        "the edge key of '{alias}' says {edge}, not the {state} the release state says; run `shipdeck edge sync` first"
    )]
    OutOfSync {
        alias: String,
        edge: String,
        state: Version,
    },
    #[error("'{alias}' already serves {version} to every viewer; a canary needs another release")]
    SameRelease { alias: String, version: Version },
    #[error(
        "'{alias}' has a canary of {version} already; change its share with `shipdeck canary set`, or end it with `canary finish` or `canary abort`"
    )]
    AlreadyRunning { alias: String, version: Version },
    #[error(
        "'{alias}' has no canary at the edge; start one with `shipdeck promote VERSION --canary 5`"
    )]
    NoCanary { alias: String },
}

/// The edge target of `alias` now, if it agrees with the state's `target` (a canary on it
/// included).
fn current(alias: &str, target: &Version, edge: Option<&str>) -> Result<EdgeTarget, CanaryError> {
    let out_of_sync = || CanaryError::OutOfSync {
        alias: alias.to_string(),
        edge: edge.unwrap_or("no key").to_string(),
        state: target.clone(),
    };
    let now: EdgeTarget = edge
        .ok_or_else(out_of_sync)?
        .parse()
        .map_err(|_| out_of_sync())?;
    if &now.stable != target {
        return Err(out_of_sync());
    }
    Ok(now)
}

/// A canary of `version` for `percent` % of the viewers of `alias` (whose release is `target`).
pub fn canary_start(
    alias: &str,
    target: &Version,
    edge: Option<&str>,
    version: &Version,
    percent: u8,
) -> Result<EdgeTarget, CanaryError> {
    let now = current(alias, target, edge)?;
    if let Some(c) = now.canary {
        return Err(CanaryError::AlreadyRunning {
            alias: alias.to_string(),
            version: c.version,
        });
    }
    if version == target {
        return Err(CanaryError::SameRelease {
            alias: alias.to_string(),
            version: version.clone(),
        });
    }
    Ok(EdgeTarget {
        stable: target.clone(),
        canary: Some(Canary {
            version: version.clone(),
            percent,
        }),
    })
}

/// The running canary of `alias` with a new share.
pub fn canary_set(
    alias: &str,
    target: &Version,
    edge: Option<&str>,
    percent: u8,
) -> Result<EdgeTarget, CanaryError> {
    let mut now = current(alias, target, edge)?;
    match now.canary.as_mut() {
        Some(c) => c.percent = percent,
        None => {
            return Err(CanaryError::NoCanary {
                alias: alias.to_string(),
            });
        }
    }
    Ok(now)
}

/// The running canary's release, which `canary finish` promotes.
pub fn canary_of(alias: &str, target: &Version, edge: Option<&str>) -> Result<Canary, CanaryError> {
    current(alias, target, edge)?
        .canary
        .ok_or_else(|| CanaryError::NoCanary {
            alias: alias.to_string(),
        })
}

/// Every viewer back on the state's release.
pub fn canary_abort(
    alias: &str,
    target: &Version,
    edge: Option<&str>,
) -> Result<EdgeTarget, CanaryError> {
    canary_of(alias, target, edge)?;
    Ok(EdgeTarget {
        stable: target.clone(),
        canary: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canary_steps_start_from_the_state_and_need_a_canary_to_change_one() {
        let v = |s: &str| s.parse::<Version>().unwrap();
        let t = v("1.0.1");
        let started = canary_start("latest", &t, Some("1.0.1"), &v("1.1.0"), 5).unwrap();
        assert_eq!(started.to_string(), "1.0.1;1.1.0=5");
        let now = started.to_string();
        assert_eq!(
            canary_set("latest", &t, Some(&now), 25)
                .unwrap()
                .to_string(),
            "1.0.1;1.1.0=25"
        );
        assert_eq!(
            canary_of("latest", &t, Some(&now)).unwrap().version,
            v("1.1.0")
        );
        assert_eq!(
            canary_abort("latest", &t, Some(&now)).unwrap().to_string(),
            "1.0.1"
        );
        let err = |e: CanaryError| e.to_string();
        assert!(
            err(canary_start("latest", &t, Some(&now), &v("1.2.0"), 5).unwrap_err())
                .contains("canary set")
        );
        assert!(
            err(canary_start("latest", &t, Some("1.0.1"), &t, 5).unwrap_err())
                .contains("another release")
        );
        assert!(
            err(canary_start("latest", &t, Some("1.0.0"), &v("1.1.0"), 5).unwrap_err())
                .contains("edge sync")
        );
        assert!(
            err(canary_start("latest", &t, None, &v("1.1.0"), 5).unwrap_err())
                .contains("says no key")
        );
        assert!(err(canary_set("latest", &t, Some("1.0.1"), 5).unwrap_err()).contains("no canary"));
        assert!(err(canary_abort("latest", &t, Some("1.0.1")).unwrap_err()).contains("no canary"));
    }

    #[test]
    fn the_edge_is_compared_alias_by_alias_and_sync_writes_only_what_differs() {
        use std::collections::BTreeMap;
        let v = |s: &str| s.parse::<Version>().unwrap();
        let aliases: BTreeMap<crate::domain::alias::AliasName, Version> = [
            ("latest", "1.0.1"),
            ("v1", "1.0.1"),
            ("v1.0", "1.0.1"),
            ("next", "2.0.0-rc.1"),
            ("v2", "2.0.0"),
        ]
        .iter()
        .map(|(a, t)| (a.parse().unwrap(), v(t)))
        .collect();
        let items: BTreeMap<String, String> = [
            ("latest", "1.0.1;1.1.0=5"),
            ("v1", "1.1.0"),
            ("next", "garbage"),
            ("v2", "2.0.0"),
            ("beta", "0.9.0"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect();
        let rows = compare(&aliases, &items);
        let verdict = |a: &str| rows.iter().find(|r| r.alias == a).unwrap().verdict;
        assert_eq!(
            verdict("latest"),
            KeyVerdict::InSync,
            "a canary on the state's release"
        );
        assert_eq!(verdict("v1"), KeyVerdict::Differs);
        assert_eq!(verdict("v1.0"), KeyVerdict::Missing);
        assert_eq!(verdict("next"), KeyVerdict::Unreadable);
        assert_eq!(verdict("v2"), KeyVerdict::InSync);
        assert_eq!(verdict("beta"), KeyVerdict::Orphan);
        let (puts, deletes) = sync_writes(&rows);
        let puts: Vec<(&str, &str)> = puts.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            puts,
            vec![("v1", "1.0.1"), ("v1.0", "1.0.1"), ("next", "2.0.0-rc.1")]
        );
        assert_eq!(deletes, vec!["beta".to_string()]);
    }

    #[test]
    fn values_round_trip_and_bad_ones_say_how_to_write_them() {
        for v in ["1.0.1", "1.0.1;1.1.0=5", "2.0.0-rc.1;2.0.0=99"] {
            assert_eq!(v.parse::<EdgeTarget>().unwrap().to_string(), v);
        }
        let err = |v: &str| v.parse::<EdgeTarget>().unwrap_err().to_string();
        assert!(err("1.0.1;1.1.0").contains("VERSION;CANARY=PERCENT"));
        assert!(err("1.0.1;1.1.0=0").contains("from 1 to 99"));
        assert!(err("1.0.1;1.1.0=100").contains("from 1 to 99"));
        assert!(err("1.0.1;1.1.0=+5").contains("from 1 to 99"));
        assert!(err("1.0.1;1.0.1=5").contains("different release"));
        assert!(err("latest").contains("latest"));
        assert!(err(" 1.0.1").contains("VERSION;CANARY"));
        assert!(err(&format!("1.0.0-{}", "a".repeat(1100))).contains("1024 bytes"));
    }

    #[test]
    fn canary_viewers_are_sticky_close_to_the_share_and_only_added_when_raised() {
        let five: EdgeTarget = "1.0.1;1.1.0=5".parse().unwrap();
        let quarter: EdgeTarget = "1.0.1;1.1.0=25".parse().unwrap();
        let canary = Version::new(1, 1, 0);
        let mut at_five = 0;
        for i in 0..100_000u32 {
            let addr = format!(
                "{}.{}.{}.{}",
                10 + i % 200,
                (i >> 8) % 256,
                i % 251,
                i % 256
            );
            let got = five.serves(&addr);
            assert_eq!(got, five.serves(&addr), "sticky");
            if *got == canary {
                at_five += 1;
                assert_eq!(*quarter.serves(&addr), canary, "raising only adds viewers");
            }
        }
        assert!((4_000..=6_000).contains(&at_five), "{at_five} of 100,000");
    }
}
