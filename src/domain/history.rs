//! History events: one immutable record per change, appended, never rewritten.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasChange {
    pub alias: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEvent {
    pub id: String,
    pub at: DateTime<Utc>,
    pub by: String,
    /// `publish`, `promote`, `rollback`, `unpin`, `yank`, `unyank`, `resume`, `revert`, `invalidate`, `origins`.
    pub action: String,
    pub description: String,
    #[serde(default)]
    pub changes: Vec<AliasChange>,
    /// `ok`, or what went wrong.
    pub outcome: String,
    /// What the change did to releases, in words (a yank's reason stays here after an unyank).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl HistoryEvent {
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
