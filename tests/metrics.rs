//! `metrics publish` and `alerts sync` against moto's CloudWatch, read back with boto3
//! (tests/peers/cwcheck.py): the sums per `Version` and `FileType` and the latency sums equal
//! what tests/peers/loggen.py wrote for the complete hours, alias traffic counted for the
//! version history says it served; publishing twice equals publishing once (the shared
//! watermark); a dry run sends nothing; a CloudWatch that cannot be reached leaves the
//! watermark as it was, and one that fails part way leaves it at what was sent, the next run
//! sending the rest; one that finds the watermark moved under it sends nothing (exit 3); rules
//! become alarms, planned first, and the rest are named.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly, naming what went wrong"
)]

mod common;

use common::Env;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

fn peer(script: &str, args: &[&str]) -> Value {
    let out = Command::new(common::peers_bin().join("python"))
        .arg(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/peers")
                .join(script),
        )
        .args(args)
        .env("SHIPDECK_TEST_S3", common::s3::endpoint())
        .output()
        .unwrap();
    common::succeeded(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Logs generated into a fresh bucket: `hours` whole hours ending two hours ago.
struct Logs {
    bucket: String,
    start: i64,
    now: i64,
    /// What the generator wrote, counted per hour and folder.
    generated: Value,
}

fn generate(tag: &str, hours: i64, seed: &str) -> Logs {
    let bucket = common::s3::bucket(tag);
    let now = chrono::Utc::now().timestamp();
    let start = (now / 3600 - hours - 2) * 3600;
    let generated = peer(
        "loggen.py",
        &[
            "cloudfront",
            &bucket,
            "cdn/",
            &start.to_string(),
            &hours.to_string(),
            seed,
        ],
    );
    Logs {
        bucket,
        start,
        now,
        generated,
    }
}

/// What CloudWatch holds under `namespace`, read with boto3, from an hour before `start` to
/// `now`.
fn published(namespace: &str, start: i64, now: i64) -> Value {
    peer(
        "cwcheck.py",
        &[
            "metrics",
            namespace,
            &(start - 3600).to_string(),
            &now.to_string(),
        ],
    )
}

/// A local store whose history says `latest`, `v1` and `v1.1` served 1.1.0 since long before
/// the logs; CloudFront logs in `bucket`; CloudWatch on moto under `namespace`, reached the
/// standard way (`AWS_ENDPOINT_URL`) unless `endpoint` names another.
fn env_for(bucket: &str, namespace: &str, endpoint: Option<&str>, rules: &str) -> Env {
    let metrics = match endpoint {
        Some(ep) => format!("metrics = {{ namespace = \"{namespace}\", endpoint = \"{ep}\" }}"),
        None => format!(
            "metrics = {{ namespace = \"{namespace}\", alarm_actions = [\"arn:aws:sns:us-east-1:123456789012:webchat\"] }}"
        ),
    };
    let env = Env::with_config(&format!(
        "[profiles.p]\nstore = {{ kind = \"local\", path = \"store\" }}\ncdn = {{ kind = \"none\", path_prefix = \"/msr-webchat\" }}\nlogs = {{ kind = \"cloudfront\", bucket = \"{bucket}\", prefix = \"cdn/\", region = \"us-east-1\", endpoint = \"{}\" }}\n{metrics}\n{rules}",
        common::s3::endpoint()
    ));
    let history = env.path().join("store/.shipdeck/history");
    std::fs::create_dir_all(&history).unwrap();
    let event = json!({
        "id": "seed", "at": "2020-01-01T00:00:00Z", "by": "test", "action": "promote",
        "description": "promote 1.1.0",
        "changes": [
            {"alias": "latest", "from": null, "to": "1.1.0"},
            {"alias": "v1", "from": null, "to": "1.1.0"},
            {"alias": "v1.1", "from": null, "to": "1.1.0"}
        ],
        "outcome": "ok"
    });
    std::fs::write(
        history.join("20200101T000000.000000Z-seed.json"),
        serde_json::to_vec(&event).unwrap(),
    )
    .unwrap();
    env
}

fn run(env: &Env, args: &[&str]) -> std::process::Output {
    let mut c = env.cmd();
    common::s3::aws_env(&mut c);
    c.env("AWS_ENDPOINT_URL", common::s3::endpoint());
    c.args(args).output().unwrap()
}

/// The version each folder's requests count for.
fn version_of(folder: &str) -> &str {
    match folder {
        "latest" | "v1" | "v1.1" | "v1.1.0" => "1.1.0",
        f => f.trim_start_matches('v'),
    }
}

/// What CloudWatch must hold: the generator's hourly counts before `complete`, per version.
fn expected(generated: &Value, complete: i64) -> Value {
    let mut counts: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut latency: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for (hour, folders) in generated["hourly"].as_object().unwrap() {
        if hour.parse::<i64>().unwrap() >= complete {
            continue;
        }
        for (folder, c) in folders.as_object().unwrap() {
            let v = version_of(folder).to_string();
            for (t, n) in c["types"].as_object().unwrap() {
                *counts
                    .entry(v.clone())
                    .or_default()
                    .entry(t.clone())
                    .or_default() += n.as_u64().unwrap();
            }
            let l = latency.entry(v).or_default();
            l.0 += c["ms_sum"].as_u64().unwrap();
            l.1 += c["timed"].as_u64().unwrap();
        }
    }
    json!({
        "DownloadCount": counts,
        "DownloadLatency": latency.into_iter().map(|(v, (s, n))| (v, json!({"sum": s, "count": n}))).collect::<BTreeMap<_, _>>(),
    })
}

#[test]
fn published_metrics_read_back_with_boto3_equal_the_logs_and_a_second_run_adds_nothing() {
    let hours = 5;
    let Logs {
        bucket: b,
        start,
        now,
        generated,
    } = generate("metrics", hours, "13");
    let ns = format!("Test/Metrics{}", rand_suffix());
    let env = env_for(&b, &ns, None, "");
    let read = || published(&ns, start, now);
    // The newest hour may still be arriving: complete up to its start.
    let complete = start + (hours - 1) * 3600;
    let want = expected(&generated, complete);

    let dry = run(
        &env,
        &[
            "--json",
            "metrics",
            "publish",
            "--since",
            "12h",
            "--dry-run",
        ],
    );
    common::succeeded(&dry);
    common::validate_json("metrics-publish", &dry.stdout, env.path());
    let dry: Value = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!(dry["dry_run"], true);
    assert_eq!(
        dry["plan"]["until"],
        json!(chrono::DateTime::from_timestamp(complete, 0).unwrap())
    );
    assert!(dry["plan"]["data"].as_array().unwrap().len() > 50);
    assert_eq!(
        read()["DownloadCount"],
        json!({}),
        "a dry run sends nothing"
    );

    assert_eq!(
        want["DownloadCount"].as_object().unwrap().len(),
        3,
        "{want}"
    );
    publish_twice_at_once(&env, &ns);
    let once = read();
    assert_eq!(
        once["DownloadCount"], want["DownloadCount"],
        "sums per Version and FileType"
    );
    assert_eq!(
        once["DownloadLatency"], want["DownloadLatency"],
        "latency sums and counts"
    );

    // Again, and as another manager would (no local cache): nothing new, nothing doubled.
    std::fs::remove_dir_all(env.path().join("xdg-data")).unwrap();
    let second = run(&env, &["--json", "metrics", "publish", "--since", "12h"]);
    common::succeeded(&second);
    let second: Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(second["plan"]["data"], json!([]));
    assert_eq!(read(), once, "twice published equals once published");
}

#[test]
fn an_unreachable_cloudwatch_moves_no_watermark() {
    let b = common::s3::bucket("metricsdown");
    let now = chrono::Utc::now().timestamp();
    let start = (now / 3600 - 4) * 3600;
    peer(
        "loggen.py",
        &["cloudfront", &b, "cdn/", &start.to_string(), "2", "5"],
    );
    let ns = format!("Test/Down{}", rand_suffix());
    let dead = format!(
        "http://127.0.0.1:{}",
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    );
    let env = env_for(&b, &ns, Some(&dead), "");
    let out = run(&env, &["metrics", "publish", "--since", "6h"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("CloudWatch") && err.contains("cannot connect"),
        "{err}"
    );
    assert!(
        !env.path()
            .join("store/.shipdeck/metrics-watermark.json")
            .exists()
            || std::fs::read_to_string(env.path().join("store/.shipdeck/metrics-watermark.json"))
                .unwrap()
                .contains("{}"),
        "nothing was sent, so nothing is recorded as sent"
    );
    // The same profile with CloudWatch reachable sends everything.
    let env2 = env_for(&b, &ns, None, "");
    std::fs::copy(
        env.path()
            .join("store/.shipdeck/history/20200101T000000.000000Z-seed.json"),
        env2.path()
            .join("store/.shipdeck/history/20200101T000000.000000Z-seed.json"),
    )
    .unwrap();
    let ok = run(&env2, &["--json", "metrics", "publish", "--since", "6h"]);
    common::succeeded(&ok);
    let doc: Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert!(doc["plan"]["data"].as_array().unwrap().len() > 10, "{doc}");
    assert_eq!(doc["previously_until"], Value::Null);
}

/// A CloudWatch that fails after the first call: the watermark records exactly the buckets that
/// were sent, the error says so, and the next run sends the rest — boto3 then reads every sum
/// once, none lost and none doubled. (The failure comes from tests/peers/fault_proxy.py, a
/// proxy in front of moto that answers 500 from the second PutMetricData on.)
#[test]
fn a_publish_that_stops_part_way_records_what_it_sent_and_the_next_run_sends_the_rest() {
    let hours = 10;
    let Logs {
        bucket: b,
        start,
        now,
        generated,
    } = generate("metricshalf", hours, "17");
    let ns = format!("Test/Half{}", rand_suffix());
    let tmp = tempfile::tempdir().unwrap();
    let proxy = common::stub::Stub::start(
        "fault_proxy.py",
        tmp.path(),
        &[&common::s3::endpoint(), "PutMetricData", "1"],
    );
    let env = env_for(&b, &ns, Some(&proxy.url()), "");
    let stopped = run(&env, &["metrics", "publish", "--since", "14h"]);
    assert_eq!(stopped.status.code(), Some(1));
    let err = String::from_utf8_lossy(&stopped.stderr);
    assert!(
        err.contains("were published and recorded") && err.contains("again to send the rest"),
        "{err}"
    );
    let mark: Value = serde_json::from_slice(
        &std::fs::read(env.path().join("store/.shipdeck/metrics-watermark.json")).unwrap(),
    )
    .unwrap();
    let recorded = mark["published_until"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    let recorded = chrono::DateTime::parse_from_rfc3339(&recorded)
        .unwrap()
        .timestamp();
    let complete = start + (hours - 1) * 3600;
    assert!(
        recorded > start && recorded < complete,
        "part of the window is recorded as sent: {recorded}"
    );
    let read = || published(&ns, start, now);
    let half = read();
    assert_ne!(
        half["DownloadCount"],
        json!({}),
        "the first call went through"
    );
    // The generator counts per hour; the watermark is a five-minute bucket: what CloudWatch
    // holds lies between the hours around it.
    let (lo, hi) = (
        expected(&generated, recorded / 3600 * 3600),
        expected(&generated, (recorded + 3599) / 3600 * 3600),
    );
    for (v, types) in hi["DownloadCount"].as_object().unwrap() {
        for (t, most) in types.as_object().unwrap() {
            let got = half["DownloadCount"][v][t].as_u64().unwrap_or(0);
            let least = lo["DownloadCount"][v][t].as_u64().unwrap_or(0);
            assert!(
                (least..=most.as_u64().unwrap()).contains(&got),
                "{v} {t}: {got} sent before the watermark, the logs hold {least}..={most}"
            );
        }
    }

    // The same profile with CloudWatch answering again: the rest, and only the rest.
    let config = std::fs::read_to_string(env.path().join("shipdeck.toml")).unwrap();
    std::fs::write(
        env.path().join("shipdeck.toml"),
        config.replace(&format!(", endpoint = \"{}\"", proxy.url()), ""),
    )
    .unwrap();
    common::succeeded(&run(&env, &["metrics", "publish", "--since", "14h"]));
    let all = read();
    let want = expected(&generated, complete);
    assert_eq!(all["DownloadCount"], want["DownloadCount"]);
    assert_eq!(all["DownloadLatency"], want["DownloadLatency"]);
}

/// `shipdeck metrics publish --since 12h` (after `first` arguments) in `env`, started and left
/// running, with moto's credentials and endpoint.
fn publisher(env: &Env, first: &[&str]) -> std::process::Child {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("shipdeck"));
    c.current_dir(env.path())
        .env("XDG_DATA_HOME", env.path().join("xdg-data"))
        .env("XDG_CONFIG_HOME", env.path().join("xdg-config"))
        .env("HOME", env.path())
        .env("SHIPDECK_USER", "tester")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", common::s3::endpoint())
        .env_remove("AWS_PROFILE")
        .env_remove("SHIPDECK_CONFIG")
        .args(first)
        .args(["metrics", "publish", "--since", "12h"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// A publish that finds the shared watermark moved between reading it and claiming its buckets
/// stops before sending anything (exit 3), so no bucket is sent twice. The moment is forced:
/// the first run reads its logs through a proxy that holds the listing (the watermark already
/// read) until the second run has published (`common::freeze`).
#[test]
fn a_publish_that_finds_the_watermark_moved_since_it_read_it_sends_nothing_and_exits_3() {
    let hours = 3;
    let Logs {
        bucket: b,
        start,
        now,
        generated,
    } = generate("metricsrace", hours, "19");
    let ns = format!("Test/Race{}", rand_suffix());
    let env = env_for(&b, &ns, None, "");
    // Frozen at its first request: the first run's listing of the logs.
    let hold = common::freeze::Proxy::start(
        common::s3::endpoint()
            .trim_start_matches("http://")
            .to_string(),
        Box::new(|_| true),
    );
    // The same profile, its logs read through the proxy.
    let config = std::fs::read_to_string(env.path().join("shipdeck.toml")).unwrap();
    std::fs::write(
        env.path().join("slow.toml"),
        config.replace(
            &common::s3::endpoint(),
            &format!("http://127.0.0.1:{}", hold.port),
        ),
    )
    .unwrap();
    let first = publisher(&env, &["--config", "slow.toml"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while hold.frozen_at().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the first publish never listed its logs"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let second = run(&env, &["metrics", "publish", "--since", "12h"]);
    common::succeeded(&second);
    hold.thaw();
    let first = first.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&first.stderr);
    assert_eq!(first.status.code(), Some(3), "{err}");
    assert!(err.contains("ran at the same time"), "{err}");
    let read = published(&ns, start, now);
    let want = expected(&generated, start + (hours - 1) * 3600);
    assert_eq!(read["DownloadCount"], want["DownloadCount"], "sent once");
}

/// Two managers at once: each bucket is sent by one of them (the other finds it claimed, or
/// finds nothing new), never by both.
fn publish_twice_at_once(env: &Env, ns: &str) {
    let spawn = || publisher(env, &[]);
    let (a, b2) = (spawn(), spawn());
    let outs = [
        a.wait_with_output().unwrap(),
        b2.wait_with_output().unwrap(),
    ];
    let mut published = 0;
    for o in &outs {
        let text = String::from_utf8_lossy(&o.stdout);
        let err = String::from_utf8_lossy(&o.stderr);
        match o.status.code() {
            Some(0) if text.contains("Published") => {
                published += 1;
                assert!(text.contains(ns) && text.contains("1.1.0:"), "{text}");
            }
            Some(0) => assert!(text.contains("Nothing new"), "{text}"),
            Some(3) => assert!(err.contains("ran at the same time"), "{err}"),
            other => panic!("{other:?}: {text} {err}"),
        }
    }
    assert!(published >= 1, "one of them published");
}

const RULES: &str = "[[profiles.p.alerts]]\nname = \"1.1.0 stopped loading\"\nversion = \"1.1.0\"\nmetric = \"requests\"\nbelow = 10\nwindow = \"1h\"\n\
[[profiles.p.alerts]]\nname = \"latest 5xx\"\nalias = \"latest\"\nmetric = \"error_rate\"\nabove = 0.02\nwindow = \"1h\"\n\
[[profiles.p.alerts]]\nname = \"1.1.0 slow\"\nversion = \"1.1.0\"\nmetric = \"p95_latency_ms\"\nabove = 800\nwindow = \"1h\"\n";

#[test]
fn alerts_sync_plans_writes_alarms_boto3_reads_and_names_what_stays_with_check() {
    let ns = format!("Test/Alarms{}", rand_suffix());
    let b = common::s3::bucket("alarms");
    let env = env_for(&b, &ns, None, RULES);
    // moto is shared by every test: a profile name of its own keeps the alarms apart.
    let cfg = std::fs::read_to_string(env.path().join("shipdeck.toml")).unwrap();
    let profile = format!("p{}", rand_suffix().to_lowercase());
    std::fs::write(
        env.path().join("shipdeck.toml"),
        cfg.replace("profiles.p", &format!("profiles.{profile}")),
    )
    .unwrap();
    let prefix = format!("shipdeck/{profile}/");
    let sync = |extra: &[&str]| {
        let mut args = vec!["--profile", profile.as_str(), "alerts", "sync"];
        args.extend_from_slice(extra);
        let out = run(&env, &args);
        common::succeeded(&out);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let doc = run(
        &env,
        &[
            "--json",
            "--profile",
            &profile,
            "alerts",
            "sync",
            "--dry-run",
        ],
    );
    common::succeeded(&doc);
    common::validate_json("alerts-sync", &doc.stdout, env.path());
    let plan = sync(&["--dry-run"]);
    assert!(
        plan.contains("create") && plan.contains("1.1.0 stopped loading"),
        "{plan}"
    );
    assert!(
        plan.contains("checked by `shipdeck alerts check` only: latest 5xx")
            && plan.contains("checked by `shipdeck alerts check` only: 1.1.0 slow"),
        "{plan}"
    );
    assert_eq!(
        peer("cwcheck.py", &["alarms", &prefix]),
        json!([]),
        "a plan writes nothing"
    );

    let done = sync(&[]);
    assert!(done.contains("created"), "{done}");
    let alarms = peer("cwcheck.py", &["alarms", &prefix]);
    let a = &alarms.as_array().unwrap()[0];
    assert_eq!(a["name"], format!("{prefix}1.1.0 stopped loading"));
    assert_eq!(
        (&a["comparison"], &a["threshold"], &a["treat_missing"]),
        (
            &json!("LessThanThreshold"),
            &json!(10.0),
            &json!("breaching")
        )
    );
    assert_eq!(
        a["actions"],
        json!(["arn:aws:sns:us-east-1:123456789012:webchat"])
    );
    let queries = a["queries"].as_array().unwrap();
    assert_eq!(queries.len(), 7, "one Sum per file type and their total");
    assert!(queries.iter().any(|q| q["expression"] == "SUM(METRICS())"));
    assert!(
        queries
            .iter()
            .filter(|q| q["metric"] == "DownloadCount")
            .all(|q| {
                q["dimensions"]["Version"] == "1.1.0" && q["period"] == 3600 && q["stat"] == "Sum"
            })
    );
    assert_eq!(alarms.as_array().unwrap().len(), 1);

    // A second sync changes nothing; a new threshold is an update.
    assert!(sync(&[]).contains("unchanged"));
    let cfg = std::fs::read_to_string(env.path().join("shipdeck.toml")).unwrap();
    std::fs::write(
        env.path().join("shipdeck.toml"),
        cfg.replacen("below = 10", "below = 25", 1),
    )
    .unwrap();
    assert!(sync(&[]).contains("updated"));
    assert_eq!(
        peer("cwcheck.py", &["alarms", &prefix])[0]["threshold"],
        json!(25.0)
    );
}

fn rand_suffix() -> String {
    format!("{:08x}", rand::random::<u32>())
}
