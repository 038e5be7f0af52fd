//! The console's frame: header, tabs, the current screen, the status line and the open dialog.
//! Views are pure functions from `&State` to a frame: they never await, never do IO, and draw
//! only the rows that fit, so a redraw costs the same with ten versions or ten thousand. The
//! screens and dialogs draw themselves (`screens/`, `dialogs/`); this file lays them out.

use super::dialogs;
use super::screens::{self, Hits, Screen};
use super::state::State;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph};

/// Draws the whole console; returns what the draw laid out, for mouse hit-testing.
pub fn render(state: &State, f: &mut Frame) -> Hits {
    let area = f.area();
    let base = Style::default().fg(state.theme.fg).bg(state.theme.bg);
    f.render_widget(Paragraph::new("").style(base), area);
    let [header, tabs, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    render_header(state, f, header);
    render_tabs(state, f, tabs);
    let list = screens::render(state, f, body);
    render_status(state, f, status);
    dialogs::render(state, f, area);
    Hits { list }
}

fn render_header(state: &State, f: &mut Frame, area: Rect) {
    let t = &state.theme;
    let mut spans = vec![
        Span::styled(
            " Shipdeck ",
            Style::default()
                .fg(t.badge_fg)
                .bg(t.accent)
                .add_modifier(Modifier::BOLD),
        ),
        Span::raw(" profile "),
        Span::styled(
            state.profile.clone(),
            Style::default().fg(t.accent).add_modifier(Modifier::BOLD),
        ),
        Span::styled(format!(" · {}", state.store), Style::default().fg(t.muted)),
    ];
    if state.readonly {
        spans.push(Span::styled(
            " [READ-ONLY]",
            Style::default().fg(t.warn).add_modifier(Modifier::BOLD),
        ));
    }
    // Firing alerts, on every screen: the Traffic screen lists them.
    if let Some(Ok(r)) = &state.traffic.alerts
        && let Some(text) = crate::present::alerts::badge(r)
    {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            format!(" ⚠ {text} "),
            Style::default()
                .fg(t.badge_fg)
                .bg(t.error)
                .add_modifier(Modifier::BOLD),
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_tabs(state: &State, f: &mut Frame, area: Rect) {
    let t = &state.theme;
    let mut spans = Vec::new();
    for (i, s) in Screen::ALL.iter().enumerate() {
        let label = format!(" {} {} ", i + 1, s.title());
        if *s == state.screen {
            spans.push(Span::styled(
                label,
                Style::default()
                    .fg(t.selected_fg)
                    .bg(t.selected_bg)
                    .add_modifier(Modifier::BOLD),
            ));
        } else {
            spans.push(Span::styled(label, Style::default().fg(t.muted)));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_status(state: &State, f: &mut Frame, area: Rect) {
    let t = &state.theme;
    if let Some(p) = &state.progress {
        f.render_widget(
            Gauge::default()
                .ratio(p.ratio())
                .label(crate::present::progress(p))
                .gauge_style(Style::default().fg(t.accent).bg(t.bg)),
            area,
        );
        return;
    }
    let line = if state.release.filtering {
        Line::from(vec![
            Span::styled("/", Style::default().fg(t.accent)),
            Span::raw(state.release.filter.clone()),
            Span::styled("▏  Enter keep · Esc clear", Style::default().fg(t.muted)),
        ])
    } else if let Some(s) = &state.status {
        let (tag, color) = if s.error {
            ("error: ", t.error)
        } else {
            ("", t.ok)
        };
        Line::from(vec![Span::styled(
            format!("{tag}{}", s.text),
            Style::default().fg(color),
        )])
    } else if let Some(b) = &state.busy {
        Line::from(Span::styled(format!("… {b}"), Style::default().fg(t.muted)))
    } else {
        let k = |name| state.keymap.label(name);
        let mut hint = format!(
            "{} help  {} palette  {} filter  {} screens  {} quit",
            k("help"),
            k("palette"),
            k("filter"),
            k("next_screen"),
            k("quit")
        );
        if !state.release.filter.is_empty() {
            hint = format!("filter: {}  (Esc clears)  {hint}", state.release.filter);
        }
        Line::from(Span::styled(hint, Style::default().fg(t.muted)))
    };
    f.render_widget(Paragraph::new(line), area);
}

/// A label badge: text on colour, so it reads without colour too.
pub(crate) fn badge(
    text: &str,
    bg: ratatui::style::Color,
    fg: ratatui::style::Color,
) -> Span<'static> {
    Span::styled(format!("[{text}]"), Style::default().fg(fg).bg(bg))
}
