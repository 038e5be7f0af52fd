//! The Cost screen: editable inputs, AWS and Azure breakdowns, and bars of the largest items.

use super::lists::table;
use crate::domain::cost::fmt_qty;
use crate::tui::cost::FIELDS;
use crate::tui::state::State;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph};

pub fn render(state: &State, f: &mut Frame, area: Rect) {
    let t = &state.theme;
    let c = &state.extra.cost;
    let bars_h = if area.height >= 30 { 7 } else { 4 };
    let [inputs, body, bars] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length(bars_h),
    ])
    .areas(area);
    let mut spans = Vec::new();
    for (i, name) in FIELDS.iter().enumerate() {
        let editing = c.editing == Some(i);
        let style = if editing {
            Style::default().fg(t.selected_fg).bg(t.selected_bg)
        } else {
            Style::default().fg(t.accent)
        };
        spans.push(Span::styled(
            format!(" {name} "),
            Style::default().fg(t.muted),
        ));
        spans.push(Span::styled(
            format!("[{}{}]", c.fields[i], if editing { "▏" } else { "" }),
            style,
        ));
    }
    let estimates = c.estimates();
    let mut second = Vec::new();
    if let Ok(es) = &estimates {
        for e in es {
            second.push(Span::styled(
                format!(" {} ", e.provider.to_uppercase()),
                Style::default().fg(t.muted),
            ));
            second.push(Span::styled(
                format!("${:.2}/month", e.total),
                Style::default().add_modifier(Modifier::BOLD),
            ));
        }
    }
    if let Some(Ok(d)) = &c.data {
        second.push(Span::styled(
            format!(
                "  · bundle {} KB gzip/load ({}) · e edits",
                fmt_qty(d.bundle.bytes_per_load / 1024.0),
                d.bundle_from
            ),
            Style::default().fg(t.muted),
        ));
    }
    f.render_widget(
        Paragraph::new(vec![Line::from(spans), Line::from(second)]),
        inputs,
    );
    let estimates = match estimates {
        Ok(e) => e,
        Err(e) => {
            f.render_widget(
                Paragraph::new(Span::styled(
                    format!(" {e}"),
                    Style::default().fg(if c.data.is_none() { t.muted } else { t.error }),
                )),
                body,
            );
            return;
        }
    };

    let mut rows = Vec::new();
    for e in &estimates {
        for l in &e.lines {
            let name = format!(
                "{}{} {}",
                if l.usage_based { "*" } else { " " },
                e.provider.to_uppercase(),
                l.name
            );
            let money = if l.monthly < 0.0 {
                format!("-${:.2}", -l.monthly)
            } else {
                format!("${:.2}", l.monthly)
            };
            let style = if l.free {
                Style::default().fg(t.ok)
            } else {
                Style::default()
            };
            rows.push(vec![
                Cell::from(Span::styled(name, style)),
                Cell::from(fmt_qty(l.quantity)),
                Cell::from(l.unit.clone()),
                Cell::from(money),
            ]);
        }
        rows.push(vec![
            Cell::from(Span::styled(
                format!(" {} total", e.provider.to_uppercase()),
                Style::default().add_modifier(Modifier::BOLD),
            )),
            Cell::from(""),
            Cell::from(""),
            Cell::from(Span::styled(
                format!("${:.2}", e.total),
                Style::default().add_modifier(Modifier::BOLD),
            )),
        ]);
    }
    table(
        state,
        f,
        body,
        &["ITEM (* grows with traffic)", "QUANTITY", "UNIT", "MONTHLY"],
        &[
            Constraint::Min(30),
            Constraint::Length(12),
            Constraint::Length(18),
            Constraint::Length(10),
        ],
        rows.len(),
        |i| rows[i].clone(),
    );

    // The largest items, as text bars (they read without colour).
    let mut items: Vec<(String, f64)> = estimates
        .iter()
        .flat_map(|e| {
            e.lines.iter().filter(|l| l.monthly > 0.0).map(move |l| {
                (
                    format!("{} {}", e.provider.to_uppercase(), l.name),
                    l.monthly,
                )
            })
        })
        .collect();
    items.sort_by(|a, b| b.1.total_cmp(&a.1));
    let max = items.first().map_or(1.0, |i| i.1).max(0.01);
    let label_w = 34usize;
    let bar_w = usize::from(bars.width).saturating_sub(label_w + 14).max(4);
    let mut lines = vec![Line::from(Span::styled(
        " largest items",
        Style::default().fg(t.muted),
    ))];
    for (name, v) in items.iter().take(usize::from(bars_h) - 1) {
        let n = ((v / max) * bar_w as f64).round().max(1.0) as usize;
        let label: String = if name.chars().count() > label_w {
            format!("{}…", name.chars().take(label_w - 1).collect::<String>())
        } else {
            name.clone()
        };
        lines.push(Line::from(vec![
            Span::raw(format!(" {label:<label_w$} ")),
            Span::styled("█".repeat(n), Style::default().fg(t.accent)),
            Span::raw(format!(" ${v:.2}")),
        ]));
    }
    f.render_widget(Paragraph::new(lines), bars);
}
