//! Verifying that what the store serves is exactly what the manifests say.
//!
//! `verify` reads every byte and compares SHA-256, Content-Type and Cache-Control, and names
//! every file that does not belong. (A change checks itself more cheaply, from the content id
//! the store reports for each write; see `ops::apply`.) `shipdeck repair` fixes what it finds.

use super::Context;
use super::records::{load_state, require_manifest};
use crate::domain::alias::AliasName;
use crate::domain::manifest::{Manifest, sha256_hex};
use crate::domain::version::parse_version;
use crate::error::Result;
use serde::Serialize;
use std::collections::BTreeMap;

/// The result for one alias or version.
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    pub target: String,
    /// The release checked against.
    pub version: String,
    pub files: usize,
    pub problems: Vec<String>,
}

enum Target {
    Alias(AliasName),
    Version(semver::Version),
}

fn parse_target(s: &str) -> Result<Target> {
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        return Ok(Target::Version(parse_version(s)?));
    }
    Ok(Target::Alias(s.parse::<AliasName>()?))
}

/// Verifies the named aliases and versions (every alias and release when `names` is empty).
pub async fn verify(ctx: &Context, names: &[String]) -> Result<Vec<Verified>> {
    let (state, _) = load_state(ctx).await?;
    let mut targets = Vec::new();
    if names.is_empty() {
        targets.extend(state.core.aliases.keys().cloned().map(Target::Alias));
        targets.extend(state.core.releases.keys().cloned().map(Target::Version));
    } else {
        for n in names {
            targets.push(parse_target(n)?);
        }
    }
    let mut out = Vec::new();
    for t in targets {
        let (label, version, dir, cache) = match &t {
            Target::Alias(a) => {
                let rec = state
                    .core
                    .aliases
                    .get(a)
                    .ok_or_else(|| crate::error::NotFound::Alias(a.to_string()))?;
                (
                    a.to_string(),
                    rec.target.clone(),
                    ctx.layout.alias_dir(a),
                    Some(ctx.alias_cache_control.clone()),
                )
            }
            Target::Version(v) => {
                if !state.core.releases.contains_key(v) {
                    return Err(crate::error::NotFound::Version(v.clone()).into());
                }
                (v.to_string(), v.clone(), ctx.layout.release_dir(v), None)
            }
        };
        let manifest = require_manifest(ctx, &version).await?;
        let problems = check_folder(ctx, &dir, &manifest, cache.as_deref()).await?;
        out.push(Verified {
            target: label,
            version: version.to_string(),
            files: manifest.files.len(),
            problems,
        });
    }
    Ok(out)
}

async fn check_folder(
    ctx: &Context,
    dir: &str,
    manifest: &Manifest,
    alias_cache: Option<&str>,
) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let listed: BTreeMap<String, _> = ctx
        .store
        .list(dir)
        .await?
        .into_iter()
        .map(|m| (m.key.clone(), m))
        .collect();
    for f in &manifest.files {
        let key = format!("{dir}{}", f.path);
        let Some(obj) = ctx.store.get(&key).await? else {
            problems.push(format!("{key}: missing"));
            continue;
        };
        if sha256_hex(&obj.body) != f.sha256 {
            problems.push(format!(
                "{key}: content differs from the manifest of {}",
                manifest.version
            ));
        }
        let want_cache = alias_cache.unwrap_or(&f.cache_control);
        if let Some(cc) = &obj.meta.cache_control
            && cc != want_cache
        {
            problems.push(format!(
                "{key}: Cache-Control is '{cc}', expected '{want_cache}'"
            ));
        }
        if let Some(ct) = &obj.meta.content_type
            && ct != &f.content_type
        {
            problems.push(format!(
                "{key}: Content-Type is '{ct}', expected '{}'",
                f.content_type
            ));
        }
    }
    for key in listed.keys() {
        let rel = &key[dir.len()..];
        if manifest.file(rel).is_none() {
            problems.push(format!(
                "{key}: not part of {} (unexpected file)",
                manifest.version
            ));
        }
    }
    Ok(problems)
}
