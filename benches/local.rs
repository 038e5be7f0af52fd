//! Wall-time benchmark of the real binary on the local store (issue goals in brackets):
//! publish a 7-file 300 KB build [< 50 ms], promote it [< 50 ms], `releases` on a store with
//! 1,000 versions [< 100 ms]. Run with `cargo bench --bench local`; prints medians of N runs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

use shipdeck::cdn::NoCdn;
use shipdeck::domain::layout::Layout;
use shipdeck::ops::publish::{PublishRequest, plan_publish};
use shipdeck::ops::{Context, Silent, apply::apply};
use shipdeck::store::local::LocalStore;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

const RUNS: usize = 15;

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_shipdeck"))
}

fn run(dir: &Path, args: &[&str]) -> Duration {
    let t = Instant::now();
    let out = Command::new(bin())
        .current_dir(dir)
        .env("XDG_DATA_HOME", dir.join("xdg"))
        .env("SHIPDECK_USER", "bench")
        .args(args)
        .output()
        .unwrap();
    let d = t.elapsed();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    d
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// A 7-file build of about 300 KB (the widget's real shape: two bundles, maps, CSS, HTML, README).
fn write_build(dir: &Path, version: &str) {
    std::fs::create_dir_all(dir).unwrap();
    let body = |n: usize, seed: &str| {
        (0..n)
            .map(|i| format!("/*{seed}{i}*/function f{i}(a){{return a*{i}+1}}\n"))
            .collect::<String>()
    };
    let files = [
        ("msr-webchat.umd.js", body(2100, version)),
        ("msr-webchat.es.js", body(1900, version)),
        ("msr-webchat.umd.js.map", body(900, "m")),
        ("msr-webchat.es.js.map", body(800, "n")),
        ("style.css", ".a{color:red}\n".repeat(900)),
        (
            "index.html",
            "<!doctype html><div id=app></div>\n".repeat(40),
        ),
        ("README.md", "# msr-webchat\n".repeat(30)),
    ];
    for (n, c) in files {
        std::fs::write(dir.join(n), c).unwrap();
    }
}

fn report(name: &str, d: Duration, goal_ms: u128) {
    let ms = d.as_secs_f64() * 1000.0;
    let verdict = if d.as_millis() < goal_ms {
        "ok"
    } else {
        "OVER"
    };
    println!("{name:<42} median {ms:>7.1} ms   goal < {goal_ms} ms   {verdict}");
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(
        root.join("shipdeck.toml"),
        "[profiles.bench]\nstore = { kind = \"local\", path = \"store\" }\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("store")).unwrap();

    let mut publishes = Vec::new();
    let mut promotes = Vec::new();
    for i in 0..RUNS {
        let v = format!("1.0.{i}");
        let dir = root.join(format!("build-{i}"));
        write_build(&dir, &v);
        let size: u64 = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().metadata().unwrap().len())
            .sum();
        assert!((250_000..350_000).contains(&size), "build is {size} bytes");
        publishes.push(run(
            root,
            &["publish", dir.to_str().unwrap(), "--version", &v, "--yes"],
        ));
        promotes.push(run(root, &["promote", &v, "--yes"]));
    }
    report("publish 7 files / 300 KB (local)", median(publishes), 50);
    report("promote to latest, v1, v1.0 (local)", median(promotes), 50);

    // A store with 1,000 versions, built through the library (tiny builds, same code path).
    let big = root.join("big");
    std::fs::write(
        root.join("big.toml"),
        "[profiles.big]\nstore = { kind = \"local\", path = \"big\" }\n",
    )
    .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let ctx = Context::new(
            Arc::new(LocalStore::create(&big).unwrap()),
            Arc::new(NoCdn {
                path_prefix: "/".into(),
                skipped: false,
            }),
            Layout::new(""),
            "bench",
        );
        let src = root.join("tiny");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("msr-webchat.umd.js"), "x").unwrap();
        for i in 0..1000 {
            let req = PublishRequest {
                dir: src.clone(),
                version: Some(format!("{}.{}.{}", i / 100, (i / 10) % 10, i % 10)),
                promote: i % 50 == 0,
                commit: None,
                // A one-file build, to measure the listing on many versions.
                allow_missing_entries: true,
            };
            let plan = plan_publish(&ctx, &req).await.unwrap();
            apply(
                &ctx,
                &plan,
                shipdeck::domain::history::Operation::Publish,
                &Silent,
            )
            .await
            .unwrap();
        }
    });
    let lists: Vec<Duration> = (0..RUNS)
        .map(|_| run(root, &["--config", "big.toml", "releases"]))
        .collect();
    report("releases, 1,000 versions (local)", median(lists), 100);
    let lists: Vec<Duration> = (0..RUNS)
        .map(|_| run(root, &["--config", "big.toml", "--json", "releases"]))
        .collect();
    report(
        "releases --json, 1,000 versions (local)",
        median(lists),
        100,
    );
}
