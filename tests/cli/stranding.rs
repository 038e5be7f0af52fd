//! A store is never stranded: impossible keys are refused while planning, a write that can
//! never succeed leaves an operation `resume --revert` can always discard, and temporary files
//! never appear under a published prefix.

use crate::common::{self, Env, files_under};
use predicates::prelude::*;

fn in_flight(env: &Env) -> serde_json::Value {
    env.json(&["releases"])["in_flight"].clone()
}

#[test]
fn a_key_the_store_cannot_hold_is_refused_while_planning_and_nothing_is_written() {
    let env = Env::new();
    env.publish("1.0.0", true);
    let long = format!("1.2.0-{}", "a".repeat(300));
    let dist = env.build("build-long", &long, &common::widget_files(&long, 1));
    for extra in [&["--dry-run"][..], &["--yes"][..]] {
        env.cmd()
            .arg("publish")
            .arg(&dist)
            .args(extra)
            .assert()
            .code(1)
            .stderr(
                predicate::str::contains("cannot hold")
                    .and(predicate::str::contains("at most 250 per name"))
                    .and(predicate::str::contains("use a shorter version")),
            );
    }
    // Nothing written, nothing recorded: every later command works.
    assert!(in_flight(&env).is_null());
    let folders: Vec<String> = std::fs::read_dir(env.store())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        folders.iter().all(|f| !f.starts_with("v1.2.0")),
        "{folders:?}"
    );
    env.cmd()
        .args(["promote", "1.0.0", "--dry-run"])
        .assert()
        .success();
}

#[test]
fn a_write_that_can_never_succeed_is_reverted_by_resume_revert() {
    let env = Env::new();
    env.publish("1.0.0", true);
    let dist = env.widget("1.1.0");
    let failing = |args: &[&str]| {
        let mut c = env.cmd();
        c.env("SHIPDECK_FAIL_KEYS_CONTAINING", "v1.1.0/style.css")
            .args(args);
        c
    };
    failing(&["publish", dist.to_str().unwrap(), "--promote", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("v1.1.0/style.css"));
    assert!(
        !in_flight(&env).is_null(),
        "the unfinished publish is recorded"
    );
    // Finishing it fails again, for the same reason, and says so.
    failing(&["resume", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("v1.1.0/style.css"));
    // Reverting it needs no write to that key: it always works.
    failing(&["resume", "--revert", "--yes"]).assert().success();
    assert!(in_flight(&env).is_null());
    assert!(files_under(&env.store().join("v1.1.0")).is_empty());
    let doc = env.json(&["releases"]);
    assert!(
        doc["versions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["version"] != "1.1.0"),
        "{doc}"
    );
    env.cmd().arg("verify").assert().success();
}

#[test]
fn temporary_files_never_appear_under_a_published_prefix_and_verify_names_strays() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.1.0", true);
    for f in files_under(&env.store()) {
        let name = f.rsplit('/').next().unwrap();
        let in_records = f.starts_with(".shipdeck-objects/");
        assert!(
            !name.starts_with(".tmp-shipdeck") || in_records,
            "a temporary file under a published prefix: {f}"
        );
    }
    // A stray file in a release folder (as an older version could leave) is named by verify.
    std::fs::write(env.store().join("v1.0.0/.tmp-shipdeck-1-2"), "half a file").unwrap();
    env.cmd()
        .args(["verify", "1.0.0"])
        .assert()
        .code(4)
        .stdout(predicate::str::contains(
            "v1.0.0/.tmp-shipdeck-1-2: not part of 1.0.0 (unexpected file)",
        ));
}

#[test]
fn a_mistyped_store_path_is_an_error_and_init_creates_a_store() {
    let env =
        Env::with_config("[profiles.test]\nstore = { kind = \"local\", path = \"cdn-mirorr\" }\n");
    for args in [
        &["releases"][..],
        &["publish", "x", "--dry-run"],
        &["history"],
    ] {
        common::refused(&env, args, 1, "the store folder");
        assert!(
            !env.path().join("cdn-mirorr").exists(),
            "{args:?} created nothing"
        );
    }
    common::refused(&env, &["releases"], 1, "create it with `shipdeck init`");
    env.cmd().arg("init").assert().success().stdout(
        predicate::str::contains("created: local").and(predicate::str::contains("no releases yet")),
    );
    env.cmd().arg("releases").assert().success();
    env.cmd()
        .arg("init")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("ready: local"));
}

#[test]
fn a_lost_state_is_damage_and_repair_state_rebuilds_it() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.1.0", true);
    env.cmd()
        .args(["yank", "1.1.0", "--reason", "breaks Safari 15", "--yes"])
        .assert()
        .success();
    env.cmd()
        .args(["rollback", "v1.0", "--to", "1.0.0", "--yes"])
        .assert()
        .success();
    let before = env.json(&["releases"]);
    let state = env.store().join(".shipdeck/state.json");
    std::fs::remove_file(&state).unwrap();
    // Never "no releases yet": every command reports the damage and the way out.
    for args in [
        &["releases"][..],
        &["promote", "1.0.0", "--dry-run"],
        &["verify"],
    ] {
        common::refused(&env, args, 1, "`shipdeck repair --state` rebuilds it");
    }
    env.cmd()
        .args(["repair", "--state", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "release  1.1.0 (yanked: 1.1.0 is yanked: breaks Safari 15)",
        ));
    assert!(!state.exists(), "a dry run writes nothing");
    env.cmd()
        .args(["repair", "--state", "--yes"])
        .assert()
        .success();
    let after = env.json(&["releases"]);
    let pick = |doc: &serde_json::Value| {
        doc["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| (x["name"].clone(), x["target"].clone(), x["pinned"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        pick(&before),
        pick(&after),
        "aliases, targets and pins come back"
    );
    let status = |doc: &serde_json::Value| {
        doc["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (v["version"].clone(), v["status"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(status(&before), status(&after), "statuses come back");
    env.cmd().arg("verify").assert().success();
    // A readable state is never replaced by a guess.
    common::refused(&env, &["repair", "--state", "--yes"], 1, "is readable");
    // A damaged one is named as damaged, with the same way out.
    std::fs::write(&state, "{ not json").unwrap();
    common::refused(&env, &["releases"], 1, "is damaged");
    env.cmd()
        .args(["repair", "--state", "--yes"])
        .assert()
        .success();
    env.cmd().arg("verify").assert().success();
}
