//! Output that nobody reads: every command whose stdout is closed (`shipdeck releases | head
//! -1`) ends quietly, as `ls` and `rg` do, instead of panicking with "Broken pipe".

use crate::common::Env;
use std::process::Stdio;

/// Runs `args` with stdout a pipe whose reading end is already closed, so the first write
/// fails with EPIPE whatever the timing. Returns the exit code and stderr.
fn with_stdout_closed(env: &Env, args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut std_cmd = env.std_cmd(args);
    std_cmd.stdout(writer).stderr(Stdio::piped());
    let out = std_cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_command_ends_quietly_when_its_output_is_closed() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.1.0", true);
    for args in [
        &["releases"][..],
        &["--json", "releases"],
        &["history"],
        &["--json", "history"],
        &["verify"],
        &["--json", "verify"],
        &["cost", "--bundle-kb", "50"],
        &["--json", "cost", "--compare"],
        &["profiles"],
        &["credentials"],
        &["promote", "1.0.0", "--alias", "v1", "--dry-run"],
        &["--json", "promote", "1.0.0", "--alias", "v1", "--dry-run"],
        &["unlock"],
        &["--help"],
        &["releases", "--help"],
        &["--version"],
    ] {
        let (code, stderr) = with_stdout_closed(&env, args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn under_json_a_usage_error_is_one_json_document_with_a_stable_code() {
    let env = Env::new();
    for args in [&["--json", "frobnicate"][..], &["--json", "promote"]] {
        let out = env.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {out:?}"));
        assert_eq!(doc["code"], "usage", "{doc}");
        assert_eq!(doc["exit_code"], 2, "{doc}");
        assert!(!doc["error"].as_str().unwrap().is_empty(), "{doc}");
    }
    // A refusal from a rule has its own code.
    env.publish("1.0.0", false);
    let out = env
        .cmd()
        .args(["--json", "unpin", "latest"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["exit_code"], 1, "{doc}");
    assert!(doc["code"].is_string(), "{doc}");
}
