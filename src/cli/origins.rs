//! `shipdeck origins …`: list, add, remove, audit, probe.

use super::args::{Global, OriginsCommand};
use super::output::print_json;
use crate::bridge::Var;
use crate::domain::origin::{Finding, Severity};
use crate::error::Result;
use crate::ops::origins::{self, Listing, OriginPlan};
use crate::present::Front;
use crate::present::origins as words;
use crate::session::Session;
use serde_json::json;

pub async fn run(s: &Session, g: &Global, cmd: OriginsCommand) -> Result<i32> {
    let o = s.origins()?;
    match cmd {
        OriginsCommand::List => {
            let l = origins::list(&o).await?;
            if g.json {
                print_json(&l);
            } else {
                print_listing(&l, true);
            }
            Ok(0)
        }
        OriginsCommand::Audit => {
            let l = origins::list(&o).await?;
            let failing = l.worst.is_some_and(|w| w >= Severity::Warning);
            if g.json {
                print_json(&json!({ "ok": !failing, "listing": l }));
            } else {
                print_listing(&l, false);
                println!();
                println!(
                    "{}",
                    if failing {
                        "audit: FAILED (a finding at warning level or above)"
                    } else {
                        "audit: ok"
                    }
                );
            }
            Ok(if failing { 1 } else { 0 })
        }
        OriginsCommand::Add { origins: list, to } => {
            let to = Var::parse(&to).map_err(crate::error::InputError::from)?;
            let plan = origins::plan_add(&o, &list, to).await?;
            execute(s, g, &o, &plan).await
        }
        OriginsCommand::Remove { origin } => {
            let plan = origins::plan_remove(&o, &origin).await?;
            execute(s, g, &o, &plan).await
        }
        OriginsCommand::Apply => apply(s, g, &o).await,
        OriginsCommand::Probe { origins: only } => {
            let report = origins::probe(&o, &s.ctx, &only).await?;
            if g.json {
                print_json(&report);
            } else {
                print_probe(&report);
            }
            Ok(if report.ok { 0 } else { 1 })
        }
    }
}

/// `origins apply`: redeploy the Bridge through its workflow, following the run, then probe.
async fn apply(s: &Session, g: &Global, o: &origins::Origins) -> Result<i32> {
    let json = g.json;
    let progress = move |r: &crate::bridge::github::RunState| {
        if !json {
            eprintln!(
                "deploy run {}: {}{}",
                r.id,
                r.status,
                r.html_url
                    .as_deref()
                    .map(|u| format!(" ({u})"))
                    .unwrap_or_default()
            );
        }
    };
    let report =
        crate::ops::redeploy::redeploy(o, &s.ctx, &progress, std::time::Duration::from_secs(2))
            .await?;
    if json {
        print_json(&report);
    } else {
        println!(
            "{} finished: {}",
            report.workflow,
            report
                .run
                .conclusion
                .as_deref()
                .unwrap_or(report.run.status.as_str())
        );
        if let Some(p) = &report.probe {
            print_probe(p);
        }
        println!("{}", words::redeploy_verdict(&report));
    }
    Ok(if report.ok { 0 } else { 1 })
}

fn print_probe(report: &origins::ProbeReport) {
    println!(
        "Probing {} with preflight requests (OPTIONS, POST, content-type,authorization)",
        report.url
    );
    for r in &report.results {
        let verdict = if r.problems.is_empty() {
            "ok    "
        } else {
            "FAILED"
        };
        let obs = r.observed.as_ref().map_or(String::new(), |o| {
                        format!(
                            "status {}, allow-origin {}, credentials {}, methods {}, headers {}, max-age {}, vary origin {}",
                            o.status,
                            o.allow_origin.as_deref().unwrap_or("-"),
                            o.allow_credentials.as_deref().unwrap_or("-"),
                            o.allow_methods.as_deref().unwrap_or("-"),
                            o.allow_headers.as_deref().unwrap_or("-"),
                            o.max_age.as_deref().unwrap_or("-"),
                            if o.vary_origin { "yes" } else { "no" }
                        )
                    });
        println!(
            "{verdict} {:<40} expected {:<8} got {:<8} ({obs}) — {}",
            r.origin,
            if r.expected_allowed {
                "allowed"
            } else {
                "refused"
            },
            if r.allowed { "allowed" } else { "refused" },
            r.kind
        );
        for p in &r.problems {
            println!("       {p}");
        }
        if r.expected_allowed && !r.browser_refuses.is_empty() {
            println!(
                "       a browser on this site refuses the widget's {} request(s)",
                r.browser_refuses.join(", ")
            );
        }
    }
    println!("{}", words::probe_verdict(report));
}

async fn execute(s: &Session, g: &Global, o: &origins::Origins, plan: &OriginPlan) -> Result<i32> {
    if !g.json {
        for l in plan.lines() {
            println!("{l}");
        }
    }
    if g.dry_run {
        if g.json {
            print_json(&json!({ "plan": plan, "applied": false, "dry_run": true }));
        } else {
            println!("Dry run: nothing was changed.");
        }
        return Ok(if g.detailed_exitcode {
            super::exit::CHANGES_PENDING
        } else {
            super::exit::OK
        });
    }
    if !g.yes {
        super::changes::confirm()?;
    }
    origins::apply(o, &s.ctx, plan).await?;
    if let Some(gh) = crate::ci::github::GitHub::detect() {
        gh.lines(&plan.description, &plan.lines()[1..], &[]);
    }
    if g.json {
        print_json(&json!({ "plan": plan, "applied": true }));
    } else {
        println!(
            "Done. {}",
            words::after_change(plan.redeploys, Front::Cli, "", "")
        );
    }
    Ok(0)
}

fn print_listing(l: &Listing, all: bool) {
    println!(
        "Allowlist in {}{}",
        l.source,
        if l.production {
            " (production rules)"
        } else {
            ""
        }
    );
    if let Some(k) = &l.kept {
        println!("  {k}");
    }
    for o in &l.origins {
        let mark = words::mark(o.findings.iter().map(|f| f.severity).max());
        if all || !o.findings.is_empty() {
            println!("{mark:<7}{:<44} {}", o.origin, o.list);
        }
        for f in &o.findings {
            finding(f);
        }
    }
    for f in &l.list_findings {
        println!("{}", f.severity.to_string().to_uppercase());
        finding(f);
    }
}

fn finding(f: &Finding) {
    println!(
        "       [{}] {}: {} — fix: {}",
        f.severity, f.code, f.message, f.fix
    );
}
