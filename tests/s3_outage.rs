//! The S3 server stops answering in the middle of a promote of a 200-file release: Shipdeck
//! must give up with a clear timeout error within 30 s instead of hanging, and once the server
//! answers again `resume` must finish the promote and `verify` must pass.
//!
//! The outage is a TCP proxy between Shipdeck and moto (`common::freeze`) that stops forwarding
//! once it has seen 20 copy requests (moto keeps its data in memory, so it cannot be restarted,
//! and other tests share it, so it cannot be frozen with SIGSTOP).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use common::Env;
use common::freeze::Proxy;
use common::s3::{aws_env, bucket, config, endpoint};
use predicates::prelude::*;
use std::time::Duration;

fn big_release(version: &str) -> Vec<(&'static str, String)> {
    let mut files = common::widget_files(version, 1);
    for i in 0..193 {
        let name: &'static str = Box::leak(format!("chunks/chunk-{i:03}.js").into_boxed_str());
        files.push((name, format!("export const c{i} = '{version}-{i}';\n")));
    }
    files
}

#[test]
fn a_server_that_stops_answering_mid_promote_times_out_then_resume_finishes() {
    let b = bucket("outage");
    let up = endpoint().trim_start_matches("http://").to_string();
    let mut copies = 0;
    let proxy = Proxy::start(
        up,
        Box::new(move |text: &str| {
            copies += text.matches("x-amz-copy-source:").count();
            copies >= 20
        }),
    );
    let direct = Env::with_config(&config(&b, None, &endpoint(), ""));
    for (v, promote) in [("1.0.0", true), ("1.1.0", false)] {
        let dist = direct.build(&format!("big-{v}"), v, &big_release(v));
        let mut c = direct.cmd();
        aws_env(&mut c).arg("publish").arg(&dist).arg("--yes");
        if promote {
            c.arg("--promote");
        }
        c.assert().success();
    }
    let files = common::files_under(&direct.path().join("big-1.1.0/dist-cdn"));
    assert_eq!(files.len(), 200);

    // Through the proxy, which freezes after 20 copies.
    let via = format!(
        "{}concurrency = 4\n",
        config(&b, None, &format!("http://127.0.0.1:{}", proxy.port), "")
    );
    std::fs::write(direct.path().join("shipdeck.toml"), via).unwrap();
    let out = aws_env(&mut direct.cmd())
        .args(["promote", "1.1.0", "--yes"])
        .timeout(Duration::from_secs(90))
        .output()
        .unwrap();
    // Measured from the moment the server stopped answering.
    let took = proxy
        .frozen_at()
        .expect("the proxy froze mid-promote")
        .elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        took < Duration::from_secs(30),
        "gave up after {took:?}, not within 30 s"
    );
    assert!(
        stderr.contains("timed out") && stderr.contains(&format!("s3://{b}")),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one sentence: {stderr}");

    // The server answers again: the next command reports the unfinished promote, resume finishes.
    proxy.thaw();
    aws_env(&mut direct.cmd())
        .arg("releases")
        .assert()
        .success()
        .stdout(predicate::str::contains("'promote 1.1.0' by tester"));
    aws_env(&mut direct.cmd())
        .args(["resume", "--yes"])
        .assert()
        .success();
    aws_env(&mut direct.cmd()).arg("verify").assert().success();
    let doc: serde_json::Value = serde_json::from_slice(
        &aws_env(&mut direct.cmd())
            .args(["--json", "releases"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let latest = common::alias(&doc, "latest").unwrap();
    assert_eq!(latest["target"], "1.1.0");
    assert!(doc["in_flight"].is_null());
}
