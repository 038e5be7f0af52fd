//! The words for `metrics publish` and `alerts sync`: what was sent (or would be), from which
//! bucket to which, what was left out and why; which alarms were written and which rules stay
//! with `alerts check`.

use crate::domain::alarm::Step;
use crate::domain::metrics::MetricName;
use crate::ops::alarms::Synced;
use crate::ops::metrics::Published;
use std::collections::BTreeMap;

fn at(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Per version: downloads and average latency in the plan, for the summary lines.
fn per_version(p: &Published) -> BTreeMap<&str, (u64, u64, u64)> {
    let mut out: BTreeMap<&str, (u64, u64, u64)> = BTreeMap::new();
    for d in &p.plan.data {
        let e = out.entry(d.version.as_str()).or_default();
        match d.metric {
            MetricName::DownloadCount => e.0 += d.sum,
            MetricName::DownloadLatency => {
                e.1 += d.sum;
                e.2 += d.sample_count;
            }
        }
    }
    out
}

/// The lines `metrics publish` prints.
pub fn published(p: &Published) -> Vec<String> {
    let mut lines = Vec::new();
    let dest = format!("{} (namespace {})", p.service, p.namespace);
    match (p.plan.from, p.plan.until) {
        (Some(from), Some(until)) => {
            lines.push(format!(
                "{} {} data points ({} requests, {} to {}) {} {dest}.",
                if p.dry_run { "Would publish" } else { "Published" },
                p.data_points(),
                p.plan.requests,
                at(from),
                at(until),
                if p.dry_run { "to" } else { "into" },
            ));
            for (v, (n, sum, timed)) in per_version(p) {
                let avg = match sum.checked_div(timed) {
                    Some(a) if timed > 0 => format!(", average latency {a} ms"),
                    _ => String::new(),
                };
                lines.push(format!(
                    "  {}: {n} downloads{avg}",
                    crate::present::printable(v)
                ));
            }
            if !p.dry_run {
                lines.push(format!(
                    "Recorded in the release store: the next run, by anyone, starts at {}.",
                    at(until)
                ));
            }
        }
        _ => lines.push(match (p.complete_until, p.previously_until) {
            (None, _) => "Nothing to publish: no log files in the window.".into(),
            (Some(c), Some(w)) if w >= c => format!(
                "Nothing new to publish: {dest} has every complete bucket up to {} (the logs are complete up to {}).",
                at(w),
                at(c)
            ),
            (Some(c), _) => format!(
                "Nothing to publish: no complete five-minute bucket in the window (the logs are complete up to {}).",
                at(c)
            ),
        }),
    }
    if p.plan.unattributed > 0 {
        lines.push(format!(
            "Left out: {} requests to aliases at times history does not say which version they served.",
            p.plan.unattributed
        ));
    }
    if p.plan.other_folders > 0 {
        lines.push(format!(
            "Left out: {} requests to folders that are neither a release nor an alias.",
            p.plan.other_folders
        ));
    }
    if p.plan.too_old {
        lines.push(
            "Left out: buckets older than two weeks (CloudWatch refuses data points that old)."
                .into(),
        );
    }
    lines
}

/// The lines `alerts sync` prints.
pub fn synced(s: &Synced) -> Vec<String> {
    let mut lines = vec![format!(
        "{} {}:",
        if s.dry_run {
            "Plan for the alarms in"
        } else {
            "Alarms in"
        },
        s.service
    )];
    let verb = |now: &'static str, planned: &'static str| if s.dry_run { planned } else { now };
    for step in &s.plan.steps {
        lines.push(match step {
            Step::Create { alarm } => format!(
                "  {} {}",
                verb("created  ", "create   "),
                crate::present::printable(&alarm.name)
            ),
            Step::Update { alarm } => format!(
                "  {} {}",
                verb("updated  ", "update   "),
                crate::present::printable(&alarm.name)
            ),
            Step::Unchanged { name } => {
                format!("  unchanged {}", crate::present::printable(name))
            }
            Step::NoRule { name } => format!(
                "  no rule   {} (left alone; delete it with `aws cloudwatch delete-alarms --alarm-names` if it is not wanted)",
                crate::present::printable(name)
            ),
        });
    }
    if s.plan.steps.is_empty() {
        lines.push("  no rule can be an alarm".into());
    }
    for (rule, why) in &s.plan.check_only {
        lines.push(format!(
            "  checked by `shipdeck alerts check` only: {} ({why})",
            crate::present::printable(rule)
        ));
    }
    if s.dry_run && s.plan.writes().next().is_some() {
        lines.push("Run without --dry-run to write them.".into());
    }
    lines
}
