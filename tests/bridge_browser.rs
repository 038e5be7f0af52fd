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

/// A page server for any host name: every request gets `page` (the origin is whatever host the
/// browser asked for, mapped to 127.0.0.1 by Chromium's host resolver rules).
fn serve_page(page: String) -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut c in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = c.read(&mut buf);
            let _ = write!(
                c,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
        }
    });
    port
}

/// The widget's requests as the page at `url` sends them (each method, JSON with an
/// Authorization header, with credentials), run in headless Chromium: the methods whose fetch
/// failed (a CORS refusal is a TypeError, whatever the status).
fn chromium_refuses(url: &str) -> Vec<String> {
    let chromium = std::env::var("SHIPDECK_TEST_CHROMIUM").unwrap_or_else(|_| {
        panic!("SHIPDECK_TEST_CHROMIUM is not set: run the tests with `bash scripts/test.sh`, which installs Chromium")
    });
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP *.shipdeck.test 127.0.0.1",
            "--virtual-time-budget=15000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let json = dom
        .split("<pre id=\"out\">")
        .nth(1)
        .and_then(|r| r.split("</pre>").next())
        .unwrap_or_else(|| panic!("Chromium ran the page: {dom}"));
    let doc: serde_json::Value = serde_json::from_str(&json.replace("&quot;", "\""))
        .unwrap_or_else(|e| panic!("the page wrote its results ({e}): {json}"));
    ["GET", "POST", "PATCH", "DELETE"]
        .iter()
        .filter(|m| doc[**m] == "refused")
        .map(|m| m.to_string())
        .collect()
}

/// Shipdeck's verdicts agree with a real browser: for a Bridge as the runbook sets it up and for
/// Bridges that narrow methods, headers or max-age, every request Shipdeck says a browser
/// refuses is one Chromium's credentialed `fetch` fails for, and no other; a short max-age is a
/// finding but refuses nothing.
#[test]
fn the_probe_agrees_with_chromium_on_what_a_browser_refuses() {
    let env = env();
    // The page reads the Bridge's URL from its fragment, so one server serves every case.
    let page = r#"<!doctype html><html><body><pre id="out">pending</pre><script>
const url = decodeURIComponent(location.hash.slice(1));
const methods = ['GET', 'POST', 'PATCH', 'DELETE'];
Promise.all(methods.map(m => fetch(url, { method: m, credentials: 'include',
    headers: { 'Content-Type': 'application/json', 'Authorization': 'Bearer widget' },
    body: m === 'GET' ? undefined : '{}' })
  .then(r => [m, 'ok ' + r.status], () => [m, 'refused'])))
  .then(rs => { document.getElementById('out').textContent = JSON.stringify(Object.fromEntries(rs)); });
</script></body></html>"#;
    let port = serve_page(page.to_string());
    let listed = format!("http://app.shipdeck.test:{port}");
    let unlisted = format!("http://elsewhere.shipdeck.test:{port}");
    std::fs::write(
        env.path().join("bridge.env"),
        format!("ALLOWED_ORIGINS={listed}\nADDITIONAL_ORIGINS=\n"),
    )
    .unwrap();
    let cases: [(&str, &[(&str, &str)]); 4] = [
        ("runbook", &[]),
        ("methods", &[("BRIDGE_METHODS", "GET,POST")]),
        ("headers", &[("BRIDGE_HEADERS", "Content-Type")]),
        ("max-age", &[("BRIDGE_MAX_AGE", "5")]),
    ];
    let mut refusing = 0;
    for (name, vars) in cases {
        let bridge = Bridge::start_with(&env.path().join("bridge.env"), vars);
        configure(&env, &bridge.url, ", probe_path = \"/health\"");
        let out = env
            .cmd()
            .args(["--json", "origins", "probe", &listed, &unlisted])
            .output()
            .unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{name}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
        for origin in [&listed, &unlisted] {
            let r = doc["results"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["origin"] == origin.as_str())
                .unwrap();
            let said: Vec<String> = r["browser_refuses"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap().to_string())
                .collect();
            let hash = bridge.url.replace(':', "%3A").replace('/', "%2F");
            let chromium = chromium_refuses(&format!("{origin}/#{hash}"));
            assert_eq!(
                said, chromium,
                "{name}, {origin}: Shipdeck says a browser refuses {said:?}, Chromium refused {chromium:?}"
            );
            if origin == &listed && !said.is_empty() {
                refusing += 1;
            }
        }
        if name == "max-age" {
            assert_eq!(doc["ok"], false, "a short max-age is still a finding");
        }
    }
    assert_eq!(
        refusing, 2,
        "the narrowed methods and headers refuse something"
    );
}
