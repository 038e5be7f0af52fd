//! `shipdeck origins` end to end, against the real Express + cors Bridge: edits keep the
//! `.env` intact, bad origins are refused with the form that would work, the audit flags the
//! runbook's risky entries, and probes see what the running Bridge really allows — including
//! drift when the list was edited but the Bridge not restarted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;
mod contract;

use common::Env;
use common::bridge::Bridge;
use predicates::prelude::*;
use serde_json::{Value, json};

const ENV_FILE: &str = "# CORS Configuration\nALLOWED_ORIGINS=http://localhost:3000,https://app.example.com\nADDITIONAL_ORIGINS=https://customer1.com,https://customer2.com # customers\n\n# Backend\nJWT_SECRET=your-secret-here\nLOG_LEVEL=info\n";

/// A profile whose Bridge allowlist is `bridge.env` and whose Bridge runs at `url`.
fn env_with(url: &str, production: bool) -> Env {
    let env = Env::with_config(&format!(
        "[profiles.test]\nstore = {{ kind = \"local\", path = \"store\" }}\nproduction = {production}\nbridge = {{ allowlist = {{ kind = \"dotenv\", path = \"bridge.env\" }}, url = \"{url}\" }}\n"
    ));
    std::fs::write(env.path().join("bridge.env"), ENV_FILE).unwrap();
    env
}

fn results(doc: &Value) -> Vec<(String, bool, bool, usize)> {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["origin"].as_str().unwrap().to_string(),
                r["expected_allowed"].as_bool().unwrap(),
                r["allowed"].as_bool().unwrap(),
                r["problems"].as_array().unwrap().len(),
            )
        })
        .collect()
}

#[test]
fn add_and_remove_edit_only_their_value() {
    let env = env_with("http://127.0.0.1:9/v1/chat", false);
    env.cmd().args(["origins", "add", "https://customer3.com", "--yes"]).assert().success().stdout(predicate::str::contains("+ ADDITIONAL_ORIGINS=https://customer1.com,https://customer2.com,https://customer3.com # customers"));
    let text = std::fs::read_to_string(env.path().join("bridge.env")).unwrap();
    assert_eq!(
        text,
        ENV_FILE.replace("customer2.com #", "customer2.com,https://customer3.com #")
    );
    env.cmd()
        .args(["origins", "remove", "http://localhost:3000", "--yes"])
        .assert()
        .success();
    let text = std::fs::read_to_string(env.path().join("bridge.env")).unwrap();
    assert_eq!(
        text,
        ENV_FILE
            .replace("customer2.com #", "customer2.com,https://customer3.com #")
            .replace("http://localhost:3000,", "")
    );
    env.cmd()
        .args([
            "origins",
            "add",
            "https://admin.example.com",
            "--to",
            "allowed",
            "--yes",
        ])
        .assert()
        .success();
    let doc = env.json(&["origins", "list"]);
    let origins: Vec<(&str, &str)> = doc["origins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["origin"].as_str().unwrap(), o["list"].as_str().unwrap()))
        .collect();
    assert!(origins.contains(&("https://admin.example.com", "ALLOWED_ORIGINS")));
    // Recorded in history.
    let h = env.json(&["history"]);
    assert!(
        h["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["description"] == "add origin https://customer3.com to ADDITIONAL_ORIGINS")
    );
}

#[test]
fn dead_and_dangerous_origins_are_refused_with_the_form_that_works() {
    let env = env_with("http://127.0.0.1:9/v1/chat", true);
    let before = std::fs::read(env.path().join("bridge.env")).unwrap();
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["origins", "add", "https://Customer3.com/", "--yes"],
            2,
            "can never match: browsers send origins without upper case, a trailing slash; add https://customer3.com instead: shipdeck origins add https://customer3.com",
        ),
        (
            &["origins", "add", "https://customer3.com:443", "--yes"],
            2,
            "the default port :443",
        ),
        (
            &["origins", "add", "customer3.com", "--yes"],
            2,
            "it has no scheme",
        ),
        (&["origins", "add", "*", "--yes"], 2, "any site"),
        (&["origins", "add", "null", "--yes"], 2, "any site"),
        (
            &["origins", "add", "https://*.example.com", "--yes"],
            2,
            "wildcards are not supported",
        ),
        (
            &["origins", "add", "http://shop.example.com", "--yes"],
            1,
            "http://shop.example.com is refused on this profile by the insecure-http rule: plain http on a production profile",
        ),
        (
            &["origins", "add", "https://app.example.com", "--yes"],
            1,
            "already allowed",
        ),
        (
            &["origins", "add", "https://x.com", "--to", "other", "--yes"],
            2,
            "use --to allowed or --to additional",
        ),
        (
            &["origins", "remove", "https://nobody.example.com", "--yes"],
            1,
            "is not on the allowlist",
        ),
    ];
    for (args, code, text) in cases {
        common::refused(&env, args, *code, text);
    }
    assert_eq!(
        std::fs::read(env.path().join("bridge.env")).unwrap(),
        before,
        "nothing was written"
    );
}

#[test]
fn a_file_changed_since_it_was_read_is_not_overwritten() {
    // The dotenv source refuses to write over a file that changed after the plan read it.
    use shipdeck::bridge::{AllowlistSource, Edit, Var, dotenv::DotenvSource};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    std::fs::write(&path, ENV_FILE).unwrap();
    let src = DotenvSource { path: path.clone() };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(src.load()).unwrap();
    let (next, _) = src
        .preview(
            &base,
            &Edit::Add {
                item: "https://c3.com".into(),
                to: Var::Additional,
            },
        )
        .unwrap();
    std::fs::write(&path, format!("{ENV_FILE}NEW=1\n")).unwrap();
    let e = rt.block_on(src.save(&base, &next)).unwrap_err().to_string();
    assert!(
        e.contains("someone else changed")
            && e.contains("since it was read")
            && e.contains("nothing was written"),
        "{e}"
    );
    assert!(
        std::fs::read_to_string(&path).unwrap().ends_with("NEW=1\n"),
        "the other edit survives"
    );
}

#[test]
fn managers_editing_at_once_never_lose_an_edit() {
    // Eight managers add eight origins at the same moment: each is told it was added (exit 0)
    // or that someone else changed the file first (exit 3, nothing written), and the file holds
    // exactly the origins of those told "added" (the torture run found a lost edit here).
    let env = env_with("http://127.0.0.1:9", false);
    let origins: Vec<String> = (0..8)
        .map(|i| format!("https://m{i}.example.com"))
        .collect();
    let children: Vec<_> = origins
        .iter()
        .map(|o| {
            env.std_cmd(&["origins", "add", o, "--yes"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut added = Vec::new();
    for (o, c) in origins.iter().zip(children) {
        let out = c.wait_with_output().unwrap();
        match out.status.code() {
            Some(0) => added.push(o.clone()),
            Some(3) => assert!(
                String::from_utf8_lossy(&out.stderr).contains("someone else changed"),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            ),
            other => panic!(
                "{o}: exit {other:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
    assert!(!added.is_empty());
    let text = std::fs::read_to_string(env.path().join("bridge.env")).unwrap();
    for o in &origins {
        assert_eq!(
            text.contains(o.as_str()),
            added.contains(o),
            "{o} in\n{text}"
        );
    }
}

#[test]
fn audit_flags_the_runbook_list_and_exits_non_zero() {
    let env = Env::with_config(
        "[profiles.test]\nstore = { kind = \"local\", path = \"store\" }\nproduction = true\nbridge = { allowlist = { kind = \"dotenv\", path = \"bridge.env\" } }\n",
    );
    std::fs::write(
        env.path().join("bridge.env"),
        "ALLOWED_ORIGINS=http://localhost:3000,http://localhost:5173,https://app.example.com,https://webchat.example.com,https://cdn.example.com,https://d1234.cloudfront.net,https://myapp.azurewebsites.net\nADDITIONAL_ORIGINS=https://customer1.com, https://customer2.com,https://App.Example.com/,null\n",
    )
    .unwrap();
    let out = env
        .cmd()
        .args(["--json", "origins", "audit"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["ok"], false);
    let codes: Vec<(String, String)> = doc["listing"]["origins"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| {
            o["findings"].as_array().unwrap().iter().map(|f| {
                (
                    f["code"].as_str().unwrap().to_string(),
                    f["entry"].as_str().unwrap().to_string(),
                )
            })
        })
        .collect();
    for (code, entry) in [
        ("local-address", "http://localhost:3000"),
        ("third-party-hosting", "https://d1234.cloudfront.net"),
        ("third-party-hosting", "https://myapp.azurewebsites.net"),
        ("never-matches", " https://customer2.com"),
        ("never-matches", "https://App.Example.com/"),
        ("duplicate", "https://App.Example.com/"),
        ("null-origin", "null"),
    ] {
        assert!(
            codes.contains(&(code.to_string(), entry.to_string())),
            "{code} for {entry:?} in {codes:?}"
        );
    }
    env.cmd()
        .args(["origins", "audit"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "fix: replace it with 'https://customer2.com'",
        ));
    // A clean list passes.
    std::fs::write(
        env.path().join("bridge.env"),
        "ALLOWED_ORIGINS=https://app.example.com\n",
    )
    .unwrap();
    env.cmd()
        .args(["origins", "audit"])
        .assert()
        .success()
        .stdout(predicate::str::contains("audit: ok"));
}

#[test]
fn probe_follows_the_live_bridge_through_add_restart_remove_and_drift() {
    let env = env_with("http://placeholder", false);
    let env_file = env.path().join("bridge.env");
    let set_url = |url: &str| {
        std::fs::write(
            env.path().join("shipdeck.toml"),
            format!("[profiles.test]\nstore = {{ kind = \"local\", path = \"store\" }}\nbridge = {{ allowlist = {{ kind = \"dotenv\", path = \"bridge.env\" }}, url = \"{url}\" }}\n"),
        )
        .unwrap();
    };
    // Add with Shipdeck, restart the Bridge, probe → allowed.
    env.cmd()
        .args(["origins", "add", "https://customer3.com", "--yes"])
        .assert()
        .success();
    let bridge = Bridge::start(&env_file);
    set_url(&bridge.url);
    let doc = env.json(&["origins", "probe"]);
    assert_eq!(doc["ok"], true, "{doc:#}");
    env.cmd().args(["origins", "probe", "https://customer3.com"]).assert().success().stdout(predicate::str::contains(
        "status 204, allow-origin https://customer3.com, credentials true, methods GET,POST,PATCH,DELETE,OPTIONS, headers Content-Type,Authorization, max-age 86400, vary origin yes",
    ));
    let r = results(&doc);
    assert!(
        r.contains(&("https://customer3.com".into(), true, true, 0)),
        "{r:?}"
    );
    assert!(r.contains(&("null".into(), false, false, 0)), "{r:?}");
    assert!(
        r.iter()
            .any(|(o, e, a, p)| o.ends_with(".evil.test") && !e && !a && *p == 0),
        "{r:?}"
    );
    let c3 = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["origin"] == "https://customer3.com")
        .unwrap();
    assert_eq!(c3["observed"]["allow_credentials"], "true");
    assert_eq!(c3["observed"]["max_age"], "86400");
    assert_eq!(c3["observed"]["vary_origin"], true);

    // Remove without restarting: the probe reports the drift and fails.
    env.cmd()
        .args(["origins", "remove", "https://customer3.com", "--yes"])
        .assert()
        .success();
    let out = env
        .cmd()
        .args(["origins", "probe", "https://customer3.com"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("the allowlist does not allow it but the Bridge did")
            && stdout.contains("restart or redeploy"),
        "{stdout}"
    );

    // Restart → refused, as the list says.
    drop(bridge);
    let bridge = Bridge::start(&env_file);
    set_url(&bridge.url);
    let doc = env.json(&["origins", "probe", "https://customer3.com"]);
    assert_eq!(
        results(&doc),
        vec![("https://customer3.com".to_string(), false, false, 0)]
    );

    // Add without restarting: allowed by the list, refused by the Bridge.
    env.cmd()
        .args(["origins", "add", "https://customer4.com", "--yes"])
        .assert()
        .success();
    let out = env.cmd().args(["origins", "probe"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("the allowlist allows it but the Bridge refused it (status 500)")
    );
}

#[test]
fn an_unreachable_bridge_is_named_in_one_sentence() {
    // Port 9 (discard) on loopback: nothing listens there.
    let env = env_with("http://127.0.0.1:9/v1/chat", false);
    env.cmd()
        .args(["origins", "probe"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("cannot reach the Bridge at http://127.0.0.1:9/v1/chat")
                .and(predicate::str::contains("is it running")),
        );
}

#[test]
fn a_profile_without_a_bridge_says_how_to_configure_it() {
    let env = Env::new();
    env.cmd()
        .args(["origins", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "has no Bridge allowlist; add to it: bridge = {",
        ));
}

#[test]
fn the_allowlist_can_live_in_the_store() {
    let env = Env::with_config(
        "[profiles.test]\nstore = { kind = \"local\", path = \"store\" }\nbridge = { allowlist = { kind = \"object\" } }\n",
    );
    env.cmd()
        .args(["origins", "add", "https://customer1.com", "--yes"])
        .assert()
        .success();
    env.cmd()
        .args([
            "origins",
            "add",
            "https://app.example.com",
            "--to",
            "allowed",
            "--yes",
        ])
        .assert()
        .success();
    let doc: Value =
        serde_json::from_slice(&std::fs::read(env.store().join(".shipdeck/origins.json")).unwrap())
            .unwrap();
    assert_eq!(
        doc["allowed"],
        serde_json::json!(["https://app.example.com"])
    );
    assert_eq!(
        doc["additional"],
        serde_json::json!(["https://customer1.com"])
    );
    env.cmd()
        .args(["origins", "remove", "https://customer1.com", "--yes"])
        .assert()
        .success();
    env.cmd().args(["origins", "audit"]).assert().success();
}

#[test]
fn the_no_argument_probe_catches_a_removed_origin_the_running_bridge_still_allows() {
    let env = env_with("http://placeholder", false);
    let env_file = env.path().join("bridge.env");
    let bridge = Bridge::start(&env_file);
    std::fs::write(
        env.path().join("shipdeck.toml"),
        format!("[profiles.test]\nstore = {{ kind = \"local\", path = \"store\" }}\nbridge = {{ allowlist = {{ kind = \"dotenv\", path = \"bridge.env\" }}, url = \"{}\" }}\n", bridge.url),
    )
    .unwrap();
    assert_eq!(env.json(&["origins", "probe"])["ok"], true);
    // Revoke customer2 in the file, but do not restart the Bridge.
    env.cmd()
        .args(["origins", "remove", "https://customer2.com", "--yes"])
        .assert()
        .success();
    let out = env.cmd().args(["origins", "probe"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "revoking drift fails the probe");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("the running Bridge still allows https://customer2.com, which the list no longer has: restart or redeploy the Bridge"),
        "{stdout}"
    );
    // After a restart the revoked origin is refused, and the probe passes again.
    drop(bridge);
    let bridge = Bridge::start(&env_file);
    std::fs::write(
        env.path().join("shipdeck.toml"),
        format!("[profiles.test]\nstore = {{ kind = \"local\", path = \"store\" }}\nbridge = {{ allowlist = {{ kind = \"dotenv\", path = \"bridge.env\" }}, url = \"{}\" }}\n", bridge.url),
    )
    .unwrap();
    let doc = env.json(&["origins", "probe"]);
    assert_eq!(doc["ok"], true, "{doc:#}");
    assert!(
        results(&doc).contains(&("https://customer2.com".into(), false, false, 0)),
        "the removed origin is still probed, and refused: {doc:#}"
    );
}

#[test]
fn a_listed_entry_no_browser_can_send_fails_the_probe_with_the_form_that_works() {
    let env = env_with("http://placeholder", false);
    let env_file = env.path().join("bridge.env");
    std::fs::write(
        &env_file,
        ENV_FILE.replace("https://customer2.com", "https://Customer2.com/"),
    )
    .unwrap();
    let bridge = Bridge::start(&env_file);
    std::fs::write(
        env.path().join("shipdeck.toml"),
        format!("[profiles.test]\nstore = {{ kind = \"local\", path = \"store\" }}\nbridge = {{ allowlist = {{ kind = \"dotenv\", path = \"bridge.env\" }}, url = \"{}\" }}\n", bridge.url),
    )
    .unwrap();
    let out = env.cmd().args(["origins", "probe"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("'https://Customer2.com/' is listed in ADDITIONAL_ORIGINS, but no browser ever sends it (it has upper case, a trailing slash); list https://customer2.com instead"),
        "{stdout}"
    );
}

#[test]
fn several_origins_are_several_arguments_and_mistakes_say_how_to_fix_them() {
    let env = env_with("http://127.0.0.1:9/v1/chat", false);
    env.cmd()
        .args([
            "origins",
            "add",
            "https://a.example",
            "https://b.example",
            "--yes",
        ])
        .assert()
        .success();
    let text = std::fs::read_to_string(env.path().join("bridge.env")).unwrap();
    assert!(
        text.contains("ADDITIONAL_ORIGINS=https://customer1.com,https://customer2.com,https://a.example,https://b.example # customers"),
        "{text}"
    );
    for (arg, says) in [
        (
            "https://c.example,https://d.example",
            "give one origin per argument",
        ),
        ("https://bücher.de", "list 'https://xn--bcher-kva.de'"),
        (
            "https://e.example/",
            "'https://e.example/' can never match: browsers send origins without a trailing slash; add https://e.example instead",
        ),
    ] {
        common::refused(&env, &["origins", "add", arg, "--yes"], 2, says);
    }
    assert_eq!(
        std::fs::read_to_string(env.path().join("bridge.env")).unwrap(),
        text,
        "refusals change nothing"
    );
}

#[test]
fn an_empty_list_with_a_comment_keeps_its_comment_and_file_defects_are_findings() {
    let env = env_with("http://127.0.0.1:9/v1/chat", false);
    let file = env.path().join("bridge.env");
    std::fs::write(
        &file,
        "ALLOWED_ORIGINS=https://a.example,,https://b.example,\nADDITIONAL_ORIGINS=   # partners\nALLOWED_ORIGINS=https://a.example,,https://b.example,\n",
    )
    .unwrap();
    env.cmd()
        .args(["origins", "add", "https://p.example", "--yes"])
        .assert()
        .success();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("ADDITIONAL_ORIGINS=   https://p.example # partners"),
        "{text}"
    );
    let out = env.cmd().args(["origins", "audit"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("[warning] duplicate-key: ALLOWED_ORIGINS is defined on lines 1, 3; the Bridge reads only the last")
            && stdout.contains("[warning] empty-entry: ALLOWED_ORIGINS has 2 empty entries (stray commas)"),
        "{stdout}"
    );
}

#[test]
fn the_demo_profile_has_a_sample_allowlist() {
    let env = Env::with_config("");
    std::fs::remove_file(env.path().join("shipdeck.toml")).unwrap();
    let doc = env.json(&["origins", "list"]);
    let origins: Vec<&str> = doc["origins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["origin"].as_str().unwrap())
        .collect();
    assert_eq!(
        origins,
        vec![
            "http://localhost:3000",
            "http://localhost:5173",
            "https://app.example.com",
            "https://customer1.com",
            "https://customer2.com"
        ]
    );
}

/// A large allowlist is read in linear time (the duplicate check was a scan per entry: 40,000
/// origins took 38 s) and still finds its one duplicate; an absurdly large `.env` is refused
/// with a sentence instead of being read.
#[test]
fn a_large_allowlist_is_audited_and_an_absurd_env_is_refused() {
    let env = Env::new();
    let mut origins: Vec<String> = (0..50_000)
        .map(|i| format!("https://site{i}.example.com"))
        .collect();
    origins.push("https://site7.example.com".into());
    std::fs::write(
        env.path().join("bridge.env"),
        format!(
            "ALLOWED_ORIGINS={}\nADDITIONAL_ORIGINS=\n",
            origins.join(",")
        ),
    )
    .unwrap();
    std::fs::write(
        env.path().join("shipdeck.toml"),
        "[profiles.test]\nstore = { kind = \"local\", path = \"store\" }\nbridge = { allowlist = { kind = \"dotenv\", path = \"bridge.env\" } }\n",
    )
    .unwrap();
    let out = env
        .cmd()
        .args(["--json", "origins", "audit"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let listed = doc["listing"]["origins"].as_array().unwrap();
    assert_eq!(listed.len(), 50_001);
    let duplicates: Vec<&Value> = listed
        .iter()
        .filter(|o| {
            o["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["code"] == "duplicate")
        })
        .collect();
    // Both copies of the one duplicated origin show the finding, and nothing else does.
    assert_eq!(duplicates.len(), 2);
    assert!(
        duplicates
            .iter()
            .all(|o| o["origin"] == "https://site7.example.com")
    );

    // 9 MiB of .env: refused, naming the file and the limit.
    let big = format!(
        "ALLOWED_ORIGINS={}\n",
        "https://x.example.com,".repeat(430_000)
    );
    std::fs::write(env.path().join("bridge.env"), big).unwrap();
    env.cmd()
        .args(["origins", "list"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("bridge.env").and(predicate::str::contains("8 MiB")));
}

/// The `.env` and the JSON document in the store pass the allowlist contract every source
/// passes (GitHub variables and secrets pass it in tests/github_allowlist.rs).
#[tokio::test]
async fn dotenv_and_json_document_pass_the_allowlist_contract() {
    use shipdeck::bridge::{dotenv::DotenvSource, object::ObjectSource};
    use shipdeck::store::{ObjectStore, local::LocalStore};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".env");
    std::fs::write(&path, ENV_FILE).unwrap();
    let env_source = DotenvSource { path: path.clone() };
    let meddle = |origin: &str| {
        let text = std::fs::read_to_string(&path).unwrap();
        let edited: String = text
            .lines()
            .map(|l| {
                if l.starts_with("ALLOWED_ORIGINS=") {
                    format!("ALLOWED_ORIGINS={origin}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        std::fs::write(&path, edited).unwrap();
    };
    contract::allowlist::run_all(&env_source, &meddle).await;
    // What the editor did not own is as it was.
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("JWT_SECRET")
    );

    let store: std::sync::Arc<dyn ObjectStore> =
        std::sync::Arc::new(LocalStore::open(dir.path()).unwrap());
    let doc = ObjectSource {
        store: store.clone(),
        key: "bridge/allowlist.json".into(),
    };
    // Another manager's write, as `aws s3 cp` would make it: straight into the store's folder.
    let doc_path = dir.path().join("bridge/allowlist.json");
    let meddle = |origin: &str| {
        let body = serde_json::json!({ "allowed": [origin], "additional": [] }).to_string();
        std::fs::write(&doc_path, body).unwrap();
    };
    contract::allowlist::run_all(&doc, &meddle).await;
}

/// One use case per feature: the console's probe (its worker, on the same profile) finds what
/// `origins probe --json` finds, origin by origin: allowed or not, every problem, and the
/// requests a browser would refuse — against a real Bridge that narrows its methods.
#[test]
fn the_console_probes_what_the_cli_probes() {
    let env = env_with("http://placeholder", false);
    let bridge = Bridge::start_with(
        &env.path().join("bridge.env"),
        &[("BRIDGE_METHODS", "GET,POST")],
    );
    std::fs::write(
        env.path().join("shipdeck.toml"),
        format!("[profiles.test]\nstore = {{ kind = \"local\", path = \"store\" }}\nbridge = {{ allowlist = {{ kind = \"dotenv\", path = \"bridge.env\" }}, url = \"{}\" }}\n", bridge.url),
    )
    .unwrap();
    let out = env
        .cmd()
        .args(["--json", "origins", "probe"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "a narrowed Bridge fails the probe"
    );
    let cli: Value = serde_json::from_slice(&out.stdout).unwrap();
    let console = common::console::run(
        env.path(),
        "test",
        shipdeck::tui::state::Effect::ProbeOrigins,
    );
    let probe = console
        .origins
        .probe
        .as_ref()
        .expect("the console holds the probe");
    let screen = serde_json::to_value(probe).unwrap();
    let pick = |doc: &Value| -> Vec<(Value, Value, Value, Value, Value)> {
        doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                // The unlisted origin each probe invents is random; its verdicts are compared.
                let origin = match r["origin"].as_str() {
                    Some(o) if o.starts_with("https://shipdeck-probe-") => json!("unlisted"),
                    _ => r["origin"].clone(),
                };
                (
                    origin,
                    r["expected_allowed"].clone(),
                    r["allowed"].clone(),
                    r["problems"].clone(),
                    r["browser_refuses"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(pick(&screen), pick(&cli));
    assert_eq!(screen["ok"], cli["ok"]);
    // The narrowed methods are a finding both front ends show.
    assert!(
        cli["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| !r["browser_refuses"].as_array().unwrap().is_empty()),
        "{cli:#}"
    );
}
