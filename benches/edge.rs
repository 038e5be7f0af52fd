//! `shipdeck verify --edge` against the hand check it replaces, side by side on the same nginx
//! edge in front of the same moto bucket [goal ≤ 0.5×]: 3 aliases × 7 files, Shipdeck's whole
//! run (state, manifests, 21 fetches, decoding, hashing, judging) vs `curl` fetching the same 21
//! URLs one after another in a shell loop (compressed, with the same Origin header).
//!
//! Needs the peers: run `bash scripts/bench.sh`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;
#[path = "../tests/common/edge.rs"]
#[allow(dead_code, reason = "the tests use the other edge modes")]
mod edge;

use common::{median, s3_endpoint as endpoint, s3check};
use std::process::Command;
use std::time::{Duration, Instant};

const AWS_ENV: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
];

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let bucket = format!("bench-edge-{}", std::process::id());
    s3check(&["create-bucket", &bucket]);
    s3check(&["public-read", &bucket]);
    let edge = edge::Edge::start(&format!("{}/{bucket}/", endpoint()), edge::Mode::Clean);
    std::fs::write(
        root.join("shipdeck.toml"),
        format!(
            "[profiles.b]\nstore = {{ kind = \"s3\", bucket = \"{bucket}\", region = \"us-east-1\", prefix = \"msr-webchat/\", endpoint = \"{}\" }}\npublic_url = \"{}/msr-webchat\"\n",
            endpoint(),
            edge.url
        ),
    )
    .unwrap();
    let dir = root.join("build");
    common::write_build(&dir, 7, 1);
    common::shipdeck(
        root,
        &[
            "publish",
            dir.to_str().unwrap(),
            "--version",
            "1.0.0",
            "--promote",
            "--yes",
        ],
        &AWS_ENV,
    );
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    let base = edge.url.clone();
    let urls: Vec<String> = ["latest", "v1", "v1.0"]
        .iter()
        .flat_map(|a| {
            let base = &base;
            files
                .iter()
                .map(move |f| format!("{base}/msr-webchat/{a}/{f}"))
        })
        .collect();
    assert_eq!(urls.len(), 21);
    let script = format!(
        "for u in {}; do curl -sf -o /dev/null --compressed -H 'Origin: https://example.com' \"$u\" || exit 1; done",
        urls.join(" ")
    );
    let curl = || {
        let t = Instant::now();
        let ok = Command::new("bash")
            .arg("-c")
            .arg(&script)
            .status()
            .unwrap()
            .success();
        assert!(ok, "curl loop failed");
        t.elapsed()
    };
    let (mut sd, mut cl) = (Vec::<Duration>::new(), Vec::<Duration>::new());
    for _ in 0..9 {
        sd.push(common::shipdeck(root, &["verify", "--edge"], &AWS_ENV));
        cl.push(curl());
    }
    common::line(
        "verify --edge, 3 aliases × 7 files",
        median(sd),
        "curl loop",
        median(cl),
        0.5,
    );
}
