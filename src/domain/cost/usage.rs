//! Monthly usage: what drives the bill, read from a usage file, flags or the Cost screen, and
//! checked for range once, where it is read.

use super::stack::{Reference, Stack, StackError};
use serde::{Deserialize, Serialize};

/// The largest count Shipdeck accepts (a trillion loads a month is far beyond any widget).
pub const MAX_COUNT: f64 = 1e12;
/// The largest monthly amount accepted for a fixed item, in the pricing currency.
pub const MAX_MONEY: f64 = 1e9;

/// A number of the usage, named the way each front end names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsageField {
    Loads,
    BrowserCacheHit,
    CdnCacheHit,
    FilesPerLoad,
    ApiRequestsPerLoad,
    ReleasesPerMonth,
    AliasMovesPerMonth,
    AliasesPerMove,
    VersionsKept,
}

impl UsageField {
    /// The key in a usage file.
    pub fn key(self) -> &'static str {
        match self {
            UsageField::Loads => "loads",
            UsageField::BrowserCacheHit => "browser_cache_hit",
            UsageField::CdnCacheHit => "cdn_cache_hit",
            UsageField::FilesPerLoad => "files_per_load",
            UsageField::ApiRequestsPerLoad => "api_requests_per_load",
            UsageField::ReleasesPerMonth => "releases_per_month",
            UsageField::AliasMovesPerMonth => "alias_moves_per_month",
            UsageField::AliasesPerMove => "aliases_per_move",
            UsageField::VersionsKept => "versions_kept",
        }
    }
}

/// Why a usage is refused: which field, which value, which range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UsageError {
    #[error("key '{}': {value} is not a share; use a number from 0 to 1 (0.95 = 95 %)", field.key())]
    NotAShare { field: UsageField, value: f64 },
    #[error("key '{}': {value} is out of range; use a number from 0 to {MAX_COUNT:e}", field.key())]
    OutOfRange { field: UsageField, value: f64 },
    #[error("key 'fixed' ('{0}'): give `monthly`, or `unit_price` with `per_api_requests`")]
    FixedIncomplete(String),
    #[error(
        "key 'fixed' ('{0}'): `monthly` and `unit_price` must be numbers from 0 to {MAX_MONEY:e}"
    )]
    FixedAmount(String),
    #[error(
        "key 'fixed' ('{0}'): `per_api_requests` must be a number above 0 and at most {MAX_COUNT:e}"
    )]
    FixedPer(String),
    #[error(transparent)]
    Stack(#[from] StackError),
    #[error(
        "key 'bundle_kb': {0} is out of range; use a number above 0 and at most 100000 (gzip KB a page loads)"
    )]
    BundleKb(f64),
    #[error(
        "key 'reference' ('{0}'): `low` and `high` must be amounts from 0 to {MAX_MONEY:e}, low first"
    )]
    Reference(String),
}

impl UsageError {
    /// The field at fault, when it is one of the numbers (not a fixed item).
    pub fn field(&self) -> Option<UsageField> {
        match self {
            UsageError::NotAShare { field, .. } | UsageError::OutOfRange { field, .. } => {
                Some(*field)
            }
            _ => None,
        }
    }

    /// The same sentence, naming the field as `name` (a flag, or a label on screen).
    pub fn naming(&self, name: &str) -> String {
        match self {
            UsageError::NotAShare { value, .. } => {
                format!("{name}: {value} is not a share; use a number from 0 to 1 (0.95 = 95 %)")
            }
            UsageError::OutOfRange { value, .. } => {
                format!("{name}: {value} is out of range; use a number from 0 to {MAX_COUNT:e}")
            }
            other => other.to_string(),
        }
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
    /// Monthly items the CDN bill does not cover, as plain amounts.
    pub fixed: Vec<FixedItem>,
    /// The Bridge's API front, compute and database, priced from the pricing files.
    pub bridge: Stack,
    /// Gzip KB a page loads, used instead of the size measured from the release `latest`
    /// serves (`--bundle-kb` overrides it; see `ops::cost::bundle` for the precedence).
    pub bundle_kb: Option<f64>,
    /// Figures to compare the estimate with (e.g. the runbook's cost table).
    pub reference: Vec<Reference>,
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
            bridge: Stack::default(),
            bundle_kb: None,
            reference: Vec::new(),
        }
    }
}

impl Usage {
    /// Checks every number for its range, naming the field at fault.
    pub fn check(&self) -> Result<(), UsageError> {
        for (field, value) in [
            (UsageField::BrowserCacheHit, self.browser_cache_hit),
            (UsageField::CdnCacheHit, self.cdn_cache_hit),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(UsageError::NotAShare { field, value });
            }
        }
        for (field, value) in [
            (UsageField::Loads, self.loads),
            (UsageField::FilesPerLoad, self.files_per_load),
            (UsageField::ApiRequestsPerLoad, self.api_requests_per_load),
            (UsageField::ReleasesPerMonth, self.releases_per_month),
            (UsageField::AliasMovesPerMonth, self.alias_moves_per_month),
            (UsageField::AliasesPerMove, self.aliases_per_move),
            (UsageField::VersionsKept, self.versions_kept),
        ] {
            if !value.is_finite() || !(0.0..=MAX_COUNT).contains(&value) {
                return Err(UsageError::OutOfRange { field, value });
            }
        }
        for f in &self.fixed {
            f.check()?;
        }
        self.bridge.check()?;
        if let Some(kb) = self.bundle_kb
            && !(kb.is_finite() && kb > 0.0 && kb <= 100_000.0)
        {
            return Err(UsageError::BundleKb(kb));
        }
        for r in &self.reference {
            let ok = |v: f64| v.is_finite() && (0.0..=MAX_MONEY).contains(&v);
            if !ok(r.low) || !ok(r.high) || r.low > r.high {
                return Err(UsageError::Reference(r.label.clone()));
            }
        }
        Ok(())
    }
}

impl FixedItem {
    fn check(&self) -> Result<(), UsageError> {
        let bad = |v: Option<f64>| v.is_some_and(|v| !(0.0..=MAX_MONEY).contains(&v));
        if bad(self.monthly) || bad(self.unit_price) {
            return Err(UsageError::FixedAmount(self.name.clone()));
        }
        if self
            .per_api_requests
            .is_some_and(|v| !v.is_finite() || v <= 0.0 || v > MAX_COUNT)
        {
            return Err(UsageError::FixedPer(self.name.clone()));
        }
        if self.monthly.is_none() && (self.unit_price.is_none() || self.per_api_requests.is_none())
        {
            return Err(UsageError::FixedIncomplete(self.name.clone()));
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
    pub provider: Option<super::Provider>,
}
