//! Edge aliases against copied aliases, side by side on the same moto (S3 + CloudFront) with the
//! same 500-file releases [goal: an edge-mode rollback reaches browsers after ≤ 3 CDN calls and
//! in ≤ 0.05× the copy-mode time]. Each round rolls `latest` back from 1.1.0 to 1.0.0 and
//! forward again in both modes, the copy profile on `copy/` with its CloudFront invalidation,
//! the edge profile on `edge/` with its KeyValueStore (tests/peers/kvs_stub.py, the data plane
//! moto lacks).
//!
//! "Reaches browsers": in copy mode when the command is done (copies written, invalidation
//! completed); in edge mode when the key write is answered (the stub's clock for that request;
//! the function rewrites before the cache, so no invalidation is needed). Edge mode then still
//! refreshes the fallback copies: its whole command time is printed too, as is every call each
//! mode made (moto's request recorder for S3 and CloudFront, the stub's log for the store).
//!
//! Needs the peers: run `bash scripts/bench.sh`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;
#[path = "../tests/common/stub.rs"]
#[allow(dead_code, reason = "the tests use the stubs' other helpers")]
mod stub;

use common::{median, peers_bin, s3_endpoint as endpoint, s3check};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const ARN: &str =
    "arn:aws:cloudfront::123456789012:key-value-store/0d6f6a04-2a6a-4c3e-a9b1-2f4b5c6d7e8f";
const AWS_ENV: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
];
const FILES: usize = 500;
const ROUNDS: usize = 3;

/// moto's request recorder: every request it serves between `start` and `stop`.
fn recorder(action: &str) -> String {
    let method = if action == "download-recording" {
        "GET"
    } else {
        "POST"
    };
    let out = Command::new("curl")
        .args([
            "-sf",
            "-X",
            method,
            &format!("{}/moto-api/recorder/{action}", endpoint()),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "moto recorder {action}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The stub's request log: (method, path, unix time).
fn stub_requests(url: &str) -> Vec<(String, String, f64)> {
    let out = Command::new("curl")
        .args(["-sf", &format!("{url}/_state")])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["method"].as_str().unwrap().to_string(),
                r["path"].as_str().unwrap().to_string(),
                r["at"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn distribution(bucket: &str) -> String {
    let out = Command::new(peers_bin().join("python"))
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/s3check.py"))
        .args(["create-distribution", bucket])
        .env("SHIPDECK_TEST_S3", endpoint())
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["id"].as_str().unwrap().to_string()
}

/// One rollback: (time until browsers get it, whole command, moto calls, KeyValueStore calls).
struct Run {
    served: Duration,
    total: Duration,
    moto_calls: usize,
    kvs_calls: usize,
}

fn rollback(root: &Path, profile: &str, to: &str, stub: Option<&str>) -> Run {
    recorder("reset-recording");
    recorder("start-recording");
    let kvs_before = stub.map_or(0, |u| stub_requests(u).len());
    let t0 = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let total = common::shipdeck(
        root,
        &[
            "--profile",
            profile,
            "rollback",
            "latest",
            "--to",
            to,
            "--yes",
        ],
        &AWS_ENV,
    );
    recorder("stop-recording");
    let moto_calls = recorder("download-recording")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    let (served, kvs_calls) = match stub {
        None => (total, 0),
        Some(u) => {
            let calls = stub_requests(u).split_off(kvs_before);
            let write = calls
                .iter()
                .find(|(m, _, _)| m == "POST")
                .expect("edge mode wrote the key");
            let served = Duration::from_secs_f64((write.2 - t0.as_secs_f64()).max(0.0));
            (served, calls.len())
        }
    };
    Run {
        served,
        total,
        moto_calls,
        kvs_calls,
    }
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let bucket = format!("bench-edgealias-{}", std::process::id());
    s3check(&["create-bucket", &bucket]);
    let dist = distribution(&bucket);
    let kvs = stub::Stub::start("kvs_stub.py", root, &[ARN]);
    let stub_url = kvs.url();
    let ep = endpoint();
    std::fs::write(
        root.join("shipdeck.toml"),
        format!(
            "[profiles.copy]\nstore = {{ kind = \"s3\", bucket = \"{bucket}\", region = \"us-east-1\", prefix = \"copy/\", endpoint = \"{ep}\" }}\n\
             cdn = {{ kind = \"cloudfront\", distribution_id = \"{dist}\", endpoint = \"{ep}\" }}\n\n\
             [profiles.edge]\nstore = {{ kind = \"s3\", bucket = \"{bucket}\", region = \"us-east-1\", prefix = \"edge/\", endpoint = \"{ep}\" }}\n\
             alias_mode = \"edge\"\n\
             cdn = {{ kind = \"cloudfront\", distribution_id = \"{dist}\", endpoint = \"{ep}\", edge = {{ kvs_arn = \"{ARN}\", endpoint = \"{stub_url}\" }} }}\n"
        ),
    )
    .unwrap();
    for (i, v) in ["1.0.0", "1.1.0"].iter().enumerate() {
        let dir = root.join(format!("build-{v}"));
        common::write_build(&dir, FILES, i + 1);
        for profile in ["copy", "edge"] {
            common::shipdeck(
                root,
                &[
                    "--profile",
                    profile,
                    "publish",
                    dir.to_str().unwrap(),
                    "--version",
                    v,
                    "--promote",
                    "--yes",
                ],
                &AWS_ENV,
            );
        }
    }
    let (mut copy, mut edge) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        for to in ["1.0.0", "1.1.0"] {
            copy.push(rollback(root, "copy", to, None));
            edge.push(rollback(root, "edge", to, Some(&stub_url)));
        }
    }
    drop(kvs);
    let med = |runs: &[Run], f: fn(&Run) -> Duration| median(runs.iter().map(f).collect());
    let max_calls = |runs: &[Run], f: fn(&Run) -> usize| runs.iter().map(f).max().unwrap_or(0);
    common::line(
        &format!("rollback, {FILES} files: edge mode, until served"),
        med(&edge, |r| r.served),
        "copy mode",
        med(&copy, |r| r.served),
        0.05,
    );
    println!(
        "{:<44} edge mode {:>7.1} ms (key first, then the fallback copies)   copy mode {:>8.1} ms",
        "  whole command",
        med(&edge, |r| r.total).as_secs_f64() * 1000.0,
        med(&copy, |r| r.total).as_secs_f64() * 1000.0,
    );
    let kvs = max_calls(&edge, |r| r.kvs_calls);
    println!(
        "{:<44} edge mode {kvs} KeyValueStore call(s) before browsers get it   goal ≤ 3   {}",
        "  CDN calls",
        if kvs <= 3 { "ok" } else { "OVER" }
    );
    println!(
        "{:<44} edge mode {} (store and CloudFront, fallback copies included)   copy mode {}",
        "  all calls to moto, per rollback (max)",
        max_calls(&edge, |r| r.moto_calls),
        max_calls(&copy, |r| r.moto_calls),
    );
}
