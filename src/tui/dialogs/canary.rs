//! The canary dialog (Aliases screen, edge mode): the console's `promote VERSION --canary P` and
//! `canary set|finish|abort`, through the same use cases as the CLI (`ops::canary`, and for
//! `finish` an ordinary promote planned by `ops::change`). One line is typed: `1.1.0 5` starts a
//! canary, a number sets its share, `finish` or `abort` ends it; the step's plan (the key's value
//! before and after) is then shown for a confirmation, as every change is.

use super::{Modal, fit, frame_block, popup_lines};
use crate::domain::alias::AliasName;
use crate::domain::edge_alias::EdgeTarget;
use crate::domain::version::{VersionError, parse_version};
use crate::error::Error;
use crate::ops::canary::{CanaryPlan, Step};
use crate::tui::keymap::Command;
use crate::tui::state::{CanaryEffect, Effect, State, Status};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// What the typed line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Wanted {
    Step(Step),
    Finish,
}

/// The alias's key at the edge, as the listing read it (`None`: not in edge mode).
fn edge_value(state: &State, alias: &AliasName) -> Option<Option<String>> {
    let row = state
        .releases
        .as_ref()?
        .aliases
        .iter()
        .find(|a| &a.name == alias)?;
    row.edge.as_ref().map(|c| c.value.clone())
}

fn running(value: Option<&str>) -> Option<EdgeTarget> {
    value
        .and_then(|v| v.parse::<EdgeTarget>().ok())
        .filter(|t| t.canary.is_some())
}

/// Why a typed line is not a step: the sentence saying what to type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum LineError {
    #[error("'{0}' is not a share; type a whole percent from 1 to 99")]
    Share(String),
    #[error(transparent)]
    Version(#[from] VersionError),
    #[error("type a share (25), finish or abort")]
    Running,
    #[error("type the release and its share, e.g. 1.1.0 5")]
    Start,
}

/// The typed line as a step, or the sentence saying what to type.
pub(crate) fn parse(value: &str, canary_running: bool) -> Result<Wanted, LineError> {
    let words: Vec<&str> = value.split_whitespace().collect();
    let percent = |w: &str| -> Result<u8, LineError> {
        w.trim_end_matches('%')
            .parse::<u8>()
            .ok()
            .filter(|p| (1..=99).contains(p))
            .ok_or_else(|| LineError::Share(w.to_string()))
    };
    match (words.as_slice(), canary_running) {
        (["finish"], true) => Ok(Wanted::Finish),
        (["abort"], true) => Ok(Wanted::Step(Step::Abort)),
        ([p], true) => Ok(Wanted::Step(Step::Set {
            percent: percent(p)?,
        })),
        ([v, p], false) => Ok(Wanted::Step(Step::Start {
            version: parse_version(v)?,
            percent: percent(p)?,
        })),
        (_, true) => Err(LineError::Running),
        (_, false) => Err(LineError::Start),
    }
}

/// Opens the dialog for the selected alias; outside edge mode it says why there is none.
pub(crate) fn open(state: &mut State, alias: AliasName) -> Vec<Effect> {
    if state.refuse_readonly() {
        return Vec::new();
    }
    if edge_value(state, &alias).is_none() {
        state.info(format!(
            "'{alias}' has no edge key: canaries run in edge mode (alias_mode = \"edge\")"
        ));
        return Vec::new();
    }
    state.modal = Some(Modal::Canary {
        alias,
        value: String::new(),
    });
    Vec::new()
}

pub(crate) fn command(
    state: &mut State,
    alias: AliasName,
    value: String,
    c: Command,
) -> Vec<Effect> {
    match c {
        Command::Cancel => Vec::new(),
        Command::Confirm => {
            let edge = edge_value(state, &alias).flatten();
            match parse(&value, running(edge.as_deref()).is_some()) {
                Ok(Wanted::Step(step)) => {
                    state.busy = Some(format!("planning the canary of '{alias}'"));
                    vec![Effect::Canary(CanaryEffect::Plan(alias, step))]
                }
                Ok(Wanted::Finish) => {
                    state.busy = Some(format!("planning the promote that finishes '{alias}'"));
                    vec![Effect::Canary(CanaryEffect::Finish(alias))]
                }
                Err(e) => {
                    state.status = Some(Status {
                        text: e.to_string(),
                        error: true,
                    });
                    state.modal = Some(Modal::Canary { alias, value });
                    Vec::new()
                }
            }
        }
        _ => {
            state.modal = Some(Modal::Canary { alias, value });
            Vec::new()
        }
    }
}

pub fn render(state: &State, f: &mut Frame, area: Rect, alias: &AliasName, value: &str) {
    let t = &state.theme;
    let muted = Style::default().fg(t.muted);
    let edge = edge_value(state, alias).flatten();
    let now = running(edge.as_deref());
    let (what, hint) = match &now {
        Some(EdgeTarget {
            stable,
            canary: Some(c),
        }) => (
            format!(
                " {} % of '{alias}' viewers get {}, the rest {stable}.",
                c.percent, c.version
            ),
            " Type a share (raising it only adds viewers), finish (promote it) or abort.",
        ),
        _ => (
            format!(
                " '{alias}' serves {} to every viewer.",
                edge.as_deref().unwrap_or("its copied folder")
            ),
            " Type a release and the share of viewers that gets it (sticky), e.g. 1.1.0 5.",
        ),
    };
    let verdict = match parse(value, now.is_some()) {
        _ if value.trim().is_empty() => Line::from(""),
        Ok(_) => Line::from(Span::styled(" ✓ Enter plans it", Style::default().fg(t.ok))),
        Err(e) => Line::from(Span::styled(
            format!(" {}", fit(&e.to_string(), 68)),
            Style::default().fg(t.error),
        )),
    };
    let lines = vec![
        Line::from(what),
        Line::from(hint),
        Line::from(""),
        Line::from(vec![
            Span::styled(" canary: ", Style::default().fg(t.accent)),
            Span::raw(value.to_string()),
            Span::styled("▏", muted),
        ]),
        verdict,
        Line::from(Span::styled(" Enter plan · Esc cancel", muted)),
    ];
    popup_lines(
        f,
        area,
        80,
        lines,
        frame_block(state, format!("Canary of {alias}"), false),
    );
}

/// A step was planned: its plan for a confirmation.
pub(crate) fn planned(state: &mut State, r: Result<Box<CanaryPlan>, Error>) -> Vec<Effect> {
    state.busy = None;
    match r {
        Ok(plan) => {
            state.modal = Some(Modal::CanaryPlan {
                plan,
                running: false,
            });
        }
        Err(e) => state.error("Cannot plan this canary step", e),
    }
    Vec::new()
}

pub(crate) fn plan_command(
    state: &mut State,
    plan: Box<CanaryPlan>,
    running: bool,
    c: Command,
) -> Vec<Effect> {
    match c {
        _ if running => {
            state.modal = Some(Modal::CanaryPlan { plan, running });
            Vec::new()
        }
        Command::Yes | Command::Confirm => {
            if state.refuse_readonly() {
                return Vec::new();
            }
            state.modal = Some(Modal::CanaryPlan {
                plan: plan.clone(),
                running: true,
            });
            vec![Effect::Canary(CanaryEffect::Apply(plan))]
        }
        Command::No | Command::Cancel => Vec::new(),
        _ => {
            state.modal = Some(Modal::CanaryPlan { plan, running });
            Vec::new()
        }
    }
}

/// The step was written (or refused): said on the status line, and the listing reloaded.
pub(crate) fn applied(state: &mut State, r: Result<Box<CanaryPlan>, Error>) -> Vec<Effect> {
    state.modal = None;
    match r {
        Ok(done) => state.info(crate::present::edge_keys::canary_done(&done)),
        Err(e) => state.error("The canary step failed", e),
    }
    vec![Effect::LoadReleases, Effect::LoadHistory]
}

pub fn render_plan(state: &State, f: &mut Frame, area: Rect, plan: &CanaryPlan, running: bool) {
    let muted = Style::default().fg(state.theme.muted);
    let mut lines: Vec<Line> = crate::present::edge_keys::canary_plan(plan)
        .into_iter()
        .map(|l| Line::from(format!(" {l}")))
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        if running {
            " writing the key…"
        } else {
            " y write it · n cancel"
        },
        muted,
    )));
    popup_lines(
        f,
        area,
        80,
        lines,
        frame_block(state, format!("Canary of {}", plan.alias), false),
    );
}
