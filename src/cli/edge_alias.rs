//! `shipdeck edge …`: edge aliases, an alias as one CloudFront KeyValueStore key. `edge code`
//! prints the exact function source for the profile (the domain generates it), for review
//! before anything is deployed; it reads only the profile, so it needs no credentials.
//! `edge status` and `edge sync` compare and write the keys through `ops::edge_keys`.

use super::args::{EdgeFunction, Global};
use crate::config;
use crate::domain::edge_alias::cloudfront::{Inputs, viewer_request, viewer_response};
use crate::domain::manifest::ALIAS_CACHE;
use crate::error::Result;
use crate::ops::edge_keys;
use crate::present;
use crate::session::{self, Session};

pub fn code(g: &Global, which: EdgeFunction) -> Result<i32> {
    let loaded = config::load(g.config.as_deref())?;
    let (_, profile) = session::choose(&loaded, g.profile.as_deref())?;
    let inputs = Inputs {
        prefix: profile.store.prefix(),
        alias_cache_control: profile
            .alias_cache_control
            .as_deref()
            .unwrap_or(ALIAS_CACHE),
    };
    let source = match which {
        EdgeFunction::Request => viewer_request(&inputs),
        EdgeFunction::Response => viewer_response(&inputs),
    };
    print!("{source}");
    Ok(super::exit::OK)
}

/// `edge status`: exit 4 when a key differs from the state.
pub async fn status(s: &Session, g: &Global) -> Result<i32> {
    let kvs = session::edge_keys(s).await?;
    let report = edge_keys::status(&s.ctx, &kvs).await?;
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
    let plan = edge_keys::plan_sync(&s.ctx, &kvs).await?;
    if !g.json {
        for l in present::edge_keys::sync_plan(&plan) {
            println!("{l}");
        }
    }
    if plan.is_noop() || g.dry_run {
        if g.json {
            super::output::print_json(&plan);
        }
        return Ok(super::exit::OK);
    }
    if !g.yes {
        super::changes::confirm()?;
    }
    let done = edge_keys::apply_sync(&s.ctx, &kvs, plan).await?;
    if g.json {
        super::output::print_json(&done);
    } else {
        for l in present::edge_keys::sync_done(&done) {
            println!("{l}");
        }
    }
    Ok(super::exit::OK)
}
