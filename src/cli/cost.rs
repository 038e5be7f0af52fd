//! `shipdeck cost`: the estimate as an Infracost-style breakdown, or one JSON document.

use super::args::{CostArgs, Global};
use super::output::print_json;
use crate::domain::cost::{Estimate, Provider, Usage, UsageField, fmt_qty, scaled};
use crate::error::{InputError, Result};
use crate::ops::{Context, cost};
use crate::present::money;

/// Builds the usage from `--usage` (else the profile's usage file) and flags, checked.
pub fn usage_from(args: &CostArgs, profile_usage: Option<&std::path::Path>) -> Result<Usage> {
    let mut u = cost::base_usage(args.usage.as_deref().or(profile_usage))?;
    if let Some(l) = args.loads {
        u.loads = l;
    }
    u.check().map_err(|e| InputError::Usage {
        sentence: match e.field() {
            // --loads is the only number a flag sets; the others come from the usage file.
            Some(UsageField::Loads) if args.loads.is_some() => e.naming("--loads"),
            _ => e.to_string(),
        },
        source: e,
    })?;
    Ok(u)
}

pub async fn run(ctx: &Context, g: &Global, args: &CostArgs) -> Result<i32> {
    let usage = usage_from(args, ctx.usage_file.as_deref())?;
    let providers: Vec<Provider> = if args.compare {
        Provider::ALL.to_vec()
    } else {
        vec![args.provider.unwrap_or(ctx.default_provider)]
    };
    let choice = cost::BundleChoice {
        flag_kb: args.bundle_kb,
        assume_when_unserved: false,
    };
    let r = cost::report(ctx, usage, choice, &providers, args.scale).await?;
    if g.json {
        print_json(&r);
        return Ok(0);
    }
    let (usage, bundle, bundle_from, estimates, base_totals) = (
        &r.usage,
        &r.bundle,
        &r.bundle_from,
        &r.estimates,
        &r.base_totals,
    );
    let u = scaled(usage, args.scale);
    println!(
        "Monthly cost estimate{} — {} loads, {:.0}% from the browser cache, {:.0}% CDN cache hits",
        if args.scale != 1.0 {
            format!(" at {}× traffic", args.scale)
        } else {
            String::new()
        },
        fmt_qty(u.loads),
        u.browser_cache_hit * 100.0,
        u.cdn_cache_hit * 100.0
    );
    println!(
        "Bundle: {} KB gzip per load, from the {bundle_from}",
        fmt_qty(bundle.bytes_per_load / 1024.0)
    );
    for (e, base) in estimates.iter().zip(base_totals) {
        println!();
        breakdown(e);
        if args.scale != 1.0 {
            println!("  {:<66} {:>12}", "(at 1× traffic)", money(*base));
        }
        if let Some(age) = r.prices.get(&e.provider) {
            println!(
                "  prices: oldest from {} ({} day(s) old); `shipdeck pricing update --provider {}` refreshes them",
                age.oldest, age.days, e.provider
            );
        }
        if let Some(cmp) = r.comparisons.get(&e.provider) {
            comparisons(cmp);
        }
        if let Some(adv) = r.advice.get(&e.provider) {
            advice(adv, &e.currency);
        }
    }
    if estimates.len() == 2 {
        println!();
        println!("  {:<40} {:>12} {:>12}", "SIDE BY SIDE", "AWS", "Azure");
        for row in &r.side_by_side {
            println!(
                "  {:<40} {:>12} {:>12}",
                row.label,
                money(row.amounts[0]),
                money(row.amounts[1])
            );
        }
        println!(
            "  {:<40} {:>12} {:>12}",
            "TOTAL",
            money(estimates[0].total),
            money(estimates[1].total)
        );
        for e in estimates {
            let missing: Vec<&str> = e
                .lines
                .iter()
                .filter(|l| l.unpriced)
                .map(|l| l.component.as_str())
                .collect();
            if !missing.is_empty() {
                println!(
                    "  {} leaves out what it cannot price: {} (another cloud's services in the usage file's [bridge]; describe them on {} too to compare)",
                    e.provider.heading(),
                    missing.join(", "),
                    e.provider.heading()
                );
            }
        }
    }
    println!();
    println!(
        "  * grows with traffic   ~ tiered (first tier's price shown)   prices: assets/pricing/, with sources and dates"
    );
    Ok(0)
}

fn comparisons(cmp: &[crate::domain::cost::stack::Comparison]) {
    if cmp.is_empty() {
        return;
    }
    println!();
    println!(
        "  {:<50} {:>17} {:>12}",
        "COMPARED WITH THE REFERENCE", "REFERENCE", "SHIPDECK"
    );
    for c in cmp {
        let range = if c.low == c.high {
            money(c.low)
        } else {
            format!("{}–{}", money(c.low), money(c.high))
        };
        println!(
            "  {:<50} {:>17} {:>12}  {}",
            crate::present::columns::fit(&c.label, 50),
            range,
            money(c.estimate),
            c.verdict
        );
    }
}

fn advice(adv: &[crate::domain::cost::advice::Advice], currency: &str) {
    if adv.is_empty() {
        return;
    }
    println!();
    println!("  ADVICE (saving per month, {currency})");
    for a in adv {
        println!("  {:>9}  {}", money(a.saving), a.title);
        println!("             {}", a.detail);
        println!("             assumes {}", a.assumption);
    }
}

fn breakdown(e: &Estimate) {
    println!(
        "  {:<44} {:>14} {:<18} {:>10} {:>10}",
        format!("{} ({})", e.provider.heading(), e.currency),
        "QUANTITY",
        "UNIT",
        "PRICE",
        "MONTHLY"
    );
    for (component, subtotal) in e.subtotals() {
        println!("  {component}");
        for l in e.lines.iter().filter(|l| l.component == component) {
            if l.unpriced {
                println!(
                    "     {:<84} {:>10}",
                    crate::present::columns::fit(&l.name, 84),
                    "—"
                );
                continue;
            }
            let mark = if l.usage_based { "*" } else { " " };
            let tier = if l.tiered { "~" } else { " " };
            println!(
                "   {mark} {:<41} {:>14} {:<18} {:>9}{tier} {:>10}",
                crate::present::columns::fit(&l.name, 41),
                fmt_qty(l.quantity),
                crate::present::columns::fit(&l.unit, 18),
                format!("${}", trim_price(l.unit_price.abs())),
                money(l.monthly)
            );
        }
        println!("     {:<84} {:>10}", "subtotal", money(subtotal));
    }
    println!("  {:<86} {:>10}", "TOTAL", money(e.total));
}

/// 0.0850 → "0.085", 3.5 → "3.50": at least two decimals, at most four.
fn trim_price(p: f64) -> String {
    let s = format!("{p:.4}");
    let (int, frac) = s.split_once('.').unwrap_or((s.as_str(), ""));
    let frac = frac.trim_end_matches('0');
    format!("{int}.{frac:0<2}")
}
