//! Latency from the CDN's logs (CloudFront `time-taken`, Front Door `timeTaken`), kept as a
//! fixed-bucket histogram so the counts of each log file can be cached and merged like the
//! request counts: percentiles are read from the merged buckets, each the upper bound of the
//! bucket it falls in (so exact to within one bucket), never from a list of values.

use serde::{Deserialize, Serialize};

/// Upper bounds, in milliseconds, of the histogram's buckets: bucket `i` holds the requests
/// that took more than `LATENCY_BOUNDS_MS[i - 1]` and at most `LATENCY_BOUNDS_MS[i]`. The last
/// bucket also holds anything slower.
pub const LATENCY_BOUNDS_MS: [u32; 22] = [
    1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000,
    10_000, 30_000, 60_000,
];

/// Requests per latency bucket, with the exact sum, minimum and maximum (what a CloudWatch
/// statistic set carries, so `metrics publish` sends the true average, not a bucket's bound).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latency {
    pub buckets: [u64; LATENCY_BOUNDS_MS.len()],
    #[serde(default)]
    pub sum_ms: u64,
    #[serde(default)]
    pub min_ms: Option<u32>,
    #[serde(default)]
    pub max_ms: Option<u32>,
}

/// The percentiles a release manager reads, in milliseconds (each the upper bound of its
/// histogram bucket).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Percentiles {
    pub p50: u32,
    pub p95: u32,
    pub p99: u32,
    /// How many requests carried a time.
    pub timed: u64,
}

/// The bucket a latency of `ms` falls in.
pub fn bucket_of(ms: u32) -> usize {
    LATENCY_BOUNDS_MS
        .iter()
        .position(|b| ms <= *b)
        .unwrap_or(LATENCY_BOUNDS_MS.len() - 1)
}

impl Latency {
    pub fn record(&mut self, ms: u32) {
        self.buckets[bucket_of(ms)] += 1;
        self.sum_ms += u64::from(ms);
        self.min_ms = Some(self.min_ms.map_or(ms, |m| m.min(ms)));
        self.max_ms = Some(self.max_ms.map_or(ms, |m| m.max(ms)));
    }

    pub fn merge(&mut self, o: &Latency) {
        for (a, b) in self.buckets.iter_mut().zip(o.buckets.iter()) {
            *a += b;
        }
        self.sum_ms += o.sum_ms;
        self.min_ms = match (self.min_ms, o.min_ms) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.max_ms = self.max_ms.max(o.max_ms);
    }

    pub fn count(&self) -> u64 {
        self.buckets.iter().sum()
    }

    /// The `q`-quantile (0 < q ≤ 1) by nearest rank: the upper bound of the bucket holding the
    /// ⌈q·n⌉-th fastest request; `None` when no request carried a time.
    pub fn percentile(&self, q: f64) -> Option<u32> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        // ⌈q·n⌉ in integers (q in thousandths), so 0.95 × 240 is 228, not 228.00000000000003.
        let per_mille = (q.clamp(0.0, 1.0) * 1000.0).round() as u64;
        let rank = (per_mille * n).div_ceil(1000).max(1);
        let mut seen = 0;
        for (i, c) in self.buckets.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(LATENCY_BOUNDS_MS[i]);
            }
        }
        LATENCY_BOUNDS_MS.last().copied()
    }

    /// p50, p95 and p99; `None` when no request carried a time.
    pub fn percentiles(&self) -> Option<Percentiles> {
        Some(Percentiles {
            p50: self.percentile(0.50)?,
            p95: self.percentile(0.95)?,
            p99: self.percentile(0.99)?,
            timed: self.count(),
        })
    }
}

/// A log's `time-taken` (seconds, e.g. `0.123`) in whole milliseconds; `None` for `-`, empty,
/// negative or unreadable values.
pub fn millis(seconds: &str) -> Option<u32> {
    let seconds = seconds.trim();
    // The usual form, `S.mmm` (at most three decimals), exactly and without a float parse.
    if let Some((whole, frac)) = seconds.split_once('.').or(Some((seconds, "")))
        && !whole.is_empty()
        && whole.len() <= 6
        && frac.len() <= 3
        && whole
            .bytes()
            .chain(frac.bytes())
            .all(|b| b.is_ascii_digit())
    {
        let digits = |t: &str| t.bytes().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
        let scale = [1000, 100, 10, 1][frac.len()];
        return Some(digits(whole) * 1000 + digits(frac) * scale);
    }
    let s: f64 = seconds.parse().ok()?;
    (s.is_finite() && s >= 0.0).then(|| (s * 1000.0).round().min(f64::from(u32::MAX)) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_the_bucket_of_the_nearest_rank() {
        let mut l = Latency::default();
        assert_eq!(l.percentiles(), None);
        // 100 requests: 1..=100 ms.
        for ms in 1..=100 {
            l.record(ms);
        }
        let p = l.percentiles().unwrap();
        assert_eq!((p.p50, p.p95, p.p99, p.timed), (50, 100, 100, 100));
        // Merging two halves is the whole.
        let (mut a, mut b) = (Latency::default(), Latency::default());
        for ms in 1..=50 {
            a.record(ms);
        }
        for ms in 51..=100 {
            b.record(ms);
        }
        a.merge(&b);
        assert_eq!(a, l);
        assert_eq!((l.sum_ms, l.min_ms, l.max_ms), (5050, Some(1), Some(100)));
        // Slower than the last bound counts in the last bucket.
        let mut slow = Latency::default();
        slow.record(u32::MAX);
        assert_eq!(slow.percentile(0.5), Some(60_000));
    }

    #[test]
    fn seconds_to_milliseconds() {
        assert_eq!(millis("0.123"), Some(123));
        assert_eq!(millis("2"), Some(2000));
        assert_eq!(millis("-"), None);
        assert_eq!(millis("-0.5"), None);
        assert_eq!(millis("NaN"), None);
        // The fast form and the float form agree.
        for t in [
            "0", "0.5", "0.05", "0.002", "12.345", "1.0", "0.0004", "2.0005", "1e-3",
        ] {
            let slow = t.parse::<f64>().ok().map(|s| (s * 1000.0).round() as u32);
            assert_eq!(millis(t), slow, "{t}");
        }
    }
}
