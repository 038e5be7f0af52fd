//! The console's screens, one file each: its state, its keys, the worker results it consumes and
//! its view (a pure function of the state). This module only lists them, routes to them, and
//! holds the table helper they share.

pub mod account;
pub mod aliases;
pub mod cost;
pub mod history;
pub mod origins;
pub mod releases;
pub mod traffic;

use super::keymap::Command;
use super::state::{Effect, State, list_offset};
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

/// The screens, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Releases,
    Aliases,
    Origins,
    History,
    Cost,
    /// The profile itself: store, CDN, credentials source, lock, unfinished operation.
    Account,
    /// Who loads which version, from the CDN's access logs.
    Traffic,
}

impl Screen {
    pub const ALL: [Screen; 7] = [
        Screen::Releases,
        Screen::Aliases,
        Screen::Origins,
        Screen::History,
        Screen::Cost,
        Screen::Account,
        Screen::Traffic,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Screen::Releases => "Releases",
            Screen::Aliases => "Aliases",
            Screen::Origins => "Origins",
            Screen::History => "History",
            Screen::Cost => "Cost",
            Screen::Account => "Account",
            Screen::Traffic => "Traffic",
        }
    }

    pub fn index(self) -> usize {
        match self {
            Screen::Releases => 0,
            Screen::Aliases => 1,
            Screen::Origins => 2,
            Screen::History => 3,
            Screen::Cost => 4,
            Screen::Account => 5,
            Screen::Traffic => 6,
        }
    }
}

/// Where the last draw put the current screen's list: what a mouse click hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hits {
    pub list: Option<ListArea>,
}

/// The rows of a drawn list and the index of the first one shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListArea {
    /// The terminal row of the first list row (below the table header).
    pub top: u16,
    /// How many list rows fit.
    pub rows: u16,
    /// The index of the item on the first row.
    pub offset: usize,
    /// How many items the list has.
    pub len: usize,
}

impl ListArea {
    /// The item under terminal row `row`, if any.
    pub fn row_at(&self, row: u16) -> Option<usize> {
        let i = row.checked_sub(self.top)?;
        if i >= self.rows {
            return None;
        }
        let item = self.offset + usize::from(i);
        (item < self.len).then_some(item)
    }
}

/// How many rows `screen`'s list has.
pub fn list_len(state: &State, screen: Screen) -> usize {
    match screen {
        Screen::Releases => state.visible_versions().len(),
        Screen::Aliases => state.releases.as_ref().map_or(0, |r| r.aliases.len()),
        Screen::History => state.history.events.len(),
        Screen::Origins => state.origins.len(),
        Screen::Cost => state.cost.rows(),
        Screen::Account => 0,
        Screen::Traffic => state.traffic.len(),
    }
}

/// Effects to run when a screen is shown.
pub fn on_enter(state: &State, screen: Screen) -> Vec<Effect> {
    match screen {
        Screen::Cost if state.cost.data.is_none() => vec![Effect::LoadCost],
        Screen::Origins if state.origins.listing.is_none() => vec![Effect::LoadOrigins],
        // Always fresh: the lock and credentials change behind the console's back.
        Screen::Account => vec![Effect::LoadAccount],
        Screen::Traffic if state.traffic.data.is_none() => vec![Effect::LoadTraffic],
        _ => Vec::new(),
    }
}

/// A command that belongs to a screen: the current screen handles it, or says where it applies.
pub fn command(state: &mut State, c: Command) -> Vec<Effect> {
    match state.screen {
        Screen::Releases => releases::command(state, c),
        Screen::Aliases => aliases::command(state, c),
        Screen::Origins => origins::command(state, c),
        Screen::Cost => cost::command(state, c),
        Screen::History | Screen::Account | Screen::Traffic => elsewhere(state, &c),
    }
}

/// Says on which screen a command works, for a key pressed on another one.
pub fn elsewhere(state: &mut State, c: &Command) -> Vec<Effect> {
    let hint = match c {
        Command::Promote => "select a version on the Releases screen to promote it",
        Command::Yank => "select a version on the Releases screen to yank it",
        Command::Unpin => "select an alias on the Aliases screen to unpin it",
        Command::Repair => "select an alias on the Aliases screen to repair its folder",
        Command::Filter | Command::Details => return Vec::new(),
        Command::Rollback => {
            "nothing to roll back here: select an alias with a previous target, or a version an alias can serve"
        }
        Command::AddOrigin | Command::RemoveOrigin | Command::Probe | Command::Redeploy => {
            "that key works on the Origins screen"
        }
        Command::EditNext => "that key works on the Cost screen",
        Command::Verify => {
            state.busy = Some("verifying".into());
            return vec![Effect::Verify(Vec::new())];
        }
        Command::VerifyEdge => {
            state.busy = Some("checking what browsers get at the edge".into());
            return vec![Effect::VerifyEdge];
        }
        _ => return Vec::new(),
    };
    state.info(hint);
    Vec::new()
}

/// Draws the current screen; returns where its list landed.
pub fn render(state: &State, f: &mut Frame, area: Rect) -> Option<ListArea> {
    match state.screen {
        Screen::Releases => releases::render(state, f, area),
        Screen::Aliases => aliases::render(state, f, area),
        Screen::History => history::render(state, f, area),
        Screen::Origins => origins::render(state, f, area),
        Screen::Cost => cost::render(state, f, area),
        Screen::Account => {
            account::render(state, f, area);
            None
        }
        Screen::Traffic => traffic::render(state, f, area),
    }
}

/// A table of `len` rows showing only the rows that fit, with the selection highlighted.
/// `row(i)` builds row `i`; only visible rows are built, so a redraw costs the same with ten
/// rows or ten thousand. A cell (or header) wider than its column is cut with "…", so a reader
/// always knows there is more. Returns where the rows landed, for mouse hit-testing.
pub fn table<'a>(
    state: &State,
    f: &mut Frame,
    area: Rect,
    header: &[&str],
    widths: &[Constraint],
    len: usize,
    row: impl Fn(usize) -> Vec<Line<'a>>,
) -> ListArea {
    let t = &state.theme;
    let page = usize::from(area.height.saturating_sub(1)).max(1);
    let offset = list_offset(state.selection(), page);
    // The widths the table will give its columns (Table lays out the same way: Flex::Start,
    // one column of spacing, no selection column).
    let columns: Vec<usize> = Layout::horizontal(widths.to_vec())
        .flex(Flex::Start)
        .spacing(1)
        .split(Rect::new(0, 0, area.width, 1))
        .iter()
        .map(|r| usize::from(r.width))
        .collect();
    let fitted = |cells: Vec<Line<'a>>| -> Vec<Cell<'a>> {
        cells
            .into_iter()
            .enumerate()
            .map(|(i, l)| Cell::from(fit_line(l, columns.get(i).copied().unwrap_or(0))))
            .collect()
    };
    let rows: Vec<Row> = (offset..len.min(offset + page))
        .map(|i| {
            let style = if i == state.selection() {
                Style::default().fg(t.selected_fg).bg(t.selected_bg)
            } else {
                Style::default()
            };
            Row::new(fitted(row(i))).style(style)
        })
        .collect();
    let header = fitted(header.iter().map(|h| Line::from(h.to_string())).collect());
    let table = Table::new(rows, widths.to_vec())
        .header(Row::new(header).style(Style::default().fg(t.muted).add_modifier(Modifier::BOLD)))
        .flex(Flex::Start)
        .column_spacing(1);
    f.render_widget(table, area);
    ListArea {
        top: area.y + 1,
        rows: area.height.saturating_sub(1),
        offset,
        len,
    }
}

/// `line` cut to `width` columns, ending with "…" when it was cut (styles kept).
pub(crate) fn fit_line(line: Line<'_>, width: usize) -> Line<'_> {
    use unicode_width::UnicodeWidthChar;
    if line.width() <= width {
        return line;
    }
    let mut room = width.saturating_sub(1);
    let mut spans = Vec::new();
    let mut last_style = line.style;
    for span in line.spans {
        let mut text = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if w > room {
                room = 0;
                break;
            }
            room -= w;
            text.push(c);
        }
        last_style = span.style;
        let full = text.len() == span.content.len();
        spans.push(Span::styled(text, span.style));
        if !full || room == 0 {
            break;
        }
    }
    if width > 0 {
        spans.push(Span::styled("…", last_style));
    }
    Line::from(spans).style(line.style)
}

/// The line under a table's header that says why it is empty and what to do.
pub fn empty_hint(f: &mut Frame, area: Rect, text: &str, color: ratatui::style::Color) {
    f.render_widget(
        Paragraph::new(text).style(Style::default().fg(color)),
        Rect {
            y: area.y + 1,
            height: 1,
            ..area
        },
    );
}

/// A screen that has nothing to show yet: what is missing, and how to set it up.
pub fn not_configured(state: &State, f: &mut Frame, area: Rect, what: &str, how: &str) {
    let t = &state.theme;
    let text = vec![
        Line::from(""),
        Line::from(Span::styled(
            format!(" {what}"),
            Style::default().add_modifier(Modifier::BOLD),
        )),
        Line::from(""),
        Line::from(Span::styled(
            format!(" {how}"),
            Style::default().fg(t.muted),
        )),
    ];
    f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), area);
}

/// A one-line placeholder while data loads.
pub fn loading(state: &State, f: &mut Frame, area: Rect, text: &str) {
    f.render_widget(
        Paragraph::new(format!(" {text}")).style(Style::default().fg(state.theme.muted)),
        area,
    );
}
