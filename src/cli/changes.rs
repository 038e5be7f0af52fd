//! Changing commands: plan, show, confirm, apply — the same steps for every change.

use super::args::{Command, Global};
use super::events::{EventLog, Logged};
use super::exit;
use super::out;
use super::output;
use crate::ci::github::ChangeSummary;
use crate::domain::alias::AliasName;
use crate::domain::change::Request;
use crate::domain::history::Operation;
use crate::domain::plan::Plan;
use crate::domain::version::parse_version;
use crate::error::{Error, InputError, Result};
use crate::ops::apply::{Report, apply};
use crate::ops::publish::{PublishRequest, plan_publish};
use crate::ops::{ProgressEvent, ProgressTally, change};
use crate::present;
use crate::session::Session;
use serde_json::json;
use std::io::{BufRead, IsTerminal, Write};
use std::sync::Mutex;

pub async fn run(s: &Session, g: &Global, cmd: Command) -> Result<i32> {
    let ctx = &s.ctx;
    let (plan, action) = match cmd {
        Command::Publish {
            dir,
            version,
            promote,
            commit,
            allow_missing_entries,
        } => {
            let req = PublishRequest {
                dir,
                version,
                promote,
                commit,
                allow_missing_entries,
            };
            (plan_publish(ctx, &req).await?, Operation::Publish)
        }
        Command::Promote {
            version,
            alias,
            canary: Some(percent),
        } => return super::canary::start(s, g, &version, alias.as_deref(), percent).await,
        Command::Promote { version, alias, .. } => {
            let version = parse_version(&version)?;
            let alias = alias.map(|a| a.parse::<AliasName>()).transpose()?;
            (
                change::plan_change(ctx, &Request::Promote { version, alias }).await?,
                Operation::Promote,
            )
        }
        Command::Rollback { alias, to } => {
            let alias = alias.parse::<AliasName>()?;
            let to = to.map(|t| parse_version(&t)).transpose()?;
            (
                change::plan_change(ctx, &Request::Rollback { alias, to }).await?,
                Operation::Rollback,
            )
        }
        Command::Unpin { alias } => {
            let alias = alias.parse::<AliasName>()?;
            (
                change::plan_change(ctx, &Request::Unpin { alias }).await?,
                Operation::Unpin,
            )
        }
        Command::Yank { version, reason } => {
            let version = parse_version(&version)?;
            (
                change::plan_change(ctx, &Request::Yank { version, reason }).await?,
                Operation::Yank,
            )
        }
        Command::Unyank { version } => {
            let version = parse_version(&version)?;
            (
                change::plan_change(ctx, &Request::Unyank { version }).await?,
                Operation::Unyank,
            )
        }
        Command::Repair { state: true, .. } => return rebuild_state(s, g).await,
        Command::Repair { aliases, .. } => {
            let aliases = aliases
                .iter()
                .map(|a| a.parse::<AliasName>())
                .collect::<std::result::Result<Vec<_>, _>>()?;
            (change::plan_repair(ctx, &aliases).await?, Operation::Repair)
        }
        Command::Resume { revert } => (
            change::plan_resume(ctx, revert).await?,
            Operation::of_resume(revert),
        ),
        other => {
            return Err(InputError::NotAChange {
                command: format!("{other:?}"),
            }
            .into());
        }
    };
    execute(s, g, &plan, action).await
}

/// `repair --state`: shows the state rebuilt from the store, asks, writes it.
async fn rebuild_state(s: &Session, g: &Global) -> Result<i32> {
    let r = crate::ops::rebuild::plan(&s.ctx).await?;
    let core = &r.rebuilt.core;
    if !g.json {
        println!(
            "Plan: rebuild the release state of {} from its manifests, history and alias folders",
            s.ctx.store.describe()
        );
        for (v, rel) in core.releases.iter().rev() {
            let status = match &rel.yanked {
                Some(y) => format!("yanked: {}", y.reason),
                None if rel.promoted => "promoted".into(),
                None => "unpromoted".into(),
            };
            println!("  release  {v} ({status})");
        }
        for (a, rec) in &core.aliases {
            let mode = if rec.pinned { " (pinned)" } else { "" };
            println!("  alias    {:<8} → {}{mode}", a.to_string(), rec.target);
        }
        for n in &r.rebuilt.notes {
            println!("  note     {n}");
        }
        println!(
            "{} release(s), {} alias(es); writes {}",
            core.releases.len(),
            core.aliases.len(),
            s.ctx.layout.state_key()
        );
    }
    let doc =
        |applied: bool| json!({ "state": core, "notes": r.rebuilt.notes, "applied": applied });
    if g.dry_run {
        if g.json {
            output::print_json(&doc(false));
        } else {
            println!("Dry run: nothing was changed.");
        }
        return Ok(0);
    }
    if !g.yes {
        confirm()?;
    }
    crate::ops::rebuild::apply(&s.ctx, &r).await?;
    if let Some(gh) = crate::ci::github::GitHub::detect() {
        let mut lines = vec![format!(
            "{} release(s), {} alias(es) rebuilt",
            core.releases.len(),
            core.aliases.len()
        )];
        lines.extend(r.rebuilt.notes.iter().cloned());
        gh.lines("repair --state", &lines, &[]);
    }
    if g.json {
        output::print_json(&doc(true));
    } else {
        println!(
            "Done: the release state is rebuilt; `shipdeck verify` checks the folders against it."
        );
    }
    Ok(0)
}

/// Shows the plan, asks, applies, reports — as text or JSON, and, in a GitHub Actions job, as
/// the job summary and step outputs too.
pub async fn execute(s: &Session, g: &Global, plan: &Plan, action: Operation) -> Result<i32> {
    let ctx = &s.ctx;
    let log = EventLog::new(g.output_file.as_deref());
    log.plan(plan);
    if !g.json {
        for l in plan.lines() {
            println!("{}", l.text);
        }
    }
    let gh = crate::ci::github::GitHub::detect();
    if plan.is_noop() || g.dry_run {
        if g.json {
            output::print_json(&json!({ "plan": plan, "applied": false, "dry_run": g.dry_run }));
        } else if g.dry_run && !plan.is_noop() {
            println!("Dry run: nothing was changed.");
        }
        log.result(false, None);
        if let Some(gh) = &gh {
            let manifest = acted_on(s, plan).await;
            gh.change(&ChangeSummary {
                plan,
                report: None,
                manifest: manifest.as_ref(),
                public_url: s.profile.public_url.as_deref(),
                dry_run: g.dry_run,
            });
        }
        let pending = g.dry_run && g.detailed_exitcode && !plan.is_noop();
        return Ok(if pending {
            exit::CHANGES_PENDING
        } else {
            exit::OK
        });
    }
    if !g.yes {
        confirm()?;
    }
    let progress = StderrProgress::new(!g.json && std::io::stderr().is_terminal());
    let logged = Logged {
        inner: &progress,
        log: &log,
    };
    let watcher = stop_on_ctrl_c(ctx, g.json);
    let applied = apply(ctx, plan, action, &logged).await;
    watcher.abort();
    let report = match applied {
        Ok(r) => r,
        Err(e) => {
            log.error(&e.to_string(), e.code());
            return Err(e);
        }
    };
    progress.finish();
    log.result(true, Some(&report));
    if g.json {
        output::print_json(&json!({ "plan": plan, "applied": true, "report": report }));
    } else {
        summary(&report);
    }
    if let Some(gh) = &gh {
        let manifest = acted_on(s, plan).await;
        gh.change(&ChangeSummary {
            plan,
            report: Some(&report),
            manifest: manifest.as_ref(),
            public_url: s.profile.public_url.as_deref(),
            dry_run: false,
        });
    }
    Ok(if !report.landed() {
        exit::FAILURE
    } else if report.edge_stale_after_wait() {
        exit::DIFFERENCES
    } else {
        exit::OK
    })
}

/// While a change is applied, Ctrl-C asks it to stop after the writes in flight (the change
/// stays recorded as unfinished, and the error says how to finish it); a second Ctrl-C quits at
/// once, which loses nothing either (`shipdeck resume` finishes from the record).
fn stop_on_ctrl_c(ctx: &crate::ops::Context, quiet: bool) -> tokio::task::JoinHandle<()> {
    let stop = ctx.stop.clone();
    // Registered here, before the first write, so a Ctrl-C at any moment of the apply is seen.
    #[cfg(unix)]
    let mut interrupts =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok();
    tokio::spawn(async move {
        #[cfg(unix)]
        let mut next = async || match interrupts.as_mut() {
            Some(s) => s.recv().await.is_some(),
            None => std::future::pending().await,
        };
        #[cfg(not(unix))]
        let next = async || tokio::signal::ctrl_c().await.is_ok();
        if next().await {
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
            if !quiet {
                eprintln!(
                    "\nstopping after the writes in flight… (Ctrl-C again quits at once; `shipdeck resume` finishes the change either way)"
                );
            }
            if next().await {
                std::process::exit(crate::cli::exit::INTERRUPTED);
            }
        }
    })
}

/// The release a change is about, for a CI summary's URL and embed snippet: the one being
/// published, else the one the first moved alias now serves.
async fn acted_on(s: &Session, plan: &Plan) -> Option<crate::domain::manifest::Manifest> {
    if let Some(m) = &plan.manifest {
        return Some(m.clone());
    }
    let v = plan.alias_moves.iter().find_map(|m| m.to.clone())?;
    crate::ops::records::load_manifest(&s.ctx, &v)
        .await
        .ok()
        .flatten()
}

fn summary(r: &Report) {
    let v = present::verdict(r);
    println!("{}: {}.", v.head, v.summary);
    for l in v.lines {
        println!("{}", l.text);
    }
}

/// `shipdeck unlock`: says whose lock it is; `--dry-run` stops there; a live lock (its holder
/// may be applying a change right now) is removed only after a confirmation or `--yes`.
pub(super) async fn unlock(ctx: &crate::ops::Context, g: &Global) -> Result<i32> {
    let say = |removed: bool, msg: String| {
        if g.json {
            output::print_json(
                &json!({ "removed": removed, "message": msg, "dry_run": g.dry_run }),
            );
        } else {
            println!("{msg}");
        }
    };
    let Some(rec) = crate::ops::lock::current(ctx).await? else {
        say(false, present::unlocked(None));
        return Ok(0);
    };
    let stale = crate::ops::lock::stale(&rec);
    let plan = present::would_unlock(&rec, stale);
    if g.dry_run {
        say(false, plan);
        return Ok(0);
    }
    if !stale && !g.yes {
        if !g.json {
            println!("{plan}");
        }
        confirm()?;
    }
    let held = crate::ops::lock::force_unlock(ctx).await?;
    say(held.is_some(), present::unlocked(held.as_ref()));
    Ok(0)
}

/// The flow every edge step shares (edge sync, edge setup, canary steps): the plan in words (or,
/// on a dry run or when there is nothing to do, as JSON under `--json`), then a confirmation
/// unless `--yes`. Whether to apply it.
pub(super) fn planned<P: serde::Serialize>(
    g: &Global,
    plan: &P,
    lines: &[String],
    nothing_to_do: bool,
) -> Result<bool> {
    if !g.json {
        for l in lines {
            println!("{l}");
        }
    }
    if nothing_to_do || g.dry_run {
        if g.json {
            super::output::print_json(plan);
        }
        return Ok(false);
    }
    if !g.yes {
        confirm()?;
    }
    Ok(true)
}

/// What an applied step did: its document under `--json`, else its lines.
pub(super) fn done<D: serde::Serialize>(g: &Global, done: &D, lines: &[String]) {
    if g.json {
        super::output::print_json(done);
    } else {
        for l in lines {
            println!("{l}");
        }
    }
}

/// Asks on the terminal; with a pipe, reads one line; with nothing, refuses.
pub(super) fn confirm() -> Result<()> {
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    if interactive {
        eprint!("Apply this plan? [y/N] ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    let n = stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::io("cannot read the confirmation", e))?;
    if n == 0 && !interactive {
        return Err(InputError::NoConfirmation.into());
    }
    match line.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(InputError::Cancelled.into()),
    }
}

/// Progress on stderr, one rewritten line, only on a terminal.
struct StderrProgress {
    on: bool,
    tally: Mutex<ProgressTally>,
}

impl StderrProgress {
    fn new(on: bool) -> Self {
        StderrProgress {
            on,
            tally: Mutex::new(ProgressTally::default()),
        }
    }

    fn finish(&self) {
        if self.on {
            eprintln!();
        }
    }
}

impl crate::ops::Progress for StderrProgress {
    fn report(&self, event: ProgressEvent) {
        if !self.on {
            return;
        }
        // A poisoned tally only means another report panicked mid-count: keep counting.
        let mut tally = self
            .tally
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        tally.add(event);
        out::progress(&present::progress(&tally));
    }
}
