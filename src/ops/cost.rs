//! The cost use case: pricing files (built in, or the user's), a usage file, and bundle sizes
//! from the manifest of the release `latest` serves.

use super::Context;
use super::records::{load_state, require_manifest};
use crate::domain::alias::AliasName;
use crate::domain::cost::{Bundle, PriceTable, Usage};
use crate::error::{Error, Result};
use std::path::Path;

const BUILTIN: [(&str, &str); 2] = [
    ("aws", include_str!("../../assets/pricing/aws.toml")),
    ("azure", include_str!("../../assets/pricing/azure.toml")),
];

/// Loads the pricing file of `provider`: `PROVIDER.toml` in the profile's pricing override
/// folder (`pricing/` in the config dir, found by the session) if present, else the built-in.
pub fn pricing(ctx: &Context, provider: &str) -> Result<PriceTable> {
    if let Some(dir) = &ctx.pricing_dir {
        let p = dir.join(format!("{provider}.toml"));
        if p.is_file() {
            let text = std::fs::read_to_string(&p)
                .map_err(|e| Error::Config(format!("cannot read '{}': {e}", p.display())))?;
            return PriceTable::parse(&text)
                .map_err(|e| Error::Config(format!("{}:{e}", p.display())));
        }
    }
    builtin_pricing(provider)
}

/// The pricing file compiled into Shipdeck (`assets/pricing/PROVIDER.toml`).
pub fn builtin_pricing(provider: &str) -> Result<PriceTable> {
    let (_, text) = BUILTIN
        .iter()
        .find(|(n, _)| *n == provider)
        .ok_or_else(|| Error::Usage(format!("unknown provider '{provider}'; use aws or azure")))?;
    PriceTable::parse(text)
        .map_err(|e| Error::Config(format!("built-in pricing/{provider}.toml:{e}")))
}

/// Reads a usage file; errors name the file, line and key.
pub fn usage_file(path: &Path) -> Result<Usage> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::Usage(format!("cannot read usage file '{}': {e}", path.display())))?;
    let u: Usage = crate::domain::tomlfile::parse(&text)
        .map_err(|e| Error::Config(format!("{}:{e}", path.display())))?;
    // A range error names the key; the line is where the key is written.
    u.check().map_err(|e| {
        let line = e
            .field()
            .and_then(|f| key_line(&text, f.key()))
            .map(|l| format!("{l}: "))
            .unwrap_or_else(|| " ".into());
        Error::Config(format!("{}:{line}{e}", path.display()))
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

/// Bundle sizes from the manifest of the release `latest` serves; `None` when none is served.
pub async fn latest_bundle(ctx: &Context) -> Result<Option<(Bundle, String)>> {
    let (state, _) = load_state(ctx).await?;
    let Some(v) = state
        .core
        .aliases
        .get(&AliasName::Latest)
        .map(|r| r.target.clone())
    else {
        return Ok(None);
    };
    let m = require_manifest(ctx, &v).await?;
    // What a page loads: the UMD bundle (or the first top-level script) and the stylesheet.
    let script = m
        .files
        .iter()
        .find(|f| f.path.ends_with(".umd.js"))
        .or_else(|| {
            m.files
                .iter()
                .find(|f| f.path.ends_with(".js") && !f.path.contains('/'))
        });
    let css = m
        .files
        .iter()
        .find(|f| f.path.ends_with(".css") && !f.path.contains('/'));
    let per_load = script.map_or(0, |f| f.gzip_size) + css.map_or(0, |f| f.gzip_size);
    let bundle = Bundle {
        bytes_per_load: per_load as f64,
        release_bytes: m.total_size() as f64,
        files_per_release: m.files.len() as f64,
    };
    Ok(Some((
        bundle,
        format!("manifest of {v} (served by latest)"),
    )))
}

/// A bundle of `kb` gzip KB per load, for when no release can be measured: a release of
/// about five times that, in the widget's 7 files.
pub fn assumed_bundle(kb: f64) -> Bundle {
    Bundle {
        bytes_per_load: kb * 1024.0,
        release_bytes: kb * 1024.0 * 5.0,
        files_per_release: 7.0,
    }
}

/// Bundle sizes from the release `latest` serves, or `bundle_kb` when given (release sizes
/// still come from the manifest when there is one).
pub async fn bundle(ctx: &Context, bundle_kb: Option<f64>) -> Result<(Bundle, String)> {
    match (bundle_kb, latest_bundle(ctx).await?) {
        (Some(kb), measured) => {
            let mut b = assumed_bundle(kb);
            if let Some((m, _)) = measured {
                b.release_bytes = m.release_bytes;
                b.files_per_release = m.files_per_release;
            }
            Ok((b, format!("--bundle-kb {kb}")))
        }
        (None, Some(measured)) => Ok(measured),
        (None, None) => Err(Error::Refused("no release is served by `latest` in this profile, so there is no bundle to measure; pass --bundle-kb K (gzip KB a page loads)".into())),
    }
}
