//! Safety of changes: confirmation, dry runs, history, interrupted runs and locks.

use crate::aliases::alias_target;
use crate::common::Env;
use predicates::prelude::*;

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
    env.plant_lock("alice", std::process::id(), "promote 1.0.1");
    env.cmd()
        .args(["rollback", "--yes"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("locked by alice on").and(predicate::str::contains(
                "since 2026-11-26 08:00:00 UTC (promote 1.0.1)",
            )),
        );
    assert_eq!(
        alias_target(&env.json(&["releases"]), "latest").as_deref(),
        Some("1.0.1")
    );
    // unlock names the holder; a live lock is not removed without a confirmation, and
    // --dry-run only says what would be removed.
    env.cmd()
        .args(["unlock", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "would remove the lock held by alice on",
        ))
        .stdout(predicate::str::contains("live: its holder may be changing"));
    env.cmd().arg("unlock").write_stdin("").assert().failure();
    env.cmd()
        .arg("unlock")
        .write_stdin("n\n")
        .assert()
        .failure();
    assert!(env.store().join(".shipdeck/lock.json").exists());
    env.cmd()
        .arg("unlock")
        .write_stdin("y\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("removed the lock held by alice"));
    env.cmd().args(["rollback", "--yes"]).assert().success();
}

#[test]
fn a_dead_managers_lock_is_said_stale_and_resume_clears_it() {
    // A manager killed after taking the lock and before recording anything: `unlock --dry-run`
    // says the lock is stale, and `resume` (nothing to finish) removes it and says so, so
    // colleagues on other machines do not wait out its lease.
    let env = Env::new();
    env.publish("1.0.0", true);
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    env.plant_lock("ghost", dead, "promote 1.0.0");
    env.cmd()
        .args(["unlock", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "stale: its process no longer runs",
        ));
    assert!(env.store().join(".shipdeck/lock.json").exists(), "dry run");
    env.cmd()
        .args(["resume", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nothing to resume"))
        .stderr(predicate::str::contains(
            "removed the stale lock left by ghost on",
        ));
    assert!(!env.store().join(".shipdeck/lock.json").exists());
}

#[test]
fn a_lock_left_by_a_dead_process_is_taken_over() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.0.1", true);
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    env.plant_lock("ghost", dead, "x");
    env.cmd().args(["rollback", "--yes"]).assert().success();
    assert!(
        !env.store().join(".shipdeck/lock.json").exists(),
        "the lock is released after use"
    );
}

#[test]
fn while_a_live_run_holds_the_lock_no_one_is_told_to_resume() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.0.1", true);
    // An operation recorded as in flight (a run interrupted after its first writes)...
    env.cmd()
        .env("SHIPDECK_FAIL_AFTER_WRITES", "3")
        .args(["rollback", "--yes"])
        .assert()
        .code(1);
    // ...whose holder is alive and at work: a lock naming a live process on this host.
    env.plant_lock("alice", std::process::id(), "rollback latest");
    for args in [
        &["promote", "1.0.0", "--alias", "v1", "--yes"][..],
        &["rollback", "--yes"],
        &["resume", "--yes"],
        &["resume", "--revert", "--yes"],
        &["repair", "--yes"],
    ] {
        let out = env.cmd().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(
            stderr.contains("locked by alice on")
                && stderr.contains("since 2026-11-26 08:00:00 UTC (rollback latest)"),
            "{args:?}: {stderr}"
        );
        assert!(
            !stderr.contains("shipdeck resume"),
            "{args:?} must not send anyone to resume a live run: {stderr}"
        );
    }
    // Once the holder is gone, the unfinished operation is offered for resuming again.
    std::fs::remove_file(env.store().join(".shipdeck/lock.json")).unwrap();
    env.cmd()
        .args(["promote", "1.0.0", "--alias", "v1", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("shipdeck resume"));
    env.cmd().args(["resume", "--yes"]).assert().success();
}

#[test]
fn two_managers_at_once_one_applies_and_the_other_is_never_sent_to_resume() {
    let env = Env::new();
    // Enough files that a promote takes a while, so the two runs overlap.
    let files: Vec<(String, String)> = (0..400)
        .map(|i| {
            (
                format!("chunk-{i:03}.js"),
                format!("/* {i} */").repeat(i + 1),
            )
        })
        .collect();
    let refs: Vec<(&str, String)> = files.iter().map(|(n, c)| (n.as_str(), c.clone())).collect();
    let mut all = crate::common::widget_files("2.0.0", 1);
    all.extend(refs);
    let dist = env.build("big", "2.0.0", &all);
    env.cmd()
        .arg("publish")
        .arg(&dist)
        .arg("--yes")
        .assert()
        .success();
    for round in 0..3 {
        let alias = format!("ch{round}");
        let spawn = || {
            let mut c = env.std_cmd(&["promote", "2.0.0", "--alias", &alias, "--yes"]);
            c.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            c.spawn().unwrap()
        };
        let (a, b) = (spawn(), spawn());
        let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
        let ok = outs.iter().filter(|o| o.status.success()).count();
        assert!(ok >= 1, "round {round}: at least one run applies: {outs:?}");
        for o in outs.iter().filter(|o| !o.status.success()) {
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert!(
                !stderr.contains("resume"),
                "round {round}: the loser is told to wait, never to resume: {stderr}"
            );
            assert!(
                stderr.contains("locked by") || stderr.contains("someone else changed"),
                "round {round}: {stderr}"
            );
        }
        assert!(
            env.json(&["releases"])["in_flight"].is_null(),
            "round {round}"
        );
    }
    env.cmd().arg("verify").assert().success();
}

#[test]
fn a_lock_held_by_a_process_that_is_dead_but_not_reaped_is_taken_over() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.0.1", true);
    // A child that has exited and that this test does not reap yet: a zombie, as a process
    // killed with -9 is until its parent notices.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    let state = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|s| {
                s.rsplit_once(')')
                    .map(|(_, r)| r.trim_start().chars().next())
            })
            .flatten()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while state() != Some('Z') {
        assert!(
            std::time::Instant::now() < deadline,
            "the child never became a zombie"
        );
        std::thread::yield_now();
    }
    env.plant_lock("alice", pid, "rollback latest");
    env.cmd().args(["rollback", "--yes"]).assert().success();
    child.wait().unwrap();
}
