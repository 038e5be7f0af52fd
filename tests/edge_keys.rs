//! The KeyValueStore data plane adapter (`cdn::kvs`) against tests/peers/kvs_stub.py, the
//! hand-written stand-in for the calls moto does not serve (see the stub's docstring): reads
//! follow every page, writes carry the ETag, a stale ETag is "someone else changed it" and
//! writes nothing, requests are signed with SigV4A.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use common::Env;
use common::stub::{Stub, python};
use predicates::prelude::*;
use shipdeck::cdn::alias_keys::{AliasKeys, KeysError as KvsError};
use shipdeck::cdn::kvs::Kvs;

pub const ARN: &str =
    "arn:aws:cloudfront::123456789012:key-value-store/0d6f6a04-2a6a-4c3e-a9b1-2f4b5c6d7e8f";

/// The stub's state, read over its control endpoint.
fn state(stub: &Stub) -> serde_json::Value {
    let out = std::process::Command::new(python())
        .args([
            "-c",
            "import sys,urllib.request;print(urllib.request.urlopen(sys.argv[1]).read().decode())",
            &format!("{}/_state", stub.url()),
        ])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Another manager's write, behind Shipdeck's back.
fn overwrite(stub: &Stub, items: &str) {
    let code = "import sys,urllib.request;urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method='POST'))";
    let ok = std::process::Command::new(python())
        .args(["-c", code, &format!("{}/_state", stub.url()), items])
        .status()
        .unwrap();
    assert!(ok.success());
}

#[test]
fn keys_are_read_whole_and_written_only_over_the_state_they_were_read_from() {
    let dir = tempfile::tempdir().unwrap();
    let stub = Stub::start("kvs_stub.py", dir.path(), &[ARN]);
    let mut settings = common::s3::settings();
    settings.endpoint = None;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let kvs = rt.block_on(Kvs::connect(ARN, Some(&stub.url()), settings));

    let empty = rt.block_on(kvs.read()).unwrap();
    assert!(empty.items.is_empty());
    let puts: Vec<(String, String)> = [
        ("latest", "1.0.1"),
        ("v1", "1.0.1;1.1.0=5"),
        ("v1.0", "1.0.1"),
        ("next", "2.0.0-rc.1"),
        ("v2", "2.0.0"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
    .collect();
    let etag = rt.block_on(kvs.write(&empty.etag, &puts, &[])).unwrap();
    assert_ne!(etag, empty.etag);
    // Five keys come back over three pages of two.
    let read = rt.block_on(kvs.read()).unwrap();
    assert_eq!(read.etag, etag);
    assert_eq!(read.items.len(), 5);
    assert_eq!(read.items["v1"], "1.0.1;1.1.0=5");
    // One call puts and deletes together.
    let etag = rt
        .block_on(kvs.write(
            &read.etag,
            &[("latest".to_string(), "1.1.0".to_string())],
            &["v2".to_string()],
        ))
        .unwrap();
    let read = rt.block_on(kvs.read()).unwrap();
    assert_eq!(read.items["latest"], "1.1.0");
    assert!(!read.items.contains_key("v2"));
    // A stale ETag (another manager wrote in between) writes nothing.
    overwrite(&stub, r#"{"latest": "1.0.0"}"#);
    let err = rt
        .block_on(kvs.write(&etag, &[("latest".to_string(), "9.9.9".to_string())], &[]))
        .unwrap_err();
    assert!(matches!(err, KvsError::Changed { .. }), "{err}");
    assert_eq!(shipdeck::error::Error::from(err.clone()).exit_code(), 3);
    assert!(
        err.to_string()
            .contains("someone else changed the KeyValueStore")
    );
    assert_eq!(
        state(&stub)["items"],
        serde_json::json!({"latest": "1.0.0"})
    );
    // Every request was signed with SigV4A (the stub refuses anything else with 403).
    assert!(state(&stub)["requests"].as_array().unwrap().len() >= 8);
}

fn edge_env(stub: &Stub) -> Env {
    Env::with_config(&format!(
        "[profiles.p]\nstore = {{ kind = \"local\", path = \"store\" }}\ncdn = {{ kind = \"cloudfront\", distribution_id = \"E1234ABCD5678\", endpoint = \"{}\", edge = {{ name = \"nofn{:08x}\", kvs_arn = \"{ARN}\", endpoint = \"{}\" }} }}\n",
        common::s3::endpoint(),
        common::unique() as u32,
        stub.url()
    ))
}

fn edge_cmd(env: &Env) -> assert_cmd::Command {
    let mut c = env.cmd();
    common::s3::aws_env(&mut c);
    c
}

/// Publishes each `(version, promote)` with `--no-invalidate`; returns each command's output.
fn publish_all(env: &Env, releases: &[(&str, bool)]) -> Vec<String> {
    releases
        .iter()
        .map(|(v, promote)| {
            let dist = env.widget(v);
            let mut c = edge_cmd(env);
            c.args([
                "--no-invalidate",
                "publish",
                dist.to_str().unwrap(),
                "--yes",
            ]);
            if *promote {
                c.arg("--promote");
            }
            let out = c.output().unwrap();
            common::succeeded(&out);
            String::from_utf8(out.stdout).unwrap()
        })
        .collect()
}

#[test]
fn edge_status_says_what_browsers_get_and_sync_writes_the_state_once() {
    let dir = tempfile::tempdir().unwrap();
    let stub = Stub::start("kvs_stub.py", dir.path(), &[ARN]);
    let env = edge_env(&stub);
    publish_all(&env, &[("1.0.0", true), ("1.1.0", true)]);
    // No keys yet: every alias is served from its copied folder, and status says so (exit 4).
    edge_cmd(&env)
        .args(["edge", "status"])
        .assert()
        .code(4)
        .stdout(predicate::str::contains(
            "no key: browsers get the copied alias folder",
        ))
        .stdout(predicate::str::contains("`shipdeck edge sync`"));
    // A dry run plans, writes nothing.
    edge_cmd(&env)
        .args(["edge", "sync", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "put    latest = 1.1.0 (was no key)",
        ));
    assert_eq!(state(&stub)["items"], serde_json::json!({}));
    // Sync writes every alias in one call, recorded in history.
    edge_cmd(&env)
        .args(["edge", "sync", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Done:"));
    let st = state(&stub);
    assert_eq!(st["items"]["latest"], "1.1.0");
    assert_eq!(st["items"]["v1.0"], "1.0.0");
    let writes = st["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "POST")
        .count();
    assert_eq!(writes, 1, "one write call");
    let history = env.json(&["history"]);
    assert_eq!(history["events"][0]["action"], "edge");
    // In sync; the functions that read the keys are asked too (moto has none by this name):
    // viewers get the copied folders until setup creates them, and status says so.
    edge_cmd(&env)
        .args(["edge", "status"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "-request (viewer request): missing: viewers get the copied alias folders",
        ));
    // A second sync has nothing to write.
    edge_cmd(&env)
        .args(["edge", "sync", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Nothing to write"));
    // The state moves (a rollback in copy mode): the key now differs, and status names both.
    edge_cmd(&env)
        .args([
            "--no-invalidate",
            "rollback",
            "latest",
            "--to",
            "1.0.0",
            "--yes",
        ])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(
        &edge_cmd(&env)
            .args(["--json", "edge", "status"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let latest = doc["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["alias"] == "latest")
        .unwrap()
        .clone();
    assert_eq!(latest["verdict"], "differs");
    assert_eq!(latest["state"], "1.0.0");
    assert_eq!(latest["edge"], "1.1.0");
    someone_elses_keys_a_canary_kept_a_stray_key_deleted(&env, &stub);
}

/// Someone else's keys: a canary on the state's release is kept, a stray key is deleted.
fn someone_elses_keys_a_canary_kept_a_stray_key_deleted(env: &Env, stub: &Stub) {
    overwrite(
        stub,
        r#"{"latest": "1.0.0;1.1.0=10", "v1": "1.1.0", "v1.0": "1.0.0", "v1.1": "1.1.0", "beta": "1.0.0"}"#,
    );
    edge_cmd(env)
        .args(["edge", "status"])
        .assert()
        .code(4)
        .stdout(predicate::str::contains(
            "canary: 1.1.0 for 10 % of viewers",
        ))
        .stdout(predicate::str::contains(
            "no such alias in the release state",
        ));
    edge_cmd(env)
        .args(["edge", "sync", "--yes"])
        .assert()
        .success();
    let items = state(stub)["items"].clone();
    assert_eq!(items["latest"], "1.0.0;1.1.0=10");
    assert!(items.get("beta").is_none());
}

#[test]
fn a_profile_without_a_key_value_store_or_with_a_bad_arn_says_how_to_fix_it() {
    let env = Env::new();
    edge_cmd(&env)
        .args(["edge", "status"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "names no KeyValueStore for edge aliases; add edge = {} to its cloudfront cdn table (then `shipdeck edge setup`",
        ));
    let env = Env::with_config(
        "[profiles.p]\nstore = { kind = \"local\", path = \"store\" }\ncdn = { kind = \"cloudfront\", distribution_id = \"E1\", edge = { kvs_arn = \"my-store\" } }\n",
    );
    edge_cmd(&env)
        .args(["edge", "status"])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("shipdeck.toml:3:")
                .and(predicate::str::contains("is not a KeyValueStore ARN")),
        );
}

#[test]
fn in_edge_mode_a_change_writes_the_keys_before_its_copies_and_resume_finishes_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let stub = Stub::start("kvs_stub.py", dir.path(), &[ARN]);
    let env = edge_mode_env(&stub);
    for out in publish_all(&env, &[("1.0.0", true), ("1.1.0", true)]) {
        assert!(
            out.contains("edge: keys written before the copies"),
            "{out}"
        );
    }
    assert_eq!(state(&stub)["items"]["latest"], "1.1.0");
    // The plan says what the edge gets.
    edge_cmd(&env)
        .args(["--no-invalidate", "rollback", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "edge: 1 key write (latest → 1.0.0) before the copies, 0 copies at the edge",
        ));
    // A rollback that dies at its first copy has already moved the key: browsers get 1.0.0
    // while the copies are unfinished; resume finishes the copies and the state.
    let before = state(&stub)["requests"].as_array().unwrap().len();
    edge_cmd(&env)
        .args(["--no-invalidate", "rollback", "--yes"])
        .env("SHIPDECK_FAIL_AFTER_WRITES", "3")
        .assert()
        .code(1);
    // Three calls move one alias at the edge: the ETag, the key, the write over that ETag.
    let calls: Vec<String> = state(&stub)["requests"].as_array().unwrap()[before..]
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap(),
                r["path"].as_str().unwrap()
            )
        })
        .collect();
    let store = format!(
        "/key-value-stores/{}",
        ARN.replace(':', "%3A").replace('/', "%2F")
    );
    assert_eq!(
        calls,
        [
            format!("GET {store}"),
            format!("GET {store}/keys/latest"),
            format!("POST {store}/keys")
        ]
    );
    assert_eq!(
        state(&stub)["items"]["latest"],
        "1.0.0",
        "the key came first"
    );
    edge_cmd(&env)
        .args(["--no-invalidate", "resume", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "edge: the alias keys already named the new targets",
        ));
    edge_cmd(&env).args(["verify"]).assert().success();
    edge_cmd(&env).args(["edge", "status"]).assert().success();
    // The listing in edge mode says what each key makes browsers get, as the console does.
    edge_cmd(&env)
        .args(["releases"])
        .assert()
        .success()
        .stdout(predicate::str::contains("EDGE (what browsers get)"));
    let out = edge_cmd(&env)
        .args(["--json", "releases"])
        .output()
        .unwrap()
        .stdout;
    common::validate_json("releases", &out, env.path());
    let listing: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let latest = common::alias(&listing, "latest").unwrap();
    assert_eq!(latest["edge"]["value"], "1.0.0", "{listing}");
    assert_eq!(latest["edge"]["verdict"], "in_sync", "{listing}");
    // A store that cannot be written does not stop the change: it is said, with the way out.
    drop(stub);
    edge_cmd(&env)
        .args(["--no-invalidate", "unpin", "latest", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Done, with warnings"))
        .stdout(predicate::str::contains("run `shipdeck edge sync`"));
}

/// A profile in edge mode on the stub.
fn edge_mode_env(stub: &Stub) -> Env {
    Env::with_config(&format!(
        "[profiles.p]\nstore = {{ kind = \"local\", path = \"store\" }}\nalias_mode = \"edge\"\ncdn = {{ kind = \"cloudfront\", distribution_id = \"E1234ABCD5678\", endpoint = \"{}\", edge = {{ kvs_arn = \"{ARN}\", endpoint = \"{}\" }} }}\n",
        common::s3::endpoint(),
        stub.url()
    ))
}

/// The console's canary dialog runs the same use case as `promote --canary`: its worker plans
/// the step, the dialog's `y` confirms it, the worker writes the key (its own process, with the
/// CLI's environment).
#[test]
fn the_console_starts_a_canary_as_the_cli_does() {
    let dir = tempfile::tempdir().unwrap();
    let stub = Stub::start("kvs_stub.py", dir.path(), &[ARN]);
    let env = edge_mode_env(&stub);
    publish_all(&env, &[("1.0.0", true), ("1.1.0", false)]);
    let mut cmd = std::process::Command::new("true");
    cmd.current_dir(env.path())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("XDG_DATA_HOME", env.path().join("xdg-data"))
        .env("XDG_CONFIG_HOME", env.path().join("xdg-config"))
        .env("HOME", env.path())
        .env("SHIPDECK_USER", "tester");
    let console = common::console::run_in_process_of(&cmd, "p", "canary:latest:1.1.0:5");
    assert_eq!(console["modal_open"], false, "{console}");
    assert!(
        console["status"].as_str().unwrap().starts_with("Done: "),
        "{console}"
    );
    assert_eq!(state(&stub)["items"]["latest"], "1.0.0;1.1.0=5");
    let history = env.json(&["history"]);
    assert_eq!(history["events"][0]["action"], "edge");
}

#[test]
fn a_canary_starts_grows_aborts_and_finishes_as_key_writes() {
    let dir = tempfile::tempdir().unwrap();
    let stub = Stub::start("kvs_stub.py", dir.path(), &[ARN]);
    let env = edge_mode_env(&stub);
    publish_all(&env, &[("1.0.0", true), ("1.1.0", false)]);
    let key = |k: &str| state(&stub)["items"][k].clone();
    let ok = |args: &[&str]| edge_cmd(&env).args(args).assert().success();
    ok(&["promote", "1.1.0", "--canary", "5", "--yes"]).stdout(predicate::str::contains(
        "edge key latest : 1.0.0 → 1.0.0;1.1.0=5",
    ));
    assert_eq!(key("latest"), "1.0.0;1.1.0=5");
    ok(&["canary", "status"]).stdout(predicate::str::contains("latest: 1.0.0;1.1.0=5"));
    ok(&["edge", "status"]).stdout(predicate::str::contains("canary: 1.1.0 for 5 % of viewers"));
    ok(&["canary", "set", "25", "--dry-run"]);
    assert_eq!(key("latest"), "1.0.0;1.1.0=5", "a dry run writes nothing");
    ok(&["canary", "set", "25", "--yes"]);
    assert_eq!(key("latest"), "1.0.0;1.1.0=25");
    ok(&["canary", "abort", "--yes"]);
    assert_eq!(key("latest"), "1.0.0");
    // Refusals say what to do; a share out of range is a usage error.
    edge_cmd(&env)
        .args(["canary", "set", "30", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("has no canary at the edge"));
    edge_cmd(&env)
        .args(["promote", "1.1.0", "--canary", "0", "--yes"])
        .assert()
        .code(2);
    // Finish: the canary's release is promoted as any release is (state, copies, key).
    ok(&["promote", "1.1.0", "--canary", "10", "--yes"]);
    ok(&["--no-invalidate", "canary", "finish", "--yes"]);
    assert_eq!(key("latest"), "1.1.0");
    let releases = env.json(&["releases"]);
    let latest = releases["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "latest")
        .unwrap()
        .clone();
    assert_eq!(latest["target"], "1.1.0");
    ok(&["verify"]);
    let history = env.json(&["history"]);
    let canary_steps = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "edge")
        .count();
    assert_eq!(canary_steps, 4, "start, set, abort, start again");
    // A profile in copy mode has nothing to split.
    edge_cmd(&Env::new())
        .args(["canary", "status"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("set alias_mode = \"edge\""));
}
