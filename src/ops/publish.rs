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
use crate::error::{Error, Result};
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
    let md = fs::symlink_metadata(dir).map_err(|e| {
        Error::Usage(format!(
            "cannot read the build folder '{}': {e}",
            dir.display()
        ))
    })?;
    if md.file_type().is_symlink() {
        return Err(Error::Usage(format!(
            "the build folder '{}' is a symbolic link; pass the real folder it points to",
            dir.display()
        )));
    }
    if !md.is_dir() {
        return Err(Error::Usage(format!(
            "'{}' is not a folder; pass the build output folder, e.g. dist-cdn/",
            dir.display()
        )));
    }
    let mut files = Vec::new();
    let mut excluded = Vec::new();
    walk(dir, dir, &mut files, &mut excluded)?;
    if files.is_empty() {
        return Err(Error::Usage(format!(
            "the build folder '{}' holds no files; run the build (e.g. npm run build:cdn) first",
            dir.display()
        )));
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
    let io = |p: &Path, e: std::io::Error| Error::Io(format!("cannot read '{}': {e}", p.display()));
    let mut any = false;
    for entry in fs::read_dir(dir).map_err(|e| io(dir, e))? {
        any = true;
        let entry = entry.map_err(|e| io(dir, e))?;
        let path = entry.path();
        let ft = entry.file_type().map_err(|e| io(&path, e))?;
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let rel_str = rel.to_str().ok_or_else(|| {
            Error::Usage(format!(
                "'{}' has a name that is not valid UTF-8; rename it",
                path.display()
            ))
        })?;
        let rel_key = rel_str.replace('\\', "/");
        match buildfile::judge(&rel_key) {
            Verdict::Publish => {}
            Verdict::Excluded(why) => {
                excluded.push((rel_key, why));
                continue;
            }
            Verdict::Refused(why) => return Err(Error::Usage(why)),
        }
        if ft.is_symlink() {
            return Err(Error::Usage(format!(
                "'{}' is a symbolic link; Shipdeck publishes only regular files inside the build folder — copy the real file in instead",
                path.display()
            )));
        } else if ft.is_dir() {
            walk(root, &path, out, excluded)?;
        } else if ft.is_file() {
            let bytes = fs::read(&path).map_err(|e| io(&path, e))?;
            out.push((path.clone(), describe_file(&rel_key, &bytes)));
        } else {
            return Err(Error::Usage(format!(
                "'{}' is not a regular file; remove it from the build folder",
                path.display()
            )));
        }
    }
    if !any && dir != root {
        return Err(Error::Usage(format!(
            "'{}' is an empty folder; remove it, since an empty folder cannot exist in a bucket",
            dir.display()
        )));
    }
    Ok(())
}

/// `version` from the nearest `package.json`, looking in `dir` and then its parents.
pub fn version_from_package_json(dir: &Path) -> Result<Version> {
    let start = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    for d in start.ancestors() {
        let p = d.join("package.json");
        if p.is_file() {
            let text = fs::read_to_string(&p)
                .map_err(|e| Error::Io(format!("cannot read '{}': {e}", p.display())))?;
            let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                Error::Usage(format!(
                    "'{}' is not valid JSON ({e}); fix it or pass --version",
                    p.display()
                ))
            })?;
            let v = json
                .get("version")
                .and_then(|v| v.as_str())
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "'{}' has no \"version\" string; add one or pass --version X.Y.Z",
                        p.display()
                    ))
                })?;
            return parse_version(v)
                .map_err(|e| Error::Usage(format!("{e} (from '{}')", p.display())));
        }
    }
    Err(Error::Usage(format!(
        "no package.json found in '{}' or above it; pass --version X.Y.Z",
        dir.display()
    )))
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
        return Err(Error::Usage(format!(
            "the build folder '{}' does not exist; pass the build output folder, e.g. dist-cdn/",
            req.dir.display()
        )));
    }
    let v = match &req.version {
        Some(s) => parse_version(s).map_err(|e| Error::Usage(e.to_string()))?,
        None => version_from_package_json(&req.dir)?,
    };
    if req.promote && crate::domain::version::is_prerelease(&v) {
        return Err(Error::Usage(format!(
            "{v} is a prerelease and cannot be promoted to automatic aliases; publish it without --promote, then `shipdeck promote {v} --alias next`"
        )));
    }
    let build = scan_build(&req.dir)?;
    if !req.allow_missing_entries {
        let paths: Vec<&str> = build.files.iter().map(|(_, f)| f.path.as_str()).collect();
        let missing = buildfile::missing_entries(&ctx.entry_files, &paths);
        if !missing.is_empty() {
            return Err(Error::Usage(format!(
                "the build folder '{}' lacks {} (the widget's entry files); check the build output, or pass --allow-missing-entries to publish it anyway",
                req.dir.display(),
                missing.join(", ")
            )));
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
        return Err(Error::Refused(format!(
            "the folder {} already holds {} object(s) that Shipdeck did not publish; remove them or choose another version",
            ctx.layout.release_dir(&v),
            present.len()
        )));
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
        return Err(Error::Refused(format!(
            "{v} is already published (by {} on {}) with other files: {}{more}; releases are immutable — bump the version in package.json or pass --version",
            r.published_by,
            r.published_at.format("%Y-%m-%d"),
            differ[..shown].join(", ")
        )));
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
    let build = scan_build(&dir).map_err(|e| {
        Error::Refused(format!(
            "cannot finish publishing {}: {e}; `shipdeck resume --revert` removes the partial upload instead",
            p.version
        ))
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
