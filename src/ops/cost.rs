//! The cost use case: pricing files (built in, or the user's), a usage file, and bundle sizes
//! from the manifest of the release `latest` serves.

use super::Context;
use super::records::{load_state, read_history, require_manifest};
use crate::domain::alias::AliasName;
use crate::domain::cost::{Bundle, PriceTable, Provider, Usage, advice};
use crate::domain::manifest::Manifest;
use crate::error::{CostError, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// The pricing file compiled in for `provider`.
fn builtin_text(provider: Provider) -> &'static str {
    match provider {
        Provider::Aws => include_str!("../../assets/pricing/aws.toml"),
        Provider::Azure => include_str!("../../assets/pricing/azure.toml"),
    }
}

/// Loads the pricing file of `provider`: `PROVIDER.toml` in the profile's pricing override
/// folder (`pricing/` in the config dir, found by the session) if present, else the built-in.
pub fn pricing(ctx: &Context, provider: Provider) -> Result<PriceTable> {
    if let Some(dir) = &ctx.pricing_dir {
        let p = dir.join(format!("{provider}.toml"));
        if p.is_file() {
            let text = std::fs::read_to_string(&p).map_err(|e| CostError::Unreadable {
                path: p.display().to_string(),
                source: std::sync::Arc::new(e),
            })?;
            return PriceTable::parse(&text).map_err(|e| {
                CostError::Invalid {
                    place: format!("{}:", p.display()),
                    problem: e.to_string(),
                }
                .into()
            });
        }
    }
    builtin_pricing(provider)
}

/// The pricing file compiled into Shipdeck (`assets/pricing/PROVIDER.toml`).
pub fn builtin_pricing(provider: Provider) -> Result<PriceTable> {
    PriceTable::parse(builtin_text(provider)).map_err(|e| {
        CostError::Invalid {
            place: format!("built-in pricing/{provider}.toml:"),
            problem: e.to_string(),
        }
        .into()
    })
}

/// Reads a usage file; errors name the file, line and key.
pub fn usage_file(path: &Path) -> Result<Usage> {
    let text = std::fs::read_to_string(path).map_err(|e| CostError::UsageUnreadable {
        path: path.display().to_string(),
        source: std::sync::Arc::new(e),
    })?;
    let u: Usage = crate::domain::tomlfile::parse(&text).map_err(|e| CostError::Invalid {
        place: format!("{}:", path.display()),
        problem: e.to_string(),
    })?;
    // A range error names the key; the line is where the key is written.
    u.check().map_err(|e| {
        let line = e
            .field()
            .and_then(|f| key_line(&text, f.key()))
            .map(|l| format!("{l}: "))
            .unwrap_or_else(|| " ".into());
        CostError::Invalid {
            place: format!("{}:{line}", path.display()),
            problem: e.to_string(),
        }
    })?;
    Ok(u)
}

/// The 1-based line on which `key = …` is written, if it is.
fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

/// The manifest of the release `latest` serves; `None` when none is served. The bundle and the
/// advice are both derived from it, so it is read once.
pub async fn latest_manifest(ctx: &Context) -> Result<Option<Manifest>> {
    let (state, _) = load_state(ctx).await?;
    match state.core.aliases.get(&AliasName::Latest) {
        Some(r) => Ok(Some(require_manifest(ctx, &r.target).await?)),
        None => Ok(None),
    }
}

/// Bundle sizes from a release's manifest, and where they come from.
pub fn measured_bundle(m: &Manifest) -> (Bundle, String) {
    // What a page loads (the domain's one rule), in gzip and, when recorded, Brotli bytes.
    let loaded: Vec<&crate::domain::manifest::FileEntry> =
        crate::domain::manifest::page_load(m.files.iter().map(|f| f.path.as_str()))
            .into_iter()
            .map(|i| &m.files[i])
            .collect();
    let per_load: u64 = loaded.iter().map(|f| f.gzip_size).sum();
    let brotli = loaded
        .iter()
        .map(|f| f.brotli_size)
        .collect::<Option<Vec<u64>>>()
        .filter(|b| !b.is_empty())
        .map(|b| b.iter().sum::<u64>() as f64);
    let bundle = Bundle {
        bytes_per_load: per_load as f64,
        brotli_bytes_per_load: brotli,
        release_bytes: m.total_size() as f64,
        files_per_release: m.files.len() as f64,
    };
    (
        bundle,
        format!("manifest of {} (served by latest)", m.version),
    )
}

/// What the advice needs beyond prices and usage: the files of the release `latest` serves
/// (`latest`, as [`latest_manifest`] read it), the alias cache lifetime, and the CDN paths of
/// the last 30 days from history.
pub async fn advice_facts(ctx: &Context, latest: Option<&Manifest>) -> Result<advice::Facts> {
    let files = latest
        .map(|m| {
            m.files
                .iter()
                .map(|f| (f.path.clone(), f.size, f.gzip_size))
                .collect()
        })
        .unwrap_or_default();
    let since = chrono::Utc::now() - chrono::Duration::days(30);
    let paths = read_history(ctx, Some(1000))
        .await?
        .iter()
        .filter(|e| e.at >= since && e.outcome == "ok")
        .map(|e| e.changes.len() as f64)
        .sum();
    Ok(advice::Facts {
        version: latest.map(|m| m.version.to_string()),
        files,
        alias_max_age: advice::max_age(&ctx.alias_cache_control).unwrap_or(300.0),
        paths_last_30_days: paths,
    })
}

/// The oldest date among a pricing file's prices, and its age in days on `today`.
pub fn price_age(table: &PriceTable, today: chrono::NaiveDate) -> Option<(String, i64)> {
    let oldest = table.prices.iter().map(|p| p.date.as_str()).min()?;
    let d = chrono::NaiveDate::parse_from_str(oldest, "%Y-%m-%d").ok()?;
    Some((oldest.to_string(), (today - d).num_days()))
}

/// A bundle of `kb` gzip KB per load, for when no release can be measured: a release of
/// about five times that, in the widget's 7 files.
pub fn assumed_bundle(kb: f64) -> Bundle {
    Bundle {
        bytes_per_load: kb * 1024.0,
        brotli_bytes_per_load: None,
        release_bytes: kb * 1024.0 * 5.0,
        files_per_release: 7.0,
    }
}

/// Where the bundle sizes of an estimate come from, in order of precedence: `--bundle-kb`, the
/// usage file's `bundle_kb`, the manifest of the release `latest` serves, and (only where
/// nobody can be asked, as in the console) a typical size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BundleChoice {
    /// `--bundle-kb`.
    pub flag_kb: Option<f64>,
    /// Assume a typical bundle when nothing is served and no size is given (else refuse,
    /// asking for `--bundle-kb`).
    pub assume_when_unserved: bool,
}

/// The size assumed when nothing can be measured and none was given.
pub const TYPICAL_BUNDLE_KB: f64 = 60.0;

/// Bundle sizes and a phrase saying where they come from (see [`BundleChoice`]). Release sizes
/// come from the manifest whenever there is one.
pub fn bundle(
    latest: Option<&Manifest>,
    usage: &Usage,
    choice: BundleChoice,
) -> Result<(Bundle, String)> {
    let given = match (choice.flag_kb, usage.bundle_kb) {
        (Some(kb), _) => Some((kb, format!("--bundle-kb {kb}"))),
        (None, Some(kb)) => Some((kb, format!("usage file's bundle_kb = {kb}"))),
        (None, None) => None,
    };
    match (given, latest.map(measured_bundle)) {
        (Some((kb, from)), measured) => {
            let mut b = assumed_bundle(kb);
            if let Some((m, _)) = measured {
                b.release_bytes = m.release_bytes;
                b.files_per_release = m.files_per_release;
            }
            Ok((b, from))
        }
        (None, Some(measured)) => Ok(measured),
        (None, None) if choice.assume_when_unserved => Ok((
            assumed_bundle(TYPICAL_BUNDLE_KB),
            format!(
                "a typical {TYPICAL_BUNDLE_KB} KB: no release is served by latest yet and the usage file sets no bundle_kb"
            ),
        )),
        (None, None) => Err(CostError::NoBundle.into()),
    }
}

/// The usage an estimate starts from: the usage file (`--usage`, else the profile's), else the
/// defaults.
pub fn base_usage(file: Option<&Path>) -> Result<Usage> {
    match file {
        Some(p) => usage_file(p),
        None => Ok(Usage::default()),
    }
}

/// Everything an estimate is computed from, read once (prices, the release `latest` serves,
/// history): the CLI computes one report from it, the console one per keystroke, with the same
/// function ([`CostInputs::report`]), so the two cannot disagree.
#[derive(Debug, Clone)]
pub struct CostInputs {
    /// The usage file's figures (traffic may be overridden per report).
    pub usage: Usage,
    pub bundle: Bundle,
    pub bundle_from: String,
    /// Price tables, in the order the estimates are shown.
    pub tables: Vec<(Provider, PriceTable)>,
    pub facts: advice::Facts,
    /// The day prices' ages are counted to (read once, with the rest).
    pub today: chrono::NaiveDate,
}

/// Reads what an estimate for `providers` needs.
pub async fn inputs(
    ctx: &Context,
    usage: Usage,
    choice: BundleChoice,
    providers: &[Provider],
) -> Result<CostInputs> {
    let latest = latest_manifest(ctx).await?;
    let (bundle, bundle_from) = bundle(latest.as_ref(), &usage, choice)?;
    let facts = advice_facts(ctx, latest.as_ref()).await?;
    let tables = providers
        .iter()
        .map(|p| Ok((*p, pricing(ctx, *p)?)))
        .collect::<Result<_>>()?;
    Ok(CostInputs {
        usage,
        bundle,
        bundle_from,
        tables,
        facts,
        today: chrono::Utc::now().date_naive(),
    })
}

/// Everything `shipdeck cost` shows, for each provider asked.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CostReport {
    pub usage: Usage,
    pub scale: f64,
    pub bundle: Bundle,
    pub bundle_from: String,
    pub estimates: Vec<crate::domain::cost::Estimate>,
    /// Each estimate's total at 1× traffic (equal to the total when scale is 1).
    #[serde(skip)]
    pub base_totals: Vec<f64>,
    /// The usage file's reference figures against each estimate.
    pub comparisons: BTreeMap<Provider, Vec<crate::domain::cost::stack::Comparison>>,
    /// Advice per provider, computed from the release `latest` serves.
    pub advice: BTreeMap<Provider, Vec<advice::Advice>>,
    /// Per provider: how old its prices are.
    pub prices: BTreeMap<Provider, PriceAge>,
    /// The estimates side by side: CDN delivery, storage, and the rest (the Bridge's stack,
    /// fixed items), one amount per estimate, in the estimates' order; each column adds up to
    /// its estimate's total.
    pub side_by_side: Vec<SideRow>,
}

/// One row of the side-by-side view.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SideRow {
    pub label: &'static str,
    pub amounts: Vec<f64>,
}

/// CDN, storage and the rest of each estimate; the rest is the total minus the first two, so
/// the rows always sum to the total.
fn side_by_side(estimates: &[crate::domain::cost::Estimate]) -> Vec<SideRow> {
    let sub = |e: &crate::domain::cost::Estimate, names: [&str; 2]| -> f64 {
        e.subtotals()
            .into_iter()
            .filter(|(n, _)| names.contains(&n.as_str()))
            .map(|(_, v)| v)
            .sum()
    };
    let cdn: Vec<f64> = estimates
        .iter()
        .map(|e| sub(e, ["CloudFront", "Front Door"]))
        .collect();
    let storage: Vec<f64> = estimates
        .iter()
        .map(|e| sub(e, ["S3", "Blob Storage"]))
        .collect();
    let rest = estimates
        .iter()
        .enumerate()
        .map(|(i, e)| {
            // What is left after float subtraction of equal parts is zero, not -0.000…1.
            let rest = e.total - cdn[i] - storage[i];
            if rest.abs() < 1e-9 * e.total.abs().max(1.0) {
                0.0
            } else {
                rest
            }
        })
        .collect();
    vec![
        SideRow {
            label: "CDN delivery",
            amounts: cdn,
        },
        SideRow {
            label: "Storage",
            amounts: storage,
        },
        SideRow {
            label: "Bridge and other",
            amounts: rest,
        },
    ]
}

/// The oldest price of a pricing file: its date and age in days.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PriceAge {
    pub oldest: String,
    pub days: i64,
}

impl CostInputs {
    /// Estimates, comparisons and advice for `usage` (the inputs' own, or edited) at `scale`
    /// times its traffic. Pure: no IO.
    pub fn report(&self, usage: &Usage, scale: f64) -> Result<CostReport> {
        use crate::domain::cost::{estimate, scaled, stack::compare};
        let mut r = CostReport {
            usage: usage.clone(),
            scale,
            bundle: self.bundle,
            bundle_from: self.bundle_from.clone(),
            estimates: Vec::new(),
            base_totals: Vec::new(),
            comparisons: BTreeMap::new(),
            advice: BTreeMap::new(),
            prices: BTreeMap::new(),
            side_by_side: Vec::new(),
        };
        let scaled_usage = scaled(usage, scale);
        let cfg = |e: crate::domain::cost::PriceError| CostError::Invalid {
            place: String::new(),
            problem: e.to_string(),
        };
        for (p, table) in &self.tables {
            let base = estimate(table, usage, &self.bundle).map_err(cfg)?;
            r.base_totals.push(base.total);
            let e = if scale == 1.0 {
                base
            } else {
                estimate(table, &scaled_usage, &self.bundle).map_err(cfg)?
            };
            r.comparisons.insert(*p, compare(&e, &usage.reference));
            r.advice.insert(
                *p,
                advice::advise(table, &scaled_usage, &self.bundle, &self.facts).map_err(cfg)?,
            );
            // Prices and usage are bounded so this cannot happen; if it ever does, say so
            // rather than print `$inf`.
            if let Some(l) = e.lines.iter().find(|l| !l.monthly.is_finite()) {
                return Err(CostError::NotFinite {
                    provider: *p,
                    line: l.name.clone(),
                }
                .into());
            }
            if let Some((oldest, days)) = price_age(table, self.today) {
                r.prices.insert(*p, PriceAge { oldest, days });
            }
            r.estimates.push(e);
        }
        r.side_by_side = side_by_side(&r.estimates);
        Ok(r)
    }
}

/// Estimates, comparisons and advice for `providers` at `scale` times the traffic.
pub async fn report(
    ctx: &Context,
    usage: Usage,
    choice: BundleChoice,
    providers: &[Provider],
    scale: f64,
) -> Result<CostReport> {
    let inputs = inputs(ctx, usage, choice, providers).await?;
    inputs.report(&inputs.usage, scale)
}
