//! The Aliases screen: every alias with its target, mode, previous and automatic target. Keys:
//! unpin, repair its folder, roll it back (pin it) to its previous target or any version it can
//! serve, verify it.

use super::{ListArea, elsewhere, empty_hint, table};
use crate::domain::alias::AliasName;
use crate::domain::change::Request;
use crate::tui::keymap::Command;
use crate::tui::state::{Effect, State};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use semver::Version;

pub(crate) fn command(state: &mut State, c: Command) -> Vec<Effect> {
    let selected = state.selected_alias();
    match (c, selected) {
        (Command::Unpin, Some((name, true))) => state.plan(Request::Unpin { alias: name }),
        (Command::Unpin, Some((name, false))) => {
            state.info(format!("'{name}' is not pinned"));
            Vec::new()
        }
        (Command::Repair, Some((alias, _))) => {
            if state.refuse_readonly() {
                return Vec::new();
            }
            state.busy = Some(format!("listing the '{alias}' folder"));
            vec![Effect::PlanRepair(vec![alias])]
        }
        (Command::Rollback, selected) => {
            if state.refuse_readonly() {
                return Vec::new();
            }
            let options = selected.map_or_else(Vec::new, |(a, _)| targets(state, &a));
            crate::tui::dialogs::rollback::open(state, options)
        }
        (Command::Verify, selected) => {
            state.busy = Some("verifying".into());
            vec![Effect::Verify(
                selected.map(|(a, _)| a.to_string()).into_iter().collect(),
            )]
        }
        (other, _) => elsewhere(state, &other),
    }
}

/// Every version `alias` can be pinned to, its previous target first (the usual rollback), then
/// the others newest first: not yanked, not its current target, within its scope (the rules
/// the plan checks again).
fn targets(state: &State, alias: &AliasName) -> Vec<(AliasName, Version)> {
    let Some(view) = state.releases.as_ref() else {
        return Vec::new();
    };
    let Some(row) = view.aliases.iter().find(|r| &r.name == alias) else {
        return Vec::new();
    };
    let mut versions: Vec<&Version> = view
        .versions
        .iter()
        .filter(|v| !v.yanked() && v.version != row.target)
        .filter(|v| alias.check_target(&v.version).is_ok())
        .map(|v| &v.version)
        .collect();
    versions.sort_by(|a, b| b.cmp(a));
    if let Some(p) = &row.previous
        && let Some(i) = versions.iter().position(|v| *v == p)
    {
        let p = versions.remove(i);
        versions.insert(0, p);
    }
    versions
        .into_iter()
        .map(|v| (alias.clone(), v.clone()))
        .collect()
}

pub fn render(state: &State, f: &mut Frame, area: Rect) -> Option<ListArea> {
    let t = &state.theme;
    let v = state.releases.as_ref()?;
    let dash = |v: &Option<semver::Version>| v.as_ref().map_or("-".into(), |v| v.to_string());
    let rows: Vec<Vec<Line>> = v
        .aliases
        .iter()
        .map(|a| {
            let mode = if a.pinned {
                Span::styled("pinned", Style::default().fg(t.badge_pinned))
            } else {
                Span::styled("automatic", Style::default().fg(t.ok))
            };
            let auto = match (&a.automatic, a.pinned) {
                (Some(x), true) if *x != a.target => format!("{x} (if unpinned)"),
                (auto, _) => dash(auto),
            };
            vec![
                Line::from(a.name.to_string()),
                Line::from(a.target.to_string()),
                Line::from(mode),
                Line::from(dash(&a.previous)),
                Line::from(auto),
            ]
        })
        .collect();
    let hits = table(
        state,
        f,
        area,
        &["ALIAS", "TARGET", "MODE", "PREVIOUS", "AUTOMATIC"],
        &[
            Constraint::Length(10),
            Constraint::Length(16),
            Constraint::Length(10),
            Constraint::Length(16),
            Constraint::Min(12),
        ],
        rows.len(),
        |i| rows[i].clone(),
    );
    if v.aliases.is_empty() {
        let promote = format!(
            "no aliases yet — `{}` promotes the selected version on the Releases screen",
            state.keymap.label("promote")
        );
        empty_hint(f, area, &promote, t.muted);
    }
    Some(hits)
}
