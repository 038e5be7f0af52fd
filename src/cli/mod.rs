//! The headless command line: the same use cases as the console, for CI pipelines and scripts.
//! Text goes to stdout for people, `--json` gives exactly one document for machines, prompts and
//! progress go to stderr, logs go to a file.

// Every line the CLI prints goes through `out`, so a closed pipe ends it quietly. These shadow
// the standard macros in this module and every submodule declared below.
macro_rules! println {
    () => { $crate::cli::out::stdout(format_args!(""), true) };
    ($($t:tt)*) => { $crate::cli::out::stdout(format_args!($($t)*), true) };
}
macro_rules! print {
    ($($t:tt)*) => { $crate::cli::out::stdout(format_args!($($t)*), false) };
}
macro_rules! eprintln {
    () => { $crate::cli::out::stderr(format_args!(""), true) };
    ($($t:tt)*) => { $crate::cli::out::stderr(format_args!($($t)*), true) };
}
macro_rules! eprint {
    ($($t:tt)*) => { $crate::cli::out::stderr(format_args!($($t)*), false) };
}

mod alerts;
pub mod args;
mod auth;
mod events;
mod out;

mod canary;
mod changes;
mod cost;
mod edge;
mod edge_alias;
mod invalidate;
mod metrics;
mod origins;
mod output;
mod pricing;
mod traffic;
mod workflows;

use crate::config;
use crate::credentials::token::Service;
use crate::error::{Error, Result};
use crate::ops::{self, query, records, verify};
use crate::session::{self, Console, ConsoleOptions, Session};
use args::{Cli, Command, Global};
use clap::Parser;
use serde_json::json;
use std::io::IsTerminal;

/// The process exit codes scripts can rely on (documented in `--help` and the README), as
/// numbers; the closed set and its meanings are [`crate::error::ExitCode`].
pub mod exit {
    use crate::error::ExitCode;

    pub const OK: i32 = ExitCode::Ok.code();
    pub const FAILURE: i32 = ExitCode::Failure.code();
    pub const USAGE: i32 = ExitCode::Usage.code();
    pub const BUSY: i32 = ExitCode::Busy.code();
    pub const DIFFERENCES: i32 = ExitCode::Differences.code();
    pub const CHANGES_PENDING: i32 = ExitCode::ChangesPending.code();
    pub const ALERTS_FIRING: i32 = ExitCode::AlertsFiring.code();
    pub const INTERRUPTED: i32 = ExitCode::Interrupted.code();

    /// Every exit code and what it means: the one table every `--help` text is made from.
    pub const TABLE: [(i32, &str); 8] = [
        (OK, ExitCode::Ok.meaning()),
        (FAILURE, ExitCode::Failure.meaning()),
        (USAGE, ExitCode::Usage.meaning()),
        (BUSY, ExitCode::Busy.meaning()),
        (DIFFERENCES, ExitCode::Differences.meaning()),
        (CHANGES_PENDING, ExitCode::ChangesPending.meaning()),
        (ALERTS_FIRING, ExitCode::AlertsFiring.meaning()),
        (INTERRUPTED, ExitCode::Interrupted.meaning()),
    ];

    /// "Exit codes: 0 success, 4 …" for `codes` (in that order), from [`TABLE`].
    pub fn help(codes: &[i32]) -> String {
        let parts: Vec<String> = codes
            .iter()
            .filter_map(|c| TABLE.iter().find(|(n, _)| n == c))
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        format!("Exit codes: {}.", parts.join("; "))
    }
}

/// Runs the CLI and returns the process exit code; `console` opens the interactive console
/// when no subcommand is given.
pub fn main(console: Console) -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            // Under --json a usage error is one JSON document too (the flag cannot be read
            // from arguments that did not parse, so look for it).
            if e.use_stderr() && std::env::args().any(|a| a == "--json") {
                let text = e.render().to_string();
                // The sentence without the usage block that follows it, on one line.
                let body = text.split("\n\nUsage:").next().unwrap_or_default();
                let body = body.strip_prefix("error: ").unwrap_or(body);
                let message = body.split_whitespace().collect::<Vec<_>>().join(" ");
                output::print_json(
                    &json!({ "error": message, "code": "usage", "exit_code": exit::USAGE }),
                );
            }
            // Help and version go to stdout, usage errors to stderr; both through `out`, in
            // colour only on a terminal, and only when the arguments it may echo are safe to
            // show as they are (otherwise as plain text, made safe like every other line).
            let styled = e.render();
            let on_terminal = if e.use_stderr() {
                std::io::stderr().is_terminal()
            } else {
                std::io::stdout().is_terminal()
            };
            let args_safe = std::env::args_os().all(|a| {
                !a.to_string_lossy()
                    .chars()
                    .any(crate::present::terminal::is_unsafe)
            });
            if on_terminal && args_safe {
                out::styled(&styled.ansi().to_string(), e.use_stderr());
            } else if e.use_stderr() {
                eprint!("{styled}");
            } else {
                print!("{styled}");
            }
            return code;
        }
    };
    let _log = init_logging();
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!(
                "error: cannot start Shipdeck's async runtime ({e}); check the process limits"
            );
            return 1;
        }
    };
    let json = cli.global.json;
    match rt.block_on(run(cli, console)) {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(error = %e, "command failed");
            let said = crate::present::failure(&e);
            if json {
                output::print_json(
                    &json!({ "error": said, "code": e.code(), "exit_code": e.exit_code() }),
                );
            }
            if let Some(gh) = crate::ci::github::GitHub::detect() {
                gh.failed(&command_line(), &said);
            }
            eprintln!("error: {said}");
            e.exit_code()
        }
    }
}

/// The command as typed, for a CI summary's heading (arguments only; no secret is ever one).
fn command_line() -> String {
    std::env::args().skip(1).collect::<Vec<_>>().join(" ")
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
    let mut s = session::open(&loaded, g.profile.as_deref(), &opts).await?;
    if g.no_confirm_edge {
        s.ctx.confirm_edge = None;
    } else if let Some(w) = &g.confirm_edge {
        if s.ctx.edge.is_none() {
            return Err(ops::edge::no_public_url());
        }
        s.ctx.confirm_edge = Some(crate::domain::edge::parse_wait(w)?);
    }
    if s.profile_name == config::DEMO_PROFILE
        && !loaded.file.profiles.contains_key(config::DEMO_PROFILE)
    {
        let scratch = config::data_dir().join("demo-builds");
        crate::demo::seed_if_empty(&s.ctx, &scratch).await?;
        crate::demo::seed_bridge(&session::demo_bridge_env())?;
    }
    Ok(s)
}

/// `shipdeck init`: makes a local store's folder, or checks an S3 bucket; then says what the
/// store holds.
async fn init(g: &Global) -> Result<i32> {
    let loaded = config::load(g.config.as_deref())?;
    let (_, profile) = session::choose(&loaded, g.profile.as_deref())?;
    let created = match &profile.store {
        config::StoreConfig::Local { path, .. } => {
            let existed = path.is_dir();
            crate::store::local::LocalStore::create(path)?;
            !existed
        }
        config::StoreConfig::S3 { .. } | config::StoreConfig::Azure { .. } => false,
    };
    let s = open_session(g).await?;
    let view = query::releases(&s.ctx).await?;
    let what = if created { "created" } else { "ready" };
    let holds = match view.versions.len() {
        0 => "no releases yet; `shipdeck publish DIR` adds the first".to_string(),
        n => format!("{n} release(s)"),
    };
    if g.json {
        output::print_json(
            &json!({ "store": view.store, "created": created, "releases": view.versions.len() }),
        );
    } else {
        println!("{what}: {} — {holds}", view.store);
    }
    Ok(0)
}

async fn run(cli: Cli, console: Console) -> Result<i32> {
    let g = cli.global.clone();
    let Some(cmd) = cli.command else {
        let s = open_session(&g).await?;
        let opts = ConsoleOptions {
            readonly: g.readonly,
            theme: g.theme.clone(),
        };
        return console(s, opts).await.map(|_| 0);
    };
    if let Some(code) = without_store(&cmd, &g).await {
        return code;
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
        Command::Show { version } => {
            let v = crate::domain::version::parse_version(&version)?;
            let detail = query::show(ctx, &v).await?;
            if g.json {
                output::print_json(&detail);
            } else {
                output::show(&detail, s.profile.public_url.as_deref());
            }
            Ok(0)
        }
        Command::Diff { from, to } => {
            let a = crate::domain::version::parse_version(&from)?;
            let b = crate::domain::version::parse_version(&to)?;
            let d = query::diff(ctx, &a, &b).await?;
            if g.json {
                output::print_json(&d);
            } else {
                output::diff(&d);
            }
            Ok(0)
        }
        Command::Verify {
            targets,
            edge: true,
            versions,
            wait,
        } => edge::run(&s, &g, &targets, versions, wait.as_deref()).await,
        Command::Verify { targets, .. } => verify(&s, &g, &targets).await,
        Command::History { limit } => {
            let events = records::read_history(ctx, limit.map(|n| n as usize)).await?;
            if g.json {
                output::print_json(&json!({ "events": events }));
            } else {
                output::history(&events);
            }
            Ok(0)
        }
        Command::Unlock => changes::unlock(ctx, &g).await,
        Command::Cost(args) => cost::run(ctx, &g, &args).await,
        Command::Invalidate { paths, status } => {
            invalidate::run(&s, &g, &paths, status.as_deref()).await
        }
        Command::Origins(cmd) => origins::run(&s, &g, cmd).await,
        Command::Pricing(cmd) => pricing::run(&s, &g, cmd).await,
        Command::Alerts(args::AlertsCommand::Check) => alerts::check(&s, &g).await,
        Command::Alerts(args::AlertsCommand::Sync { dry_run }) => {
            metrics::sync(&s, &g, dry_run).await
        }
        Command::Canary(c) => canary::run(&s, &g, c).await,
        Command::Edge(args::EdgeCommand::Status) => edge_alias::status(&s, &g).await,
        Command::Edge(args::EdgeCommand::Sync) => edge_alias::sync(&s, &g).await,
        Command::Edge(args::EdgeCommand::Setup) => edge_alias::setup(&s, &g).await,
        Command::Metrics(args::MetricsCommand::Publish { since, dry_run }) => {
            metrics::publish(&s, &g, &since, dry_run).await
        }
        Command::Traffic {
            since,
            until,
            engine,
            sql,
        } => traffic::run(&s, &g, &since, until.as_deref(), engine, sql).await,
        other => changes::run(&s, &g, other).await,
    }
}

/// Commands that need no store: configuration, credentials, generated files.
async fn without_store(cmd: &Command, g: &Global) -> Option<Result<i32>> {
    Some(match cmd {
        Command::Profiles => output::profiles(g),
        Command::Init => init(g).await,
        Command::Login {
            stdin,
            github: true,
            ..
        } => auth::login_token(g, *stdin, Service::GitHub).await,
        Command::Login {
            stdin,
            sentry: true,
            ..
        } => auth::login_token(g, *stdin, Service::Sentry).await,
        Command::Login { stdin, kind, .. } => auth::login(g, *stdin, *kind).await,
        Command::Logout { github: true, .. } => auth::logout_token(g, Service::GitHub).await,
        Command::Logout { sentry: true, .. } => auth::logout_token(g, Service::Sentry).await,
        Command::Logout { .. } => auth::logout(g).await,
        Command::Credentials => auth::credentials(g).await,
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "shipdeck", &mut out);
            print!("{}", String::from_utf8_lossy(&out));
            Ok(exit::OK)
        }
        Command::Workflows {
            owner,
            cloud,
            bridge,
            dir,
            force,
        } => workflows::write(g, owner, *cloud, *bridge, dir, *force),
        Command::Edge(args::EdgeCommand::Code { which }) => edge_alias::code(g, *which),
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                .render(&mut out)
                .map_err(|e| Error::io("cannot render the manual page", e))
                .map(|()| {
                    print!("{}", String::from_utf8_lossy(&out));
                    exit::OK
                })
        }
        _ => return None,
    })
}

/// `shipdeck verify`: exit 4 when the store and the manifests differ.
async fn verify(s: &Session, g: &Global, targets: &[String]) -> Result<i32> {
    let results = verify::verify(&s.ctx, targets).await?;
    let bad: usize = results.iter().map(|r| r.problems.len()).sum();
    if g.json {
        output::print_json(&json!({ "ok": bad == 0, "results": results }));
    } else {
        output::verified(&results);
    }
    if let Some(gh) = crate::ci::github::GitHub::detect() {
        gh.verified(&results);
    }
    Ok(if bad == 0 {
        exit::OK
    } else {
        exit::DIFFERENCES
    })
}
