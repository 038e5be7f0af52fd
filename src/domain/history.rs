//! History events: one immutable record per change, appended, never rewritten.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasChange {
    pub alias: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// What a change was: a closed set, so a front end matches on it instead of comparing words.
/// History written by a newer Shipdeck may hold one this version does not know: it reads as
/// `Other` (and prints as "other") rather than failing the whole history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Publish,
    Promote,
    Rollback,
    Unpin,
    Yank,
    Unyank,
    Repair,
    Resume,
    Revert,
    Invalidate,
    Origins,
    /// Edge alias keys written to the CDN's KeyValueStore (`edge sync`).
    Edge,
    #[serde(other)]
    Other,
}

#[cfg(test)]
mod operation_tests {
    use super::Operation;

    #[test]
    fn every_operation_reads_back_and_an_unknown_one_is_other() {
        for op in [
            Operation::Publish,
            Operation::Promote,
            Operation::Rollback,
            Operation::Unpin,
            Operation::Yank,
            Operation::Unyank,
            Operation::Repair,
            Operation::Resume,
            Operation::Revert,
            Operation::Invalidate,
            Operation::Origins,
            Operation::Edge,
        ] {
            assert_eq!(op.name().parse::<Operation>(), Ok(op));
            assert_eq!(
                serde_json::to_value(op).unwrap(),
                serde_json::json!(op.name())
            );
        }
        assert_eq!("teleport".parse::<Operation>(), Ok(Operation::Other));
        assert_eq!(format!("[{:<9}]", Operation::Yank), "[yank     ]");
        let e: Operation = serde_json::from_str("\"teleport\"").unwrap();
        assert_eq!(e, Operation::Other);
    }
}

impl Operation {
    /// `resume` finishes an unfinished operation, `resume --revert` undoes it.
    pub fn of_resume(revert: bool) -> Operation {
        if revert {
            Operation::Revert
        } else {
            Operation::Resume
        }
    }

    /// The word in history, JSON and CI outputs.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Publish => "publish",
            Operation::Promote => "promote",
            Operation::Rollback => "rollback",
            Operation::Unpin => "unpin",
            Operation::Yank => "yank",
            Operation::Unyank => "unyank",
            Operation::Repair => "repair",
            Operation::Resume => "resume",
            Operation::Revert => "revert",
            Operation::Invalidate => "invalidate",
            Operation::Origins => "origins",
            Operation::Edge => "edge",
            Operation::Other => "other",
        }
    }
}

impl std::str::FromStr for Operation {
    type Err = std::convert::Infallible;

    /// The operation a word names; a word this version does not know is `Other`.
    fn from_str(s: &str) -> Result<Operation, Self::Err> {
        Ok(
            serde_json::from_value(serde_json::Value::String(s.to_string()))
                .unwrap_or(Operation::Other),
        )
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `pad`, so a table's `{:<9}` aligns it as it aligned the word it replaces.
        f.pad(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEvent {
    pub id: String,
    pub at: DateTime<Utc>,
    pub by: String,
    pub action: Operation,
    pub description: String,
    #[serde(default)]
    pub changes: Vec<AliasChange>,
    /// `ok`, or what went wrong.
    pub outcome: String,
    /// What the change did to releases, in words (a yank's reason stays here after an unyank).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The git commit of the build the change published or moved aliases to (`--commit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The CDN's id of the invalidation (CloudFront) or purge (Azure) the change requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalidation: Option<String>,
}

/// A git commit as people quote it: its first 7 characters (the whole value when shorter or
/// not a hex SHA, since `--commit` takes any text).
pub fn short_commit(commit: &str) -> String {
    if commit.len() > 7 && commit.chars().all(|c| c.is_ascii_hexdigit()) {
        commit[..7].to_string()
    } else {
        commit.to_string()
    }
}

impl HistoryEvent {
    /// What follows the fixed columns: the alias changes, what happened to releases, and the
    /// invalidation the change asked for.
    pub fn tail(&self) -> String {
        let mut parts = Vec::new();
        let changes = self.changes_text();
        if !changes.is_empty() {
            parts.push(changes);
        }
        if let Some(d) = &self.detail {
            parts.push(d.clone());
        }
        if let Some(i) = &self.invalidation {
            parts.push(format!("invalidation {i}"));
        }
        parts.join(" · ")
    }

    /// The alias changes in one line: `latest 1.0.0→1.1.0, v1 ∅→1.1.0`.
    pub fn changes_text(&self) -> String {
        self.changes
            .iter()
            .map(|c| {
                format!(
                    "{} {}→{}",
                    c.alias,
                    c.from.as_deref().unwrap_or("∅"),
                    c.to.as_deref().unwrap_or("∅")
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Object name of an event: sorts by time, then by id.
pub fn event_name(e: &HistoryEvent) -> String {
    format!("{}-{}.json", e.at.format("%Y%m%dT%H%M%S%.6fZ"), e.id)
}
