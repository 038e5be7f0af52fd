//! Runs one of the console's effects through the console's own worker on a profile, and prints
//! what the console's state then holds as JSON.
//!
//! It exists for `tests/same_numbers.rs`: the console must show what the CLI prints, and for
//! features that reach a cloud (Traffic reads logs from S3) the console has to run with the
//! same environment as the CLI (credentials, data dir), which a separate process gives it.
//!
//! The canary dialog's steps are run the same way: the step is planned by the worker, confirmed
//! with the dialog's own key (`y`), and applied by the worker; the status line is printed.
//!
//! Usage: `console_effect CONFIG PROFILE traffic|canary:ALIAS:VERSION:PERCENT`

use shipdeck::ops::canary::Step;
use shipdeck::tui::keymap::{Command, Keymap};
use shipdeck::tui::state::{Action, CanaryEffect, Effect, State};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [config, profile, effect] = args.as_slice() else {
        eprintln!("usage: console_effect CONFIG PROFILE traffic");
        return ExitCode::from(2);
    };
    let effect = match effect.split(':').collect::<Vec<_>>().as_slice() {
        ["traffic"] => Effect::LoadTraffic,
        ["canary", alias, version, percent] => {
            match (alias.parse(), version.parse(), percent.parse()) {
                (Ok(alias), Ok(version), Ok(percent)) => {
                    Effect::Canary(CanaryEffect::Plan(alias, Step::Start { version, percent }))
                }
                _ => {
                    eprintln!("canary:ALIAS:VERSION:PERCENT, e.g. canary:latest:1.1.0:5");
                    return ExitCode::from(2);
                }
            }
        }
        _ => {
            eprintln!("unknown effect '{effect}'; use traffic or canary:ALIAS:VERSION:PERCENT");
            return ExitCode::from(2);
        }
    };
    match run(config, profile, effect) {
        Ok(doc) => {
            println!("{doc}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(
    config: &str,
    profile: &str,
    effect: Effect,
) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let loaded = shipdeck::config::load(Some(std::path::Path::new(config)))?;
        let session = shipdeck::session::open(
            &loaded,
            Some(profile),
            &shipdeck::session::OpenOptions::default(),
        )
        .await?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let effects = shipdeck::tui::worker::spawn(session, tx);
        effects.send(effect.clone())?;
        // Read-only unless a change is what was asked for (the canary steps).
        let mut state = State::new(
            profile,
            "",
            !matches!(effect, Effect::Canary(_)),
            None,
            shipdeck::tui::theme::load("dark")?,
            Keymap::default(),
        );
        // Progress comes first; the effect's own result ends the wait.
        let canary = matches!(effect, Effect::Canary(_));
        loop {
            let action = tokio::time::timeout(std::time::Duration::from_secs(120), rx.recv())
                .await?
                .ok_or("the console's worker stopped")?;
            let planned = matches!(action, Action::CanaryPlanned(Ok(_)));
            let last = !matches!(action, Action::Progress(_) | Action::TrafficProgress(..));
            state.update(action);
            if planned {
                // The plan dialog is open: confirm it as a user would.
                for fx in state.update(Action::Cmd(Command::Yes)) {
                    effects.send(fx)?;
                }
                continue;
            }
            if last {
                break;
            }
        }
        if canary {
            return Ok(serde_json::json!({
                "status": state.status.as_ref().map(|s| s.text.clone()),
                "modal_open": state.modal.is_some(),
            }));
        }
        match &state.traffic.data {
            Some(Ok(t)) => Ok(serde_json::to_value(t)?),
            Some(Err(e)) => Err(shipdeck::present::failure(e).into()),
            None => Err("the console holds no traffic".into()),
        }
    })
}
