//! Aliases: the moving folders (`latest/`, `v1/`, `v1.2/`, named channels) that pages embed.
//!
//! The rules are the heart of Shipdeck: an automatic alias always serves the highest stable,
//! promoted, non-yanked release in its scope; a pinned alias stays where a human put it until
//! it is released back. `resolve_aliases` computes the whole desired alias map from a state,
//! and everything that moves an alias (promote, rollback, yank, unpin) goes through it.

use crate::domain::state::{AliasRecord, Core};
use crate::domain::version::is_prerelease;
use semver::Version;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The name of an alias folder.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AliasName {
    /// `latest/`: highest eligible release overall.
    Latest,
    /// `v{M}/`: highest eligible release of major M.
    Major(u64),
    /// `v{M}.{m}/`: highest eligible patch of M.m.
    Minor(u64, u64),
    /// A named channel such as `next/` or `beta/`: only ever pinned by hand.
    Channel(String),
}

impl AliasName {
    /// Automatic aliases follow resolution; channels only move when asked.
    pub fn is_automatic(&self) -> bool {
        !matches!(self, AliasName::Channel(_))
    }

    /// Whether `v` may be served by this alias at all (its scope and stability).
    pub fn check_target(&self, v: &Version) -> Result<(), AliasError> {
        if is_prerelease(v) && self.is_automatic() {
            return Err(AliasError::Prerelease {
                alias: self.clone(),
                version: v.clone(),
            });
        }
        let scope = match self {
            AliasName::Major(m) if v.major != *m => format!("{m}.x.y"),
            AliasName::Minor(m, n) if v.major != *m || v.minor != *n => format!("{m}.{n}.x"),
            _ => return Ok(()),
        };
        Err(AliasError::OutOfScope {
            alias: self.clone(),
            scope,
            version: v.clone(),
        })
    }

    /// Whether a release falls in the automatic scope of this alias.
    pub fn in_scope(&self, v: &Version) -> bool {
        match self {
            AliasName::Latest => true,
            AliasName::Major(m) => v.major == *m,
            AliasName::Minor(m, n) => v.major == *m && v.minor == *n,
            AliasName::Channel(_) => false,
        }
    }
}

impl fmt::Display for AliasName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AliasName::Latest => f.write_str("latest"),
            AliasName::Major(m) => write!(f, "v{m}"),
            AliasName::Minor(m, n) => write!(f, "v{m}.{n}"),
            AliasName::Channel(c) => f.write_str(c),
        }
    }
}

/// The longest channel name, in characters.
pub const MAX_CHANNEL_LEN: usize = 32;

/// Why a string is not an alias, or why an alias cannot serve a version.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AliasError {
    #[error(
        "'{0}' is a release folder, not an alias; aliases are latest, vMAJOR, vMAJOR.MINOR or a channel name"
    )]
    ReleaseFolder(String),
    #[error("'{0}' is not an alias; use latest, v1, v1.2 or a channel name such as next")]
    NotAnAlias(String),
    #[error(
        "'{0}' is not an alias; use latest, v1, v1.2 or a channel name of lower-case letters, digits and '-' (e.g. next)"
    )]
    BadChannel(String),
    #[error(
        "'{0}' is too long for a channel name; channel names have at most {MAX_CHANNEL_LEN} characters"
    )]
    ChannelTooLong(String),
    #[error(
        "{version} is a prerelease and cannot be served by '{alias}'; pin it to a named channel instead, e.g. --alias next"
    )]
    Prerelease { alias: AliasName, version: Version },
    #[error("'{alias}' can only serve {scope} releases, not {version}")]
    OutOfScope {
        alias: AliasName,
        scope: String,
        version: Version,
    },
}

impl FromStr for AliasName {
    type Err = AliasError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let s = input.trim().trim_end_matches('/');
        if s == "latest" {
            return Ok(AliasName::Latest);
        }
        if let Some(rest) = s.strip_prefix('v')
            && rest.starts_with(|c: char| c.is_ascii_digit())
        {
            let nums: Vec<&str> = rest.split('.').collect();
            let parse = |p: &str| {
                p.parse::<u64>()
                    .ok()
                    .filter(|_| !p.starts_with('0') || p == "0")
            };
            return match nums.as_slice() {
                [m] => parse(m).map(AliasName::Major),
                [m, n] => parse(m).zip(parse(n)).map(|(m, n)| AliasName::Minor(m, n)),
                [_, _, _] => return Err(AliasError::ReleaseFolder(input.to_string())),
                _ => None,
            }
            .ok_or_else(|| AliasError::NotAnAlias(input.to_string()));
        }
        if s.chars().count() > MAX_CHANNEL_LEN {
            return Err(AliasError::ChannelTooLong(input.to_string()));
        }
        let valid = s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if valid {
            Ok(AliasName::Channel(s.to_string()))
        } else {
            Err(AliasError::BadChannel(input.to_string()))
        }
    }
}

impl Serialize for AliasName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AliasName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The highest release in `scope` that automatic aliases may serve.
pub fn highest_eligible(core: &Core, alias: &AliasName) -> Option<Version> {
    core.releases
        .iter()
        .rev()
        .find(|(v, r)| r.promoted && r.yanked.is_none() && !is_prerelease(v) && alias.in_scope(v))
        .map(|(v, _)| v.clone())
}

/// The alias map the state should have: automatic aliases re-resolved, pins kept.
///
/// Pins that point at a yanked or vanished release are dropped (the alias falls back to automatic,
/// a channel disappears), because a yanked version must never be served by any alias.
pub fn resolve_aliases(core: &Core) -> BTreeMap<AliasName, AliasRecord> {
    let mut out = BTreeMap::new();
    let servable = |v: &Version| core.releases.get(v).is_some_and(|r| r.yanked.is_none());
    for (name, rec) in &core.aliases {
        if rec.pinned && servable(&rec.target) {
            out.insert(name.clone(), rec.clone());
        }
    }
    let mut automatic: Vec<AliasName> = vec![AliasName::Latest];
    for (v, r) in &core.releases {
        if r.promoted && r.yanked.is_none() && !is_prerelease(v) {
            automatic.push(AliasName::Major(v.major));
            automatic.push(AliasName::Minor(v.major, v.minor));
        }
    }
    automatic.sort();
    automatic.dedup();
    for name in automatic {
        if out.contains_key(&name) {
            continue;
        }
        if let Some(target) = highest_eligible(core, &name) {
            let old = core.aliases.get(&name);
            let previous = match old {
                Some(o) if o.target != target => Some(o.target.clone()),
                Some(o) => o.previous.clone(),
                None => None,
            };
            out.insert(
                name,
                AliasRecord {
                    target,
                    pinned: false,
                    previous,
                },
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::state::{ReleaseSummary, Yank};
    use proptest::prelude::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn core(list: &[(&str, bool, bool)]) -> Core {
        let mut c = Core::default();
        for (ver, promoted, yanked) in list {
            let mut r = ReleaseSummary::for_test();
            r.promoted = *promoted;
            if *yanked {
                r.yanked = Some(Yank::for_test("bad"));
            }
            c.releases.insert(v(ver), r);
        }
        c
    }

    fn target(map: &BTreeMap<AliasName, AliasRecord>, a: &str) -> Option<String> {
        map.get(&a.parse().unwrap()).map(|r| r.target.to_string())
    }

    #[test]
    fn parses_alias_names() {
        assert_eq!("latest".parse::<AliasName>().unwrap(), AliasName::Latest);
        assert_eq!("v1".parse::<AliasName>().unwrap(), AliasName::Major(1));
        assert_eq!(
            "v1.2/".parse::<AliasName>().unwrap(),
            AliasName::Minor(1, 2)
        );
        assert_eq!(
            "next".parse::<AliasName>().unwrap(),
            AliasName::Channel("next".into())
        );
        assert!(
            "v1.2.3"
                .parse::<AliasName>()
                .unwrap_err()
                .to_string()
                .contains("release folder")
        );
        assert!("Latest!".parse::<AliasName>().is_err());
        let long = "n".repeat(MAX_CHANNEL_LEN + 1);
        assert_eq!(
            long.parse::<AliasName>(),
            Err(AliasError::ChannelTooLong(long.clone())),
            "an over-long channel name says the limit"
        );
        assert!(
            AliasError::ChannelTooLong(long)
                .to_string()
                .contains(&format!("at most {MAX_CHANNEL_LEN} characters"))
        );
        assert!("v01".parse::<AliasName>().is_err());
        assert_eq!(AliasName::Minor(3, 4).to_string(), "v3.4");
    }

    #[test]
    fn resolves_highest_stable_promoted_non_yanked() {
        let c = core(&[
            ("1.0.0", true, false),
            ("1.0.1", true, false),
            ("1.1.0", true, true),
            ("1.2.0", false, false),
            ("2.0.0-beta.1", true, false),
        ]);
        let m = resolve_aliases(&c);
        assert_eq!(target(&m, "latest").as_deref(), Some("1.0.1"));
        assert_eq!(target(&m, "v1").as_deref(), Some("1.0.1"));
        assert_eq!(target(&m, "v1.0").as_deref(), Some("1.0.1"));
        assert_eq!(
            target(&m, "v1.1"),
            None,
            "a minor whose only release is yanked has no alias"
        );
        assert_eq!(
            target(&m, "v2"),
            None,
            "prereleases never land on automatic aliases"
        );
    }

    #[test]
    fn pins_survive_until_their_target_is_yanked() {
        let mut c = core(&[("1.0.0", true, false), ("1.1.0", true, false)]);
        c.aliases.insert(
            AliasName::Latest,
            AliasRecord {
                target: v("1.0.0"),
                pinned: true,
                previous: Some(v("1.1.0")),
            },
        );
        let m = resolve_aliases(&c);
        assert_eq!(target(&m, "latest").as_deref(), Some("1.0.0"));
        assert!(m[&AliasName::Latest].pinned);
        c.releases.get_mut(&v("1.0.0")).unwrap().yanked = Some(Yank::for_test("x"));
        let m = resolve_aliases(&c);
        assert_eq!(target(&m, "latest").as_deref(), Some("1.1.0"));
        assert!(!m[&AliasName::Latest].pinned);
        assert_eq!(m[&AliasName::Latest].previous, Some(v("1.0.0")));
    }

    #[test]
    fn check_target_scopes() {
        assert!(AliasName::Major(1).check_target(&v("2.0.0")).is_err());
        assert!(AliasName::Minor(1, 2).check_target(&v("1.2.9")).is_ok());
        assert!(
            AliasName::Latest
                .check_target(&v("2.0.0-rc.1"))
                .unwrap_err()
                .to_string()
                .contains("named channel")
        );
        assert!(
            AliasName::Channel("next".into())
                .check_target(&v("2.0.0-rc.1"))
                .is_ok()
        );
    }

    proptest! {
        /// Whatever the releases, every automatic alias points at the highest eligible version in
        /// its scope, and every eligible scope has its alias.
        #[test]
        fn automatic_aliases_point_at_highest_eligible(
            list in proptest::collection::vec((0u64..3, 0u64..3, 0u64..3, any::<bool>(), any::<bool>(), any::<bool>()), 0..25)
        ) {
            let mut c = Core::default();
            for (ma, mi, pa, pre, promoted, yanked) in &list {
                let mut ver = Version::new(*ma, *mi, *pa);
                if *pre { ver.pre = semver::Prerelease::new("rc.1").unwrap(); }
                let mut r = ReleaseSummary::for_test();
                r.promoted = *promoted;
                if *yanked { r.yanked = Some(Yank::for_test("p")); }
                c.releases.insert(ver, r);
            }
            let m = resolve_aliases(&c);
            let eligible: Vec<&Version> = c.releases.iter()
                .filter(|(v, r)| r.promoted && r.yanked.is_none() && v.pre.is_empty())
                .map(|(v, _)| v).collect();
            for (name, rec) in &m {
                prop_assert!(eligible.contains(&&rec.target));
                let best = eligible.iter().filter(|v| name.in_scope(v)).max().unwrap();
                prop_assert_eq!(&rec.target, *best);
            }
            for e in &eligible {
                prop_assert!(m.contains_key(&AliasName::Major(e.major)));
                prop_assert!(m.contains_key(&AliasName::Minor(e.major, e.minor)));
                prop_assert!(m.contains_key(&AliasName::Latest));
            }
        }
    }
}
