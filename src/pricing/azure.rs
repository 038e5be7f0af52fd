//! The Azure Retail Prices API (`https://prices.azure.com/api/retail/prices`): public, no
//! account; an OData `$filter` per price, answers paged through `NextPageLink`.

use super::{FetchError, PriceList};
use crate::domain::cost::update::Query;
use async_trait::async_trait;
use serde_json::Value;
use std::time::Duration;

pub const DEFAULT_URL: &str = "https://prices.azure.com/api/retail/prices";
/// The most pages followed for one query (a precise filter answers in one).
const MAX_PAGES: usize = 10;

pub struct AzureRetail {
    url: String,
    http: reqwest::Client,
}

impl AzureRetail {
    /// `url` overrides the API's address (a mirror, or a stand-in in tests).
    pub fn new(url: Option<String>) -> AzureRetail {
        AzureRetail {
            url: url.unwrap_or_else(|| DEFAULT_URL.to_string()),
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
        }
    }
}

#[async_trait]
impl PriceList for AzureRetail {
    fn describe(&self) -> String {
        format!("the Azure Retail Prices API ({})", self.url)
    }

    async fn fetch(&self, q: &Query) -> Result<Vec<Value>, FetchError> {
        let Query::Azure(filter) = q else {
            return Err(FetchError::WrongList {
                list: "the Azure Retail Prices API",
            });
        };
        let mut url = reqwest::Url::parse(&self.url).map_err(|e| FetchError::BadUrl {
            url: self.url.clone(),
            reason: e.to_string(),
        })?;
        url.query_pairs_mut()
            .append_pair("api-version", "2023-01-01-preview")
            .append_pair("currencyCode", "USD")
            .append_pair("$filter", filter);
        let mut items = Vec::new();
        let mut next = Some(url.to_string());
        let mut pages = 0;
        while let Some(u) = next.take() {
            pages += 1;
            let resp = self
                .http
                .get(&u)
                .send()
                .await
                .map_err(|e| FetchError::NoAnswer {
                    url: self.url.clone(),
                    reason: e.without_url().to_string(),
                })?;
            let status = resp.status().as_u16();
            if status != 200 {
                return Err(FetchError::Status {
                    url: self.url.clone(),
                    status,
                });
            }
            let bytes = resp.bytes().await.map_err(|e| FetchError::NoAnswer {
                url: self.url.clone(),
                reason: e.without_url().to_string(),
            })?;
            let body: Value = serde_json::from_slice(&bytes).map_err(|_| FetchError::NotJson {
                url: self.url.clone(),
            })?;
            items.extend(body["Items"].as_array().cloned().unwrap_or_default());
            next = body["NextPageLink"]
                .as_str()
                .filter(|s| !s.is_empty() && pages < MAX_PAGES)
                .map(str::to_string);
        }
        Ok(items)
    }
}
