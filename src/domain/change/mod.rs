//! What each requested change does to the state, decided without touching any store.
//!
//! `decide` turns a request (promote, rollback, unpin, yank, unyank) into the next state plus
//! the sentences a release manager should read before approving it. Refusals are sentences too:
//! they say what is wrong and what to type instead.

use crate::domain::alias::{AliasError, AliasName, resolve_aliases};
use crate::domain::state::{AliasRecord, Core, Yank};
use crate::domain::version::is_prerelease;
use chrono::{DateTime, Utc};
use semver::Version;

/// A change to aliases or release eligibility.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Promote {
        version: Version,
        alias: Option<AliasName>,
    },
    Rollback {
        alias: AliasName,
        to: Option<Version>,
    },
    Unpin {
        alias: AliasName,
    },
    Yank {
        version: Version,
        reason: String,
    },
    Unyank {
        version: Version,
    },
}

impl Request {
    /// What the change is, as history records it.
    pub fn action(&self) -> crate::domain::history::Operation {
        use crate::domain::history::Operation;
        match self {
            Request::Promote { .. } => Operation::Promote,
            Request::Rollback { .. } => Operation::Rollback,
            Request::Unpin { .. } => Operation::Unpin,
            Request::Yank { .. } => Operation::Yank,
            Request::Unyank { .. } => Operation::Unyank,
        }
    }

    /// The request in words; re-running the same words resumes an interrupted run.
    pub fn description(&self) -> String {
        match self {
            Request::Promote {
                version,
                alias: None,
            } => format!("promote {version}"),
            Request::Promote {
                version,
                alias: Some(a),
            } => format!("promote {version} to {a}"),
            Request::Rollback { alias, to: Some(v) } => format!("rollback {alias} to {v}"),
            Request::Rollback { alias, to: None } => format!("rollback {alias}"),
            Request::Unpin { alias } => format!("unpin {alias}"),
            Request::Yank { version, .. } => format!("yank {version}"),
            Request::Unyank { version } => format!("unyank {version}"),
        }
    }
}

/// The next state and what to tell the user about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub next: Core,
    pub release_changes: Vec<String>,
    /// What a release manager must not miss (an alias that goes away): shown first, highlighted.
    pub warnings: Vec<String>,
    pub notes: Vec<String>,
}

/// Why a change is refused, by the rule that refuses it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("version {0} is not published; `shipdeck releases` lists the published versions")]
    UnknownVersion(Version),
    #[error("alias '{0}' does not exist; `shipdeck releases` lists the aliases")]
    UnknownAlias(AliasName),
    #[error("{version} is yanked ({reason}); run `shipdeck unyank {version}` first")]
    PromoteYanked { version: Version, reason: String },
    #[error(
        "{0} is a prerelease, and prereleases never land on automatic aliases; pin it to a channel: shipdeck promote {0} --alias next"
    )]
    PrereleaseOnAutomatic(Version),
    #[error(transparent)]
    Scope(#[from] AliasError),
    #[error("'{0}' has no previous target recorded; choose one with --to VERSION")]
    NoPrevious(AliasName),
    #[error(
        "rolling back to {version} is refused: it was yanked ({reason}); choose another version or unyank it first"
    )]
    RollbackToYanked { version: Version, reason: String },
    #[error("'{0}' is not pinned; it already follows automatic resolution")]
    NotPinned(AliasName),
    #[error("a yank needs a reason that the team will read later: --reason \"TEXT\"")]
    NoReason,
    #[error("{0} is already yanked")]
    AlreadyYanked(Version),
    #[error("{0} is not yanked")]
    NotYanked(Version),
}

fn list(names: &[AliasName]) -> String {
    names
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The next state being built, and what to tell the user about it.
struct Draft {
    next: Core,
    release_changes: Vec<String>,
    notes: Vec<String>,
}

/// Decides the next state for `req`, or says why it is refused.
pub fn decide(
    core: &Core,
    req: &Request,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Outcome, Refusal> {
    let mut d = Draft {
        next: core.clone(),
        release_changes: Vec::new(),
        notes: Vec::new(),
    };
    match req {
        Request::Promote { version, alias } => promote(core, &mut d, version, alias.as_ref())?,
        Request::Rollback { alias, to } => rollback(core, &mut d, alias, to.as_ref())?,
        Request::Unpin { alias } => unpin(core, &mut d, alias)?,
        Request::Yank { version, reason } => {
            let record = Yank {
                reason: reason.trim().to_string(),
                by: actor.to_string(),
                at: now,
            };
            yank(core, &mut d, version, record)?;
        }
        Request::Unyank { version } => unyank(&mut d, version)?,
    }
    d.next.aliases = resolve_aliases(&d.next);
    let warnings = vanished(core, &d.next);
    Ok(Outcome {
        next: d.next,
        release_changes: d.release_changes,
        warnings,
        notes: d.notes,
    })
}

/// Aliases that serve something now and nothing after: their folders are deleted, so pages
/// that embed them break.
fn vanished(core: &Core, next: &Core) -> Vec<String> {
    core.aliases
        .iter()
        .filter(|(name, _)| !next.aliases.contains_key(*name))
        .map(|(name, r)| {
            format!(
                "'{name}' has no other release it can serve, so its folder {name}/ is deleted: pages that load {name}/ get 404 until a release in its scope is promoted (or {} is unyanked)",
                r.target
            )
        })
        .collect()
}

fn promote(
    core: &Core,
    d: &mut Draft,
    version: &Version,
    alias: Option<&AliasName>,
) -> Result<(), Refusal> {
    let rel = d
        .next
        .releases
        .get_mut(version)
        .ok_or_else(|| Refusal::UnknownVersion(version.clone()))?;
    if let Some(y) = &rel.yanked {
        return Err(Refusal::PromoteYanked {
            version: version.clone(),
            reason: y.reason.clone(),
        });
    }
    let Some(a) = alias else {
        if is_prerelease(version) {
            return Err(Refusal::PrereleaseOnAutomatic(version.clone()));
        }
        if !rel.promoted {
            rel.promoted = true;
            d.release_changes
                .push(format!("{version} becomes eligible for automatic aliases"));
        }
        for (name, rec) in &core.aliases {
            if rec.pinned && name.in_scope(version) && *version > rec.target {
                d.notes.push(format!(
                    "'{name}' is pinned to {} and stays there; `shipdeck unpin {name}` lets it follow",
                    rec.target
                ));
            }
        }
        return Ok(());
    };
    a.check_target(version)?;
    let previous = core
        .aliases
        .get(a)
        .map(|r| r.target.clone())
        .filter(|t| t != version);
    d.next.aliases.insert(
        a.clone(),
        AliasRecord {
            target: version.clone(),
            pinned: true,
            previous,
        },
    );
    if a.is_automatic() {
        d.notes.push(format!(
            "'{a}' will stay pinned to {version} until `shipdeck unpin {a}`"
        ));
    }
    Ok(())
}

fn rollback(
    core: &Core,
    d: &mut Draft,
    alias: &AliasName,
    to: Option<&Version>,
) -> Result<(), Refusal> {
    let cur = core
        .aliases
        .get(alias)
        .ok_or_else(|| Refusal::UnknownAlias(alias.clone()))?;
    let target = match to {
        Some(v) => v.clone(),
        None => cur
            .previous
            .clone()
            .ok_or_else(|| Refusal::NoPrevious(alias.clone()))?,
    };
    let rel = core
        .releases
        .get(&target)
        .ok_or_else(|| Refusal::UnknownVersion(target.clone()))?;
    if let Some(y) = &rel.yanked {
        return Err(Refusal::RollbackToYanked {
            version: target.clone(),
            reason: y.reason.clone(),
        });
    }
    alias.check_target(&target)?;
    d.next.aliases.insert(
        alias.clone(),
        AliasRecord {
            target: target.clone(),
            pinned: true,
            previous: Some(cur.target.clone()).filter(|t| *t != target),
        },
    );
    let others: Vec<AliasName> = core
        .aliases_serving(&cur.target)
        .into_iter()
        .filter(|a| a != alias)
        .collect();
    if target > cur.target {
        // Back to a newer version (rolling a rollback back): say so, and say nothing about
        // other aliases serving the older one, which is not the bad one here.
        d.notes.push(format!(
            "'{alias}' moves forward from {} to {target}",
            cur.target
        ));
    } else if !others.is_empty() && cur.target != target {
        d.notes.push(format!(
            "still serving {} after this rollback: {} (roll those back too if {} is bad, or yank it)",
            cur.target,
            list(&others),
            cur.target
        ));
    }
    d.notes.push(format!(
        "'{alias}' stays pinned to {target} until `shipdeck unpin {alias}`"
    ));
    Ok(())
}

fn unpin(core: &Core, d: &mut Draft, alias: &AliasName) -> Result<(), Refusal> {
    let cur = core
        .aliases
        .get(alias)
        .ok_or_else(|| Refusal::UnknownAlias(alias.clone()))?;
    if !cur.pinned {
        return Err(Refusal::NotPinned(alias.clone()));
    }
    if let Some(r) = d.next.aliases.get_mut(alias) {
        r.pinned = false;
    }
    if !alias.is_automatic() {
        d.notes
            .push(format!("'{alias}' is a channel: unpinning removes it"));
    }
    Ok(())
}

fn yank(core: &Core, d: &mut Draft, version: &Version, record: Yank) -> Result<(), Refusal> {
    if record.reason.is_empty() {
        return Err(Refusal::NoReason);
    }
    let rel = d
        .next
        .releases
        .get_mut(version)
        .ok_or_else(|| Refusal::UnknownVersion(version.clone()))?;
    if rel.yanked.is_some() {
        return Err(Refusal::AlreadyYanked(version.clone()));
    }
    d.release_changes
        .push(format!("{version} is yanked: {}", record.reason));
    rel.yanked = Some(record);
    let serving = core.aliases_serving(version);
    if !serving.is_empty() {
        d.notes.push(format!(
            "re-resolving the aliases that served {version}: {}",
            list(&serving)
        ));
    }
    d.notes.push(format!(
        "the folder of {version} stays, for pages that load it by its full version"
    ));
    Ok(())
}

fn unyank(d: &mut Draft, version: &Version) -> Result<(), Refusal> {
    let rel = d
        .next
        .releases
        .get_mut(version)
        .ok_or_else(|| Refusal::UnknownVersion(version.clone()))?;
    if rel.yanked.take().is_none() {
        return Err(Refusal::NotYanked(version.clone()));
    }
    d.release_changes
        .push(format!("{version} is no longer yanked"));
    Ok(())
}

#[cfg(test)]
mod tests;
