//! What the side-by-side benchmarks share: running the real binary, timing it, medians, the
//! build they publish, and the result line with its ratio and goal.

#![allow(dead_code, reason = "each benchmark uses only some of the helpers")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs Shipdeck in `dir` with `env`, isolated from the user's data and keyring; must succeed.
pub fn shipdeck(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Duration {
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_shipdeck"))
        .current_dir(dir)
        .args(args)
        .envs(env.iter().copied())
        .env("XDG_DATA_HOME", dir.join("xdg"))
        .env("SHIPDECK_USER", "bench")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .unwrap();
    let d = t.elapsed();
    assert!(
        out.status.success(),
        "shipdeck {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    d
}

pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The widget's seven files.
pub const WIDGET: [&str; 7] = [
    "msr-webchat.umd.js",
    "msr-webchat.es.js",
    "msr-webchat.umd.js.map",
    "msr-webchat.es.js.map",
    "style.css",
    "index.html",
    "README.md",
];

/// A build of `n` files (the widget's 7 plus chunks); `salt` changes every file's size, so a
/// peer that skips same-size files still does the work.
pub fn write_build(dir: &Path, n: usize, salt: usize) {
    std::fs::create_dir_all(dir).unwrap();
    if n > 7 {
        std::fs::create_dir_all(dir.join("chunks")).unwrap();
    }
    let body = |k: usize| {
        format!(
            "/* {salt} */ export const x = '{}';\n",
            "a".repeat(200 + k % 50 + salt)
        )
    };
    for name in WIDGET {
        std::fs::write(dir.join(name), body(name.len())).unwrap();
    }
    for i in 0..n.saturating_sub(7) {
        std::fs::write(dir.join(format!("chunks/c{i:04}.js")), body(i)).unwrap();
    }
}

/// One result: both times, Shipdeck's over the peer's, and whether the goal is met.
pub fn line(name: &str, sd: Duration, peer_name: &str, peer: Duration, goal: f64) {
    let ratio = sd.as_secs_f64() / peer.as_secs_f64();
    println!(
        "{name:<44} shipdeck {:>7.1} ms   {peer_name} {:>8.1} ms   ratio {ratio:>5.2}×   goal ≤ {goal}×   {}",
        sd.as_secs_f64() * 1000.0,
        peer.as_secs_f64() * 1000.0,
        if ratio <= goal { "ok" } else { "OVER" }
    );
}

/// The moto server the bench script started.
pub fn s3_endpoint() -> String {
    std::env::var("SHIPDECK_TEST_S3")
        .expect("run `bash scripts/bench.sh` (it starts moto and sets SHIPDECK_TEST_S3)")
}

/// The peers' venv (moto, boto3, awscli).
pub fn peers_bin() -> std::path::PathBuf {
    std::path::PathBuf::from(
        std::env::var("SHIPDECK_TEST_PEERS_BIN").expect("run `bash scripts/bench.sh`"),
    )
}

/// Runs `tests/peers/s3check.py` (boto3) against moto; must succeed.
pub fn s3check(args: &[&str]) {
    let script =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/s3check.py");
    let ok = Command::new(peers_bin().join("python"))
        .arg(script)
        .args(args)
        .env("SHIPDECK_TEST_S3", s3_endpoint())
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "s3check {args:?}");
}
