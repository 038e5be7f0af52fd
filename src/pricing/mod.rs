//! Public price lists that `shipdeck pricing update` reads: the Azure Retail Prices API (no
//! account needed) and the AWS Price List API (the profile's AWS credentials). One small trait,
//! one file per source; what an answer means is decided in `domain::cost::update`.

pub mod aws;
pub mod azure;

use crate::domain::cost::update::Query;
use async_trait::async_trait;
use serde_json::Value;

/// A price list that answers queries with raw items (Azure) or products (AWS).
#[async_trait]
pub trait PriceList: Send + Sync {
    fn describe(&self) -> String;
    /// The items or products the query finds; `Err` says why there is no answer (the price
    /// then keeps its old value, and the report says why).
    async fn fetch(&self, q: &Query) -> Result<Vec<Value>, FetchError>;
}

/// Why a price list gave no answer to one query.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    /// A query written for the other provider's list (a programming error, said plainly).
    #[error("not a query for {list}")]
    WrongList { list: &'static str },
    #[error("the filter {field}={value} is not valid ({reason})")]
    BadFilter {
        field: String,
        value: String,
        reason: String,
    },
    #[error("the AWS Price List API refused ({code}); check the profile's AWS credentials")]
    Refused { code: String },
    #[error("'{url}' is not a URL ({reason}); check SHIPDECK_AZURE_PRICES_URL")]
    BadUrl { url: String, reason: String },
    #[error("{url} did not answer ({reason})")]
    NoAnswer { url: String, reason: String },
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url} answered something that is not JSON")]
    NotJson { url: String },
}
