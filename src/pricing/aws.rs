//! The AWS Price List API (`aws-sdk-pricing`, `GetProducts` with TERM_MATCH filters), in
//! us-east-1 as AWS serves it, with the profile's AWS credentials and Shipdeck's timeouts.

use super::{FetchError, PriceList};
use crate::adapters::aws::{AwsSettings, sdk_config};
use crate::domain::cost::update::Query;
use async_trait::async_trait;
use aws_sdk_pricing::types::{Filter, FilterType};
use serde_json::Value;

/// The most pages followed for one query.
const MAX_PAGES: usize = 10;

pub struct AwsPriceList {
    client: aws_sdk_pricing::Client,
    endpoint: Option<String>,
}

impl AwsPriceList {
    pub async fn connect(settings: &AwsSettings) -> AwsPriceList {
        let mut s = settings.clone();
        // The Price List API answers from us-east-1 whatever the profile's region.
        s.region = "us-east-1".into();
        let sdk = sdk_config(&s).await;
        let mut b = aws_sdk_pricing::config::Builder::from(&sdk);
        if let Some(ep) = &s.endpoint {
            b = b.endpoint_url(ep);
        }
        AwsPriceList {
            client: aws_sdk_pricing::Client::from_conf(b.build()),
            endpoint: s.endpoint.clone(),
        }
    }
}

#[async_trait]
impl PriceList for AwsPriceList {
    fn describe(&self) -> String {
        match &self.endpoint {
            Some(e) => format!("the AWS Price List API at {e}"),
            None => "the AWS Price List API".into(),
        }
    }

    async fn fetch(&self, q: &Query) -> Result<Vec<Value>, FetchError> {
        let Query::Aws { service, filters } = q else {
            return Err(FetchError::WrongList {
                list: "the AWS Price List API",
            });
        };
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut req = self
                .client
                .get_products()
                .service_code(service)
                .format_version("aws_v1")
                .max_results(100)
                .set_next_token(token.clone());
            for (field, value) in filters {
                let f = Filter::builder()
                    .r#type(FilterType::TermMatch)
                    .field(field)
                    .value(value)
                    .build()
                    .map_err(|e| FetchError::BadFilter {
                        field: field.to_string(),
                        value: value.to_string(),
                        reason: e.to_string(),
                    })?;
                req = req.filters(f);
            }
            let page = req.send().await.map_err(|e| {
                use aws_sdk_pricing::error::ProvideErrorMetadata;
                FetchError::Refused {
                    code: e.code().unwrap_or("no answer").to_string(),
                }
            })?;
            for doc in page.price_list() {
                if let Ok(v) = serde_json::from_str::<Value>(doc) {
                    out.push(v);
                }
            }
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        Ok(out)
    }
}
