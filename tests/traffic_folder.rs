//! `shipdeck traffic` over a folder of log files that a real client brought to this machine:
//! CloudFront logs synced from moto with awscli's `aws s3 sync`, Front Door logs downloaded from
//! Azurite with Microsoft's Python SDK (as `azcopy copy --recursive` lays them out). The numbers
//! must be the generator's, exactly, and the same as reading the bucket itself.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use common::Env;
use common::logs::{
    assert_counts, assert_types_and_latency, cloudfront_logs_env, loggen, run_aws, window,
};
use predicates::prelude::*;
use serde_json::Value;

/// A local-store profile whose logs are the folder `logs` beside its config, under `prefix`.
fn folder_env(prefix: &str) -> Env {
    Env::with_config(&format!(
        "[profiles.p]\nstore = {{ kind = \"local\", path = \"store\" }}\ncdn = {{ kind = \"none\", path_prefix = \"/msr-webchat\" }}\nlogs = {{ kind = \"directory\", path = \"logs\", prefix = \"{prefix}\" }}\n"
    ))
}

/// `shipdeck --json traffic` for the window, with no cloud credentials at all.
fn traffic(env: &Env, since: &str, until: &str) -> Value {
    let out = env
        .cmd()
        .args(["--json", "traffic", "--since", since, "--until", until])
        .output()
        .unwrap();
    common::succeeded(&out);
    common::validate_json("traffic", &out.stdout, env.path());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn loaded(doc: &Value) -> (u64, u64, u64) {
    let n = |k: &str| doc["loaded"][k].as_u64().unwrap();
    (n("files"), n("read"), n("cached"))
}

#[test]
fn a_folder_synced_by_awscli_counts_what_the_bucket_counts() {
    let b = common::s3::bucket("synced");
    let (start, since, until) = window(24);
    let expected = loggen(&["cloudfront", &b, "cdn/", &start.to_string(), "24", "5"]);
    let env = folder_env("cdn/");
    let logs = env.path().join("logs");
    let mut sync = assert_cmd::Command::new(common::s3::aws());
    common::s3::aws_env(&mut sync);
    let out = sync
        .args([
            "s3",
            "sync",
            &format!("s3://{b}/cdn/"),
            &format!("{}/cdn/", logs.display()),
        ])
        .args([
            "--endpoint-url",
            &common::s3::endpoint(),
            "--only-show-errors",
        ])
        .output()
        .unwrap();
    common::succeeded(&out);
    // A sync tool's partial download and a folder that is not logs are left alone.
    std::fs::write(logs.join("cdn/.E2TEST.2026-01-01-00.gz.partial"), "half").unwrap();
    std::fs::create_dir_all(logs.join("elsewhere")).unwrap();
    std::fs::write(logs.join("elsewhere/notes.txt"), "not a log").unwrap();

    let doc = traffic(&env, &since, &until);
    assert_counts(&doc, &expected);
    assert_types_and_latency(&doc, &expected);
    assert_eq!(loaded(&doc), (24, 24, 0));
    assert_eq!(doc["report"]["bad_lines"], 24, "one unusable line per file");
    assert!(doc["source"].as_str().unwrap().contains("folder"), "{doc}");

    // The very numbers the bucket itself gives.
    let s3 = cloudfront_logs_env(&b);
    let from_bucket: Value = serde_json::from_slice(
        &run_aws(
            &s3,
            &["--json", "traffic", "--since", &since, "--until", &until],
        )
        .stdout,
    )
    .unwrap();
    assert_eq!(doc["report"]["rows"], from_bucket["report"]["rows"]);
    assert_eq!(doc["report"]["versions"], from_bucket["report"]["versions"]);

    // Nothing new: every file from the cache, none opened.
    assert_eq!(loaded(&traffic(&env, &since, &until)), (24, 0, 24));

    // A file the sync rewrote is read again; a file it pruned is forgotten.
    let mut files: Vec<_> = walk(&logs.join("cdn"));
    files.sort();
    let rewritten = &files[0];
    let body = std::fs::read(rewritten).unwrap();
    std::fs::remove_file(rewritten).unwrap();
    std::fs::write(rewritten, &body).unwrap();
    std::fs::remove_file(&files[1]).unwrap();
    let doc = traffic(&env, &since, &until);
    assert_eq!(loaded(&doc), (23, 1, 22));
}

#[test]
fn front_door_logs_downloaded_to_a_folder_are_counted_exactly() {
    let c = common::azure::container("fdfolder");
    let (start, since, until) = window(6);
    let expected = loggen(&["frontdoor", &c, &start.to_string(), "6", "13"]);
    let env = folder_env("");
    let logs = env.path().join("logs");
    let got = common::azure::check(&["download", &c, logs.to_str().unwrap()]);
    assert_eq!(got["downloaded"].as_array().unwrap().len(), 6);
    // A file larger than any log text may be (sparse: no disk used) is named, never read.
    let huge = std::fs::File::create(logs.join("huge.log")).unwrap();
    huge.set_len(300 * 1024 * 1024).unwrap();
    let doc = traffic(&env, &since, &until);
    assert_counts(&doc, &expected);
    assert_types_and_latency(&doc, &expected);
    assert_eq!(
        doc["skipped"],
        serde_json::json!(["huge.log: skipped: larger than 256 MiB"])
    );
    assert_eq!(doc["report"]["bad_lines"], 6 + 1);
    assert_eq!(loaded(&doc), (7, 6, 0));
}

#[test]
fn a_missing_logs_folder_is_one_sentence_naming_it() {
    let env = Env::with_config(
        "[profiles.p]\nstore = { kind = \"local\", path = \"store\" }\ncdn = { kind = \"none\", path_prefix = \"/msr-webchat\" }\nlogs = { kind = \"directory\", path = \"no-such-logs\" }\n",
    );
    env.cmd()
        .arg("traffic")
        .assert()
        .failure()
        .stderr(predicate::str::contains("no-such-logs"))
        .stderr(predicate::str::contains("logs folder does not exist"));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if !e.file_name().to_string_lossy().starts_with('.') {
            out.push(p);
        }
    }
    out
}
