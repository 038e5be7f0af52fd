//! Overlays: help, command palette, plan dialog, messages and errors, small input dialogs.

use crate::domain::plan::LineKind;
use crate::tui::keymap::palette_matches;
use crate::tui::state::{Modal, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width.saturating_sub(2)).max(10.min(area.width));
    let h = h.min(area.height.saturating_sub(2)).max(3.min(area.height));
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Draws `content` in a `w` × `h` box centred in `area`, over whatever is beneath.
fn popup(f: &mut Frame, area: Rect, w: u16, h: u16, content: Paragraph) {
    let r = centered(area, w, h);
    f.render_widget(Clear, r);
    f.render_widget(content, r);
}

fn frame_block<'a>(state: &State, title: String, error: bool) -> Block<'a> {
    let t = &state.theme;
    let color = if error { t.error } else { t.accent };
    Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(color))
        .title(Span::styled(
            format!(" {title} "),
            Style::default().fg(color).add_modifier(Modifier::BOLD),
        ))
        .style(Style::default().fg(t.fg).bg(t.bg))
}

pub fn render(state: &State, f: &mut Frame, area: Rect) {
    let Some(modal) = &state.modal else { return };
    let t = &state.theme;
    let muted = Style::default().fg(t.muted);
    match modal {
        Modal::Help => {
            let screen = state.screen.title();
            let mut lines: Vec<Line> = state
                .keymap
                .help_for(screen, state.readonly)
                .into_iter()
                .map(|(k, h)| {
                    Line::from(vec![
                        Span::styled(format!(" {k:>8}  "), Style::default().fg(t.accent)),
                        Span::raw(h),
                    ])
                })
                .collect();
            lines.push(Line::from(Span::styled(
                " mouse: click selects, wheel scrolls · Esc closes",
                muted,
            )));
            popup(
                f,
                area,
                64,
                lines.len() as u16 + 2,
                Paragraph::new(lines).block(frame_block(state, format!("Keys — {screen}"), false)),
            );
        }
        Modal::Palette { query, selected } => {
            let matches = palette_matches(query, state.readonly);
            let mut lines = vec![Line::from(vec![
                Span::styled(" : ", Style::default().fg(t.accent)),
                Span::raw(query.clone()),
                Span::styled("▏", muted),
            ])];
            for (i, m) in matches.iter().take(12).enumerate() {
                let style = if i == *selected {
                    Style::default().fg(t.selected_fg).bg(t.selected_bg)
                } else {
                    Style::default()
                };
                lines.push(Line::from(vec![
                    Span::styled(
                        format!(" {:<14}", m.name),
                        style.add_modifier(Modifier::BOLD),
                    ),
                    Span::styled(format!(" {}", m.help), style),
                ]));
            }
            if matches.is_empty() {
                lines.push(Line::from(Span::styled(" no command matches", muted)));
            }
            popup(
                f,
                area,
                64,
                15,
                Paragraph::new(lines).block(frame_block(state, "Command palette".into(), false)),
            );
        }
        Modal::Plan { plan, running, .. } => {
            let style_of = |k: LineKind| match k {
                LineKind::Title | LineKind::Summary => {
                    Style::default().add_modifier(Modifier::BOLD)
                }
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
            plan_dialog(state, f, area, head, summary, *running);
        }
        Modal::OriginPlan { plan, running } => {
            let lines: Vec<(String, Style)> = plan
                .lines()
                .into_iter()
                .enumerate()
                .map(|(i, l)| {
                    let style = if i == 0 {
                        Style::default().add_modifier(Modifier::BOLD)
                    } else if l.starts_with("  - ") {
                        Style::default().fg(t.error)
                    } else if l.starts_with("  + ") {
                        Style::default().fg(t.ok)
                    } else {
                        muted
                    };
                    (l, style)
                })
                .collect();
            plan_dialog(state, f, area, &lines, &[], *running);
        }
        Modal::OriginInput { value, additional } => {
            let list = |on: bool, name: &str| {
                Span::styled(
                    format!(" {} {name} ", if on { "(•)" } else { "( )" }),
                    if on {
                        Style::default().fg(t.accent)
                    } else {
                        muted
                    },
                )
            };
            let lines = vec![
                Line::from(" Origin exactly as browsers send it: scheme://host[:port]"),
                Line::from(""),
                Line::from(vec![
                    Span::styled(" origin: ", Style::default().fg(t.accent)),
                    Span::raw(value.clone()),
                    Span::styled("▏", muted),
                ]),
                Line::from(vec![
                    Span::raw(" list:"),
                    list(!additional, "ALLOWED_ORIGINS"),
                    list(*additional, "ADDITIONAL_ORIGINS"),
                ]),
                Line::from(""),
                Line::from(Span::styled(
                    " Enter plan the change · ↑/↓ switch list · Esc cancel",
                    muted,
                )),
            ];
            popup(
                f,
                area,
                72,
                8,
                Paragraph::new(lines).block(frame_block(state, "Add an origin".into(), false)),
            );
        }
        Modal::Message {
            title,
            lines,
            error,
        } => {
            let mut body: Vec<Line> = lines.iter().map(|l| Line::from(format!(" {l}"))).collect();
            body.push(Line::from(""));
            body.push(Line::from(Span::styled(" Enter/Esc close", muted)));
            popup(
                f,
                area,
                76,
                body.len() as u16 + 4,
                Paragraph::new(body)
                    .wrap(Wrap { trim: false })
                    .block(frame_block(state, title.clone(), *error)),
            );
        }
        Modal::YankReason { version, reason } => {
            let lines = vec![
                Line::from(format!(
                    " Yank {version}: it leaves every alias; its folder stays."
                )),
                Line::from(""),
                Line::from(vec![
                    Span::styled(" reason: ", Style::default().fg(t.accent)),
                    Span::raw(reason.clone()),
                    Span::styled("▏", muted),
                ]),
                Line::from(""),
                Line::from(Span::styled(" Enter plan the yank · Esc cancel", muted)),
            ];
            popup(
                f,
                area,
                70,
                7,
                Paragraph::new(lines).block(frame_block(state, "Yank".into(), false)),
            );
        }
        Modal::RollbackPick { options, selected } => {
            let mut lines = vec![Line::from(" Pin which alias?"), Line::from("")];
            for (i, (a, v)) in options.iter().enumerate() {
                let style = if i == *selected {
                    Style::default().fg(t.selected_fg).bg(t.selected_bg)
                } else {
                    Style::default()
                };
                lines.push(Line::from(Span::styled(
                    format!(" {:<10} → {v}", a.to_string()),
                    style,
                )));
            }
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                " ↑/↓ choose · Enter plan the rollback · Esc cancel",
                muted,
            )));
            popup(
                f,
                area,
                60,
                lines.len() as u16 + 2,
                Paragraph::new(lines).block(frame_block(state, "Roll back".into(), false)),
            );
        }
    }
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
