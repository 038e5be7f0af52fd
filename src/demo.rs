//! The demo store: a few small real builds, embedded in the binary and published on first use,
//! so `shipdeck` with no configuration shows releases, aliases and history at once.

use crate::domain::alias::AliasName;
use crate::domain::change::Request;
use crate::domain::history::Operation;
use crate::error::{Error, Result};
use crate::ops::publish::PublishRequest;
use crate::ops::{Context, Silent, apply, change, publish, records};
use include_dir::{Dir, include_dir};
use std::path::Path;

static DEMO: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/assets/demo");

/// The runbook's Bridge `.env`, for the demo profile's allowlist.
const BRIDGE_ENV: &str = include_str!("../assets/demo-bridge.env");

/// Writes the demo Bridge `.env` at `path` unless one is there (edits to it are kept).
pub fn seed_bridge(path: &Path) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    let io = |e: std::io::Error| {
        Error::io(
            format!("cannot write the demo Bridge .env to '{}'", path.display()),
            e,
        )
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(path, BRIDGE_ENV).map_err(io)
}

/// Versions in publish order; the last one is a prerelease pinned to the `next` channel.
const STABLE: [&str; 4] = ["0.9.0", "1.0.0", "1.0.1", "1.1.0"];
const PRERELEASE: &str = "2.0.0-beta.1";

/// Publishes the demo builds into an empty store; does nothing if the store has a state.
pub async fn seed_if_empty(ctx: &Context, scratch: &Path) -> Result<bool> {
    if records::load_state(ctx).await?.1.is_some() {
        return Ok(false);
    }
    let mut ctx = ctx.clone();
    ctx.actor = "shipdeck-demo".into();
    for v in STABLE.iter().chain([&PRERELEASE]) {
        let dir = scratch.join(v);
        extract(v, &dir)?;
        let req = PublishRequest {
            dir,
            version: Some(v.to_string()),
            promote: *v != PRERELEASE,
            commit: None,
            ..Default::default()
        };
        let plan = publish::plan_publish(&ctx, &req).await?;
        apply::apply(&ctx, &plan, Operation::Publish, &Silent).await?;
    }
    let pin = Request::Promote {
        version: crate::domain::version::parse_version(PRERELEASE)?,
        alias: Some(AliasName::Channel("next".into())),
    };
    let plan = change::plan_change(&ctx, &pin).await?;
    apply::apply(&ctx, &plan, Operation::Promote, &Silent).await?;
    Ok(true)
}

/// Writes the embedded build of `version` to `dir`.
pub fn extract(version: &str, dir: &Path) -> Result<()> {
    let src = DEMO
        .get_dir(version)
        .ok_or_else(|| crate::error::BuildError::DemoMissing {
            version: version.to_string(),
        })?;
    let io = |e: std::io::Error| {
        Error::io(
            format!("cannot write the demo build to '{}'", dir.display()),
            e,
        )
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    for f in src.files() {
        let rel = f.path().strip_prefix(version).unwrap_or(f.path());
        let to = dir.join(rel);
        if let Some(p) = to.parent() {
            std::fs::create_dir_all(p).map_err(io)?;
        }
        std::fs::write(&to, f.contents()).map_err(io)?;
    }
    Ok(())
}
