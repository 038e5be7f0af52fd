//! `shipdeck pricing update`: refresh a provider's pricing file from its public price list,
//! write it to the config dir's `pricing/` (where the cost estimate looks first) with the date
//! and the query used, and say what changed and what kept its old value.

use super::Context;
use super::cost::pricing;
use crate::domain::cost::Provider;
use crate::domain::cost::update::{
    Change, amounts_text, from_aws, from_azure, query_for, to_toml, updated,
};
use crate::error::{CostError, Result};
use crate::pricing::PriceList;
use serde::Serialize;
use std::path::PathBuf;

/// What an update found, per price.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateReport {
    pub provider: Provider,
    /// Where the new file is (or would be, on a dry run).
    pub path: PathBuf,
    pub source: String,
    pub changed: Vec<Change>,
    /// Prices found at the same value (their date moves to today).
    pub unchanged: Vec<String>,
    /// Prices that kept their old value, and why.
    pub kept: Vec<Kept>,
    pub written: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Kept {
    pub id: String,
    pub why: String,
}

/// Refreshes `provider`'s prices from `list`; writes the file unless `dry_run`.
pub async fn update(
    ctx: &Context,
    provider: Provider,
    list: &dyn PriceList,
    dry_run: bool,
) -> Result<UpdateReport> {
    let dir = ctx
        .pricing_dir
        .clone()
        .ok_or(crate::error::ProfileGap::NoConfigDir)?;
    let mut table = pricing(ctx, provider)?;
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let mut report = UpdateReport {
        provider,
        path: dir.join(format!("{provider}.toml")),
        source: list.describe(),
        changed: Vec::new(),
        unchanged: Vec::new(),
        kept: Vec::new(),
        written: false,
    };
    let mut notes = Vec::new();
    for p in &mut table.prices {
        let keep = |report: &mut UpdateReport, why: String| {
            report.kept.push(Kept {
                id: p.id.clone(),
                why,
            })
        };
        let Some(q) = query_for(provider, &p.id) else {
            keep(
                &mut report,
                format!(
                    "no public price-list query is known for it; kept {}",
                    amounts_text(p)
                ),
            );
            notes.push((
                p.id.clone(),
                "kept by `pricing update`: no public price-list query is known for it".to_string(),
            ));
            continue;
        };
        let found = match list.fetch(&q).await {
            Ok(items) => match provider {
                Provider::Azure => from_azure(&items, p),
                Provider::Aws => from_aws(&items, p),
            },
            Err(why) => {
                keep(&mut report, format!("{why}; kept {}", amounts_text(p)));
                notes.push((
                    p.id.clone(),
                    format!(
                        "kept by `pricing update` (no answer); query: {}",
                        q.describe()
                    ),
                ));
                continue;
            }
        };
        let Some(amounts) = found else {
            keep(
                &mut report,
                format!("the price list has no such price; kept {}", amounts_text(p)),
            );
            notes.push((
                p.id.clone(),
                format!(
                    "kept by `pricing update` (not found); query: {}",
                    q.describe()
                ),
            ));
            continue;
        };
        let new = updated(p, &amounts, &today, &list.describe());
        let (before, after) = (amounts_text(p), amounts_text(&new));
        if new.tiers != p.tiers || new.price != p.price || new.free != p.free {
            report.changed.push(Change {
                id: p.id.clone(),
                before,
                after,
            });
        } else {
            report.unchanged.push(p.id.clone());
        }
        notes.push((p.id.clone(), format!("query: {}", q.describe())));
        *p = new;
    }
    let header = format!(
        "Written by `shipdeck pricing update` on {today} from {}.\nEach price's query is noted above it; a price the list did not answer keeps its old value and date.\nDelete this file to go back to the prices built into Shipdeck.",
        list.describe()
    );
    let text = to_toml(&table, &header, &notes);
    // What is written must read back: the cost estimate will use it.
    crate::domain::cost::PriceTable::parse(&text).map_err(|e| CostError::UpdateInvalid {
        reason: e.to_string(),
    })?;
    if !dry_run {
        write_atomically(&dir, &report.path, &text)?;
        report.written = true;
    }
    Ok(report)
}

/// Writes `text` to `path` through a temporary file in `dir`, so a reader never sees half.
fn write_atomically(dir: &std::path::Path, path: &std::path::Path, text: &str) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| CostError::unwritable(dir, e))?;
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("pricing")
    ));
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| CostError::unwritable(path, e).into())
}
