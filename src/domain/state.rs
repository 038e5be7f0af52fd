//! The release state document: which releases exist, which are promoted or yanked, where every
//! alias points, and the operation in flight, if any.
//!
//! It is one small document so that listing a thousand releases reads one object, and so that
//! every change can be committed with a single conditional write (compare-and-swap on its ETag):
//! two release managers can never silently overwrite each other.

use crate::domain::alias::AliasName;
use chrono::{DateTime, Utc};
use semver::Version;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Current schema of the state document; older documents are refused rather than guessed at.
pub const STATE_SCHEMA: u32 = 1;

/// What the listing needs to know about a release without reading its manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReleaseSummary {
    pub files: usize,
    pub size: u64,
    pub gzip_size: u64,
    pub published_at: DateTime<Utc>,
    pub published_by: String,
    /// Eligible for automatic aliases (set by `promote` or `publish --promote`).
    #[serde(default)]
    pub promoted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yanked: Option<Yank>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// Why and by whom a release was yanked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Yank {
    pub reason: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// Where one alias points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasRecord {
    pub target: Version,
    #[serde(default)]
    pub pinned: bool,
    /// The target before the last move: the default destination of a rollback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Version>,
}

/// The part of the state a change replaces as a whole.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Core {
    #[serde(default)]
    pub releases: BTreeMap<Version, ReleaseSummary>,
    #[serde(default)]
    pub aliases: BTreeMap<AliasName, AliasRecord>,
}

/// An operation that was started and not yet committed: enough to finish or undo it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InFlight {
    pub id: String,
    /// What the user asked for, in words (`promote 1.2.0`).
    pub description: String,
    pub started_at: DateTime<Utc>,
    pub by: String,
    /// The state to commit once every file is in place.
    pub next: Core,
    /// For a publish: the version being uploaded and the build folder it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publishing: Option<PublishingRecord>,
}

/// A publish under way: the files are uploaded before the manifest, the manifest before the state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishingRecord {
    pub version: Version,
    pub source_dir: String,
}

/// The whole state document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub schema: u32,
    #[serde(flatten)]
    pub core: Core,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_flight: Option<InFlight>,
}

impl Default for State {
    fn default() -> Self {
        State {
            schema: STATE_SCHEMA,
            core: Core::default(),
            in_flight: None,
        }
    }
}

impl Core {
    /// The aliases that currently serve `v`.
    pub fn aliases_serving(&self, v: &Version) -> Vec<AliasName> {
        self.aliases
            .iter()
            .filter(|(_, r)| &r.target == v)
            .map(|(n, _)| n.clone())
            .collect()
    }
}

#[cfg(test)]
impl ReleaseSummary {
    pub fn for_test() -> Self {
        ReleaseSummary {
            files: 1,
            size: 10,
            gzip_size: 5,
            published_at: DateTime::<Utc>::from_timestamp(0, 0).unwrap(),
            published_by: "test".into(),
            promoted: true,
            yanked: None,
            commit: None,
        }
    }
}

#[cfg(test)]
impl Yank {
    pub fn for_test(reason: &str) -> Self {
        Yank {
            reason: reason.into(),
            by: "test".into(),
            at: DateTime::<Utc>::from_timestamp(0, 0).unwrap(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_with_semver_and_alias_keys() {
        let mut s = State::default();
        s.core
            .releases
            .insert(Version::new(1, 2, 3), ReleaseSummary::for_test());
        s.core.aliases.insert(
            AliasName::Minor(1, 2),
            AliasRecord {
                target: Version::new(1, 2, 3),
                pinned: false,
                previous: None,
            },
        );
        let json = serde_json::to_string(&s).unwrap();
        assert!(
            json.contains("\"1.2.3\"") && json.contains("\"v1.2\""),
            "{json}"
        );
        let back: State = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }
}
