//! Origins use cases: list and audit the Bridge allowlist, plan and apply an edit (with the
//! same show-then-confirm flow as releases, recorded in history), and probe the live Bridge.

use super::records::append_history;
use super::{Context, new_id};
use crate::bridge::{Allowlist, AllowlistSource, Edit, Var, probe};
use crate::domain::history::HistoryEvent;
use crate::domain::origin::{Finding, Observed, OriginError, Severity, audit, judge, parse_origin};
use crate::error::{Error, Result};
use chrono::Utc;
use serde::Serialize;
use std::sync::Arc;

/// A profile's allowlist and Bridge.
#[derive(Clone)]
pub struct Origins {
    pub source: Arc<dyn AllowlistSource>,
    pub production: bool,
    pub bridge_url: Option<String>,
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
    pub production: bool,
    pub origins: Vec<Listed>,
    /// Findings about the whole list (e.g. empty).
    pub list_findings: Vec<Finding>,
    pub worst: Option<Severity>,
}

pub async fn list(o: &Origins) -> Result<Listing> {
    let list = o.source.load().await?;
    Ok(listing(o, &list))
}

fn listing(o: &Origins, list: &Allowlist) -> Listing {
    let entries = list.entries();
    let findings = audit(&entries, o.production);
    let origins = entries
        .iter()
        .map(|e| Listed {
            origin: e.raw.clone(),
            list: e.source.clone(),
            findings: findings
                .iter()
                .filter(|f| f.entry == e.raw && f.source == e.source)
                .cloned()
                .collect(),
        })
        .collect();
    let list_findings = findings
        .iter()
        .filter(|f| f.entry.is_empty())
        .cloned()
        .collect();
    Listing {
        source: o.source.describe(),
        production: o.production,
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

/// Plans adding `raw` to `to`: refuses entries that could never match (offering the form that
/// would) and dangerous ones, so no dead or unsafe entry is ever written.
pub async fn plan_add(o: &Origins, raw: &str, to: Var) -> Result<OriginPlan> {
    let t = raw.trim();
    if t == "*" || t.eq_ignore_ascii_case("null") || t.eq_ignore_ascii_case("true") {
        return Err(Error::Usage(format!(
            "'{raw}' would let any site call the Bridge with the user's credentials; add each site's exact origin instead"
        )));
    }
    let origin = match parse_origin(raw) {
        Ok(origin) => origin,
        Err(e @ OriginError::NeverMatches { .. }) => {
            let OriginError::NeverMatches { fixed, .. } = &e else {
                unreachable!()
            };
            return Err(Error::Usage(format!(
                "'{raw}' {e}: shipdeck origins add {fixed}"
            )));
        }
        Err(OriginError::Invalid(why)) => return Err(Error::Usage(why)),
    };
    let list = o.source.load().await?;
    if let Some(existing) = list.entries().into_iter().find(|e| {
        parse_origin(&e.raw).ok().as_ref() == Some(&origin) || e.raw == origin.to_string()
    }) {
        return Err(Error::Refused(format!(
            "{origin} is already allowed ('{}' in {}); nothing to add",
            existing.raw, existing.source
        )));
    }
    let item = origin.to_string();
    let mut probe_list = list.entries();
    probe_list.push(crate::domain::origin::Entry {
        raw: item.clone(),
        source: to.env_name().into(),
    });
    let errors: Vec<Finding> = audit(&probe_list, o.production)
        .into_iter()
        .filter(|f| f.entry == item && f.severity == Severity::Error)
        .collect();
    if let Some(f) = errors.first() {
        return Err(Error::Refused(format!(
            "{item} is refused on this profile: {}; {}",
            f.message, f.fix
        )));
    }
    let (next, diff) = o.source.preview(
        &list,
        &Edit::Add {
            item: item.clone(),
            to,
        },
    )?;
    let mut notes: Vec<String> = audit(&probe_list, o.production)
        .into_iter()
        .filter(|f| f.entry == item)
        .map(|f| format!("{}: {} ({})", f.severity, f.message, f.fix))
        .collect();
    notes.push("the Bridge reads its list at start-up: restart or redeploy it, then `shipdeck origins probe`".into());
    Ok(OriginPlan {
        description: format!("add origin {item} to {}", to.env_name()),
        source: o.source.describe(),
        diff,
        notes,
        base: list,
        next,
    })
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
        return Err(Error::Refused(format!(
            "'{raw}' is not on the allowlist of {}; `shipdeck origins list` shows it",
            o.source.describe()
        )));
    }
    let mut next = list.clone();
    let mut diff = Vec::new();
    for m in &matches {
        let (n, d) = o.source.preview(&next, &Edit::Remove { item: m.clone() })?;
        next = n;
        diff.extend(d);
    }
    let notes = vec!["the Bridge reads its list at start-up: restart or redeploy it, then `shipdeck origins probe`".into()];
    Ok(OriginPlan {
        description: format!("remove origin {}", matches.join(", ")),
        source: o.source.describe(),
        diff,
        notes,
        base: list,
        next,
    })
}

/// Writes the plan's list and records it in the profile's history.
pub async fn apply(o: &Origins, ctx: &Context, plan: &OriginPlan) -> Result<()> {
    o.source.save(&plan.base, &plan.next).await?;
    let event = HistoryEvent {
        id: new_id(),
        at: Utc::now(),
        by: ctx.actor.clone(),
        action: "origins".into(),
        description: plan.description.clone(),
        changes: Vec::new(),
        outcome: "ok".into(),
        detail: None,
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
}

#[derive(Debug, Clone, Serialize)]
pub struct ProbeReport {
    pub url: String,
    pub results: Vec<Probed>,
    pub ok: bool,
}

/// Probes every listed origin (or `only`), plus origins that must be refused.
pub async fn probe(o: &Origins, only: &[String]) -> Result<ProbeReport> {
    let url = o.bridge_url.clone().ok_or_else(|| Error::Config("this profile has no bridge.url to probe; add url = \"https://api.example.com/v1/chat\" to its bridge table".into()))?;
    let list = o.source.load().await?;
    let mut targets: Vec<(String, String)> = Vec::new();
    if only.is_empty() {
        for e in list.entries() {
            // Probe what a browser would send for this entry.
            let sent = match parse_origin(&e.raw) {
                Ok(p) => p.to_string(),
                Err(OriginError::NeverMatches { fixed, .. }) => fixed.to_string(),
                Err(_) => continue,
            };
            if !targets.iter().any(|(t, _)| *t == sent) {
                targets.push((sent, format!("listed in {}", e.source)));
            }
        }
        let host = targets
            .first()
            .and_then(|(t, _)| parse_origin(t).ok())
            .map_or("app.example.com".to_string(), |p| p.host);
        targets.push((
            format!("https://shipdeck-probe-{}.invalid", new_id()),
            "must be refused: a random site".into(),
        ));
        targets.push((
            "null".into(),
            "must be refused: 'null' (sandboxed iframes, files)".into(),
        ));
        targets.push((
            format!("https://{host}.evil.test"),
            "must be refused: a suffix trick".into(),
        ));
    } else {
        targets.extend(only.iter().map(|t| (t.clone(), "asked for".to_string())));
    }
    let client = probe::client().map_err(Error::Io)?;
    let mut results = Vec::new();
    for (origin, kind) in targets {
        let expected = list.allows(&origin);
        match probe::preflight(&client, &url, &origin).await {
            Ok(obs) => {
                let problems = judge(&origin, expected, &obs);
                results.push(Probed {
                    allowed: obs.allows(&origin),
                    origin,
                    kind,
                    expected_allowed: expected,
                    observed: Some(obs),
                    problems,
                });
            }
            Err(e) => return Err(Error::Refused(e)),
        }
    }
    let ok = results.iter().all(|r| r.problems.is_empty());
    Ok(ProbeReport { url, results, ok })
}
