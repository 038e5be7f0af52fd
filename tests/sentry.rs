//! Sentry: a publish creates the release (named by the profile's template), a promote and a
//! rollback of the production alias record deploys, `alerts check` evaluates
//! `sentry_new_issues`, and `traffic` shows each release's new issues beside the CDN's numbers.
//!
//! No Sentry server runs in CI (self-hosted Sentry needs a dozen services), so the API is a
//! hand-written stub of exactly the endpoints used, from Sentry's API reference
//! (tests/peers/sentry_stub.py); what Shipdeck wrote is read back with the official client,
//! sentry-cli (npm @sentry/cli), against the same stub.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly, naming what went wrong"
)]

mod common;

use common::Env;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command};

const TOKEN: &str = "sntrys_shipdeckStubToken5Rw";

/// The stub, stopped when dropped.
struct Stub {
    child: Child,
    url: String,
}

impl Drop for Stub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Stub {
    #[expect(
        clippy::zombie_processes,
        reason = "the child is killed and waited for when the Stub is dropped"
    )]
    fn start(dir: &std::path::Path) -> Stub {
        let ready = dir.join("sentry-ready");
        let child = Command::new(common::peers_bin().join("python"))
            .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/sentry_stub.py"))
            .arg(&ready)
            .arg(TOKEN)
            .spawn()
            .unwrap();
        for _ in 0..200 {
            if let Ok(port) = std::fs::read_to_string(&ready) {
                return Stub {
                    child,
                    url: format!("http://127.0.0.1:{}", port.trim()),
                };
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("the Sentry stub did not start");
    }

    fn state(&self) -> Value {
        let out = Command::new("curl")
            .args(["-s", &format!("{}/_state", self.url)])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn add_issues(&self, issues: &Value) {
        let out = Command::new("curl")
            .args([
                "-s",
                "-X",
                "POST",
                "-d",
                &issues.to_string(),
                &format!("{}/_state/issues", self.url),
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
    }

    /// sentry-cli against the stub.
    fn cli(&self, args: &[&str]) -> String {
        let bin = std::env::var("SHIPDECK_TEST_SENTRY_CLI").unwrap_or_else(|_| {
            panic!("SHIPDECK_TEST_SENTRY_CLI is not set: run the tests with `bash scripts/test.sh`")
        });
        let out = Command::new(bin)
            .env("SENTRY_URL", &self.url)
            .env("SENTRY_AUTH_TOKEN", TOKEN)
            .arg(args[0])
            .args(["--org", "acme", "--project", "webchat"])
            .args(&args[1..])
            .output()
            .unwrap();
        common::succeeded(&out);
        String::from_utf8(out.stdout).unwrap()
    }
}

fn env_for(stub: &Stub, extra: &str) -> Env {
    Env::with_config(&format!(
        "[profiles.p]\nstore = {{ kind = \"local\", path = \"store\" }}\ncdn = {{ kind = \"none\", path_prefix = \"/msr-webchat\" }}\nsentry = {{ url = \"{}\", org = \"acme\", project = \"webchat\", release = \"webchat@{{version}}\" }}\n{extra}",
        stub.url
    ))
}

fn run(env: &Env, token: Option<&str>, args: &[&str]) -> std::process::Output {
    let mut c = env.cmd();
    c.env_remove("SENTRY_AUTH_TOKEN");
    if let Some(t) = token {
        c.env("SENTRY_AUTH_TOKEN", t);
    }
    common::s3::aws_env(&mut c);
    c.args(args).output().unwrap()
}

fn ok(env: &Env, args: &[&str]) -> String {
    let out = run(env, Some(TOKEN), args);
    common::succeeded(&out);
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn publish_creates_the_release_and_moves_of_latest_record_deploys_as_sentry_cli_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let stub = Stub::start(dir.path());
    let env = env_for(&stub, "");
    let (a, b) = (env.widget("1.0.0"), env.widget("1.1.0"));
    let published = ok(&env, &["publish", a.to_str().unwrap(), "--yes"]);
    assert!(
        published.contains("Sentry: release webchat@1.0.0 created"),
        "{published}"
    );
    let promoted = ok(&env, &["promote", "1.0.0", "--alias", "latest", "--yes"]);
    assert!(
        promoted.contains("Sentry: deploy of webchat@1.0.0 to production recorded"),
        "{promoted}"
    );
    ok(&env, &["publish", b.to_str().unwrap(), "--yes"]);
    ok(&env, &["promote", "1.1.0", "--alias", "latest", "--yes"]);
    // A move of another alias is not a production deploy.
    ok(&env, &["promote", "1.1.0", "--alias", "v1", "--yes"]);
    let back = ok(&env, &["rollback", "latest", "--to", "1.0.0", "--yes"]);
    assert!(back.contains("deploy of webchat@1.0.0"), "{back}");

    let releases = stub.cli(&["releases", "list"]);
    assert!(
        releases.contains("webchat@1.0.0") && releases.contains("webchat@1.1.0"),
        "{releases}"
    );
    assert!(
        stub.cli(&["releases", "info", "webchat@1.1.0"])
            .contains("webchat@1.1.0")
    );
    let deploys = stub.cli(&["deploys", "--release", "webchat@1.0.0", "list"]);
    assert_eq!(deploys.matches("production").count(), 2, "{deploys}");
    let deploys = stub.cli(&["deploys", "--release", "webchat@1.1.0", "list"]);
    assert_eq!(deploys.matches("production").count(), 1, "{deploys}");
    assert_eq!(stub.state()["violations"], json!([]));
}

#[test]
fn a_tracker_that_refuses_is_a_warning_and_the_change_stands() {
    let dir = tempfile::tempdir().unwrap();
    let stub = Stub::start(dir.path());
    let env = env_for(&stub, "");
    let a = env.widget("1.0.0");
    let out = run(
        &env,
        Some("sntrys_wrong"),
        &["publish", a.to_str().unwrap(), "--yes"],
    );
    common::succeeded(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Done, with warnings"), "{text}");
    assert!(
        text.contains("not recorded in the error tracker") && text.contains("token was refused"),
        "{text}"
    );
    assert!(!text.contains("sntrys_wrong"));
    let doc = env.json(&["releases"]);
    assert_eq!(doc["versions"][0]["version"], "1.0.0", "the publish stands");
    // Without any token: the sentence says how to give one.
    let out = run(
        &env,
        None,
        &["promote", "1.0.0", "--alias", "latest", "--yes"],
    );
    common::succeeded(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("shipdeck login --sentry"), "{text}");
}

const RULES: &str = "[[profiles.p.alerts]]\nname = \"new errors in 1.1.0\"\nversion = \"1.1.0\"\nmetric = \"sentry_new_issues\"\nabove = 2\nwindow = \"1h\"\n\
[[profiles.p.alerts]]\nname = \"new errors behind latest\"\nalias = \"latest\"\nmetric = \"sentry_new_issues\"\nabove = 0\nwindow = \"1h\"\n";

#[test]
fn sentry_new_issues_fire_and_traffic_shows_them_per_release() {
    let dir = tempfile::tempdir().unwrap();
    let stub = Stub::start(dir.path());
    let b = common::s3::bucket("sentrylogs");
    let now = chrono::Utc::now();
    let start = (now.timestamp() / 3600 - 4) * 3600;
    let out = Command::new(common::peers_bin().join("python"))
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/loggen.py"))
        .args(["cloudfront", &b, "cdn/", &start.to_string(), "2", "3"])
        .env("SHIPDECK_TEST_S3", common::s3::endpoint())
        .output()
        .unwrap();
    common::succeeded(&out);
    let logs = format!(
        "logs = {{ kind = \"cloudfront\", bucket = \"{b}\", prefix = \"cdn/\", region = \"us-east-1\", endpoint = \"{}\" }}\n{RULES}",
        common::s3::endpoint()
    );
    let env = env_for(&stub, &logs);
    ok(
        &env,
        &["publish", env.widget("1.0.0").to_str().unwrap(), "--yes"],
    );
    ok(&env, &["promote", "1.0.0", "--alias", "latest", "--yes"]);
    let at = |mins: i64| (now - chrono::Duration::minutes(mins)).to_rfc3339();
    // Five new issues in 1.1.0 (over two pages of the stub's three), one older than the
    // window; one in 1.0.0; none in 0.9.0.
    let mut issues: Vec<Value> = (0..5)
        .map(|i| json!({"project": "webchat", "first_release": "webchat@1.1.0", "first_seen": at(10 + i), "count": 10 + i, "title": format!("TypeError {i}")}))
        .collect();
    issues.push(json!({"project": "webchat", "first_release": "webchat@1.1.0", "first_seen": at(600), "count": 99, "title": "old"}));
    issues.push(json!({"project": "webchat", "first_release": "webchat@1.0.0", "first_seen": at(5), "count": 1, "title": "x"}));
    stub.add_issues(&json!(issues));

    let out = run(&env, Some(TOKEN), &["--json", "alerts", "check"]);
    assert_eq!(
        out.status.code(),
        Some(6),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::validate_json("alerts-check", &out.stdout, env.path());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rule = |name: &str| common::rule(&doc, name);
    assert_eq!(rule("new errors in 1.1.0")["value"], json!(5.0));
    assert_eq!(rule("new errors in 1.1.0")["firing"], true);
    assert_eq!(
        rule("new errors behind latest")["value"],
        json!(1.0),
        "latest serves 1.0.0"
    );

    let t = run(&env, Some(TOKEN), &["--json", "traffic", "--since", "6h"]);
    common::succeeded(&t);
    common::validate_json("traffic", &t.stdout, env.path());
    let t: Value = serde_json::from_slice(&t.stdout).unwrap();
    assert_eq!(
        t["errors"]["releases"]["1.1.0"],
        json!({"new_issues": 5, "events": 60})
    );
    assert_eq!(
        t["errors"]["releases"]["1.0.0"],
        json!({"new_issues": 1, "events": 1})
    );
    assert_eq!(
        t["errors"]["releases"]["0.9.0"],
        json!({"new_issues": 0, "events": 0})
    );
    let text = ok(&env, &["traffic", "--since", "6h"]);
    assert!(text.contains("5 new issues (60 events)"), "{text}");

    // No token: the rules cannot be evaluated, and say how to fix it (exit 1).
    let out = run(&env, None, &["alerts", "check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("shipdeck login --sentry"), "{text}");
}

/// The debug log a command of `env` wrote (empty when none).
fn debug_log(env: &Env) -> String {
    let dir = env.path().join("xdg-data");
    let mut found = String::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "shipdeck.log") {
                found.push_str(&std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    found
}

#[test]
fn commands_that_never_talk_to_sentry_never_look_up_its_token() {
    // The token is looked up when the tracker is first used: reading releases, history or
    // verifying never touches the keyring for it; a publish does.
    let dir = tempfile::tempdir().unwrap();
    let stub = Stub::start(dir.path());
    let env = env_for(&stub, "");
    let a = env.widget("1.0.0");
    let lookup = "looking up the Sentry token";
    for args in [
        &["releases"][..],
        &["history"],
        &["verify"],
        &["show", "1.0.0"],
    ] {
        let mut c = env.cmd();
        c.env("SHIPDECK_LOG", "debug")
            .env_remove("SENTRY_AUTH_TOKEN");
        c.args(args).output().unwrap();
    }
    assert!(!debug_log(&env).contains(lookup), "{}", debug_log(&env));
    let mut c = env.cmd();
    c.env("SHIPDECK_LOG", "debug")
        .env("SENTRY_AUTH_TOKEN", TOKEN);
    let out = c
        .args(["publish", a.to_str().unwrap(), "--yes"])
        .output()
        .unwrap();
    common::succeeded(&out);
    assert!(debug_log(&env).contains(lookup));
}
