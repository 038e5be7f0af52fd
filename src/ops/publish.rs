//! Publishing a build folder as an immutable release.
//!
//! The build is read and hashed before anything is written, so a bad folder (a symlink, an empty
//! sub-folder, nothing at all) is refused with no side effects. The upload order makes a release
//! visible only when complete: files, then the manifest, then the state.

use super::Context;
use super::change::{finish_plan_with, unfinished};
use super::records::load_state;
use crate::domain::alias::resolve_aliases;
use crate::domain::buildfile::{self, Verdict};
use crate::domain::manifest::{FileEntry, Manifest, describe_file};
use crate::domain::plan::{FileOp, FileOpKind, Plan};
use crate::domain::state::{InFlight, PublishingRecord, ReleaseSummary, State};
use crate::domain::version::{folder_name, parse_version};
use crate::error::{BuildError, Error, Result};
use chrono::Utc;
use semver::Version;
use std::fs;
use std::path::{Path, PathBuf};

/// A build, read and described.
#[derive(Debug, Clone)]
pub struct Build {
    pub dir: PathBuf,
    pub files: Vec<(PathBuf, FileEntry)>,
    /// Files left out, and why (OS litter, hidden files): the plan names them.
    pub excluded: Vec<(String, &'static str)>,
}

/// What to publish.
#[derive(Debug, Clone, Default)]
pub struct PublishRequest {
    pub dir: PathBuf,
    /// Defaults to `version` in the nearest `package.json`.
    pub version: Option<String>,
    pub promote: bool,
    pub commit: Option<String>,
    /// Publish even if the build lacks the profile's entry files.
    pub allow_missing_entries: bool,
}

impl PublishRequest {
    fn description(&self, v: &Version) -> String {
        if self.promote {
            format!("publish {v} and promote")
        } else {
            format!("publish {v}")
        }
    }
}

/// Reads every file of a build folder, refusing what cannot be published faithfully.
pub fn scan_build(dir: &Path) -> Result<Build> {
    let shown = || dir.display().to_string();
    let md = fs::symlink_metadata(dir).map_err(|e| BuildError::unreadable(dir, e))?;
    if md.file_type().is_symlink() {
        return Err(BuildError::FolderIsLink { dir: shown() }.into());
    }
    if !md.is_dir() {
        return Err(BuildError::NotAFolder { dir: shown() }.into());
    }
    let mut files = Vec::new();
    let mut excluded = Vec::new();
    walk(dir, dir, &mut files, &mut excluded)?;
    if files.is_empty() {
        return Err(BuildError::Empty { dir: shown() }.into());
    }
    files.sort_by(|a, b| a.1.path.cmp(&b.1.path));
    excluded.sort();
    Ok(Build {
        dir: dir.to_path_buf(),
        files,
        excluded,
    })
}

fn walk(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(PathBuf, FileEntry)>,
    excluded: &mut Vec<(String, &'static str)>,
) -> Result<()> {
    let io = |p: &Path, e: std::io::Error| Error::io(format!("cannot read '{}'", p.display()), e);
    let mut any = false;
    for entry in fs::read_dir(dir).map_err(|e| io(dir, e))? {
        any = true;
        let entry = entry.map_err(|e| io(dir, e))?;
        let path = entry.path();
        let ft = entry.file_type().map_err(|e| io(&path, e))?;
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let rel_str = rel.to_str().ok_or_else(|| BuildError::NotUtf8 {
            path: path.display().to_string(),
        })?;
        let rel_key = rel_str.replace('\\', "/");
        match buildfile::judge(&rel_key) {
            Verdict::Publish => {}
            Verdict::Excluded(why) => {
                excluded.push((rel_key, why));
                continue;
            }
            Verdict::Refused(why) => return Err(BuildError::Refused(why).into()),
        }
        if ft.is_symlink() {
            return Err(BuildError::FileIsLink {
                path: path.display().to_string(),
            }
            .into());
        } else if ft.is_dir() {
            walk(root, &path, out, excluded)?;
        } else if ft.is_file() {
            let bytes = fs::read(&path).map_err(|e| io(&path, e))?;
            out.push((path.clone(), describe_file(&rel_key, &bytes)));
        } else {
            return Err(BuildError::NotAFile {
                path: path.display().to_string(),
            }
            .into());
        }
    }
    if !any && dir != root {
        return Err(BuildError::EmptyFolder {
            dir: dir.display().to_string(),
        }
        .into());
    }
    Ok(())
}

/// `version` from the nearest `package.json`, looking in `dir` and then its parents.
pub fn version_from_package_json(dir: &Path) -> Result<Version> {
    let start = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    for d in start.ancestors() {
        let p = d.join("package.json");
        if p.is_file() {
            let path = p.display().to_string();
            let text = fs::read_to_string(&p)
                .map_err(|e| Error::io(format!("cannot read '{path}'"), e))?;
            let json: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| BuildError::PackageNotJson {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
            let v = json
                .get("version")
                .and_then(|v| v.as_str())
                .ok_or_else(|| BuildError::PackageNoVersion { path: path.clone() })?;
            return parse_version(v)
                .map_err(|source| BuildError::PackageVersion { path, source }.into());
        }
    }
    Err(BuildError::NoPackage {
        dir: dir.display().to_string(),
    }
    .into())
}

fn manifest_for(build: &Build, v: &Version, actor: &str, commit: Option<String>) -> Manifest {
    Manifest {
        version: v.clone(),
        files: build.files.iter().map(|(_, e)| e.clone()).collect(),
        published_at: Utc::now(),
        published_by: actor.to_string(),
        commit,
    }
}

fn upload_ops(ctx: &Context, build: &Build, v: &Version) -> Vec<FileOp> {
    let dir = ctx.layout.release_dir(v);
    build
        .files
        .iter()
        .map(|(path, e)| FileOp {
            kind: FileOpKind::Upload,
            key: format!("{dir}{}", e.path),
            source: Some(path.display().to_string()),
            size: e.size,
            content_type: e.content_type.clone(),
            cache_control: e.cache_control.clone(),
            entry: false,
            expect: None,
        })
        .collect()
}

async fn build_plan(
    ctx: &Context,
    state: &State,
    etag: Option<String>,
    build: &Build,
    manifest: Manifest,
    promote: bool,
    description: String,
) -> Result<Plan> {
    let v = manifest.version.clone();
    let mut next = state.core.clone();
    next.releases.insert(
        v.clone(),
        ReleaseSummary {
            files: manifest.files.len(),
            size: manifest.total_size(),
            gzip_size: manifest.total_gzip(),
            published_at: manifest.published_at,
            published_by: manifest.published_by.clone(),
            promoted: promote,
            yanked: None,
            commit: manifest.commit.clone(),
        },
    );
    next.aliases = resolve_aliases(&next);
    let mut plan =
        finish_plan_with(ctx, state, etag, description, next, &[], Some(&manifest)).await?;
    let mut ops = upload_ops(ctx, build, &v);
    ops.append(&mut plan.file_ops);
    plan.file_ops = ops;
    plan.release_changes.insert(
        0,
        format!(
            "new release {v}: {} files, {} ({} gzip) in {}",
            manifest.files.len(),
            crate::domain::plan::human_bytes(manifest.total_size()),
            crate::domain::plan::human_bytes(manifest.total_gzip()),
            ctx.layout.release_dir(&v)
        ),
    );
    if promote {
        plan.release_changes
            .push(format!("{v} becomes eligible for automatic aliases"));
    } else if !crate::domain::version::is_prerelease(&v) {
        plan.notes
            .push(format!("no alias moves until `shipdeck promote {v}`"));
    }
    plan.publishing = Some(PublishingRecord {
        version: v,
        source_dir: build.dir.display().to_string(),
    });
    if !build.excluded.is_empty() {
        let names: Vec<String> = build
            .excluded
            .iter()
            .map(|(p, why)| format!("{p} ({why})"))
            .collect();
        plan.notes
            .insert(0, format!("not published: {}", names.join(", ")));
    }
    plan.manifest = Some(manifest);
    super::change::check_keys(ctx, &plan)?;
    Ok(plan)
}

/// Plans publishing `req.dir`.
pub async fn plan_publish(ctx: &Context, req: &PublishRequest) -> Result<Plan> {
    // The folder first: a mistyped path is about the path, not about a missing package.json.
    if fs::symlink_metadata(&req.dir).is_err() {
        return Err(BuildError::Missing {
            dir: req.dir.display().to_string(),
        }
        .into());
    }
    let v = match &req.version {
        Some(s) => parse_version(s)?,
        None => version_from_package_json(&req.dir)?,
    };
    if req.promote && crate::domain::version::is_prerelease(&v) {
        return Err(BuildError::PrereleasePromoted { version: v }.into());
    }
    let build = scan_build(&req.dir)?;
    if !req.allow_missing_entries {
        let paths: Vec<&str> = build.files.iter().map(|(_, f)| f.path.as_str()).collect();
        let missing = buildfile::missing_entries(&ctx.entry_files, &paths);
        if !missing.is_empty() {
            return Err(BuildError::NoEntries {
                dir: req.dir.display().to_string(),
                missing: missing.join(", "),
            }
            .into());
        }
    }
    let (state, etag) = load_state(ctx).await?;
    let description = req.description(&v);
    if let Some(f) = &state.in_flight {
        super::lock::refuse_if_held(ctx).await?;
        if f.description == description {
            return super::change::plan_resume(ctx, false).await;
        }
        return Err(unfinished(f));
    }
    if let Some(r) = state.core.releases.get(&v) {
        return plan_republish(ctx, req, &build, &v, r).await;
    }
    let present = ctx.store.list(&ctx.layout.release_dir(&v)).await?;
    if !present.is_empty() {
        return Err(BuildError::FolderOccupied {
            folder: ctx.layout.release_dir(&v),
            count: present.len(),
        }
        .into());
    }
    let manifest = manifest_for(&build, &v, &ctx.actor, req.commit.clone());
    build_plan(
        ctx,
        &state,
        etag,
        &build,
        manifest,
        req.promote,
        description,
    )
    .await
}

/// Publishing a version that is already published: with exactly the same files (by SHA-256) it
/// changes nothing and succeeds, so a pipeline that runs on every push does not fail on pushes
/// that did not bump the version (with `--promote`, aliases that are behind still move); with
/// other files it is refused, naming them, because releases are immutable.
async fn plan_republish(
    ctx: &Context,
    req: &PublishRequest,
    build: &Build,
    v: &Version,
    r: &crate::domain::state::ReleaseSummary,
) -> Result<Plan> {
    let published = super::records::require_manifest(ctx, v).await?;
    let built = manifest_for(build, v, &ctx.actor, req.commit.clone());
    let d = crate::domain::manifest::diff(&published, &built);
    if !(d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty()) {
        let mut differ: Vec<String> = Vec::new();
        differ.extend(
            d.changed
                .iter()
                .map(|(a, _)| format!("{} (changed)", a.path)),
        );
        differ.extend(d.added.iter().map(|f| format!("{} (new)", f.path)));
        differ.extend(d.removed.iter().map(|f| format!("{} (missing)", f.path)));
        let shown = differ.len().min(5);
        let more = if differ.len() > shown {
            format!(" and {} more", differ.len() - shown)
        } else {
            String::new()
        };
        return Err(BuildError::PublishedDifferently {
            version: v.clone(),
            by: r.published_by.clone(),
            on: r.published_at.format("%Y-%m-%d").to_string(),
            files: format!("{}{more}", differ[..shown].join(", ")),
        }
        .into());
    }
    let same = format!("{v} is already published with identical files; nothing is uploaded");
    let mut plan = if req.promote {
        let promote = crate::domain::change::Request::Promote {
            version: v.clone(),
            alias: None,
        };
        super::change::plan_change(ctx, &promote).await?
    } else {
        Plan {
            description: req.description(v),
            ..Default::default()
        }
    };
    plan.notes.insert(0, same);
    Ok(plan)
}

/// Plans finishing an interrupted publish from its recorded build folder.
pub async fn plan_resume_publish(
    ctx: &Context,
    state: &State,
    etag: Option<String>,
    f: &InFlight,
    p: &PublishingRecord,
) -> Result<Plan> {
    let dir = PathBuf::from(&p.source_dir);
    let build = scan_build(&dir).map_err(|e| match e {
        Error::Build(source) => Error::Build(BuildError::CannotFinish {
            version: p.version.clone(),
            source: Box::new(source),
        }),
        other => other,
    })?;
    let promote = f.next.releases.get(&p.version).is_some_and(|r| r.promoted);
    let mut manifest = manifest_for(
        &build,
        &p.version,
        &f.by,
        f.next
            .releases
            .get(&p.version)
            .and_then(|r| r.commit.clone()),
    );
    if let Some(r) = f.next.releases.get(&p.version) {
        manifest.published_at = r.published_at;
    }
    let mut plan = build_plan(
        ctx,
        state,
        etag,
        &build,
        manifest,
        promote,
        f.description.clone(),
    )
    .await?;
    plan.resumes = true;
    plan.notes.push(format!(
        "finishing '{}' ({} of v{}), started by {}",
        f.description,
        build.dir.display(),
        folder_name(&p.version).trim_start_matches('v'),
        f.by
    ));
    Ok(plan)
}
