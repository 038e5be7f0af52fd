//! Generated access logs for the Traffic tests: tests/peers/loggen.py writes them into the
//! peers and counts what it wrote independently; these helpers compare Shipdeck's report with
//! those counts.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

/// Runs the generator with `args`; its JSON: what it wrote, counted per folder.
pub fn loggen(args: &[&str]) -> Value {
    let bin = super::peers_bin();
    let out = Command::new(bin.join("python"))
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/loggen.py"))
        .args(args)
        .env("SHIPDECK_TEST_S3", super::s3::endpoint())
        .env("SHIPDECK_TEST_AZURE", super::azure::endpoint())
        .output()
        .unwrap();
    super::succeeded(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A local-store profile whose CloudFront logs are in bucket `b` under `cdn/` on moto.
pub fn cloudfront_logs_env(b: &str) -> super::Env {
    super::Env::with_config(&format!(
        "[profiles.p]\nstore = {{ kind = \"local\", path = \"store\" }}\ncdn = {{ kind = \"none\", path_prefix = \"/msr-webchat\" }}\nlogs = {{ kind = \"cloudfront\", bucket = \"{b}\", prefix = \"cdn/\", region = \"us-east-1\", endpoint = \"{}\" }}\n",
        super::s3::endpoint()
    ))
}

/// Runs Shipdeck with the S3 peer's credentials; it must succeed.
pub fn run_aws(env: &super::Env, args: &[&str]) -> std::process::Output {
    let mut c = env.cmd();
    super::s3::aws_env(&mut c);
    let out = c.args(args).output().unwrap();
    super::succeeded(&out);
    out
}

/// A window of `hours` whole hours ending two hours ago: its start, and both ends as RFC 3339.
pub fn window(hours: i64) -> (i64, String, String) {
    let now = chrono::Utc::now().timestamp();
    let start = (now / 3600 - hours - 2) * 3600;
    let fmt = |t: i64| chrono::DateTime::from_timestamp(t, 0).unwrap().to_rfc3339();
    (start, fmt(start), fmt(start + hours * 3600))
}

/// Every folder's counts and the lines read are exactly the generator's.
pub fn assert_counts(doc: &Value, expected: &Value) {
    let rows = doc["report"]["rows"].as_array().unwrap();
    let want = expected["counts"].as_object().unwrap();
    assert_eq!(rows.len(), want.len(), "{rows:?}");
    for (folder, c) in want {
        let row = rows
            .iter()
            .find(|r| r["folder"] == folder.as_str())
            .unwrap_or_else(|| panic!("no row for {folder}"));
        for k in [
            "requests",
            "bytes",
            "s2xx",
            "s304",
            "s4xx",
            "s5xx",
            "incomplete",
            "aborted",
        ] {
            assert_eq!(row["counts"][k], c[k], "{folder} {k}");
        }
    }
    assert_eq!(doc["report"]["lines"], expected["requests"]);
}

/// Requests per file type exactly, and each latency percentile within one histogram bucket:
/// the bucket Shipdeck reports is the one the generator's true nearest-rank value falls in.
pub fn assert_types_and_latency(doc: &Value, expected: &Value) {
    let rows = doc["report"]["rows"].as_array().unwrap();
    for (folder, c) in expected["counts"].as_object().unwrap() {
        let row = rows
            .iter()
            .find(|r| r["folder"] == folder.as_str())
            .unwrap();
        assert_eq!(
            row["file_types"], c["types"],
            "{folder}: requests per file type"
        );
        for q in ["p50", "p95", "p99"] {
            let truth = u32::try_from(c["latency"][q].as_u64().unwrap()).unwrap();
            let bucket = shipdeck::domain::traffic::latency::bucket_of(truth);
            let bound = shipdeck::domain::traffic::LATENCY_BOUNDS_MS[bucket];
            assert_eq!(
                row["latency_ms"][q].as_u64(),
                Some(u64::from(bound)),
                "{folder} {q}: true {truth} ms is in the bucket up to {bound} ms"
            );
        }
    }
}
