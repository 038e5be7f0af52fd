//! The console's state and its one transition function, `State::update(Action) -> Vec<Effect>`.
//!
//! No IO and no awaiting here: keys and worker results come in as actions, requests for IO go
//! out as effects, and the views draw whatever the state says. That is what makes every action
//! unit-testable and every screen snapshot-testable with fixed data.
//!
//! This module only routes: each screen (`screens/`) owns its state, its keys, the worker
//! results it consumes and its view; each dialog (`dialogs/`) owns its keys and its view.

use super::dialogs::{self, Modal};
use super::keymap::{Command, Keymap};
use super::screens::account::AccountScreen;
use super::screens::cost::{CostData, CostScreen};
use super::screens::history::HistoryScreen;
use super::screens::origins::OriginsScreen;
use super::screens::releases::ReleasesScreen;
use super::screens::{self, Hits, Screen};
use super::theme::Theme;
use crate::domain::alias::AliasName;
use crate::domain::change::Request;
use crate::domain::history::HistoryEvent;
use crate::domain::manifest::Manifest;
use crate::domain::plan::Plan;
use crate::error::Error;
use crate::ops::account::AccountView;
use crate::ops::apply::Report;
use crate::ops::origins::{Listing, OriginPlan, ProbeReport};
use crate::ops::query::{ReleasesView, VersionRow};
use crate::ops::verify::Verified;
use crate::ops::{ProgressEvent, ProgressTally};
use semver::Version;

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
    /// What the last draw laid out (for mouse hit-testing).
    Drawn(Hits),
    // Results from the worker (errors arrive typed; `present::failure` words them).
    Loaded(Result<ReleasesView, Error>),
    HistoryLoaded(Result<Vec<HistoryEvent>, Error>),
    ManifestLoaded(Version, Result<Manifest, Error>),
    Planned(Result<(Box<Plan>, crate::domain::history::Operation), Error>),
    Progress(ProgressEvent),
    Applied(Result<Box<Report>, Error>),
    Verified(Result<Vec<Verified>, Error>),
    EdgeVerified(Result<Box<crate::ops::edge::EdgeReport>, Error>),
    CostLoaded(Result<Box<CostData>, Error>),
    AccountLoaded(Result<Box<AccountView>, Error>),
    /// Log files read so far, of how many.
    TrafficProgress(usize, usize),
    TrafficLoaded(Result<Box<crate::ops::traffic::Traffic>, Error>),
    AlertsLoaded(Result<Box<crate::ops::alerts::AlertsReport>, Error>),
    OriginsLoaded(Result<Box<Listing>, Error>),
    OriginPlanned(Result<Box<OriginPlan>, Error>),
    /// The Bridge's deploy run moved on (its status, in words).
    DeployProgress(String),
    Redeployed(Result<Box<crate::ops::redeploy::RedeployReport>, Error>),
    OriginApplied(Result<(), Error>),
    Probed(Result<Box<ProbeReport>, Error>),
    CanaryPlanned(Result<Box<crate::ops::canary::CanaryPlan>, Error>),
    CanaryApplied(Result<Box<crate::ops::canary::CanaryPlan>, Error>),
}

/// IO the worker performs on the state's behalf.
#[derive(Debug, Clone)]
pub enum Effect {
    LoadReleases,
    LoadHistory,
    LoadManifest(Version),
    Plan(Request),
    PlanResume {
        revert: bool,
    },
    PlanRepair(Vec<AliasName>),
    Apply(Box<Plan>, crate::domain::history::Operation),
    /// Verify these aliases and versions (every one when empty).
    Verify(Vec<String>),
    /// Fetch every alias through the profile's public URL (`verify --edge`).
    VerifyEdge,
    LoadCost,
    LoadAccount,
    LoadOrigins,
    /// Plan adding (origin, to additional?) or removing an origin.
    PlanOrigin(OriginEdit),
    ApplyOrigin(Box<OriginPlan>),
    ProbeOrigins,
    /// Dispatch the Bridge's deploy workflow, follow it, probe.
    RedeployBridge,
    /// Read the CDN's access logs of the last seven days (new files only).
    LoadTraffic,
    /// Evaluate the profile's alert rules (the badge on every screen).
    LoadAlerts,
    /// A canary step on an alias (edge mode).
    Canary(CanaryEffect),
}

/// The canary dialog's IO.
#[derive(Debug, Clone)]
pub enum CanaryEffect {
    /// Plan a step on an alias.
    Plan(AliasName, crate::ops::canary::Step),
    Apply(Box<crate::ops::canary::CanaryPlan>),
    /// Plan the promote that finishes an alias's canary.
    Finish(AliasName),
}

/// An allowlist edit: adding to a list, or removing. Nothing else is an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginEdit {
    Add { origin: String, additional: bool },
    Remove { origin: String },
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
    /// The release list and alias table (the Releases and Aliases screens share it).
    pub releases: Option<ReleasesView>,
    pub selected: [usize; 7],
    pub modal: Option<Modal>,
    pub progress: Option<ProgressTally>,
    pub status: Option<Status>,
    /// What the worker is doing, if anything.
    pub busy: Option<String>,
    pub quit: bool,
    pub size: (u16, u16),
    pub theme: Theme,
    pub keymap: Keymap,
    /// What the last draw laid out.
    pub hits: Hits,
    pub release: ReleasesScreen,
    pub history: HistoryScreen,
    pub origins: OriginsScreen,
    pub cost: CostScreen,
    pub account: AccountScreen,
    pub traffic: screens::traffic::TrafficScreen,
}

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
            selected: [0; 7],
            modal: None,
            progress: None,
            status: None,
            busy: Some("loading releases".into()),
            quit: false,
            size: (80, 24),
            theme,
            keymap,
            hits: Hits::default(),
            release: ReleasesScreen::default(),
            history: HistoryScreen::default(),
            origins: OriginsScreen::default(),
            cost: CostScreen::default(),
            account: AccountScreen::default(),
            traffic: screens::traffic::TrafficScreen::default(),
        }
    }

    /// Effects to run at start-up (after the first frame is drawn).
    pub fn start(&self) -> Vec<Effect> {
        vec![
            Effect::LoadReleases,
            Effect::LoadHistory,
            Effect::LoadAlerts,
        ]
    }

    /// Whether keys are text for a field (filter, palette, reason, origin, cost input).
    pub fn text_input(&self) -> bool {
        self.release.filtering
            || self.cost.editing.is_some()
            || self.modal.as_ref().is_some_and(Modal::takes_text)
    }

    /// The versions the Releases screen lists, after the filter.
    pub fn visible_versions(&self) -> Vec<&VersionRow> {
        self.release.visible(self.releases.as_ref())
    }

    fn list_len(&self) -> usize {
        screens::list_len(self, self.screen)
    }

    pub fn selection(&self) -> usize {
        self.selected[self.screen.index()]
    }

    pub(super) fn set_selection(&mut self, i: usize) {
        let len = self.list_len();
        self.selected[self.screen.index()] = if len == 0 { 0 } else { i.min(len - 1) };
    }

    /// Keeps every screen's selection within its list (after new data arrives).
    pub(super) fn clamp_selections(&mut self) {
        for s in Screen::ALL {
            let len = screens::list_len(self, s);
            let i = s.index();
            self.selected[i] = self.selected[i].min(len.saturating_sub(1));
        }
    }

    pub fn selected_version(&self) -> Option<&VersionRow> {
        self.visible_versions().get(self.selection()).copied()
    }

    /// The alias selected on the Aliases screen, and whether it is pinned.
    pub fn selected_alias(&self) -> Option<(AliasName, bool)> {
        if self.screen != Screen::Aliases {
            return None;
        }
        let a = self.releases.as_ref()?.aliases.get(self.selection())?;
        Some((a.name.clone(), a.pinned))
    }

    /// How many list rows fit on screen (before the first draw: an estimate from the size).
    pub fn page(&self) -> usize {
        match self.hits.list {
            Some(l) => usize::from(l.rows).max(1),
            None => usize::from(self.size.1.saturating_sub(5)).max(1),
        }
    }

    pub(super) fn info(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: false,
        });
    }

    pub(super) fn error(&mut self, title: &str, e: Error) {
        self.error_text(title, crate::present::failure(&e));
    }

    /// An outcome that failed (not an error of the use case), in its presenter's words.
    pub(super) fn error_text(&mut self, title: &str, text: String) {
        self.status = Some(Status {
            text: text.clone(),
            error: true,
        });
        self.modal = Some(Modal::message(title, vec![(text, true)], true));
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
                    .release
                    .manifest
                    .as_ref()
                    .is_none_or(|m| m.version != v.version) =>
            {
                vec![Effect::LoadManifest(v.version.clone())]
            }
            _ => Vec::new(),
        }
    }

    /// Asks the worker to plan a change (refused in read-only mode).
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
            Action::Drawn(hits) => {
                self.hits = hits;
                Vec::new()
            }
            Action::Cmd(c) => self.command(c),
            Action::Input(c) => self.text(Some(c)),
            Action::Backspace => self.text(None),
            Action::Click { row } => self.click(row),
            Action::Scroll(d) => self.command(if d < 0 { Command::Up } else { Command::Down }),
            result => self.on_result(result),
        }
    }

    /// A typed character (`Some`) or a backspace (`None`), to whichever field has focus.
    fn text(&mut self, c: Option<char>) -> Vec<Effect> {
        if let Some(modal) = &mut self.modal {
            modal.type_text(c);
            return Vec::new();
        }
        if self.cost.editing.is_some() {
            self.cost.type_text(c);
            return Vec::new();
        }
        if self.release.filtering {
            self.release.type_filter(c);
            self.set_selection(0);
            return self.detail_effect();
        }
        Vec::new()
    }

    /// A click selects the list row under the pointer, as the last draw laid it out.
    fn click(&mut self, row: u16) -> Vec<Effect> {
        if self.modal.is_some() {
            return Vec::new();
        }
        let Some(i) = self.hits.list.and_then(|l| l.row_at(row)) else {
            return Vec::new();
        };
        self.set_selection(i);
        self.detail_effect()
    }

    /// Routes a worker result to the screen or dialog that consumes it.
    fn on_result(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Loaded(r) => screens::releases::loaded(self, r),
            Action::ManifestLoaded(v, r) => screens::releases::manifest_loaded(self, v, r),
            Action::HistoryLoaded(r) => screens::history::loaded(self, r),
            Action::Verified(r) => dialogs::message::verified(self, r),
            Action::EdgeVerified(r) => dialogs::message::edge_verified(self, r),
            Action::CostLoaded(r) => screens::cost::loaded(self, r),
            Action::AccountLoaded(r) => screens::account::loaded(self, r),
            Action::TrafficProgress(done, total) => screens::traffic::progress(self, done, total),
            Action::TrafficLoaded(r) => screens::traffic::loaded(self, r),
            Action::AlertsLoaded(r) => screens::traffic::alerts_loaded(self, r),
            Action::OriginsLoaded(r) => screens::origins::loaded(self, r),
            Action::OriginPlanned(r) => screens::origins::planned(self, r),
            Action::OriginApplied(r) => screens::origins::applied(self, r),
            Action::Probed(r) => screens::origins::probed(self, r),
            Action::DeployProgress(text) => {
                self.busy = Some(text);
                Vec::new()
            }
            Action::Redeployed(r) => screens::origins::redeployed(self, r),
            Action::Planned(r) => dialogs::plan::planned(self, r),
            Action::CanaryPlanned(r) => dialogs::canary::planned(self, r),
            Action::CanaryApplied(r) => dialogs::canary::applied(self, r),
            Action::Progress(ev) => dialogs::plan::progress(self, ev),
            Action::Applied(r) => dialogs::plan::applied(self, r),
            // Input actions are handled by `update` before it gets here.
            Action::Cmd(_)
            | Action::Input(_)
            | Action::Backspace
            | Action::Click { .. }
            | Action::Scroll(_)
            | Action::Resize(..)
            | Action::Drawn(_) => Vec::new(),
        }
    }

    /// Whether a change is being applied (its plan dialog shows it running).
    pub fn applying(&self) -> bool {
        matches!(
            self.modal,
            Some(
                Modal::Plan { running: true, .. }
                    | Modal::OriginPlan { running: true, .. }
                    | Modal::CanaryPlan { running: true, .. }
            )
        )
    }

    pub(super) fn command(&mut self, c: Command) -> Vec<Effect> {
        if c == Command::Quit && !self.text_input() {
            self.quit = true;
            return Vec::new();
        }
        if let Some(modal) = self.modal.take() {
            return dialogs::command(self, modal, c);
        }
        if self.cost.editing.is_some() {
            self.cost.edit_command(&c);
            // The "editing: …" hint goes with the editing.
            if self.cost.editing.is_none() {
                self.status = None;
            }
            return Vec::new();
        }
        if self.release.filtering {
            return screens::releases::filter_command(self, c);
        }
        match c {
            Command::Up
            | Command::Down
            | Command::Top
            | Command::Bottom
            | Command::PageUp
            | Command::PageDown => self.movement(c),
            Command::NextScreen | Command::PrevScreen | Command::GoScreen(_) => self.switch(c),
            Command::Cancel => {
                if self.release.clear_filter() {
                    self.set_selection(0);
                } else {
                    self.release.details = false;
                    self.status = None;
                }
                Vec::new()
            }
            Command::Help => {
                self.modal = Some(Modal::Help);
                Vec::new()
            }
            Command::Palette => {
                self.modal = Some(Modal::palette());
                Vec::new()
            }
            Command::Refresh => {
                self.busy = Some("loading releases".into());
                let mut fx = vec![
                    Effect::LoadReleases,
                    Effect::LoadHistory,
                    Effect::LoadAlerts,
                ];
                fx.extend(screens::on_enter(self, self.screen));
                fx
            }
            Command::Resume => {
                if self.refuse_readonly() {
                    return Vec::new();
                }
                self.busy = Some("planning the resume".into());
                vec![Effect::PlanResume { revert: false }]
            }
            other => screens::command(self, other),
        }
    }

    fn switch(&mut self, c: Command) -> Vec<Effect> {
        let i = self.screen.index();
        let n = Screen::ALL.len();
        let next = match c {
            Command::NextScreen => (i + 1) % n,
            Command::PrevScreen => (i + n - 1) % n,
            Command::GoScreen(k) => k.min(n - 1),
            _ => i,
        };
        self.screen = Screen::ALL[next];
        self.release.details = false;
        // The list area moves with the screen: until the next draw, a click selects nothing.
        self.hits = Hits::default();
        let mut fx = self.detail_effect();
        fx.extend(screens::on_enter(self, self.screen));
        fx
    }

    pub(super) fn movement(&mut self, c: Command) -> Vec<Effect> {
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
