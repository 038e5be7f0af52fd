//! The allowlist where production keeps it: GitHub Actions variables or secrets, edited with the
//! same plan and confirmation as a `.env`, then applied by dispatching the Bridge's deploy
//! workflow and probing the running Bridge.
//!
//! There is no GitHub emulator: tests/peers/github_stub.py, a hand-written stand-in for the few
//! REST endpoints used, checks every request's method, path, headers and body against GitHub's
//! published OpenAPI description, opens the sealed-box secrets with the private key it handed
//! out, and runs the deploy workflow by restarting the real Express + cors test Bridge with the
//! new list, so the final probe is real.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;
mod contract;

use common::Env;
use common::stub::{self, Stub};
use predicates::prelude::*;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const TOKEN: &str = "ghp_shipdeckStubToken4Kx9";

/// The GitHub stand-in, with the real test Bridge it restarts on each deploy run.
struct GitHub {
    stub: Stub,
    api: String,
    bridge: String,
}

impl GitHub {
    fn start(dir: &Path) -> GitHub {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        assert!(
            root.join("tests/bridge/node_modules/express").is_dir(),
            "the test Bridge is not installed: run `bash scripts/test.sh`"
        );
        let bridge_dir = root.join("tests/bridge");
        let stub = Stub::start(
            "github_stub.py",
            dir,
            &[TOKEN, bridge_dir.to_str().unwrap()],
        );
        let (api, bridge) = stub.ready.split_once(' ').unwrap();
        GitHub {
            api: format!("http://127.0.0.1:{api}"),
            bridge: format!("http://127.0.0.1:{bridge}/v1/chat"),
            stub,
        }
    }

    fn state(&self) -> Value {
        let _ = &self.stub;
        serde_json::from_str(&stub::get(&format!("{}/_state", self.api))).unwrap()
    }

    /// Sets a variable as someone else would (repository level, or `env`).
    fn set_variable(&self, name: &str, value: &str, env: Option<&str>) {
        let body = json!({ "value": value, "environment": env }).to_string();
        stub::post(&format!("{}/_state/variables/{name}", self.api), &body);
    }

    /// The workflows the Bridge's repository has.
    fn set_workflows(&self, names: &[&str]) {
        stub::post(
            &format!("{}/_state/workflows", self.api),
            &json!(names).to_string(),
        );
    }

    fn fail_next_run(&self) {
        stub::post(&format!("{}/_state/fail-next-run", self.api), "");
    }

    fn assert_no_violations(&self) {
        let s = self.state();
        assert!(
            s["violations"].as_array().unwrap().is_empty(),
            "requests broke GitHub's API description: {}",
            s["violations"]
        );
    }
}

fn config(stub: &GitHub, allowlist_extra: &str, bridge_extra: &str) -> String {
    format!(
        "[profiles.prod]\nstore = {{ kind = \"local\", path = \"store\" }}\nbridge = {{ allowlist = {{ kind = \"github\", repo = \"org/msr-event-agent-bridge\", additional_variable = \"ADDITIONAL_ORIGINS\", api_url = \"{}\"{allowlist_extra} }}, url = \"{}\"{bridge_extra} }}\n",
        stub.api, stub.bridge
    )
}

fn cmd(env: &Env) -> assert_cmd::Command {
    let mut c = env.cmd();
    c.env("GH_TOKEN", TOKEN).env_remove("GITHUB_TOKEN");
    c
}

#[test]
fn variables_edit_redeploy_and_probe_the_running_bridge() {
    let dir = tempfile::tempdir().unwrap();
    let stub = GitHub::start(dir.path());
    stub.set_variable("ALLOWED_ORIGINS", "https://app.example.com", None);
    let env = Env::with_config(&config(
        &stub,
        "",
        ", deploy_workflow = \"deploy-bridge.yml\"",
    ));

    cmd(&env)
        .args(["origins", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("https://app.example.com"))
        .stdout(predicate::str::contains("GitHub Actions variables"));
    let out = cmd(&env)
        .args([
            "origins",
            "add",
            "https://new.example.com",
            "--to",
            "allowed",
            "--yes",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("GitHub token from environment (GH_TOKEN)")
            && stdout.contains("Variables: read and write")
            && stdout.contains("origins apply"),
        "the plan names the token, its scope and the next step: {stdout}"
    );
    assert!(!stdout.contains(TOKEN));
    let s = stub.state();
    assert_eq!(
        s["variables"][":ALLOWED_ORIGINS"]["value"],
        "https://app.example.com,https://new.example.com"
    );

    // Apply: dispatch, follow the run to its end, probe the restarted Bridge.
    let out = cmd(&env)
        .args(["--json", "origins", "apply"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!("{}", String::from_utf8_lossy(&out.stderr));
    });
    assert_eq!(out.status.code(), Some(0), "{doc}");
    assert_eq!(doc["run"]["conclusion"], "success");
    assert_eq!(doc["ok"], true, "{doc}");
    let probed: Vec<&str> = doc["probe"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["allowed"] == true)
        .map(|r| r["origin"].as_str().unwrap())
        .collect();
    assert!(probed.contains(&"https://new.example.com"), "{doc}");
    common::validate_json("origins-apply", &out.stdout, dir.path());
    let s = stub.state();
    let run = &s["runs"][0];
    assert_eq!(run["workflow"], "deploy-bridge.yml");
    assert_eq!(run["ref"], "main");
    assert!(
        run["reads"].as_u64().unwrap() >= 2,
        "followed through in_progress: {run}"
    );

    // History: who, what, from → to.
    let h = env.json(&["history"]);
    let text = h.to_string();
    assert!(
        text.contains("add origin https://new.example.com")
            && text.contains("ALLOWED_ORIGINS=https://app.example.com → https://app.example.com,https://new.example.com")
            && text.contains("redeploy the Bridge"),
        "{text}"
    );

    // A run that fails: no probe, exit 1, and the sentence says so.
    stub.fail_next_run();
    cmd(&env)
        .args(["origins", "apply"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("did not succeed"));
    stub.assert_no_violations();
}

/// A profile that names no deploy workflow uses the template's name (`shipdeck workflows`
/// writes deploy-bridge.yml) when the Bridge's repository has it: the names match by default.
#[test]
fn with_no_workflow_named_apply_dispatches_the_templates_when_the_repository_has_it() {
    let dir = tempfile::tempdir().unwrap();
    let stub = GitHub::start(dir.path());
    stub.set_variable("ALLOWED_ORIGINS", "https://app.example.com", None);
    let env = Env::with_config(&config(&stub, "", ""));
    cmd(&env)
        .args(["origins", "add", "https://new.example.com", "--yes"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "dispatches workflow deploy-bridge.yml of org/msr-event-agent-bridge",
        ));
    cmd(&env).args(["origins", "apply"]).assert().success();
    let s = stub.state();
    assert_eq!(s["runs"][0]["workflow"], "deploy-bridge.yml");
    stub.assert_no_violations();
}

#[test]
fn a_secret_is_written_sealed_from_shipdecks_document_and_applied() {
    let dir = tempfile::tempdir().unwrap();
    let stub = GitHub::start(dir.path());
    let env = Env::with_config(&config(
        &stub,
        ", mode = \"secret\", environment = \"production\"",
        ", deploy_workflow = \"deploy-bridge.yml\"",
    ));
    cmd(&env)
        .args([
            "origins",
            "add",
            "https://app.example.com",
            "https://www.example.com",
            "--to",
            "allowed",
            "--yes",
        ])
        .assert()
        .success();
    let s = stub.state();
    assert_eq!(
        s["secrets"]["ALLOWED_ORIGINS"], "https://app.example.com,https://www.example.com",
        "the stub opened the sealed box and found the list"
    );
    assert!(
        s["requests"].as_array().unwrap().iter().any(|r| r["path"]
            == "/repos/org/msr-event-agent-bridge/environments/production/secrets/ALLOWED_ORIGINS"),
        "environment secrets: {}",
        s["requests"]
    );
    cmd(&env)
        .args(["origins", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("cannot be read back"))
        .stdout(predicate::str::contains("https://www.example.com"));
    cmd(&env)
        .args(["origins", "apply"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "the running Bridge agrees with the list",
        ))
        .stderr(predicate::str::contains("in_progress"));
    stub.assert_no_violations();
}

#[test]
fn someone_elses_change_a_bad_token_and_no_workflow_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let stub = GitHub::start(dir.path());
    stub.set_variable("ALLOWED_ORIGINS", "https://app.example.com", None);
    let env = Env::with_config(&config(&stub, "", ""));

    // Someone else edits the variable between the plan and the write: refused, nothing written.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let src = shipdeck::bridge::github::GitHubSource {
        repo: stub_repo(&stub),
        mode: shipdeck::bridge::github::Mode::Variable,
        variable: "ALLOWED_ORIGINS".into(),
        additional_variable: Some("ADDITIONAL_ORIGINS".into()),
        doc: None,
    };
    use shipdeck::bridge::{AllowlistSource, Edit, Var};
    let base = rt.block_on(src.load()).unwrap();
    let (next, _) = src
        .preview(
            &base,
            &Edit::Add {
                item: "https://mine.example.com".into(),
                to: Var::Allowed,
            },
        )
        .unwrap();
    stub.set_variable("ALLOWED_ORIGINS", "https://theirs.example.com", None);
    let e = rt.block_on(src.save(&base, &next)).unwrap_err().to_string();
    assert!(e.contains("someone else changed"), "{e}");
    assert_eq!(
        stub.state()["variables"][":ALLOWED_ORIGINS"]["value"],
        "https://theirs.example.com"
    );
    // Creating a variable that exists answers 409: someone else created it.
    let gh = shipdeck::adapters::github::GitHub::new(
        Some(&stub.api),
        "org/msr-event-agent-bridge",
        shipdeck::credentials::Secret::new(TOKEN),
        "Variables: read and write",
    );
    let a = rt
        .block_on(gh.call(
            reqwest::Method::POST,
            "/actions/variables",
            Some(&json!({ "name": "ALLOWED_ORIGINS", "value": "x" })),
            "variable ALLOWED_ORIGINS",
        ))
        .unwrap();
    assert_eq!(a.status, 409);
    assert!(
        gh.refused(&a, "variable")
            .to_string()
            .contains("someone else changed it")
    );

    // A token GitHub refuses: one sentence naming the scope and the fix, never the token.
    let out = env
        .cmd()
        .env("GH_TOKEN", "ghp_wrongTokenZZ81")
        .args(["origins", "add", "https://new.example.com", "--yes"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("lacks the scope")
            && stderr.contains("Variables: read and write")
            && stderr.contains("shipdeck login --github"),
        "{stderr}"
    );
    assert!(!stderr.contains("ghp_wrongTokenZZ81"), "{stderr}");

    // No deploy workflow named, and the repository has none by the template's name: the plan
    // says the Bridge must be redeployed; apply says how, and dispatches nothing.
    stub.set_workflows(&[]);
    cmd(&env)
        .args(["origins", "add", "https://new.example.com", "--dry-run"])
        .assert()
        .success()
        .stdout(predicate::str::contains("must be redeployed"))
        .stdout(predicate::str::contains("has no deploy-bridge.yml"));
    cmd(&env)
        .args(["origins", "apply"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("deploy_workflow"))
        .stderr(predicate::str::contains("has no deploy-bridge.yml"));
    assert!(stub.state()["runs"].as_array().unwrap().is_empty());
    // `credentials` names where the token comes from, without it.
    cmd(&env)
        .arg("credentials")
        .assert()
        .success()
        .stdout(predicate::str::contains("prod (bridge)"))
        .stdout(predicate::str::contains("GH_TOKEN"))
        .stdout(predicate::str::contains(TOKEN).not());
    stub.assert_no_violations();
}

/// Secret mode, when the secret cannot be written after the document was saved: the user is
/// told the list is saved and how to finish, nothing is lost, and `origins apply` writes the
/// secret before it redeploys.
#[test]
fn a_secret_write_that_fails_after_the_document_is_finished_by_apply() {
    let dir = tempfile::tempdir().unwrap();
    let stub = GitHub::start(dir.path());
    let env = Env::with_config(&config(
        &stub,
        ", mode = \"secret\"",
        ", deploy_workflow = \"deploy-bridge.yml\"",
    ));
    let out = env
        .cmd()
        .env("GH_TOKEN", "ghp_wrongTokenZZ81")
        .args([
            "origins",
            "add",
            "https://app.example.com",
            "--to",
            "allowed",
            "--yes",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the list was saved in")
            && stderr.contains("the GitHub secret was not written")
            && stderr.contains("shipdeck origins apply"),
        "{stderr}"
    );
    assert!(!stderr.contains("ghp_wrongTokenZZ81"), "{stderr}");
    assert!(stub.state()["secrets"].get("ALLOWED_ORIGINS").is_none());
    // Nothing lost: the document holds the new origin.
    cmd(&env)
        .args(["origins", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("https://app.example.com"));
    // apply writes the secret from the document, redeploys, and the Bridge agrees.
    cmd(&env)
        .args(["origins", "apply"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "the running Bridge agrees with the list",
        ));
    assert_eq!(
        stub.state()["secrets"]["ALLOWED_ORIGINS"],
        "https://app.example.com"
    );
    stub.assert_no_violations();
}

/// A write redirected to another host is not a write: Shipdeck does not follow it (reads
/// neither), says so naming where it was sent, and the other host never sees the request (nor
/// the token).
#[test]
fn an_api_call_redirected_to_another_host_is_refused_not_followed() {
    use std::io::{Read, Write};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let serve = |answer: String, hits: Arc<AtomicUsize>| {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for mut c in l.incoming().flatten() {
                let mut buf = [0u8; 8192];
                let _ = c.read(&mut buf);
                hits.fetch_add(1, Ordering::SeqCst);
                let _ = c.write_all(answer.as_bytes());
            }
        });
        port
    };
    let elsewhere_hits = Arc::new(AtomicUsize::new(0));
    let elsewhere = serve(
        "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n".into(),
        elsewhere_hits.clone(),
    );
    let api = serve(
        format!(
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://localhost:{elsewhere}/repos/o/r/actions/variables/ALLOWED_ORIGINS\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        Arc::new(AtomicUsize::new(0)),
    );
    let gh = shipdeck::adapters::github::GitHub::new(
        Some(&format!("http://127.0.0.1:{api}")),
        "o/r",
        shipdeck::credentials::Secret::new("ghp_wrongTokenZZ81"),
        "variables: write",
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    for method in [reqwest::Method::PATCH, reqwest::Method::GET] {
        let body = serde_json::json!({ "value": "https://a.example" });
        let r = rt.block_on(gh.call(
            method.clone(),
            "/actions/variables/ALLOWED_ORIGINS",
            (method == reqwest::Method::PATCH).then_some(&body),
            "variable ALLOWED_ORIGINS of o/r",
        ));
        let e = r.err().expect("a redirect to another host is an error");
        assert!(
            e.sentence.contains("redirect")
                && e.sentence.contains(&format!("localhost:{elsewhere}")),
            "{}",
            e.sentence
        );
        assert!(!e.sentence.contains("ghp_"), "{}", e.sentence);
    }
    assert_eq!(
        elsewhere_hits.load(Ordering::SeqCst),
        0,
        "the other host saw nothing"
    );
}

/// A repository on the stand-in, with the test's token.
fn stub_repo(stub: &GitHub) -> std::sync::Arc<shipdeck::bridge::github::Repo> {
    std::sync::Arc::new(shipdeck::bridge::github::Repo::new(
        Some(stub.api.clone()),
        "org/msr-event-agent-bridge",
        None,
        std::sync::Arc::new(|| {
            Box::pin(async {
                Ok((
                    shipdeck::credentials::Secret::new(TOKEN),
                    "test".to_string(),
                ))
            })
        }),
    ))
}

/// GitHub variables, and GitHub secrets written from Shipdeck's document, pass the allowlist
/// contract every source passes (the `.env` and the JSON document pass it in tests/origins.rs).
#[test]
fn github_variables_and_secrets_pass_the_allowlist_contract() {
    use shipdeck::bridge::github::{GitHubSource, Mode};
    use shipdeck::bridge::object::ObjectSource;
    let dir = tempfile::tempdir().unwrap();
    let stub = GitHub::start(dir.path());
    stub.set_variable("ALLOWED_ORIGINS", "https://app.example.com", None);
    stub.set_variable("ADDITIONAL_ORIGINS", "https://customer1.com", None);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let variables = GitHubSource {
        repo: stub_repo(&stub),
        mode: Mode::Variable,
        variable: "ALLOWED_ORIGINS".into(),
        additional_variable: Some("ADDITIONAL_ORIGINS".into()),
        doc: None,
    };
    let meddle = |origin: &str| stub.set_variable("ALLOWED_ORIGINS", origin, None);
    rt.block_on(contract::allowlist::run_all(&variables, &meddle));

    let store_dir = dir.path().join("store");
    std::fs::create_dir_all(store_dir.join("bridge")).unwrap();
    std::fs::write(
        store_dir.join("bridge/allowlist.json"),
        r#"{"allowed": ["https://app.example.com"], "additional": []}"#,
    )
    .unwrap();
    let store: std::sync::Arc<dyn shipdeck::store::ObjectStore> =
        std::sync::Arc::new(shipdeck::store::local::LocalStore::open(&store_dir).unwrap());
    let secrets = GitHubSource {
        repo: stub_repo(&stub),
        mode: Mode::Secret,
        variable: "ALLOWED_ORIGINS".into(),
        additional_variable: None,
        doc: Some(ObjectSource {
            store,
            key: "bridge/allowlist.json".into(),
        }),
    };
    let doc_path = store_dir.join("bridge/allowlist.json");
    let meddle = |origin: &str| {
        let body = json!({ "allowed": [origin], "additional": [] }).to_string();
        std::fs::write(&doc_path, body).unwrap();
    };
    rt.block_on(contract::allowlist::run_all(&secrets, &meddle));
    // The secret GitHub holds is the document's list after the last write Shipdeck made.
    let state = stub.state();
    let secret = state["secrets"]["ALLOWED_ORIGINS"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(secret, "https://app.example.com", "{state}");
    stub.assert_no_violations();
}
