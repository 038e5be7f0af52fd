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
    /// The items or products the query finds; `Err` is a sentence saying why there is no
    /// answer (the price then keeps its old value).
    async fn fetch(&self, q: &Query) -> Result<Vec<Value>, String>;
}
