//! `alerts check` against logs in moto's S3: rules on an alias and a version, over the complete
//! part of their window (the newest hour is left out), firing and not, with the rollback a
//! firing alias rule names, the exit codes the nightly pipeline branches on (0, 6, 1), the JSON
//! document's schema, and a malformed rule reported at its line.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly, naming what went wrong"
)]

mod common;

use bytes::Bytes;
use chrono::{DateTime, Duration, Timelike, Utc};
use common::Env;
use serde_json::Value;
use shipdeck::store::{Condition, Headers, ObjectStore, s3::S3Store};

use common::s3::settings;

/// One hour's W3C log: `(folder, file, status, seconds taken, how many)`.
fn hour_log(hour: DateTime<Utc>, rows: &[(&str, &str, u16, &str, usize)]) -> String {
    let mut text =
        "#Version: 1.0\n#Fields: date time cs-uri-stem sc-status sc-bytes x-edge-result-type time-taken\n"
            .to_string();
    let mut i = 0;
    for (folder, file, status, took, n) in rows {
        for _ in 0..*n {
            let at = hour + Duration::seconds(i % 3600);
            i += 37;
            text.push_str(&format!(
                "{}\t{}\t/msr-webchat/{folder}/{file}\t{status}\t1000\tHit\t{took}\n",
                at.format("%Y-%m-%d"),
                at.format("%H:%M:%S")
            ));
        }
    }
    text
}

fn env_with(bucket: &str, rules: &str) -> Env {
    Env::with_config(&format!(
        "[profiles.p]\nstore = {{ kind = \"local\", path = \"store\" }}\ncdn = {{ kind = \"none\", path_prefix = \"/msr-webchat\" }}\nlogs = {{ kind = \"cloudfront\", bucket = \"{bucket}\", prefix = \"cdn/\", region = \"us-east-1\", endpoint = \"{}\" }}\n{rules}",
        common::s3::endpoint()
    ))
}

fn run(env: &Env, args: &[&str]) -> std::process::Output {
    let mut c = env.cmd();
    common::s3::aws_env(&mut c);
    c.args(args).output().unwrap()
}

const LATEST_5XX: &str = "[[profiles.p.alerts]]\nname = \"latest 5xx\"\nalias = \"latest\"\nmetric = \"error_rate\"\nabove = 0.02\nwindow = \"1h\"\n";
const V1_SLOW: &str = "[[profiles.p.alerts]]\nname = \"v1 slow\"\nalias = \"v1\"\nmetric = \"p95_latency_ms\"\nabove = 500\nwindow = \"1h\"\n";
const OLD_STILL_LOADED: &str = "[[profiles.p.alerts]]\nname = \"1.0.0 still loaded\"\nversion = \"1.0.0\"\nmetric = \"requests\"\nabove = 5\nwindow = \"1h\"\n";
const SENTRY: &str = "[[profiles.p.alerts]]\nname = \"new errors\"\nalias = \"latest\"\nmetric = \"sentry_new_issues\"\nabove = 0\n";

/// Writes two hours of logs into a new bucket: the complete hour before last (latest answers
/// 10 % 5xx, slowly; v1 is fast; 1.0.0 is still loaded), and the newest hour, which may still be
/// arriving (v1 all 5xx and slow, outside the complete window). Returns the bucket and the
/// current hour.
async fn write_logs() -> (String, DateTime<Utc>) {
    let b = common::s3::bucket("alerts");
    let store = S3Store::connect(&b, settings()).await;
    let now = Utc::now();
    let h = now
        .with_minute(0)
        .unwrap()
        .with_second(0)
        .unwrap()
        .with_nanosecond(0)
        .unwrap();
    let put = |hour: DateTime<Utc>, text: String| {
        let key = format!("cdn/E2TEST.{}.alerts.gz", hour.format("%Y-%m-%d-%H"));
        let store = &store;
        async move {
            store
                .put(
                    &key,
                    Bytes::from(text),
                    &Headers {
                        content_type: "text/plain".into(),
                        cache_control: "no-store".into(),
                    },
                    &Condition::None,
                )
                .await
                .unwrap();
        }
    };
    put(
        h - Duration::hours(2),
        hour_log(
            h - Duration::hours(2),
            &[
                ("latest", "msr-webchat.umd.js", 200, "0.040", 90),
                ("latest", "msr-webchat.umd.js", 503, "0.900", 10),
                ("v1", "style.css", 200, "0.030", 50),
                ("v1.0.0", "msr-webchat.umd.js", 200, "0.020", 7),
            ],
        ),
    )
    .await;
    put(
        h - Duration::hours(1),
        hour_log(
            h - Duration::hours(1),
            &[("v1", "style.css", 503, "2.000", 40)],
        ),
    )
    .await;

    (b, h)
}

#[tokio::test(flavor = "multi_thread")]
async fn rules_fire_on_the_complete_window_and_name_the_rollback() {
    let (b, h) = write_logs().await;
    let all = [LATEST_5XX, V1_SLOW, OLD_STILL_LOADED, SENTRY].concat();
    let env = env_with(&b, &all);
    env.publish("1.0.0", true);
    env.publish("1.1.0", true);
    let out = run(&env, &["--json", "alerts", "check"]);
    assert_eq!(
        out.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::validate_json("alerts-check", &out.stdout, env.path());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rule = |name: &str| common::rule(&doc, name);
    let latest = rule("latest 5xx");
    assert_eq!(latest["firing"], true);
    assert!(
        (latest["value"].as_f64().unwrap() - 0.10).abs() < 1e-9,
        "{latest}"
    );
    assert_eq!(
        latest["until"].as_str().unwrap(),
        (h - Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "the window ends where the logs are complete"
    );
    assert_eq!(
        latest["action"],
        "roll back: shipdeck rollback latest --to 1.0.0"
    );
    let v1 = rule("v1 slow");
    assert_eq!(
        v1["firing"], false,
        "the slow hour is not complete yet: {v1}"
    );
    assert_eq!(v1["value"], 30.0, "p95 of 30 ms is the bucket up to 30 ms");
    let old = rule("1.0.0 still loaded");
    assert_eq!(
        (old["firing"].clone(), old["value"].clone()),
        (Value::Bool(true), Value::from(7.0))
    );
    let sentry = rule("new errors");
    assert_eq!(sentry["firing"], false);
    assert!(
        sentry["unevaluated"]
            .as_str()
            .unwrap()
            .contains("the profile's sentry = {"),
        "a profile without Sentry says what to add: {sentry}"
    );
    assert_eq!(
        (doc["firing"].as_u64(), doc["unevaluated"].as_u64()),
        (Some(2), Some(1))
    );

    // The text: one line per rule, the rollback on the firing alias rule, a summary.
    let out = run(&env, &["alerts", "check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "FIRING  latest 5xx: error_rate of latest/ 10.0% (above 2.0%) over 1 h up to"
        ) && text.contains("— roll back: shipdeck rollback latest --to 1.0.0")
            && text.contains("ok      v1 slow: p95_latency_ms of v1/ 30 ms (above 500 ms)")
            && text.contains("UNKNOWN new errors")
            && text.contains("alerts: 2 of 4 rule(s) FIRING; 1 could not be evaluated"),
        "{text}"
    );

    firing_in_actions(&env);

    // None fires: 0. One cannot be evaluated and none fires: 1.
    let env = env_with(&b, V1_SLOW);
    env.publish("1.0.0", true);
    assert_eq!(run(&env, &["alerts", "check"]).status.code(), Some(0));
    let env = env_with(&b, &[V1_SLOW, SENTRY].concat());
    env.publish("1.0.0", true);
    assert_eq!(run(&env, &["alerts", "check"]).status.code(), Some(1));
}

/// In a GitHub Actions step (two rules fire, one cannot be evaluated): every rule in the job
/// summary, a warning annotation per firing rule and an error per rule that cannot be
/// evaluated, the verdict as outputs.
fn firing_in_actions(env: &Env) {
    let mut c = env.cmd();
    common::s3::aws_env(&mut c);
    let (summary, outs) = common::in_actions(env, &mut c);
    let out = c.args(["alerts", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(6));
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains("### 🔥 alerts: 2 of 4 rule(s) FIRING; 1 could not be evaluated")
            && md.contains("- FIRING  latest 5xx: error_rate of latest/ 10.0% (above 2.0%)")
            && md.contains("roll back: shipdeck rollback latest --to 1.0.0")
            && md.contains("- ok      v1 slow"),
        "{md}"
    );
    let o = common::outputs(&outs);
    assert_eq!(
        (o["result"].as_str(), o["firing"].as_str()),
        ("firing", "2")
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let warnings: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("::warning::"))
        .collect();
    assert_eq!(warnings.len(), 2, "{text}");
    assert!(warnings.iter().any(|w| w.contains("latest 5xx")), "{text}");
    assert_eq!(
        text.lines().filter(|l| l.starts_with("::error::")).count(),
        1,
        "{text}"
    );
}

#[test]
fn a_malformed_rule_is_a_config_error_at_its_line() {
    let env = env_with(
        "unused",
        "[[profiles.p.alerts]]\nname = \"half\"\nalias = \"latest\"\nmetric = \"error_rate\"\nwindow = \"1h\"\n",
    );
    let out = env.cmd().args(["alerts", "check"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("shipdeck.toml:") && err.contains("give `above` or `below`"),
        "{err}"
    );
    // An unknown metric lists the valid ones.
    let env = env_with(
        "unused",
        "[[profiles.p.alerts]]\nname = \"x\"\nalias = \"latest\"\nmetric = \"happiness\"\nabove = 1\n",
    );
    let err =
        String::from_utf8_lossy(&env.cmd().args(["alerts", "check"]).output().unwrap().stderr)
            .to_string();
    assert!(
        err.contains("happiness") && err.contains("error_rate"),
        "{err}"
    );
}

/// Rules a profile cannot evaluate say why and how to fix it, and the run exits 1 (not 0, not
/// 6): no access logs for a log metric, no public_url for edge_stale.
#[test]
fn rules_that_cannot_be_evaluated_say_what_the_profile_lacks() {
    let env = Env::with_config(
        "[profiles.p]\nstore = { kind = \"local\", path = \"store\" }\n[[profiles.p.alerts]]\nname = \"latest 5xx\"\nalias = \"latest\"\nmetric = \"error_rate\"\nabove = 0.02\n[[profiles.p.alerts]]\nname = \"stale edge\"\nalias = \"latest\"\nmetric = \"edge_stale\"\nabove = 0\n",
    );
    env.publish("1.0.0", true);
    let out = env
        .cmd()
        .args(["--json", "alerts", "check"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let why = |i: usize| doc["rules"][i]["unevaluated"].as_str().unwrap().to_string();
    assert!(
        why(0).contains("names no access logs") && why(0).contains("logs = {"),
        "{doc}"
    );
    assert!(why(1).contains("public_url"), "{doc}");
    assert_eq!(
        (doc["firing"].as_u64(), doc["unevaluated"].as_u64()),
        (Some(0), Some(2))
    );
    let text =
        String::from_utf8_lossy(&env.cmd().args(["alerts", "check"]).output().unwrap().stdout)
            .to_string();
    assert!(
        text.contains("UNKNOWN latest 5xx: error_rate of latest/ cannot be evaluated: the profile names no access logs")
            && text.contains("alerts: 2 rule(s) could not be evaluated; none fires"),
        "{text}"
    );
}
