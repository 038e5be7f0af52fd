//! Verify and repair: what differs is named, what a hand edit broke is mended, and a change
//! checks its own copies against what the store reports.

use crate::common::{self, Env};
use predicates::prelude::*;
use serde_json::Value;

#[test]
fn verify_names_every_file_that_differs_or_is_missing() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.cmd().arg("verify").assert().success();
    std::fs::write(env.store().join("latest/style.css"), "tampered").unwrap();
    std::fs::remove_file(env.store().join("v1.0.0/index.html")).unwrap();
    std::fs::write(env.store().join("v1/extra.js"), "x").unwrap();
    env.cmd()
        .arg("verify")
        .assert()
        .code(4)
        .stdout(predicate::str::contains(
            "latest/style.css: content differs from the manifest of 1.0.0",
        ))
        .stdout(predicate::str::contains("v1.0.0/index.html: missing"))
        .stdout(predicate::str::contains("v1/extra.js: not part of 1.0.0"));
    let out = env
        .cmd()
        .args(["--json", "verify", "latest"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "verify found differences");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["results"].as_array().unwrap().len(), 1);
}

#[test]
fn repair_makes_a_folder_changed_by_hand_match_again() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.1.0", true);
    std::fs::write(env.store().join("latest/style.css"), "tampered").unwrap();
    std::fs::remove_file(env.store().join("latest/index.html")).unwrap();
    std::fs::write(env.store().join("latest/extra.js"), "x").unwrap();
    env.cmd()
        .args(["verify", "latest"])
        .assert()
        .code(4)
        .stdout(predicate::str::contains(
            "`shipdeck repair latest` makes it match 1.1.0 again",
        ));

    let plan = env.json(&["repair", "--dry-run"]);
    assert_eq!(plan["applied"], false);
    let ops: Vec<(String, String)> = plan["plan"]["file_ops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["kind"].as_str().unwrap().to_string(),
                o["key"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |kind: &str, key: &str| ops.iter().any(|(k, o)| k == kind && o == key);
    assert!(has("replace", "latest/style.css"), "{ops:?}");
    assert!(has("copy", "latest/index.html"), "{ops:?}");
    assert!(has("delete", "latest/extra.js"), "{ops:?}");
    assert_eq!(ops.len(), 3, "the other aliases are intact: {ops:?}");
    assert!(plan["plan"]["alias_moves"].as_array().unwrap().is_empty());

    env.cmd()
        .args(["repair", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Done: 2 file(s) written"));
    env.cmd().arg("verify").assert().success();
    let history = env.json(&["history"]);
    assert_eq!(history["events"][0]["action"], "repair");
    env.cmd()
        .args(["repair", "latest", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Nothing to change."));
    common::refused(
        &env,
        &["repair", "v7", "--yes"],
        1,
        "alias 'v7' does not exist",
    );
}

#[test]
fn an_alias_folder_a_hand_run_sync_filled_is_listed_on_its_first_promote() {
    // Adopting a bucket from the runbook era: `latest/` already holds files Shipdeck never
    // wrote. The state cannot describe that folder, so its first promote lists it.
    let env = Env::new();
    let stale = env.store().join("latest");
    std::fs::create_dir_all(&stale).unwrap();
    std::fs::write(stale.join("msr-webchat.umd.js"), "old build").unwrap();
    std::fs::write(stale.join("chunk-from-2023.js"), "old chunk").unwrap();
    env.publish("1.0.0", true);
    assert!(!stale.join("chunk-from-2023.js").exists(), "stale files go");
    env.cmd().arg("verify").assert().success();
}

#[test]
fn an_interrupted_repair_is_finished_by_resume_or_by_rerunning_it() {
    for finish in [&["resume", "--yes"][..], &["repair", "--yes"][..]] {
        let env = Env::new();
        env.publish("1.0.0", true);
        for f in ["latest/style.css", "latest/index.html", "v1/style.css"] {
            std::fs::write(env.store().join(f), "tampered").unwrap();
        }
        // Lock, in-flight record and one copy go through; the next copy fails.
        env.cmd()
            .args(["repair", "--yes"])
            .env("SHIPDECK_FAIL_AFTER_WRITES", "3")
            .assert()
            .code(1)
            .stderr(predicate::str::contains("injected failure"));
        env.cmd().arg("verify").assert().code(4);
        env.cmd()
            .args(["yank", "1.0.0", "--reason", "x", "--yes"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "an unfinished operation is recorded: 'repair every alias'",
            ));
        env.cmd().args(finish).assert().success();
        env.cmd().arg("verify").assert().success();
    }
}

#[test]
fn an_alias_whose_release_lost_its_manifest_is_listed_instead() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.1.0", false);
    std::fs::write(env.store().join("latest/extra.js"), "x").unwrap();
    std::fs::remove_file(env.store().join(".shipdeck/manifests/v1.0.0.json")).unwrap();
    // The state cannot describe `latest/` without 1.0.0's manifest: the folder is listed, so
    // the promote still works and also removes the file it finds there.
    env.cmd()
        .args(["promote", "1.1.0", "--yes"])
        .assert()
        .success();
    assert!(!env.store().join("latest/extra.js").exists());
    env.cmd().args(["verify", "latest"]).assert().success();
}

/// Runs a change on a store whose copies land other bytes; it must exit 1. Returns stdout.
pub(crate) fn with_garbled_copies(env: &Env, args: &[&str]) -> String {
    let out = env
        .cmd()
        .args(args)
        .env("SHIPDECK_GARBLE_COPIES", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stdout}");
    stdout
}

#[test]
fn a_copy_that_lands_other_bytes_is_reported_and_repaired() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.1.0", false);
    // The store's answer to each copy is the check: here every copy lands other bytes.
    let stdout = with_garbled_copies(&env, &["promote", "1.1.0", "--yes"]);
    assert!(
        stdout.contains("verify: latest/msr-webchat.umd.js: the store reports different content than v1.1.0/msr-webchat.umd.js after the copy"),
        "{stdout}"
    );
    assert!(
        stdout.contains("`shipdeck repair` copies it again"),
        "{stdout}"
    );
    env.cmd().args(["verify", "latest"]).assert().code(4);
    env.cmd().args(["repair", "--yes"]).assert().success();
    env.cmd().arg("verify").assert().success();
}

#[test]
fn a_promote_that_publishes_checks_its_copies_against_the_uploads() {
    let env = Env::new();
    let dist = env.widget("1.0.0");
    let dist = dist.to_str().unwrap();
    let stdout = with_garbled_copies(&env, &["publish", dist, "--promote", "--yes"]);
    assert!(
        stdout.contains(
            "verify: latest/style.css: the store reports different content than v1.0.0/style.css"
        ),
        "{stdout}"
    );
}
