//! `shipdeck edge …`: edge aliases, an alias as one CloudFront KeyValueStore key. `edge code`
//! prints the exact function source for the profile (the domain generates it), for review
//! before anything is deployed; it reads only the profile, so it needs no credentials.
//! `edge status` and `edge sync` compare and write the keys through `ops::edge_keys`.

use super::args::{EdgeFunction, Global};
use crate::config;
use crate::error::Result;
use crate::ops::{edge_keys, edge_setup};
use crate::present;
use crate::session::{self, Session};

pub fn code(g: &Global, which: EdgeFunction) -> Result<i32> {
    let loaded = config::load(g.config.as_deref())?;
    let (_, profile) = session::choose(&loaded, g.profile.as_deref())?;
    let code = session::function_code(&profile);
    print!(
        "{}",
        match which {
            EdgeFunction::Request => code.request,
            EdgeFunction::Response => code.response,
        }
    );
    Ok(super::exit::OK)
}

/// `edge status`: exit 4 when a key differs from the state.
pub async fn status(s: &Session, g: &Global) -> Result<i32> {
    let kvs = session::edge_keys(s).await?;
    // CloudFront runs functions that read the keys: their stage and code are part of the
    // verdict. Front Door's rules are the keys themselves.
    let report = if matches!(
        s.profile.cdn,
        Some(crate::config::CdnConfig::Cloudfront { .. })
    ) {
        let (control, name, _) = session::edge_control(s).await?;
        let code = session::function_code(&s.profile);
        edge_keys::full_status(&s.ctx, kvs.as_ref(), &control, &name, &code).await?
    } else {
        edge_keys::status(&s.ctx, kvs.as_ref()).await?
    };
    if g.json {
        super::output::print_json(&report);
    } else {
        for l in present::edge_keys::status(&report) {
            println!("{l}");
        }
    }
    Ok(if report.in_sync() {
        super::exit::OK
    } else {
        super::exit::DIFFERENCES
    })
}

/// `edge sync`: the plan, a confirmation (unless --yes), one write.
pub async fn sync(s: &Session, g: &Global) -> Result<i32> {
    let kvs = session::edge_keys(s).await?;
    let plan = edge_keys::plan_sync(&s.ctx, kvs.as_ref()).await?;
    let lines = present::edge_keys::sync_plan(&plan);
    if !super::changes::planned(g, &plan, &lines, plan.is_noop())? {
        return Ok(super::exit::OK);
    }
    let done = edge_keys::apply_sync(&s.ctx, kvs.as_ref(), plan).await?;
    super::changes::done(g, &done, &present::edge_keys::sync_done(&done));
    Ok(super::exit::OK)
}

/// `edge setup`: the plan, a confirmation (unless --yes), the steps in order. Exit 1 when a step
/// failed (what was done before it is said, and stays done).
pub async fn setup(s: &Session, g: &Global) -> Result<i32> {
    if matches!(s.profile.cdn, Some(crate::config::CdnConfig::Frontdoor(_))) {
        return Err(crate::error::ProfileGap::FrontDoorSetup.into());
    }
    let (control, name, configured) = session::edge_control(s).await?;
    let code = session::function_code(&s.profile);
    let plan = edge_setup::plan(&control, &name, configured.as_deref(), &code).await?;
    let lines = present::edge_setup::plan(&plan);
    if !super::changes::planned(g, &plan, &lines, plan.is_noop())? {
        return Ok(super::exit::OK);
    }
    let done = edge_setup::apply(&s.ctx, &control, plan, configured.as_deref()).await;
    super::changes::done(g, &done, &present::edge_setup::outcome(&done));
    Ok(if done.failed.is_some() {
        super::exit::FAILURE
    } else {
        super::exit::OK
    })
}
