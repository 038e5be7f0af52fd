//! The Releases screen: versions newest first with alias badges and their status, a filter, and
//! the detail pane (files, cache headers, SRI, embed snippets). Keys: promote, yank/unyank,
//! roll an alias back to the selected version, verify it, filter, details.

use super::{ListArea, elsewhere, empty_hint, table};
use crate::domain::change::Request;
use crate::domain::embed::snippet;
use crate::domain::manifest::Manifest;
use crate::domain::plan::human_bytes;
use crate::ops::query::{ReleaseStatus, ReleasesView, VersionRow};
use crate::present::{self, Front};
use crate::tui::dialogs::Modal;
use crate::tui::keymap::Command;
use crate::tui::state::{Effect, State, Status};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use semver::Version;

/// The Releases screen's own state.
#[derive(Debug, Clone, Default)]
pub struct ReleasesScreen {
    pub filter: String,
    /// The filter has the keyboard.
    pub filtering: bool,
    /// Narrow terminals: show the detail pane instead of the list.
    pub details: bool,
    /// The manifest of the selected version, once loaded.
    pub manifest: Option<Manifest>,
}

impl ReleasesScreen {
    /// The versions that match the filter.
    pub fn visible<'a>(&self, view: Option<&'a ReleasesView>) -> Vec<&'a VersionRow> {
        let Some(v) = view else {
            return Vec::new();
        };
        if self.filter.is_empty() {
            return v.versions.iter().collect();
        }
        let f = self.filter.to_lowercase();
        v.versions
            .iter()
            .filter(|r| {
                r.version.to_string().contains(&f)
                    || r.aliases.iter().any(|a| a.to_string().contains(&f))
                    || r.published_by.to_lowercase().contains(&f)
                    || present::release_status(r.status()).contains(&f)
            })
            .collect()
    }

    pub(crate) fn type_filter(&mut self, c: Option<char>) {
        match c {
            Some(c) => self.filter.push(c),
            None => {
                self.filter.pop();
            }
        }
    }

    /// Clears the filter; says whether there was one.
    pub(crate) fn clear_filter(&mut self) -> bool {
        let had = !self.filter.is_empty();
        self.filter.clear();
        had
    }
}

/// Keys while the filter has the keyboard.
pub(crate) fn filter_command(state: &mut State, c: Command) -> Vec<Effect> {
    match c {
        Command::Cancel => {
            state.release.filtering = false;
            state.release.filter.clear();
        }
        Command::Confirm => state.release.filtering = false,
        Command::Up | Command::Down => return state.movement(c),
        _ => {}
    }
    Vec::new()
}

/// The releases arrived (or could not be read).
pub(crate) fn loaded(
    state: &mut State,
    r: Result<ReleasesView, crate::error::Error>,
) -> Vec<Effect> {
    state.busy = None;
    match r {
        Ok(v) => {
            if let Some(f) = &v.in_flight {
                state.status = Some(Status {
                    text: present::in_flight(f, Front::Console),
                    error: true,
                });
            } else if let Some(e) = &v.edge_error {
                state.status = Some(Status {
                    text: format!(
                        "edge keys not read ({}); the aliases show the release state",
                        present::printable(e)
                    ),
                    error: true,
                });
            }
            state.releases = Some(v);
            state.clamp_selections();
            state.detail_effect()
        }
        Err(e) => {
            state.error("Could not load releases", e);
            Vec::new()
        }
    }
}

/// A manifest arrived: kept only if it is still the selected version's.
pub(crate) fn manifest_loaded(
    state: &mut State,
    v: Version,
    r: Result<Manifest, crate::error::Error>,
) -> Vec<Effect> {
    match r {
        Ok(m) if state.selected_version().is_some_and(|s| s.version == v) => {
            state.release.manifest = Some(m)
        }
        Ok(_) => {}
        Err(e) => {
            state.status = Some(Status {
                text: format!("manifest of {v}: {}", crate::present::failure(&e)),
                error: true,
            })
        }
    }
    Vec::new()
}

pub(crate) fn command(state: &mut State, c: Command) -> Vec<Effect> {
    match c {
        Command::Details => {
            state.release.details = !state.release.details;
            state.detail_effect()
        }
        Command::Filter => {
            state.release.filtering = true;
            Vec::new()
        }
        Command::Promote => match state.selected_version() {
            // A prerelease goes to a channel: ask which, as the CLI's --alias does.
            Some(v) if crate::domain::version::is_prerelease(&v.version) => {
                let version = v.version.clone();
                crate::tui::dialogs::channel::open(state, version)
            }
            Some(v) => {
                let version = v.version.clone();
                state.plan(Request::Promote {
                    version,
                    alias: None,
                })
            }
            None => elsewhere(state, &c),
        },
        Command::Yank => yank(state),
        Command::Rollback => rollback(state),
        Command::Verify => {
            let target = state.selected_version().map(|v| v.version.to_string());
            state.busy = Some("verifying".into());
            vec![Effect::Verify(target.into_iter().collect())]
        }
        other => elsewhere(state, &other),
    }
}

fn yank(state: &mut State) -> Vec<Effect> {
    let Some((version, yanked)) = state
        .selected_version()
        .map(|v| (v.version.clone(), v.yanked()))
    else {
        return elsewhere(state, &Command::Yank);
    };
    if state.refuse_readonly() {
        return Vec::new();
    }
    if yanked {
        return state.plan(Request::Unyank { version });
    }
    state.modal = Some(Modal::YankReason {
        version,
        reason: String::new(),
    });
    Vec::new()
}

/// Any alias that the selected version may serve, rolled back (pinned) to that version.
fn rollback(state: &mut State) -> Vec<Effect> {
    if state.refuse_readonly() {
        return Vec::new();
    }
    let options = match (&state.releases, state.selected_version()) {
        (Some(view), Some(v)) if !v.yanked() => view
            .aliases
            .iter()
            .filter(|a| a.target != v.version && a.name.check_target(&v.version).is_ok())
            .map(|a| (a.name.clone(), v.version.clone()))
            .collect(),
        _ => Vec::new(),
    };
    crate::tui::dialogs::rollback::open(state, options)
}

/// Draws the list and, when there is room (or on request), the detail pane.
pub fn render(state: &State, f: &mut Frame, area: Rect) -> Option<ListArea> {
    if state.releases.is_none() {
        f.render_widget(
            Paragraph::new(state.busy.clone().unwrap_or_else(|| "no data".into())),
            area,
        );
        return None;
    }
    if area.width >= 160 {
        let [list, detail] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(area);
        render_detail(state, f, detail);
        Some(render_list(state, f, list))
    } else if area.height >= 30 {
        let [list, detail] =
            Layout::vertical([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(area);
        render_detail(state, f, detail);
        Some(render_list(state, f, list))
    } else if state.release.details {
        render_detail(state, f, area);
        None
    } else {
        Some(render_list(state, f, area))
    }
}

/// The colour of a release status.
fn status_color(state: &State, s: ReleaseStatus) -> Color {
    let t = &state.theme;
    match s {
        ReleaseStatus::Yanked => t.badge_yanked,
        ReleaseStatus::Prerelease => t.badge_pre,
        ReleaseStatus::Stable => t.ok,
        ReleaseStatus::Unpromoted => t.muted,
    }
}

fn render_list(state: &State, f: &mut Frame, area: Rect) -> ListArea {
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
            let (label, bg) = if pinned {
                (format!("{a}*"), t.badge_pinned)
            } else {
                (a.to_string(), t.badge_alias)
            };
            badges.push(crate::tui::views::badge(&label, bg, t.badge_fg));
            badges.push(Span::raw(" "));
        }
        if let (Some(reason), true) = (&r.yank_reason, badges.is_empty()) {
            badges.push(Span::styled(
                format!("yanked: {reason}"),
                Style::default().fg(t.muted),
            ));
        }
        let status = r.status();
        let mut cells = vec![
            Line::from(r.version.to_string()),
            Line::from(Span::styled(
                present::release_status(status),
                Style::default().fg(status_color(state, status)),
            )),
            Line::from(badges),
            Line::from(human_bytes(r.size)),
            Line::from(human_bytes(r.gzip_size)),
        ];
        if wide {
            cells.push(Line::from(
                r.published_at.format("%Y-%m-%d %H:%M").to_string(),
            ));
            cells.push(Line::from(r.published_by.clone()));
        } else {
            cells.push(Line::from(r.published_at.format("%Y-%m-%d").to_string()));
        }
        cells
    };
    let hits = table(state, f, area, &header, &widths, rows_all.len(), row);
    if rows_all.is_empty() {
        let msg = if state.release.filter.is_empty() {
            "no releases yet — `shipdeck publish DIR` adds one"
        } else {
            "no version matches the filter (Esc clears it)"
        };
        empty_hint(f, area, msg, t.muted);
    }
    hits
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
    let muted = Style::default().fg(t.muted);
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
                muted,
            ),
        ]),
        Line::from(Span::styled(
            format!(
                " published {} by {}",
                v.published_at.format("%Y-%m-%d %H:%M UTC"),
                v.published_by
            ),
            muted,
        )),
    ];
    if let Some(r) = &v.yank_reason {
        lines.push(Line::from(Span::styled(
            format!(" YANKED: {r}"),
            Style::default().fg(t.error),
        )));
    }
    match &state.release.manifest {
        Some(m) if m.version == v.version => lines.extend(manifest_lines(state, v, m)),
        _ => lines.push(Line::from(Span::styled(" loading the manifest…", muted))),
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// Files with their headers and SRI, then the embed snippets.
fn manifest_lines(state: &State, v: &VersionRow, m: &Manifest) -> Vec<Line<'static>> {
    let t = &state.theme;
    let muted = Style::default().fg(t.muted);
    let accent = Style::default().fg(t.accent);
    let mut lines = vec![Line::from("")];
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
                muted,
            ),
        ]));
        lines.push(Line::from(Span::styled(format!("   {}", file.sri), muted)));
    }
    let Some(base) = &state.public_url else {
        return lines;
    };
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        " Embed (pinned version, with SRI):",
        accent,
    )));
    lines.extend(
        snippet(m, base, None)
            .into_iter()
            .map(|s| Line::from(format!(" {s}"))),
    );
    if let Some(alias) = v.aliases.first() {
        let alias = alias.to_string();
        lines.push(Line::from(Span::styled(
            format!(" Embed ({alias}):"),
            accent,
        )));
        lines.extend(
            snippet(m, base, Some(&alias))
                .into_iter()
                .map(|s| Line::from(format!(" {s}"))),
        );
    }
    lines
}
