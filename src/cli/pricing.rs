//! `shipdeck pricing update`: refresh the pricing files and say what changed.

use super::args::{Global, PricingCommand};
use super::output::print_json;
use crate::domain::cost::Provider;
use crate::error::Result;
use crate::ops::pricing::{UpdateReport, update};
use crate::pricing::PriceList;
use crate::session::Session;
use serde_json::json;

pub async fn run(s: &Session, g: &Global, cmd: PricingCommand) -> Result<i32> {
    let PricingCommand::Update { provider } = cmd;
    let providers: Vec<Provider> = match provider {
        None => Provider::ALL.to_vec(),
        Some(p) => vec![p],
    };
    let mut reports = Vec::new();
    for p in providers {
        let list = price_list(s, p).await?;
        reports.push(update(&s.ctx, p, list.as_ref(), g.dry_run).await?);
    }
    if g.json {
        print_json(&json!({ "reports": reports, "dry_run": g.dry_run }));
    } else {
        for r in &reports {
            print_report(r);
        }
    }
    Ok(0)
}

/// The price list of `provider`, at the address the environment names (a mirror) if any.
async fn price_list(s: &Session, provider: Provider) -> Result<Box<dyn PriceList>> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if provider == Provider::Azure {
        return Ok(Box::new(crate::pricing::azure::AzureRetail::new(env(
            "SHIPDECK_AZURE_PRICES_URL",
        ))));
    }
    let settings = crate::session::aws_settings(
        &s.profile_name,
        "us-east-1",
        env("SHIPDECK_AWS_PRICING_ENDPOINT"),
    )
    .await?;
    Ok(Box::new(
        crate::pricing::aws::AwsPriceList::connect(&settings).await,
    ))
}

fn print_report(r: &UpdateReport) {
    println!(
        "{} prices from {}: {} changed, {} unchanged, {} kept their old value",
        r.provider.heading(),
        r.source,
        r.changed.len(),
        r.unchanged.len(),
        r.kept.len()
    );
    for c in &r.changed {
        println!("  changed  {:<34} {} → {}", c.id, c.before, c.after);
    }
    for k in &r.kept {
        println!("  kept     {:<34} {}", k.id, k.why);
    }
    if r.written {
        println!("  wrote {}", r.path.display());
    } else {
        println!("  dry run: {} was not written", r.path.display());
    }
}
