//! Alert rules: "tell me when to roll back". A rule names an alias or a version, a metric of
//! its traffic, a threshold and a window; it is evaluated on the complete part of the window of
//! the CDN's logs (the newest hour may still be arriving), and a firing rule on an alias says
//! which rollback would undo its last move. Pure: the counts and history come in as values.

use crate::domain::history::HistoryEvent;
use crate::domain::traffic::{Counts, Subject};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What a rule watches: a closed set, so a misspelt one is a config error listing the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Share of requests answered 5xx.
    ErrorRate,
    /// Share of requests answered 4xx.
    ClientErrorRate,
    /// Share of downloads that did not finish.
    IncompleteRate,
    /// 95th percentile of the time the CDN took, in milliseconds.
    P95LatencyMs,
    /// Requests in the window ("the widget stopped loading": `below = 10`).
    Requests,
    /// New issues in Sentry for the release (needs the profile's `sentry`).
    SentryNewIssues,
    /// Files of the alias the edge serves from another release than the store says.
    EdgeStale,
}

impl Metric {
    pub fn name(self) -> &'static str {
        match self {
            Metric::ErrorRate => "error_rate",
            Metric::ClientErrorRate => "client_error_rate",
            Metric::IncompleteRate => "incomplete_rate",
            Metric::P95LatencyMs => "p95_latency_ms",
            Metric::Requests => "requests",
            Metric::SentryNewIssues => "sentry_new_issues",
            Metric::EdgeStale => "edge_stale",
        }
    }

    /// Whether the value is a share (shown as a percentage).
    pub fn is_share(self) -> bool {
        matches!(
            self,
            Metric::ErrorRate | Metric::ClientErrorRate | Metric::IncompleteRate
        )
    }

    /// The value of this metric in `c`, when the CDN's counts can give one: `None` for a share
    /// of no requests, for latency when no request carried a time, and for the metrics that do
    /// not come from the logs (Sentry, the edge).
    pub fn of_counts(self, c: &Counts) -> Option<f64> {
        let share = |n: u64| (c.requests > 0).then(|| n as f64 / c.requests as f64);
        match self {
            Metric::ErrorRate => share(c.s5xx),
            Metric::ClientErrorRate => share(c.s4xx),
            Metric::IncompleteRate => share(c.incomplete),
            Metric::P95LatencyMs => c.latency.percentile(0.95).map(f64::from),
            Metric::Requests => Some(c.requests as f64),
            Metric::SentryNewIssues | Metric::EdgeStale => None,
        }
    }
}

/// Above or below a value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Threshold {
    Above(f64),
    Below(f64),
}

impl Threshold {
    pub fn fires(self, value: f64) -> bool {
        match self {
            Threshold::Above(t) => value > t,
            Threshold::Below(t) => value < t,
        }
    }

    pub fn value(self) -> f64 {
        match self {
            Threshold::Above(t) | Threshold::Below(t) => t,
        }
    }
}

/// One rule, checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub name: String,
    pub subject: Subject,
    pub metric: Metric,
    pub threshold: Threshold,
    #[serde(with = "secs")]
    pub window: Duration,
}

mod secs {
    pub fn serialize<S: serde::Serializer>(
        d: &std::time::Duration,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_secs())
    }
}

/// A rule as the profile writes it (`[[profiles.NAME.alerts]]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    pub name: String,
    pub alias: Option<String>,
    pub version: Option<String>,
    pub metric: Metric,
    pub above: Option<f64>,
    pub below: Option<f64>,
    /// `1h`, `30m`, `2d` (default `1h`).
    pub window: Option<String>,
}

/// Why a written rule is not one.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleError {
    #[error("alert '{name}': name an alias or a version, e.g. alias = \"latest\"")]
    NoSubject { name: String },
    #[error("alert '{name}': name an alias or a version, not both")]
    TwoSubjects { name: String },
    #[error("alert '{name}': give `above` or `below`, e.g. above = 0.02")]
    NoThreshold { name: String },
    #[error("alert '{name}': give `above` or `below`, not both")]
    TwoThresholds { name: String },
    #[error("alert '{name}': the threshold {value} is not a finite number")]
    NotFinite { name: String, value: f64 },
    #[error("alert '{name}': window '{window}' is not a duration; use e.g. 30m, 1h or 1d")]
    Window { name: String, window: String },
}

/// The longest window a rule may look back over.
pub const MAX_WINDOW: Duration = Duration::from_secs(30 * 86_400);

impl RuleFile {
    pub fn check(self) -> Result<Rule, RuleError> {
        let name = self.name.clone();
        let subject = match (self.alias, self.version) {
            (Some(a), None) => Subject::Alias(a),
            (None, Some(v)) => Subject::Version(v.trim_start_matches('v').to_string()),
            (None, None) => return Err(RuleError::NoSubject { name }),
            (Some(_), Some(_)) => return Err(RuleError::TwoSubjects { name }),
        };
        let threshold = match (self.above, self.below) {
            (Some(t), None) => Threshold::Above(t),
            (None, Some(t)) => Threshold::Below(t),
            (None, None) => return Err(RuleError::NoThreshold { name }),
            (Some(_), Some(_)) => return Err(RuleError::TwoThresholds { name }),
        };
        if !threshold.value().is_finite() {
            return Err(RuleError::NotFinite {
                name,
                value: threshold.value(),
            });
        }
        let text = self.window.unwrap_or_else(|| "1h".into());
        let window = parse_window(&text)
            .filter(|w| !w.is_zero() && *w <= MAX_WINDOW)
            .ok_or(RuleError::Window { name, window: text })?;
        Ok(Rule {
            name: self.name,
            subject,
            metric: self.metric,
            threshold,
            window,
        })
    }
}

/// `30m`, `1h`, `2d`, `90s`.
pub fn parse_window(s: &str) -> Option<Duration> {
    let t = s.trim();
    let (n, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = n.parse().ok()?;
    let secs = match unit {
        "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" => n.checked_mul(86_400)?,
        _ => return None,
    };
    Some(Duration::from_secs(secs))
}

/// The target `alias` served before its last move, from history: what a rollback goes back to.
pub fn previous_target(history: &[HistoryEvent], alias: &str) -> Option<String> {
    let mut events: Vec<&HistoryEvent> = history.iter().filter(|e| e.outcome == "ok").collect();
    events.sort_by_key(|e| e.at);
    events
        .iter()
        .rev()
        .flat_map(|e| e.changes.iter())
        .find(|c| c.alias == alias)
        .and_then(|c| c.from.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(alias: Option<&str>, above: Option<f64>, below: Option<f64>, window: &str) -> RuleFile {
        RuleFile {
            name: "r".into(),
            alias: alias.map(str::to_string),
            version: None,
            metric: Metric::ErrorRate,
            above,
            below,
            window: Some(window.into()),
        }
    }

    #[test]
    fn rules_are_checked_and_fire_on_their_side_of_the_threshold() {
        let r = file(Some("latest"), Some(0.02), None, "1h")
            .check()
            .unwrap();
        assert_eq!(r.window, Duration::from_secs(3600));
        assert!(r.threshold.fires(0.03) && !r.threshold.fires(0.02));
        let below = file(Some("latest"), None, Some(10.0), "30m")
            .check()
            .unwrap();
        assert!(below.threshold.fires(3.0) && !below.threshold.fires(10.0));
        assert!(matches!(
            file(None, Some(1.0), None, "1h").check(),
            Err(RuleError::NoSubject { .. })
        ));
        assert!(matches!(
            file(Some("latest"), Some(1.0), Some(2.0), "1h").check(),
            Err(RuleError::TwoThresholds { .. })
        ));
        assert!(matches!(
            file(Some("latest"), Some(1.0), None, "an hour").check(),
            Err(RuleError::Window { .. })
        ));
        assert!(matches!(
            file(Some("latest"), Some(f64::NAN), None, "1h").check(),
            Err(RuleError::NotFinite { .. })
        ));
    }

    #[test]
    fn metrics_from_counts() {
        let mut c = Counts {
            requests: 200,
            s5xx: 4,
            s4xx: 10,
            incomplete: 2,
            ..Counts::default()
        };
        assert_eq!(Metric::ErrorRate.of_counts(&c), Some(0.02));
        assert_eq!(Metric::ClientErrorRate.of_counts(&c), Some(0.05));
        assert_eq!(Metric::IncompleteRate.of_counts(&c), Some(0.01));
        assert_eq!(Metric::P95LatencyMs.of_counts(&c), None);
        c.latency.record(120);
        assert_eq!(Metric::P95LatencyMs.of_counts(&c), Some(150.0));
        assert_eq!(Metric::ErrorRate.of_counts(&Counts::default()), None);
        assert_eq!(Metric::Requests.of_counts(&Counts::default()), Some(0.0));
    }
}
