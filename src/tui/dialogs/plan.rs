//! The plan dialogs: every change (and every allowlist edit) is shown as its plan and applied
//! only on `y`/Enter. While it applies, the dialog stays with progress below; when it is done,
//! the outcome is presented with the same words the CLI prints (`crate::present`), so a failed
//! CDN invalidation is a warning with the retry command here as it is there.

use super::{Modal, centered, frame_block, popup, tone_style};
use crate::domain::plan::{LineKind, Plan};
use crate::ops::apply::Report;
use crate::ops::origins::OriginPlan;
use crate::ops::{ProgressEvent, ProgressTally};
use crate::present::{self, Said, Tone};
use crate::tui::keymap::Command;
use crate::tui::state::{Effect, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// A plan arrived: a no-op is said in the status line, anything else opens the dialog.
pub(crate) fn planned(
    state: &mut State,
    r: Result<(Box<Plan>, crate::domain::history::Operation), crate::error::Error>,
) -> Vec<Effect> {
    state.busy = None;
    match r {
        Ok((plan, _)) if plan.is_noop() => {
            state.info(format!("{}: nothing to change", plan.description));
        }
        Ok((plan, action)) => {
            state.modal = Some(Modal::Plan {
                plan,
                action,
                running: false,
            })
        }
        Err(e) => state.error("Cannot plan this change", e),
    }
    Vec::new()
}

/// Progress of the change being applied, for the gauge.
pub(crate) fn progress(state: &mut State, ev: ProgressEvent) -> Vec<Effect> {
    state
        .progress
        .get_or_insert_with(ProgressTally::default)
        .add(ev);
    Vec::new()
}

/// The change finished: a clean outcome goes to the status line; anything worth reading (a CDN
/// invalidation that failed or was skipped, a copy the store garbled, a history write that
/// failed) opens a message with every line.
pub(crate) fn applied(
    state: &mut State,
    r: Result<Box<Report>, crate::error::Error>,
) -> Vec<Effect> {
    state.busy = None;
    state.progress = None;
    let desc = match state.modal.take() {
        Some(Modal::Plan { plan, .. }) => plan.description,
        _ => "change".into(),
    };
    match r {
        Ok(rep) => {
            let v = present::verdict(&rep);
            if v.worth_reading {
                let title = format!("{}: {desc}", v.head);
                let mut all = vec![Said {
                    tone: Tone::Ok,
                    text: v.summary,
                }];
                all.extend(v.lines);
                state.modal = Some(Modal::Message {
                    title,
                    lines: all,
                    error: true,
                });
            } else {
                let cdn: String = v.lines.iter().map(|l| format!(" · {}", l.text)).collect();
                state.info(format!("{}: {desc} — {}{cdn}", v.head, v.summary));
            }
        }
        Err(e) => state.error(&format!("Failed: {desc}"), e),
    }
    state.release.manifest = None;
    vec![Effect::LoadReleases, Effect::LoadHistory]
}

/// Keys of the plan dialog: apply or cancel; nothing while it runs.
pub(crate) fn command(
    state: &mut State,
    plan: Box<Plan>,
    action: crate::domain::history::Operation,
    running: bool,
    c: Command,
) -> Vec<Effect> {
    match c {
        _ if running => {}
        Command::Confirm | Command::Yes => {
            state.busy = Some(plan.description.clone());
            state.progress = Some(ProgressTally {
                label: "starting".into(),
                ..Default::default()
            });
            state.modal = Some(Modal::Plan {
                plan: plan.clone(),
                action,
                running: true,
            });
            return vec![Effect::Apply(plan, action)];
        }
        Command::Cancel | Command::No => {
            state.info(format!("cancelled: {}", plan.description));
            return Vec::new();
        }
        _ => {}
    }
    state.modal = Some(Modal::Plan {
        plan,
        action,
        running,
    });
    Vec::new()
}

/// Keys of the allowlist plan dialog.
pub(crate) fn origin_command(
    state: &mut State,
    plan: Box<OriginPlan>,
    running: bool,
    c: Command,
) -> Vec<Effect> {
    match c {
        _ if running => {}
        Command::Confirm | Command::Yes => {
            state.busy = Some(plan.description.clone());
            state.modal = Some(Modal::OriginPlan {
                plan: plan.clone(),
                running: true,
            });
            return vec![Effect::ApplyOrigin(plan)];
        }
        Command::Cancel | Command::No => {
            state.info(format!("cancelled: {}", plan.description));
            return Vec::new();
        }
        _ => {}
    }
    state.modal = Some(Modal::OriginPlan { plan, running });
    Vec::new()
}

/// Draws a release plan, its lines coloured by kind.
pub fn render(state: &State, f: &mut Frame, area: Rect, plan: &Plan, running: bool) {
    let t = &state.theme;
    let muted = Style::default().fg(t.muted);
    let style_of = |k: LineKind| match k {
        LineKind::Title | LineKind::Summary => Style::default().add_modifier(Modifier::BOLD),
        // What must not be missed stands out: bold on the warning colour.
        LineKind::Warning => Style::default()
            .fg(t.warn)
            .add_modifier(Modifier::BOLD | Modifier::REVERSED),
        LineKind::Add => Style::default().fg(t.ok),
        LineKind::Change => Style::default().fg(t.warn),
        LineKind::Remove => Style::default().fg(t.error),
        LineKind::Alias | LineKind::Release => Style::default().fg(t.accent),
        LineKind::Cdn | LineKind::Note => muted,
    };
    let all: Vec<(String, Style)> = plan
        .lines()
        .into_iter()
        .map(|l| (l.text, style_of(l.kind)))
        .collect();
    let (head, summary) = all.split_at(all.len().saturating_sub(1));
    plan_dialog(state, f, area, head, summary, running);
}

/// Draws an allowlist plan: removals red, additions green.
pub fn render_origin(state: &State, f: &mut Frame, area: Rect, plan: &OriginPlan, running: bool) {
    let lines: Vec<(String, Style)> = plan
        .lines()
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let tone = if i == 0 {
                None
            } else if l.starts_with("  - ") {
                Some(Tone::Error)
            } else if l.starts_with("  + ") {
                Some(Tone::Ok)
            } else {
                Some(Tone::Info)
            };
            let style = match tone {
                None => Style::default().add_modifier(Modifier::BOLD),
                Some(Tone::Info) => Style::default().fg(state.theme.muted),
                Some(t) => tone_style(state, t),
            };
            (l, style)
        })
        .collect();
    plan_dialog(state, f, area, &lines, &[], running);
}

/// The plan dialog: the body gives way (with a count of what is hidden) so the summary and the
/// apply/cancel keys always show.
fn plan_dialog(
    state: &State,
    f: &mut Frame,
    area: Rect,
    head: &[(String, Style)],
    summary: &[(String, Style)],
    running: bool,
) {
    let t = &state.theme;
    let muted = Style::default().fg(t.muted);
    let outer = centered(
        area,
        area.width.saturating_sub(4).min(110),
        area.height.saturating_sub(2),
    );
    let width = usize::from(outer.width.saturating_sub(2)).max(10);
    let wrapped = |ls: &[(String, Style)]| -> Vec<Line<'static>> {
        ls.iter()
            .flat_map(|(text, style)| {
                wrap(text, width)
                    .into_iter()
                    .map(move |w| Line::from(Span::styled(w, *style)))
            })
            .collect()
    };
    let mut footer = wrapped(summary);
    footer.push(Line::from(""));
    if running {
        footer.push(Line::from(Span::styled(
            " applying… (progress below)",
            Style::default().fg(t.warn),
        )));
    } else {
        footer.push(Line::from(vec![
            Span::styled(" y", Style::default().fg(t.ok).add_modifier(Modifier::BOLD)),
            Span::raw("/Enter apply   "),
            Span::styled(
                "n",
                Style::default().fg(t.error).add_modifier(Modifier::BOLD),
            ),
            Span::raw("/Esc cancel"),
        ]));
    }
    let room = usize::from(outer.height.saturating_sub(2))
        .saturating_sub(footer.len())
        .max(1);
    let mut body = wrapped(head);
    if body.len() > room {
        let hidden = body.len() - (room - 1);
        body.truncate(room - 1);
        body.push(Line::from(Span::styled(
            format!("  … {hidden} more line(s); `--dry-run` on the CLI lists them all"),
            muted,
        )));
    }
    body.extend(footer);
    popup(
        f,
        area,
        outer.width,
        body.len() as u16 + 2,
        Paragraph::new(body).block(frame_block(state, "Review the plan".into(), false)),
    );
}

/// Wraps `text` to `width` columns at spaces (hard-breaking words longer than a line); wrapped
/// lines are indented to the first non-space column so plan lines stay readable.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let indent = text.len() - text.trim_start().len();
    let pad = " ".repeat((indent + 2).min(width / 2));
    let mut out = Vec::new();
    let mut line = " ".repeat(indent);
    for (i, word) in text.trim_start().split(' ').enumerate() {
        if i > 0 {
            if line.chars().count() + 1 + word.chars().count() > width {
                out.push(std::mem::replace(&mut line, pad.clone()));
            } else {
                line.push(' ');
            }
        }
        let mut rest: Vec<char> = word.chars().collect();
        while line.chars().count() + rest.len() > width {
            let take = width
                .saturating_sub(line.chars().count())
                .max(1)
                .min(rest.len());
            line.extend(rest.drain(..take));
            out.push(std::mem::replace(&mut line, pad.clone()));
        }
        line.extend(rest);
    }
    out.push(line);
    out
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_at_spaces_with_indent_and_breaks_long_words() {
        let w = wrap("  note     still serving 1.1.0 after this rollback", 24);
        assert!(w.iter().all(|l| l.chars().count() <= 24), "{w:?}");
        assert_eq!(
            w.join(" ").split_whitespace().collect::<Vec<_>>().join(" "),
            "note still serving 1.1.0 after this rollback"
        );
        assert!(
            w[1].starts_with("    "),
            "continuations are indented: {w:?}"
        );
        let w = wrap(&"x".repeat(50), 20);
        assert!(w.iter().all(|l| l.chars().count() <= 20), "{w:?}");
        assert_eq!(wrap("short", 20), vec!["short".to_string()]);
    }
}
