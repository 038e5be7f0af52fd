//! State of the Cost screen: the inputs a release manager edits in place, and the data the
//! estimate is computed from. The estimate itself is recomputed from this state on every draw
//! (it is pure and takes microseconds), so totals follow every keystroke.

use crate::domain::cost::{Bundle, Estimate, PriceTable, Usage, estimate, scaled};

/// Pricing and bundle data, loaded by the worker.
#[derive(Debug, Clone)]
pub struct CostData {
    pub aws: PriceTable,
    pub azure: PriceTable,
    pub bundle: Bundle,
    pub bundle_from: String,
}

/// The editable inputs, in order.
pub const FIELDS: [&str; 4] = [
    "loads/month",
    "browser cache hit",
    "CDN cache hit",
    "scale ×",
];

#[derive(Debug, Clone)]
pub struct CostScreen {
    pub data: Option<Result<CostData, String>>,
    pub fields: [String; 4],
    pub editing: Option<usize>,
}

impl Default for CostScreen {
    fn default() -> Self {
        let u = Usage::default();
        CostScreen {
            data: None,
            fields: [
                format!("{}", u.loads),
                format!("{}", u.browser_cache_hit),
                format!("{}", u.cdn_cache_hit),
                "1".into(),
            ],
            editing: None,
        }
    }
}

impl CostScreen {
    /// The usage the fields describe, or which field is wrong.
    pub fn usage(&self) -> Result<(Usage, f64), String> {
        let num = |i: usize| {
            self.fields[i]
                .trim()
                .replace('_', "")
                .parse::<f64>()
                .map_err(|_| format!("{}: '{}' is not a number", FIELDS[i], self.fields[i]))
        };
        let u = Usage {
            loads: num(0)?,
            browser_cache_hit: num(1)?,
            cdn_cache_hit: num(2)?,
            ..Usage::default()
        };
        u.check().map_err(|e| {
            e.replace("key 'browser_cache_hit'", FIELDS[1])
                .replace("key 'cdn_cache_hit'", FIELDS[2])
                .replace("key 'loads'", FIELDS[0])
        })?;
        let scale = num(3)?;
        if scale <= 0.0 {
            return Err(format!("{}: must be above 0", FIELDS[3]));
        }
        Ok((u, scale))
    }

    /// AWS and Azure estimates for the current inputs.
    pub fn estimates(&self) -> Result<Vec<Estimate>, String> {
        let data = match &self.data {
            Some(Ok(d)) => d,
            Some(Err(e)) => return Err(e.clone()),
            None => return Err("loading prices…".into()),
        };
        let (u, scale) = self.usage()?;
        let u = scaled(&u, scale);
        Ok(vec![
            estimate(&data.aws, &u, &data.bundle)?,
            estimate(&data.azure, &u, &data.bundle)?,
        ])
    }

    /// Rows of the breakdown table (for selection bounds).
    pub fn rows(&self) -> usize {
        self.estimates()
            .map_or(0, |es| es.iter().map(|e| e.lines.len() + 1).sum())
    }
}
