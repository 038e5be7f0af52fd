//! The Releases screen: versions newest first with alias badges, and the detail pane.

use super::badge;
use crate::domain::embed::snippet;
use crate::domain::plan::human_bytes;
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Wrap};

pub fn render(state: &State, f: &mut Frame, area: Rect) {
    if state.releases.is_none() {
        f.render_widget(
            Paragraph::new(state.busy.clone().unwrap_or_else(|| "no data".into())),
            area,
        );
        return;
    }
    if area.width >= 160 {
        let [list, detail] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(area);
        render_list(state, f, list);
        render_detail(state, f, detail);
    } else if area.height >= 30 {
        let [list, detail] =
            Layout::vertical([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(area);
        render_list(state, f, list);
        render_detail(state, f, detail);
    } else if state.details {
        render_detail(state, f, area);
    } else {
        render_list(state, f, area);
    }
}

fn render_list(state: &State, f: &mut Frame, area: Rect) {
    let t = &state.theme;
    let rows_all = state.visible_versions();
    let wide = area.width >= 90;
    let mut header = vec![
        "VERSION",
        "STATUS",
        "ALIASES (*pinned)",
        "SIZE",
        "GZIP",
        "PUBLISHED",
    ];
    let mut widths = vec![
        Constraint::Length(14),
        Constraint::Length(10),
        Constraint::Min(18),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(10),
    ];
    if wide {
        header.push("BY");
        widths[5] = Constraint::Length(16);
        widths.push(Constraint::Length(14));
    }
    let row = |i: usize| {
        let r = rows_all[i];
        let mut badges: Vec<Span> = Vec::new();
        for a in &r.aliases {
            let pinned = state
                .releases
                .as_ref()
                .and_then(|v| v.aliases.iter().find(|x| &x.name == a))
                .is_some_and(|x| x.pinned);
            badges.push(badge(
                &if pinned { format!("{a}*") } else { a.clone() },
                if pinned {
                    t.badge_pinned
                } else {
                    t.badge_alias
                },
                t.badge_fg,
            ));
            badges.push(Span::raw(" "));
        }
        let (status, color) = if r.yanked {
            ("yanked", t.badge_yanked)
        } else if r.prerelease {
            ("pre", t.badge_pre)
        } else if r.promoted {
            ("stable", t.ok)
        } else {
            ("unpromoted", t.muted)
        };
        let mut cells = vec![
            Cell::from(r.version.clone()),
            Cell::from(Span::styled(status, Style::default().fg(color))),
            Cell::from(Line::from(badges)),
            Cell::from(human_bytes(r.size)),
            Cell::from(human_bytes(r.gzip_size)),
        ];
        if wide {
            cells.push(Cell::from(
                r.published_at.format("%Y-%m-%d %H:%M").to_string(),
            ));
            cells.push(Cell::from(r.published_by.clone()));
        } else {
            cells.push(Cell::from(r.published_at.format("%Y-%m-%d").to_string()));
        }
        cells
    };
    super::lists::table(state, f, area, &header, &widths, rows_all.len(), row);
    if rows_all.is_empty() {
        let msg = if state.filter.is_empty() {
            "no releases yet — `shipdeck publish DIR` adds one"
        } else {
            "no version matches the filter (Esc clears it)"
        };
        super::lists::empty_hint(f, area, msg, t.muted);
    }
}

fn render_detail(state: &State, f: &mut Frame, area: Rect) {
    let t = &state.theme;
    let borders = if area.width >= 160 && area.x > 0 {
        Borders::LEFT
    } else {
        Borders::TOP
    };
    let block = Block::default()
        .borders(borders)
        .border_style(Style::default().fg(t.border));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(v) = state.selected_version() else {
        f.render_widget(Paragraph::new("select a version"), inner);
        return;
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                format!(" {} ", v.version),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!(
                    "{} file(s), {} ({} gzip)",
                    v.files,
                    human_bytes(v.size),
                    human_bytes(v.gzip_size)
                ),
                Style::default().fg(t.muted),
            ),
        ]),
        Line::from(Span::styled(
            format!(
                " published {} by {}",
                v.published_at.format("%Y-%m-%d %H:%M UTC"),
                v.published_by
            ),
            Style::default().fg(t.muted),
        )),
    ];
    if let Some(r) = &v.yank_reason {
        lines.push(Line::from(Span::styled(
            format!(" YANKED: {r}"),
            Style::default().fg(t.error),
        )));
    }
    match &state.manifest {
        Some(m) if m.version.to_string() == v.version => {
            lines.push(Line::from(""));
            for file in &m.files {
                lines.push(Line::from(vec![
                    Span::raw(format!(" {:<24}", file.path)),
                    Span::styled(
                        format!(
                            " {:>8} {:<16} {}",
                            human_bytes(file.size),
                            file.content_type.split(';').next().unwrap_or(""),
                            file.cache_control
                        ),
                        Style::default().fg(t.muted),
                    ),
                ]));
                lines.push(Line::from(Span::styled(
                    format!("   {}", file.sri),
                    Style::default().fg(t.muted),
                )));
            }
            if let Some(base) = &state.public_url {
                lines.push(Line::from(""));
                lines.push(Line::from(Span::styled(
                    " Embed (pinned version, with SRI):",
                    Style::default().fg(t.accent),
                )));
                lines.extend(
                    snippet(m, base, None)
                        .into_iter()
                        .map(|s| Line::from(format!(" {s}"))),
                );
                if let Some(alias) = v.aliases.first() {
                    lines.push(Line::from(Span::styled(
                        format!(" Embed ({alias}):"),
                        Style::default().fg(t.accent),
                    )));
                    lines.extend(
                        snippet(m, base, Some(alias))
                            .into_iter()
                            .map(|s| Line::from(format!(" {s}"))),
                    );
                }
            }
        }
        _ => lines.push(Line::from(Span::styled(
            " loading the manifest…",
            Style::default().fg(t.muted),
        ))),
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
