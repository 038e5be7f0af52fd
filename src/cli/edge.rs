//! `shipdeck verify --edge`: what browsers get from the CDN, presented as text, JSON and a CI
//! summary from one `EdgeReport`.

use super::args::Global;
use super::exit;
use super::output;
use crate::error::Result;
use crate::ops::edge::{EdgeCheck, verify_edge};
use crate::present;
use crate::session::Session;

pub async fn run(
    s: &Session,
    g: &Global,
    targets: &[String],
    versions: bool,
    wait: Option<&str>,
) -> Result<i32> {
    let check = EdgeCheck {
        names: targets.to_vec(),
        versions,
        wait: wait.map(crate::domain::edge::parse_wait).transpose()?,
    };
    if check.wait.is_some() && !g.json {
        eprintln!("waiting for the edge to serve every alias's target…");
    }
    let report = verify_edge(&s.ctx, &check).await?;
    let v = present::edge::edge_report(&report);
    if g.json {
        output::print_json(&report);
    } else {
        println!("{}", v.title);
        for l in &v.lines {
            println!("{}", l.text);
        }
    }
    if let Some(gh) = crate::ci::github::GitHub::detect() {
        gh.edge_verified(&report);
    }
    Ok(if report.ok {
        exit::OK
    } else {
        exit::DIFFERENCES
    })
}
