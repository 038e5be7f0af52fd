//! The channel dialog: where a prerelease goes when it is promoted. Prereleases never land on
//! `latest`, `vN` or `vN.N`, so the CLI asks for `--alias CHANNEL`; the console asks the same
//! question here instead of suggesting a shell command. The name is checked as it is typed with
//! the domain's rules (the CLI's sentence), and the channels that exist are offered with ↑/↓.

use super::{Modal, fit, frame_block, popup_lines};
use crate::domain::alias::{AliasError, AliasName};
use crate::domain::change::Request;
use crate::tui::keymap::Command;
use crate::tui::state::{Effect, State, Status};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use semver::Version;

/// The channels that exist (named aliases), with what each serves now.
fn channels(state: &State) -> Vec<(AliasName, Version)> {
    state.releases.as_ref().map_or_else(Vec::new, |v| {
        v.aliases
            .iter()
            .filter(|a| !a.name.is_automatic())
            .map(|a| (a.name.clone(), a.target.clone()))
            .collect()
    })
}

/// Opens the dialog for `version`, on the first existing channel (or `next`).
pub(crate) fn open(state: &mut State, version: Version) -> Vec<Effect> {
    if state.refuse_readonly() {
        return Vec::new();
    }
    let value = channels(state)
        .first()
        .map_or_else(|| "next".to_string(), |(a, _)| a.to_string());
    state.modal = Some(Modal::Channel { version, value });
    Vec::new()
}

/// Whether `value` names an alias that can serve `version` (the domain's sentence if not).
fn check(value: &str, version: &Version) -> Result<AliasName, AliasError> {
    let alias: AliasName = value.trim().parse()?;
    alias.check_target(version)?;
    Ok(alias)
}

pub(crate) fn command(
    state: &mut State,
    version: Version,
    value: String,
    c: Command,
) -> Vec<Effect> {
    let value = match c {
        Command::Cancel => return Vec::new(),
        Command::Confirm => match check(&value, &version) {
            Ok(alias) => {
                return state.plan(Request::Promote {
                    version,
                    alias: Some(alias),
                });
            }
            Err(e) => {
                state.status = Some(Status {
                    text: e.to_string(),
                    error: true,
                });
                value
            }
        },
        // ↑/↓ step through the channels that exist.
        Command::Up | Command::Down => {
            let names: Vec<String> = channels(state).iter().map(|(a, _)| a.to_string()).collect();
            let at = names.iter().position(|n| *n == value.trim());
            let next = match (c, at) {
                (_, None) => 0,
                (Command::Up, Some(i)) => i.checked_sub(1).unwrap_or(names.len() - 1),
                (_, Some(i)) => (i + 1) % names.len(),
            };
            names.get(next).cloned().unwrap_or(value)
        }
        _ => value,
    };
    state.modal = Some(Modal::Channel { version, value });
    Vec::new()
}

pub fn render(state: &State, f: &mut Frame, area: Rect, version: &Version, value: &str) {
    let t = &state.theme;
    let muted = Style::default().fg(t.muted);
    let verdict = match check(value, version) {
        _ if value.trim().is_empty() => Line::from(""),
        Ok(a) => Line::from(Span::styled(
            format!(" ✓ '{a}' will serve {version} (pinned until you unpin it)"),
            Style::default().fg(t.ok),
        )),
        Err(e) => Line::from(Span::styled(
            format!(" {}", fit(&e.to_string(), 68)),
            Style::default().fg(t.error),
        )),
    };
    let existing = channels(state);
    let existing = if existing.is_empty() {
        " no channel exists yet: the name you type creates one".to_string()
    } else {
        let list: Vec<String> = existing.iter().map(|(a, v)| format!("{a} → {v}")).collect();
        format!(" channels: {}", list.join(", "))
    };
    let lines = vec![
        Line::from(format!(
            " {version} is a prerelease: it never lands on latest, vN or vN.N."
        )),
        Line::from(" Pin it to a channel that pages opt into (e.g. next, beta)."),
        Line::from(""),
        Line::from(vec![
            Span::styled(" channel: ", Style::default().fg(t.accent)),
            Span::raw(value.to_string()),
            Span::styled("▏", muted),
        ]),
        Line::from(Span::styled(fit(&existing, 70), muted)),
        verdict,
        Line::from(Span::styled(
            " Enter plan the promote · ↑/↓ existing channels · Esc cancel",
            muted,
        )),
    ];
    popup_lines(
        f,
        area,
        74,
        lines,
        frame_block(state, format!("Promote {version}"), false),
    );
}
