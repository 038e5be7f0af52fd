//! `shipdeck promote VERSION --canary PERCENT` and `shipdeck canary status|set|finish|abort`:
//! gradual promotes in edge mode, through `ops::canary`. Each step shows its plan (the key's
//! value before and after), asks unless --yes, and writes under the lock; `finish` is an
//! ordinary promote of the canary's release (or a pin, for a channel).

use super::args::{CanaryCommand, Command, Global};
use crate::cdn::alias_keys::AliasKeys;
use crate::domain::alias::AliasName;
use crate::error::{ProfileGap, Result};
use crate::ops::canary::{self, Step};
use crate::present;
use crate::session::Session;
use std::sync::Arc;

fn kvs(s: &Session) -> Result<Arc<dyn AliasKeys>> {
    s.ctx.edge_keys.clone().ok_or_else(|| {
        ProfileGap::NotEdgeMode {
            profile: s.profile_name.clone(),
        }
        .into()
    })
}

/// One step: the plan, a confirmation, the write.
async fn step(s: &Session, g: &Global, alias: &AliasName, step: Step) -> Result<i32> {
    let kvs = kvs(s)?;
    let plan = canary::plan(&s.ctx, kvs.as_ref(), alias, &step).await?;
    let lines = present::edge_keys::canary_plan(&plan);
    if !super::changes::planned(g, &plan, &lines, false)? {
        return Ok(super::exit::OK);
    }
    let done = canary::apply(&s.ctx, kvs.as_ref(), plan).await?;
    super::changes::done(g, &done, &[present::edge_keys::canary_done(&done)]);
    Ok(super::exit::OK)
}

pub async fn start(
    s: &Session,
    g: &Global,
    version: &str,
    alias: Option<&str>,
    percent: u8,
) -> Result<i32> {
    let version = crate::domain::version::parse_version(version)?;
    let alias: AliasName = alias.unwrap_or("latest").parse()?;
    step(s, g, &alias, Step::Start { version, percent }).await
}

pub async fn run(s: &Session, g: &Global, cmd: CanaryCommand) -> Result<i32> {
    match cmd {
        CanaryCommand::Status => {
            let running = canary::status(&*kvs(s)?).await?;
            if g.json {
                super::output::print_json(&serde_json::json!({ "canaries": running }));
            } else if running.is_empty() {
                println!("no canary at the edge");
            } else {
                for c in running {
                    println!("{}: {}", c.key, c.value);
                }
            }
            Ok(super::exit::OK)
        }
        CanaryCommand::Set { percent, alias } => {
            step(s, g, &alias.parse()?, Step::Set { percent }).await
        }
        CanaryCommand::Abort { alias } => step(s, g, &alias.parse()?, Step::Abort).await,
        CanaryCommand::Finish { alias } => {
            let alias: AliasName = alias.parse()?;
            let version = canary::finishing(&s.ctx, &*kvs(s)?, &alias).await?;
            // An automatic alias follows the promote; a channel is pinned to the release.
            let pin = (!alias.is_automatic()).then(|| alias.to_string());
            let cmd = Command::Promote {
                version: version.to_string(),
                alias: pin,
                canary: None,
            };
            super::changes::run(s, g, cmd).await
        }
    }
}
