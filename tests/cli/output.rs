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

/// The display column where `needle` starts in `line` (a CJK character takes two).
fn column_of(line: &str, needle: &str) -> Option<usize> {
    use unicode_width::UnicodeWidthStr;
    line.find(needle).map(|i| line[..i].width())
}

#[test]
fn long_values_never_shift_the_columns_of_history_and_show() {
    let env = Env::new();
    let run = |user: &str, args: &[&str]| {
        env.cmd()
            .env("SHIPDECK_USER", user)
            .args(args)
            .assert()
            .success();
    };
    let dist = env.widget("1.0.0");
    let dist = dist.to_str().unwrap();
    let long_user = "release-manager-with-a-very-long-name@example.com";
    run(
        long_user,
        &[
            "publish",
            dist,
            "--promote",
            "--yes",
            "--commit",
            "build from branch feature/a-very-long-name",
        ],
    );
    let dist = env.widget("1.1.0");
    std::fs::write(
        dist.join("chunk-with-a-very-long-file-name-0123456789abcdef0123456789.js"),
        "export const y = 2;",
    )
    .unwrap();
    run(
        "漢字の名前",
        &[
            "publish",
            dist.to_str().unwrap(),
            "--promote",
            "--yes",
            "--commit",
            "0123456789abcdef0123456789abcdef01234567",
        ],
    );
    run("bo", &["rollback", "--yes"]);
    let out = env.cmd().arg("history").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let tail = column_of(lines[0], "ALIASES / DETAIL").unwrap();
    let outcome = column_of(lines[0], "OUTCOME").unwrap();
    for l in &lines[1..] {
        assert_eq!(column_of(l, " ok ").map(|c| c + 1), Some(outcome), "{text}");
        assert_eq!(
            column_of(l, "  latest ").map(|c| c + 2),
            Some(tail),
            "{text}"
        );
    }
    // Cut values end with "…"; a hex commit is shown as people quote it.
    assert!(text.contains("release-manager-wit…"), "{text}");
    assert!(
        text.contains(" 0123456 ") && !text.contains("01234567"),
        "{text}"
    );
    // show: a long file name and content type keep the later columns in place.
    let show = env.cmd().args(["show", "1.1.0"]).output().unwrap();
    let show = String::from_utf8(show.stdout).unwrap();
    let header = show.lines().find(|l| l.starts_with("FILE")).unwrap();
    let cache = column_of(header, "CACHE-CONTROL").unwrap();
    let rows: Vec<&str> = show.lines().filter(|l| l.contains("public,")).collect();
    assert!(rows.len() > 3, "{show}");
    for r in rows {
        assert_eq!(column_of(r, "public,"), Some(cache), "{show}");
    }
}
