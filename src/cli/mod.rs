//! The headless command line: the same use cases as the console, for CI pipelines and scripts.
//! Text goes to stdout for people, `--json` gives exactly one document for machines, prompts and
//! progress go to stderr, logs go to a file.

pub mod args;
mod auth;

mod changes;
mod cost;
mod origins;
mod output;

use crate::config;
use crate::error::{Error, Result};
use crate::ops::{self, query, records, verify};
use crate::session::{self, Session};
use args::{Cli, Command, Global};
use clap::Parser;
use serde_json::json;

/// Runs the CLI and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let _log = init_logging();
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let json = cli.global.json;
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(error = %e, "command failed");
            if json {
                println!(
                    "{}",
                    json!({ "error": e.to_string(), "exit_code": e.exit_code() })
                );
            }
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

/// Logs go to `DATA_DIR/shipdeck.log`, never into command output.
fn init_logging() -> Option<()> {
    let dir = config::data_dir();
    std::fs::create_dir_all(&dir).ok()?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("shipdeck.log"))
        .ok()?;
    let filter = tracing_subscriber::EnvFilter::try_from_env("SHIPDECK_LOG")
        .unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init()
        .ok()
}

/// Loads the config, opens the profile, seeds the demo store on first use.
pub async fn open_session(g: &Global) -> Result<Session> {
    let loaded = config::load(g.config.as_deref())?;
    let opts = session::OpenOptions {
        no_invalidate: g.no_invalidate,
    };
    let s = session::open(&loaded, g.profile.as_deref(), &opts).await?;
    if s.profile_name == config::DEMO_PROFILE
        && !loaded.file.profiles.contains_key(config::DEMO_PROFILE)
    {
        let scratch = config::data_dir().join("demo-builds");
        crate::demo::seed_if_empty(&s.ctx, &scratch).await?;
    }
    Ok(s)
}

async fn run(cli: Cli) -> Result<i32> {
    let g = cli.global.clone();
    let Some(cmd) = cli.command else {
        let s = open_session(&g).await?;
        return crate::tui::run(s, &g).await.map(|_| 0);
    };
    match &cmd {
        Command::Profiles => return output::profiles(&g),
        Command::Login { stdin } => return auth::login(&g, *stdin).await,
        Command::Logout => return auth::logout(&g).await,
        Command::Credentials => return auth::credentials(&g).await,
        _ => {}
    }
    let s = open_session(&g).await?;
    let ctx = &s.ctx;
    match cmd {
        Command::Releases => {
            let view = query::releases(ctx).await?;
            if g.json {
                output::print_json(&view);
            } else {
                output::releases(&s, &view);
            }
            Ok(0)
        }
        Command::Verify { targets } => {
            let results = verify::verify(ctx, &targets).await?;
            let bad: usize = results.iter().map(|r| r.problems.len()).sum();
            if g.json {
                output::print_json(&json!({ "ok": bad == 0, "results": results }));
            } else {
                output::verified(&results);
            }
            Ok(if bad == 0 { 0 } else { 1 })
        }
        Command::History { limit } => {
            let events = records::read_history(ctx, limit).await?;
            if g.json {
                output::print_json(&json!({ "events": events }));
            } else {
                output::history(&events);
            }
            Ok(0)
        }
        Command::Unlock => {
            let held = ops::lock::force_unlock(ctx).await?;
            let msg = match &held {
                Some(l) => format!(
                    "removed the lock held by {} on {} since {} ({})",
                    l.holder, l.host, l.since, l.operation
                ),
                None => "no lock was held".to_string(),
            };
            if g.json {
                output::print_json(&json!({ "removed": held.is_some(), "message": msg }));
            } else {
                println!("{msg}");
            }
            Ok(0)
        }
        Command::Cost(args) => cost::run(ctx, &g, &args).await,
        Command::Invalidate { paths, status } => {
            auth::invalidate(&s, &g, &paths, status.as_deref()).await
        }
        Command::Origins(cmd) => origins::run(&s, &g, cmd).await,

        other => changes::run(&s, &g, other).await,
    }
}

/// Turns a clap-level alias/version string into a usage error with one sentence.
pub(crate) fn usage<T, E: std::fmt::Display>(r: std::result::Result<T, E>) -> Result<T> {
    r.map_err(|e| Error::Usage(e.to_string()))
}
