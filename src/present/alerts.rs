//! The words for alert verdicts, shared by `alerts check`, the console's badge and the CI
//! summary: each rule's value against its threshold, and what to do when it fires.

use crate::domain::alert::{Metric, Threshold};
use crate::ops::alerts::{AlertsReport, Evaluated};

/// A metric's value as people read it: shares as percentages, latency in ms, counts whole.
pub fn value(metric: Metric, v: f64) -> String {
    if metric.is_share() {
        format!("{:.1}%", v * 100.0)
    } else if metric == Metric::P95LatencyMs {
        format!("{v:.0} ms")
    } else {
        format!("{v:.0}")
    }
}

fn threshold(metric: Metric, t: Threshold) -> String {
    match t {
        Threshold::Above(x) => format!("above {}", value(metric, x)),
        Threshold::Below(x) => format!("below {}", value(metric, x)),
    }
}

/// One rule's line: "FIRING  latest 5xx: error_rate of latest/ 4.2% (above 2.0%) over 1 h up to
/// 14:00 UTC — roll back: shipdeck rollback latest --to 1.0.1".
pub fn line(e: &Evaluated) -> String {
    let r = &e.rule;
    let mark = if e.firing {
        "FIRING "
    } else if e.unevaluated.is_some() {
        "UNKNOWN"
    } else {
        "ok     "
    };
    let what = format!(
        "{}: {} of {} ",
        crate::present::printable(&r.name),
        r.metric.name(),
        r.subject
    );
    let measured = match (&e.unevaluated, e.value, &e.note) {
        (Some(why), _, _) => format!("cannot be evaluated: {why}"),
        (None, Some(v), _) => format!(
            "{} ({}){}",
            value(r.metric, v),
            threshold(r.metric, r.threshold),
            match e.until {
                Some(u) if r.metric != Metric::EdgeStale => format!(
                    " over {} up to {} UTC",
                    span(r.window.as_secs()),
                    u.format("%Y-%m-%d %H:%M")
                ),
                _ => String::new(),
            }
        ),
        (None, None, note) => format!(
            "no value ({}); {}",
            note.as_deref().unwrap_or("no data"),
            threshold(r.metric, r.threshold)
        ),
    };
    let action = e
        .action
        .as_deref()
        .map(|a| format!(" — {a}"))
        .unwrap_or_default();
    format!("{mark} {what}{measured}{action}")
}

fn span(secs: u64) -> String {
    match secs {
        s if s % 86_400 == 0 => format!("{} d", s / 86_400),
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s => format!("{} min", s / 60),
    }
}

/// The last line: how many fire, and whether some could not be evaluated.
pub fn summary(r: &AlertsReport) -> String {
    match (r.firing, r.unevaluated) {
        (0, 0) => format!("alerts: ok — none of {} rule(s) fires", r.rules.len()),
        (0, n) => format!("alerts: {n} rule(s) could not be evaluated; none fires"),
        (f, 0) => format!("alerts: {f} of {} rule(s) FIRING", r.rules.len()),
        (f, n) => format!(
            "alerts: {f} of {} rule(s) FIRING; {n} could not be evaluated",
            r.rules.len()
        ),
    }
}

/// The console's badge: "2 alerts firing", or nothing.
pub fn badge(r: &AlertsReport) -> Option<String> {
    (r.firing > 0).then(|| {
        if r.firing == 1 {
            "1 alert firing".to_string()
        } else {
            format!("{} alerts firing", r.firing)
        }
    })
}

/// When a profile has no rules.
pub fn no_rules(profile: &str) -> String {
    format!(
        "profile '{profile}' has no alert rules; add [[profiles.{profile}.alerts]] with name, alias (or version), metric, above (or below) and window — see `shipdeck alerts check --help`"
    )
}
