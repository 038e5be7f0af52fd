//! The S3 store and CloudFront against moto: the shared storage contract, every release command
//! end to end, checked with an independent client (boto3), and the errors a user sees when
//! credentials or the network fail.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;
mod contract;

use common::Env;
use common::s3::{aws_env, bucket, check, config, distribution, endpoint};
use predicates::prelude::*;
use serde_json::Value;
use shipdeck::store::s3::S3Store;

use common::s3::settings;

#[tokio::test]
async fn s3_store_passes_the_contract() {
    let b = bucket("contract");
    let store = S3Store::connect(&b, settings()).await;
    contract::run_all(&store, "").await;
    contract::run_all(&store, "with-prefix/").await;
}

#[tokio::test]
async fn cloudfront_passes_the_cdn_contract() {
    let b = bucket("cdn-contract");
    let d = distribution(&b);
    let cf = shipdeck::cdn::cloudfront::CloudFront::connect(&d, "/msr-webchat", settings()).await;
    contract::cdn::run_all(&cf, "/msr-webchat").await;
}

fn objects(b: &str, prefix: &str) -> Vec<Value> {
    check(&["objects", b, prefix]).as_array().unwrap().clone()
}

/// The profile's history as JSON.
fn history(env: &Env) -> Value {
    serde_json::from_slice(
        &cmd(env)
            .args(["--json", "history"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
}

fn cmd(env: &Env) -> assert_cmd::Command {
    let mut c = env.cmd();
    aws_env(&mut c);
    c
}

/// Each change in history names the build's commit (a rollback: the commit of the release it
/// went back to) and the id of the invalidation it asked for, as CloudFront lists it.
fn history_names_commits_and_invalidations(
    env: &Env,
    distribution: &str,
    doc: &Value,
    commits: &[(&str, &str)],
) {
    let ids: Vec<String> = check(&["invalidations", distribution])
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    let events = doc["events"].as_array().unwrap();
    let commit_of = |v: &str| commits.iter().find(|(x, _)| *x == v).unwrap().1;
    let by_description = |d: &str| {
        events
            .iter()
            .find(|e| e["description"].as_str().unwrap().starts_with(d))
            .unwrap_or_else(|| panic!("{d} in {events:?}"))
    };
    assert_eq!(
        by_description("publish 1.1.0")["commit"],
        commit_of("1.1.0")
    );
    assert_eq!(by_description("rollback")["commit"], commit_of("1.0.0"));
    // Every change that moved an alias someone could have cached asked for an invalidation.
    for e in ["publish 1.1.0", "rollback", "yank"].map(by_description) {
        let id = e["invalidation"].as_str().unwrap_or_else(|| panic!("{e}"));
        assert!(ids.iter().any(|i| i == id), "{id} in {ids:?}");
    }
    // The text names them too: the commit as people quote it, the invalidation in full.
    let text = String::from_utf8(cmd(env).arg("history").output().unwrap().stdout).unwrap();
    let rollback = text.lines().find(|l| l.contains("rollback")).unwrap();
    assert!(
        rollback.contains(" a1b2c3d ") && !rollback.contains("a1b2c3d4"),
        "{text}"
    );
    let id = by_description("rollback")["invalidation"].as_str().unwrap();
    assert!(rollback.contains(&format!("invalidation {id}")), "{text}");
}

#[test]
fn release_commands_end_to_end_on_s3_and_cloudfront() {
    let b = bucket("e2e");
    let d = distribution(&b);
    let env = Env::with_config(&config(&b, Some(&d), &endpoint(), "msr-webchat/"));
    let commits = [
        ("1.0.0", "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"),
        ("1.1.0", "0f1e2d3c4b5a69788796a5b4c3d2e1f001234567"),
    ];
    for (v, promote) in [("1.0.0", true), ("1.1.0", true)] {
        let dist = env.widget(v);
        let mut c = cmd(&env);
        c.arg("publish").arg(&dist).arg("--yes");
        c.args(["--commit", commits.iter().find(|(x, _)| *x == v).unwrap().1]);
        if promote {
            c.arg("--promote");
        }
        c.assert().success();
    }
    // Release files: immutable cache headers (short for .html/.map), right content types.
    let release = objects(&b, "msr-webchat/v1.1.0/");
    assert_eq!(release.len(), 7);
    let by_key = |list: &[Value], k: &str| {
        list.iter()
            .find(|o| o["key"] == k)
            .unwrap_or_else(|| panic!("{k} missing"))
            .clone()
    };
    let umd = by_key(&release, "msr-webchat/v1.1.0/msr-webchat.umd.js");
    // The manifest records each uploaded object's ETag, as S3 itself reports it.
    let manifest = check(&["get", &b, ".shipdeck/msr-webchat/manifests/v1.1.0.json"]);
    for f in manifest["files"].as_array().unwrap() {
        let key = format!("msr-webchat/v1.1.0/{}", f["path"].as_str().unwrap());
        assert_eq!(f["content_id"], by_key(&release, &key)["etag"], "{key}");
    }
    assert_eq!(umd["cache_control"], "public, immutable, max-age=31536000");
    assert_eq!(umd["content_type"], "text/javascript; charset=utf-8");
    assert_eq!(
        by_key(&release, "msr-webchat/v1.1.0/index.html")["cache_control"],
        "public, max-age=3600"
    );
    // Alias files: the same bytes (ETag), alias cache header, content type kept.
    let latest = objects(&b, "msr-webchat/latest/");
    assert_eq!(latest.len(), 7);
    for o in &latest {
        let name = o["key"].as_str().unwrap().rsplit('/').next().unwrap();
        let src = by_key(&release, &format!("msr-webchat/v1.1.0/{name}"));
        assert_eq!(o["etag"], src["etag"], "{name}");
        assert_eq!(o["cache_control"], "public, max-age=300", "{name}");
        assert_eq!(o["content_type"], src["content_type"], "{name}");
    }
    // Invalidations: only the moved aliases' paths, never /* or a version folder.
    let paths: Vec<String> = check(&["invalidations", &d])
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| {
            i["paths"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap().to_string())
        })
        .collect();
    for p in [
        "/msr-webchat/latest/*",
        "/msr-webchat/v1/*",
        "/msr-webchat/v1.1/*",
    ] {
        assert!(paths.iter().any(|x| x == p), "{p} in {paths:?}");
    }
    assert!(
        paths
            .iter()
            .all(|p| p != "/*" && !p.contains("/v1.1.0/") && !p.contains("/v1.0.0/")),
        "{paths:?}"
    );
    assert!(
        check(&["invalidations", &d])
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["status"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case("completed"))
    );

    // Rollback: plan shows the CDN path and its cost, the alias moves, invalidation recorded.
    cmd(&env)
        .args(["rollback", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "cdn      invalidate /msr-webchat/latest/*",
        ))
        .stdout(predicate::str::contains(
            "first 1,000 paths a month are free, then $0.005 per path",
        ))
        .stdout(predicate::str::contains("CDN invalidation:"));
    let latest = objects(&b, "msr-webchat/latest/");
    let v100 = objects(&b, "msr-webchat/v1.0.0/");
    assert_eq!(
        by_key(&latest, "msr-webchat/latest/style.css")["etag"],
        by_key(&v100, "msr-webchat/v1.0.0/style.css")["etag"]
    );

    // Yank re-resolves; verify passes; history has every step.
    cmd(&env)
        .args(["yank", "1.1.0", "--reason", "broken css", "--yes"])
        .assert()
        .success();
    assert!(
        objects(&b, "msr-webchat/v1.1/").is_empty(),
        "the v1.1 alias is gone"
    );
    assert_eq!(
        objects(&b, "msr-webchat/v1.1.0/").len(),
        7,
        "the release folder stays"
    );
    cmd(&env).arg("verify").assert().success();
    let doc = history(&env);
    let actions: Vec<&str> = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["yank", "rollback", "publish", "publish"]);
    history_names_commits_and_invalidations(&env, &d, &doc, &commits);

    // Tampering is caught by verify, naming the file.
    let tampered = std::process::Command::new(common::s3::aws())
        .args([
            "--endpoint-url",
            &endpoint(),
            "s3",
            "cp",
            "-",
            &format!("s3://{b}/msr-webchat/latest/style.css"),
        ])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env_remove("AWS_CA_BUNDLE")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(b"tampered")?;
            c.wait()
        })
        .unwrap();
    assert!(tampered.success());
    cmd(&env)
        .arg("verify")
        .assert()
        .code(4)
        .stdout(predicate::str::contains(
            "msr-webchat/latest/style.css: content differs",
        ));
    // `repair` lists the folder, copies the file back with the alias headers, invalidates.
    let invalidations_before = check(&["invalidations", &d]).as_array().unwrap().len();
    cmd(&env)
        .args(["repair", "latest", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Done: 1 file(s) written"));
    cmd(&env).arg("verify").assert().success();
    let repaired = objects(&b, "msr-webchat/latest/");
    let style = by_key(&repaired, "msr-webchat/latest/style.css");
    assert_eq!(
        style["etag"],
        by_key(&v100, "msr-webchat/v1.0.0/style.css")["etag"]
    );
    assert_eq!(style["cache_control"], "public, max-age=300");
    assert_eq!(style["content_type"], "text/css; charset=utf-8");
    let invalidations = check(&["invalidations", &d]);
    let invalidations = invalidations.as_array().unwrap();
    assert_eq!(invalidations.len(), invalidations_before + 1);
    assert!(
        invalidations
            .iter()
            .any(|i| i["paths"] == serde_json::json!(["/msr-webchat/latest/*"])),
        "{invalidations:?}"
    );

    // Manual invalidation, and its guard rails.
    cmd(&env)
        .args(["invalidate", "/msr-webchat/latest/*", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("invalidation"));
    cmd(&env)
        .args(["invalidate", "/*", "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("every immutable release"));
    let n = check(&["invalidations", &d]).as_array().unwrap().len();
    cmd(&env)
        .args([
            "--no-invalidate",
            "promote",
            "1.0.0",
            "--alias",
            "next",
            "--yes",
        ])
        .assert()
        .success();
    assert_eq!(
        check(&["invalidations", &d]).as_array().unwrap().len(),
        n,
        "--no-invalidate sent nothing"
    );
}

#[test]
fn a_second_promote_that_changes_nothing_copies_nothing() {
    let b = bucket("noop");
    let env = Env::with_config(&config(&b, None, &endpoint(), ""));
    let dist = env.widget("2.0.0");
    cmd(&env)
        .arg("publish")
        .arg(&dist)
        .args(["--promote", "--yes"])
        .assert()
        .success();
    let before = objects(&b, "latest/");
    cmd(&env)
        .args(["promote", "2.0.0", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Nothing to change."));
    assert_eq!(objects(&b, "latest/"), before);
}

#[test]
fn missing_credentials_say_how_to_log_in() {
    let b = bucket("nocreds");
    let env = Env::with_config(&config(&b, None, &endpoint(), ""));
    env.cmd()
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_CONFIG_FILE", env.path().join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", env.path().join("none"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .arg("releases")
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains(format!("s3://{b}"))
                .and(predicate::str::contains("shipdeck login --profile s3")),
        );
}

#[test]
fn an_unreachable_endpoint_names_bucket_key_and_cause() {
    let env = Env::with_config(&config("nowhere", None, "http://127.0.0.1:9", ""));
    let out = cmd(&env).arg("releases").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("s3://nowhere at http://127.0.0.1:9: '.shipdeck/state.json': cannot connect to http://127.0.0.1:9"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[test]
fn a_failed_invalidation_is_reported_and_recorded_and_the_change_stands() {
    let b = bucket("badcdn");
    let env = Env::with_config(&config(&b, Some("EBOGUS00000000"), &endpoint(), ""));
    let dist = env.widget("3.0.0");
    let out = cmd(&env)
        .arg("publish")
        .arg(&dist)
        .args(["--promote", "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // CloudFront's error is named as CloudFront's (not S3's), with the command that retries.
    assert!(
        stdout.contains(
            "warning: the CDN invalidation failed (CloudFront distribution EBOGUS00000000: the distribution does not exist"
        ) && stdout.contains("the alias change stands")
            && stdout.contains("retry with `shipdeck invalidate '/latest/*'"),
        "{stdout}"
    );
    assert!(!stdout.contains("S3 answered"), "{stdout}");
    assert_eq!(objects(&b, "latest/").len(), 7, "the alias moved anyway");
    let doc = history(&env);
    let inv = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "invalidate")
        .expect("the failure is in history");
    assert!(
        inv["outcome"]
            .as_str()
            .unwrap()
            .starts_with("failed: CloudFront distribution EBOGUS00000000"),
        "{inv}"
    );
    // In --json the outcome is typed: failed, with the paths still to invalidate.
    let dist = env.widget("3.0.1");
    let out = cmd(&env)
        .args(["--json", "publish"])
        .arg(&dist)
        .args(["--promote", "--yes"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let cdn = &doc["report"]["cdn"];
    assert_eq!(cdn["outcome"], "failed", "{doc}");
    assert!(
        cdn["error"]
            .as_str()
            .unwrap()
            .starts_with("CloudFront distribution")
    );
    assert!(
        cdn["paths"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p == "/latest/*")
    );
}

/// The console presents the same outcome as the CLI: a promote against a distribution that does
/// not exist opens a warning naming CloudFront and the retry command, not a plain "done".
#[test]
fn the_console_shows_a_failed_invalidation_as_the_cli_does() {
    use shipdeck::ops::{Silent, apply, change};
    use shipdeck::tui::dialogs::Modal;
    use shipdeck::tui::state::Action;
    let b = bucket("badcdn-tui");
    let env = Env::with_config(&config(&b, Some("EBOGUS00000001"), &endpoint(), ""));
    cmd(&env)
        .arg("publish")
        .arg(env.widget("4.0.0"))
        .arg("--yes")
        .assert()
        .success();
    // The same steps as the console's worker (plan, apply) on the same store and CDN.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let report = rt.block_on(async {
        let mut ctx = common::context(std::sync::Arc::new(S3Store::connect(&b, settings()).await));
        ctx.cdn = std::sync::Arc::new(
            shipdeck::cdn::cloudfront::CloudFront::connect("EBOGUS00000001", "/", settings()).await,
        );
        let req = shipdeck::domain::change::Request::Promote {
            version: "4.0.0".parse().unwrap(),
            alias: None,
        };
        let plan = change::plan_change(&ctx, &req).await.unwrap();
        apply::apply(
            &ctx,
            &plan,
            shipdeck::domain::history::Operation::Promote,
            &Silent,
        )
        .await
        .unwrap()
    });
    let mut state = common::tui::state(100, 30, false);
    state.update(Action::Applied(Ok(Box::new(report))));
    let Some(Modal::Message {
        title,
        lines,
        error,
    }) = &state.modal
    else {
        panic!(
            "a failed invalidation opens a message, not a status line: {:?}",
            state.status
        )
    };
    assert!(*error && title.contains("warnings"), "{title}");
    let text: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert!(
        text.iter()
            .any(|l| l.contains("CloudFront distribution EBOGUS00000001")
                && l.contains("retry with `shipdeck invalidate '/latest/*'")),
        "{text:?}"
    );
}

#[test]
fn init_checks_that_the_bucket_exists_and_is_reachable() {
    let b = bucket("init");
    let env = Env::with_config(&config(&b, None, &endpoint(), "msr-webchat/"));
    cmd(&env).arg("init").assert().success().stdout(
        predicate::str::contains(format!("ready: s3://{b}"))
            .and(predicate::str::contains("no releases yet")),
    );
    let env = Env::with_config(&config("shipdeck-no-such-bucket-x", None, &endpoint(), ""));
    cmd(&env)
        .arg("init")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("the bucket does not exist"));
}

#[test]
fn republishing_on_s3_is_idempotent() {
    let b = bucket("republish");
    let env = Env::with_config(&config(&b, None, &endpoint(), "msr-webchat/"));
    common::republish_changes_nothing(
        &env,
        &|args| cmd(&env).args(args).output().unwrap(),
        &|| objects(&b, ""),
    );
}
