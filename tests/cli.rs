//! End-to-end tests of the headless CLI on temporary local stores: every command, `--json`,
//! confirmations, and the bad inputs that must change nothing.

mod common;

use common::{Env, files_under};
use predicates::prelude::*;
use serde_json::Value;

fn alias_target(doc: &Value, name: &str) -> Option<String> {
    common::alias(doc, name).map(|a| a["target"].as_str().unwrap().to_string())
}

#[test]
fn publish_uses_package_json_version_and_records_a_manifest() {
    let env = Env::new();
    let dist = env.widget("1.2.3");
    env.cmd()
        .args(["publish"])
        .arg(&dist)
        .arg("--yes")
        .assert()
        .success()
        .stdout(predicate::str::contains("new release 1.2.3: 7 files"))
        .stdout(predicate::str::contains(
            "upload  v1.2.3/msr-webchat.umd.js",
        ));
    let folder = env.store().join("v1.2.3");
    assert_eq!(
        files_under(&folder),
        files_under(&dist),
        "the release folder holds exactly the build"
    );
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(env.store().join(".shipdeck/manifests/v1.2.3.json")).unwrap(),
    )
    .unwrap();
    let files = manifest["files"].as_array().unwrap();
    assert_eq!(files.len(), 7);
    let umd = files
        .iter()
        .find(|f| f["path"] == "msr-webchat.umd.js")
        .unwrap();
    assert_eq!(umd["cache_control"], "public, immutable, max-age=31536000");
    assert!(umd["sri"].as_str().unwrap().starts_with("sha384-"));
    assert!(umd["gzip_size"].as_u64().unwrap() < umd["size"].as_u64().unwrap());
    assert_eq!(
        umd["content_id"], umd["sha256"],
        "the local store's content id of the uploaded file is recorded"
    );
    let html = files.iter().find(|f| f["path"] == "index.html").unwrap();
    assert_eq!(html["cache_control"], "public, max-age=3600");
    let map = files
        .iter()
        .find(|f| f["path"] == "msr-webchat.es.js.map")
        .unwrap();
    assert_eq!(map["cache_control"], "public, max-age=3600");
    assert_eq!(manifest["published_by"], "tester");
    // Not promoted: no alias yet.
    let doc = env.json(&["releases"]);
    assert_eq!(doc["versions"][0]["version"], "1.2.3");
    assert!(doc["aliases"].as_array().unwrap().is_empty());
}

#[test]
fn publishing_an_existing_version_is_refused_and_touches_nothing() {
    let env = Env::new();
    env.publish("1.0.0", true);
    let before = std::fs::read(env.store().join("v1.0.0/msr-webchat.umd.js")).unwrap();
    let other = env.build(
        "other",
        "1.0.0",
        &[("msr-webchat.umd.js", "changed".into())],
    );
    env.cmd()
        .arg("publish")
        .arg(&other)
        .arg("--yes")
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("1.0.0 is already published")
                .and(predicate::str::contains("immutable")),
        );
    assert_eq!(
        std::fs::read(env.store().join("v1.0.0/msr-webchat.umd.js")).unwrap(),
        before
    );
}

#[test]
fn publish_refuses_symlinks_empty_folders_and_empty_builds() {
    let env = Env::new();
    let dist = env.build("sym", "1.0.0", &[("a.js", "x".into())]);
    std::os::unix::fs::symlink("/etc/hostname", dist.join("link.js")).unwrap();
    env.cmd()
        .arg("publish")
        .arg(&dist)
        .arg("--yes")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a symbolic link"));
    let dist = env.build("empty-sub", "1.0.0", &[("a.js", "x".into())]);
    std::fs::create_dir(dist.join("chunks")).unwrap();
    env.cmd()
        .arg("publish")
        .arg(&dist)
        .arg("--yes")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is an empty folder"));
    let empty = env.path().join("nothing");
    std::fs::create_dir(&empty).unwrap();
    env.cmd()
        .args(["publish", "nothing", "--version", "1.0.0", "--yes"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds no files"));
    assert!(
        files_under(&env.store())
            .iter()
            .all(|f| !f.starts_with("v1.0.0")),
        "nothing was uploaded"
    );
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
        .code(1)
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
    assert_eq!(out.status.code(), Some(1));
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
        .code(1)
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
        env.cmd().arg("verify").assert().code(1);
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
fn with_garbled_copies(env: &Env, args: &[&str]) -> String {
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
    env.cmd().args(["verify", "latest"]).assert().code(1);
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

#[test]
fn history_lists_every_change_newest_first() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.0.1", true);
    env.cmd().args(["rollback", "--yes"]).assert().success();
    let doc = env.json(&["history"]);
    let events = doc["events"].as_array().unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(events[0]["action"], "rollback");
    assert_eq!(events[0]["by"], "tester");
    assert_eq!(events[0]["outcome"], "ok");
    let latest = events[0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["alias"] == "latest")
        .unwrap();
    assert_eq!(
        (latest["from"].as_str(), latest["to"].as_str()),
        (Some("1.0.1"), Some("1.0.0"))
    );
    assert_eq!(
        env.json(&["history", "--limit", "1"])["events"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    env.cmd()
        .args(["history"])
        .assert()
        .success()
        .stdout(predicate::str::contains("rollback  rollback latest"));
}

#[test]
fn changes_need_confirmation_and_dry_run_changes_nothing() {
    let env = Env::new();
    let dist = env.widget("1.0.0");
    env.cmd()
        .arg("publish")
        .arg(&dist)
        .arg("--dry-run")
        .assert()
        .success()
        .stdout(predicate::str::contains("Dry run: nothing was changed."));
    assert!(!env.store().join("v1.0.0").exists());
    env.cmd()
        .arg("publish")
        .arg(&dist)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("pass --yes to apply or --dry-run"));
    assert!(!env.store().join("v1.0.0").exists());
    env.cmd()
        .arg("publish")
        .arg(&dist)
        .write_stdin("n\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cancelled; nothing was changed"));
    assert!(!env.store().join("v1.0.0").exists());
    env.cmd()
        .arg("publish")
        .arg(&dist)
        .write_stdin("y\n")
        .assert()
        .success();
    assert!(env.store().join("v1.0.0/style.css").exists());
}

#[test]
fn bad_inputs_get_one_sentence_and_change_nothing() {
    let env = Env::new();
    env.publish("1.0.0", true);
    let snapshot = || {
        let mut v = files_under(&env.store());
        v.retain(|f| !f.starts_with(".shipdeck/history") && !f.contains(".cas-lock"));
        (
            v,
            std::fs::read(env.store().join(".shipdeck/state.json")).unwrap(),
        )
    };
    let before = snapshot();
    let cases: &[(&[&str], i32, &str)] = &[
        (&["promote", "1.2", "--yes"], 2, "did you mean 1.2.0"),
        (&["promote", "v1.2.3", "--yes"], 2, "drop the leading 'v'"),
        (&["promote", "1.0.0+build", "--yes"], 2, "build metadata"),
        (
            &["rollback", "v1.2.3", "--yes"],
            2,
            "is a release folder, not an alias",
        ),
        (&["rollback", "Latest!", "--yes"], 2, "is not an alias"),
        (&["rollback", "v7", "--yes"], 1, "alias 'v7' does not exist"),
        (
            &["promote", "9.9.9", "--yes"],
            1,
            "version 9.9.9 is not published",
        ),
        (&["verify", "9.9.9"], 1, "version 9.9.9 is not published"),
        (&["unpin", "latest", "--yes"], 1, "is not pinned"),
        (
            &["yank", "1.0.0", "--reason", "", "--yes"],
            1,
            "needs a reason",
        ),
        (
            &["--profile", "nope", "releases"],
            2,
            "unknown profile 'nope'; known profiles: test, demo",
        ),
        (&["resume", "--yes"], 1, "nothing to resume"),
    ];
    for (args, code, text) in cases {
        common::refused(&env, args, *code, text);
    }
    env.cmd()
        .arg("frobnicate")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unrecognized subcommand"));
    assert_eq!(snapshot(), before, "no bad input changed the store");
}

#[test]
fn json_errors_are_one_document_too() {
    let env = Env::new();
    let out = env
        .cmd()
        .args(["--json", "promote", "1.2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        doc["error"]
            .as_str()
            .unwrap()
            .contains("did you mean 1.2.0")
    );
}

#[test]
fn malformed_config_names_file_line_and_key() {
    let env = Env::with_config(
        "[profiles.test]\nstore = { kind = \"local\", path = \"store\" }\nconcurrency = \"lots\"\n",
    );
    env.cmd()
        .arg("releases")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "shipdeck.toml:3: key 'profiles.test.concurrency'",
        ));
    let env = Env::with_config("[profiles.test]\nstore = { kind = \"ftp\", path = \"store\" }\n");
    env.cmd().arg("releases").assert().code(1).stderr(
        predicate::str::contains(":2: key 'profiles.test.store'")
            .and(predicate::str::contains("ftp")),
    );
    let env = Env::new();
    env.cmd()
        .args(["--config", "missing.toml", "releases"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "config file 'missing.toml' does not exist",
        ));
}

#[test]
fn a_prefix_puts_releases_under_it_and_records_outside() {
    let env = Env::with_config(
        "[profiles.test]\nstore = { kind = \"local\", path = \"store\", prefix = \"msr-webchat/\" }\n",
    );
    env.publish("1.0.0", true);
    assert!(
        env.store()
            .join("msr-webchat/v1.0.0/msr-webchat.umd.js")
            .exists()
    );
    assert!(env.store().join("msr-webchat/latest/style.css").exists());
    assert!(
        env.store()
            .join(".shipdeck/msr-webchat/state.json")
            .exists()
    );
}

#[test]
fn the_demo_profile_is_seeded_when_there_is_no_config() {
    let env = Env::new();
    std::fs::remove_file(env.path().join("shipdeck.toml")).unwrap();
    let doc = env.json(&["releases"]);
    let versions: Vec<&str> = doc["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap())
        .collect();
    assert_eq!(
        versions,
        vec!["2.0.0-beta.1", "1.1.0", "1.0.1", "1.0.0", "0.9.0"]
    );
    assert_eq!(doc["versions"][0]["prerelease"], true);
    assert_eq!(alias_target(&doc, "latest").as_deref(), Some("1.1.0"));
    assert_eq!(alias_target(&doc, "next").as_deref(), Some("2.0.0-beta.1"));
    assert!(
        env.path()
            .join("xdg-data/shipdeck/demo-store/latest/msr-webchat.umd.js")
            .exists()
    );
    env.cmd().arg("verify").assert().success();
    // A second run does not seed again.
    assert_eq!(
        env.json(&["history"])["events"].as_array().unwrap().len(),
        6
    );
    assert_eq!(
        env.json(&["history"])["events"].as_array().unwrap().len(),
        6
    );
}

#[test]
fn help_teaches_with_examples() {
    let env = Env::new();
    for cmd in ["publish", "promote", "rollback", "yank", "verify"] {
        env.cmd()
            .args([cmd, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Example"));
    }
}

#[test]
fn a_killed_run_is_reported_and_finished_by_rerunning_the_same_command() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.1.0", false);
    env.cmd()
        .args(["promote", "1.1.0", "--yes"])
        .env("SHIPDECK_FAIL_AFTER_WRITES", "4")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("injected failure"));
    env.cmd()
        .args(["yank", "1.0.0", "--reason", "x", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "an unfinished operation is recorded: 'promote 1.1.0', started by tester",
        ))
        .stderr(predicate::str::contains("shipdeck resume"));
    env.cmd()
        .arg("releases")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "warning: 'promote 1.1.0' by tester",
        ));
    env.cmd()
        .args(["promote", "1.1.0", "--yes"])
        .assert()
        .success();
    env.cmd().arg("verify").assert().success();
    let doc = env.json(&["releases"]);
    assert_eq!(alias_target(&doc, "latest").as_deref(), Some("1.1.0"));
}

#[test]
fn a_held_lock_names_its_holder_and_since_when() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.0.1", true);
    // A lock held by a live process (this test) on this host.
    let lock = serde_json::json!({
        "token": "t1", "holder": "alice", "host": std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap().trim(),
        "pid": std::process::id(), "since": "2026-11-26T08:00:00Z", "expires": "2099-01-01T00:00:00Z",
        "operation": "promote 1.0.1"
    });
    std::fs::write(env.store().join(".shipdeck/lock.json"), lock.to_string()).unwrap();
    env.cmd()
        .args(["rollback", "--yes"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("locked by alice on").and(predicate::str::contains(
                "since 2026-11-26 08:00:00 UTC (promote 1.0.1)",
            )),
        );
    assert_eq!(
        alias_target(&env.json(&["releases"]), "latest").as_deref(),
        Some("1.0.1")
    );
    env.cmd()
        .arg("unlock")
        .assert()
        .success()
        .stdout(predicate::str::contains("removed the lock held by alice"));
    env.cmd().args(["rollback", "--yes"]).assert().success();
}

#[test]
fn a_lock_left_by_a_dead_process_is_taken_over() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.0.1", true);
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let lock = serde_json::json!({
        "token": "t1", "holder": "ghost", "host": std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap().trim(),
        "pid": dead, "since": "2026-11-26T08:00:00Z", "expires": "2099-01-01T00:00:00Z", "operation": "x"
    });
    std::fs::write(env.store().join(".shipdeck/lock.json"), lock.to_string()).unwrap();
    env.cmd().args(["rollback", "--yes"]).assert().success();
    assert!(
        !env.store().join(".shipdeck/lock.json").exists(),
        "the lock is released after use"
    );
}

#[test]
fn the_example_config_parses() {
    let env = Env::new();
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/shipdeck.example.toml");
    let doc = env.json(&["--config", example.to_str().unwrap(), "profiles"]);
    assert_eq!(doc["default"], "prod");
    assert_eq!(
        doc["profiles"],
        serde_json::json!(["prod", "staging", "demo"])
    );
}

#[test]
fn the_acting_user_falls_back_to_the_system_account() {
    let env = Env::new();
    let dist = env.widget("1.0.0");
    env.cmd()
        .env_remove("SHIPDECK_USER")
        .env_remove("USER")
        .env_remove("LOGNAME")
        .arg("publish")
        .arg(&dist)
        .arg("--yes")
        .assert()
        .success();
    let doc = env.json(&["releases"]);
    let by = doc["versions"][0]["published_by"]
        .as_str()
        .unwrap()
        .to_string();
    let expected = String::from_utf8(
        std::process::Command::new("id")
            .arg("-un")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        by,
        expected.trim(),
        "the name `id -un` gives, not 'unknown'"
    );
}
