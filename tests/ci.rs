//! Shipdeck in a pipeline: the GitHub Actions presenter (job summary, step outputs,
//! annotations, masks) run through the real binary against moto, web-identity credentials
//! through moto's STS, the workflows and action linted offline, every `--json` document
//! validated against its schema, exit codes, the event stream, completions and the man page.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly, naming what went wrong"
)]

mod common;

use common::s3::{aws_env, bucket, config, distribution, endpoint};
use common::{Env, outputs};
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// An S3 + CloudFront profile on moto, with a public URL for embed snippets.
fn ci_env(tag: &str) -> (Env, String) {
    let b = bucket(tag);
    let d = distribution(&b);
    let mut text = config(&b, Some(&d), &endpoint(), "msr-webchat/");
    text.push_str("public_url = \"https://cdn.example.com/msr-webchat\"\n");
    (Env::with_config(&text), b)
}

/// The binary as a GitHub Actions step runs it, with the S3 peer's credentials.
fn in_actions(env: &Env) -> (assert_cmd::Command, PathBuf, PathBuf) {
    let mut c = env.cmd();
    aws_env(&mut c);
    let (summary, outputs) = common::in_actions(env, &mut c);
    (c, summary, outputs)
}

#[test]
fn a_publish_in_github_actions_writes_the_summary_outputs_and_annotations() {
    let (env, _) = ci_env("gha");
    let dist = env.widget("1.0.0");
    let (mut c, summary, outs) = in_actions(&env);
    let out = c
        .arg("publish")
        .arg(&dist)
        .args(["--promote", "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let md = std::fs::read_to_string(&summary).unwrap();
    for part in [
        "### ✅ shipdeck: publish 1.0.0 and promote",
        "| alias | before | after | mode |",
        "| `latest` | — | 1.0.0 | automatic |",
        "| ⬆️ upload | `msr-webchat/v1.0.0/msr-webchat.umd.js` |",
        "CDN paths: `/msr-webchat/latest/*`",
        // The fixture's public_url does not resolve: the edge could not be checked, a warning
        // the heading says as the CLI and the console do.
        "**Done, with warnings:** ",
        "CDN invalidation: ",
        "**URL:** https://cdn.example.com/msr-webchat/v1.0.0/",
        "integrity=\"sha384-",
    ] {
        assert!(md.contains(part), "missing {part:?} in:\n{md}");
    }
    assert!(md.len() < 1024 * 1024);
    let o = outputs(&outs);
    assert_eq!(o["version"], "1.0.0");
    assert_eq!(o["result"], "ok");
    assert_eq!(o["url"], "https://cdn.example.com/msr-webchat/v1.0.0/");
    assert!(
        o["aliases"].split(' ').any(|a| a == "latest=none->1.0.0"),
        "{o:?}"
    );
    assert!(!o["invalidation-id"].is_empty(), "{o:?}");
    // A hand-made invalidation, and its status, as JSON documents of their schema.
    let mut inv = env.cmd();
    aws_env(&mut inv);
    let out = inv
        .args(["--json", "invalidate", "/msr-webchat/latest/*", "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    validate("invalidate", &out.stdout, env.path());
    let id =
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["invalidation"]["id"]
            .as_str()
            .unwrap()
            .to_string();
    let mut st = env.cmd();
    aws_env(&mut st);
    let out = st
        .args(["--json", "invalidate", "--status", &id])
        .output()
        .unwrap();
    validate("invalidate", &out.stdout, env.path());
    // Without GITHUB_ACTIONS none of this happens, and the text output is the same.
    let mut plain = env.cmd();
    aws_env(&mut plain);
    let quiet = env.path().join("not-written.md");
    plain
        .env("GITHUB_STEP_SUMMARY", &quiet)
        .args(["promote", "1.0.0", "--alias", "v1", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("::").not());
    assert!(!quiet.exists());
}

#[test]
fn failures_and_verify_differences_become_annotations() {
    let (env, b) = ci_env("gha-fail");
    let dist = env.widget("1.0.0");
    let mut c = env.cmd();
    aws_env(&mut c);
    c.arg("publish")
        .arg(&dist)
        .args(["--promote", "--yes"])
        .assert()
        .success();
    // A refused command: one ::error:: annotation and a failed summary.
    let (mut c, summary, outs) = in_actions(&env);
    let out = c.args(["rollback", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("::error::'latest' has no previous target recorded"),
        "{stdout}"
    );
    assert!(
        std::fs::read_to_string(&summary)
            .unwrap()
            .contains("### ❌ shipdeck rollback --yes")
    );
    assert_eq!(outputs(&outs)["result"], "failed");
    // Twelve damaged files: ten annotations, then one that counts the rest; exit code 4.
    for i in 0..12 {
        common::s3::check(&["put", &b, &format!("msr-webchat/latest/extra-{i}.js"), "x"]);
    }
    let (mut c, summary, _) = in_actions(&env);
    let out = c.args(["verify", "latest"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "verify found differences");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.matches("::error::").count(), 10, "{stdout}");
    assert!(
        stdout.contains("::warning::2 more finding(s) are in the job summary"),
        "{stdout}"
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains("| `latest` | 1.0.0 | 7 | ❌ 12 problem(s) |"),
        "{md}"
    );
}

#[test]
fn secrets_read_by_login_are_masked_in_the_job_log() {
    let (env, _) = ci_env("gha-mask");
    let (mut c, _, _) = in_actions(&env);
    let out = c
        .args(["login", "--stdin"])
        .write_stdin("AKIAIOSFODNN7EXAMPLE\nshipdeck-e2e-mask-Zq81\n")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("::add-mask::shipdeck-e2e-mask-Zq81"),
        "{stdout}"
    );
}

#[test]
fn web_identity_credentials_work_through_the_chain() {
    let (env, _) = ci_env("oidc");
    let token = env.path().join("token.jwt");
    std::fs::write(
        &token,
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm1zci93ZWJjaGF0In0.c2ln",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let mut c = env.cmd();
        c.env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", env.path().join("none"))
            .env("AWS_SHARED_CREDENTIALS_FILE", env.path().join("none"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env(
                "AWS_ROLE_ARN",
                "arn:aws:iam::123456789012:role/shipdeck-deploy",
            )
            .env("AWS_WEB_IDENTITY_TOKEN_FILE", &token)
            .env("AWS_ROLE_SESSION_NAME", "shipdeck-ci")
            .env("AWS_ENDPOINT_URL_STS", endpoint())
            .env("AWS_REGION", "us-east-1")
            .args(args);
        c
    };
    run(&["releases"])
        .assert()
        .success()
        .stdout(predicate::str::contains("no releases yet"));
    run(&["credentials"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "web identity (OIDC token for role arn:aws:iam::123456789012:role/shipdeck-deploy)",
        ));
}

#[test]
fn exit_codes_scripts_can_rely_on() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.1.0", false);
    // --detailed-exitcode: 5 when a dry run would change something, 0 when it would not.
    env.cmd()
        .args(["promote", "1.1.0", "--dry-run", "--detailed-exitcode"])
        .assert()
        .code(5);
    env.cmd()
        .args(["promote", "1.0.0", "--dry-run", "--detailed-exitcode"])
        .assert()
        .code(0);
    env.cmd()
        .args(["promote", "1.1.0", "--dry-run"])
        .assert()
        .code(0);
    // 3: someone else holds the release state.
    env.plant_lock("alice", std::process::id(), "promote 1.0.0");
    env.cmd()
        .args(["promote", "1.1.0", "--yes"])
        .assert()
        .code(3);
    std::fs::remove_file(env.store().join(".shipdeck/lock.json")).unwrap();
    // 4: verify found differences.
    std::fs::write(env.store().join("latest/style.css"), "tampered").unwrap();
    env.cmd().arg("verify").assert().code(4);
}

#[test]
fn the_output_file_streams_one_json_line_per_event() {
    let env = Env::new();
    let dist = env.widget("1.0.0");
    let events = env.path().join("events.jsonl");
    env.cmd()
        .arg("publish")
        .arg(&dist)
        .args(["--promote", "--yes", "--output-file"])
        .arg(&events)
        .assert()
        .success();
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&events)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = lines.iter().map(|l| l["event"].as_str().unwrap()).collect();
    assert_eq!(kinds.first(), Some(&"plan"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"result"), "{kinds:?}");
    assert!(
        kinds.contains(&"phase") && kinds.contains(&"step"),
        "{kinds:?}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l["schema_version"] == 1 && l["at"].is_string())
    );
    assert_eq!(lines.last().unwrap()["applied"], true);
}

fn validate(name: &str, doc: &[u8], dir: &Path) {
    common::validate_json(name, doc, dir);
}

#[test]
fn every_json_document_has_a_schema_version_and_matches_its_schema() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.1.0", true);
    let run = |args: &[&str]| env.cmd().arg("--json").args(args).output().unwrap().stdout;
    for (schema, args) in [
        ("releases", &["releases"][..]),
        ("change", &["rollback", "--yes"]),
        (
            "change",
            &["promote", "1.1.0", "--alias", "v1", "--dry-run"],
        ),
        ("verify", &["verify"]),
        ("history", &["history"]),
        ("cost", &["cost", "--compare"]),
        ("show", &["show", "1.1.0"]),
        ("diff", &["diff", "1.0.0", "1.1.0"]),
        ("error", &["promote", "9.9.9"]),
        ("error", &["frobnicate"]),
    ] {
        let doc = run(args);
        let v: serde_json::Value = serde_json::from_slice(&doc).unwrap();
        assert_eq!(v["schema_version"], 1, "{args:?}: {v}");
        validate(schema, &doc, env.path());
    }
    for (schema, args) in [
        ("profiles", &["profiles"][..]),
        ("credentials", &["credentials"]),
        ("init", &["init"]),
        ("unlock", &["unlock"]),
    ] {
        validate(schema, &run(args), env.path());
    }
    // A lost state, rebuilt (a dry run, then for real).
    std::fs::remove_file(env.store().join(".shipdeck/state.json")).unwrap();
    validate(
        "repair-state",
        &run(&["repair", "--state", "--dry-run"]),
        env.path(),
    );
    validate(
        "repair-state",
        &run(&["repair", "--state", "--yes"]),
        env.path(),
    );
    // The allowlist documents, on the demo profile's sample .env.
    let demo = Env::with_config("");
    std::fs::remove_file(demo.path().join("shipdeck.toml")).unwrap();
    let demo_run = |args: &[&str]| demo.cmd().arg("--json").args(args).output().unwrap().stdout;
    validate("origins-list", &demo_run(&["origins", "list"]), demo.path());
    validate(
        "origins-audit",
        &demo_run(&["origins", "audit"]),
        demo.path(),
    );
    for args in [
        &["origins", "add", "https://c.example", "--dry-run"][..],
        &["origins", "add", "https://c.example", "--yes"],
    ] {
        validate("origins-change", &demo_run(args), demo.path());
    }
}

#[test]
fn workflows_and_the_action_pass_both_linters() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let workflows: Vec<PathBuf> = std::fs::read_dir(root.join("assets/workflows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        .collect();
    assert!(workflows.len() >= 4, "{workflows:?}");
    let out = Command::new("node")
        .current_dir(root.join("tests/lint"))
        .arg("lint.cjs")
        .args(&workflows)
        .output()
        .expect("node runs the linter (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    for (schema, files) in [
        ("vendor.github-workflows", workflows.clone()),
        ("vendor.github-actions", vec![root.join("action.yml")]),
    ] {
        let out = Command::new(common::peers_bin().join("check-jsonschema"))
            .args(["--builtin-schema", schema])
            .args(&files)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{schema}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    // zizmor (offline, high severity) over every workflow and the action, with the repository's
    // zizmor.yml: third-party actions pinned by SHA, no template injection, no GITHUB_PATH.
    let out = Command::new(common::peers_bin().join("zizmor"))
        .current_dir(&root)
        .args([
            "--offline",
            "--min-severity",
            "high",
            "--config",
            "zizmor.yml",
        ])
        .args(&workflows)
        .arg(root.join("action.yml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "zizmor: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The action checks the binary's SHA-256 before running it.
    let action = std::fs::read_to_string(root.join("action.yml")).unwrap();
    assert!(action.contains("sha256sum --check --strict"));
    // Only moved aliases are invalidated: no workflow step ever invalidates everything (the
    // header comments name the runbook's `--paths "/*"` they replace).
    for w in &workflows {
        let text = std::fs::read_to_string(w).unwrap();
        for l in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
            assert!(
                !l.contains("\"/*\"") && !l.contains("invalidate /*"),
                "{}: {l}",
                w.display()
            );
        }
    }
}

#[test]
fn completions_and_the_man_page_come_from_the_same_definitions() {
    let env = Env::new();
    let bash = env.cmd().args(["completions", "bash"]).output().unwrap();
    assert!(bash.status.success());
    let script = env.path().join("shipdeck.bash");
    std::fs::write(&script, &bash.stdout).unwrap();
    let check = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .unwrap();
    assert!(check.success(), "the bash completion script parses");
    let text = String::from_utf8_lossy(&bash.stdout);
    for sub in ["publish", "rollback", "origins", "completions"] {
        assert!(text.contains(sub), "{sub}");
    }
    for shell in ["zsh", "fish", "powershell"] {
        let out = env.cmd().args(["completions", shell]).output().unwrap();
        assert!(
            out.status.success() && String::from_utf8_lossy(&out.stdout).contains("rollback"),
            "{shell}"
        );
    }
    env.cmd()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH shipdeck").and(predicate::str::contains("rollback")));
}

#[test]
fn allowlist_edits_are_summarised_in_github_actions_too() {
    let env = Env::with_config(
        "[profiles.test]\nstore = { kind = \"local\", path = \"store\" }\nbridge = { allowlist = { kind = \"dotenv\", path = \"bridge.env\" } }\n",
    );
    std::fs::write(
        env.path().join("bridge.env"),
        "ALLOWED_ORIGINS=https://a.example\n",
    )
    .unwrap();
    let (mut c, summary, outs) = in_actions(&env);
    c.args(["origins", "add", "https://b.example", "--yes"])
        .assert()
        .success();
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains("### ✅ shipdeck: add origin https://b.example to ADDITIONAL_ORIGINS"),
        "{md}"
    );
    assert!(
        md.contains("+ ADDITIONAL_ORIGINS=https://b.example"),
        "{md}"
    );
    assert_eq!(outputs(&outs)["result"], "ok");
}

/// The nightly verify's branches, run step by step with a fake `shipdeck` exiting 0, 1, 4 and
/// 6 and a fake `gh` (`tests/peers/workflow_run.py`): differences (4) and firing alerts (6) each
/// open one issue, or comment on the one already open; a failure to check or to evaluate (1)
/// fails the run and opens none; a clean run does nothing.
#[test]
fn the_nightly_verify_tells_differences_from_a_failure_to_check() {
    for workflow in ["verify-nightly.yml", "verify-nightly-azure.yml"] {
        nightly_branches(workflow);
    }
}

/// The branches of one nightly workflow on Shipdeck's exit codes.
fn nightly_branches(workflow: &str) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let run = |code: &str, open: &str| -> serde_json::Value {
        let out = Command::new(common::peers_bin().join("python"))
            .arg(root.join("tests/peers/workflow_run.py"))
            .arg(&root)
            .arg(root.join("assets/workflows").join(workflow))
            .args([code, open])
            .output()
            .unwrap();
        common::succeeded(&out);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let verbs = |doc: &serde_json::Value| -> Vec<String> {
        doc["gh"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| format!("{} {}", c[0].as_str().unwrap(), c[1].as_str().unwrap()))
            .collect()
    };
    let clean = run("verify:0,alerts:0", "");
    assert_eq!(clean["failed"], false);
    assert!(verbs(&clean).is_empty(), "{clean}");

    let broken = run("verify:1,alerts:0", "");
    assert_eq!(broken["failed"], true, "{broken}");
    assert!(
        verbs(&broken).is_empty(),
        "no issue for a failure to check: {broken}"
    );

    let differs = run("verify:4,alerts:0", "");
    assert_eq!(differs["failed"], false, "{differs}");
    assert_eq!(verbs(&differs), ["issue list", "issue create"]);

    let again = run("verify:4,alerts:0", "12");
    assert_eq!(verbs(&again), ["issue list", "issue comment"]);
    assert_eq!(
        again["gh"][1][2], "12",
        "comments on the open issue: {again}"
    );

    // Alerts: firing rules open their own issue (exit 6); a rule that cannot be evaluated (exit
    // 1) fails the run without one; both findings in one night, each issue commented on.
    let firing = run("verify:0,alerts:6", "");
    assert_eq!(firing["failed"], false, "{firing}");
    assert_eq!(verbs(&firing), ["issue list", "issue create"]);
    let title = firing["gh"][1]
        .as_array()
        .unwrap()
        .iter()
        .skip_while(|a| *a != "--title")
        .nth(1)
        .unwrap()
        .clone();
    assert!(title.as_str().unwrap().contains("alerts"), "{firing}");
    let unknown = run("verify:0,alerts:1", "");
    assert_eq!(unknown["failed"], true, "{unknown}");
    assert!(verbs(&unknown).is_empty(), "{unknown}");
    let both = run("verify:4,alerts:6", "7");
    assert_eq!(
        verbs(&both),
        ["issue list", "issue comment", "issue list", "issue comment"]
    );
}

/// Runs the action's install step (tests/peers/action_install.py) against `releases` served as
/// GitHub's release downloads, with the action's `version` and `sha256` inputs. The runner's
/// temporary folder is a new one under `releases`' parent, so it goes with the test's own.
fn install_step(releases: &Path, version: &str, sha256: &str) -> Value {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let runner_temp = tempfile::tempdir_in(releases.parent().unwrap())
        .unwrap()
        .keep();
    let out = Command::new(common::peers_bin().join("python"))
        .arg(root.join("tests/peers/action_install.py"))
        .args([
            root.to_str().unwrap(),
            releases.to_str().unwrap(),
            version,
            sha256,
            runner_temp.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    common::succeeded(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The action installs the release of its own version (the crate's, from its checkout) from
/// the repository it comes from, checked against the release's SHA256SUMS: a good binary runs,
/// a binary that does not match is refused and removed, a missing asset is named.
#[test]
fn the_action_installs_its_own_release_and_refuses_a_bad_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let served = dir.path().join("releases");
    let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
    let release = served.join("owner/shipdeck/releases/download").join(&tag);
    std::fs::create_dir_all(&release).unwrap();
    let asset = "shipdeck-x86_64-unknown-linux-musl";
    let binary = assert_cmd::cargo::cargo_bin("shipdeck");
    // A debug binary is hundreds of megabytes: linked, not copied, where the file system can.
    if std::fs::hard_link(&binary, release.join(asset)).is_err() {
        std::fs::copy(&binary, release.join(asset)).unwrap();
    }
    let sum = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(std::fs::read(&binary).unwrap()))
    };
    let sums = release.join("SHA256SUMS");
    std::fs::write(
        &sums,
        format!(
            "{sum}  {asset}\n{}  shipdeck-aarch64-unknown-linux-musl\n",
            "0".repeat(64)
        ),
    )
    .unwrap();

    let good = install_step(&served, "", "");
    assert_eq!(good["rc"], 0, "{good}");
    assert_eq!(good["outputs"]["version"], tag.as_str());
    let bin = good["outputs"]["bin"].as_str().unwrap();
    let version = Command::new(bin).arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&version.stdout).contains(env!("CARGO_PKG_VERSION")));

    // An explicit checksum needs no SHA256SUMS.
    std::fs::remove_file(&sums).unwrap();
    let explicit = install_step(&served, &tag, &sum);
    assert_eq!(explicit["rc"], 0, "{explicit}");

    std::fs::write(&sums, format!("{}  {asset}\n", "ab".repeat(32))).unwrap();
    let bad = install_step(&served, "", "");
    assert_ne!(bad["rc"], 0);
    assert!(
        bad["log"]
            .as_str()
            .unwrap()
            .contains("does not match its SHA-256"),
        "{bad}"
    );
    assert!(bad["outputs"].get("bin").is_none(), "nothing to run: {bad}");

    let missing = install_step(&served, "v9.9.9", "");
    assert_ne!(missing["rc"], 0);
    assert!(
        missing["log"]
            .as_str()
            .unwrap()
            .contains(&format!("no binary {asset} in release v9.9.9")),
        "{missing}"
    );
}

/// `shipdeck workflows`: the templates written for one owner, existing files kept, a bad owner
/// refused with a sentence; what it writes passes the same linter.
#[test]
fn workflows_are_written_for_one_owner_and_lint_clean() {
    let env = Env::new();
    let out = env
        .cmd()
        .args([
            "workflows",
            "--owner",
            "acme",
            "--cloud",
            "azure",
            "--bridge",
        ])
        .output()
        .unwrap();
    common::succeeded(&out);
    let dir = env.path().join(".github/workflows");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 4, "{files:?}");
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        assert!(!text.contains("YOUR-ORG"), "{}", f.display());
        assert!(
            text.contains(&format!(
                "acme/shipdeck@v{}",
                env!("CARGO_PKG_VERSION_MAJOR")
            )),
            "{}",
            f.display()
        );
    }
    assert!(
        std::fs::read_to_string(dir.join("deploy.yml"))
            .unwrap()
            .contains("azure/login@")
    );
    let lint = Command::new("node")
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/lint"))
        .arg("lint.cjs")
        .args(&files)
        .output()
        .unwrap();
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stdout)
    );

    // Again: nothing is overwritten without --force.
    std::fs::write(dir.join("deploy.yml"), "mine").unwrap();
    let again = env
        .cmd()
        .args(["workflows", "--owner", "acme"])
        .output()
        .unwrap();
    common::succeeded(&again);
    assert!(String::from_utf8_lossy(&again.stdout).contains("kept"));
    assert_eq!(
        std::fs::read_to_string(dir.join("deploy.yml")).unwrap(),
        "mine"
    );

    let bad = env
        .cmd()
        .args(["workflows", "--owner", "a/b"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not a GitHub owner name"));
}
