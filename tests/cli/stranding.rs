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
        .code(1)
        .stdout(predicate::str::contains(
            "v1.0.0/.tmp-shipdeck-1-2: not part of 1.0.0 (unexpected file)",
        ));
}
