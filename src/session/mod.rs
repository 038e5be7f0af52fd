//! Opening a profile: from configuration to a ready [`Context`] (store, CDN, layout, actor).
//! The CLI and the TUI both start here, so they always act on the same profile the same way.
//!
//! Split by what it does: `profile.rs` resolves which profile, `credentials.rs` wires each
//! cloud's credentials, `context.rs` opens the store, CDN, edge and logs, `origins.rs` wires
//! the Bridge's allowlist; this file assembles the [`Context`].

mod context;
mod credentials;
mod edge_keys;
mod metrics;
mod origins;
mod profile;
mod tracking;

pub use context::{check_alerts, log_source, traffic_cache};
pub use credentials::{aws_settings, azure_settings, secret_store};
pub use edge_keys::{edge_control, edge_keys, function_code};
pub use metrics::{metrics_target, publish_metrics, sync_alarms};
pub use profile::{actor, choose, demo_bridge_env, demo_profile};

use crate::config::{self, Loaded, Profile, Source};
use crate::domain::layout::Layout;
use crate::domain::manifest::ALIAS_CACHE;
use crate::error::Result;
use crate::ops::Context;
use context::{edge_settings, open_cdn, open_store};
use std::sync::Arc;

/// An opened profile.
#[derive(Clone)]
pub struct Session {
    pub profile_name: String,
    pub profile: Profile,
    pub source: Source,
    pub ctx: Context,
    pub theme: Option<String>,
    pub keys: std::collections::BTreeMap<String, String>,
}

/// How the interactive console was asked to start, whichever front end asked: a type both
/// front ends know, so the CLI can open the console without importing it.
#[derive(Debug, Clone, Default)]
pub struct ConsoleOptions {
    /// Hide and refuse every change.
    pub readonly: bool,
    /// A theme name overriding the config's.
    pub theme: Option<String>,
}

/// Opens the interactive console on a session; `main` passes the TUI's to the CLI.
pub type Console = fn(
    Session,
    ConsoleOptions,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + Send>>;

/// Options for opening a profile that the command line decides.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// `--no-invalidate`: never tell the CDN.
    pub no_invalidate: bool,
}

/// Opens a profile's store and CDN.
pub async fn open(loaded: &Loaded, wanted: Option<&str>, opts: &OpenOptions) -> Result<Session> {
    let (name, profile) = choose(loaded, wanted)?;
    let (store, opened) = open_store(loaded, &name, &profile).await?;
    let layout = Layout::new(profile.store.prefix());
    let default_path = format!("/{}", layout.prefix().trim_end_matches('/'));
    let cdn = open_cdn(&name, &profile, opened, &default_path, opts).await?;
    let ctx = Context {
        store,
        cdn,
        layout,
        actor: actor(loaded),
        alias_cache_control: profile
            .alias_cache_control
            .clone()
            .unwrap_or_else(|| ALIAS_CACHE.to_string()),
        concurrency: profile.concurrency.unwrap_or(16).clamp(1, 256),
        pricing_dir: config::config_dir().map(|d| d.join("pricing")),
        usage_file: profile.usage.clone(),
        traffic_cache: profile.logs.as_ref().map(|_| traffic_cache(&name)),
        default_provider: match profile.store.cloud() {
            config::Cloud::Azure => crate::domain::cost::Provider::Azure,
            _ => crate::domain::cost::Provider::Aws,
        },
        entry_files: profile.entry_files.clone().unwrap_or_else(|| {
            crate::domain::buildfile::DEFAULT_ENTRY_FILES
                .iter()
                .map(|s| s.to_string())
                .collect()
        }),
        edge: None,
        confirm_edge: profile.confirm_edge,
        stop: Arc::default(),
        tracking: None,
        edge_keys: None,
    };
    let mut s = Session {
        profile_name: name,
        profile,
        source: loaded.source.clone(),
        ctx,
        theme: loaded.file.theme.clone(),
        keys: loaded.file.keys.clone(),
    };
    s.ctx.edge = edge_settings(&s, loaded)?;
    s.ctx.tracking = tracking::tracking(&s).await?;
    if s.profile.alias_mode == config::AliasMode::Edge {
        match edge_keys::edge_keys(&s).await {
            Ok(keys) => s.ctx.edge_keys = Some(keys),
            // Before `edge setup` created the store nothing at the edge reads keys, so the
            // copies are what browsers get, and setup itself must be able to run.
            Err(crate::error::Error::Profile(crate::error::ProfileGap::NoEdgeStore { name })) => {
                tracing::warn!(store = %name, "edge mode without its KeyValueStore: aliases are copies until `shipdeck edge setup` runs");
            }
            Err(e) => return Err(e),
        }
    }
    Ok(s)
}
