//! The Account screen: where this profile lives and who acts on it — store, CDN, acting user,
//! where credentials come from, who holds the lock, an unfinished operation. Never a secret.

use crate::ops::account::AccountView;
use crate::present::{self, Front};
use crate::tui::state::{Effect, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// The Account screen's own state: the view, read fresh each time the screen opens.
#[derive(Debug, Clone, Default)]
pub struct AccountScreen {
    pub view: Option<Result<AccountView, crate::error::Error>>,
}

pub(crate) fn loaded(
    state: &mut State,
    r: Result<Box<AccountView>, crate::error::Error>,
) -> Vec<Effect> {
    state.account.view = Some(r.map(|b| *b));
    Vec::new()
}

pub fn render(state: &State, f: &mut Frame, area: Rect) {
    let t = &state.theme;
    let a = match &state.account.view {
        None => {
            super::loading(state, f, area, "loading…");
            return;
        }
        Some(Err(e)) => {
            f.render_widget(
                Paragraph::new(format!(" {}", crate::present::failure(e)))
                    .style(Style::default().fg(t.error))
                    .wrap(Wrap { trim: false }),
                area,
            );
            return;
        }
        Some(Ok(a)) => a,
    };
    let row = |k: &str, v: String, style: Style| {
        Line::from(vec![
            Span::styled(format!(" {k:<12}"), Style::default().fg(t.muted)),
            Span::styled(v, style),
        ])
    };
    let plain = Style::default();
    let lines = vec![
        Line::from(""),
        row(
            "profile",
            a.profile.clone(),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        row("config", present::config_source(a.config.as_deref()), plain),
        row("store", a.store.clone(), plain),
        row("CDN", a.cdn.clone(), plain),
        row("acting as", a.actor.clone(), plain),
        row("credentials", present::credentials(&a.credentials), plain),
        match &a.lock {
            Some(l) => row(
                "lock",
                format!("held by {}", present::lock_holder(l)),
                Style::default().fg(t.warn),
            ),
            None => row("lock", "free".into(), Style::default().fg(t.ok)),
        },
        match &a.in_flight {
            Some(op) => row(
                "unfinished",
                present::in_flight(op, Front::Console),
                Style::default().fg(t.error),
            ),
            None => row("unfinished", "none".into(), Style::default().fg(t.ok)),
        },
    ];
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
