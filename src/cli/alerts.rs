//! `shipdeck alerts check`: the alert rules' verdicts as lines (or one JSON document), and the
//! exit code the nightly pipeline branches on: 0 none fires, 6 some fire, 1 one cannot be
//! evaluated.

use super::args::Global;
use super::exit;
use super::output::print_json;
use crate::error::Result;
use crate::present::alerts as words;
use crate::session::{self, Session};

pub async fn check(s: &Session, g: &Global) -> Result<i32> {
    let rules = &s.profile.alerts;
    let report = session::check_alerts(s).await?;
    if let Some(gh) = crate::ci::github::GitHub::detect() {
        gh.alerts(&report);
    }
    if g.json {
        print_json(&report);
    } else if rules.is_empty() {
        println!("{}", words::no_rules(&s.profile_name));
    } else {
        for e in &report.rules {
            println!("{}", words::line(e));
        }
        println!("{}", words::summary(&report));
    }
    Ok(if report.firing > 0 {
        exit::ALERTS_FIRING
    } else if report.unevaluated > 0 {
        exit::FAILURE
    } else {
        exit::OK
    })
}
