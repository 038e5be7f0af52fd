//! The console's state and its one transition function, `State::update(Action) -> Vec<Effect>`.
//!
//! No IO and no awaiting here: keys and worker results come in as actions, requests for IO go
//! out as effects, and the views draw whatever the state says. That is what makes every action
//! unit-testable and every screen snapshot-testable with fixed data.

use super::keymap::{Command, Keymap};
use super::theme::Theme;
use crate::domain::alias::AliasName;
use crate::domain::change::Request;
use crate::domain::history::HistoryEvent;
use crate::domain::manifest::Manifest;
use crate::domain::plan::Plan;
use crate::ops::ProgressEvent;
use crate::ops::apply::Report;
use crate::ops::query::{ReleasesView, VersionRow};
use crate::ops::verify::Verified;

/// The screens, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Releases,
    Aliases,
    Origins,
    History,
    Cost,
}

impl Screen {
    pub const ALL: [Screen; 5] = [
        Screen::Releases,
        Screen::Aliases,
        Screen::Origins,
        Screen::History,
        Screen::Cost,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Screen::Releases => "Releases",
            Screen::Aliases => "Aliases",
            Screen::Origins => "Origins",
            Screen::History => "History",
            Screen::Cost => "Cost",
        }
    }

    pub fn index(self) -> usize {
        Screen::ALL.iter().position(|s| *s == self).expect("listed")
    }
}

/// Everything that can happen to the state.
#[derive(Debug, Clone)]
pub enum Action {
    Cmd(Command),
    /// A typed character while a text field has focus.
    Input(char),
    Backspace,
    /// A mouse click at a terminal row, and the wheel.
    Click {
        row: u16,
    },
    Scroll(i32),
    Resize(u16, u16),
    // Results from the worker.
    Loaded(Result<ReleasesView, String>),
    HistoryLoaded(Result<Vec<HistoryEvent>, String>),
    ManifestLoaded(String, Result<Manifest, String>),
    Planned(Result<(Box<Plan>, String), String>),
    Progress(ProgressEvent),
    Applied(Result<Report, String>),
    Verified(Result<Vec<Verified>, String>),
    CostLoaded(Result<Box<super::cost::CostData>, String>),
    OriginsLoaded(Result<Box<crate::ops::origins::Listing>, String>),
    OriginPlanned(Result<Box<crate::ops::origins::OriginPlan>, String>),
    OriginApplied(Result<(), String>),
    Probed(Result<Box<crate::ops::origins::ProbeReport>, String>),
}

/// IO the worker performs on the state's behalf.
#[derive(Debug, Clone)]
pub enum Effect {
    LoadReleases,
    LoadHistory,
    LoadManifest(String),
    Plan(Request),
    PlanResume {
        revert: bool,
    },
    Apply(Box<Plan>, String),
    Verify(Vec<String>),
    LoadCost,
    LoadOrigins,
    /// Plan adding (origin, to additional?) or removing an origin.
    PlanOrigin {
        add: Option<(String, bool)>,
        remove: Option<String>,
    },
    ApplyOrigin(Box<crate::ops::origins::OriginPlan>),
    ProbeOrigins,
}

/// An overlay that takes the keys while it is open.
#[derive(Debug, Clone)]
pub enum Modal {
    Help,
    Palette {
        query: String,
        selected: usize,
    },
    Plan {
        plan: Box<Plan>,
        action: String,
        running: bool,
    },
    Message {
        title: String,
        lines: Vec<String>,
        error: bool,
    },
    YankReason {
        version: String,
        reason: String,
    },
    RollbackPick {
        options: Vec<(AliasName, String)>,
        selected: usize,
    },
    /// Typing an origin to add; ↑/↓ choose the list.
    OriginInput {
        value: String,
        additional: bool,
    },
    OriginPlan {
        plan: Box<crate::ops::origins::OriginPlan>,
        running: bool,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgressState {
    pub label: String,
    pub done: usize,
    pub total: usize,
    pub bytes: u64,
    pub total_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
}

/// The whole console state.
#[derive(Debug, Clone)]
pub struct State {
    pub profile: String,
    pub store: String,
    pub readonly: bool,
    pub public_url: Option<String>,
    pub screen: Screen,
    pub releases: Option<ReleasesView>,
    pub history: Vec<HistoryEvent>,
    /// The manifest of the selected version, once loaded.
    pub manifest: Option<Manifest>,
    pub selected: [usize; 5],
    pub filter: String,
    pub filtering: bool,
    /// Narrow terminals: show the detail pane instead of the list.
    pub details: bool,
    pub modal: Option<Modal>,
    pub progress: Option<ProgressState>,
    pub status: Option<Status>,
    /// What the worker is doing, if anything.
    pub busy: Option<String>,
    pub quit: bool,
    pub size: (u16, u16),
    pub theme: Theme,
    pub keymap: Keymap,
    pub extra: super::extra::Extra,
}

/// Rows above the first list row: header, tabs, table header.
pub const LIST_TOP: u16 = 3;

impl State {
    pub fn new(
        profile: &str,
        store: &str,
        readonly: bool,
        public_url: Option<String>,
        theme: Theme,
        keymap: Keymap,
    ) -> Self {
        State {
            profile: profile.into(),
            store: store.into(),
            readonly,
            public_url,
            screen: Screen::Releases,
            releases: None,
            history: Vec::new(),
            manifest: None,
            selected: [0; 5],
            filter: String::new(),
            filtering: false,
            details: false,
            modal: None,
            progress: None,
            status: None,
            busy: Some("loading releases".into()),
            quit: false,
            size: (80, 24),
            theme,
            keymap,
            extra: Default::default(),
        }
    }

    /// Effects to run at start-up (after the first frame is drawn).
    pub fn start(&self) -> Vec<Effect> {
        vec![Effect::LoadReleases, Effect::LoadHistory]
    }

    /// Whether keys are text for a field (filter, palette, reason).
    pub fn text_input(&self) -> bool {
        self.filtering
            || self.extra.text_input()
            || matches!(self.modal, Some(Modal::OriginInput { .. }))
            || matches!(
                self.modal,
                Some(Modal::Palette { .. } | Modal::YankReason { .. })
            )
    }

    /// The versions the Releases screen lists, after the filter.
    pub fn visible_versions(&self) -> Vec<&VersionRow> {
        let Some(v) = &self.releases else {
            return Vec::new();
        };
        if self.filter.is_empty() {
            return v.versions.iter().collect();
        }
        let f = self.filter.to_lowercase();
        v.versions
            .iter()
            .filter(|r| {
                r.version.contains(&f)
                    || r.aliases.iter().any(|a| a.contains(&f))
                    || r.published_by.to_lowercase().contains(&f)
                    || (r.yanked && "yanked".contains(&f))
                    || (r.prerelease && "prerelease".contains(&f))
            })
            .collect()
    }

    fn list_len(&self) -> usize {
        match self.screen {
            Screen::Releases => self.visible_versions().len(),
            Screen::Aliases => self.releases.as_ref().map_or(0, |r| r.aliases.len()),
            Screen::History => self.history.len(),
            Screen::Origins => self.extra.origins_len(),
            Screen::Cost => self.extra.cost_len(),
        }
    }

    pub fn selection(&self) -> usize {
        self.selected[self.screen.index()]
    }

    fn set_selection(&mut self, i: usize) {
        let len = self.list_len();
        self.selected[self.screen.index()] = if len == 0 { 0 } else { i.min(len - 1) };
    }

    pub fn selected_version(&self) -> Option<&VersionRow> {
        self.visible_versions().get(self.selection()).copied()
    }

    /// How many list rows fit on screen.
    pub fn page(&self) -> usize {
        usize::from(self.size.1.saturating_sub(LIST_TOP + 2)).max(1)
    }

    fn info(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: false,
        });
    }

    fn error(&mut self, title: &str, text: String) {
        self.status = Some(Status {
            text: text.clone(),
            error: true,
        });
        self.modal = Some(Modal::Message {
            title: title.into(),
            lines: vec![text],
            error: true,
        });
    }

    fn refuse_readonly(&mut self) -> bool {
        if self.readonly {
            self.status = Some(Status {
                text: "read-only mode: changes are disabled (started with --readonly)".into(),
                error: true,
            });
        }
        self.readonly
    }

    /// Effect to load the detail of the selected version if it is not loaded.
    fn detail_effect(&self) -> Vec<Effect> {
        match (self.screen, self.selected_version()) {
            (Screen::Releases, Some(v))
                if self
                    .manifest
                    .as_ref()
                    .is_none_or(|m| m.version.to_string() != v.version) =>
            {
                vec![Effect::LoadManifest(v.version.clone())]
            }
            _ => Vec::new(),
        }
    }

    fn plan(&mut self, req: Request) -> Vec<Effect> {
        if self.refuse_readonly() {
            return Vec::new();
        }
        self.busy = Some(format!("planning: {}", req.description()));
        vec![Effect::Plan(req)]
    }

    /// The one transition function.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Resize(w, h) => {
                self.size = (w, h);
                Vec::new()
            }
            Action::Loaded(r) => {
                self.busy = None;
                match r {
                    Ok(v) => {
                        if let Some(f) = &v.in_flight {
                            self.status = Some(Status {
                                text: format!("unfinished operation: {f}"),
                                error: true,
                            });
                        }
                        self.releases = Some(v);
                        for s in Screen::ALL {
                            let cur = self.screen;
                            self.screen = s;
                            let sel = self.selection();
                            self.set_selection(sel);
                            self.screen = cur;
                        }
                        self.detail_effect()
                    }
                    Err(e) => {
                        self.error("Could not load releases", e);
                        Vec::new()
                    }
                }
            }
            Action::HistoryLoaded(r) => {
                match r {
                    Ok(h) => self.history = h,
                    Err(e) => {
                        self.status = Some(Status {
                            text: format!("history: {e}"),
                            error: true,
                        })
                    }
                }
                Vec::new()
            }
            Action::ManifestLoaded(v, r) => {
                match r {
                    Ok(m) if self.selected_version().is_some_and(|s| s.version == v) => {
                        self.manifest = Some(m)
                    }
                    Ok(_) => {}
                    Err(e) => {
                        self.status = Some(Status {
                            text: format!("manifest of {v}: {e}"),
                            error: true,
                        })
                    }
                }
                Vec::new()
            }
            Action::Planned(r) => {
                self.busy = None;
                match r {
                    Ok((plan, action)) if plan.is_noop() => {
                        self.info(format!("{}: nothing to change", plan.description));
                        let _ = action;
                    }
                    Ok((plan, action)) => {
                        self.modal = Some(Modal::Plan {
                            plan,
                            action,
                            running: false,
                        })
                    }
                    Err(e) => self.error("Cannot plan this change", e),
                }
                Vec::new()
            }
            Action::Progress(ev) => {
                let p = self.progress.get_or_insert_with(ProgressState::default);
                match ev {
                    ProgressEvent::Phase {
                        label,
                        files,
                        bytes,
                    } => {
                        *p = ProgressState {
                            label,
                            done: 0,
                            total: files,
                            bytes: 0,
                            total_bytes: bytes,
                        };
                    }
                    ProgressEvent::File { bytes, .. } => {
                        p.done += 1;
                        p.bytes += bytes;
                    }
                    ProgressEvent::Step(s) => p.label = s,
                }
                Vec::new()
            }
            Action::Applied(r) => {
                self.busy = None;
                self.progress = None;
                let desc = match self.modal.take() {
                    Some(Modal::Plan { plan, .. }) => plan.description,
                    _ => "change".into(),
                };
                match r {
                    Ok(rep) => {
                        let mut lines = vec![format!(
                            "{} file(s) written ({}), {} deleted",
                            rep.files_written,
                            crate::domain::plan::human_bytes(rep.bytes_written),
                            rep.files_deleted
                        )];
                        lines.extend(rep.invalidation.iter().map(|i| format!("CDN: {i}")));
                        lines.extend(rep.verify_problems.iter().map(|p| format!("verify: {p}")));
                        lines.extend(rep.warnings.iter().map(|w| format!("warning: {w}")));
                        if rep.verify_problems.is_empty() && rep.warnings.is_empty() {
                            self.info(format!("done: {desc}"));
                        } else {
                            self.modal = Some(Modal::Message {
                                title: format!("Done with problems: {desc}"),
                                lines,
                                error: true,
                            });
                        }
                    }
                    Err(e) => self.error(&format!("Failed: {desc}"), e),
                }
                self.manifest = None;
                vec![Effect::LoadReleases, Effect::LoadHistory]
            }
            Action::Verified(r) => {
                self.busy = None;
                match r {
                    Ok(results) => {
                        let bad: usize = results.iter().map(|r| r.problems.len()).sum();
                        let mut lines = Vec::new();
                        for r in &results {
                            if r.problems.is_empty() {
                                lines.push(format!(
                                    "ok  {}: {} file(s) match {}",
                                    r.target, r.files, r.version
                                ));
                            } else {
                                lines.push(format!(
                                    "FAILED  {}: {} problem(s)",
                                    r.target,
                                    r.problems.len()
                                ));
                                lines.extend(r.problems.iter().map(|p| format!("  {p}")));
                            }
                        }
                        let title = if bad == 0 {
                            "Verify: all files match".to_string()
                        } else {
                            format!("Verify: {bad} problem(s)")
                        };
                        self.modal = Some(Modal::Message {
                            title,
                            lines,
                            error: bad > 0,
                        });
                    }
                    Err(e) => self.error("Verify failed", e),
                }
                Vec::new()
            }
            Action::CostLoaded(r) => {
                self.extra.cost.data = Some(r.map(|b| *b));
                Vec::new()
            }
            Action::OriginsLoaded(r) => {
                self.busy = None;
                self.extra.origins.listing = Some(r.map(|b| *b));
                let i = Screen::Origins.index();
                self.selected[i] = self.selected[i].min(self.extra.origins_len().saturating_sub(1));
                Vec::new()
            }
            Action::OriginPlanned(r) => {
                self.busy = None;
                match r {
                    Ok(plan) => {
                        self.modal = Some(Modal::OriginPlan {
                            plan,
                            running: false,
                        })
                    }
                    Err(e) => self.error("Cannot change the allowlist", e),
                }
                Vec::new()
            }
            Action::OriginApplied(r) => {
                self.busy = None;
                let desc = match self.modal.take() {
                    Some(Modal::OriginPlan { plan, .. }) => plan.description,
                    _ => "allowlist change".into(),
                };
                match r {
                    Ok(()) => self.info(format!(
                        "done: {desc} — restart the Bridge, then P to probe"
                    )),
                    Err(e) => self.error(&format!("Failed: {desc}"), e),
                }
                vec![Effect::LoadOrigins, Effect::LoadHistory]
            }
            Action::Probed(r) => {
                self.busy = None;
                match r {
                    Ok(rep) => {
                        let bad: Vec<&crate::ops::origins::Probed> = rep
                            .results
                            .iter()
                            .filter(|r| !r.problems.is_empty())
                            .collect();
                        if bad.is_empty() {
                            self.info(format!(
                                "probe: all {} origin(s) answered as the list says",
                                rep.results.len()
                            ));
                        } else {
                            let lines = bad
                                .iter()
                                .flat_map(|r| {
                                    std::iter::once(format!("{} ({})", r.origin, r.kind))
                                        .chain(r.problems.iter().map(|p| format!("  {p}")))
                                })
                                .collect();
                            self.modal = Some(Modal::Message {
                                title: format!(
                                    "Probe: {} origin(s) disagree with the list",
                                    bad.len()
                                ),
                                lines,
                                error: true,
                            });
                        }
                        self.extra.origins.probe = Some(*rep);
                    }
                    Err(e) => self.error("Probe failed", e),
                }
                Vec::new()
            }
            Action::Input(c) if self.modal.is_none() && self.extra.edit(None, Some(c), false) => {
                Vec::new()
            }
            Action::Backspace if self.modal.is_none() && self.extra.edit(None, None, true) => {
                Vec::new()
            }
            Action::Cmd(c)
                if self.modal.is_none() && self.extra.text_input() && c != Command::Quit =>
            {
                self.extra.edit(Some(c), None, false);
                Vec::new()
            }
            Action::Input(c) => self.input(c),
            Action::Backspace => {
                match &mut self.modal {
                    Some(Modal::Palette { query, selected }) => {
                        query.pop();
                        *selected = 0;
                    }
                    Some(Modal::YankReason { reason, .. }) => {
                        reason.pop();
                    }
                    Some(Modal::OriginInput { value, .. }) => {
                        value.pop();
                    }
                    _ if self.filtering => {
                        self.filter.pop();
                        self.set_selection(0);
                    }
                    _ => {}
                }
                Vec::new()
            }
            Action::Click { row } => {
                // Rows above the list: header, tabs, table header, and the screen's own lines.
                let top = LIST_TOP
                    + match self.screen {
                        Screen::Origins => 1,
                        Screen::Cost => 2,
                        _ => 0,
                    };
                if self.modal.is_none() && row >= top {
                    let offset = list_offset(self.selection(), self.page());
                    self.set_selection(offset + usize::from(row - top));
                    return self.detail_effect();
                }
                Vec::new()
            }
            Action::Scroll(d) => self.command(if d < 0 { Command::Up } else { Command::Down }),
            Action::Cmd(c) => self.command(c),
        }
    }

    fn input(&mut self, c: char) -> Vec<Effect> {
        match &mut self.modal {
            Some(Modal::Palette { query, selected }) => {
                query.push(c);
                *selected = 0;
            }
            Some(Modal::YankReason { reason, .. }) => reason.push(c),
            Some(Modal::OriginInput { value, .. }) => value.push(c),
            _ if self.filtering => {
                self.filter.push(c);
                self.set_selection(0);
                return self.detail_effect();
            }
            _ => {}
        }
        Vec::new()
    }

    fn command(&mut self, c: Command) -> Vec<Effect> {
        if c == Command::Quit && !self.text_input() {
            self.quit = true;
            return Vec::new();
        }
        if let Some(modal) = self.modal.take() {
            return self.modal_command(modal, c);
        }
        if self.filtering {
            match c {
                Command::Cancel => {
                    self.filtering = false;
                    self.filter.clear();
                }
                Command::Confirm => self.filtering = false,
                Command::Up | Command::Down => return self.movement(c),
                _ => {}
            }
            return Vec::new();
        }
        match c {
            Command::Up
            | Command::Down
            | Command::Top
            | Command::Bottom
            | Command::PageUp
            | Command::PageDown => self.movement(c),
            Command::NextScreen | Command::PrevScreen | Command::GoScreen(_) => {
                let i = self.screen.index();
                let n = Screen::ALL.len();
                let next = match c {
                    Command::NextScreen => (i + 1) % n,
                    Command::PrevScreen => (i + n - 1) % n,
                    Command::GoScreen(k) => k.min(n - 1),
                    _ => i,
                };
                self.screen = Screen::ALL[next];
                self.details = false;
                let mut fx = self.detail_effect();
                fx.extend(self.extra.on_enter(self.screen));
                fx
            }
            Command::Details => {
                if self.screen == Screen::Releases {
                    self.details = !self.details;
                    return self.detail_effect();
                }
                Vec::new()
            }
            Command::Filter => {
                if self.screen == Screen::Releases {
                    self.filtering = true;
                }
                Vec::new()
            }
            Command::Cancel => {
                if !self.filter.is_empty() {
                    self.filter.clear();
                    self.set_selection(0);
                } else {
                    self.details = false;
                    self.status = None;
                }
                Vec::new()
            }
            Command::Help => {
                self.modal = Some(Modal::Help);
                Vec::new()
            }
            Command::Palette => {
                self.modal = Some(Modal::Palette {
                    query: String::new(),
                    selected: 0,
                });
                Vec::new()
            }
            Command::Refresh => {
                self.busy = Some("loading releases".into());
                let mut fx = vec![Effect::LoadReleases, Effect::LoadHistory];
                fx.extend(self.extra.on_enter(self.screen));
                fx
            }
            Command::Promote => match (self.screen, self.selected_version()) {
                (Screen::Releases, Some(v)) => {
                    let version = v.version.parse().expect("listed versions parse");
                    self.plan(Request::Promote {
                        version,
                        alias: None,
                    })
                }
                _ => {
                    self.info("select a version on the Releases screen to promote it");
                    Vec::new()
                }
            },
            Command::Yank => match (
                self.screen,
                self.selected_version()
                    .map(|v| (v.version.clone(), v.yanked)),
            ) {
                (Screen::Releases, Some((version, yanked))) => {
                    if self.refuse_readonly() {
                        return Vec::new();
                    }
                    if yanked {
                        let version = version.parse().expect("listed versions parse");
                        self.plan(Request::Unyank { version })
                    } else {
                        self.modal = Some(Modal::YankReason {
                            version,
                            reason: String::new(),
                        });
                        Vec::new()
                    }
                }
                _ => {
                    self.info("select a version on the Releases screen to yank it");
                    Vec::new()
                }
            },
            Command::Rollback => self.rollback(),
            Command::Unpin => {
                let alias = self.selected_alias();
                match alias {
                    Some((name, true)) => self.plan(Request::Unpin { alias: name }),
                    Some((name, false)) => {
                        self.info(format!("'{name}' is not pinned"));
                        Vec::new()
                    }
                    None => {
                        self.info("select an alias on the Aliases screen to unpin it");
                        Vec::new()
                    }
                }
            }
            Command::Verify => {
                let target = match self.screen {
                    Screen::Releases => self.selected_version().map(|v| v.version.clone()),
                    Screen::Aliases => self.selected_alias().map(|(a, _)| a.to_string()),
                    _ => None,
                };
                self.busy = Some("verifying".into());
                vec![Effect::Verify(target.into_iter().collect())]
            }
            Command::Resume => {
                if self.refuse_readonly() {
                    return Vec::new();
                }
                self.busy = Some("planning the resume".into());
                vec![Effect::PlanResume { revert: false }]
            }
            other => self.extra_command(other),
        }
    }

    fn extra_command(&mut self, c: Command) -> Vec<Effect> {
        let screen = self.screen;
        let readonly = self.readonly;
        let selected = self.selected[Screen::Origins.index()];
        let (fx, modal, status) = self.extra.command(screen, c, readonly, selected);
        if !fx.is_empty() {
            self.busy = Some("working…".into());
        }
        if let Some(m) = modal {
            self.modal = Some(m);
        }
        if let Some(s) = status {
            self.status = Some(s);
        }
        fx
    }

    /// The alias selected on the Aliases screen, and whether it is pinned.
    pub fn selected_alias(&self) -> Option<(AliasName, bool)> {
        if self.screen != Screen::Aliases {
            return None;
        }
        let a = self.releases.as_ref()?.aliases.get(self.selection())?;
        Some((a.name.parse().ok()?, a.pinned))
    }

    fn rollback(&mut self) -> Vec<Effect> {
        if self.refuse_readonly() {
            return Vec::new();
        }
        let Some(view) = &self.releases else {
            return Vec::new();
        };
        // On Aliases: the selected alias to its previous target. On Releases: any alias that the
        // selected version may serve, to that version.
        let options: Vec<(AliasName, String)> = match self.screen {
            Screen::Aliases => self
                .selected_alias()
                .and_then(|(a, _)| {
                    let row = view.aliases.iter().find(|r| r.name == a.to_string())?;
                    Some((a, row.previous.clone()?))
                })
                .into_iter()
                .collect(),
            Screen::Releases => match self.selected_version() {
                Some(v) if !v.yanked => {
                    let ver: semver::Version = v.version.parse().expect("listed versions parse");
                    view.aliases
                        .iter()
                        .filter_map(|a| {
                            let name: AliasName = a.name.parse().ok()?;
                            (a.target != v.version && name.check_target(&ver).is_ok())
                                .then(|| (name, v.version.clone()))
                        })
                        .collect()
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        if options.is_empty() {
            self.info("nothing to roll back here: select an alias with a previous target, or a version an alias can serve");
            return Vec::new();
        }
        self.modal = Some(Modal::RollbackPick {
            options,
            selected: 0,
        });
        Vec::new()
    }

    fn movement(&mut self, c: Command) -> Vec<Effect> {
        let cur = self.selection();
        let page = self.page();
        let next = match c {
            Command::Up => cur.saturating_sub(1),
            Command::Down => cur + 1,
            Command::Top => 0,
            Command::Bottom => usize::MAX,
            Command::PageUp => cur.saturating_sub(page),
            Command::PageDown => cur.saturating_add(page),
            _ => cur,
        };
        self.set_selection(next);
        self.detail_effect()
    }

    fn modal_command(&mut self, modal: Modal, c: Command) -> Vec<Effect> {
        match modal {
            Modal::Help | Modal::Message { .. } => {
                if !matches!(
                    c,
                    Command::Cancel | Command::Confirm | Command::Help | Command::Quit
                ) {
                    self.modal = Some(modal);
                }
                Vec::new()
            }
            Modal::Plan {
                plan,
                action,
                running,
            } => {
                if running {
                    self.modal = Some(Modal::Plan {
                        plan,
                        action,
                        running,
                    });
                    return Vec::new();
                }
                match c {
                    Command::Confirm | Command::Yes => {
                        self.busy = Some(plan.description.clone());
                        self.progress = Some(ProgressState {
                            label: "starting".into(),
                            ..Default::default()
                        });
                        self.modal = Some(Modal::Plan {
                            plan: plan.clone(),
                            action: action.clone(),
                            running: true,
                        });
                        vec![Effect::Apply(plan, action)]
                    }
                    Command::Cancel | Command::No => {
                        self.info(format!("cancelled: {}", plan.description));
                        Vec::new()
                    }
                    _ => {
                        self.modal = Some(Modal::Plan {
                            plan,
                            action,
                            running,
                        });
                        Vec::new()
                    }
                }
            }
            Modal::Palette { query, selected } => {
                let matches = super::keymap::palette_matches(&query, self.readonly);
                match c {
                    Command::Cancel => Vec::new(),
                    Command::Up => {
                        self.modal = Some(Modal::Palette {
                            query,
                            selected: selected.saturating_sub(1),
                        });
                        Vec::new()
                    }
                    Command::Down => {
                        let s = (selected + 1).min(matches.len().saturating_sub(1));
                        self.modal = Some(Modal::Palette { query, selected: s });
                        Vec::new()
                    }
                    Command::Confirm => match matches.get(selected) {
                        Some(entry) => self.command(entry.command.clone()),
                        None => Vec::new(),
                    },
                    _ => {
                        self.modal = Some(Modal::Palette { query, selected });
                        Vec::new()
                    }
                }
            }
            Modal::YankReason { version, reason } => match c {
                Command::Cancel => Vec::new(),
                Command::Confirm if reason.trim().is_empty() => {
                    self.status = Some(Status {
                        text: "a yank needs a reason that the team will read later".into(),
                        error: true,
                    });
                    self.modal = Some(Modal::YankReason { version, reason });
                    Vec::new()
                }
                Command::Confirm => {
                    let version = version.parse().expect("listed versions parse");
                    self.plan(Request::Yank { version, reason })
                }
                _ => {
                    self.modal = Some(Modal::YankReason { version, reason });
                    Vec::new()
                }
            },
            Modal::OriginInput { value, additional } => match c {
                Command::Cancel => Vec::new(),
                Command::Up | Command::Down => {
                    self.modal = Some(Modal::OriginInput {
                        value,
                        additional: !additional,
                    });
                    Vec::new()
                }
                Command::Confirm if value.trim().is_empty() => {
                    self.modal = Some(Modal::OriginInput { value, additional });
                    Vec::new()
                }
                Command::Confirm => {
                    self.busy = Some(format!("planning: add {value}"));
                    vec![Effect::PlanOrigin {
                        add: Some((value, additional)),
                        remove: None,
                    }]
                }
                _ => {
                    self.modal = Some(Modal::OriginInput { value, additional });
                    Vec::new()
                }
            },
            Modal::OriginPlan { plan, running } => match c {
                _ if running => {
                    self.modal = Some(Modal::OriginPlan { plan, running });
                    Vec::new()
                }
                Command::Confirm | Command::Yes => {
                    self.busy = Some(plan.description.clone());
                    self.modal = Some(Modal::OriginPlan {
                        plan: plan.clone(),
                        running: true,
                    });
                    vec![Effect::ApplyOrigin(plan)]
                }
                Command::Cancel | Command::No => {
                    self.info(format!("cancelled: {}", plan.description));
                    Vec::new()
                }
                _ => {
                    self.modal = Some(Modal::OriginPlan { plan, running });
                    Vec::new()
                }
            },
            Modal::RollbackPick { options, selected } => match c {
                Command::Cancel | Command::No => Vec::new(),
                Command::Up => {
                    self.modal = Some(Modal::RollbackPick {
                        options,
                        selected: selected.saturating_sub(1),
                    });
                    Vec::new()
                }
                Command::Down => {
                    let s = (selected + 1).min(options.len() - 1);
                    self.modal = Some(Modal::RollbackPick {
                        options,
                        selected: s,
                    });
                    Vec::new()
                }
                Command::Confirm | Command::Yes => {
                    let (alias, to) = options[selected].clone();
                    self.plan(Request::Rollback {
                        alias,
                        to: Some(to.parse().expect("listed versions parse")),
                    })
                }
                _ => {
                    self.modal = Some(Modal::RollbackPick { options, selected });
                    Vec::new()
                }
            },
        }
    }
}

/// The first list row shown so that `selected` is visible in `page` rows.
pub fn list_offset(selected: usize, page: usize) -> usize {
    selected.saturating_sub(page.saturating_sub(1))
}
