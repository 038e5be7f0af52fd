//! Amazon CloudWatch (aws-sdk-cloudwatch, pinned below 1.100: later versions speak
//! rpc-v2-cbor, which the test peer moto does not serve; 1.99 speaks awsQuery, which CloudWatch
//! serves too). Statistic sets in with `PutMetricData`, alarms with `PutMetricAlarm` and
//! `DescribeAlarms` — with Shipdeck's bounded waits and one sentence per failure.

use super::{MetricsError, MetricsSink};
use crate::adapters::aws::{AwsSettings, Service, explain, sdk_config};
use crate::domain::alarm::{Alarm, Existing};
use crate::domain::metrics::Datum;
use aws_sdk_cloudwatch::primitives::DateTime as AwsTime;
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, Metric, MetricDataQuery, MetricDatum, MetricStat, StandardUnit,
    StatisticSet,
};

const SERVICE: &str = "CloudWatch";

pub struct CloudWatch {
    client: aws_sdk_cloudwatch::Client,
    settings: AwsSettings,
}

impl CloudWatch {
    /// A client for the profile's region; the endpoint is the profile's, else the standard
    /// `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_CLOUDWATCH` the SDK reads, else AWS's.
    pub async fn connect(settings: AwsSettings) -> CloudWatch {
        let sdk = sdk_config(&settings).await;
        let mut b = aws_sdk_cloudwatch::config::Builder::from(&sdk);
        if let Some(ep) = &settings.endpoint {
            b = b.endpoint_url(ep);
        }
        CloudWatch {
            client: aws_sdk_cloudwatch::Client::from_conf(b.build()),
            settings,
        }
    }

    fn fail<E>(
        &self,
        what: &'static str,
        e: aws_sdk_cloudwatch::error::SdkError<E, aws_sdk_cloudwatch::config::http::HttpResponse>,
    ) -> MetricsError
    where
        E: aws_sdk_cloudwatch::error::ProvideErrorMetadata
            + std::error::Error
            + Send
            + Sync
            + 'static,
    {
        MetricsError::Call {
            service: SERVICE,
            what,
            reason: explain(&e, &self.settings, Service::CloudWatch),
            source: Some(std::sync::Arc::new(e)),
        }
    }
}

fn dim(name: &str, value: &str) -> Dimension {
    Dimension::builder().name(name).value(value).build()
}

fn datum(d: &Datum) -> MetricDatum {
    let mut dims = vec![dim("Version", &d.version)];
    if let Some(t) = d.file_type {
        dims.push(dim("FileType", t.name()));
    }
    MetricDatum::builder()
        .metric_name(d.metric.as_str())
        .set_dimensions(Some(dims))
        .timestamp(AwsTime::from_secs(d.at.timestamp()))
        .statistic_values(
            StatisticSet::builder()
                .sample_count(d.sample_count as f64)
                .sum(d.sum as f64)
                .minimum(d.min as f64)
                .maximum(d.max as f64)
                .build(),
        )
        .unit(StandardUnit::from(d.metric.unit()))
        .build()
}

/// The alarm's queries: one `Sum` per file type and their total, which the alarm watches.
fn queries(a: &Alarm) -> Vec<MetricDataQuery> {
    let period = i32::try_from(a.period_secs).unwrap_or(i32::MAX);
    let mut q: Vec<MetricDataQuery> = a
        .file_types
        .iter()
        .map(|t| {
            MetricDataQuery::builder()
                .id(format!("m_{}", t.name()))
                .metric_stat(
                    MetricStat::builder()
                        .metric(
                            Metric::builder()
                                .namespace(&a.namespace)
                                .metric_name(a.metric.as_str())
                                .dimensions(dim("Version", &a.version))
                                .dimensions(dim("FileType", t.name()))
                                .build(),
                        )
                        .period(period)
                        .stat("Sum")
                        .build(),
                )
                .return_data(false)
                .build()
        })
        .collect();
    q.push(
        MetricDataQuery::builder()
            .id("total")
            .expression("SUM(METRICS())")
            .label(format!("downloads of {}", a.version))
            .return_data(true)
            .build(),
    );
    q
}

#[async_trait::async_trait]
impl MetricsSink for CloudWatch {
    fn describe(&self) -> String {
        match &self.settings.endpoint {
            Some(ep) => format!("CloudWatch at {ep}"),
            None => format!("CloudWatch in {}", self.settings.region),
        }
    }

    async fn put(&self, namespace: &str, data: &[Datum]) -> Result<(), MetricsError> {
        self.client
            .put_metric_data()
            .namespace(namespace)
            .set_metric_data(Some(data.iter().map(datum).collect()))
            .send()
            .await
            .map_err(|e| self.fail("take the metrics", e))?;
        Ok(())
    }

    async fn put_alarm(&self, a: &Alarm) -> Result<(), MetricsError> {
        let op = match a.comparison {
            crate::domain::alarm::Comparison::GreaterThanThreshold => {
                ComparisonOperator::GreaterThanThreshold
            }
            crate::domain::alarm::Comparison::LessThanThreshold => {
                ComparisonOperator::LessThanThreshold
            }
        };
        self.client
            .put_metric_alarm()
            .alarm_name(&a.name)
            .alarm_description(&a.description)
            .set_metrics(Some(queries(a)))
            .comparison_operator(op)
            .threshold(a.threshold)
            .evaluation_periods(1)
            .treat_missing_data(a.treat_missing)
            .set_alarm_actions((!a.actions.is_empty()).then(|| a.actions.clone()))
            .send()
            .await
            .map_err(|e| self.fail("create the alarm", e))?;
        Ok(())
    }

    /// Only the name and description are read back: the description carries the fingerprint
    /// of everything Shipdeck set.
    async fn alarms(&self, prefix: &str) -> Result<Vec<Existing>, MetricsError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let r = self
                .client
                .describe_alarms()
                .alarm_name_prefix(prefix)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| self.fail("list the alarms", e))?;
            for m in r.metric_alarms() {
                out.push(Existing {
                    name: m.alarm_name().unwrap_or_default().to_string(),
                    description: m.alarm_description().unwrap_or_default().to_string(),
                });
            }
            match r.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => return Ok(out),
            }
        }
    }
}
