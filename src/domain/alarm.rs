//! Alert rules as CloudWatch alarms (`alerts sync`): which rules can be watched by CloudWatch
//! on the metrics `metrics publish` sends, the alarm each becomes, and the plan that brings
//! the account's alarms in line (create, update, leave) — each rule that cannot be expressed
//! there is named with why, so nobody believes CloudWatch watches it. Pure.

use crate::domain::alert::{Metric, Rule, Threshold};
use crate::domain::manifest::FileType;
use crate::domain::metrics::MetricName;
use crate::domain::traffic::Subject;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The longest alarm period CloudWatch evaluates in one go (one day).
pub const MAX_PERIOD_SECS: u64 = 86_400;

/// Which side of the threshold breaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Comparison {
    GreaterThanThreshold,
    LessThanThreshold,
}

impl Comparison {
    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::GreaterThanThreshold => "GreaterThanThreshold",
            Comparison::LessThanThreshold => "LessThanThreshold",
        }
    }
}

/// One alarm: the total `DownloadCount` of a version (every file type) over one period,
/// compared with a threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alarm {
    pub name: String,
    pub rule: String,
    pub namespace: String,
    pub version: String,
    pub metric: MetricName,
    /// The dimension values summed (one query each).
    pub file_types: Vec<FileType>,
    pub comparison: Comparison,
    pub threshold: f64,
    pub period_secs: u64,
    /// `notBreaching` for "above" rules, `breaching` for "below" (no downloads is below).
    pub treat_missing: &'static str,
    pub actions: Vec<String>,
    /// Says what the alarm is and carries a fingerprint of everything above, so that a
    /// second sync can tell an unchanged alarm from one to update.
    pub description: String,
}

/// An alarm found in the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Existing {
    pub name: String,
    pub description: String,
}

/// The prefix of every alarm Shipdeck keeps for `profile`.
pub fn prefix(profile: &str) -> String {
    format!("shipdeck/{profile}/")
}

/// Why a rule stays with `alerts check`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotExpressible {
    #[error("the metrics are published per version, not per alias ({alias}/)")]
    PerAlias { alias: String },
    #[error(
        "CloudWatch gives no percentiles of the statistic sets DownloadLatency is published as"
    )]
    NoPercentiles,
    #[error("{metric} is not among the published metrics (DownloadCount, DownloadLatency)")]
    NotPublished { metric: &'static str },
    #[error("a CloudWatch alarm period is whole minutes up to one day")]
    Period,
}

fn not_expressible(rule: &Rule) -> Option<NotExpressible> {
    if let Subject::Alias(a) = &rule.subject {
        return Some(NotExpressible::PerAlias { alias: a.clone() });
    }
    match rule.metric {
        Metric::Requests => {}
        Metric::P95LatencyMs => return Some(NotExpressible::NoPercentiles),
        m => return Some(NotExpressible::NotPublished { metric: m.name() }),
    }
    let secs = rule.window.as_secs();
    if secs == 0 || !secs.is_multiple_of(60) || secs > MAX_PERIOD_SECS {
        return Some(NotExpressible::Period);
    }
    None
}

/// The alarm a rule becomes, or why it cannot be one.
pub fn alarm_for(
    profile: &str,
    rule: &Rule,
    namespace: &str,
    actions: &[String],
) -> Result<Alarm, NotExpressible> {
    if let Some(why) = not_expressible(rule) {
        return Err(why);
    }
    let Subject::Version(version) = &rule.subject else {
        return Err(NotExpressible::PerAlias {
            alias: rule.subject.to_string(),
        });
    };
    let (comparison, treat_missing) = match rule.threshold {
        Threshold::Above(_) => (Comparison::GreaterThanThreshold, "notBreaching"),
        Threshold::Below(_) => (Comparison::LessThanThreshold, "breaching"),
    };
    let mut a = Alarm {
        name: format!("{}{}", prefix(profile), rule.name),
        rule: rule.name.clone(),
        namespace: namespace.to_string(),
        version: version.clone(),
        metric: MetricName::DownloadCount,
        file_types: FileType::ALL.to_vec(),
        comparison,
        threshold: rule.threshold.value(),
        period_secs: rule.window.as_secs(),
        treat_missing,
        actions: actions.to_vec(),
        description: String::new(),
    };
    let fingerprint = {
        let spec = serde_json::to_string(&a).unwrap_or_default();
        hex::encode(&Sha256::digest(spec.as_bytes())[..8])
    };
    a.description = format!(
        "Shipdeck rule '{}' of profile {profile}: downloads of {version} in {} s {} {} (shipdeck:{fingerprint})",
        rule.name,
        a.period_secs,
        match comparison {
            Comparison::GreaterThanThreshold => "above",
            Comparison::LessThanThreshold => "below",
        },
        a.threshold
    );
    Ok(a)
}

/// One step of a sync.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    Create {
        alarm: Alarm,
    },
    Update {
        alarm: Alarm,
    },
    Unchanged {
        name: String,
    },
    /// A Shipdeck alarm of this profile whose rule is gone: left alone, named.
    NoRule {
        name: String,
    },
}

/// What a sync does, and which rules stay with `alerts check`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncPlan {
    pub steps: Vec<Step>,
    /// (rule, why): checked by `shipdeck alerts check` only.
    pub check_only: Vec<(String, String)>,
}

impl SyncPlan {
    /// The alarms to write.
    pub fn writes(&self) -> impl Iterator<Item = &Alarm> {
        self.steps.iter().filter_map(|s| match s {
            Step::Create { alarm } | Step::Update { alarm } => Some(alarm),
            _ => None,
        })
    }
}

/// The plan that brings `existing` (the account's alarms under this profile's prefix) in line
/// with `rules`.
pub fn sync_plan(
    profile: &str,
    rules: &[Rule],
    namespace: &str,
    actions: &[String],
    existing: &[Existing],
) -> SyncPlan {
    let mut plan = SyncPlan::default();
    let mut wanted = Vec::new();
    for rule in rules {
        match alarm_for(profile, rule, namespace, actions) {
            Ok(alarm) => {
                wanted.push(alarm.name.clone());
                plan.steps
                    .push(match existing.iter().find(|e| e.name == alarm.name) {
                        None => Step::Create { alarm },
                        Some(e) if e.description == alarm.description => {
                            Step::Unchanged { name: alarm.name }
                        }
                        Some(_) => Step::Update { alarm },
                    });
            }
            Err(why) => plan.check_only.push((rule.name.clone(), why.to_string())),
        }
    }
    for e in existing {
        if e.name.starts_with(&prefix(profile)) && !wanted.contains(&e.name) {
            plan.steps.push(Step::NoRule {
                name: e.name.clone(),
            });
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::alert::RuleFile;

    fn rule(name: &str, alias: Option<&str>, version: Option<&str>, metric: Metric) -> Rule {
        RuleFile {
            name: name.into(),
            alias: alias.map(Into::into),
            version: version.map(Into::into),
            metric,
            above: None,
            below: Some(10.0),
            window: Some("1h".into()),
        }
        .check()
        .unwrap()
    }

    #[test]
    fn version_request_rules_become_alarms_and_the_rest_are_named_with_why() {
        let rules = vec![
            rule("stopped", None, Some("1.1.0"), Metric::Requests),
            rule("latest", Some("latest"), None, Metric::Requests),
            rule("slow", None, Some("1.1.0"), Metric::P95LatencyMs),
            rule("5xx", None, Some("1.1.0"), Metric::ErrorRate),
        ];
        let p = sync_plan("prod", &rules, "MSR/Webchat", &[], &[]);
        let Step::Create { alarm } = &p.steps[0] else {
            panic!("{p:?}")
        };
        assert_eq!(alarm.name, "shipdeck/prod/stopped");
        assert_eq!(
            (alarm.comparison, alarm.treat_missing, alarm.period_secs),
            (Comparison::LessThanThreshold, "breaching", 3600)
        );
        assert_eq!(p.steps.len(), 1);
        let names: Vec<&str> = p.check_only.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["latest", "slow", "5xx"]);
        // Written once, the same rules are unchanged; a new threshold is an update; an alarm
        // whose rule is gone is named, never deleted.
        let existing = vec![
            Existing {
                name: alarm.name.clone(),
                description: alarm.description.clone(),
            },
            Existing {
                name: "shipdeck/prod/old".into(),
                description: String::new(),
            },
        ];
        let again = sync_plan("prod", &rules, "MSR/Webchat", &[], &existing);
        assert!(matches!(again.steps[0], Step::Unchanged { .. }));
        assert!(matches!(&again.steps[1], Step::NoRule { name } if name == "shipdeck/prod/old"));
        let mut changed = rules.clone();
        changed[0].threshold = Threshold::Below(20.0);
        let upd = sync_plan("prod", &changed, "MSR/Webchat", &[], &existing);
        assert!(matches!(upd.steps[0], Step::Update { .. }));
        assert_eq!(upd.writes().count(), 1);
    }
}
