//! `shipdeck edge …`: edge aliases, an alias as one CloudFront KeyValueStore key. `edge code`
//! prints the exact function source for the profile (the domain generates it), for review
//! before anything is deployed; it reads only the profile, so it needs no credentials.

use super::args::{EdgeFunction, Global};
use crate::config;
use crate::domain::edge_alias::cloudfront::{Inputs, viewer_request, viewer_response};
use crate::domain::manifest::ALIAS_CACHE;
use crate::error::Result;
use crate::session;

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
