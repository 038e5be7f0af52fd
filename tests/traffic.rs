//! `shipdeck traffic` against generated access logs in the real peers: CloudFront logs (legacy
//! gzip W3C and standard logging v2 JSON in Hive layout, every trap of the formats) in moto, and
//! Front Door logs in Azurite. tests/peers/loggen.py writes them and counts what it wrote
//! independently; Shipdeck's numbers must match those counts exactly.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use common::Env;
use common::logs::{
    assert_counts, assert_types_and_latency, cloudfront_logs_env, loggen, run_aws, window,
};
use predicates::prelude::*;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

#[test]
fn cloudfront_logs_of_both_generations_are_counted_exactly_and_cached() {
    let b = common::s3::bucket("logs");
    let (start, since, until) = window(24);
    let expected = loggen(&["cloudfront", &b, "cdn/", &start.to_string(), "24", "7"]);
    let env = cloudfront_logs_env(&b);
    let run = |args: &[&str]| run_aws(&env, args);
    let out = run(&["--json", "traffic", "--since", &since, "--until", &until]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_counts(&doc, &expected);
    assert_types_and_latency(&doc, &expected);
    // 24 files (12 legacy, 12 v2), each with one line no reader can use.
    assert_eq!(doc["loaded"]["files"], 24);
    assert_eq!(doc["report"]["bad_lines"], 24);
    common::validate_json("traffic", &out.stdout, env.path());
    let latest = doc["report"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["folder"] == "latest")
        .unwrap();
    let hosts: Vec<&str> = latest["referrers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h[0].as_str().unwrap())
        .collect();
    assert!(
        hosts.contains(&"shop.example.com") && hosts.contains(&"a.example.net"),
        "{hosts:?}"
    );
    assert_eq!(
        latest["spark"].as_array().unwrap().len(),
        24,
        "a day-long window is hours"
    );

    // The second run reads nothing new: every file comes from the cache.
    let doc: Value = serde_json::from_slice(
        &run(&["--json", "traffic", "--since", &since, "--until", &until]).stdout,
    )
    .unwrap();
    assert_eq!(
        (
            doc["loaded"]["read"].as_u64(),
            doc["loaded"]["cached"].as_u64()
        ),
        (Some(0), Some(24))
    );
    assert_counts(&doc, &expected);

    // In a GitHub Actions step: the same numbers in the job summary, per folder, and the
    // total as an output.
    let mut c = env.cmd();
    common::s3::aws_env(&mut c);
    let (summary, outs) = common::in_actions(&env, &mut c);
    common::succeeded(
        &c.args(["traffic", "--since", &since, "--until", &until])
            .output()
            .unwrap(),
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    let mut total = 0;
    for (folder, c) in expected["counts"].as_object().unwrap() {
        let requests = c["requests"].as_u64().unwrap();
        total += requests;
        assert!(
            md.contains(&format!("| `{folder}` | {requests} |")),
            "{folder}: {md}"
        );
    }
    assert!(
        md.contains("| version | direct | through aliases |"),
        "{md}"
    );
    assert_eq!(common::outputs(&outs)["requests"], total.to_string());

    // The yank plan says, from the cache alone, whether pages still load the version directly.
    let dist = env.widget("1.0.0");
    run(&["publish", dist.to_str().unwrap(), "--yes"]);
    let out = run(&["--dry-run", "yank", "1.0.0", "--reason", "old"]);
    let plan = String::from_utf8_lossy(&out.stdout);
    assert!(
        plan.contains("traffic: 1.0.0 was loaded directly")
            || plan.contains("traffic: no direct requests to 1.0.0 for"),
        "{plan}"
    );

    // A window with no logs says so instead of showing zeros.
    let out = run(&["traffic", "--since", "2020-01-01", "--until", "2020-01-02"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("No log files for this window"));
}

#[test]
fn front_door_logs_in_azure_blob_are_counted_exactly() {
    let c = common::azure::container("fdlogs");
    let (start, since, until) = window(6);
    let expected = loggen(&["frontdoor", &c, &start.to_string(), "6", "11"]);
    let env = Env::with_config(&format!(
        "[profiles.p]\nstore = {{ kind = \"local\", path = \"store\" }}\ncdn = {{ kind = \"none\", path_prefix = \"/msr-webchat\" }}\nlogs = {{ kind = \"frontdoor\", account = \"devstoreaccount1\", container = \"{c}\", endpoint = \"{}\" }}\n",
        common::azure::endpoint()
    ));
    let mut cmd = env.cmd();
    common::azure::azure_env(&mut cmd);
    let out = cmd
        .args(["--json", "traffic", "--since", &since, "--until", &until])
        .output()
        .unwrap();
    common::succeeded(&out);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_counts(&doc, &expected);
    assert_types_and_latency(&doc, &expected);
    assert_eq!(doc["report"]["bad_lines"], 6);
    // The text view: rows, versions and the completeness note.
    let mut cmd = env.cmd();
    common::azure::azure_env(&mut cmd);
    cmd.args(["traffic", "--since", &since, "--until", &until])
        .assert()
        .success()
        .stdout(predicate::str::contains("Complete up to"))
        .stdout(predicate::str::contains("NO DIRECT REQUESTS"))
        .stdout(predicate::str::contains("p50 "))
        .stdout(predicate::str::contains("FILE TYPES"));
}

#[test]
fn no_logs_configured_is_one_sentence() {
    let env = Env::new();
    env.cmd()
        .arg("traffic")
        .assert()
        .failure()
        .stderr(predicate::str::contains("names no access logs"));
}

/// The Athena engine's SQL, run by DuckDB over the same legacy log files, counts exactly what
/// the local reader counts.
#[test]
fn the_athena_sql_counts_what_the_local_reader_counts() {
    let b = common::s3::bucket("athena-sql");
    let dir = tempfile::tempdir().unwrap();
    let (start, since, until) = window(12);
    loggen(&[
        "cloudfront",
        &b,
        "cdn/",
        &start.to_string(),
        "12",
        "5",
        dir.path().to_str().unwrap(),
    ]);
    let env = Env::with_config(&format!(
        "[profiles.p]\nstore = {{ kind = \"local\", path = \"store\" }}\ncdn = {{ kind = \"none\", path_prefix = \"/msr-webchat\" }}\nlogs = {{ kind = \"cloudfront\", bucket = \"{b}\", prefix = \"cdn/\", region = \"us-east-1\", endpoint = \"{}\", athena = {{ database = \"cdn\", table = \"cloudfront_logs\" }} }}\n",
        common::s3::endpoint()
    ));
    let run = |args: &[&str]| run_aws(&env, args).stdout;
    let sql = run(&["traffic", "--sql", "--since", &since, "--until", &until]);
    let sql_file = dir.path().join("query.sql");
    std::fs::write(&sql_file, &sql).unwrap();
    let out = Command::new(common::stub::python())
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/duckcheck.py"))
        .args([
            sql_file.to_str().unwrap(),
            dir.path().to_str().unwrap(),
            "cloudfront_logs",
        ])
        .output()
        .unwrap();
    common::succeeded(&out);
    let rows: Vec<Vec<Option<String>>> = serde_json::from_slice(&out.stdout).unwrap();
    let from_sql = shipdeck::domain::traffic::athena::aggregate(&rows).unwrap();
    let local: Value = serde_json::from_slice(&run(&[
        "--json", "traffic", "--since", &since, "--until", &until,
    ]))
    .unwrap();
    let local_rows = local["report"]["rows"].as_array().unwrap();
    assert_eq!(from_sql.folders.len(), local_rows.len());
    for row in local_rows {
        let folder = row["folder"].as_str().unwrap();
        let mut sum = std::collections::BTreeMap::new();
        for c in from_sql.folders[folder].values() {
            let c = serde_json::to_value(c).unwrap();
            for (k, v) in c.as_object().unwrap() {
                if let Some(n) = v.as_u64() {
                    *sum.entry(k.clone()).or_insert(0u64) += n;
                }
            }
        }
        for (k, v) in &sum {
            assert_eq!(row["counts"][k].as_u64(), Some(*v), "{folder} {k}");
        }
        // File types and the latency histogram too: the same percentiles from either engine.
        let all = shipdeck::domain::traffic::counts_for(
            &from_sql,
            &[],
            &shipdeck::domain::traffic::Subject::Alias(folder.to_string()),
            0,
            i64::MAX / 2,
        );
        let types: serde_json::Map<String, Value> = all
            .by_type()
            .into_iter()
            .map(|(t, n)| (t.name().to_string(), Value::from(n)))
            .collect();
        assert_eq!(
            row["file_types"],
            Value::Object(types),
            "{folder} file types"
        );
        let p = all.latency.percentiles().unwrap();
        assert_eq!(
            (
                row["latency_ms"]["p50"].as_u64(),
                row["latency_ms"]["p95"].as_u64(),
                row["latency_ms"]["p99"].as_u64()
            ),
            (
                Some(u64::from(p.p50)),
                Some(u64::from(p.p95)),
                Some(u64::from(p.p99))
            ),
            "{folder} latency"
        );
    }
}

/// Queues what moto's Athena answers to the next query (moto's own test API).
fn set_athena_results(results: &Value) {
    common::stub::post(
        &format!(
            "{}/moto-api/static/athena/query-results",
            common::s3::endpoint()
        ),
        &results.to_string(),
    );
}

/// The Athena API flow against moto: start, poll to success, page through results (moto lets
/// a test set what a query returns), map the rows to the same report; and a failure.
#[test]
fn the_athena_engine_starts_polls_and_fetches() {
    let b = common::s3::bucket("athena-api");
    let now = chrono::Utc::now().timestamp();
    let bucket = now / 300 - 10;
    // The answer moto will give: a header row, then two data rows.
    let row = |cells: &[&str]| serde_json::json!({ "Data": cells.iter().map(|c| serde_json::json!({ "VarCharValue": c })).collect::<Vec<_>>() });
    let columns: Vec<String> = shipdeck::domain::traffic::athena::columns();
    let header: Vec<&str> = columns.iter().map(String::as_str).collect();
    let bucket_s = bucket.to_string();
    let results = serde_json::json!({
        "results": [{
            "rows": [
                row(&header),
                row(&["latest", &bucket_s, "40", "4000", "30", "5", "3", "2", "40", "30", "1", "0"]),
                row(&["v1.1.0", &bucket_s, "7", "700", "7", "0", "0", "0", "7", "7", "0", "0"]),
            ],
            "column_info": header.iter().map(|h| serde_json::json!({ "Name": h, "Type": "varchar" })).collect::<Vec<_>>(),
        }]
    });
    set_athena_results(&results);
    let env = Env::with_config(&format!(
        "[profiles.p]\nstore = {{ kind = \"local\", path = \"store\" }}\ncdn = {{ kind = \"none\", path_prefix = \"/msr-webchat\" }}\nlogs = {{ kind = \"cloudfront\", bucket = \"{b}\", prefix = \"cdn/\", region = \"us-east-1\", endpoint = \"{}\", athena = {{ database = \"cdn\", table = \"cloudfront_logs\", output = \"s3://{b}/athena/\" }} }}\n",
        common::s3::endpoint()
    ));
    let mut c = env.cmd();
    common::s3::aws_env(&mut c);
    let out = c
        .args(["--json", "traffic", "--engine", "athena", "--since", "2h"])
        .output()
        .unwrap();
    common::succeeded(&out);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        doc["engine"].as_str().unwrap().starts_with("Athena"),
        "{doc}"
    );
    let rows = doc["report"]["rows"].as_array().unwrap();
    let latest = rows.iter().find(|r| r["folder"] == "latest").unwrap();
    assert_eq!(latest["counts"]["requests"], 40);
    assert_eq!(latest["counts"]["s5xx"], 2);
    assert_eq!(doc["report"]["lines"], 47);
    // A result Shipdeck cannot read is refused with a sentence, not shown as zeros. (moto's
    // queries always succeed, so a FAILED query is not exercised here.)
    let bad = serde_json::json!({ "results": [{ "rows": [row(&header), row(&["latest", &bucket_s, "many"])] }] });
    set_athena_results(&bad);
    let mut c = env.cmd();
    common::s3::aws_env(&mut c);
    c.args(["traffic", "--engine", "athena", "--since", "2h"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("cannot read"))
        .stderr(predicate::str::contains("'many'"));
    // No Athena table configured: one sentence naming what to add.
    let env2 = Env::with_config(&format!(
        "[profiles.p]\nstore = {{ kind = \"local\", path = \"store\" }}\nlogs = {{ kind = \"cloudfront\", bucket = \"{b}\", endpoint = \"{}\" }}\n",
        common::s3::endpoint()
    ));
    let mut c = env2.cmd();
    common::s3::aws_env(&mut c);
    c.args(["traffic", "--engine", "athena"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("athena = { database"));
}

/// A gzip bomb among the logs (a 300 KB object expanding to 300 MiB) is skipped and said so,
/// by name, instead of taking the machine's memory; the real logs beside it are counted.
#[test]
fn a_log_file_that_expands_beyond_the_limit_is_skipped_and_named() {
    let b = common::s3::bucket("bomb");
    let (start, since, until) = window(2);
    let expected = loggen(&["cloudfront", &b, "cdn/", &start.to_string(), "2", "3"]);
    // Named for an hour inside the window, so it is read.
    let hour = chrono::DateTime::from_timestamp(start, 0)
        .unwrap()
        .format("%Y-%m-%d-%H");
    let key = format!("cdn/E2TEST.{hour}.bomb.gz");
    let script = format!(
        "import boto3, gzip, os\ns3 = boto3.client('s3', endpoint_url=os.environ['SHIPDECK_TEST_S3'], region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing')\ns3.put_object(Bucket='{b}', Key='{key}', Body=gzip.compress(b'\\0' * (300 * 1024 * 1024), 1))\n"
    );
    let put = Command::new(common::peers_bin().join("python"))
        .args(["-c", &script])
        .env("SHIPDECK_TEST_S3", common::s3::endpoint())
        .output()
        .unwrap();
    assert!(
        put.status.success(),
        "{}",
        String::from_utf8_lossy(&put.stderr)
    );
    let env = cloudfront_logs_env(&b);
    let out = run_aws(
        &env,
        &["--json", "traffic", "--since", &since, "--until", &until],
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_counts(&doc, &expected);
    let skipped = doc["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{doc:#}");
    let s = skipped[0].as_str().unwrap();
    assert!(
        s.contains(&key) && s.contains("expands beyond 256 MiB"),
        "{s}"
    );
    common::validate_json("traffic", &out.stdout, env.path());
}

/// One use case per feature: the console's Traffic screen holds the numbers `shipdeck traffic`
/// prints for the same profile and logs (the console's worker runs in a process with the CLI's
/// environment, so it reaches the same S3 logs).
#[test]
fn the_console_counts_what_the_cli_counts() {
    let b = common::s3::bucket("same");
    let (start, _, _) = window(6);
    let expected = loggen(&["cloudfront", &b, "cdn/", &start.to_string(), "6", "5"]);
    let env = cloudfront_logs_env(&b);
    // Both with their defaults: the last 7 days.
    let cli: Value = serde_json::from_slice(&run_aws(&env, &["--json", "traffic"]).stdout).unwrap();
    assert_counts(&cli, &expected);
    let mut cmd = env.std_cmd(&[]);
    cmd.env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE");
    let console = common::console::run_in_process_of(&cmd, "p", "traffic");
    assert_counts(&console, &expected);
    assert_types_and_latency(&console, &expected);
    // Every row and version line, not only the generator's totals.
    assert_eq!(console["report"]["rows"], cli["report"]["rows"]);
    assert_eq!(console["report"]["versions"], cli["report"]["versions"]);
    assert_eq!(console["report"]["lines"], cli["report"]["lines"]);
}

/// What anyone on the internet puts in a CDN's log: escape sequences in the Referer and in
/// the URI (a clipboard write, a screen clear, a bidi override), and a scanner's 50,000 made-up
/// folders. The text output shows the sequences escaped, never raw; the scanner costs one
/// "(other)" row, a small cache and a short listing, and every request is still counted.
#[test]
fn what_strangers_put_in_the_logs_is_neither_sent_to_the_terminal_nor_kept_folder_by_folder() {
    let b = common::s3::bucket("hostile");
    let (start, since, until) = window(2);
    let hour = chrono::DateTime::from_timestamp(start, 0)
        .unwrap()
        .format("%Y-%m-%d-%H");
    let day = chrono::DateTime::from_timestamp(start, 0)
        .unwrap()
        .format("%Y-%m-%d");
    let key = format!("cdn/E2TEST.{hour}.hostile.gz");
    let script = format!(
        r##"import boto3, gzip, os
fields = "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken"
lines = ["#Version: 1.0", "#Fields: " + fields]
def line(path, status, referer):
    lines.append("\t".join(["{day}", "{hh}:10:00", "IAD89-C1", "1234", "192.0.2.1", "GET", "d1.cloudfront.net", path, str(status), referer, "Mozilla/5.0", "-", "-", "Hit", "id", "cdn.example.com", "https", "100", "0.010"]))
for i in range(50000):
    line("/msr-webchat/scan-%d/.env" % i, 404, "-")
for i in range(10):
    line("/msr-webchat/v1.0.0/msr-webchat.umd.js", 200, "https://%1b]52;c;aGk=%07%1b[2Jevil%e2%80%aemoc.example/")
    line("/msr-webchat/%1b[2J%c2%9b31m/x.js", 404, "-")
s3 = boto3.client("s3", endpoint_url=os.environ["SHIPDECK_TEST_S3"], region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
s3.put_object(Bucket="{b}", Key="{key}", Body=gzip.compress(("\n".join(lines) + "\n").encode()))
"##,
        hh = hour.to_string().rsplit('-').next().unwrap(),
    );
    let put = Command::new(common::peers_bin().join("python"))
        .args(["-c", &script])
        .env("SHIPDECK_TEST_S3", common::s3::endpoint())
        .output()
        .unwrap();
    common::succeeded(&put);
    let env = cloudfront_logs_env(&b);
    let text = run_aws(&env, &["traffic", "--since", &since, "--until", &until]);
    let shown = String::from_utf8_lossy(&text.stdout);
    let raw: Vec<char> = shown
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t') || ('\u{202a}'..='\u{202e}').contains(&c)
        })
        .collect();
    assert!(
        raw.is_empty(),
        "raw controls {raw:?} in: {}",
        shown.escape_debug()
    );
    assert!(
        shown.contains("\\u001b]52") && shown.contains("\\u202e"),
        "{shown}"
    );
    assert!(shown.lines().count() < 60, "{shown}");

    let out = run_aws(
        &env,
        &["--json", "traffic", "--since", &since, "--until", &until],
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = doc["report"]["rows"].as_array().unwrap();
    let folders: Vec<&str> = rows.iter().map(|r| r["folder"].as_str().unwrap()).collect();
    assert_eq!(folders, ["(other)", "v1.0.0"], "{folders:?}");
    assert_eq!(rows[0]["kind"], "other");
    assert_eq!(rows[0]["counts"]["requests"], 50_010);
    assert_eq!(rows[0]["counts"]["s4xx"], 50_010);
    assert_eq!(rows[1]["counts"]["requests"], 10);
    assert_eq!(doc["report"]["lines"], 50_020);
    // The per-file cache holds the capped folders, not the scanner's 50,000.
    let cache_bytes: u64 = walk(&env.path().join("xdg-data"))
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    assert!(cache_bytes < 2_000_000, "cache of {cache_bytes} bytes");
    common::validate_json("traffic", &out.stdout, env.path());
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
