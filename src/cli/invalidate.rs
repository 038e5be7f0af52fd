//! `shipdeck invalidate PATH...` and `--status ID`: the CLI's face of `ops::invalidate`, the
//! same use case (and the same CDN client and path prefix) a change uses after it moves aliases.

use super::args::Global;
use super::changes::confirm;
use super::output::print_json;
use crate::error::Result;
use crate::ops::invalidate::{self, CdnOutcome};
use crate::present;
use crate::session::Session;
use serde_json::json;

pub async fn run(s: &Session, g: &Global, paths: &[String], status: Option<&str>) -> Result<i32> {
    invalidate::require_cdn(&s.ctx, &s.profile_name)?;
    if let Some(id) = status {
        let st = invalidate::status(&s.ctx, id).await?;
        if g.json {
            print_json(&json!({ "id": id, "status": st }));
        } else {
            println!(
                "invalidation {id}: {}",
                present::invalidation_status(id, &st)
            );
        }
        return Ok(0);
    }
    invalidate::check_paths(paths)?;
    if !g.json {
        println!(
            "Plan: invalidate {} at {}",
            paths.join(" "),
            s.ctx.cdn.describe()
        );
    }
    if g.dry_run {
        if g.json {
            print_json(&json!({ "paths": paths, "applied": false, "dry_run": true }));
        } else {
            println!("Dry run: nothing was invalidated.");
        }
        return Ok(0);
    }
    if !g.yes {
        confirm()?;
    }
    let outcome = invalidate::invalidate_by_hand(&s.ctx, paths).await?;
    if let (
        Some(gh),
        CdnOutcome::Requested {
            invalidation, cdn, ..
        },
    ) = (crate::ci::github::GitHub::detect(), &outcome)
    {
        gh.lines(
            &format!("invalidate {}", paths.join(" ")),
            &[format!(
                "{cdn}: invalidation {} {}",
                invalidation.id,
                present::invalidation_status(&invalidation.id, &invalidation.status)
            )],
            &[("invalidation-id", invalidation.id.clone())],
        );
    }
    if g.json {
        print_json(&outcome);
    } else if let CdnOutcome::Requested { invalidation, .. } = &outcome {
        println!(
            "invalidation {}: {}",
            invalidation.id,
            present::invalidation_status(&invalidation.id, &invalidation.status)
        );
    } else if let Some(said) = present::cdn_outcome(&outcome) {
        println!("{}", said.text);
    }
    Ok(0)
}
