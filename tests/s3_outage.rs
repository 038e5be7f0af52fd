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

/// A profile on bucket `b` (straight to moto) with 1.0.0 (200 files) promoted and 1.1.0
/// published beside it.
fn two_big_releases(b: &str) -> Env {
    let direct = Env::with_config(&config(b, None, &endpoint(), ""));
    for (v, promote) in [("1.0.0", true), ("1.1.0", false)] {
        let dist = direct.build(&format!("big-{v}"), v, &big_release(v));
        let mut c = direct.cmd();
        aws_env(&mut c).arg("publish").arg(&dist).arg("--yes");
        if promote {
            c.arg("--promote");
        }
        c.assert().success();
    }
    direct
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
    let direct = two_big_releases(&b);
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

/// Ctrl-C during a promote: Shipdeck starts no new write, lets the ones in flight finish, says
/// that `shipdeck resume` finishes the change, and exits 130; resume then finishes it. The
/// server is held (the proxy freezes after 20 copies) so the interrupt lands mid-promote
/// whatever the machine's speed, and released once Shipdeck says it is stopping.
#[test]
fn ctrl_c_mid_promote_stops_after_the_writes_in_flight_and_says_how_to_finish() {
    use std::io::BufRead;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let b = bucket("interrupt");
    let up = endpoint().trim_start_matches("http://").to_string();
    let copies = Arc::new(AtomicUsize::new(0));
    let seen = copies.clone();
    let proxy = Proxy::start(
        up,
        Box::new(move |text: &str| {
            let here = text.matches("x-amz-copy-source:").count();
            seen.fetch_add(here, Ordering::SeqCst) + here >= 20
        }),
    );
    let direct = two_big_releases(&b);
    std::fs::write(
        direct.path().join("shipdeck.toml"),
        format!(
            "{}concurrency = 4\n",
            config(&b, None, &format!("http://127.0.0.1:{}", proxy.port), "")
        ),
    )
    .unwrap();
    let mut child = direct
        .std_cmd(&["promote", "1.1.0", "--yes"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while proxy.frozen_at().is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the promote reached 20 copies"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let at_interrupt = copies.load(Ordering::SeqCst);
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    // Once Shipdeck says it is stopping, let the writes in flight finish.
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    while !said.contains("stopping after the writes in flight") {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "said it is stopping: {said}"
        );
        said.push_str(&line);
    }
    proxy.thaw();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    said.push_str(&rest);
    assert_eq!(status.code(), Some(130), "{said}");
    assert!(said.contains("`shipdeck resume` finishes it"), "{said}");
    // No write started after the interrupt: only those in flight (at most `concurrency`).
    let after = copies.load(Ordering::SeqCst) - at_interrupt;
    assert!(after <= 4, "{after} copies started after Ctrl-C");

    aws_env(&mut direct.cmd())
        .arg("releases")
        .assert()
        .success()
        .stdout(predicate::str::contains("'promote 1.1.0'"));
    aws_env(&mut direct.cmd())
        .args(["resume", "--yes"])
        .assert()
        .success();
    aws_env(&mut direct.cmd()).arg("verify").assert().success();
}
