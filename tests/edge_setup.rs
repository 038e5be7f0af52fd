//! `shipdeck edge setup` against moto's CloudFront control plane, checked with boto3
//! (tests/peers/s3check.py). moto 5.2.5 creates and describes KeyValueStores and functions but
//! implements neither TestFunction, PublishFunction nor UpdateFunction: a setup creates what moto
//! supports, then stops with one sentence naming the call, and running it again plans only what
//! is left. (The association step's rules are unit tests in `domain::edge_alias::setup`: moto
//! drops a distribution's function associations on update, so it cannot show them.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use common::Env;
use common::stub::Stub;

fn setup_env(name: &str) -> (Env, String) {
    let endpoint = common::s3::endpoint();
    let bucket = common::s3::bucket("edgesetup");
    let dist = common::s3::distribution(&bucket);
    let env = Env::with_config(&format!(
        "[profiles.p]\nstore = {{ kind = \"s3\", bucket = \"{bucket}\", region = \"us-east-1\", prefix = \"msr-webchat/\", endpoint = \"{endpoint}\" }}\n\
         cdn = {{ kind = \"cloudfront\", distribution_id = \"{dist}\", endpoint = \"{endpoint}\", edge = {{ name = \"{name}\" }} }}\n"
    ));
    (env, dist)
}

fn cmd(env: &Env) -> assert_cmd::Command {
    let mut c = env.cmd();
    common::s3::aws_env(&mut c);
    c
}

fn steps(doc: &serde_json::Value) -> Vec<String> {
    doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn setup_creates_what_the_server_supports_then_names_the_call_it_lacks() {
    let name = format!("sd{:08x}", common::unique() as u32);
    let (env, _) = setup_env(&name);

    // A dry run plans every step and creates nothing.
    let dry = cmd(&env)
        .args(["--json", "--dry-run", "edge", "setup"])
        .output()
        .unwrap();
    assert!(dry.status.success(), "{dry:?}");
    let plan: serde_json::Value = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!(
        steps(&plan),
        [
            "create_kvs",
            "create_function",
            "test_function",
            "publish_function",
            "create_function",
            "test_function",
            "publish_function",
            "associate"
        ],
        "{plan}"
    );
    assert_eq!(
        plan["steps"][7]["behaviours"],
        serde_json::json!(["the default behaviour"])
    );
    assert_eq!(
        common::s3::check(&["edge-setup", &name]),
        serde_json::json!({"kvs_arn": null, "functions": {}})
    );

    // The real run: the store and the request function are created, then TestFunction is
    // refused by moto in one sentence that names it; the rest is listed as not tried.
    let run = cmd(&env).args(["edge", "setup", "--yes"]).output().unwrap();
    let text = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!("✓ create the KeyValueStore {name}")),
        "{text}"
    );
    assert!(
        text.contains("TestFunction is not implemented by this endpoint"),
        "{text}"
    );
    assert!(text.contains("not tried: publish"), "{text}");
    assert!(
        text.contains("run `shipdeck edge setup` again to finish"),
        "{text}"
    );
    let seen = common::s3::check(&["edge-setup", &name]);
    let arn = seen["kvs_arn"].as_str().unwrap().to_string();
    assert!(text.contains(&format!("kvs_arn = \"{arn}\"")), "{text}");
    let request = &seen["functions"][format!("{name}-request")];
    let code = cmd(&env)
        .args(["edge", "code", "request"])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(
        request["code"].as_str().unwrap().as_bytes(),
        code.as_slice()
    );
    assert_eq!(request["runtime"], "cloudfront-js-2.0");
    assert_eq!(request["kvs"], serde_json::json!([arn]));
    assert_eq!(request["stage"], "DEVELOPMENT");
    // Setup stopped at the request function's test: the response function was not created.
    assert!(seen["functions"].get(format!("{name}-response")).is_none());

    // The history names what was done.
    let history = cmd(&env).args(["--json", "history"]).output().unwrap();
    let text = String::from_utf8_lossy(&history.stdout);
    assert!(
        text.contains("CreateKeyValueStore, CreateFunction"),
        "{text}"
    );

    // Again: only what is left (the store and the function exist, the code is current).
    let again: serde_json::Value = serde_json::from_slice(
        &cmd(&env)
            .args(["--json", "--dry-run", "edge", "setup"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        steps(&again)[..3],
        ["test_function", "publish_function", "create_function"]
    );
    assert_eq!(again["kvs_arn"], arn.as_str());

    status_names_the_unpublished_function(&env, &name, &arn);
}

#[test]
fn a_configured_arn_that_is_not_the_named_store_is_refused_before_anything_is_written() {
    let name = format!("sd{:08x}", common::unique() as u32);
    let (env, _) = setup_env(&name);
    // Before setup there is no store to read keys from: status says how to create it.
    let before = cmd(&env).args(["edge", "status"]).output().unwrap();
    let err = String::from_utf8_lossy(&before.stderr);
    assert_eq!(before.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("no KeyValueStore named '{name}' yet"))
            && err.contains("run `shipdeck edge setup`"),
        "{err}"
    );
    cmd(&env).args(["edge", "setup", "--yes"]).assert().code(1);
    let wrong =
        "arn:aws:cloudfront::123456789012:key-value-store/0d6f6a04-2a6a-4c3e-a9b1-2f4b5c6d7e8f";
    let config = std::fs::read_to_string(env.path().join("shipdeck.toml"))
        .unwrap()
        .replace(
            &format!("edge = {{ name = \"{name}\" }}"),
            &format!("edge = {{ name = \"{name}\", kvs_arn = \"{wrong}\" }}"),
        );
    std::fs::write(env.path().join("shipdeck.toml"), config).unwrap();
    let out = cmd(&env).args(["edge", "setup", "--yes"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("correct kvs_arn or name"), "{err}");
    assert!(err.contains(wrong), "{err}");
}

/// `edge status` after a setup stopped at TestFunction: the keys from the data plane (its
/// stand-in, for the store setup created), the functions from moto: the request function is
/// created but never published, so viewers do not run it yet, and the response one is missing.
fn status_names_the_unpublished_function(env: &Env, name: &str, arn: &str) {
    let dir = tempfile::tempdir().unwrap();
    let stub = Stub::start("kvs_stub.py", dir.path(), &[arn]);
    let config = std::fs::read_to_string(env.path().join("shipdeck.toml"))
        .unwrap()
        .replace(
            &format!("edge = {{ name = \"{name}\" }}"),
            &format!(
                "edge = {{ name = \"{name}\", endpoint = \"{}\" }}",
                stub.url()
            ),
        );
    std::fs::write(env.path().join("shipdeck.toml"), config).unwrap();
    let status = cmd(env).args(["edge", "status"]).output().unwrap();
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(
        text.contains(&format!(
            "function {name}-request (viewer request): not published: viewers do not run it"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "function {name}-response (viewer response): missing"
        )),
        "{text}"
    );
}
