//! CloudFront (aws-sdk-cloudfront): invalidates the paths of moved aliases, never `/*` and never
//! immutable version folders, and follows each invalidation to completion.

use super::{Cdn, Invalidation};
use crate::store::s3::{AwsSettings, explain, sdk_config};
use async_trait::async_trait;
use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::types::{InvalidationBatch, Paths};
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

    fn error<
        E: aws_sdk_cloudfront::error::ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    >(
        &self,
        e: &aws_sdk_cloudfront::error::SdkError<E, R>,
    ) -> String {
        format!(
            "CloudFront {}: {}",
            self.distribution_id,
            explain(e, &self.settings)
        )
    }

    /// The current status of an invalidation.
    pub async fn status(&self, id: &str) -> Result<String, String> {
        let out = self
            .client
            .get_invalidation()
            .distribution_id(&self.distribution_id)
            .id(id)
            .send()
            .await
            .map_err(|e| self.error(&e))?;
        Ok(out
            .invalidation()
            .map(|i| i.status().to_string())
            .unwrap_or_default())
    }
}

#[async_trait]
impl Cdn for CloudFront {
    fn describe(&self) -> String {
        format!("CloudFront {}", self.distribution_id)
    }

    fn enabled(&self) -> bool {
        true
    }

    fn path_prefix(&self) -> &str {
        &self.path_prefix
    }

    fn path_price(&self) -> Option<(&'static str, &'static str)> {
        Some(("aws", "cloudfront.invalidation_paths"))
    }

    async fn invalidate(&self, paths: &[String]) -> Result<Invalidation, String> {
        let batch = InvalidationBatch::builder()
            .caller_reference(format!("shipdeck-{}", crate::ops::new_id()))
            .paths(
                Paths::builder()
                    .quantity(paths.len() as i32)
                    .set_items(Some(paths.to_vec()))
                    .build()
                    .map_err(|e| e.to_string())?,
            )
            .build()
            .map_err(|e| e.to_string())?;
        let out = self
            .client
            .create_invalidation()
            .distribution_id(&self.distribution_id)
            .invalidation_batch(batch)
            .send()
            .await
            .map_err(|e| self.error(&e))?;
        let inv = out
            .invalidation()
            .ok_or("CloudFront returned no invalidation")?;
        let id = inv.id().to_string();
        let mut status = inv.status().to_string();
        let start = Instant::now();
        let mut delay = Duration::from_millis(500);
        // Compare case-insensitively: CloudFront says "Completed", some servers "COMPLETED".
        while !status.eq_ignore_ascii_case("completed") && start.elapsed() < self.wait {
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(10));
            status = self.status(&id).await?;
        }
        if !status.eq_ignore_ascii_case("completed") {
            status = format!(
                "{status} (still running after {} s; `shipdeck invalidate --status {id}` checks it)",
                self.wait.as_secs()
            );
        }
        Ok(Invalidation { id, status })
    }
}
