//! The cost model: what delivering the widget costs per month on AWS and on Azure.
//!
//! Prices come from pricing files (one entry per price, with its unit, tiers, source and date);
//! usage comes from flags or a usage file; bundle sizes come from the real release manifests.
//! The estimate is a list of line items, Infracost-style, with free allowances shown as their
//! own negative lines rather than hidden in the numbers. Nothing here knows a price by heart.

use serde::{Deserialize, Serialize};

/// Bytes in the GB that CDN and storage prices are quoted per (AWS and Azure bill binary GB).
pub const BYTES_PER_GB: f64 = 1_073_741_824.0;

/// One pricing file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTable {
    /// `aws` or `azure`.
    pub provider: String,
    pub currency: String,
    #[serde(rename = "price")]
    pub prices: Vec<Price>,
}

/// One price, as published.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub id: String,
    pub name: String,
    /// What one unit is, in words (`GB`, `10,000 requests`, `path`, `month`).
    pub unit: String,
    /// How many raw items one unit is (10,000 for "per 10,000 requests"; 1 for GB).
    #[serde(default = "one")]
    pub unit_size: f64,
    pub region: String,
    pub source: String,
    /// When the price was read from its source (YYYY-MM-DD).
    pub date: String,
    /// Tiers by cumulative upper bound in units; the last has no bound.
    #[serde(default)]
    pub tiers: Vec<Tier>,
    /// A flat price per unit (when there are no tiers).
    pub price: Option<f64>,
    /// Units free each month.
    #[serde(default)]
    pub free: f64,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub up_to: Option<f64>,
    pub price: f64,
}

impl Price {
    /// The monthly cost of `units`, before any free allowance.
    pub fn cost(&self, units: f64) -> f64 {
        if self.tiers.is_empty() {
            return units * self.price.unwrap_or(0.0);
        }
        tiered(units, &self.tiers)
    }

    /// Price of the first unit (shown as "unit price" for tiered prices).
    pub fn first_price(&self) -> f64 {
        self.tiers
            .first()
            .map_or(self.price.unwrap_or(0.0), |t| t.price)
    }

    pub fn is_tiered(&self) -> bool {
        self.tiers.len() > 1
    }

    fn check(&self) -> Result<(), String> {
        let miss = |what: &str| Err(format!("price '{}' has no {what}", self.id));
        if self.unit.trim().is_empty() {
            return miss("unit");
        }
        if self.source.trim().is_empty() {
            return miss("source");
        }
        if self.date.len() != 10
            || chrono::NaiveDate::parse_from_str(&self.date, "%Y-%m-%d").is_err()
        {
            return Err(format!(
                "price '{}' has date '{}'; use YYYY-MM-DD, the day it was read from its source",
                self.id, self.date
            ));
        }
        match (self.tiers.is_empty(), self.price) {
            (true, None) => {
                return Err(format!(
                    "price '{}' has neither `price` nor `tiers`",
                    self.id
                ));
            }
            (false, Some(_)) => {
                return Err(format!(
                    "price '{}' has both `price` and `tiers`; keep one",
                    self.id
                ));
            }
            _ => {}
        }
        let mut last = 0.0;
        for (i, t) in self.tiers.iter().enumerate() {
            match t.up_to {
                Some(u) if u <= last => {
                    return Err(format!(
                        "price '{}': tier {} ends at {u}, not above the previous tier",
                        self.id,
                        i + 1
                    ));
                }
                Some(u) => last = u,
                None if i + 1 != self.tiers.len() => {
                    return Err(format!(
                        "price '{}': only the last tier may be unbounded",
                        self.id
                    ));
                }
                None => {}
            }
        }
        if self.unit_size <= 0.0 {
            return Err(format!("price '{}': unit_size must be positive", self.id));
        }
        Ok(())
    }
}

/// Cost of `units` through cumulative tiers.
pub fn tiered(units: f64, tiers: &[Tier]) -> f64 {
    let mut total = 0.0;
    let mut floor = 0.0;
    for t in tiers {
        let ceiling = t.up_to.unwrap_or(f64::INFINITY);
        if units <= floor {
            break;
        }
        total += (units.min(ceiling) - floor) * t.price;
        floor = ceiling;
    }
    total
}

impl PriceTable {
    /// Parses a pricing file's text and checks every entry.
    pub fn parse(text: &str) -> Result<PriceTable, String> {
        let t: PriceTable = crate::domain::tomlfile::parse(text)?;
        for p in &t.prices {
            p.check().map_err(|e| {
                let line = text
                    .find(&format!("\"{}\"", p.id))
                    .map_or(0, |i| text[..i].matches('\n').count() + 1);
                format!("{line}: key 'price.{}': {e}", p.id)
            })?;
        }
        Ok(t)
    }

    pub fn get(&self, id: &str) -> Result<&Price, String> {
        self.prices
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| format!("the {} pricing file has no price '{id}'", self.provider))
    }
}

/// Monthly usage: what drives the bill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Usage {
    /// Widget loads per month (page views that include the widget).
    pub loads: f64,
    /// Share of loads served from the browser cache (no CDN request at all).
    pub browser_cache_hit: f64,
    /// Share of CDN requests served from the CDN cache (the rest go to the origin).
    pub cdn_cache_hit: f64,
    /// Files a page loads per widget load (bundle + stylesheet).
    pub files_per_load: f64,
    /// Chat API requests per load (for items priced per API request).
    pub api_requests_per_load: f64,
    pub releases_per_month: f64,
    /// Promotes, rollbacks and yanks per month.
    pub alias_moves_per_month: f64,
    /// Alias folders one move touches (latest, vM, vM.m → 3).
    pub aliases_per_move: f64,
    pub versions_kept: f64,
    /// Monthly items the CDN bill does not cover (Bridge compute, database, API gateway).
    pub fixed: Vec<FixedItem>,
}

impl Default for Usage {
    fn default() -> Self {
        Usage {
            loads: 100_000.0,
            browser_cache_hit: 0.5,
            cdn_cache_hit: 0.95,
            files_per_load: 2.0,
            api_requests_per_load: 3.0,
            releases_per_month: 4.0,
            alias_moves_per_month: 6.0,
            aliases_per_move: 3.0,
            versions_kept: 20.0,
            fixed: Vec::new(),
        }
    }
}

impl Usage {
    /// Checks shares and counts, naming the key at fault.
    pub fn check(&self) -> Result<(), String> {
        for (k, v) in [
            ("browser_cache_hit", self.browser_cache_hit),
            ("cdn_cache_hit", self.cdn_cache_hit),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!(
                    "key '{k}': {v} is not a share; use a number from 0 to 1 (0.95 = 95 %)"
                ));
            }
        }
        for (k, v) in [
            ("loads", self.loads),
            ("files_per_load", self.files_per_load),
            ("api_requests_per_load", self.api_requests_per_load),
            ("releases_per_month", self.releases_per_month),
            ("alias_moves_per_month", self.alias_moves_per_month),
            ("aliases_per_move", self.aliases_per_move),
            ("versions_kept", self.versions_kept),
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(format!("key '{k}': {v} must be a number of zero or more"));
            }
        }
        for f in &self.fixed {
            if f.monthly.is_none() && (f.unit_price.is_none() || f.per_api_requests.is_none()) {
                return Err(format!(
                    "key 'fixed' ('{}'): give `monthly`, or `unit_price` with `per_api_requests`",
                    f.name
                ));
            }
        }
        Ok(())
    }
}

/// A cost outside the CDN bill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedItem {
    pub name: String,
    /// A fixed monthly amount.
    pub monthly: Option<f64>,
    /// Or a price per `per_api_requests` chat API requests (e.g. 3.50 per 1,000,000).
    pub unit_price: Option<f64>,
    pub per_api_requests: Option<f64>,
    /// `aws`, `azure`, or both when absent.
    pub provider: Option<String>,
}

/// What the releases contribute: bytes a page downloads, bytes stored per release.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bundle {
    /// Gzip bytes a load downloads (bundle + stylesheet).
    pub bytes_per_load: f64,
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
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    pub provider: String,
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

fn quantities(u: &Usage, b: &Bundle) -> Quantities {
    let cdn_loads = u.loads * (1.0 - u.browser_cache_hit);
    let cdn_requests = cdn_loads * u.files_per_load;
    let moves_paths = u.alias_moves_per_month * u.aliases_per_move;
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
pub fn estimate(table: &PriceTable, usage: &Usage, bundle: &Bundle) -> Result<Estimate, String> {
    let q = quantities(usage, bundle);
    let mut lines = Vec::new();
    // Each provider's bill, as (price id, component, monthly quantity, grows with traffic).
    let rows: Vec<(&str, &str, f64, bool)> = match table.provider.as_str() {
        "aws" => vec![
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
        "azure" => vec![
            ("frontdoor.base_fee", "Front Door", 1.0, false),
            ("frontdoor.transfer_out", "Front Door", q.egress_gb, true),
            ("frontdoor.requests", "Front Door", q.cdn_requests, true),
            ("frontdoor.purge", "Front Door", q.invalidation_paths, false),
            ("blob.storage_hot_lrs", "Blob Storage", q.storage_gb, false),
            ("blob.write_ops", "Blob Storage", q.writes, false),
            ("blob.read_ops", "Blob Storage", q.origin_requests, true),
        ],
        other => {
            return Err(format!(
                "unknown provider '{other}' in a pricing file; use aws or azure"
            ));
        }
    };
    for (id, component, quantity, usage_based) in rows {
        lines.extend(item(table.get(id)?, component, quantity, usage_based));
    }
    for f in &usage.fixed {
        if f.provider.as_deref().is_some_and(|p| p != table.provider) {
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
                }
            }
            _ => continue,
        };
        lines.push(line);
    }
    let total = lines.iter().map(|l| l.monthly).sum();
    Ok(Estimate {
        provider: table.provider.clone(),
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
    use super::*;

    fn aws() -> PriceTable {
        PriceTable::parse(include_str!("../../assets/pricing/aws.toml")).unwrap()
    }

    fn azure() -> PriceTable {
        PriceTable::parse(include_str!("../../assets/pricing/azure.toml")).unwrap()
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
        let text = include_str!("../../assets/pricing/aws.toml").replacen(
            "date = \"",
            "date = \"yesterday",
            1,
        );
        let e = PriceTable::parse(&text).unwrap_err();
        assert!(
            e.contains("key 'price.cloudfront.transfer_out'") && e.contains("YYYY-MM-DD"),
            "{e}"
        );
        let e = PriceTable::parse("provider = \"aws\"\ncurrency = \"USD\"\n[[price]]\nid = \"x\"\nname = \"x\"\nunit = 5\n").unwrap_err();
        assert!(e.starts_with("6: key 'price.unit'"), "{e}");
        let bad = Usage {
            cdn_cache_hit: 95.0,
            ..Usage::default()
        };
        assert!(bad.check().unwrap_err().contains("key 'cdn_cache_hit'"));
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
