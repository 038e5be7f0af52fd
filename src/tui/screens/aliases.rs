//! The Aliases screen: every alias with its target, mode, previous and automatic target. Keys:
//! unpin, repair its folder, roll it back (pin it) to its previous target or any version it can
//! serve, verify it.

use super::{ListArea, elsewhere, empty_hint, table};
use crate::domain::alias::AliasName;
use crate::domain::change::Request;
use crate::domain::edge_alias::KeyVerdict;
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
        (Command::Canary, Some((alias, _))) => crate::tui::dialogs::canary::open(state, alias),
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
    // In edge mode, what each alias's key makes browsers get (the CLI's EDGE column).
    let edge = v.aliases.iter().any(|a| a.edge.is_some());
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
            let mut row = vec![
                Line::from(a.name.to_string()),
                Line::from(a.target.to_string()),
                Line::from(mode),
                Line::from(dash(&a.previous)),
                Line::from(auto),
            ];
            if edge {
                row.push(a.edge.as_ref().map_or_else(
                    || Line::from("-"),
                    |c| {
                        let color = match c.verdict {
                            KeyVerdict::InSync => t.ok,
                            _ => t.warn,
                        };
                        Line::from(Span::styled(
                            crate::present::edge_keys::cell(c),
                            Style::default().fg(color),
                        ))
                    },
                ));
            }
            row
        })
        .collect();
    let mut headers = vec!["ALIAS", "TARGET", "MODE", "PREVIOUS", "AUTOMATIC"];
    let mut widths = vec![
        Constraint::Length(10),
        Constraint::Length(16),
        Constraint::Length(10),
        Constraint::Length(16),
        Constraint::Min(12),
    ];
    if edge {
        // Narrower state columns leave the edge's split readable at 80 columns.
        headers.push("EDGE");
        widths = vec![
            Constraint::Length(10),
            Constraint::Length(13),
            Constraint::Length(10),
            Constraint::Length(10),
            Constraint::Length(16),
            Constraint::Min(16),
        ];
    }
    let hits = table(state, f, area, &headers, &widths, rows.len(), |i| {
        rows[i].clone()
    });
    if v.aliases.is_empty() {
        let promote = format!(
            "no aliases yet — `{}` promotes the selected version on the Releases screen",
            state.keymap.label("promote")
        );
        empty_hint(f, area, &promote, t.muted);
    }
    Some(hits)
}
