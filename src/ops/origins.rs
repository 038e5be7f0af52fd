//! Origins use cases: list and audit the Bridge allowlist, plan and apply an edit (with the
//! same show-then-confirm flow as releases, recorded in history), and probe the live Bridge.

use super::records::append_history;
use super::{Context, new_id};
use crate::bridge::{Allowlist, AllowlistSource, Edit, Var, probe};
use crate::domain::history::HistoryEvent;
use crate::domain::origin::browser;
pub use crate::domain::origin::edit::{EditError, checked_origin};
use crate::domain::origin::{
    Finding, Observed, OriginError, Severity, audit, judge, parse_origin, sent_form,
};
use crate::error::Result;
use chrono::Utc;
use serde::Serialize;
use std::sync::Arc;

/// A profile's allowlist and Bridge.
#[derive(Clone)]
pub struct Origins {
    pub source: Arc<dyn AllowlistSource>,
    /// The Bridge's deploy workflow: the profile's, or the default name for a list kept on
    /// GitHub (usable only if the repository has it: see [`deploy_workflow`]).
    pub workflow: Option<Arc<crate::bridge::github::Workflow>>,
    pub production: bool,
    pub bridge_url: Option<String>,
    /// The URL of the actual request a probe sends after each preflight (the Bridge's origin
    /// and `bridge.probe_path`, default `/health`).
    pub probe_url: Option<String>,
    /// What the widget needs the Bridge to allow.
    pub needs: crate::domain::origin::browser::Needs,
}

#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub origin: String,
    pub list: String,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    pub source: String,
    /// Where the list is kept, when that needs saying (GitHub variables or secrets).
    pub kept: Option<String>,
    pub production: bool,
    /// Whether a deploy workflow brings a change to the running Bridge (`origins apply`).
    pub redeploys: bool,
    pub origins: Vec<Listed>,
    /// Findings about the whole list (e.g. empty).
    pub list_findings: Vec<Finding>,
    pub worst: Option<Severity>,
}

pub async fn list(o: &Origins) -> Result<Listing> {
    let list = o.source.load().await?;
    let redeploys = matches!(deploy_workflow(o).await, Ok(Some(_)));
    Ok(listing(o, &list, redeploys))
}

/// The workflow that brings a change to the running Bridge: the profile's `deploy_workflow`,
/// or, for a list kept on GitHub that names none, the template's `deploy-bridge.yml` when the
/// Bridge's repository has it (`None` when it does not).
pub async fn deploy_workflow(o: &Origins) -> Result<Option<Arc<crate::bridge::github::Workflow>>> {
    match &o.workflow {
        Some(w) if w.defaulted => Ok(w.exists().await?.then(|| w.clone())),
        other => Ok(other.clone()),
    }
}

fn listing(o: &Origins, list: &Allowlist, redeploys: bool) -> Listing {
    let entries = list.entries();
    let mut findings = audit(&entries, o.production);
    findings.extend(list.findings.iter().cloned());
    if list.allowed_undefined {
        findings.push(crate::domain::origin::no_allowlist_finding(o.production));
    }
    // Findings by entry, gathered once (lists run to thousands of entries).
    let mut by_entry: std::collections::HashMap<(&str, &str), Vec<Finding>> =
        std::collections::HashMap::new();
    for f in &findings {
        by_entry
            .entry((f.entry.as_str(), f.source.as_str()))
            .or_default()
            .push(f.clone());
    }
    let origins = entries
        .iter()
        .map(|e| Listed {
            origin: e.raw.clone(),
            list: e.source.clone(),
            findings: by_entry
                .get(&(e.raw.as_str(), e.source.as_str()))
                .cloned()
                .unwrap_or_default(),
        })
        .collect();
    let list_findings = findings
        .iter()
        .filter(|f| f.entry.is_empty())
        .cloned()
        .collect();
    Listing {
        source: o.source.describe(),
        kept: o.source.mode_note(),
        production: o.production,
        redeploys,
        origins,
        list_findings,
        worst: findings.iter().map(|f| f.severity).max(),
    }
}

/// An allowlist change, ready to show and apply.
#[derive(Debug, Clone, Serialize)]
pub struct OriginPlan {
    pub description: String,
    pub source: String,
    /// Changed lines: (before, after).
    pub diff: Vec<(String, String)>,
    pub notes: Vec<String>,
    /// Whether `origins apply` brings the change to the running Bridge (a deploy workflow it
    /// can dispatch was found when planning).
    #[serde(skip)]
    pub redeploys: bool,
    #[serde(skip)]
    pub base: Allowlist,
    #[serde(skip)]
    pub next: Allowlist,
}

impl OriginPlan {
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![
            format!("Plan: {}", self.description),
            format!("  in {}", self.source),
        ];
        for (a, b) in &self.diff {
            out.push(format!("  - {a}"));
            out.push(format!("  + {b}"));
        }
        out.extend(self.notes.iter().map(|n| format!("  note     {n}")));
        out
    }
}

/// Plans adding `raws` to `to`, each checked as [`checked_origin`] says and by the profile's
/// audit rules (production refuses what staging allows).
pub async fn plan_add(o: &Origins, raws: &[String], to: Var) -> Result<OriginPlan> {
    if raws.is_empty() {
        return Err(EditError::NoOrigin.into());
    }
    let items = raws
        .iter()
        .map(|r| checked_origin(r))
        .collect::<std::result::Result<Vec<_>, EditError>>()?;
    let list = o.source.load().await?;
    let mut probe_list = list.entries();
    for item in &items {
        if let Some(existing) = probe_list
            .iter()
            .find(|e| parse_origin(&e.raw).is_ok_and(|p| p.to_string() == *item) || e.raw == *item)
        {
            return Err(EditError::AlreadyAllowed {
                origin: item.clone(),
                entry: existing.raw.clone(),
                list: existing.source.clone(),
            }
            .into());
        }
        probe_list.push(crate::domain::origin::Entry {
            raw: item.clone(),
            source: to.env_name().into(),
        });
    }
    let findings = audit(&probe_list, o.production);
    if let Some(f) = findings
        .iter()
        .find(|f| items.contains(&f.entry) && f.severity == Severity::Error)
    {
        return Err(EditError::Rule {
            origin: f.entry.clone(),
            rule: f.code,
            message: f.message.clone(),
            fix: f.fix.clone(),
        }
        .into());
    }
    let mut next = list.clone();
    let mut diff = Vec::new();
    for item in &items {
        let (n, d) = o.source.preview(
            &next,
            &Edit::Add {
                item: item.clone(),
                to,
            },
        )?;
        next = n;
        diff = merge_diff(diff, d);
    }
    let mut notes: Vec<String> = findings
        .into_iter()
        .filter(|f| items.contains(&f.entry))
        .map(|f| format!("{}: {} ({})", f.severity, f.message, f.fix))
        .collect();
    let (after, redeploys) = after_change_notes(o).await;
    notes.extend(after);
    Ok(OriginPlan {
        description: format!("add origin {} to {}", items.join(", "), to.env_name()),
        source: o.source.describe(),
        diff,
        notes,
        redeploys,
        base: list,
        next,
    })
}

/// What a plan says about taking effect, and whether `origins apply` redeploys: the Bridge reads its list at start-up, so it must be
/// redeployed (by `origins apply` when a deploy workflow is configured); and which credential
/// the write uses.
async fn after_change_notes(o: &Origins) -> (Vec<String>, bool) {
    let mut notes = Vec::new();
    notes.extend(o.source.credential_note().await);
    let workflow = deploy_workflow(o).await;
    let redeploys = matches!(workflow, Ok(Some(_)));
    notes.push(match (&workflow, &o.workflow) {
        (Ok(Some(w)), _) => format!(
            "the Bridge reads its list at start-up: `shipdeck origins apply` then dispatches {} and probes the running Bridge",
            w.describe()
        ),
        (Ok(None), Some(w)) => format!(
            "the Bridge must be redeployed for the change to take effect: no deploy_workflow is configured and {} has no {} (the Bridge deploy `shipdeck workflows` writes); redeploy it by hand, then run `shipdeck origins probe`",
            w.repo.repo, w.file
        ),
        (Err(e), Some(w)) => format!(
            "the Bridge must be redeployed for the change to take effect: whether {} has {} could not be checked ({e})",
            w.repo.repo, w.file
        ),
        _ if o.source.mode_note().is_some() => "the Bridge must be redeployed for the change to take effect (no deploy_workflow is configured); then run `shipdeck origins probe`".into(),
        _ => "the Bridge reads its list at start-up: restart or redeploy it, then `shipdeck origins probe`".into(),
    });
    (notes, redeploys)
}

/// Successive edits of one line show as one change: from the first before to the last after.
fn merge_diff(
    mut acc: Vec<(String, String)>,
    next: Vec<(String, String)>,
) -> Vec<(String, String)> {
    for (before, after) in next {
        match acc.iter_mut().find(|(_, a)| *a == before) {
            Some(entry) => entry.1 = after,
            None => acc.push((before, after)),
        }
    }
    acc
}

/// Plans removing `raw` (as written, or any entry that normalises to it).
pub async fn plan_remove(o: &Origins, raw: &str) -> Result<OriginPlan> {
    let list = o.source.load().await?;
    let wanted = parse_origin(raw).or_else(|e| match e {
        OriginError::NeverMatches { fixed, .. } => Ok(fixed),
        other => Err(other),
    });
    let matches: Vec<String> = list
        .entries()
        .into_iter()
        .filter(|e| {
            e.raw == raw
                || match (&wanted, parse_origin(&e.raw)) {
                    (Ok(w), Ok(p)) => *w == p,
                    (Ok(w), Err(OriginError::NeverMatches { fixed, .. })) => *w == fixed,
                    _ => false,
                }
        })
        .map(|e| e.raw)
        .collect();
    if matches.is_empty() {
        return Err(EditError::NotListed {
            origin: raw.to_string(),
            place: o.source.describe(),
        }
        .into());
    }
    let mut next = list.clone();
    let mut diff = Vec::new();
    for m in &matches {
        let (n, d) = o.source.preview(&next, &Edit::Remove { item: m.clone() })?;
        next = n;
        diff = merge_diff(diff, d);
    }
    let (notes, redeploys) = after_change_notes(o).await;
    Ok(OriginPlan {
        description: format!("remove origin {}", matches.join(", ")),
        source: o.source.describe(),
        diff,
        notes,
        redeploys,
        base: list,
        next,
    })
}

/// Writes the plan's list and records it in the profile's history.
pub async fn apply(o: &Origins, ctx: &Context, plan: &OriginPlan) -> Result<()> {
    o.source.save(&plan.base, &plan.next).await?;
    let event = HistoryEvent {
        commit: None,
        invalidation: None,
        id: new_id(),
        at: Utc::now(),
        by: ctx.actor.clone(),
        action: crate::domain::history::Operation::Origins,
        description: plan.description.clone(),
        changes: Vec::new(),
        outcome: "ok".into(),
        // From → to, line by line, so history says what the list was.
        detail: Some(
            plan.diff
                .iter()
                .map(|(a, b)| format!("{a} → {}", b.split_once('=').map_or(b.as_str(), |(_, v)| v)))
                .collect::<Vec<_>>()
                .join("; "),
        )
        .filter(|d| !d.is_empty()),
    };
    if let Err(e) = append_history(ctx, &event).await {
        tracing::warn!(error = %e, "origin change written but not recorded in history");
    }
    Ok(())
}

/// One probed origin.
#[derive(Debug, Clone, Serialize)]
pub struct Probed {
    pub origin: String,
    /// Why it was probed: listed, or one of the origins that must be refused.
    pub kind: String,
    pub expected_allowed: bool,
    pub observed: Option<Observed>,
    pub allowed: bool,
    pub problems: Vec<String>,
    /// The widget's requests (methods, with its headers and credentials) a browser on this
    /// origin would refuse, from the same answers (empty: a browser lets the widget work).
    pub browser_refuses: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProbeReport {
    pub url: String,
    pub results: Vec<Probed>,
    pub ok: bool,
}

/// How many recent allowlist edits the probe looks back through for removed origins.
const RECENT_EDITS: usize = 20;

/// Origins removed by the last allowlist edits in history and not listed now: the direction
/// that revokes access, where a Bridge that was not restarted still answers.
async fn recently_removed(ctx: &Context, list: &Allowlist) -> Result<Vec<String>> {
    let history = super::records::read_history(ctx, Some(200)).await?;
    let mut removed = Vec::new();
    for ev in history
        .iter()
        .filter(|e| e.action == crate::domain::history::Operation::Origins && e.outcome == "ok")
        .take(RECENT_EDITS)
    {
        let Some(rest) = ev.description.strip_prefix("remove origin ") else {
            continue;
        };
        for o in rest.split(", ") {
            let Some(sent) = sent_form(o).map(|p| p.to_string()) else {
                continue;
            };
            if !list.allows(&sent) && !removed.contains(&sent) {
                removed.push(sent);
            }
        }
    }
    Ok(removed)
}

/// What to probe with no origin named: each listed entry as a browser would send it (with why a
/// dead entry is wrong), recently removed origins, and origins that must always be refused.
fn default_targets(list: &Allowlist, removed: Vec<String>) -> Vec<(String, String, Vec<String>)> {
    let mut targets: Vec<(String, String, Vec<String>)> = Vec::new();
    for e in list.entries() {
        let (sent, dead) = match parse_origin(&e.raw) {
            Ok(p) => (p.to_string(), Vec::new()),
            Err(OriginError::NeverMatches { fixed, reasons }) => (
                fixed.to_string(),
                vec![format!(
                    "'{}' is listed in {}, but no browser ever sends it (it has {}); list {fixed} instead",
                    e.raw,
                    e.source,
                    reasons.join(", ")
                )],
            ),
            Err(_) => continue,
        };
        match targets.iter_mut().find(|(t, _, _)| *t == sent) {
            Some(t) => t.2.extend(dead),
            None => targets.push((sent, format!("listed in {}", e.source), dead)),
        }
    }
    let host = targets
        .first()
        .and_then(|(t, _, _)| parse_origin(t).ok())
        .map_or("app.example.com".to_string(), |p| p.host);
    for r in removed {
        targets.push((
            r,
            "removed from the list by a recent edit".into(),
            Vec::new(),
        ));
    }
    targets.push((
        format!("https://shipdeck-probe-{}.invalid", new_id()),
        "must be refused: a random site".into(),
        Vec::new(),
    ));
    targets.push((
        "null".into(),
        "must be refused: 'null' (sandboxed iframes, files)".into(),
        Vec::new(),
    ));
    targets.push((
        format!("https://{host}.evil.test"),
        "must be refused: a suffix trick".into(),
        Vec::new(),
    ));
    targets
}

/// Probes every listed origin (or `only`), the origins recent edits removed, and origins that
/// must be refused; compares each answer with what the list says.
pub async fn probe(o: &Origins, ctx: &Context, only: &[String]) -> Result<ProbeReport> {
    let url = o
        .bridge_url
        .clone()
        .ok_or(crate::error::ProfileGap::NoBridgeUrl)?;
    let list = o.source.load().await?;
    let targets = if only.is_empty() {
        default_targets(&list, recently_removed(ctx, &list).await?)
    } else {
        only.iter()
            .map(|t| (t.clone(), "asked for".to_string(), Vec::new()))
            .collect()
    };
    let client = probe::client()?;
    let mut results = Vec::new();
    for (origin, kind, mut problems) in targets {
        let expected = list.allows(&origin);
        let obs = probe::preflight(&client, &url, &origin).await?;
        let allowed = obs.allows(&origin);
        if kind.starts_with("removed") && allowed {
            problems.push(format!(
                "the running Bridge still allows {origin}, which the list no longer has: restart or redeploy the Bridge"
            ));
        } else {
            problems.extend(judge(&origin, expected, &obs));
            if expected && allowed {
                problems.extend(browser::preflight_gaps(&obs, &o.needs));
            }
        }
        let actual = match &o.probe_url {
            Some(actual_url) => {
                let act = probe::actual(&client, actual_url, &origin).await?;
                problems.extend(browser::actual_gaps(&origin, expected && allowed, &act));
                Some(act)
            }
            None => None,
        };
        let browser_refuses = browser::refused_requests(&origin, &obs, actual.as_ref(), &o.needs);
        results.push(Probed {
            browser_refuses,
            allowed,
            origin,
            kind,
            expected_allowed: expected,
            observed: Some(obs),
            problems,
        });
    }
    let ok = results.iter().all(|r| r.problems.is_empty());
    Ok(ProbeReport { url, results, ok })
}
