//! The Origins screen: the Bridge allowlist with each entry's audit findings and, after a probe,
//! what the running Bridge answered for it. Keys: add, remove, probe, and redeploy (for a list
//! kept on GitHub with a deploy workflow: dispatch it, follow the run, probe).

use super::{ListArea, elsewhere, empty_hint, loading, not_configured, table};
use crate::domain::origin::{Severity, sent_form};
use crate::ops::origins::{Listed, Listing, OriginPlan, ProbeReport, Probed};
use crate::present::Front;
use crate::present::origins as words;
use crate::tui::dialogs::Modal;
use crate::tui::keymap::Command;
use crate::tui::state::{Effect, OriginEdit, State};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The Origins screen: the listing (or why there is none) and the last probe.
#[derive(Debug, Clone, Default)]
pub struct OriginsScreen {
    pub listing: Option<Result<Listing, crate::error::Error>>,
    pub probe: Option<ProbeReport>,
}

impl OriginsScreen {
    pub fn len(&self) -> usize {
        match &self.listing {
            Some(Ok(l)) => l.origins.len(),
            _ => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The origin on row `i`.
    pub fn origin_at(&self, i: usize) -> Option<String> {
        match &self.listing {
            Some(Ok(l)) => l.origins.get(i).map(|o| o.origin.clone()),
            _ => None,
        }
    }
}

pub(crate) fn command(state: &mut State, c: Command) -> Vec<Effect> {
    let edits = matches!(
        c,
        Command::AddOrigin | Command::RemoveOrigin | Command::Redeploy
    );
    if edits && state.refuse_readonly() {
        return Vec::new();
    }
    let listed = matches!(state.origins.listing, Some(Ok(_)));
    match c {
        Command::AddOrigin | Command::RemoveOrigin | Command::Probe | Command::Redeploy
            if !listed =>
        {
            Vec::new()
        }
        Command::Redeploy => {
            state.busy = Some("dispatching the Bridge's deploy workflow".into());
            vec![Effect::RedeployBridge]
        }
        Command::AddOrigin => {
            state.modal = Some(Modal::OriginInput {
                value: String::new(),
                additional: true,
            });
            Vec::new()
        }
        Command::RemoveOrigin => match state.origins.origin_at(state.selection()) {
            Some(origin) => {
                state.busy = Some(format!("planning: remove {origin}"));
                vec![Effect::PlanOrigin(OriginEdit::Remove { origin })]
            }
            None => {
                state.info("the allowlist is empty: nothing to remove");
                Vec::new()
            }
        },
        Command::Probe => {
            state.busy = Some("probing the Bridge".into());
            vec![Effect::ProbeOrigins]
        }
        other => elsewhere(state, &other),
    }
}

pub(crate) fn loaded(
    state: &mut State,
    r: Result<Box<Listing>, crate::error::Error>,
) -> Vec<Effect> {
    state.busy = None;
    state.origins.listing = Some(r.map(|b| *b));
    state.clamp_selections();
    Vec::new()
}

pub(crate) fn planned(
    state: &mut State,
    r: Result<Box<OriginPlan>, crate::error::Error>,
) -> Vec<Effect> {
    state.busy = None;
    match r {
        Ok(plan) => {
            state.modal = Some(Modal::OriginPlan {
                plan,
                running: false,
            })
        }
        Err(e) => state.error("Cannot change the allowlist", e),
    }
    Vec::new()
}

pub(crate) fn applied(state: &mut State, r: Result<(), crate::error::Error>) -> Vec<Effect> {
    state.busy = None;
    let desc = match state.modal.take() {
        Some(Modal::OriginPlan { plan, .. }) => plan.description,
        _ => "allowlist change".into(),
    };
    match r {
        Ok(()) => {
            // The last probe judged the old list: it no longer applies.
            state.origins.probe = None;
            let redeploys = matches!(&state.origins.listing, Some(Ok(l)) if l.redeploys);
            let next = words::after_change(
                redeploys,
                Front::Console,
                &state.keymap.label("redeploy"),
                &state.keymap.label("probe"),
            );
            state.info(format!("Done: {desc} — {next}"));
        }
        Err(e) => state.error(&format!("Failed: {desc}"), e),
    }
    vec![Effect::LoadOrigins, Effect::LoadHistory]
}

/// The deploy run ended: its probe is shown like a probe; a failed run says so.
pub(crate) fn redeployed(
    state: &mut State,
    r: Result<Box<crate::ops::redeploy::RedeployReport>, crate::error::Error>,
) -> Vec<Effect> {
    state.busy = None;
    match r {
        Err(e) => state.error("Redeploy failed", e),
        Ok(rep) => {
            let verdict = words::redeploy_verdict(&rep);
            match rep.probe {
                Some(p) => {
                    let fx = probed(state, Ok(Box::new(p)));
                    if rep.ok {
                        state.info(verdict);
                    }
                    return fx;
                }
                None => state.error_text("Redeploy failed", verdict),
            }
        }
    }
    vec![Effect::LoadHistory]
}

pub(crate) fn probed(
    state: &mut State,
    r: Result<Box<ProbeReport>, crate::error::Error>,
) -> Vec<Effect> {
    state.busy = None;
    let rep = match r {
        Ok(rep) => rep,
        Err(e) => {
            state.error("Probe failed", e);
            return Vec::new();
        }
    };
    let bad: Vec<&Probed> = rep
        .results
        .iter()
        .filter(|r| !r.problems.is_empty())
        .collect();
    let verdict = words::probe_verdict(&rep);
    if bad.is_empty() {
        state.info(verdict);
    } else {
        let lines = bad
            .iter()
            .flat_map(|r| {
                std::iter::once((format!("{} ({})", r.origin, r.kind), true))
                    .chain(r.problems.iter().map(|p| (format!("  {p}"), true)))
            })
            .collect();
        state.modal = Some(Modal::message(&verdict, lines, true));
    }
    state.origins.probe = Some(*rep);
    Vec::new()
}

pub fn render(state: &State, f: &mut Frame, area: Rect) -> Option<ListArea> {
    let t = &state.theme;
    let listing = match &state.origins.listing {
        None => {
            loading(state, f, area, "loading the allowlist…");
            return None;
        }
        Some(Err(e)) => {
            let text = crate::present::failure(e);
            let (what, how) = text.split_once("; ").unwrap_or((text.as_str(), ""));
            not_configured(state, f, area, what, how);
            return None;
        }
        Some(Ok(l)) => l,
    };
    let [head, body] =
        ratatui::layout::Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let k = |name| state.keymap.label(name);
    let edits = if state.readonly {
        String::new()
    } else {
        format!(" · {} add · {} remove", k("add_origin"), k("remove_origin"))
    };
    let title = format!(
        " {}{}{edits} · {} probe",
        listing.source,
        if listing.production {
            " (production rules)"
        } else {
            ""
        },
        k("probe")
    );
    f.render_widget(
        Paragraph::new(Span::styled(title, Style::default().fg(t.muted))),
        head,
    );
    let rows: Vec<Vec<Line>> = listing.origins.iter().map(|e| row(state, e)).collect();
    let hits = table(
        state,
        f,
        body,
        &["ORIGIN", "LIST", "AUDIT", "FINDINGS", "PROBE"],
        &[
            Constraint::Min(26),
            Constraint::Length(10),
            Constraint::Length(5),
            Constraint::Min(16),
            Constraint::Length(16),
        ],
        rows.len(),
        |i| rows[i].clone(),
    );
    if listing.origins.is_empty() {
        let add = format!(
            " the allowlist is empty: the Bridge refuses every browser — `{}` adds an origin",
            state.keymap.label("add_origin")
        );
        empty_hint(f, body, &add, t.warn);
    }
    Some(hits)
}

fn row(state: &State, e: &Listed) -> Vec<Line<'static>> {
    let t = &state.theme;
    let worst = e.findings.iter().map(|f| f.severity).max();
    let color = match worst {
        Some(Severity::Error) => t.error,
        Some(Severity::Warning) => t.warn,
        Some(Severity::Info) => t.muted,
        None => t.ok,
    };
    let label = words::mark(worst);
    let findings: Vec<&str> = e.findings.iter().map(|f| f.code).collect();
    // What a browser sends for this entry: the probe result to show beside it.
    let sent = sent_form(&e.origin).map_or_else(|| e.origin.clone(), |p| p.to_string());
    let probe = state
        .origins
        .probe
        .as_ref()
        .and_then(|p| p.results.iter().find(|r| r.origin == sent))
        .map_or(Span::styled("-", Style::default().fg(t.muted)), |r| {
            let text = format!(
                "{}{}",
                if r.allowed { "allowed" } else { "refused" },
                if r.problems.is_empty() {
                    ""
                } else {
                    " ≠ list"
                }
            );
            Span::styled(
                text,
                Style::default().fg(if r.problems.is_empty() { t.ok } else { t.error }),
            )
        });
    vec![
        // Debug-quoted so stray spaces in an entry are visible.
        Line::from(if e.origin.trim() == e.origin {
            e.origin.clone()
        } else {
            format!("{:?}", e.origin)
        }),
        Line::from(e.list.trim_end_matches("_ORIGINS").to_lowercase()),
        Line::from(Span::styled(label, Style::default().fg(color))),
        Line::from(findings.join(", ")),
        Line::from(probe),
    ]
}
