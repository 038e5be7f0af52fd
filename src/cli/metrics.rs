//! `shipdeck metrics publish` and `shipdeck alerts sync`: the use cases' outcomes as lines, or
//! one JSON document.

use super::args::Global;
use super::exit;
use super::output::print_json;
use crate::error::{InputError, Result};
use crate::ops::traffic::parse_when;
use crate::present::metrics as words;
use crate::session::{self, Session};

pub async fn publish(s: &Session, g: &Global, since: &str, dry_run: bool) -> Result<i32> {
    let since = parse_when(since, chrono::Utc::now()).map_err(|source| InputError::Time {
        flag: "--since",
        source,
    })?;
    let p = session::publish_metrics(s, since, dry_run).await?;
    if g.json {
        print_json(&p);
    } else {
        for line in words::published(&p) {
            println!("{line}");
        }
    }
    Ok(exit::OK)
}

pub async fn sync(s: &Session, g: &Global, dry_run: bool) -> Result<i32> {
    let synced = session::sync_alarms(s, dry_run).await?;
    if g.json {
        print_json(&synced);
    } else {
        for line in words::synced(&synced) {
            println!("{line}");
        }
    }
    Ok(exit::OK)
}
