//! Pricing files: one entry per price, with its unit, tiers, source and date, checked when a
//! file is read so that a bad price is reported with its line, never used.

use crate::domain::tomlfile::TomlError;
use serde::Deserialize;

/// Why a pricing file cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PriceError {
    #[error(transparent)]
    Toml(#[from] TomlError),
    #[error("{line}: key 'price.{id}': price '{id}' {problem}")]
    Price {
        line: usize,
        id: String,
        problem: PriceProblem,
    },
    #[error("the {provider} pricing file has no price '{id}'")]
    Unknown {
        provider: super::Provider,
        id: String,
    },
}

/// What is wrong with one price entry.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PriceProblem {
    #[error("has no {0}")]
    Missing(&'static str),
    #[error("has date '{0}'; use YYYY-MM-DD, the day it was read from its source")]
    Date(String),
    #[error("has neither `price` nor `tiers`")]
    NoPrice,
    #[error("has both `price` and `tiers`; keep one")]
    BothPriceAndTiers,
    #[error(
        "has the amount {0}; prices are numbers from 0 to {MAX_UNIT_PRICE:e} and free allowances from 0 to {max_free:e}",
        max_free = super::MAX_COUNT
    )]
    Amount(f64),
    #[error("has tier {tier} ending at {up_to}, not above the previous tier")]
    TierOrder { tier: usize, up_to: f64 },
    #[error("has an unbounded tier before the last; only the last tier may be unbounded")]
    Unbounded,
    #[error("has a unit_size that is not a positive number")]
    UnitSize,
}

/// One pricing file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceTable {
    pub provider: super::Provider,
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

    fn check(&self) -> Result<(), PriceProblem> {
        if self.unit.trim().is_empty() {
            return Err(PriceProblem::Missing("unit"));
        }
        if self.source.trim().is_empty() {
            return Err(PriceProblem::Missing("source"));
        }
        if self.date.len() != 10
            || chrono::NaiveDate::parse_from_str(&self.date, "%Y-%m-%d").is_err()
        {
            return Err(PriceProblem::Date(self.date.clone()));
        }
        match (self.tiers.is_empty(), self.price) {
            (true, None) => return Err(PriceProblem::NoPrice),
            (false, Some(_)) => return Err(PriceProblem::BothPriceAndTiers),
            _ => {}
        }
        let amounts = self
            .price
            .into_iter()
            .chain(self.tiers.iter().map(|t| t.price));
        for v in amounts {
            if !(v.is_finite() && (0.0..=MAX_UNIT_PRICE).contains(&v)) {
                return Err(PriceProblem::Amount(v));
            }
        }
        if !(self.free.is_finite() && (0.0..=super::MAX_COUNT).contains(&self.free)) {
            return Err(PriceProblem::Amount(self.free));
        }
        let mut last = 0.0;
        for (i, t) in self.tiers.iter().enumerate() {
            match t.up_to {
                Some(u) if !u.is_finite() || u <= last => {
                    return Err(PriceProblem::TierOrder {
                        tier: i + 1,
                        up_to: u,
                    });
                }
                Some(u) => last = u,
                None if i + 1 != self.tiers.len() => return Err(PriceProblem::Unbounded),
                None => {}
            }
        }
        if !(self.unit_size.is_finite() && self.unit_size > 0.0) {
            return Err(PriceProblem::UnitSize);
        }
        Ok(())
    }
}

/// The largest price per unit a pricing file may hold: with usage bounded by `MAX_COUNT`, every
/// product stays finite, so an estimate never prints `$inf`.
pub const MAX_UNIT_PRICE: f64 = 1e6;

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
    pub fn parse(text: &str) -> Result<PriceTable, PriceError> {
        let t: PriceTable = crate::domain::tomlfile::parse(text)?;
        for p in &t.prices {
            p.check().map_err(|problem| PriceError::Price {
                line: text
                    .find(&format!("\"{}\"", p.id))
                    .map_or(0, |i| text[..i].matches('\n').count() + 1),
                id: p.id.clone(),
                problem,
            })?;
        }
        Ok(t)
    }

    pub fn get(&self, id: &str) -> Result<&Price, PriceError> {
        self.prices
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| PriceError::Unknown {
                provider: self.provider,
                id: id.to_string(),
            })
    }
}
