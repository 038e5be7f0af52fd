//! Moving aliases: promote, rollback, unpin, yank, channels, and what a move copies.

use crate::common::{self, Env, files_under};
use predicates::prelude::*;
use serde_json::Value;

pub(crate) fn alias_target(doc: &Value, name: &str) -> Option<String> {
    common::alias(doc, name).map(|a| a["target"].as_str().unwrap().to_string())
}

#[test]
fn promote_rollback_unpin_move_aliases_with_alias_cache_headers() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.0.1", true);
    env.publish("1.1.0", false);
    let doc = env.json(&["releases"]);
    assert_eq!(alias_target(&doc, "latest").as_deref(), Some("1.0.1"));
    env.cmd()
        .args(["promote", "1.1.0", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("latest   1.0.1 → 1.1.0"));
    let doc = env.json(&["releases"]);
    for (a, t) in [
        ("latest", "1.1.0"),
        ("v1", "1.1.0"),
        ("v1.1", "1.1.0"),
        ("v1.0", "1.0.1"),
    ] {
        assert_eq!(alias_target(&doc, a).as_deref(), Some(t), "{a}");
    }
    assert_eq!(
        files_under(&env.store().join("latest")),
        files_under(&env.store().join("v1.1.0"))
    );
    assert_eq!(
        std::fs::read(env.store().join("latest/msr-webchat.umd.js")).unwrap(),
        std::fs::read(env.store().join("v1.1.0/msr-webchat.umd.js")).unwrap()
    );
    let side: Value = serde_json::from_slice(
        &std::fs::read(env.store().join(".shipdeck-objects/latest/style.css.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(side["cache_control"], "public, max-age=300");

    // Rollback defaults to the previous target and names the aliases still serving the bad one.
    env.cmd()
        .args(["rollback", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("latest   1.1.0 → 1.0.1 (pinned)"))
        .stdout(predicate::str::contains(
            "still serving 1.1.0 after this rollback: v1, v1.1",
        ));
    let doc = env.json(&["releases"]);
    let latest = common::alias(&doc, "latest").unwrap();
    assert_eq!(latest["target"], "1.0.1");
    assert_eq!(latest["pinned"], true);
    assert_eq!(
        std::fs::read_to_string(env.store().join("latest/style.css")).unwrap(),
        std::fs::read_to_string(env.store().join("v1.0.1/style.css")).unwrap()
    );

    env.cmd()
        .args(["unpin", "latest", "--yes"])
        .assert()
        .success();
    assert_eq!(
        alias_target(&env.json(&["releases"]), "latest").as_deref(),
        Some("1.1.0")
    );
    env.cmd()
        .args(["verify"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ok       latest"));
}

#[test]
fn an_unchanged_promote_copies_nothing() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.0.1", true);
    let state = || std::fs::read(env.store().join(".shipdeck/state.json")).unwrap();
    let before = state();
    env.cmd()
        .args(["promote", "1.0.1", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Nothing to change."));
    let doc = env.json(&["promote", "1.0.1", "--yes"]);
    assert_eq!(doc["applied"], false);
    assert!(doc["plan"]["file_ops"].as_array().unwrap().is_empty());
    assert_eq!(state(), before, "a no-op does not even rewrite the state");
    assert_eq!(
        env.json(&["history"])["events"].as_array().unwrap().len(),
        2,
        "and records no history"
    );
}

#[test]
fn identical_files_are_skipped_when_an_alias_moves() {
    let env = Env::new();
    env.publish("1.0.0", true);
    let mut files = common::widget_files("1.0.1", 1);
    for f in files.iter_mut() {
        if f.0 == "style.css" || f.0 == "README.md" {
            f.1 = common::widget_files("1.0.0", 1)
                .into_iter()
                .find(|g| g.0 == f.0)
                .unwrap()
                .1;
        }
    }
    let dist = env.build("b101", "1.0.1", &files);
    env.cmd()
        .arg("publish")
        .arg(&dist)
        .arg("--yes")
        .assert()
        .success();
    let doc = env.json(&["promote", "1.0.1", "--yes"]);
    let plan = &doc["plan"];
    let latest_ops: Vec<&str> = plan["file_ops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["key"].as_str().unwrap())
        .filter(|k| k.starts_with("latest/"))
        .collect();
    assert_eq!(
        latest_ops.len(),
        5,
        "style.css and README.md are identical: {latest_ops:?}"
    );
    assert!(plan["unchanged_files"].as_u64().unwrap() >= 2);
    // Entry points come after the other files.
    let pos = |k: &str| latest_ops.iter().position(|x| *x == k).unwrap();
    assert!(pos("latest/msr-webchat.umd.js") > pos("latest/msr-webchat.umd.js.map"));
    assert!(pos("latest/msr-webchat.es.js") > pos("latest/index.html"));
}

#[test]
fn yank_moves_aliases_away_and_keeps_the_folder() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.1.0", true);
    env.cmd()
        .args(["yank", "1.1.0", "--reason", "breaks Safari 15", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1.1.0 is yanked: breaks Safari 15",
        ));
    let doc = env.json(&["releases"]);
    assert_eq!(alias_target(&doc, "latest").as_deref(), Some("1.0.0"));
    assert_eq!(alias_target(&doc, "v1.1"), None);
    assert!(
        !env.store().join("v1.1").exists(),
        "the v1.1 alias folder is removed"
    );
    assert!(
        env.store().join("v1.1.0/msr-webchat.umd.js").exists(),
        "the release folder stays"
    );
    let v = doc["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["version"] == "1.1.0")
        .unwrap();
    assert_eq!(v["yanked"], true);
    env.cmd()
        .args(["rollback", "latest", "--to", "1.1.0", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "rolling back to 1.1.0 is refused: it was yanked (breaks Safari 15)",
        ));
    env.cmd()
        .args(["unyank", "1.1.0", "--yes"])
        .assert()
        .success();
    assert_eq!(
        alias_target(&env.json(&["releases"]), "latest").as_deref(),
        Some("1.1.0")
    );
}

#[test]
fn prereleases_go_to_channels_only() {
    let env = Env::new();
    env.publish("1.0.0", true);
    let dist = env.widget("2.0.0-beta.1");
    env.cmd()
        .arg("publish")
        .arg(&dist)
        .arg("--yes")
        .assert()
        .success();
    env.cmd()
        .args(["promote", "2.0.0-beta.1", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--alias next"));
    env.cmd()
        .args(["promote", "2.0.0-beta.1", "--alias", "latest", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("named channel"));
    env.cmd()
        .args(["promote", "2.0.0-beta.1", "--alias", "next", "--yes"])
        .assert()
        .success();
    let doc = env.json(&["releases"]);
    assert_eq!(alias_target(&doc, "next").as_deref(), Some("2.0.0-beta.1"));
    assert_eq!(alias_target(&doc, "latest").as_deref(), Some("1.0.0"));
    assert!(env.store().join("next/msr-webchat.umd.js").exists());
}
