//! The interactive console (ratatui + crossterm).
//!
//! Shape, as in `television`: keys become actions, `State::update` turns actions into new state
//! and effects, a worker task runs the effects through `ops` and sends results back as actions,
//! and views draw the state. The draw path never awaits and never does IO.

pub mod dialogs;
pub mod keymap;
pub mod screens;
pub mod state;
pub mod theme;
pub mod views;
pub mod worker;

use crate::error::{Error, Result};
use crate::session::Session;
use crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event, KeyCode, KeyEventKind, MouseEventKind,
};
use keymap::{Command, Keymap};
use state::{Action, State};
use std::io::IsTerminal;
use tokio::sync::mpsc::unbounded_channel;

pub use crate::session::ConsoleOptions;

/// The console as a [`crate::session::Console`]: what `main` hands the CLI.
pub fn launch(
    s: Session,
    opts: ConsoleOptions,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + Send>> {
    Box::pin(async move { run(s, &opts).await })
}

/// Builds the initial state for a session (used by the console and by tests).
pub fn initial_state(s: &Session, opts: &ConsoleOptions) -> Result<State> {
    let theme_name = opts
        .theme
        .clone()
        .or_else(|| s.theme.clone())
        .unwrap_or_else(|| "dark".into());
    let theme = theme::load(&theme_name).map_err(|e| Error::Console {
        what: "the theme cannot be used",
        source: std::sync::Arc::new(e),
    })?;
    let keymap = Keymap::with_overrides(&s.keys).map_err(|e| Error::Console {
        what: "the [keys] table cannot be used",
        source: std::sync::Arc::new(e),
    })?;
    Ok(State::new(
        &s.profile_name,
        &s.ctx.store.describe(),
        opts.readonly,
        s.profile.public_url.clone(),
        theme,
        keymap,
    ))
}

/// Translates a terminal event into an action, given whether a text field has focus.
pub fn translate(state: &State, ev: Event) -> Option<Action> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => {
            if state.text_input() {
                return Some(match k.code {
                    KeyCode::Esc => Action::Cmd(Command::Cancel),
                    KeyCode::Enter => Action::Cmd(Command::Confirm),
                    KeyCode::Backspace => Action::Backspace,
                    KeyCode::Up => Action::Cmd(Command::Up),
                    KeyCode::Down => Action::Cmd(Command::Down),
                    KeyCode::Char('c') if k.modifiers.contains(event::KeyModifiers::CONTROL) => {
                        Action::Cmd(Command::Quit)
                    }
                    KeyCode::Char(c) => Action::Input(c),
                    _ => return None,
                });
            }
            // In dialogs y/n and Enter/Esc answer; everything else goes through the keymap.
            if state.modal.is_some() {
                match k.code {
                    KeyCode::Char('y') => return Some(Action::Cmd(Command::Yes)),
                    KeyCode::Char('n') => return Some(Action::Cmd(Command::No)),
                    KeyCode::Enter => return Some(Action::Cmd(Command::Confirm)),
                    _ => {}
                }
            } else if k.code == KeyCode::Enter {
                return Some(Action::Cmd(Command::Details));
            }
            state.keymap.command(&k).map(Action::Cmd)
        }
        Event::Mouse(m) => match m.kind {
            MouseEventKind::Down(_) => Some(Action::Click { row: m.row }),
            MouseEventKind::ScrollUp => Some(Action::Scroll(-1)),
            MouseEventKind::ScrollDown => Some(Action::Scroll(1)),
            _ => None,
        },
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        _ => None,
    }
}

enum Msg {
    Event(Event),
    /// Boxed: a worker result (a change's report) is far larger than a key event.
    Action(Box<Action>),
}

/// Restores the terminal: mouse capture off, raw mode off, alternate screen left, cursor shown.
fn restore() {
    let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
}

/// Draws a frame and records what it laid out (for mouse hit-testing).
fn draw(terminal: &mut ratatui::DefaultTerminal, state: &mut State) -> Result<()> {
    let mut hits = screens::Hits::default();
    terminal
        .draw(|f| hits = views::render(state, f))
        .map_err(|e| Error::io("cannot draw on the terminal", e))?;
    state.update(Action::Drawn(hits));
    Ok(())
}

/// Runs the console until the user quits.
pub async fn run(s: Session, opts: &ConsoleOptions) -> Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(crate::error::InputError::NoTerminal.into());
    }
    let mut state = initial_state(&s, opts)?;
    let (tx, mut rx) = unbounded_channel::<Msg>();
    let (act_tx, mut act_rx) = unbounded_channel::<Action>();
    let effects = worker::spawn(s, act_tx);
    let fwd = tx.clone();
    tokio::spawn(async move {
        while let Some(a) = act_rx.recv().await {
            if fwd.send(Msg::Action(Box::new(a))).is_err() {
                break;
            }
        }
    });
    std::thread::spawn(move || {
        while let Ok(ev) = event::read() {
            if tx.send(Msg::Event(ev)).is_err() {
                break;
            }
        }
    });

    let mut terminal =
        ratatui::try_init().map_err(|e| Error::io("cannot set up the terminal", e))?;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
    let _ = crossterm::execute!(std::io::stdout(), EnableMouseCapture);
    let result: Result<()> = async {
        let size = terminal
            .size()
            .map_err(|e| Error::io("cannot read the terminal's size", e))?;
        state.update(Action::Resize(size.width, size.height));
        draw(&mut terminal, &mut state)?;
        for e in state.start() {
            let _ = effects.send(e);
        }
        while let Some(first) = rx.recv().await {
            // Everything that is already waiting (a large apply sends one progress action per
            // file) is applied before one draw: the screen never falls behind, and a key
            // pressed meanwhile is handled at once.
            let mut next = Some(first);
            while let Some(msg) = next {
                let action = match msg {
                    Msg::Event(ev) => translate(&state, ev),
                    Msg::Action(a) => Some(*a),
                };
                if let Some(a) = action {
                    for e in state.update(a) {
                        let _ = effects.send(e);
                    }
                }
                if state.quit {
                    break;
                }
                next = rx.try_recv().ok();
            }
            if state.quit {
                break;
            }
            draw(&mut terminal, &mut state)?;
        }
        Ok(())
    }
    .await;
    restore();
    if state.applying() {
        // Closing the console stops the worker: the change is recorded as unfinished.
        eprintln!(
            "a change was being applied when the console closed; it stopped where it was and is recorded as unfinished: `shipdeck resume` finishes it, `shipdeck resume --revert` undoes it"
        );
    }
    result
}
