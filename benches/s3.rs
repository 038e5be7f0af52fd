//! Shipdeck against the team's `aws s3 sync` scripts, side by side on the same moto server and
//! data (issue goals in brackets, as Shipdeck's wall time over awscli's):
//! - alias switch of a 7-file release [≤ 0.25×] and of a 500-file release [≤ 0.7×]:
//!   `shipdeck promote V --alias latest` vs `aws s3 sync s3://B/vV/ s3://B/latest/ --delete`
//!   with the alias cache header (`--cache-control … --metadata-directive REPLACE`);
//! - a promote that changes nothing vs a no-change sync, 500 files [≤ 0.1×];
//! - `shipdeck releases` on 300 versions vs `aws s3 ls --recursive` [≤ 0.3×].
//!
//! Needs the peers: run `bash scripts/bench.sh`, which starts moto and runs every benchmark.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use common::{median, peers_bin, s3_endpoint as endpoint, s3check, write_build};

const AWS_ENV: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
];

fn shipdeck(dir: &Path, args: &[&str]) -> Duration {
    common::shipdeck(dir, args, &AWS_ENV)
}

fn line(name: &str, sd: Duration, cli: Duration, goal: f64) {
    common::line(name, sd, "awscli", cli, goal);
}

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn aws(args: &[&str]) -> Duration {
    let t = Instant::now();
    let out = Command::new(peers_bin().join("aws"))
        .arg("--endpoint-url")
        .arg(endpoint())
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env_remove("AWS_CA_BUNDLE")
        .output()
        .unwrap();
    let d = t.elapsed();
    assert!(
        out.status.success(),
        "aws {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    d
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let bucket = format!("bench-{}", std::process::id());
    s3check(&["create-bucket", &bucket]);
    std::fs::write(root.join("shipdeck.toml"), format!("[profiles.b]\nstore = {{ kind = \"s3\", bucket = \"{bucket}\", region = \"us-east-1\", endpoint = \"{}\" }}\n", endpoint())).unwrap();

    for (files, runs, goal) in [(7usize, 9usize, 0.25), (500, 9, 0.7)] {
        let (a, b) = (format!("{files}.0.0"), format!("{files}.0.1"));
        for (v, salt) in [(&a, 1), (&b, 7)] {
            let dir = root.join(format!("build-{v}"));
            write_build(&dir, files, salt);
            shipdeck(
                root,
                &["publish", dir.to_str().unwrap(), "--version", v, "--yes"],
            );
        }
        // Put the alias on `a` for both tools before measuring.
        shipdeck(root, &["promote", &a, "--alias", "latest", "--yes"]);
        let sync = |from: &str, to: &str| {
            aws(&[
                "s3",
                "sync",
                &format!("s3://{bucket}/v{from}/"),
                &format!("s3://{bucket}/{to}/"),
                "--delete",
                "--cache-control",
                "public, max-age=300",
                "--metadata-directive",
                "REPLACE",
                "--only-show-errors",
            ])
        };
        sync(&a, "cli-latest");
        let (mut sd, mut cli) = (Vec::new(), Vec::new());
        for i in 0..runs {
            let target = if i % 2 == 0 { &b } else { &a };
            sd.push(shipdeck(
                root,
                &["promote", target, "--alias", "latest", "--yes"],
            ));
            cli.push(sync(target, "cli-latest"));
        }
        line(
            &format!("alias switch, {files} files"),
            median(sd),
            median(cli),
            goal,
        );
        if files == 500 {
            let last = if runs % 2 == 1 { &b } else { &a };
            let sd: Vec<Duration> = (0..runs)
                .map(|_| shipdeck(root, &["promote", last, "--alias", "latest", "--yes"]))
                .collect();
            let cli: Vec<Duration> = (0..runs).map(|_| sync(last, "cli-latest")).collect();
            line(
                "no-change promote vs no-change sync, 500 files",
                median(sd),
                median(cli),
                0.1,
            );
        }
    }

    // 300 versions in the bucket: Shipdeck reads its release index, awscli lists every object.
    let tiny = root.join("tiny");
    std::fs::create_dir_all(&tiny).unwrap();
    std::fs::write(tiny.join("msr-webchat.umd.js"), "x").unwrap();
    let existing = 4; // 7.0.0, 7.0.1, 500.0.0, 500.0.1
    for i in 0..(300 - existing) {
        shipdeck(
            root,
            &[
                "publish",
                tiny.to_str().unwrap(),
                "--version",
                &format!("0.{}.{}", i / 10, i % 10),
                // One-file builds, to measure listing many versions.
                "--allow-missing-entries",
                "--yes",
            ],
        );
    }
    let sd: Vec<Duration> = (0..7).map(|_| shipdeck(root, &["releases"])).collect();
    let cli: Vec<Duration> = (0..7)
        .map(|_| aws(&["s3", "ls", "--recursive", &format!("s3://{bucket}/")]))
        .collect();
    line(
        "list 300 versions (releases vs s3 ls)",
        median(sd),
        median(cli),
        0.3,
    );
}
