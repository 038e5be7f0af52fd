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

#[test]
fn show_and_diff_describe_releases_file_by_file() {
    let env = Env::new();
    env.publish("1.0.0", true);
    let mut files = common::widget_files("1.1.0", 2);
    files.retain(|(p, _)| *p != "index.html");
    files.push(("chunk-extra.js", "export const y = 2;".into()));
    let dist = env.build("b110", "1.1.0", &files);
    env.cmd()
        .arg("publish")
        .arg(&dist)
        .args(["--promote", "--yes"])
        .assert()
        .success();
    env.cmd().args(["show", "1.1.0"]).assert().success().stdout(
        predicate::str::contains("1.1.0  stable  7 file(s)")
            .and(predicate::str::contains("served by: latest, v1, v1.1"))
            .and(predicate::str::contains("sha384-"))
            .and(predicate::str::contains(
                "public, immutable, max-age=31536000",
            )),
    );
    let doc = env.json(&["show", "1.1.0"]);
    assert_eq!(doc["status"], "stable");
    assert_eq!(doc["manifest"]["files"].as_array().unwrap().len(), 7);
    env.cmd()
        .args(["diff", "1.0.0", "1.1.0"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("+ chunk-extra.js")
                .and(predicate::str::contains("- index.html"))
                .and(predicate::str::contains("~ msr-webchat.umd.js"))
                .and(predicate::str::contains("1 added, 1 removed")),
        );
    let d = env.json(&["diff", "1.0.0", "1.1.0"]);
    assert_eq!(d["added"].as_array().unwrap().len(), 1);
    common::refused(
        &env,
        &["show", "9.9.9"],
        1,
        "version 9.9.9 is not published",
    );
    common::refused(
        &env,
        &["diff", "1.0.0", "v1.1.0"],
        2,
        "drop the leading 'v'",
    );
}

#[test]
fn plans_say_what_really_happens() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.1.0", true);
    // Yanking the only release v1.1 can serve deletes v1.1/: the plan says so first.
    let out = env
        .cmd()
        .args(["yank", "1.1.0", "--reason", "broken", "--dry-run"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let second = stdout.lines().nth(1).unwrap_or_default();
    assert!(
        second.starts_with(
            "  WARNING  'v1.1' has no other release it can serve, so its folder v1.1/ is deleted"
        ),
        "{stdout}"
    );
    // Rolling latest back and then back again: the second move is forward, and says so.
    env.cmd().args(["rollback", "--yes"]).assert().success();
    let out = env.cmd().args(["rollback", "--dry-run"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("'latest' moves forward from 1.0.0 to 1.1.0"),
        "{stdout}"
    );
    assert!(!stdout.contains("still serving"), "{stdout}");
    // Unpinning an alias whose target stays is a pin change, not a move.
    env.cmd()
        .args(["promote", "1.1.0", "--alias", "v1", "--yes"])
        .assert()
        .success();
    let out = env
        .cmd()
        .args(["unpin", "v1", "--dry-run"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("  0 alias move(s), 1 pin change(s)"),
        "{stdout}"
    );
    // A yank's reason is in the listing and, after an unyank, still in history.
    env.cmd()
        .args(["yank", "1.1.0", "--reason", "breaks Safari 15", "--yes"])
        .assert()
        .success();
    env.cmd()
        .arg("releases")
        .assert()
        .success()
        .stdout(predicate::str::contains("yanked: breaks Safari 15"));
    env.cmd()
        .args(["unyank", "1.1.0", "--yes"])
        .assert()
        .success();
    env.cmd().arg("history").assert().success().stdout(
        predicate::str::starts_with("WHEN (UTC)").and(predicate::str::contains(
            "1.1.0 is yanked: breaks Safari 15",
        )),
    );
    env.cmd()
        .args(["history", "--limit", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("0 shows nothing; use 1 or more"));
}
