//! When a window starts or ends, as people type it: `7d`, `36h`, `90m` ago, a date or an RFC
//! 3339 time. Pure: the caller passes `now`.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

/// A time given as `7d`, `36h`, `90m` before `now`, or as a date (`2026-11-20`) or an RFC 3339
/// time.
pub fn parse_when(s: &str, now: DateTime<Utc>) -> std::result::Result<DateTime<Utc>, NotATime> {
    let t = s.trim();
    let ago = |n: &str, unit: fn(i64) -> Duration| {
        n.parse::<i64>()
            .ok()
            .filter(|n| (0..=3650 * 24 * 60).contains(n))
            .map(|n| now - unit(n))
    };
    let rel = if let Some(n) = t.strip_suffix('d') {
        ago(n, Duration::days)
    } else if let Some(n) = t.strip_suffix('h') {
        ago(n, Duration::hours)
    } else if let Some(n) = t.strip_suffix('m') {
        ago(n, Duration::minutes)
    } else {
        None
    };
    if let Some(r) = rel {
        return Ok(r);
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d")
        && let Some(dt) = d.and_hms_opt(0, 0, 0)
    {
        return Ok(Utc.from_utc_datetime(&dt));
    }
    DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| NotATime {
            text: s.to_string(),
        })
}

/// A `--since` / `--until` that is not a time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{text}' is not a time; use 7d, 36h, 90m, a date such as 2026-11-20, or 2026-11-20T10:00:00Z"
)]
pub struct NotATime {
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let now = DateTime::parse_from_rfc3339("2026-11-27T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(parse_when("7d", now).unwrap(), now - Duration::days(7));
        assert_eq!(parse_when("36h", now).unwrap(), now - Duration::hours(36));
        assert_eq!(
            parse_when("2026-11-20", now).unwrap().to_rfc3339(),
            "2026-11-20T00:00:00+00:00"
        );
        assert!(
            parse_when("last week", now)
                .unwrap_err()
                .to_string()
                .contains("7d")
        );
        assert!(parse_when("-3d", now).is_err());
    }
}
