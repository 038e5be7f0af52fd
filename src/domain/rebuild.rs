//! Rebuilding a lost or damaged release state from what the store still holds: the manifests
//! (one per published release), the history (promotions and yanks), and the alias folders
//! (what each alias serves now). Used by `shipdeck repair --state`; pure, so every rule here is
//! unit-tested.
//!
//! What cannot be known is said, never guessed silently: a release with no promotion in
//! history is left unpromoted unless an alias serves it, and an alias folder that matches no
//! release exactly points at the closest one with a note to `repair` it.

use crate::domain::alias::{AliasName, highest_eligible};
use crate::domain::history::{HistoryEvent, Operation};
use crate::domain::manifest::Manifest;
use crate::domain::plan::Existing;
use crate::domain::state::{AliasRecord, Core, ReleaseSummary, Yank};
use crate::domain::version::parse_version;
use semver::Version;
use std::collections::BTreeMap;

/// What the store still holds.
#[derive(Debug, Default)]
pub struct Evidence {
    pub manifests: Vec<Manifest>,
    /// Oldest first.
    pub history: Vec<HistoryEvent>,
    /// Each alias folder's files.
    pub folders: BTreeMap<AliasName, Vec<Existing>>,
}

/// The rebuilt state and what the release manager should know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Rebuilt {
    pub core: Core,
    pub notes: Vec<String>,
}

/// The version an event's description names after `verb ` (e.g. `yank 1.2.0`).
fn named(e: &HistoryEvent, verb: &str) -> Option<Version> {
    let rest = e.description.strip_prefix(verb)?.strip_prefix(' ')?;
    parse_version(rest.split(' ').next()?).ok()
}

/// Rebuilds the state's core from `e`.
pub fn rebuild(e: &Evidence) -> Rebuilt {
    let mut core = Core::default();
    let mut notes = Vec::new();
    for m in &e.manifests {
        core.releases.insert(
            m.version.clone(),
            ReleaseSummary {
                files: m.files.len(),
                size: m.total_size(),
                gzip_size: m.total_gzip(),
                published_at: m.published_at,
                published_by: m.published_by.clone(),
                promoted: false,
                yanked: None,
                commit: m.commit.clone(),
            },
        );
    }
    let pinned_in_history = replay(&mut core, &e.history);
    for (alias, files) in &e.folders {
        match closest(&e.manifests, files) {
            Some((m, exact)) => {
                if !exact {
                    notes.push(format!(
                        "'{alias}' does not hold exactly the files of any release; it is set to {} (the closest) — `shipdeck repair {alias}` makes it match",
                        m.version
                    ));
                }
                // An alias that serves a stable release means it was promoted.
                if let Some(r) = core.releases.get_mut(&m.version)
                    && alias.is_automatic()
                {
                    r.promoted = true;
                }
                core.aliases.insert(
                    alias.clone(),
                    AliasRecord {
                        target: m.version.clone(),
                        pinned: false,
                        previous: None,
                    },
                );
            }
            None => notes.push(format!(
                "'{alias}' holds no file of any release; it is left out (delete the folder, or promote a version to it)"
            )),
        }
    }
    // Pinned: pinned by the last rollback or promote-to-alias in history (not unpinned since),
    // or not where automatic resolution would put it.
    let pins: Vec<AliasName> = core
        .aliases
        .iter()
        .filter(|(name, r)| {
            !name.is_automatic()
                || pinned_in_history.get(*name).copied().unwrap_or(false)
                || highest_eligible(&core, name).as_ref() != Some(&r.target)
        })
        .map(|(name, _)| name.clone())
        .collect();
    for name in pins {
        if let Some(r) = core.aliases.get_mut(&name) {
            r.pinned = true;
        }
    }
    let unpromoted: Vec<String> = core
        .releases
        .iter()
        .filter(|(_, r)| !r.promoted)
        .map(|(v, _)| v.to_string())
        .collect();
    if !unpromoted.is_empty() {
        notes.push(format!(
            "no promotion is recorded for {}: left unpromoted (`shipdeck promote VERSION` makes one eligible)",
            unpromoted.join(", ")
        ));
    }
    Rebuilt { core, notes }
}

/// The alias an event's description names after `verb ` (e.g. `rollback latest to 1.0.0`).
fn alias_named(description: &str, verb: &str) -> Option<AliasName> {
    description
        .strip_prefix(verb)?
        .strip_prefix(' ')?
        .split(' ')
        .next()?
        .parse()
        .ok()
}

/// Promotions, yanks and pins from history, oldest first; returns whether each alias was left
/// pinned by its last rollback, promote-to-alias or unpin.
fn replay(core: &mut Core, history: &[HistoryEvent]) -> BTreeMap<AliasName, bool> {
    let mut pinned = BTreeMap::new();
    for ev in history.iter().filter(|ev| ev.outcome == "ok") {
        if let Some(a) = alias_named(&ev.description, "rollback") {
            pinned.insert(a, true);
        } else if let Some(a) = alias_named(&ev.description, "unpin") {
            pinned.insert(a, false);
        } else if let Some((_, a)) = ev
            .description
            .strip_prefix("promote ")
            .and_then(|r| r.split_once(" to "))
            && let Ok(a) = a.parse::<AliasName>()
        {
            pinned.insert(a, true);
        }
        match ev.action {
            Operation::Promote | Operation::Publish => {
                let v = named(ev, "promote").or_else(|| {
                    ev.description
                        .ends_with(" and promote")
                        .then(|| named(ev, "publish"))
                        .flatten()
                });
                // `promote X to ALIAS` pins an alias; it does not make X eligible.
                if let Some(v) = v.filter(|_| !ev.description.contains(" to "))
                    && let Some(r) = core.releases.get_mut(&v)
                {
                    r.promoted = true;
                }
            }
            Operation::Yank => {
                if let Some(r) = named(ev, "yank").and_then(|v| core.releases.get_mut(&v)) {
                    r.yanked = Some(Yank {
                        reason: ev
                            .detail
                            .clone()
                            .unwrap_or_else(|| "yanked (reason not recorded)".into()),
                        by: ev.by.clone(),
                        at: ev.at,
                    });
                }
            }
            Operation::Unyank => {
                if let Some(r) = named(ev, "unyank").and_then(|v| core.releases.get_mut(&v)) {
                    r.yanked = None;
                }
            }
            _ => {}
        }
    }
    pinned
}

/// The release whose files a folder holds: an exact match (same paths, sizes and content ids
/// where both are known), else the one sharing most files.
fn closest<'a>(manifests: &'a [Manifest], files: &[Existing]) -> Option<(&'a Manifest, bool)> {
    let shared = |m: &Manifest| {
        files
            .iter()
            .filter(|f| {
                m.file(&f.path).is_some_and(|mf| {
                    mf.size == f.size
                        && match (&mf.content_id, &f.content_id) {
                            (Some(a), Some(b)) => a == b,
                            _ => true,
                        }
                })
            })
            .count()
    };
    let best = manifests
        .iter()
        .map(|m| (m, shared(m)))
        .filter(|(_, n)| *n > 0)
        .max_by(|a, b| a.1.cmp(&b.1).then(a.0.version.cmp(&b.0.version)))?;
    let exact = best.1 == files.len() && best.1 == best.0.files.len();
    Some((best.0, exact))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::manifest::describe_file;
    use chrono::{DateTime, Utc};

    fn manifest(v: &str, files: &[(&str, &str)]) -> Manifest {
        Manifest {
            version: v.parse().unwrap(),
            files: files
                .iter()
                .map(|(p, c)| {
                    let mut f = describe_file(p, c.as_bytes());
                    f.content_id = Some(format!("{v}:{p}"));
                    f
                })
                .collect(),
            published_at: DateTime::<Utc>::from_timestamp(0, 0).unwrap(),
            published_by: "alice".into(),
            commit: None,
        }
    }

    fn folder(m: &Manifest) -> Vec<Existing> {
        m.files
            .iter()
            .map(|f| Existing {
                path: f.path.clone(),
                size: f.size,
                content_id: f.content_id.clone(),
            })
            .collect()
    }

    fn event(action: &str, description: &str, detail: Option<&str>) -> HistoryEvent {
        HistoryEvent {
            commit: None,
            invalidation: None,
            id: "x".into(),
            at: DateTime::<Utc>::from_timestamp(10, 0).unwrap(),
            by: "bob".into(),
            action: action.parse().unwrap(),
            description: description.into(),
            changes: Vec::new(),
            outcome: "ok".into(),
            detail: detail.map(Into::into),
        }
    }

    #[test]
    fn releases_aliases_promotions_and_yanks_come_back() {
        let m1 = manifest("1.0.0", &[("a.js", "1"), ("b.css", "1")]);
        let m2 = manifest("1.1.0", &[("a.js", "22"), ("b.css", "22")]);
        let m3 = manifest("1.2.0", &[("a.js", "333"), ("b.css", "333")]);
        let mut folders = BTreeMap::new();
        folders.insert(AliasName::Latest, folder(&m1)); // rolled back: pinned
        folders.insert(AliasName::Minor(1, 1), folder(&m2));
        let e = Evidence {
            manifests: vec![m1, m2, m3],
            history: vec![
                event("publish", "publish 1.0.0 and promote", None),
                event("promote", "promote 1.1.0", None),
                event("promote", "promote 1.2.0", None),
                event("yank", "yank 1.2.0", Some("1.2.0 is yanked: breaks Safari")),
            ],
            folders,
        };
        let r = rebuild(&e);
        let v = |s: &str| -> Version { s.parse().unwrap() };
        assert!(r.core.releases.values().all(|x| x.promoted));
        assert_eq!(
            r.core.releases[&v("1.2.0")].yanked.as_ref().unwrap().reason,
            "1.2.0 is yanked: breaks Safari"
        );
        let latest = &r.core.aliases[&AliasName::Latest];
        assert_eq!(latest.target, v("1.0.0"));
        assert!(
            latest.pinned,
            "latest would be 1.1.0: it was pinned to 1.0.0"
        );
        let minor = &r.core.aliases[&AliasName::Minor(1, 1)];
        assert!(!minor.pinned && minor.target == v("1.1.0"));
        assert!(r.notes.is_empty(), "{:?}", r.notes);
    }

    #[test]
    fn what_cannot_be_known_is_said() {
        let m1 = manifest("1.0.0", &[("a.js", "1"), ("b.css", "1")]);
        let mut changed = folder(&m1);
        changed[0].content_id = Some("edited by hand".into());
        let mut folders = BTreeMap::new();
        folders.insert(AliasName::Latest, changed);
        folders.insert(
            AliasName::Channel("old".into()),
            vec![Existing {
                path: "z.js".into(),
                size: 1,
                content_id: None,
            }],
        );
        let r = rebuild(&Evidence {
            manifests: vec![m1, manifest("1.1.0", &[("a.js", "22")])],
            history: Vec::new(),
            folders,
        });
        assert_eq!(r.core.aliases.len(), 1);
        assert!(
            r.notes.iter().any(|n| n.contains("shipdeck repair latest")),
            "{:?}",
            r.notes
        );
        assert!(
            r.notes.iter().any(|n| n.starts_with("'old' holds no file")),
            "{:?}",
            r.notes
        );
        assert!(
            r.notes
                .iter()
                .any(|n| n.contains("no promotion is recorded for 1.1.0")),
            "{:?}",
            r.notes
        );
    }
}
