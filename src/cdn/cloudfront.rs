//! CloudFront (aws-sdk-cloudfront): invalidates the paths of moved aliases, never `/*` and never
//! immutable version folders, and follows each invalidation to completion.

use super::{Cdn, CdnError, Invalidation, InvalidationStatus};
use crate::adapters::aws::{AwsSettings, Service, explain, sdk_config};
use async_trait::async_trait;
use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudfront::types::{InvalidationBatch, Paths};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct CloudFront {
    client: Client,
    distribution_id: String,
    path_prefix: String,
    settings: AwsSettings,
    /// How long to follow an invalidation before reporting it as still in progress.
    pub wait: Duration,
}

impl CloudFront {
    pub async fn connect(
        distribution_id: &str,
        path_prefix: &str,
        settings: AwsSettings,
    ) -> CloudFront {
        let sdk = sdk_config(&settings).await;
        let mut b = aws_sdk_cloudfront::config::Builder::from(&sdk);
        if let Some(ep) = &settings.endpoint {
            b = b.endpoint_url(ep);
        }
        CloudFront {
            client: Client::from_conf(b.build()),
            distribution_id: distribution_id.into(),
            path_prefix: path_prefix.into(),
            settings,
            wait: Duration::from_secs(120),
        }
    }

    fn error<E, R>(&self, e: SdkError<E, R>) -> CdnError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        CdnError {
            cdn: self.describe(),
            cause: explain(&e, &self.settings, Service::CloudFront),
            source: Some(Arc::new(e)),
        }
    }

    fn refused(&self, cause: impl Into<String>) -> CdnError {
        CdnError {
            cdn: self.describe(),
            cause: cause.into(),
            source: None,
        }
    }

    async fn status_word(&self, id: &str) -> Result<String, CdnError> {
        let out = self
            .client
            .get_invalidation()
            .distribution_id(&self.distribution_id)
            .id(id)
            .send()
            .await
            .map_err(|e| self.error(e))?;
        Ok(out
            .invalidation()
            .map(|i| i.status().to_string())
            .unwrap_or_default())
    }
}

#[async_trait]
impl Cdn for CloudFront {
    fn describe(&self) -> String {
        format!("CloudFront distribution {}", self.distribution_id)
    }

    fn enabled(&self) -> bool {
        true
    }

    fn path_prefix(&self) -> &str {
        &self.path_prefix
    }

    fn path_price(&self) -> Option<(crate::domain::cost::Provider, &'static str)> {
        Some((
            crate::domain::cost::Provider::Aws,
            "cloudfront.invalidation_paths",
        ))
    }

    async fn status(&self, id: &str) -> Result<InvalidationStatus, CdnError> {
        Ok(InvalidationStatus::from_word(&self.status_word(id).await?))
    }

    async fn invalidate(&self, paths: &[String]) -> Result<Invalidation, CdnError> {
        // A caller reference unique to this request: CloudFront deduplicates on it.
        let reference = format!("shipdeck-{:016x}", rand::random::<u64>());
        let items = Paths::builder()
            .quantity(i32::try_from(paths.len()).unwrap_or(i32::MAX))
            .set_items(Some(paths.to_vec()))
            .build()
            .map_err(|e| self.refused(format!("the path list is not valid ({e})")))?;
        let batch = InvalidationBatch::builder()
            .caller_reference(reference)
            .paths(items)
            .build()
            .map_err(|e| self.refused(format!("the request is not valid ({e})")))?;
        let out = self
            .client
            .create_invalidation()
            .distribution_id(&self.distribution_id)
            .invalidation_batch(batch)
            .send()
            .await
            .map_err(|e| self.error(e))?;
        let inv = out
            .invalidation()
            .ok_or_else(|| self.refused("CloudFront returned no invalidation"))?;
        let id = inv.id().to_string();
        let mut word = inv.status().to_string();
        let start = Instant::now();
        let mut delay = Duration::from_millis(500);
        while InvalidationStatus::from_word(&word) != InvalidationStatus::Completed
            && start.elapsed() < self.wait
        {
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(10));
            word = self.status_word(&id).await?;
        }
        let status = match InvalidationStatus::from_word(&word) {
            InvalidationStatus::Completed => InvalidationStatus::Completed,
            InvalidationStatus::InProgress { .. } => InvalidationStatus::InProgress {
                waited_s: self.wait.as_secs(),
            },
            other => other,
        };
        Ok(Invalidation { id, status })
    }
}
