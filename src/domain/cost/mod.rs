//! The cost model: what delivering the widget costs per month on AWS and on Azure.
//!
//! Prices come from pricing files (one entry per price, with its unit, tiers, source and date);
//! usage comes from flags or a usage file; bundle sizes come from the real release manifests.
//! The estimate is a list of line items, Infracost-style, with free allowances shown as their
//! own negative lines rather than hidden in the numbers. Nothing here knows a price by heart.

pub mod advice;
mod price;
mod provider;
pub mod stack;
pub mod update;
mod usage;

pub use price::{Price, PriceError, PriceProblem, PriceTable, Tier, tiered};
pub use provider::Provider;
use serde::Serialize;
pub use usage::{FixedItem, MAX_COUNT, MAX_MONEY, Usage, UsageError, UsageField};

/// Bytes in the GB that CDN and storage prices are quoted per (AWS and Azure bill binary GB).
pub const BYTES_PER_GB: f64 = 1_073_741_824.0;

/// What the releases contribute: bytes a page downloads, bytes stored per release.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bundle {
    /// Gzip bytes a load downloads (bundle + stylesheet).
    pub bytes_per_load: f64,
    /// The same files' Brotli bytes, when the manifest records them.
    pub brotli_bytes_per_load: Option<f64>,
    /// Bytes of one release folder (stored uncompressed).
    pub release_bytes: f64,
    pub files_per_release: f64,
}

/// One line of the estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineItem {
    pub component: String,
    pub name: String,
    pub quantity: f64,
    pub unit: String,
    /// Price of one unit (the first tier's, for tiered prices).
    pub unit_price: f64,
    pub tiered: bool,
    pub monthly: f64,
    /// Grows with traffic (marked in the output).
    pub usage_based: bool,
    /// A free allowance (a negative line).
    pub free: bool,
    /// Not priced on this provider (the name says why); its amount is zero, not a price.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unpriced: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub provider: Provider,
    pub currency: String,
    pub lines: Vec<LineItem>,
    pub total: f64,
}

impl Estimate {
    /// Subtotal per component, in first-seen order.
    pub fn subtotals(&self) -> Vec<(String, f64)> {
        let mut out: Vec<(String, f64)> = Vec::new();
        for l in &self.lines {
            match out.iter_mut().find(|(c, _)| *c == l.component) {
                Some((_, v)) => *v += l.monthly,
                None => out.push((l.component.clone(), l.monthly)),
            }
        }
        out
    }
}

/// Derived monthly quantities, shared by both providers.
struct Quantities {
    cdn_requests: f64,
    egress_gb: f64,
    origin_requests: f64,
    invalidation_paths: f64,
    storage_gb: f64,
    writes: f64,
    api_requests: f64,
}

/// CDN paths invalidated or purged a month: one wildcard per moved alias. The one count the
/// estimate's line and the advice both use.
pub fn invalidation_paths(u: &Usage) -> f64 {
    u.alias_moves_per_month * u.aliases_per_move
}

fn quantities(u: &Usage, b: &Bundle) -> Quantities {
    let cdn_loads = u.loads * (1.0 - u.browser_cache_hit);
    let cdn_requests = cdn_loads * u.files_per_load;
    let moves_paths = invalidation_paths(u);
    Quantities {
        cdn_requests,
        egress_gb: cdn_loads * b.bytes_per_load / BYTES_PER_GB,
        origin_requests: cdn_requests * (1.0 - u.cdn_cache_hit),
        invalidation_paths: moves_paths,
        // Kept releases plus the alias folders (about one copy per alias of latest's size).
        storage_gb: (u.versions_kept + u.aliases_per_move) * b.release_bytes / BYTES_PER_GB,
        // Uploads of new releases plus alias copies.
        writes: (u.releases_per_month + moves_paths) * b.files_per_release,
        api_requests: u.loads * u.api_requests_per_load,
    }
}

fn item(p: &Price, component: &str, raw: f64, usage_based: bool) -> Vec<LineItem> {
    let units = raw / p.unit_size;
    let mut out = vec![LineItem {
        component: component.into(),
        name: p.name.clone(),
        quantity: units,
        unit: p.unit.clone(),
        unit_price: p.first_price(),
        tiered: p.is_tiered(),
        monthly: p.cost(units),
        usage_based,
        free: false,
        unpriced: false,
    }];
    if p.free > 0.0 && units > 0.0 {
        let free_units = units.min(p.free);
        out.push(LineItem {
            component: component.into(),
            name: format!(
                "free allowance: first {} {} a month",
                fmt_qty(p.free),
                plural(&p.unit, p.free)
            ),
            quantity: free_units,
            unit: p.unit.clone(),
            unit_price: -p.first_price(),
            tiered: false,
            monthly: -p.cost(free_units),
            usage_based,
            free: true,
            unpriced: false,
        });
    }
    out
}

fn plural(unit: &str, n: f64) -> String {
    if n != 1.0 && unit.chars().all(|c| c.is_ascii_lowercase()) && !unit.ends_with('s') {
        format!("{unit}s")
    } else {
        unit.to_string()
    }
}

/// Estimates one provider's monthly bill.
pub fn estimate(
    table: &PriceTable,
    usage: &Usage,
    bundle: &Bundle,
) -> Result<Estimate, PriceError> {
    let q = quantities(usage, bundle);
    let mut lines = Vec::new();
    // Each provider's bill, as (price id, component, monthly quantity, grows with traffic).
    let rows: Vec<(&str, &str, f64, bool)> = match table.provider {
        Provider::Aws => vec![
            ("cloudfront.transfer_out", "CloudFront", q.egress_gb, true),
            (
                "cloudfront.https_requests",
                "CloudFront",
                q.cdn_requests,
                true,
            ),
            (
                "cloudfront.invalidation_paths",
                "CloudFront",
                q.invalidation_paths,
                false,
            ),
            ("s3.storage", "S3", q.storage_gb, false),
            ("s3.put_copy_list", "S3", q.writes, false),
            ("s3.get", "S3", q.origin_requests, true),
        ],
        Provider::Azure => vec![
            ("frontdoor.base_fee", "Front Door", 1.0, false),
            ("frontdoor.transfer_out", "Front Door", q.egress_gb, true),
            ("frontdoor.requests", "Front Door", q.cdn_requests, true),
            ("frontdoor.purge", "Front Door", q.invalidation_paths, false),
            ("blob.storage_hot_lrs", "Blob Storage", q.storage_gb, false),
            ("blob.write_ops", "Blob Storage", q.writes, false),
            ("blob.read_ops", "Blob Storage", q.origin_requests, true),
        ],
    };
    for (id, component, quantity, usage_based) in rows {
        lines.extend(item(table.get(id)?, component, quantity, usage_based));
    }
    for f in &usage.fixed {
        if f.provider.is_some_and(|p| p != table.provider) {
            continue;
        }
        let line = match (f.monthly, f.unit_price, f.per_api_requests) {
            (Some(m), _, _) => LineItem {
                component: "Other".into(),
                name: f.name.clone(),
                quantity: 1.0,
                unit: "month".into(),
                unit_price: m,
                tiered: false,
                monthly: m,
                usage_based: false,
                free: false,
                unpriced: false,
            },
            (None, Some(p), Some(per)) => {
                let units = q.api_requests / per;
                LineItem {
                    component: "Other".into(),
                    name: f.name.clone(),
                    quantity: units,
                    unit: format!("{} API requests", fmt_qty(per)),
                    unit_price: p,
                    tiered: false,
                    monthly: units * p,
                    usage_based: true,
                    free: false,
                    unpriced: false,
                }
            }
            _ => continue,
        };
        lines.push(line);
    }
    lines.extend(stack::stack_lines(table, &usage.bridge, q.api_requests)?);
    let total = lines.iter().map(|l| l.monthly).sum();
    Ok(Estimate {
        provider: table.provider,
        currency: table.currency.clone(),
        lines,
        total,
    })
}

/// `usage` at `factor` times the traffic (loads; everything per load follows).
pub fn scaled(usage: &Usage, factor: f64) -> Usage {
    Usage {
        loads: usage.loads * factor,
        ..usage.clone()
    }
}

/// 1234567.0 → "1,234,567"; fractions keep up to two decimals; tiny amounts read "<0.01".
pub fn fmt_qty(v: f64) -> String {
    if v > 0.0 && v < 0.005 {
        return "<0.01".into();
    }
    let whole = v.trunc() as u64;
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    let frac = v - v.trunc();
    if frac > 0.005 {
        out.push_str(&format!("{:.2}", frac)[1..]);
    }
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn absurd_prices_are_refused_so_no_estimate_is_infinite() {
        let text = include_str!("../../../assets/pricing/aws.toml");
        assert!(PriceTable::parse(text).is_ok());
        for bad in ["price = 1e308", "price = 1e7", "price = -1"] {
            let t = text.replacen("price = 0.085", bad, 1);
            let e = PriceTable::parse(&t)
                .err()
                .unwrap_or_else(|| panic!("{bad} accepted"));
            assert!(e.to_string().contains("from 0 to 1e6"), "{bad}: {e}");
        }
        let t = text.replacen("price = 0.085", "price = 1e6", 1);
        let table = PriceTable::parse(&t).unwrap();
        let u = Usage {
            loads: MAX_COUNT,
            ..Usage::default()
        };
        let b = Bundle {
            bytes_per_load: 100_000.0 * 1024.0,
            brotli_bytes_per_load: None,
            release_bytes: 1e9,
            files_per_release: 100.0,
        };
        let e = estimate(&table, &u, &b).unwrap();
        assert!(e.total.is_finite(), "{}", e.total);
    }

    use super::*;

    fn aws() -> PriceTable {
        PriceTable::parse(include_str!("../../../assets/pricing/aws.toml")).unwrap()
    }

    fn azure() -> PriceTable {
        PriceTable::parse(include_str!("../../../assets/pricing/azure.toml")).unwrap()
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    #[test]
    fn tier_edges() {
        let p = aws();
        let t = p.get("cloudfront.transfer_out").unwrap();
        close(t.cost(10_240.0), 10_240.0 * 0.085);
        close(t.cost(10_241.0), 10_240.0 * 0.085 + 0.080);
        close(t.cost(51_200.0), 10_240.0 * 0.085 + 40_960.0 * 0.080);
        close(
            t.cost(51_201.0),
            10_240.0 * 0.085 + 40_960.0 * 0.080 + 0.060,
        );
        close(t.cost(0.0), 0.0);
        close(
            tiered(
                5.0,
                &[
                    Tier {
                        up_to: Some(2.0),
                        price: 1.0,
                    },
                    Tier {
                        up_to: None,
                        price: 0.5,
                    },
                ],
            ),
            2.0 + 1.5,
        );
    }

    #[test]
    fn the_runbook_cloudfront_line_is_reproduced() {
        // The hand-made table: CloudFront 10 GB → $0.85.
        let t = aws();
        close(t.get("cloudfront.transfer_out").unwrap().cost(10.0), 0.85);
    }

    #[test]
    fn invalidation_free_allowance_is_its_own_line() {
        let p = aws();
        let price = p.get("cloudfront.invalidation_paths").unwrap();
        let lines = item(price, "CloudFront", 1_200.0, false);
        assert_eq!(lines.len(), 2);
        close(lines[0].monthly, 1_200.0 * 0.005);
        assert!(
            lines[1].free && lines[1].name.contains("first 1,000 paths a month"),
            "{}",
            lines[1].name
        );
        close(lines[1].monthly, -5.0);
        close(lines.iter().map(|l| l.monthly).sum::<f64>(), 1.0);
        let under = item(price, "CloudFront", 300.0, false);
        close(under.iter().map(|l| l.monthly).sum::<f64>(), 0.0);
    }

    #[test]
    fn both_providers_estimate_and_scale_with_traffic() {
        let u = Usage {
            fixed: vec![FixedItem {
                name: "Bridge compute".into(),
                monthly: Some(40.0),
                unit_price: None,
                per_api_requests: None,
                provider: None,
            }],
            ..Usage::default()
        };
        let b = Bundle {
            bytes_per_load: 60_000.0,
            brotli_bytes_per_load: None,
            release_bytes: 300_000.0,
            files_per_release: 7.0,
        };
        for table in [aws(), azure()] {
            let e = estimate(&table, &u, &b).unwrap();
            let e10 = estimate(&table, &scaled(&u, 10.0), &b).unwrap();
            assert!(e10.total > e.total, "{}", table.provider);
            close(e.lines.iter().map(|l| l.monthly).sum(), e.total);
            assert!(
                e.lines
                    .iter()
                    .any(|l| l.name == "Bridge compute" && l.monthly == 40.0)
            );
            let usage_sum = |e: &Estimate| {
                e.lines
                    .iter()
                    .filter(|l| l.usage_based)
                    .map(|l| l.monthly)
                    .sum::<f64>()
            };
            close(usage_sum(&e10), usage_sum(&e) * 10.0);
        }
    }

    #[test]
    fn every_price_has_unit_source_and_date() {
        for t in [aws(), azure()] {
            assert!(!t.prices.is_empty());
            for p in &t.prices {
                assert!(
                    !p.unit.is_empty() && p.source.starts_with("https://") && p.date.len() == 10,
                    "{}",
                    p.id
                );
            }
        }
    }

    #[test]
    fn malformed_pricing_names_line_and_key() {
        let text = include_str!("../../../assets/pricing/aws.toml").replacen(
            "date = \"",
            "date = \"yesterday",
            1,
        );
        let e = PriceTable::parse(&text).unwrap_err().to_string();
        assert!(
            e.contains("key 'price.cloudfront.transfer_out'") && e.contains("YYYY-MM-DD"),
            "{e}"
        );
        let e = PriceTable::parse("provider = \"aws\"\ncurrency = \"USD\"\n[[price]]\nid = \"x\"\nname = \"x\"\nunit = 5\n").unwrap_err().to_string();
        assert!(e.starts_with("6: key 'price.unit'"), "{e}");
        let bad = Usage {
            cdn_cache_hit: 95.0,
            ..Usage::default()
        };
        assert!(
            bad.check()
                .unwrap_err()
                .to_string()
                .contains("key 'cdn_cache_hit'")
        );
        for bad in [f64::NAN, f64::INFINITY, -1.0, 1e30] {
            let u = Usage {
                loads: bad,
                ..Usage::default()
            };
            assert_eq!(
                u.check().unwrap_err().field(),
                Some(UsageField::Loads),
                "{bad}"
            );
        }
        let fixed = |monthly: f64| Usage {
            fixed: vec![FixedItem {
                name: "db".into(),
                monthly: Some(monthly),
                unit_price: None,
                per_api_requests: None,
                provider: None,
            }],
            ..Usage::default()
        };
        assert!(fixed(30.0).check().is_ok());
        for bad in [f64::NAN, f64::INFINITY, -5.0] {
            assert!(
                matches!(fixed(bad).check(), Err(UsageError::FixedAmount(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn quantities_format() {
        assert_eq!(fmt_qty(1_234_567.0), "1,234,567");
        assert_eq!(fmt_qty(0.5), "0.50");
        assert_eq!(fmt_qty(1000.0), "1,000");
        assert_eq!(fmt_qty(0.0002), "<0.01");
        assert_eq!(fmt_qty(0.0), "0");
    }
}
