//! Edge truth as a use case: `verify --edge`, and the last phase of every change.
//!
//! `verify` proves the store matches the manifests; this proves what browsers get. It fetches
//! every file of every alias (and of releases, when asked) through the profile's `public_url`
//! as a customer's page would, judges each answer with `domain::edge`, and says which release a
//! stale alias is really serving. With a wait it polls with backoff until every alias serves
//! its target. After a change, [`confirm`] checks the moved aliases the same way and reports how
//! far the change got: written, invalidated, served.

use super::Context;
use super::records::{load_manifest, load_state, require_manifest};
use crate::bridge::AllowlistSource;
use crate::domain::alias::AliasName;
use crate::domain::edge::{Expected, Finding, Observed, judge, served_as};
use crate::domain::manifest::Manifest;
use crate::domain::version::{folder_name, parse_version};
use crate::edge::{Edge, EdgeRequest};
use crate::error::{Error, Result};
use futures::stream::{self, StreamExt};
use semver::Version;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The `Origin` sent when the profile has no Bridge allowlist to take one from.
pub const FALLBACK_ORIGIN: &str = "https://example.com";

/// Where the profile's releases are served, and how to ask.
pub struct EdgeSettings {
    /// The public URL of the published prefix (`https://cdn.example.com/msr-webchat`).
    pub base_url: String,
    pub client: Arc<dyn Edge>,
    /// The Bridge allowlist, whose first `ALLOWED_ORIGINS` entry is the page origin sent.
    pub allowlist: Option<Arc<dyn AllowlistSource>>,
    origin: tokio::sync::OnceCell<String>,
}

impl EdgeSettings {
    pub fn new(
        base_url: &str,
        client: Arc<dyn Edge>,
        allowlist: Option<Arc<dyn AllowlistSource>>,
    ) -> Self {
        EdgeSettings {
            base_url: base_url.trim_end_matches('/').to_string(),
            client,
            allowlist,
            origin: tokio::sync::OnceCell::new(),
        }
    }

    /// The origin a customer's page sends: the allowlist's first `ALLOWED_ORIGINS` entry (read
    /// once), else [`FALLBACK_ORIGIN`].
    pub async fn origin(&self) -> String {
        self.origin
            .get_or_init(|| async {
                let Some(src) = &self.allowlist else {
                    return FALLBACK_ORIGIN.to_string();
                };
                match src.load().await {
                    Ok(list) => list
                        .allowed
                        .iter()
                        .find_map(|r| crate::domain::origin::parse_origin(r).ok())
                        .map_or_else(|| FALLBACK_ORIGIN.to_string(), |o| o.to_string()),
                    Err(e) => {
                        tracing::warn!(error = %e, "allowlist unreadable; the edge check sends {FALLBACK_ORIGIN}");
                        FALLBACK_ORIGIN.to_string()
                    }
                }
            })
            .await
            .clone()
    }

    /// The public URL of `file` in `folder` (an alias name or `vX.Y.Z`).
    pub fn url(&self, folder: &str, file: &str) -> String {
        let path: String = file
            .split('/')
            .map(|seg| {
                percent_encoding::utf8_percent_encode(seg, percent_encoding::NON_ALPHANUMERIC)
                    .to_string()
                    .replace("%2E", ".")
                    .replace("%2D", "-")
                    .replace("%5F", "_")
                    .replace("%7E", "~")
            })
            .collect::<Vec<_>>()
            .join("/");
        format!("{}/{folder}/{path}", self.base_url)
    }
}

/// One file as the edge served it.
#[derive(Debug, Clone, Serialize)]
pub struct EdgeFile {
    pub path: String,
    pub url: String,
    pub observed: Observed,
    pub findings: Vec<Finding>,
}

/// Whether a checked folder is an alias or a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FolderKind {
    Alias,
    Version,
}

/// One alias or release as the edge serves it.
#[derive(Debug, Clone, Serialize)]
pub struct EdgeFolder {
    /// `latest`, `v1`, or a version.
    pub target: String,
    pub kind: FolderKind,
    /// The release the store says this folder serves.
    pub version: Version,
    /// The release the edge serves instead, when every stale file is that release's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub served_as: Option<Version>,
    pub files: Vec<EdgeFile>,
}

impl EdgeFolder {
    pub fn findings(&self) -> usize {
        self.files.iter().map(|f| f.findings.len()).sum()
    }

    /// Whether some file is not (yet) the target's bytes.
    pub fn stale(&self) -> bool {
        self.files
            .iter()
            .any(|f| f.findings.iter().any(Finding::is_stale))
    }

    /// The URLs still serving something else.
    pub fn stale_urls(&self) -> impl Iterator<Item = &str> {
        self.files
            .iter()
            .filter(|f| f.findings.iter().any(Finding::is_stale))
            .map(|f| f.url.as_str())
    }
}

/// How a wait for the edge ended.
#[derive(Debug, Clone, Serialize)]
pub struct Waited {
    pub seconds: f64,
    /// Whether every alias served its target before the time was up.
    pub converged: bool,
    pub rounds: u32,
}

/// What `verify --edge` found.
#[derive(Debug, Clone, Serialize)]
pub struct EdgeReport {
    pub base_url: String,
    /// The `Origin` header sent.
    pub origin: String,
    pub folders: Vec<EdgeFolder>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waited: Option<Waited>,
    pub ok: bool,
}

impl EdgeReport {
    pub fn findings(&self) -> usize {
        self.folders.iter().map(EdgeFolder::findings).sum()
    }
}

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct EdgeCheck {
    /// Aliases and versions to check; every alias when empty.
    pub names: Vec<String>,
    /// Also every published release.
    pub versions: bool,
    /// Poll until every alias serves its target, for at most this long.
    pub wait: Option<Duration>,
}

/// The sentence for a profile without `public_url`.
pub fn no_public_url() -> Error {
    crate::error::ProfileGap::NoPublicUrl.into()
}

/// `verify --edge`.
pub async fn verify_edge(ctx: &Context, check: &EdgeCheck) -> Result<EdgeReport> {
    let edge = ctx.edge.as_ref().ok_or_else(no_public_url)?;
    let (state, _) = load_state(ctx).await?;
    let mut wanted: Vec<(String, FolderKind, Version)> = Vec::new();
    if check.names.is_empty() {
        for (a, rec) in &state.core.aliases {
            wanted.push((a.to_string(), FolderKind::Alias, rec.target.clone()));
        }
    }
    for n in &check.names {
        if n.starts_with(|c: char| c.is_ascii_digit()) {
            let v = parse_version(n)?;
            if !state.core.releases.contains_key(&v) {
                return Err(crate::error::NotFound::Version(v).into());
            }
            wanted.push((folder_name(&v), FolderKind::Version, v));
        } else {
            let a = n.parse::<AliasName>()?;
            let rec = state
                .core
                .aliases
                .get(&a)
                .ok_or_else(|| crate::error::NotFound::Alias(a.to_string()))?;
            wanted.push((a.to_string(), FolderKind::Alias, rec.target.clone()));
        }
    }
    if check.versions {
        for v in state.core.releases.keys() {
            if !wanted
                .iter()
                .any(|(_, k, w)| *k == FolderKind::Version && w == v)
            {
                wanted.push((folder_name(v), FolderKind::Version, v.clone()));
            }
        }
    }
    let origin = edge.origin().await;
    let mut manifests: HashMap<Version, Manifest> = HashMap::new();
    for (_, _, v) in &wanted {
        if !manifests.contains_key(v) {
            manifests.insert(v.clone(), require_manifest(ctx, v).await?);
        }
    }
    let folders: Vec<Folder<'_>> = wanted
        .iter()
        .filter_map(|(name, kind, v)| {
            Some(Folder {
                name: name.clone(),
                kind: *kind,
                manifest: manifests.get(v)?,
                cache_control: (*kind == FolderKind::Alias)
                    .then(|| ctx.alias_cache_control.clone()),
            })
        })
        .collect();
    let mut others = Others::default();
    let started = Instant::now();
    let mut rounds = 0;
    let mut delay = Duration::from_secs(1);
    loop {
        rounds += 1;
        let checked = check_folders(ctx, edge, &origin, &folders, &mut others).await?;
        let aliases_served = !checked
            .iter()
            .any(|f| f.kind == FolderKind::Alias && f.stale());
        let elapsed = started.elapsed();
        let out_of_time = check.wait.is_none_or(|w| elapsed + delay > w);
        if aliases_served || out_of_time {
            let ok = checked.iter().all(|f| f.findings() == 0);
            return Ok(EdgeReport {
                base_url: edge.base_url.clone(),
                origin,
                folders: checked,
                waited: check.wait.map(|_| Waited {
                    seconds: elapsed.as_secs_f64(),
                    converged: aliases_served,
                    rounds,
                }),
                ok,
            });
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(15));
    }
}

/// A folder to fetch and the manifest it is judged against.
struct Folder<'a> {
    name: String,
    kind: FolderKind,
    manifest: &'a Manifest,
    /// The alias Cache-Control; `None` for a release (each file has its own).
    cache_control: Option<String>,
}

/// Every published release's files by (path, SHA-256), read only when some answer is stale.
#[derive(Default)]
struct Others {
    loaded: bool,
    by_file: BTreeMap<(String, String), Version>,
}

impl Others {
    async fn load(&mut self, ctx: &Context) -> Result<()> {
        if self.loaded {
            return Ok(());
        }
        let (state, _) = load_state(ctx).await?;
        let versions: Vec<Version> = state.core.releases.keys().cloned().collect();
        // Futures built in a loop, not by a closure (see `ops::apply` on rustc's `Send` check).
        let mut reads = Vec::with_capacity(versions.len());
        for v in &versions {
            reads.push(load_manifest(ctx, v));
        }
        let loaded: Vec<Result<Option<Manifest>>> = stream::iter(reads)
            .buffer_unordered(ctx.concurrency.max(1))
            .collect()
            .await;
        for m in loaded.into_iter().flatten().flatten() {
            for f in &m.files {
                // The newest release with these bytes names them.
                let key = (f.path.clone(), f.sha256.clone());
                match self.by_file.get(&key) {
                    Some(v) if *v > m.version => {}
                    _ => {
                        self.by_file.insert(key, m.version.clone());
                    }
                }
            }
        }
        self.loaded = true;
        Ok(())
    }
}

/// One round: fetches every file of every folder (bounded concurrency), then judges.
async fn check_folders(
    ctx: &Context,
    edge: &EdgeSettings,
    origin: &str,
    folders: &[Folder<'_>],
    others: &mut Others,
) -> Result<Vec<EdgeFolder>> {
    let requests: Vec<(usize, usize, EdgeRequest)> = folders
        .iter()
        .enumerate()
        .flat_map(|(i, f)| {
            f.manifest.files.iter().enumerate().map(move |(j, file)| {
                (
                    i,
                    j,
                    EdgeRequest {
                        url: edge.url(&f.name, &file.path),
                        origin: origin.to_string(),
                    },
                )
            })
        })
        .collect();
    let mut fetches = Vec::with_capacity(requests.len());
    for (i, j, req) in requests {
        let client = edge.client.clone();
        fetches.push(async move {
            let got = client.get(&req).await;
            (i, j, req.url, got)
        });
    }
    let answers: Vec<(usize, usize, String, std::result::Result<Observed, _>)> =
        stream::iter(fetches)
            .buffer_unordered(ctx.concurrency.max(1))
            .collect()
            .await;
    let mut observed: BTreeMap<(usize, usize), (String, Observed)> = BTreeMap::new();
    for (i, j, url, got) in answers {
        observed.insert((i, j), (url, got.map_err(Error::Edge)?));
    }
    let stale_somewhere = observed.iter().any(|((i, j), (_, o))| {
        let want = &folders[*i].manifest.files[*j];
        o.sha256.as_ref().is_some_and(|s| *s != want.sha256)
    });
    if stale_somewhere {
        others.load(ctx).await?;
    }
    let identify = |path: &str, sha: &str| {
        others
            .by_file
            .get(&(path.to_string(), sha.to_string()))
            .cloned()
    };
    let mut out = Vec::with_capacity(folders.len());
    for (i, f) in folders.iter().enumerate() {
        let mut files = Vec::with_capacity(f.manifest.files.len());
        for (j, file) in f.manifest.files.iter().enumerate() {
            let Some((url, got)) = observed.remove(&(i, j)) else {
                continue;
            };
            let want = Expected {
                file,
                cache_control: f.cache_control.as_deref().unwrap_or(&file.cache_control),
                origin,
                asked_compression: true,
            };
            let findings = judge(&want, &f.manifest.version, &got, &identify);
            files.push(EdgeFile {
                path: file.path.clone(),
                url,
                observed: got,
                findings,
            });
        }
        let served_as = served_as(files.iter().flat_map(|f| f.findings.iter()));
        out.push(EdgeFolder {
            target: f.name.clone(),
            kind: f.kind,
            version: f.manifest.version.clone(),
            served_as,
            files,
        });
    }
    Ok(out)
}

/// How far a change got: its files written, the CDN told to forget the old ones, or the edge
/// seen serving the new ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reached {
    #[default]
    Written,
    Invalidated,
    Served,
}

/// The edge phase of a change: whether the moved aliases are served as their new targets.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "edge", rename_all = "snake_case")]
pub enum EdgeConfirmation {
    /// Every moved alias served its new target (after `seconds` of waiting, 0 when at once).
    Served { seconds: f64 },
    /// Some URLs still serve something else.
    NotYet {
        /// Whether the change waited for the edge (and so failed when it did not converge).
        waited: bool,
        seconds: f64,
        stale: Vec<String>,
        /// What each stale alias is served as, in one phrase per alias.
        served_as: Vec<String>,
    },
    /// The edge could not be asked; the change itself stands.
    Unchecked { error: String },
}

/// Checks the aliases a change moved, once or (with `wait`) until served or out of time.
/// Never fails: an edge that cannot be asked is an outcome, since the change itself stands.
pub async fn confirm(
    ctx: &Context,
    moved: &[AliasName],
    wait: Option<Duration>,
) -> Option<EdgeConfirmation> {
    ctx.edge.as_ref()?;
    if moved.is_empty() {
        return None;
    }
    let check = EdgeCheck {
        names: moved.iter().map(ToString::to_string).collect(),
        versions: false,
        wait,
    };
    Some(match verify_edge(ctx, &check).await {
        Err(e) => EdgeConfirmation::Unchecked {
            error: e.to_string(),
        },
        Ok(r) => {
            let seconds = r.waited.as_ref().map_or(0.0, |w| w.seconds);
            let stale: Vec<String> = r
                .folders
                .iter()
                .flat_map(|f| f.stale_urls().map(str::to_string))
                .collect();
            if stale.is_empty() {
                EdgeConfirmation::Served { seconds }
            } else {
                EdgeConfirmation::NotYet {
                    waited: wait.is_some(),
                    seconds,
                    stale,
                    served_as: r
                        .folders
                        .iter()
                        .filter(|f| f.stale())
                        .map(|f| match &f.served_as {
                            Some(v) => format!("{}/ still served as {v}", f.target),
                            None => format!("{}/ not yet {}", f.target, f.version),
                        })
                        .collect(),
                }
            }
        }
    })
}
