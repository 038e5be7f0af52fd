//! Changing commands: plan, show, confirm, apply — the same steps for every change.

use super::args::{Command, Global};
use super::{output, usage};
use crate::domain::alias::AliasName;
use crate::domain::change::Request;
use crate::domain::plan::Plan;
use crate::domain::version::parse_version;
use crate::error::{Error, Result};
use crate::ops::apply::{Report, apply};
use crate::ops::publish::{PublishRequest, plan_publish};
use crate::ops::{ProgressEvent, change};
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
        } => {
            let req = PublishRequest {
                dir,
                version,
                promote,
                commit,
            };
            (plan_publish(ctx, &req).await?, "publish")
        }
        Command::Promote { version, alias } => {
            let version = usage(parse_version(&version))?;
            let alias = alias
                .map(|a| a.parse::<AliasName>())
                .transpose()
                .map_err(Error::Usage)?;
            (
                change::plan_change(ctx, &Request::Promote { version, alias }).await?,
                "promote",
            )
        }
        Command::Rollback { alias, to } => {
            let alias = alias.parse::<AliasName>().map_err(Error::Usage)?;
            let to = to
                .map(|t| parse_version(&t))
                .transpose()
                .map_err(|e| Error::Usage(e.to_string()))?;
            (
                change::plan_change(ctx, &Request::Rollback { alias, to }).await?,
                "rollback",
            )
        }
        Command::Unpin { alias } => {
            let alias = alias.parse::<AliasName>().map_err(Error::Usage)?;
            (
                change::plan_change(ctx, &Request::Unpin { alias }).await?,
                "unpin",
            )
        }
        Command::Yank { version, reason } => {
            let version = usage(parse_version(&version))?;
            (
                change::plan_change(ctx, &Request::Yank { version, reason }).await?,
                "yank",
            )
        }
        Command::Unyank { version } => {
            let version = usage(parse_version(&version))?;
            (
                change::plan_change(ctx, &Request::Unyank { version }).await?,
                "unyank",
            )
        }
        Command::Repair { aliases } => (change::plan_repair(ctx, &aliases).await?, "repair"),
        Command::Resume { revert } => (
            change::plan_resume(ctx, revert).await?,
            if revert { "revert" } else { "resume" },
        ),
        _ => unreachable!("read-only commands are handled by the caller"),
    };
    execute(g, &plan, action, ctx).await
}

/// Shows the plan, asks, applies, reports.
pub async fn execute(
    g: &Global,
    plan: &Plan,
    action: &str,
    ctx: &crate::ops::Context,
) -> Result<i32> {
    if !g.json {
        for l in plan.lines() {
            println!("{}", l.text);
        }
    }
    if plan.is_noop() || g.dry_run {
        if g.json {
            output::print_json(&json!({ "plan": plan, "applied": false, "dry_run": g.dry_run }));
        } else if g.dry_run && !plan.is_noop() {
            println!("Dry run: nothing was changed.");
        }
        return Ok(0);
    }
    if !g.yes {
        confirm()?;
    }
    let progress = StderrProgress::new(!g.json && std::io::stderr().is_terminal());
    let report = apply(ctx, plan, action, &progress).await?;
    progress.finish();
    let problems = !report.verify_problems.is_empty();
    if g.json {
        output::print_json(&json!({ "plan": plan, "applied": true, "report": report }));
    } else {
        summary(&report);
    }
    Ok(if problems { 1 } else { 0 })
}

fn summary(r: &Report) {
    println!(
        "Done: {} file(s) written ({}), {} deleted.",
        r.files_written,
        crate::domain::plan::human_bytes(r.bytes_written),
        r.files_deleted
    );
    if let Some(inv) = &r.invalidation {
        if r.invalidation_failed {
            println!(
                "warning: the CDN invalidation failed ({inv}); the alias change stands — retry with `shipdeck invalidate`"
            );
        } else {
            println!("CDN invalidation: {inv}");
        }
    }
    for p in &r.verify_problems {
        println!("verify: {p}");
    }
    for w in &r.warnings {
        println!("warning: {w}");
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
        .map_err(|e| Error::Io(format!("cannot read the confirmation: {e}")))?;
    if n == 0 && !interactive {
        return Err(Error::Refused(
            "this command changes the store and needs a confirmation, but stdin is not a terminal; pass --yes to apply or --dry-run to only see the plan".into(),
        ));
    }
    match line.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => Err(Error::Refused("cancelled; nothing was changed".into())),
    }
}

/// Progress on stderr, one rewritten line, only on a terminal.
struct StderrProgress {
    on: bool,
    state: Mutex<(usize, usize, u64, String)>,
}

impl StderrProgress {
    fn new(on: bool) -> Self {
        StderrProgress {
            on,
            state: Mutex::new((0, 0, 0, String::new())),
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
        let mut st = self.state.lock().expect("progress state");
        match event {
            ProgressEvent::Phase { label, files, .. } => *st = (0, files, 0, label),
            ProgressEvent::File { bytes, .. } => {
                st.0 += 1;
                st.2 += bytes;
            }
            ProgressEvent::Step(s) => {
                eprint!("\r\x1b[2K{s}");
                return;
            }
        }
        eprint!(
            "\r\x1b[2K{} {}/{} ({})",
            st.3,
            st.0,
            st.1,
            crate::domain::plan::human_bytes(st.2)
        );
    }
}
