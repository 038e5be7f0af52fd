//! The Cost screen: the inputs a release manager edits in place, AWS and Azure breakdowns (the
//! Bridge's stack too, from the profile's usage file), how old the prices are, the advice for
//! the release `latest` serves, and bars of the largest items. Every number comes from
//! `ops::cost::CostInputs::report`, the function `shipdeck cost` calls, asked again on every
//! draw (it is pure and takes microseconds), so totals follow every keystroke and always equal
//! the CLI's for the same inputs.

use super::{ListArea, elsewhere, table};
use crate::domain::cost::{Estimate, Usage, UsageField, advice, fmt_qty};
use crate::ops::cost::{CostInputs, CostReport};
use crate::present::money;
use crate::tui::keymap::Command;
use crate::tui::state::{Effect, State, Status};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// What the estimate is computed from, loaded by the worker through the use case the CLI
/// calls: the screen computes nothing itself, it asks [`CostInputs::report`] for every draw.
pub type CostData = CostInputs;

/// The editable inputs, in order.
pub const FIELDS: [&str; 4] = [
    "loads/month",
    "browser cache hit",
    "CDN cache hit",
    "scale ×",
];

/// The largest traffic multiple the scale input takes.
const MAX_SCALE: f64 = 1e6;

#[derive(Debug, Clone)]
pub struct CostScreen {
    pub data: Option<Result<CostData, crate::error::Error>>,
    pub fields: [String; 4],
    pub editing: Option<usize>,
}

impl Default for CostScreen {
    fn default() -> Self {
        let u = Usage::default();
        CostScreen {
            data: None,
            fields: [
                format!("{}", u.loads),
                format!("{}", u.browser_cache_hit),
                format!("{}", u.cdn_cache_hit),
                "1".into(),
            ],
            editing: None,
        }
    }
}

/// How the screen labels a usage field.
fn label(field: UsageField) -> &'static str {
    match field {
        UsageField::Loads => FIELDS[0],
        UsageField::BrowserCacheHit => FIELDS[1],
        UsageField::CdnCacheHit => FIELDS[2],
        other => other.key(),
    }
}

/// Why the Cost screen shows no report: still loading, the use case failed, or a field the
/// user is typing is not a usable value yet.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CostProblem {
    #[error("loading prices…")]
    Loading,
    #[error("{}", crate::present::failure(.0))]
    Failed(crate::error::Error),
    #[error("{field}: '{text}' is not a number")]
    NotANumber { field: &'static str, text: String },
    /// The usage the fields describe breaks a rule (`sentence` names the field as shown).
    #[error("{sentence}")]
    Usage {
        sentence: String,
        #[source]
        source: crate::domain::cost::UsageError,
    },
    #[error("{field}: must be above 0 and at most {max:e}")]
    Scale { field: &'static str, max: f64 },
}

impl CostScreen {
    /// The usage the fields describe, or which field is wrong.
    pub fn usage(&self) -> Result<(Usage, f64), CostProblem> {
        let num = |i: usize| {
            self.fields[i]
                .trim()
                .replace('_', "")
                .parse::<f64>()
                .map_err(|_| CostProblem::NotANumber {
                    field: FIELDS[i],
                    text: self.fields[i].clone(),
                })
        };
        let base = match &self.data {
            Some(Ok(d)) => d.usage.clone(),
            _ => Usage::default(),
        };
        let u = Usage {
            loads: num(0)?,
            browser_cache_hit: num(1)?,
            cdn_cache_hit: num(2)?,
            ..base
        };
        u.check().map_err(|e| CostProblem::Usage {
            sentence: match e.field() {
                Some(f) => e.naming(label(f)),
                None => e.to_string(),
            },
            source: e,
        })?;
        let scale = num(3)?;
        if !(scale.is_finite() && scale > 0.0 && scale <= MAX_SCALE) {
            return Err(CostProblem::Scale {
                field: FIELDS[3],
                max: MAX_SCALE,
            });
        }
        Ok((u, scale))
    }

    /// The report for the current inputs, from the same use case as `shipdeck cost`: the
    /// profile's own provider first, then the other.
    pub fn report(&self) -> Result<CostReport, CostProblem> {
        let data = match &self.data {
            Some(Ok(d)) => d,
            Some(Err(e)) => return Err(CostProblem::Failed(e.clone())),
            None => return Err(CostProblem::Loading),
        };
        let (u, scale) = self.usage()?;
        data.report(&u, scale).map_err(CostProblem::Failed)
    }

    /// The estimates for the current inputs.
    pub fn estimates(&self) -> Result<Vec<Estimate>, CostProblem> {
        self.report().map(|r| r.estimates)
    }

    /// The advice for the profile's own provider at the current inputs.
    pub fn advice(&self) -> Vec<advice::Advice> {
        self.report()
            .map(|r| self.advice_in(&r).to_vec())
            .unwrap_or_default()
    }

    /// The advice of `report` for the profile's own provider (shown first).
    fn advice_in<'r>(&self, report: &'r CostReport) -> &'r [advice::Advice] {
        report
            .estimates
            .first()
            .and_then(|e| report.advice.get(&e.provider))
            .map_or(&[], Vec::as_slice)
    }

    /// Rows of the breakdown table (for selection bounds).
    pub fn rows(&self) -> usize {
        self.estimates()
            .map_or(0, |es| es.iter().map(|e| e.lines.len() + 1).sum())
    }

    /// A typed character (`Some`) or a backspace (`None`) in the field being edited.
    pub(crate) fn type_text(&mut self, c: Option<char>) {
        let Some(i) = self.editing else { return };
        match c {
            Some(ch) if ch.is_ascii_digit() || ch == '.' || ch == '_' => self.fields[i].push(ch),
            Some(_) => {}
            None => {
                self.fields[i].pop();
            }
        }
    }

    /// Keys while a field is edited: ↑/↓ another field, Enter/Esc done.
    pub(crate) fn edit_command(&mut self, c: &Command) {
        let Some(i) = self.editing else { return };
        match c {
            Command::Up => self.editing = Some(i.saturating_sub(1)),
            Command::Down => self.editing = Some((i + 1).min(self.fields.len() - 1)),
            Command::Confirm | Command::Cancel => self.editing = None,
            _ => {}
        }
    }
}

pub(crate) fn command(state: &mut State, c: Command) -> Vec<Effect> {
    match c {
        Command::EditNext => {
            state.cost.editing = Some(0);
            state.status = Some(Status {
                text: "editing: type a value, ↑/↓ another input, Enter/Esc done".into(),
                error: false,
            });
            Vec::new()
        }
        other => elsewhere(state, &other),
    }
}

pub(crate) fn loaded(
    state: &mut State,
    r: Result<Box<CostData>, crate::error::Error>,
) -> Vec<Effect> {
    // The first load puts the usage file's traffic into the inputs.
    if let (Ok(d), None) = (&r, &state.cost.data) {
        state.cost.fields[0] = format!("{}", d.usage.loads);
        state.cost.fields[1] = format!("{}", d.usage.browser_cache_hit);
        state.cost.fields[2] = format!("{}", d.usage.cdn_cache_hit);
    }
    state.cost.data = Some(r.map(|b| *b));
    state.clamp_selections();
    Vec::new()
}

pub fn render(state: &State, f: &mut Frame, area: Rect) -> Option<ListArea> {
    let t = &state.theme;
    let c = &state.cost;
    let bars_h = if area.height >= 30 { 7 } else { 0 };
    let advice_h = if area.height >= 30 { 6 } else { 4 };
    let [inputs, body, advice_area, bars] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length(advice_h),
        Constraint::Length(bars_h),
    ])
    .areas(area);
    let report = c.report();
    render_inputs(state, f, inputs, report.as_ref().ok());
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            f.render_widget(
                Paragraph::new(Span::styled(
                    format!(" {e}"),
                    Style::default().fg(if c.data.is_none() { t.muted } else { t.error }),
                )),
                body,
            );
            return None;
        }
    };
    // One report per draw: the breakdown, the advice and the bars all show it.
    let hits = render_breakdown(state, f, body, &report.estimates);
    render_advice(state, f, advice_area, c.advice_in(&report));
    render_bars(state, f, bars, &report.estimates);
    Some(hits)
}

/// The editable inputs, then each provider's total and where the bundle size comes from.
fn render_inputs(state: &State, f: &mut Frame, area: Rect, report: Option<&CostReport>) {
    let t = &state.theme;
    let c = &state.cost;
    let muted = Style::default().fg(t.muted);
    let mut spans = Vec::new();
    for (i, name) in FIELDS.iter().enumerate() {
        let editing = c.editing == Some(i);
        let style = if editing {
            Style::default().fg(t.selected_fg).bg(t.selected_bg)
        } else {
            Style::default().fg(t.accent)
        };
        spans.push(Span::styled(format!(" {name} "), muted));
        spans.push(Span::styled(
            format!("[{}{}]", c.fields[i], if editing { "▏" } else { "" }),
            style,
        ));
    }
    let mut second = Vec::new();
    for e in report.map(|r| r.estimates.as_slice()).unwrap_or_default() {
        second.push(Span::styled(format!(" {} ", e.provider.heading()), muted));
        second.push(Span::styled(
            format!("{}/month", money(e.total)),
            Style::default().add_modifier(Modifier::BOLD),
        ));
    }
    if let Some(r) = report {
        let ages: Vec<String> = r
            .estimates
            .iter()
            .filter_map(|e| {
                let a = r.prices.get(&e.provider)?;
                Some(format!("{} {} ({} d)", e.provider, a.oldest, a.days))
            })
            .collect();
        second.push(Span::styled(
            format!(
                "  · prices {} · bundle {} KB gzip/load ({}) · {} edits",
                ages.join(", "),
                fmt_qty(r.bundle.bytes_per_load / 1024.0),
                r.bundle_from,
                state.keymap.label("edit")
            ),
            muted,
        ));
    }
    // Each line cut with "…" where the screen ends, so a cut is never silent.
    let width = usize::from(area.width);
    f.render_widget(
        Paragraph::new(vec![
            super::fit_line(Line::from(spans), width),
            super::fit_line(Line::from(second), width),
        ]),
        area,
    );
}

/// Every line item of both providers, with a total row each.
fn render_breakdown(state: &State, f: &mut Frame, area: Rect, estimates: &[Estimate]) -> ListArea {
    let t = &state.theme;
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let mut rows = Vec::new();
    for e in estimates {
        for l in &e.lines {
            let name = format!(
                "{}{} {}",
                if l.usage_based { "*" } else { " " },
                e.provider.heading(),
                l.name
            );
            let amount = if l.unpriced {
                "—".to_string()
            } else {
                money(l.monthly)
            };
            let style = if l.free {
                Style::default().fg(t.ok)
            } else {
                Style::default()
            };
            rows.push(vec![
                Line::from(Span::styled(name, style)),
                Line::from(if l.unpriced {
                    String::new()
                } else {
                    fmt_qty(l.quantity)
                }),
                Line::from(l.unit.clone()),
                Line::from(amount),
            ]);
        }
        rows.push(vec![
            Line::from(Span::styled(
                format!(" {} total", e.provider.heading()),
                bold,
            )),
            Line::from(""),
            Line::from(""),
            Line::from(Span::styled(money(e.total), bold)),
        ]);
    }
    table(
        state,
        f,
        area,
        &["ITEM (* grows with traffic)", "QUANTITY", "UNIT", "MONTHLY"],
        &[
            Constraint::Min(30),
            Constraint::Length(12),
            Constraint::Length(18),
            Constraint::Length(10),
        ],
        rows.len(),
        |i| rows[i].clone(),
    )
}

/// The advice under the breakdown: saving per month, then what it is about.
fn render_advice(state: &State, f: &mut Frame, area: Rect, advice: &[advice::Advice]) {
    let t = &state.theme;
    let muted = Style::default().fg(t.muted);
    let mut lines = vec![Line::from(Span::styled(
        " advice (saving a month, each with its assumption in `shipdeck cost`)",
        muted,
    ))];
    for a in advice {
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {:>8} ", money(a.saving)),
                Style::default().fg(t.ok),
            ),
            Span::raw(a.title.clone()),
        ]));
    }
    // Cut with "…" where the screen ends (the whole sentence is in `shipdeck cost`).
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| super::fit_line(l, usize::from(area.width)))
        .collect();
    f.render_widget(Paragraph::new(lines), area);
}

/// The largest items, as text bars (they read without colour).
fn render_bars(state: &State, f: &mut Frame, area: Rect, estimates: &[Estimate]) {
    let t = &state.theme;
    let mut items: Vec<(String, f64)> = estimates
        .iter()
        .flat_map(|e| {
            e.lines
                .iter()
                .filter(|l| l.monthly > 0.0)
                .map(move |l| (format!("{} {}", e.provider.heading(), l.name), l.monthly))
        })
        .collect();
    items.sort_by(|a, b| b.1.total_cmp(&a.1));
    let max = items.first().map_or(1.0, |i| i.1).max(0.01);
    let label_w = 34usize;
    let bar_w = usize::from(area.width).saturating_sub(label_w + 14).max(4);
    let mut lines = vec![Line::from(Span::styled(
        " largest items",
        Style::default().fg(t.muted),
    ))];
    for (name, v) in items
        .iter()
        .take(usize::from(area.height).saturating_sub(1))
    {
        let n = ((v / max) * bar_w as f64).round().max(1.0) as usize;
        let label: String = if name.chars().count() > label_w {
            format!("{}…", name.chars().take(label_w - 1).collect::<String>())
        } else {
            name.clone()
        };
        lines.push(Line::from(vec![
            Span::raw(format!(" {label:<label_w$} ")),
            Span::styled("█".repeat(n), Style::default().fg(t.accent)),
            Span::raw(format!(" {}", money(*v))),
        ]));
    }
    f.render_widget(Paragraph::new(lines), area);
}
