//! Edge aliases on Azure Front Door, end to end: a real Azurite for the store, the real
//! `AzureCliCredential` for the token (through the test's `az`), and the Resource Manager
//! stand-in (tests/peers/arm_stub.py) that checks every rule request against the API's shapes.
//! In edge mode every change writes the moved aliases' rules (a URL rewrite to the release's
//! folder and the alias's Cache-Control) before its copies, still purges the alias paths
//! (Front Door keys its cache on the request's path), and a canary is refused in one sentence.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use common::Env;
use common::arm::{Arm, TOKEN, cdn, cmd, fake_az};
use common::azure::{config, container, endpoint};
use predicates::prelude::*;
use serde_json::Value;

/// The release a rule rewrites to, and the rule's Cache-Control value.
fn rule_of(rules: &Value, name: &str) -> (String, String) {
    let r = &rules["shipdeckaliases"][name]["properties"];
    assert_eq!(r["matchProcessingBehavior"], "Stop", "{r}");
    let actions = r["actions"].as_array().unwrap();
    let rewrite = actions.iter().find(|a| a["name"] == "UrlRewrite").unwrap();
    let header = actions
        .iter()
        .find(|a| a["name"] == "ModifyResponseHeader")
        .unwrap();
    assert_eq!(header["parameters"]["headerName"], "Cache-Control");
    (
        rewrite["parameters"]["destination"]
            .as_str()
            .unwrap()
            .to_string(),
        header["parameters"]["value"].as_str().unwrap().to_string(),
    )
}

#[test]
fn edge_mode_on_front_door_writes_one_rule_per_alias_and_still_purges() {
    let c = container("afdrules");
    let dir = tempfile::tempdir().unwrap();
    let arm = Arm::start(dir.path(), 1);
    let bin = fake_az(dir.path(), TOKEN);
    let cdn_line =
        cdn("frontdoor", &arm).replace(" }\n", ", edge = { rule_set = \"shipdeckaliases\" } }\n");
    let env = Env::with_config(&config(
        &c,
        &endpoint(),
        "msr-webchat/",
        &format!("alias_mode = \"edge\"\n{cdn_line}"),
    ));
    for v in ["1.0.0", "1.1.0"] {
        let dist = env.widget(v);
        cmd(&env, &bin)
            .arg("publish")
            .arg(&dist)
            .args(["--yes", "--promote"])
            .assert()
            .success()
            .stdout(predicate::str::contains(
                "edge: keys written before the copies",
            ));
    }
    let rules = arm.rules();
    assert_eq!(
        rule_of(&rules, "aliaslatest"),
        ("/msr-webchat/v1.1.0/".into(), "public, max-age=300".into())
    );
    assert_eq!(rule_of(&rules, "aliasv1D0").0, "/msr-webchat/v1.0.0/");
    assert_eq!(rule_of(&rules, "aliasv1D1").0, "/msr-webchat/v1.1.0/");
    assert_eq!(
        rules["shipdeckaliases"]["aliaslatest"]["properties"]["conditions"][0]["parameters"]["matchValues"]
            [0],
        "msr-webchat/latest/",
        "Front Door's path condition has no leading slash"
    );

    // The plan says the rule comes first and that the alias paths are still purged.
    cmd(&env, &bin)
        .args(["rollback", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "edge: 1 rule write (latest → 1.0.0) before the copies",
        ))
        .stdout(predicate::str::contains(
            "so the alias paths are still purged",
        ));
    let purges_before = purges(&arm);
    cmd(&env, &bin)
        .args(["rollback", "--yes"])
        .assert()
        .success();
    assert_eq!(
        rule_of(&arm.rules(), "aliaslatest").0,
        "/msr-webchat/v1.0.0/"
    );
    assert_eq!(
        purges(&arm),
        purges_before + 1,
        "the alias paths were purged"
    );

    // Status reads the rules back as the keys; a canary is refused before anything is written.
    cmd(&env, &bin)
        .args(["edge", "status"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Front Door rule set shipdeckaliases",
        ));
    cmd(&env, &bin)
        .args(["promote", "1.1.0", "--canary", "5", "--yes"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "Front Door rule set shipdeckaliases has no per-viewer split",
        ));
    assert_eq!(
        rule_of(&arm.rules(), "aliaslatest").0,
        "/msr-webchat/v1.0.0/"
    );
    cmd(&env, &bin)
        .args(["edge", "setup"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("az afd rule-set create"));
    let (_, violations) = arm.seen();
    assert!(violations.is_empty(), "{violations:?}");
}

fn purges(arm: &Arm) -> usize {
    arm.seen()
        .0
        .iter()
        .filter(|r| r["method"] == "POST")
        .count()
}

#[test]
fn a_rule_set_nobody_created_is_named() {
    let c = container("afdnors");
    let dir = tempfile::tempdir().unwrap();
    let arm = Arm::start(dir.path(), 0);
    let bin = fake_az(dir.path(), TOKEN);
    let cdn_line =
        cdn("frontdoor", &arm).replace(" }\n", ", edge = { rule_set = \"nosuchset\" } }\n");
    let env = Env::with_config(&config(
        &c,
        &endpoint(),
        "msr-webchat/",
        &format!("alias_mode = \"edge\"\n{cdn_line}"),
    ));
    cmd(&env, &bin)
        .args(["edge", "status"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("Front Door rule set nosuchset"))
        .stderr(predicate::str::contains("HTTP 404"))
        .stderr(predicate::str::contains(
            "az afd rule-set create --rule-set-name nosuchset",
        ));
}
