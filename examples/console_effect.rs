//! Runs one of the console's effects through the console's own worker on a profile, and prints
//! what the console's state then holds as JSON.
//!
//! It exists for `tests/same_numbers.rs`: the console must show what the CLI prints, and for
//! features that reach a cloud (Traffic reads logs from S3) the console has to run with the
//! same environment as the CLI (credentials, data dir), which a separate process gives it.
//!
//! Usage: `console_effect CONFIG PROFILE traffic`

use shipdeck::tui::keymap::Keymap;
use shipdeck::tui::state::{Action, Effect, State};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [config, profile, effect] = args.as_slice() else {
        eprintln!("usage: console_effect CONFIG PROFILE traffic");
        return ExitCode::from(2);
    };
    let effect = match effect.as_str() {
        "traffic" => Effect::LoadTraffic,
        other => {
            eprintln!("unknown effect '{other}'; use traffic");
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
        effects.send(effect)?;
        let mut state = State::new(
            profile,
            "",
            true,
            None,
            shipdeck::tui::theme::load("dark")?,
            Keymap::default(),
        );
        // Progress comes first; the effect's own result ends the wait.
        loop {
            let action = tokio::time::timeout(std::time::Duration::from_secs(120), rx.recv())
                .await?
                .ok_or("the console's worker stopped")?;
            let last = !matches!(action, Action::Progress(_) | Action::TrafficProgress(..));
            state.update(action);
            if last {
                break;
            }
        }
        match &state.traffic.data {
            Some(Ok(t)) => Ok(serde_json::to_value(t)?),
            Some(Err(e)) => Err(shipdeck::present::failure(e).into()),
            None => Err("the console holds no traffic".into()),
        }
    })
}
