//! Read-only views: the release list and the alias table, from the state document alone (one
//! read, however many releases), shared by `shipdeck releases` and the TUI.

use super::Context;
use super::records::load_state;
use crate::domain::alias::highest_eligible;
use crate::domain::state::Core;
use crate::domain::version::is_prerelease;
use crate::error::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionRow {
    pub version: String,
    pub prerelease: bool,
    pub yanked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub yank_reason: Option<String>,
    pub promoted: bool,
    pub files: usize,
    pub size: u64,
    pub gzip_size: u64,
    pub published_at: DateTime<Utc>,
    pub published_by: String,
    /// Aliases serving this version.
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AliasRow {
    pub name: String,
    pub target: String,
    pub pinned: bool,
    pub previous: Option<String>,
    /// Where automatic resolution would point it (differs from `target` when pinned).
    pub automatic: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleasesView {
    pub store: String,
    /// Newest first.
    pub versions: Vec<VersionRow>,
    pub aliases: Vec<AliasRow>,
    /// An interrupted operation, in words.
    pub in_flight: Option<String>,
}

/// Builds the view from a state's core (pure; used by the TUI on fixed data too).
pub fn view_of(core: &Core, store: String, in_flight: Option<String>) -> ReleasesView {
    let versions = core
        .releases
        .iter()
        .rev()
        .map(|(v, r)| VersionRow {
            version: v.to_string(),
            prerelease: is_prerelease(v),
            yanked: r.yanked.is_some(),
            yank_reason: r.yanked.as_ref().map(|y| y.reason.clone()),
            promoted: r.promoted,
            files: r.files,
            size: r.size,
            gzip_size: r.gzip_size,
            published_at: r.published_at,
            published_by: r.published_by.clone(),
            aliases: core
                .aliases_serving(v)
                .iter()
                .map(ToString::to_string)
                .collect(),
        })
        .collect();
    let aliases = core
        .aliases
        .iter()
        .map(|(n, r)| AliasRow {
            name: n.to_string(),
            target: r.target.to_string(),
            pinned: r.pinned,
            previous: r.previous.as_ref().map(ToString::to_string),
            automatic: highest_eligible(core, n).map(|v| v.to_string()),
        })
        .collect();
    ReleasesView {
        store,
        versions,
        aliases,
        in_flight,
    }
}

pub async fn releases(ctx: &Context) -> Result<ReleasesView> {
    let (state, _) = load_state(ctx).await?;
    let in_flight = state.in_flight.as_ref().map(|f| {
        format!(
            "'{}' by {} at {} is unfinished; run `shipdeck resume`",
            f.description,
            f.by,
            f.started_at.format("%Y-%m-%d %H:%M UTC")
        )
    });
    Ok(view_of(&state.core, ctx.store.describe(), in_flight))
}
