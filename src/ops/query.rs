//! Read-only views: the release list and the alias table, from the state document alone (one
//! read, however many releases), shared by `shipdeck releases` and the TUI.

use super::Context;
use super::records::load_state;
use crate::domain::alias::{AliasName, highest_eligible};
use crate::domain::state::Core;
use crate::domain::version::is_prerelease;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use semver::Version;
use serde::Serialize;

/// One published version, as the release list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(into = "VersionDoc")]
pub struct VersionRow {
    pub version: Version,
    /// Eligible for automatic aliases.
    pub promoted: bool,
    /// Why it was yanked, when it is.
    pub yank_reason: Option<String>,
    pub files: usize,
    pub size: u64,
    pub gzip_size: u64,
    pub published_at: DateTime<Utc>,
    pub published_by: String,
    /// Aliases serving this version.
    pub aliases: Vec<AliasName>,
}

/// Where a version stands, most important first: a yanked prerelease is yanked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReleaseStatus {
    /// Excluded from every alias.
    Yanked,
    /// Only channels may serve it.
    Prerelease,
    /// Eligible for automatic aliases.
    Stable,
    /// Published but never promoted: no automatic alias serves it yet.
    Unpromoted,
}

impl VersionRow {
    pub fn status(&self) -> ReleaseStatus {
        if self.yank_reason.is_some() {
            ReleaseStatus::Yanked
        } else if is_prerelease(&self.version) {
            ReleaseStatus::Prerelease
        } else if self.promoted {
            ReleaseStatus::Stable
        } else {
            ReleaseStatus::Unpromoted
        }
    }

    pub fn yanked(&self) -> bool {
        self.yank_reason.is_some()
    }
}

/// The `--json` form of a [`VersionRow`]: its fields, its status, and the flags scripts read.
#[derive(Serialize)]
struct VersionDoc {
    version: Version,
    status: ReleaseStatus,
    prerelease: bool,
    yanked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    yank_reason: Option<String>,
    promoted: bool,
    files: usize,
    size: u64,
    gzip_size: u64,
    published_at: DateTime<Utc>,
    published_by: String,
    aliases: Vec<AliasName>,
}

impl From<VersionRow> for VersionDoc {
    fn from(r: VersionRow) -> Self {
        VersionDoc {
            status: r.status(),
            prerelease: is_prerelease(&r.version),
            yanked: r.yanked(),
            version: r.version,
            yank_reason: r.yank_reason,
            promoted: r.promoted,
            files: r.files,
            size: r.size,
            gzip_size: r.gzip_size,
            published_at: r.published_at,
            published_by: r.published_by,
            aliases: r.aliases,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AliasRow {
    pub name: AliasName,
    pub target: Version,
    pub pinned: bool,
    pub previous: Option<Version>,
    /// Where automatic resolution would point it (differs from `target` when pinned).
    pub automatic: Option<Version>,
    /// In edge mode, what its KeyValueStore key says (what browsers get).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge: Option<EdgeCell>,
}

/// An alias's key at the edge, beside the state's target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EdgeCell {
    /// The key's value (`1.0.1`, `1.0.1;1.1.0=5`), when there is a key.
    pub value: Option<String>,
    pub verdict: crate::domain::edge_alias::KeyVerdict,
}

/// An operation that was interrupted and is still recorded in the state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InFlightSummary {
    pub description: String,
    pub by: String,
    pub started_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleasesView {
    pub store: String,
    /// Newest first.
    pub versions: Vec<VersionRow>,
    pub aliases: Vec<AliasRow>,
    /// An interrupted operation.
    pub in_flight: Option<InFlightSummary>,
    /// In edge mode, why the keys could not be read (the rows then have no `edge`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edge_error: Option<String>,
}

/// Builds the view from a state's core (pure; used by the TUI on fixed data too).
pub fn view_of(core: &Core, store: String, in_flight: Option<InFlightSummary>) -> ReleasesView {
    let versions = core
        .releases
        .iter()
        .rev()
        .map(|(v, r)| VersionRow {
            version: v.clone(),
            yank_reason: r.yanked.as_ref().map(|y| y.reason.clone()),
            promoted: r.promoted,
            files: r.files,
            size: r.size,
            gzip_size: r.gzip_size,
            published_at: r.published_at,
            published_by: r.published_by.clone(),
            aliases: core.aliases_serving(v),
        })
        .collect();
    let aliases = core
        .aliases
        .iter()
        .map(|(n, r)| AliasRow {
            name: n.clone(),
            target: r.target.clone(),
            pinned: r.pinned,
            previous: r.previous.clone(),
            automatic: highest_eligible(core, n),
            edge: None,
        })
        .collect();
    ReleasesView {
        store,
        versions,
        aliases,
        in_flight,
        edge_error: None,
    }
}

pub async fn releases(ctx: &Context) -> Result<ReleasesView> {
    let (state, _) = load_state(ctx).await?;
    let in_flight = state.in_flight.as_ref().map(|f| InFlightSummary {
        description: f.description.clone(),
        by: f.by.clone(),
        started_at: f.started_at,
    });
    let mut view = view_of(&state.core, ctx.store.describe(), in_flight);
    if let Some(kvs) = &ctx.edge_keys {
        match kvs.read().await {
            Ok(snap) => {
                let targets = view
                    .aliases
                    .iter()
                    .map(|a| (a.name.clone(), a.target.clone()))
                    .collect();
                let keys = crate::domain::edge_alias::compare(&targets, &snap.items);
                for row in &mut view.aliases {
                    row.edge = keys
                        .iter()
                        .find(|k| k.alias == row.name.to_string())
                        .map(|k| EdgeCell {
                            value: k.edge.clone(),
                            verdict: k.verdict,
                        });
                }
            }
            // The listing stands without the edge; the reason is shown beside it.
            Err(e) => view.edge_error = Some(e.to_string()),
        }
    }
    Ok(view)
}

/// One release in full: its row in the list and its manifest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleaseDetail {
    #[serde(flatten)]
    pub row: VersionRow,
    pub manifest: crate::domain::manifest::Manifest,
}

/// `shipdeck show VERSION`.
pub async fn show(ctx: &Context, v: &Version) -> Result<ReleaseDetail> {
    let row = releases(ctx)
        .await?
        .versions
        .into_iter()
        .find(|r| &r.version == v)
        .ok_or_else(|| unknown(v))?;
    let manifest = super::records::require_manifest(ctx, v).await?;
    Ok(ReleaseDetail { row, manifest })
}

fn unknown(v: &Version) -> Error {
    crate::domain::change::Refusal::UnknownVersion(v.clone()).into()
}

/// `shipdeck diff A B`: what changed from release `a` to release `b`.
pub async fn diff(
    ctx: &Context,
    a: &Version,
    b: &Version,
) -> Result<crate::domain::manifest::ManifestDiff> {
    let (state, _) = load_state(ctx).await?;
    for v in [a, b] {
        if !state.core.releases.contains_key(v) {
            return Err(unknown(v));
        }
    }
    let (ma, mb) = tokio::try_join!(
        super::records::require_manifest(ctx, a),
        super::records::require_manifest(ctx, b)
    )?;
    Ok(crate::domain::manifest::diff(&ma, &mb))
}
