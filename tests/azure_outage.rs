//! Azurite is frozen (SIGSTOP) in the middle of a promote of a 200-file release: Shipdeck must
//! give up within 30 s with one sentence naming the account, the container and the key, and once
//! the server is thawed (SIGCONT) `resume` must finish the promote and `verify` must pass.
//!
//! A second test freezes the server at the worst moment for a deadline: right after a copy
//! landed, while its staging blob is being cleaned up (`common::freeze`, a proxy that stops
//! forwarding at that request). The clean-up shares the copy's deadline, so the promote still
//! gives up within 30 s instead of reporting the copy done and waiting again on the next one.
//!
//! What makes 30 s hold on a slow machine is not a margin but a bound: every operation gives
//! up once the account has answered nothing for 20 s (`store::silence`), whenever it started,
//! so a copy that began after the freeze (its predecessor's answer was already on its way)
//! cannot wait a deadline of its own; then the lock is released within 3 s.
//!
//! The first test starts its own Azurite (from `SHIPDECK_TEST_AZURITE_BIN`, set by `scripts/test.sh`)
//! so freezing it does not disturb other tests.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use common::Env;
use common::azure::{ACCOUNT, Azurite, KEY, azure_env, check_at, config};
use predicates::prelude::*;
use shipdeck::adapters::azure::{AzureAuth, AzureSettings};
use shipdeck::credentials::Secret;
use shipdeck::store::ObjectStore;
use shipdeck::store::azure::AzureStore;

use std::process::Stdio;
use std::time::{Duration, Instant};

fn big_release(version: &str) -> Vec<(&'static str, String)> {
    let mut files = common::widget_files(version, 1);
    for i in 0..193 {
        let name: &'static str = Box::leak(format!("chunks/chunk-{i:03}.js").into_boxed_str());
        files.push((name, format!("export const c{i} = '{version}-{i}';\n")));
    }
    files
}

/// Waits until at least `n` alias files under `latest/` have 1.1.0's content.
fn wait_until_files_moved(endpoint: &str, n: usize) {
    let start = Instant::now();
    let store = AzureStore::connect(
        "outage",
        AzureSettings {
            account: ACCOUNT.into(),
            endpoint: Some(endpoint.to_string()),
            auth: AzureAuth::AccountKey(Secret::new(KEY)),
            profile: "az".into(),
        },
    )
    .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let v110 = rt.block_on(store.list("v1.1.0/")).unwrap();
    loop {
        // The alias files that already have 1.1.0's content.
        let moved = rt
            .block_on(store.list("latest/"))
            .unwrap()
            .iter()
            .filter(|o| {
                let name = o.key.trim_start_matches("latest/");
                v110.iter().any(|r| {
                    r.key.trim_start_matches("v1.1.0/") == name && r.content_id == o.content_id
                })
            })
            .count();
        if moved >= n {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the promote moved no files"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_frozen_server_times_out_naming_the_blob_then_resume_finishes() {
    let az = Azurite::start();
    check_at(&az.endpoint, &["create-container", "outage"]);
    let env = Env::with_config(&format!(
        "{}concurrency = 2\n",
        config("outage", &az.endpoint, "", "")
    ));
    let cmd = |env: &Env| {
        let mut c = env.cmd();
        azure_env(&mut c);
        c
    };
    for (v, promote) in [("1.0.0", true), ("1.1.0", false)] {
        let dist = env.build(&format!("big-{v}"), v, &big_release(v));
        let mut c = cmd(&env);
        c.arg("publish").arg(&dist).arg("--yes");
        if promote {
            c.arg("--promote");
        }
        c.assert().success();
    }

    // Promote in the background; freeze Azurite once the first alias files of 1.1.0 are in.
    let child = env
        .std_cmd(&["promote", "1.1.0", "--yes"])
        .env("AZURE_STORAGE_KEY", KEY)
        .env("SHIPDECK_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until_files_moved(&az.endpoint, 5);
    az.signal("-STOP");
    let frozen_at = Instant::now();
    let out = child.wait_with_output().unwrap();
    let took = frozen_at.elapsed();
    eprintln!("gave up {took:?} after the freeze");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "the promote failed: {stderr}");
    let log = common::files_under(env.path())
        .into_iter()
        .filter(|f| f.ends_with("shipdeck.log"))
        .map(|f| std::fs::read_to_string(env.path().join(f)).unwrap_or_default())
        .collect::<String>();
    assert!(
        took < Duration::from_secs(30),
        "gave up after {took:?}, not within 30 s; the debug log's last lines:\n{}",
        log.lines()
            .rev()
            .take(40)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        stderr.contains("did not answer within")
            && stderr.contains(&format!("account '{ACCOUNT}'"))
            && stderr.contains("container 'outage'")
            && stderr.contains("shipdeck resume"),
        "{stderr}"
    );
    assert!(
        stderr.contains("'latest/") || stderr.contains("'v1"),
        "names the key: {stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one sentence: {stderr}");
    assert!(!stderr.contains("sig="), "{stderr}");

    // Thawed: the unfinished promote is reported, resume finishes it, verify passes.
    az.signal("-CONT");
    cmd(&env)
        .arg("releases")
        .assert()
        .success()
        .stdout(predicate::str::contains("'promote 1.1.0'"));
    cmd(&env).args(["resume", "--yes"]).assert().success();
    cmd(&env).arg("verify").assert().success();
    let latest = check_at(&az.endpoint, &["objects", "outage", "latest/"]);
    assert_eq!(latest.as_array().unwrap().len(), 200);
    assert!(
        latest
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["cache_control"] == "public, max-age=300")
    );
}

#[test]
fn a_server_that_stops_answering_during_a_clean_up_gives_up_at_the_deadline() {
    let c = common::azure::container("cleanup");
    let direct = Env::with_config(&config(&c, &common::azure::endpoint(), "", ""));
    for (v, promote) in [("1.0.0", true), ("1.1.0", false)] {
        let dist = direct.build(&format!("big-{v}"), v, &big_release(v));
        let mut cmd = direct.cmd();
        azure_env(&mut cmd).arg("publish").arg(&dist).arg("--yes");
        if promote {
            cmd.arg("--promote");
        }
        cmd.assert().success();
    }
    // Through a proxy that freezes when the 10th alias copy cleans up its staging blob. One
    // copy at a time: every copy in flight is then in its clean-up when the server stops.
    let up = common::azure::endpoint();
    let up = up
        .trim_start_matches("http://")
        .trim_end_matches(&format!("/{ACCOUNT}"))
        .to_string();
    let mut copies = 0;
    let proxy = common::freeze::Proxy::start(
        up,
        Box::new(move |text: &str| {
            copies += text.matches("x-ms-copy-source:").count();
            copies >= 20 && text.starts_with("delete ") && text.contains(".shipdeck-staging")
        }),
    );
    let via = format!("http://127.0.0.1:{}/{ACCOUNT}", proxy.port);
    std::fs::write(
        direct.path().join("shipdeck.toml"),
        format!("{}concurrency = 1\n", config(&c, &via, "", "")),
    )
    .unwrap();
    let out = azure_env(&mut direct.cmd())
        .args(["promote", "1.1.0", "--yes"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let took = proxy
        .frozen_at()
        .expect("the proxy froze during a clean-up")
        .elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        took < Duration::from_secs(30),
        "gave up {took:?} after the server stopped answering, not within 30 s"
    );
    assert!(
        stderr.contains("did not answer within") && stderr.contains("shipdeck resume"),
        "{stderr}"
    );
    assert!(
        stderr.contains("'latest/"),
        "names the alias file: {stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "one sentence: {stderr}");

    proxy.thaw();
    azure_env(&mut direct.cmd())
        .args(["resume", "--yes"])
        .assert()
        .success();
    azure_env(&mut direct.cmd())
        .arg("verify")
        .assert()
        .success();
}
