//! The same aggregation as the local reader, as one SQL query over the standard CloudFront logs
//! table in Amazon Athena (the table AWS documents for standard logs: `date`, `time`, `uri`,
//! `status`, `bytes`, `result_type`, …), for windows too big to download. The SQL sticks to
//! functions Athena (Trino) and DuckDB share, so the tests run it with DuckDB on the same logs
//! and compare with the local count: statuses, bytes, file types and the latency histogram
//! (bucket counts, sum, minimum, maximum), so percentiles and `metrics publish` read the same
//! from either engine. Referrer hosts are not computed here.

use super::{Aggregate, BUCKET_SECS, Counts, LATENCY_BOUNDS_MS, Latency};
use crate::domain::manifest::FileType;
use chrono::{DateTime, Utc};

/// The first columns of the query's answer, in order; then one per file type
/// ([`FileType::ALL`], `t_umd`…), one per latency bucket (`l_0`…), and the latency's sum,
/// minimum and maximum (see [`columns`]).
pub const COLUMNS: [&str; 12] = [
    "folder",
    "bucket",
    "requests",
    "bytes",
    "s2xx",
    "s304",
    "s4xx",
    "s5xx",
    "cache_known",
    "hits",
    "incomplete",
    "aborted",
];

/// Every column of the query's answer, in order.
pub fn columns() -> Vec<String> {
    let mut c: Vec<String> = COLUMNS.iter().map(|s| s.to_string()).collect();
    c.extend(FileType::ALL.iter().map(|t| format!("t_{}", t.name())));
    c.extend((0..LATENCY_BOUNDS_MS.len()).map(|i| format!("l_{i}")));
    c.extend(["lat_sum", "lat_min", "lat_max"].map(String::from));
    c
}

/// The SQL expression of a request's file type: the same suffix rules as [`FileType::of`].
fn file_type_sql(path: &str) -> String {
    let p = format!("lower({path})");
    let any = |suffixes: &[&str]| {
        suffixes
            .iter()
            .map(|x| format!("{p} LIKE '%{x}'"))
            .collect::<Vec<_>>()
            .join(" OR ")
    };
    format!(
        "CASE WHEN {} THEN 'map' WHEN {} THEN 'html' WHEN {} THEN 'css' WHEN {} THEN 'umd' WHEN {} THEN 'es' ELSE 'other' END",
        any(&[".map"]),
        any(&[".html", ".htm"]),
        any(&[".css"]),
        any(&[".umd.js", ".umd.cjs"]),
        any(&[".es.js", ".mjs", ".esm.js"]),
    )
}

/// The extra columns: requests per file type, per latency bucket, and the latency's sum, min
/// and max (milliseconds, rounded as the local reader rounds `time-taken`).
fn type_and_latency_columns(path: &str) -> String {
    let count = |cond: &str| format!("SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)");
    let ftype = file_type_sql(path);
    let ms = "CAST(round(time_taken * 1000) AS bigint)";
    let timed = "time_taken IS NOT NULL AND time_taken >= 0";
    let mut cols: Vec<String> = FileType::ALL
        .iter()
        .map(|t| {
            format!(
                "{} AS t_{}",
                count(&format!("{ftype} = '{}'", t.name())),
                t.name()
            )
        })
        .collect();
    let last = LATENCY_BOUNDS_MS.len() - 1;
    for (i, bound) in LATENCY_BOUNDS_MS.iter().enumerate() {
        let low = match i {
            0 => String::new(),
            _ => format!(" AND {ms} > {}", LATENCY_BOUNDS_MS[i - 1]),
        };
        let high = if i == last {
            String::new()
        } else {
            format!(" AND {ms} <= {bound}")
        };
        cols.push(format!(
            "{} AS l_{i}",
            count(&format!("{timed}{low}{high}"))
        ));
    }
    cols.push(format!("SUM(CASE WHEN {timed} THEN {ms} END) AS lat_sum"));
    cols.push(format!("MIN(CASE WHEN {timed} THEN {ms} END) AS lat_min"));
    cols.push(format!("MAX(CASE WHEN {timed} THEN {ms} END) AS lat_max"));
    cols.iter().map(|c| format!(",\n       {c}")).collect()
}

/// A name Athena accepts unquoted for a database or table.
pub fn valid_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 128 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The query for `[since, until)` under `path_prefix` (e.g. `/msr-webchat`) on `table`.
pub fn sql(table: &str, path_prefix: &str, since: DateTime<Utc>, until: DateTime<Utc>) -> String {
    let prefix = path_prefix.trim_end_matches('/');
    // "/msr-webchat/latest/x.js" splits into "", "msr-webchat", "latest", "x.js": the folder is
    // the segment after the prefix's.
    let folder_part = prefix.split('/').count() + 1;
    let like = format!("{}/%", prefix.replace('\'', "''"));
    let path = "url_decode(uri)";
    let ts = "CAST(CAST(\"date\" AS varchar) || ' ' || \"time\" AS timestamp)";
    let epoch = format!("date_diff('second', TIMESTAMP '1970-01-01 00:00:00', {ts})");
    let count = |cond: &str| format!("SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)");
    let hit = "result_type IN ('Hit', 'RefreshHit', 'OriginShieldHit')";
    let known = "result_type IN ('Hit', 'RefreshHit', 'OriginShieldHit', 'Miss', 'Error', 'LimitExceeded', 'CapacityExceeded', 'Redirect')";
    format!(
        "SELECT split_part({path}, '/', {folder_part}) AS folder,\n\
       \x20      CAST(floor({epoch} / {BUCKET_SECS}) AS bigint) AS bucket,\n\
       \x20      COUNT(*) AS requests,\n\
       \x20      SUM(bytes) AS bytes,\n\
       \x20      {s2xx} AS s2xx,\n\
       \x20      {s304} AS s304,\n\
       \x20      {s4xx} AS s4xx,\n\
       \x20      {s5xx} AS s5xx,\n\
       \x20      {known_c} AS cache_known,\n\
       \x20      {hits_c} AS hits,\n\
       \x20      {incomplete} AS incomplete,\n\
       \x20      {aborted} AS aborted{extra}\n\
FROM {table}\n\
WHERE \"date\" BETWEEN DATE '{d0}' AND DATE '{d1}'\n\
  AND {epoch} >= {from} AND {epoch} < {to}\n\
  AND {path} LIKE '{like}'\n\
  AND split_part({path}, '/', {folder_part}) <> ''\n\
  AND split_part({path}, '/', {file_part}) <> ''\n\
GROUP BY 1, 2\n\
ORDER BY 1, 2",
        s2xx = count("status BETWEEN 200 AND 299 AND status <> 304"),
        s304 = count("status = 304"),
        s4xx = count("status BETWEEN 400 AND 499"),
        s5xx = count("status BETWEEN 500 AND 599"),
        known_c = count(known),
        hits_c = count(hit),
        incomplete =
            count("status = 200 AND (result_type = 'Error' OR response_result_type = 'Error')"),
        aborted = count("status = 0"),
        extra = type_and_latency_columns(path),
        d0 = since.format("%Y-%m-%d"),
        d1 = until.format("%Y-%m-%d"),
        from = since.timestamp(),
        to = until.timestamp(),
        file_part = folder_part + 1,
    )
}

/// A row of a query's answer that is not what [`sql`] asks for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowError {
    #[error("row {row}: '{text}' in column {column} is not a count")]
    NotACount {
        row: usize,
        text: String,
        column: String,
    },
    #[error("row {row} has no folder")]
    NoFolder { row: usize },
    #[error("row {row} has no bucket")]
    NoBucket { row: usize },
}

/// The query's answer rows (cells as text, in [`COLUMNS`] order) as an aggregate.
pub fn aggregate(rows: &[Vec<Option<String>>]) -> Result<Aggregate, RowError> {
    let mut agg = Aggregate::default();
    let names = columns();
    for (i, row) in rows.iter().enumerate() {
        let opt = |k: usize| -> Result<Option<u64>, RowError> {
            let Some(text) = row.get(k).cloned().flatten() else {
                return Ok(None);
            };
            text.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .map(|v| Some(v as u64))
                .ok_or_else(|| RowError::NotACount {
                    row: i + 1,
                    text,
                    column: names
                        .get(k)
                        .cloned()
                        .unwrap_or_else(|| format!("#{}", k + 1)),
                })
        };
        let cell = |k: usize| opt(k).map(Option::unwrap_or_default);
        let folder = row
            .first()
            .cloned()
            .flatten()
            .ok_or(RowError::NoFolder { row: i + 1 })?;
        let bucket = row
            .get(1)
            .cloned()
            .flatten()
            .and_then(|b| b.trim().parse::<f64>().ok())
            .ok_or(RowError::NoBucket { row: i + 1 })? as i64;
        let c = Counts {
            requests: cell(2)?,
            bytes: cell(3)?,
            s2xx: cell(4)?,
            s304: cell(5)?,
            s4xx: cell(6)?,
            s5xx: cell(7)?,
            cache_known: cell(8)?,
            hits: cell(9)?,
            incomplete: cell(10)?,
            aborted: cell(11)?,
            types: [
                cell(12)?,
                cell(13)?,
                cell(14)?,
                cell(15)?,
                cell(16)?,
                cell(17)?,
            ],
            latency: latency(&cell, &opt)?,
        };
        agg.lines += c.requests;
        let at = DateTime::from_timestamp(bucket * BUCKET_SECS, 0);
        agg.newest = agg.newest.max(at);
        agg.oldest = match (agg.oldest, at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        agg.folders.entry(folder).or_default().insert(bucket, c);
    }
    Ok(agg)
}

/// The latency columns of one row (after the file types).
fn latency(
    cell: &dyn Fn(usize) -> Result<u64, RowError>,
    opt: &dyn Fn(usize) -> Result<Option<u64>, RowError>,
) -> Result<Latency, RowError> {
    let first = COLUMNS.len() + FileType::ALL.len();
    let mut l = Latency::default();
    for (i, b) in l.buckets.iter_mut().enumerate() {
        *b = cell(first + i)?;
    }
    let after = first + LATENCY_BOUNDS_MS.len();
    l.sum_ms = cell(after)?;
    let ms = |v: Option<u64>| v.map(|v| u32::try_from(v).unwrap_or(u32::MAX));
    l.min_ms = ms(opt(after + 1)?);
    l.max_ms = ms(opt(after + 2)?);
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_names_the_window_prefix_and_columns() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let q = sql(
            "cloudfront_logs",
            "/msr-webchat",
            t("2026-11-20T00:00:00Z"),
            t("2026-11-21T00:00:00Z"),
        );
        assert!(q.contains("FROM cloudfront_logs"));
        assert!(q.contains("LIKE '/msr-webchat/%'"));
        assert!(q.contains("split_part(url_decode(uri), '/', 3) AS folder"));
        assert!(q.contains("BETWEEN DATE '2026-11-20' AND DATE '2026-11-21'"));
        for c in columns() {
            assert!(q.contains(&format!("AS {c}")), "{c}");
        }
        assert!(valid_name("cloudfront_logs") && !valid_name("x; DROP TABLE y"));
        let agg = aggregate(&[vec![
            Some("latest".into()),
            Some("5893920".into()),
            Some("3".into()),
            Some("300".into()),
            Some("2".into()),
            Some("1".into()),
            Some("0".into()),
            Some("0".into()),
            Some("3".into()),
            Some("2".into()),
            Some("0".into()),
            None,
        ]])
        .unwrap();
        assert_eq!(agg.folders["latest"][&5_893_920].requests, 3);
        assert!(
            aggregate(&[vec![
                Some("x".into()),
                Some("1".into()),
                Some("many".into())
            ]])
            .is_err()
        );
    }
}
