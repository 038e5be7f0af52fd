//! The metrics wiring of a profile: which CloudWatch (region, endpoint, credentials) and which
//! namespace `metrics publish` and `alerts sync` use, from the profile's `metrics` table.

use super::Session;
use super::context::{log_source, traffic_cache};
use super::credentials::aws_settings;
use crate::config::{LogsConfig, StoreConfig};
use crate::domain::metrics::DEFAULT_NAMESPACE;
use crate::error::Result;
use crate::metrics::cloudwatch::CloudWatch;
use chrono::{DateTime, Utc};

/// CloudWatch as the profile names it.
pub struct MetricsTarget {
    pub sink: CloudWatch,
    pub region: String,
    pub namespace: String,
    pub actions: Vec<String>,
}

/// The region: the `metrics` table's, else the CloudFront logs', else the S3 store's, else
/// us-east-1 (where CloudFront's own metrics are).
fn region(s: &Session) -> String {
    let m = s.profile.metrics.as_ref();
    m.and_then(|m| m.region.clone())
        .or_else(|| match &s.profile.logs {
            Some(LogsConfig::Cloudfront { region, .. }) => region.clone(),
            _ => None,
        })
        .or_else(|| match &s.profile.store {
            StoreConfig::S3 { region, .. } => Some(region.clone()),
            _ => None,
        })
        .unwrap_or_else(|| "us-east-1".into())
}

pub async fn metrics_target(s: &Session) -> Result<MetricsTarget> {
    let m = s.profile.metrics.as_ref();
    let region = region(s);
    let settings =
        aws_settings(&s.profile_name, &region, m.and_then(|m| m.endpoint.clone())).await?;
    Ok(MetricsTarget {
        sink: CloudWatch::connect(settings).await,
        region,
        namespace: m
            .and_then(|m| m.namespace.clone())
            .unwrap_or_else(|| DEFAULT_NAMESPACE.into()),
        actions: m.map(|m| m.alarm_actions.clone()).unwrap_or_default(),
    })
}

/// `metrics publish`: the profile's logs since `since`, into its CloudWatch.
pub async fn publish_metrics(
    s: &Session,
    since: DateTime<Utc>,
    dry_run: bool,
) -> Result<crate::ops::metrics::Published> {
    let logs = log_source(s).await?;
    let t = metrics_target(s).await?;
    let target = crate::ops::metrics::Target {
        sink: &t.sink,
        region: t.region.clone(),
        namespace: t.namespace.clone(),
    };
    crate::ops::metrics::publish(
        &s.ctx,
        &logs,
        &traffic_cache(&s.profile_name),
        &target,
        since,
        Utc::now(),
        dry_run,
    )
    .await
}

/// `alerts sync`: the profile's rules as alarms in its CloudWatch.
pub async fn sync_alarms(s: &Session, dry_run: bool) -> Result<crate::ops::alarms::Synced> {
    let t = metrics_target(s).await?;
    crate::ops::alarms::sync(
        &t.sink,
        &s.profile_name,
        &s.profile.alerts,
        &t.namespace,
        &t.actions,
        dry_run,
    )
    .await
}
