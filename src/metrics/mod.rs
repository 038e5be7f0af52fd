//! The port for publishing the runbook's metrics and keeping alarms on them: a metrics service
//! that takes statistic sets and alarm definitions (CloudWatch; the tests run it on moto). The
//! `metrics publish` and `alerts sync` use cases drive it; each service is one file.
//!
//! It is a port of its own, beside `logs` and `store`, so that the service never imports the
//! use cases that call it.

pub mod cloudwatch;

use crate::adapters::Cause;
use crate::domain::alarm::{Alarm, Existing};
use crate::domain::metrics::Datum;

/// Why the metrics service did not do what was asked, in words a user can act on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum MetricsError {
    /// The service refused or failed a call; `reason` is the adapter's sentence.
    #[error("{service} could not {what}: {reason}")]
    Call {
        service: &'static str,
        what: &'static str,
        reason: String,
        #[source]
        source: Option<Cause>,
    },
}

/// A metrics service: statistic sets in, alarms kept.
#[async_trait::async_trait]
pub trait MetricsSink: Send + Sync {
    /// `CloudWatch in eu-west-1`.
    fn describe(&self) -> String;
    /// Sends one call's worth of data points (the caller batches).
    async fn put(&self, namespace: &str, data: &[Datum]) -> Result<(), MetricsError>;
    /// The alarms whose names start with `prefix`.
    async fn alarms(&self, prefix: &str) -> Result<Vec<Existing>, MetricsError>;
    /// Creates or replaces one alarm.
    async fn put_alarm(&self, alarm: &Alarm) -> Result<(), MetricsError>;
}

/// Data points per call: CloudWatch takes at most 1,000 per `PutMetricData` (and 1 MB).
pub const MAX_PER_CALL: usize = 500;
