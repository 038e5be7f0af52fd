//! Bad input, configuration, help and the demo profile: one sentence, nothing changed.

use crate::aliases::alias_target;
use crate::common::{self, Env, files_under};
use predicates::prelude::*;
use serde_json::Value;

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

#[test]
fn unsafe_config_values_are_refused_at_load_with_file_and_line() {
    for (line, says) in [
        (
            "alias_cache_control = \"no-store\\r\\nX-Evil: 1\"",
            "key 'profiles.test.alias_cache_control': \"no-store\\r\\nX-Evil: 1\" has a line break or another control character",
        ),
        ("alias_cache_control = \"\"", "the value is empty"),
        ("concurrency = 0", "0 is out of range; use 1 to 256"),
        ("concurrency = 100000", "100000 is out of range"),
    ] {
        let env = Env::with_config(&format!(
            "[profiles.test]\nstore = {{ kind = \"local\", path = \"store\" }}\n{line}\n"
        ));
        std::fs::create_dir_all(env.store()).unwrap();
        common::refused(&env, &["releases"], 1, "shipdeck.toml:3:");
        common::refused(&env, &["releases"], 1, says);
    }
    for (bucket, region) in [
        ("", "us-east-1"),
        ("My_Bucket", "us-east-1"),
        ("ok-bucket", ""),
    ] {
        let env = Env::with_config(&format!(
            "[profiles.test]\nstore = {{ kind = \"s3\", bucket = \"{bucket}\", region = \"{region}\" }}\n"
        ));
        common::refused(
            &env,
            &["releases"],
            1,
            "shipdeck.toml:2: key 'profiles.test.store'",
        );
        common::refused(
            &env,
            &["releases"],
            1,
            if region.is_empty() {
                "is not an AWS region"
            } else {
                "is not an S3 bucket name"
            },
        );
    }
    for prefix in ["../escape/", "a/../../b", "./x", ".shipdeck/x", "a\\\\b"] {
        let env = Env::with_config(&format!(
            "[profiles.test]\nstore = {{ kind = \"local\", path = \"store\", prefix = \"{prefix}\" }}\n"
        ));
        std::fs::create_dir_all(env.store()).unwrap();
        common::refused(
            &env,
            &["releases"],
            1,
            "shipdeck.toml:2: key 'profiles.test.store'",
        );
        assert!(!env.path().join("escape").exists());
    }
    // A channel name over the limit says the limit.
    let env = Env::new();
    env.publish("1.0.0", false);
    common::refused(
        &env,
        &["promote", "1.0.0", "--alias", &"n".repeat(40)],
        2,
        "channel names have at most 32 characters",
    );
}

/// Every subcommand's `--help` teaches: a description, an example, and a description of every
/// argument (walked from the clap definitions, so a new command cannot forget them).
#[test]
fn every_subcommand_has_examples_and_every_argument_a_description() {
    use clap::CommandFactory;
    fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for sub in cmd.get_subcommands() {
            let name = format!("{path} {}", sub.get_name());
            let after = sub
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            if !after.contains("Example") && sub.get_subcommands().next().is_none() {
                missing.push(format!("{name}: no example"));
            }
            if sub.get_about().is_none() {
                missing.push(format!("{name}: no description"));
            }
            for arg in sub.get_arguments() {
                let id = arg.get_id().as_str();
                if arg.is_global_set() || id == "help" || id == "version" {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{name} {id}: no description"));
                }
            }
            walk(sub, &name, missing);
        }
    }
    let mut missing = Vec::new();
    walk(
        &shipdeck::cli::args::Cli::command(),
        "shipdeck",
        &mut missing,
    );
    assert!(missing.is_empty(), "{missing:#?}");
}

/// `credentials --profile X` shows X only, an unknown X is the usual error naming the profiles,
/// and a local store behind CloudFront needs AWS credentials (its invalidations are signed).
#[test]
fn credentials_shows_the_profile_asked_and_what_its_cdn_needs() {
    let env = Env::with_config(
        "[profiles.plain]\nstore = { kind = \"local\", path = \"store\" }\n\n[profiles.edge]\nstore = { kind = \"local\", path = \"store\" }\ncdn = { kind = \"cloudfront\", distribution_id = \"E123\" }\n",
    );
    let cmd = |args: &[&str]| {
        let mut c = env.cmd();
        c.args(args)
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ROLE_ARN")
            .env("AWS_CONFIG_FILE", env.path().join("no-aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                env.path().join("no-aws-credentials"),
            );
        c
    };
    let doc: serde_json::Value = serde_json::from_slice(
        &cmd(&["--json", "credentials", "--profile", "edge"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let rows = doc["profiles"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{doc:#}");
    assert_eq!(rows[0]["profile"], "edge");
    assert!(
        !rows[0]["source"].as_str().unwrap().contains("not needed"),
        "{doc:#}"
    );
    let all = String::from_utf8(cmd(&["credentials"]).output().unwrap().stdout).unwrap();
    assert!(all.contains("plain") && all.contains("edge"), "{all}");
    let out = cmd(&["credentials", "--profile", "nope"]).output().unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("plain"),
        "names the profiles there are: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every `--help` that lists exit codes takes them from the one table the program exits by
/// (`verify --help` once said differences exit 1; they exit 4).
#[test]
fn every_help_lists_exit_codes_from_the_one_table() {
    use shipdeck::cli::exit;
    let env = Env::new();
    let top = String::from_utf8(env.cmd().arg("--help").output().unwrap().stdout).unwrap();
    let commands: Vec<String> = top
        .split("Commands:")
        .nth(1)
        .unwrap()
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        // Command lines are indented by two; wrapped descriptions by more.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() > 10, "{commands:?}");
    let mut seen = 0;
    for args in std::iter::once(vec!["--help".to_string()])
        .chain(commands.iter().map(|c| vec![c.clone(), "--help".into()]))
    {
        let text = String::from_utf8(env.cmd().args(&args).output().unwrap().stdout).unwrap();
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let Some(rest) = flat.split("Exit codes: ").nth(1) else {
            continue;
        };
        seen += 1;
        let listed = rest.split(". ").next().unwrap().trim_end_matches('.');
        for entry in listed.split("; ") {
            let (n, what) = entry.split_once(' ').unwrap();
            let n: i32 = n.parse().unwrap_or_else(|_| panic!("{args:?}: {entry}"));
            let known = exit::TABLE.iter().find(|(c, _)| *c == n);
            assert_eq!(
                known.map(|(_, w)| w.split_whitespace().collect::<Vec<_>>().join(" ")),
                Some(what.to_string()),
                "{args:?}: '{entry}' is not the table's"
            );
        }
    }
    assert!(seen >= 2, "the top-level and verify help list exit codes");
    let verify = String::from_utf8(
        env.cmd()
            .args(["verify", "--help"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(verify.contains(&format!("{} differences found", exit::DIFFERENCES)));
}
