//! The Bridge judged as a browser judges it: a real Express + `cors` Bridge whose options are
//! narrowed (methods, headers, max-age) must fail `origins probe` with one coded finding per
//! gap and the fix in `cors()` options; the runbook's Bridge must pass, and refused origins must
//! get no allowing header on the preflight or on the actual request.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly, naming what went wrong"
)]

mod common;

use common::Env;
use common::bridge::Bridge;

fn env() -> Env {
    let env = Env::new();
    std::fs::write(
        env.path().join("bridge.env"),
        "PORT=3000\nALLOWED_ORIGINS=https://app.example.com\nADDITIONAL_ORIGINS=\n",
    )
    .unwrap();
    env
}

fn configure(env: &Env, url: &str, extra: &str) {
    std::fs::write(
        env.path().join("shipdeck.toml"),
        format!("[profiles.test]\nstore = {{ kind = \"local\", path = \"store\" }}\nbridge = {{ allowlist = {{ kind = \"dotenv\", path = \"bridge.env\" }}, url = \"{url}\"{extra} }}\n"),
    )
    .unwrap();
}

fn problems_of(doc: &serde_json::Value, origin: &str) -> Vec<String> {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["origin"] == origin)
        .unwrap()["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_bridge_that_narrows_methods_headers_and_max_age_fails_with_each_gap_and_its_fix() {
    let env = env();
    let bridge = Bridge::start_with(
        &env.path().join("bridge.env"),
        &[
            ("BRIDGE_METHODS", "GET,POST"),
            ("BRIDGE_HEADERS", "Content-Type"),
            ("BRIDGE_MAX_AGE", "5"),
        ],
    );
    configure(&env, &bridge.url, "");
    let out = env
        .cmd()
        .args(["--json", "origins", "probe"])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "a narrowed Bridge must fail the probe"
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["ok"], false);
    let p = problems_of(&doc, "https://app.example.com");
    let codes: Vec<&str> = p
        .iter()
        .map(|s| s.split(']').next().unwrap().trim_start_matches('['))
        .collect();
    assert_eq!(codes, ["methods", "headers", "max_age"], "{p:#?}");
    assert!(p[0].contains("cors({ methods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'] })"));
    assert!(p[1].contains("allowedHeaders"));
    assert!(p[2].contains("maxAge"));
    // Refused origins stay clean: no allowing header on either response.
    for r in doc["results"].as_array().unwrap() {
        if r["expected_allowed"] == false {
            assert_eq!(r["problems"].as_array().unwrap().len(), 0, "{r:#}");
        }
    }

    // The profile can say what its widget needs: a Bridge serving exactly that passes.
    configure(
        &env,
        &bridge.url,
        ", expect_methods = [\"GET\", \"POST\"], expect_headers = [\"Content-Type\"]",
    );
    let doc = {
        let out = env
            .cmd()
            .args(["--json", "origins", "probe"])
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let p = problems_of(&doc, "https://app.example.com");
    assert_eq!(p.len(), 1, "only the max-age gap is left: {p:#?}");
    assert!(p[0].starts_with("[max_age]"));
}

#[test]
fn the_runbook_bridge_passes_preflight_and_actual_request() {
    let env = env();
    let bridge = Bridge::start(&env.path().join("bridge.env"));
    configure(&env, &bridge.url, ", probe_path = \"/health\"");
    let doc = env.json(&["origins", "probe"]);
    assert_eq!(doc["ok"], true, "{doc:#}");
    // A probe path the Bridge does not route: Express answers 404 with the CORS headers cors()
    // added, so only a missing echo would be a finding; an unreachable one is an error.
    configure(&env, &bridge.url, ", probe_path = \"/nothing-here\"");
    let doc = env.json(&["origins", "probe"]);
    assert_eq!(doc["ok"], true, "{doc:#}");
}

#[test]
fn an_env_without_allowed_origins_is_the_wildcard_fallback_an_error_in_production() {
    let env = Env::new();
    std::fs::write(env.path().join("bridge.env"), "PORT=3000\n").unwrap();
    std::fs::write(
        env.path().join("shipdeck.toml"),
        "[profiles.test]\nstore = { kind = \"local\", path = \"store\" }\nproduction = true\nbridge = { allowlist = { kind = \"dotenv\", path = \"bridge.env\" } }\n",
    )
    .unwrap();
    let out = env
        .cmd()
        .args(["--json", "origins", "audit"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"no-allowlist\""), "{text}");
    assert!(text.contains("origin: '*'"), "{text}");
    assert!(text.contains("\"error\""), "{text}");
}
