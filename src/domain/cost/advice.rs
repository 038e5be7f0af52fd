//! The runbook's optimisation list, turned into numbers for the release `latest` serves:
//! compression, the alias cache lifetime, invalidations and the payload. Each piece of advice
//! names its assumption and its saving in the pricing currency per month, computed from the
//! same prices and usage as the estimate.

use super::price::{PriceError, PriceTable};
use super::{BYTES_PER_GB, Bundle, Usage, fmt_qty};
use crate::domain::manifest::FileType;
use serde::Serialize;

/// Seconds in the average month.
const SECONDS_PER_MONTH: f64 = 730.0 * 3600.0;
/// Edge caches that each fetch an alias file from the origin once per cache lifetime. CloudFront
/// and Front Door put a regional tier between edges and the origin, so tens, not hundreds.
pub const ORIGIN_FETCHERS: f64 = 30.0;
/// The longer alias lifetime the caching advice weighs (one hour).
pub const LONGER_ALIAS_MAX_AGE: f64 = 3600.0;

/// What the advice is computed from, besides prices and usage.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The release `latest` serves, if any.
    pub version: Option<String>,
    /// Its files: (path, bytes, gzip bytes).
    pub files: Vec<(String, u64, u64)>,
    /// `max-age` of alias files, in seconds.
    pub alias_max_age: f64,
    /// CDN paths invalidated or purged in the last 30 days (from history).
    pub paths_last_30_days: f64,
}

/// One piece of advice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Advice {
    /// `compression`, `caching`, `invalidations`, `payload` or `source-maps`.
    pub topic: String,
    pub title: String,
    /// What the figure assumes, in words.
    pub assumption: String,
    /// Saving per month in the pricing currency (0 when there is nothing to save).
    pub saving: f64,
    pub detail: String,
}

/// The price ids of one provider's delivery.
struct Ids {
    transfer: &'static str,
    origin_reads: &'static str,
    paths: &'static str,
    storage: &'static str,
}

fn ids(provider: super::Provider) -> Ids {
    match provider {
        super::Provider::Aws => Ids {
            transfer: "cloudfront.transfer_out",
            origin_reads: "s3.get",
            paths: "cloudfront.invalidation_paths",
            storage: "s3.storage",
        },
        super::Provider::Azure => Ids {
            transfer: "frontdoor.transfer_out",
            origin_reads: "blob.read_ops",
            paths: "frontdoor.purge",
            storage: "blob.storage_hot_lrs",
        },
    }
}

/// Every piece of advice for `table`'s provider.
pub fn advise(
    table: &PriceTable,
    usage: &Usage,
    bundle: &Bundle,
    facts: &Facts,
) -> Result<Vec<Advice>, PriceError> {
    let ids = ids(table.provider);
    let transfer = table.get(ids.transfer)?;
    let cdn_loads = usage.loads * (1.0 - usage.browser_cache_hit);
    let egress_gb = cdn_loads * bundle.bytes_per_load / BYTES_PER_GB;
    let transfer_cost = |gb: f64| transfer.cost(gb / transfer.unit_size);
    let mut out = Vec::new();

    // Compression: what Brotli would save on transfer at the current load.
    if let Some(br) = bundle.brotli_bytes_per_load {
        let saved_gb = cdn_loads * (bundle.bytes_per_load - br).max(0.0) / BYTES_PER_GB;
        out.push(Advice {
            topic: "compression".into(),
            title: format!(
                "Serve Brotli: {} KB instead of {} KB gzip per load",
                fmt_qty(br / 1024.0),
                fmt_qty(bundle.bytes_per_load / 1024.0)
            ),
            assumption: "every browser accepts Brotli (all current ones do over HTTPS) and the CDN compresses at quality 5, as CloudFront and Front Door do on the fly".into(),
            saving: transfer_cost(egress_gb) - transfer_cost(egress_gb - saved_gb),
            detail: format!(
                "{} GB less transfer a month at {} loads",
                fmt_qty(saved_gb),
                fmt_qty(usage.loads)
            ),
        });
    }
    out.extend(caching(table, &ids, usage, facts)?);
    out.push(invalidations(table, &ids, usage, facts)?);
    if let Some(v) = &facts.version {
        out.extend(payload(
            table,
            &ids,
            usage,
            facts,
            v,
            transfer_cost(egress_gb),
        )?);
    }
    Ok(out)
}

/// Origin fetches at the current alias lifetime against one hour, and what a rollback then costs
/// in time.
fn caching(
    table: &PriceTable,
    ids: &Ids,
    usage: &Usage,
    facts: &Facts,
) -> Result<Option<Advice>, PriceError> {
    // Origin fetches are billed as origin reads (CDN-to-origin transfer is free on both).
    let reads = table.get(ids.origin_reads)?;
    let max_age = facts.alias_max_age.max(1.0);
    if max_age >= LONGER_ALIAS_MAX_AGE {
        return Ok(None);
    }
    let fetches = |age: f64| ORIGIN_FETCHERS * usage.files_per_load * SECONDS_PER_MONTH / age;
    let fetch_cost = |age: f64| reads.cost(fetches(age) / reads.unit_size);
    Ok(Some(Advice {
        topic: "caching".into(),
        title: format!(
            "Alias cache lifetime {}: about {} origin fetches a month",
            human_seconds(max_age),
            fmt_qty(fetches(max_age))
        ),
        assumption: format!(
            "{ORIGIN_FETCHERS} edge caches each fetch every alias file once per lifetime; browsers keep an alias file as long as the lifetime"
        ),
        saving: (fetch_cost(max_age) - fetch_cost(LONGER_ALIAS_MAX_AGE)).max(0.0),
        detail: format!(
            "at {}: {} fetches, but a rollback would take up to {} (instead of {}) to reach every browser that has the file",
            human_seconds(LONGER_ALIAS_MAX_AGE),
            fmt_qty(fetches(LONGER_ALIAS_MAX_AGE)),
            human_seconds(LONGER_ALIAS_MAX_AGE),
            human_seconds(max_age)
        ),
    }))
}

/// Invalidation paths a month against the free allowance: the estimate's own count (the usage),
/// so the advice and the estimate's line say the same number; history's count of the last 30
/// days is the check beside it.
fn invalidations(
    table: &PriceTable,
    ids: &Ids,
    usage: &Usage,
    facts: &Facts,
) -> Result<Advice, PriceError> {
    let paths = table.get(ids.paths)?;
    let month = super::invalidation_paths(usage);
    // What the paths beyond the free allowance cost: the saving of staying within it.
    let now = paths.cost((month / paths.unit_size - paths.free).max(0.0));
    Ok(Advice {
        topic: "invalidations".into(),
        title: format!(
            "{} CDN path(s) a month ({} in the last 30 days of history); {} a month are free",
            fmt_qty(month),
            fmt_qty(facts.paths_last_30_days),
            fmt_qty(paths.free)
        ),
        assumption: "alias moves a month × aliases per move, as in the estimate; each moved alias is one wildcard path".into(),
        saving: now.max(0.0),
        detail: if now > 0.0 {
            format!(
                "costs {} {now:.2} a month; invalidate fewer paths (one wildcard per alias)",
                table.currency
            )
        } else {
            "within the free allowance: nothing to save".into()
        },
    })
}

/// The largest files and their share of a load; the source maps published with them.
fn payload(
    table: &PriceTable,
    ids: &Ids,
    usage: &Usage,
    facts: &Facts,
    v: &str,
    transfer_cost: f64,
) -> Result<Vec<Advice>, PriceError> {
    let cur = &table.currency;
    // Shares are of what a page load downloads (the same rule as the bytes per load), so the
    // loaded files' shares add up to 100 %; a file a page does not fetch says so instead.
    let loaded = crate::domain::manifest::page_load(facts.files.iter().map(|f| f.0.as_str()));
    let per_load: u64 = loaded.iter().map(|&i| facts.files[i].2).sum();
    let mut files: Vec<(usize, &(String, u64, u64))> = facts
        .files
        .iter()
        .enumerate()
        .filter(|(_, (p, _, _))| FileType::of(p) != FileType::Map)
        .collect();
    files.sort_by_key(|(_, f)| std::cmp::Reverse(f.2));
    let biggest: Vec<String> = files
        .iter()
        .take(3)
        .map(|(i, (p, _, gz))| {
            let share = if loaded.contains(i) && per_load > 0 {
                format!("{:.0}% of a load", *gz as f64 / per_load as f64 * 100.0)
            } else {
                "not fetched by a page load".to_string()
            };
            format!("{p} {} KB gzip ({share})", fmt_qty(*gz as f64 / 1024.0))
        })
        .collect();
    let mut out = vec![Advice {
        topic: "payload".into(),
        title: format!("Largest files of {v}: {}", biggest.join(", ")),
        assumption:
            "transfer scales with the bytes a page loads; a 10% smaller bundle is 10% less transfer"
                .into(),
        saving: transfer_cost * 0.1,
        detail: format!(
            "transfer costs {cur} {transfer_cost:.2} a month; each 10% cut from the bundle saves {cur} {:.2}",
            transfer_cost * 0.1
        ),
    }];
    let maps: Vec<&(String, u64, u64)> = facts
        .files
        .iter()
        .filter(|(p, _, _)| FileType::of(p) == FileType::Map)
        .collect();
    if !maps.is_empty() {
        let bytes: u64 = maps.iter().map(|(_, b, _)| *b).sum();
        let storage = table.get(ids.storage)?;
        // Kept releases and alias folders each hold the maps.
        let gb = bytes as f64 * (usage.versions_kept + usage.aliases_per_move) / BYTES_PER_GB;
        out.push(Advice {
            topic: "source-maps".into(),
            title: format!(
                "{} source map(s), {} KB, are published with {v}",
                maps.len(),
                fmt_qty(bytes as f64 / 1024.0)
            ),
            assumption: "browsers fetch source maps only with developer tools open, so they cost storage, not transfer".into(),
            saving: storage.cost(gb / storage.unit_size),
            detail: "they also publish the widget's source; upload them to your error tracker instead and leave them out of the CDN build".into(),
        });
    }
    Ok(out)
}

/// 300 → "5 min", 3600 → "1 h", 45 → "45 s".
pub fn human_seconds(s: f64) -> String {
    if s >= 3600.0 && (s % 3600.0) == 0.0 {
        format!("{} h", s / 3600.0)
    } else if s >= 60.0 && (s % 60.0) == 0.0 {
        format!("{} min", s / 60.0)
    } else {
        format!("{s} s")
    }
}

/// The `max-age` of a Cache-Control value, in seconds.
pub fn max_age(cache_control: &str) -> Option<f64> {
    cache_control
        .split(',')
        .filter_map(|d| d.trim().strip_prefix("max-age="))
        .find_map(|v| v.trim().parse::<f64>().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aws() -> PriceTable {
        PriceTable::parse(include_str!("../../../assets/pricing/aws.toml")).unwrap()
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    #[test]
    fn every_saving_is_computed_from_the_price_list_by_hand() {
        let usage = Usage {
            loads: 1_000_000.0,
            browser_cache_hit: 0.5,
            files_per_load: 2.0,
            versions_kept: 20.0,
            aliases_per_move: 3.0,
            alias_moves_per_month: 400.0,
            ..Usage::default()
        };
        let bundle = Bundle {
            bytes_per_load: 100.0 * 1024.0,
            brotli_bytes_per_load: Some(80.0 * 1024.0),
            release_bytes: 1e6,
            files_per_release: 7.0,
        };
        let facts = Facts {
            version: Some("1.2.0".into()),
            files: vec![
                ("msr-webchat.umd.js".into(), 300_000, 90 * 1024),
                ("msr-webchat.es.js".into(), 290_000, 88 * 1024),
                ("style.css".into(), 40_000, 10 * 1024),
                ("msr-webchat.umd.js.map".into(), 1_073_741_824 / 1000, 1),
            ],
            alias_max_age: 300.0,
            paths_last_30_days: 1100.0,
        };
        let a = advise(&aws(), &usage, &bundle, &facts).unwrap();
        let get = |t: &str| a.iter().find(|x| x.topic == t).unwrap();
        // 500,000 CDN loads × 20 KB saved = 9.5367 GB at $0.085 (first tier).
        close(
            get("compression").saving,
            500_000.0 * 20.0 * 1024.0 / BYTES_PER_GB * 0.085,
        );
        // 30 × 2 × 2,628,000 / 300 = 525,600 fetches at 300 s; 43,800 at 3600 s; $0.0004 / 1,000.
        close(
            get("caching").saving,
            (525_600.0 - 43_800.0) / 1000.0 * 0.0004,
        );
        assert!(
            get("caching")
                .detail
                .contains("up to 1 h (instead of 5 min)")
        );
        // 400 moves × 3 aliases = 1,200 paths (the estimate's count, not history's 1,100),
        // 1,000 free, $0.005 each: $1.00 a month.
        close(get("invalidations").saving, 1.0);
        assert!(
            get("invalidations")
                .title
                .starts_with("1,200 CDN path(s) a month (1,100 in the last 30 days")
        );
        // Transfer of 500,000 × 100 KB = 47.68 GB at $0.085; 10% of it.
        close(
            get("payload").saving,
            500_000.0 * 100.0 * 1024.0 / BYTES_PER_GB * 0.085 * 0.1,
        );
        // Shares are of a page load (UMD + stylesheet): they add up to 100 %, and the ES build,
        // which a page does not fetch, says so instead of claiming a share.
        let title = &get("payload").title;
        assert!(
            title.contains("msr-webchat.umd.js 90 KB gzip (90% of a load)"),
            "{title}"
        );
        assert!(
            title.contains("style.css 10 KB gzip (10% of a load)"),
            "{title}"
        );
        assert!(
            title.contains("msr-webchat.es.js 88 KB gzip (not fetched by a page load)"),
            "{title}"
        );
        // The map: 1/1000 GB in 23 folders at $0.023.
        close(get("source-maps").saving, 0.023 * 23.0 / 1000.0);
        for x in &a {
            assert!(!x.assumption.is_empty() && x.saving >= 0.0, "{x:?}");
        }
        assert_eq!(max_age("public, max-age=300"), Some(300.0));
        assert_eq!(human_seconds(45.0), "45 s");
    }
}
