//! `shipdeck repair --state`: rebuilds a missing or damaged release state from the manifests,
//! the history and the alias folders (the rules are in `domain::rebuild`), and writes it only
//! where no readable state is: a readable state is never replaced by a guess.

use super::Context;
use super::records::{load_manifest, read_history, save_state};
use crate::domain::alias::AliasName;
use crate::domain::plan::Existing;
use crate::domain::rebuild::{Evidence, Rebuilt, rebuild};
use crate::domain::state::{STATE_SCHEMA, State};
use crate::domain::version::parse_version;
use crate::error::Result;
use std::collections::BTreeMap;

/// A rebuilt state, ready to show and to write.
#[derive(Debug, Clone)]
pub struct StateRebuild {
    pub rebuilt: Rebuilt,
    /// The ETag of the damaged document it replaces (`None`: there is none).
    pub replaces: Option<String>,
}

/// Reads what the store holds and decides the state it implies. Changes nothing.
pub async fn plan(ctx: &Context) -> Result<StateRebuild> {
    let key = ctx.layout.state_key();
    let replaces = match ctx.store.get(&key).await? {
        None => None,
        Some(obj) => match serde_json::from_slice::<State>(&obj.body) {
            Ok(s) if s.schema == STATE_SCHEMA => {
                return Err(crate::error::RecordError::StateReadable { key }.into());
            }
            _ => Some(obj.meta.etag),
        },
    };
    let mut manifests = Vec::new();
    for m in ctx.store.list(&ctx.layout.manifests_dir()).await? {
        let name = m.key.rsplit('/').next().unwrap_or_default();
        let Some(v) = name
            .strip_suffix(".json")
            .and_then(|n| n.strip_prefix('v'))
            .and_then(|n| parse_version(n).ok())
        else {
            continue;
        };
        if let Some(manifest) = load_manifest(ctx, &v).await? {
            manifests.push(manifest);
        }
    }
    if manifests.is_empty() {
        return Err(crate::error::RecordError::NothingToRebuild.into());
    }
    let mut history = read_history(ctx, None).await?;
    history.reverse();
    let evidence = Evidence {
        manifests,
        history,
        folders: alias_folders(ctx).await?,
    };
    Ok(StateRebuild {
        rebuilt: rebuild(&evidence),
        replaces,
    })
}

/// The alias folders under the published prefix, with their files.
async fn alias_folders(ctx: &Context) -> Result<BTreeMap<AliasName, Vec<Existing>>> {
    let prefix = ctx.layout.prefix();
    let mut folders: BTreeMap<AliasName, Vec<Existing>> = BTreeMap::new();
    for m in ctx.store.list(prefix).await? {
        let rel = &m.key[prefix.len()..];
        let Some((first, path)) = rel.split_once('/') else {
            continue;
        };
        let Ok(alias) = first.parse::<AliasName>() else {
            continue;
        };
        folders.entry(alias).or_default().push(Existing {
            path: path.to_string(),
            size: m.size,
            content_id: m.content_id,
        });
    }
    Ok(folders)
}

/// Writes the rebuilt state: create-only when there was none, or in place of the damaged one
/// it was planned against (refused if either changed since).
pub async fn apply(ctx: &Context, r: &StateRebuild) -> Result<()> {
    let state = State {
        schema: STATE_SCHEMA,
        core: r.rebuilt.core.clone(),
        in_flight: None,
    };
    save_state(ctx, &state, r.replaces.as_deref()).await?;
    Ok(())
}
