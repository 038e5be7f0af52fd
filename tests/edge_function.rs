//! Edge aliases: the CloudFront Functions `shipdeck edge code` prints, run in Node with a shim of
//! the runtime's `cloudfront` module (tests/edge_function/cloudfront.mjs, the only hand-written
//! fake here: CloudFront Functions have no local server). Every alias and file maps to its
//! release's path, release folders and unknown names pass through, a missing key falls back to
//! the copied alias folder, the canary split is within ±1 % over 100,000 viewers, sticky, equal
//! to Shipdeck's own rule viewer by viewer, and only grows when raised; files under an alias URL
//! reach browsers with the alias's Cache-Control.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use common::Env;
use serde_json::{Value, json};
use shipdeck::domain::edge_alias::{EdgeTarget, MAX_FUNCTION_BYTES};
use std::path::Path;

const IMMUTABLE: &str = "public, immutable, max-age=31536000";

/// The generated functions for a profile with prefix `msr-webchat`, laid out with the shim and
/// the harness as Node modules in `dir`.
fn install(env: &Env, dir: &Path) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/edge_function");
    for (which, file) in [("request", "request.mjs"), ("response", "response.mjs")] {
        let out = env.cmd().args(["edge", "code", which]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stdout.len() <= MAX_FUNCTION_BYTES,
            "{which} fits the runtime"
        );
        let mut code = String::from_utf8(out.stdout).unwrap();
        // The runtime calls `handler`; Node needs it exported.
        code.push_str("\nexport { handler };\n");
        std::fs::write(dir.join(file), code).unwrap();
    }
    let shim = dir.join("node_modules/cloudfront");
    std::fs::create_dir_all(&shim).unwrap();
    std::fs::write(
        shim.join("package.json"),
        r#"{"name":"cloudfront","type":"module","exports":"./index.mjs"}"#,
    )
    .unwrap();
    std::fs::copy(src.join("cloudfront.mjs"), shim.join("index.mjs")).unwrap();
    std::fs::copy(src.join("harness.mjs"), dir.join("harness.mjs")).unwrap();
}

fn run(dir: &Path, spec: &Value) -> Value {
    std::fs::write(dir.join("spec.json"), spec.to_string()).unwrap();
    let out = std::process::Command::new("node")
        .arg("harness.mjs")
        .arg("spec.json")
        .current_dir(dir)
        .output()
        .expect("node runs the generated functions (Node is installed with the test peers)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Synthetic viewer addresses, IPv4 and IPv6.
fn viewers(n: u32) -> Vec<String> {
    (0..n)
        .map(|i| {
            if i % 5 == 0 {
                format!("2001:db8:{:x}::{:x}", i >> 16, i & 0xffff)
            } else {
                format!(
                    "{}.{}.{}.{}",
                    1 + (i >> 24) % 223,
                    (i >> 16) & 255,
                    (i >> 8) & 255,
                    i & 255
                )
            }
        })
        .collect()
}

#[test]
fn the_generated_functions_map_aliases_split_canaries_and_set_the_alias_cache() {
    let env = Env::with_config(
        "[profiles.p]\nstore = { kind = \"local\", path = \"store\", prefix = \"msr-webchat\" }\n",
    );
    let dir = tempfile::tempdir().unwrap();
    install(&env, dir.path());
    let files = [
        "msr-webchat.umd.js",
        "style.css",
        "chunks/a-1.js",
        "index.html",
    ];
    let mut requests = Vec::new();
    let mut want = Vec::new();
    for (alias, to) in [
        ("latest", "1.0.1"),
        ("v1.0", "1.0.1"),
        ("next", "2.0.0-rc.1"),
    ] {
        for f in files {
            requests
                .push(json!({ "uri": format!("/msr-webchat/{alias}/{f}"), "ip": "198.51.100.7" }));
            want.push((format!("/msr-webchat/v{to}/{f}"), Some(alias)));
        }
    }
    // Untouched: a release folder, a name with no key (the copied folder serves it), a name that
    // cannot be an alias, outside the prefix, the prefix itself, a key whose value is garbage.
    for uri in [
        "/msr-webchat/v1.0.1/style.css",
        "/msr-webchat/beta/style.css",
        "/msr-webchat/Latest/style.css",
        "/other/latest/style.css",
        "/msr-webchat/latest",
        "/msr-webchat/broken/style.css",
    ] {
        requests.push(json!({ "uri": uri, "ip": "198.51.100.7" }));
        want.push((uri.to_string(), None));
    }
    let all = viewers(100_000);
    let out = run(
        dir.path(),
        &json!({
            "kvs": { "latest": "1.0.1", "v1.0": "1.0.1", "next": "2.0.0-rc.1", "broken": "not a version" },
            "requests": requests,
            "responses": [
                { "uri": "/msr-webchat/latest/style.css", "headers": {}, "cache_control": IMMUTABLE },
                { "uri": "/msr-webchat/v1.0.1/style.css", "headers": { "x-shipdeck-alias": { "value": "latest" } }, "cache_control": IMMUTABLE },
                { "uri": "/msr-webchat/v1.0.1/style.css", "headers": {}, "cache_control": IMMUTABLE },
            ],
            "viewers": all,
            "shares": [5, 25],
        }),
    );
    for (got, (uri, alias)) in out["requests"].as_array().unwrap().iter().zip(&want) {
        assert_eq!(got["uri"], *uri, "{got}");
        assert_eq!(got["alias"].as_str(), *alias, "{got}");
    }
    // Under an alias URL (by the URL or by the request function's header): the alias's
    // Cache-Control; a release URL keeps the release's.
    let alias_cache = shipdeck::domain::manifest::ALIAS_CACHE;
    assert_eq!(
        out["responses"],
        json!([alias_cache, alias_cache, IMMUTABLE])
    );
    // The canary: Shipdeck's rule, viewer by viewer; within ±1 % of the share; raising it only
    // adds viewers.
    let five = out["canary"]["5"].as_array().unwrap();
    let quarter = out["canary"]["25"].as_array().unwrap();
    let rule: EdgeTarget = "1.0.1;1.1.0=5".parse().unwrap();
    let mut counts = (0, 0);
    for (i, ip) in all.iter().enumerate() {
        let (a, b) = (five[i].as_bool().unwrap(), quarter[i].as_bool().unwrap());
        assert_eq!(
            a,
            rule.serves(ip).minor == 1,
            "{ip}: the function and Shipdeck agree"
        );
        assert!(!a || b, "{ip} left the canary when it grew");
        counts.0 += usize::from(a);
        counts.1 += usize::from(b);
    }
    assert!((4_000..=6_000).contains(&counts.0), "5 %: {}", counts.0);
    assert!((24_000..=26_000).contains(&counts.1), "25 %: {}", counts.1);
}
