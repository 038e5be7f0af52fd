//! Edge truth end to end: `verify --edge` and the edge phase of changes, through a real caching
//! proxy (nginx) in front of moto (S3) and Azurite, each configured to make one kind of edge
//! behaviour happen — stale aliases, dropped CORS, rewritten Cache-Control, no compression —
//! and a clean edge that must find nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly, naming what went wrong"
)]

mod common;

use common::Env;
use common::edge::{Edge, Mode};
use serde_json::Value;

/// An S3 profile on a fresh bucket (prefix `msr-webchat/`) served through an nginx edge in
/// `mode`, with `extra` profile lines.
fn s3_env(tag: &str, mode: Mode, extra: &str) -> (Env, Edge) {
    let b = common::s3::bucket(tag);
    // Anyone may read objects, as CloudFront's origin access reads them.
    common::s3::check(&["public-read", &b]);
    let edge = Edge::start(&format!("{}/{b}/", common::s3::endpoint()), mode);
    let mut cfg = common::s3::config(&b, None, &common::s3::endpoint(), "msr-webchat/");
    cfg.push_str(&format!(
        "public_url = \"{}/msr-webchat\"\n{extra}",
        edge.url
    ));
    (Env::with_config(&cfg), edge)
}

fn cmd(env: &Env) -> assert_cmd::Command {
    let mut c = env.cmd();
    common::s3::aws_env(&mut c);
    c
}

fn publish(env: &Env, version: &str) -> std::process::Output {
    let dist = env.widget(version);
    cmd(env)
        .arg("publish")
        .arg(&dist)
        .args(["--yes", "--promote"])
        .output()
        .unwrap()
}

/// `verify --edge --json ARGS`: the exit code and the document.
fn verify_edge(env: &Env, args: &[&str]) -> (i32, Value) {
    let out = cmd(env)
        .args(["--json", "verify", "--edge"])
        .args(args)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), doc)
}

fn codes(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for f in doc["folders"].as_array().unwrap() {
        for file in f["files"].as_array().unwrap() {
            for finding in file["findings"].as_array().unwrap() {
                out.push((
                    file["path"].as_str().unwrap().to_string(),
                    finding["code"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    out
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_clean_edge_finds_nothing_and_the_change_says_served() {
    let (env, _edge) = s3_env(
        "edgeclean",
        Mode::Clean,
        "bridge = { allowlist = { kind = \"dotenv\", path = \"bridge.env\" } }\n",
    );
    std::fs::write(
        env.path().join("bridge.env"),
        "PORT=3000\nALLOWED_ORIGINS=https://app.example.com,https://b.example.com\n",
    )
    .unwrap();
    let out = publish(&env, "1.0.0");
    assert!(out.status.success(), "{}", text(&out));
    let last = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap()
        .to_string();
    assert!(
        last.starts_with("Reached: served — every moved alias already serves its new target"),
        "{last}"
    );

    let (code, doc) = verify_edge(&env, &["--versions"]);
    assert_eq!(codes(&doc), Vec::<(String, String)>::new(), "{doc:#}");
    assert_eq!(code, 0);
    assert_eq!(doc["ok"], true);
    // The page origin is the allowlist's first ALLOWED_ORIGINS entry.
    assert_eq!(doc["origin"], "https://app.example.com");
    // latest, v1, v1.0 and the release, 7 files each, every one fetched.
    let folders = doc["folders"].as_array().unwrap();
    assert_eq!(folders.len(), 4, "{doc:#}");
    for f in folders {
        assert_eq!(f["files"].as_array().unwrap().len(), 7);
    }
    // The bundle was compressed by the edge and decoded to the manifest's bytes.
    let umd = &folders[0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "msr-webchat.umd.js")
        .unwrap()["observed"];
    assert_eq!(umd["content_encoding"], "gzip", "{umd:#}");
    common::validate_json("verify-edge", doc.to_string().as_bytes(), env.path());
}

#[test]
fn a_stale_alias_is_named_with_the_release_it_still_serves_and_a_wait_ends_in_exit_4() {
    let (env, _edge) = s3_env("edgestale", Mode::Stale, "");
    assert!(publish(&env, "1.0.0").status.success());
    // Primes the edge's cache with 1.0.0 under every alias.
    let (code, _) = verify_edge(&env, &[]);
    assert_eq!(code, 0);

    let out = publish(&env, "1.0.1");
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let last = stdout.lines().last().unwrap();
    assert!(last.starts_with("Reached: "), "{stdout}");
    assert!(
        last.contains("latest/ still served as 1.0.0"),
        "the change says the edge does not serve it yet: {stdout}"
    );

    let out = cmd(&env)
        .args(["verify", "--edge", "latest"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    assert!(
        text(&out).contains("latest/ is still served as 1.0.0 at the edge (store says 1.0.1)"),
        "{}",
        text(&out)
    );

    let (code, doc) = verify_edge(&env, &["--wait", "2s"]);
    assert_eq!(code, 4);
    assert_eq!(doc["waited"]["converged"], false, "{doc:#}");
    assert!(doc["waited"]["seconds"].as_f64().unwrap() >= 1.0);
    for f in doc["folders"].as_array().unwrap() {
        assert_eq!(f["served_as"], "1.0.0", "{f:#}");
    }

    // A change that waits for the edge and is not served in time exits 4 naming the paths.
    let out = cmd(&env)
        .args([
            "rollback",
            "v1",
            "--to",
            "1.0.1",
            "--yes",
            "--confirm-edge",
            "2s",
        ])
        .output()
        .unwrap();
    // v1 already serves 1.0.1 in the store: pinning it moves nothing, so nothing is checked.
    assert!(out.status.success(), "{}", text(&out));
    let dist = env.widget("1.0.2");
    let out = cmd(&env)
        .arg("publish")
        .arg(&dist)
        .args(["--yes", "--promote", "--confirm-edge", "2s"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("the edge did not serve the change within"),
        "{t}"
    );
    assert!(t.contains("/msr-webchat/latest/msr-webchat.umd.js"), "{t}");

    // Rolling latest back to what the stale edge still serves: served at once.
    let out = cmd(&env)
        .args(["--json", "rollback", "latest", "--to", "1.0.0", "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["report"]["reached"], "served", "{doc:#}");
    assert_eq!(doc["report"]["edge"]["edge"], "served");
}

#[test]
fn a_dropped_cors_header_is_a_finding_on_scripts_and_stylesheets_only() {
    let (env, _edge) = s3_env("edgecors", Mode::NoCors, "");
    assert!(publish(&env, "1.0.0").status.success());
    let (code, doc) = verify_edge(&env, &["latest"]);
    assert_eq!(code, 4);
    let mut got = codes(&doc);
    got.sort();
    assert_eq!(
        got,
        [
            ("msr-webchat.es.js".to_string(), "no_cors".to_string()),
            ("msr-webchat.umd.js".into(), "no_cors".into()),
            ("style.css".into(), "no_cors".into()),
        ]
    );
    let out = cmd(&env)
        .args(["verify", "--edge", "latest"])
        .output()
        .unwrap();
    assert!(
        text(&out).contains("browsers refuse the script"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_rewritten_cache_control_and_missing_compression_are_findings() {
    let (env, _edge) = s3_env("edgecc", Mode::RewriteCache, "");
    assert!(publish(&env, "1.0.0").status.success());
    let (code, doc) = verify_edge(&env, &["latest", "1.0.0"]);
    assert_eq!(code, 4);
    let got = codes(&doc);
    // Every file of both folders: the alias and the release each expect their own policy.
    assert_eq!(
        got.iter().filter(|(_, c)| c == "cache_control").count(),
        14,
        "{got:?}"
    );
    let out = cmd(&env)
        .args(["verify", "--edge", "1.0.0"])
        .output()
        .unwrap();
    assert!(
        text(&out).contains(
            "Cache-Control is 'public, max-age=60', expected 'public, immutable, max-age=31536000'"
        ),
        "{}",
        text(&out)
    );

    let (env, _edge) = s3_env("edgegz", Mode::NoCompression, "");
    assert!(publish(&env, "1.0.0").status.success());
    let (code, doc) = verify_edge(&env, &["latest"]);
    assert_eq!(code, 4);
    let mut got = codes(&doc);
    got.sort();
    // Only the files large enough for a CDN to compress (the two bundles).
    assert_eq!(
        got,
        [
            (
                "msr-webchat.es.js".to_string(),
                "not_compressed".to_string()
            ),
            ("msr-webchat.umd.js".into(), "not_compressed".into()),
        ]
    );
}

#[test]
fn without_public_url_the_user_is_told_how_to_set_it() {
    let b = common::s3::bucket("edgenourl");
    let env = Env::with_config(&common::s3::config(&b, None, &common::s3::endpoint(), ""));
    assert!(publish(&env, "1.0.0").status.success());
    let out = cmd(&env).args(["verify", "--edge"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(t.contains("has no public_url"), "{t}");
    assert!(t.contains("public_url = \"https://"), "{t}");
    let out = cmd(&env)
        .args(["promote", "1.0.0", "--yes", "--confirm-edge", "1m"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("has no public_url"));
    // A bad wait is a usage error naming the forms.
    let out = cmd(&env)
        .args(["verify", "--edge", "--wait", "soon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("90s, 5m or 1h"), "{}", text(&out));
}

#[test]
fn an_edge_that_cannot_be_reached_is_exit_1_and_a_change_still_stands() {
    let b = common::s3::bucket("edgedown");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cfg = common::s3::config(&b, None, &common::s3::endpoint(), "");
    cfg.push_str(&format!("public_url = \"http://127.0.0.1:{port}/cdn\"\n"));
    let env = Env::with_config(&cfg);
    let out = publish(&env, "1.0.0");
    assert!(out.status.success(), "{}", text(&out));
    let last = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap()
        .to_string();
    assert!(
        last.starts_with("Reached: written — the edge could not be checked: cannot reach the edge at http://127.0.0.1:"),
        "{last}"
    );
    let out = cmd(&env).args(["verify", "--edge"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("check the profile's public_url"));
}

#[test]
fn azure_through_the_edge_clean_then_stale() {
    let container = format!("shipdeck-edge-{:08x}", common::unique() as u32);
    common::azure::check(&["create-public-container", &container]);
    for (mode, stale) in [(Mode::Clean, false), (Mode::Stale, true)] {
        let c = if stale {
            let c = format!("{container}s");
            common::azure::check(&["create-public-container", &c]);
            c
        } else {
            container.clone()
        };
        let edge = Edge::start(&format!("{}/{c}/", common::azure::endpoint()), mode);
        let cfg = common::azure::config(
            &c,
            &common::azure::endpoint(),
            "msr-webchat/",
            &format!("public_url = \"{}/msr-webchat\"\n", edge.url),
        );
        let env = Env::with_config(&cfg);
        let az = |env: &Env| {
            let mut c = env.cmd();
            common::azure::azure_env(&mut c);
            c
        };
        env.publish_with(&az, "1.0.0", true);
        let out = az(&env)
            .args(["--json", "verify", "--edge"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        env.publish_with(&az, "1.0.1", true);
        let out = az(&env)
            .args(["verify", "--edge", "latest"])
            .output()
            .unwrap();
        if stale {
            assert_eq!(out.status.code(), Some(4), "{}", text(&out));
            assert!(
                text(&out)
                    .contains("latest/ is still served as 1.0.0 at the edge (store says 1.0.1)"),
                "{}",
                text(&out)
            );
        } else {
            assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        }
    }
}
