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
    /// The profile itself: store, CDN, credentials source, lock, unfinished operation.
    Account,
}

impl Screen {
    pub const ALL: [Screen; 6] = [
        Screen::Releases,
        Screen::Aliases,
        Screen::Origins,
        Screen::History,
        Screen::Cost,
        Screen::Account,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Screen::Releases => "Releases",
            Screen::Aliases => "Aliases",
            Screen::Origins => "Origins",
            Screen::History => "History",
            Screen::Cost => "Cost",
            Screen::Account => "Account",
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
    AccountLoaded(Result<Box<super::extra::Account>, String>),
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
    PlanRepair(Vec<String>),
    Apply(Box<Plan>, String),
    Verify(Vec<String>),
    LoadCost,
    LoadAccount,
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
    pub selected: [usize; 6],
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
            selected: [0; 6],
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
            Screen::Account => 0,
        }
    }

    pub fn selection(&self) -> usize {
        self.selected[self.screen.index()]
    }

    pub(super) fn set_selection(&mut self, i: usize) {
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

    pub(super) fn info(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: false,
        });
    }

    pub(super) fn error(&mut self, title: &str, text: String) {
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

    pub(super) fn refuse_readonly(&mut self) -> bool {
        if self.readonly {
            self.status = Some(Status {
                text: "read-only mode: changes are disabled (started with --readonly)".into(),
                error: true,
            });
        }
        self.readonly
    }

    /// Effect to load the detail of the selected version if it is not loaded.
    pub(super) fn detail_effect(&self) -> Vec<Effect> {
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

    pub(super) fn plan(&mut self, req: Request) -> Vec<Effect> {
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
            Action::Loaded(_)
            | Action::HistoryLoaded(_)
            | Action::ManifestLoaded(..)
            | Action::Planned(_)
            | Action::Progress(_)
            | Action::Applied(_)
            | Action::Verified(_)
            | Action::CostLoaded(_)
            | Action::AccountLoaded(_)
            | Action::OriginsLoaded(_)
            | Action::OriginPlanned(_)
            | Action::OriginApplied(_)
            | Action::Probed(_) => self.on_result(action),
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

    pub(super) fn command(&mut self, c: Command) -> Vec<Effect> {
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
            Command::Repair => {
                if self.refuse_readonly() {
                    return Vec::new();
                }
                let Some((alias, _)) = self.selected_alias() else {
                    self.info("select an alias on the Aliases screen to repair its folder");
                    return Vec::new();
                };
                self.busy = Some(format!("listing the '{alias}' folder"));
                vec![Effect::PlanRepair(vec![alias.to_string()])]
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
}

/// The first list row shown so that `selected` is visible in `page` rows.
pub fn list_offset(selected: usize, page: usize) -> usize {
    selected.saturating_sub(page.saturating_sub(1))
}
