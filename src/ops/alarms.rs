//! `alerts sync`: the profile's alert rules that CloudWatch can watch on the published metrics,
//! kept as CloudWatch alarms — planned first (create, update, unchanged), then written; rules
//! CloudWatch cannot express stay with `alerts check`, and the plan says which and why.

use crate::domain::alarm::{SyncPlan, prefix, sync_plan};
use crate::domain::alert::Rule;
use crate::error::Result;
use crate::metrics::MetricsSink;
use serde::Serialize;

/// What a sync did (or, with `--dry-run`, would do).
#[derive(Debug, Clone, Serialize)]
pub struct Synced {
    pub service: String,
    pub dry_run: bool,
    pub plan: SyncPlan,
    /// Alarms written.
    pub written: usize,
}

/// Brings the alarms under the profile's prefix in line with `rules`.
pub async fn sync(
    sink: &dyn MetricsSink,
    profile: &str,
    rules: &[Rule],
    namespace: &str,
    actions: &[String],
    dry_run: bool,
) -> Result<Synced> {
    let existing = sink.alarms(&prefix(profile)).await?;
    let plan = sync_plan(profile, rules, namespace, actions, &existing);
    let mut written = 0;
    if !dry_run {
        for alarm in plan.writes() {
            sink.put_alarm(alarm).await?;
            written += 1;
        }
    }
    Ok(Synced {
        service: sink.describe(),
        dry_run,
        plan,
        written,
    })
}
