//! The Azure Blob store against Azurite: the shared storage contract, every release command end
//! to end, checked with an independent client (Microsoft's Python SDK), the alias headers
//! during a switch, and the errors a user sees when credentials or the server fail.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;
mod contract;

use common::Env;
use common::azure::{ACCOUNT, KEY, azure_env, check, config, container, endpoint};
use predicates::prelude::*;
use serde_json::Value;
use shipdeck::adapters::azure::{AzureAuth, AzureSettings};
use shipdeck::credentials::Secret;
use shipdeck::store::azure::AzureStore;

fn settings(auth: AzureAuth) -> AzureSettings {
    AzureSettings {
        account: ACCOUNT.into(),
        endpoint: Some(endpoint()),
        auth,
        profile: "az".into(),
    }
}

fn key() -> AzureAuth {
    AzureAuth::AccountKey(Secret::new(KEY))
}

#[tokio::test]
async fn azure_store_passes_the_contract() {
    let c = container("contract");
    let store = AzureStore::connect(&c, settings(key())).unwrap();
    contract::run_all(&store, "").await;
    contract::run_all(&store, "with-prefix/").await;
}

#[tokio::test]
async fn a_sas_from_an_independent_client_passes_the_contract() {
    // A container SAS made by Microsoft's Python SDK, used as a user would paste it.
    let c = container("sas");
    let sas = common::azure::check(&["sas", &c])["sas"]
        .as_str()
        .unwrap()
        .to_string();
    let store = AzureStore::connect(&c, settings(AzureAuth::Sas(Secret::new(sas)))).unwrap();
    contract::run_all(&store, "").await;
}

fn cmd(env: &Env) -> assert_cmd::Command {
    let mut c = env.cmd();
    azure_env(&mut c);
    c
}

fn objects(c: &str, prefix: &str) -> Vec<Value> {
    check(&["objects", c, prefix]).as_array().unwrap().clone()
}

fn md5_hex(bytes: &[u8]) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(bytes))
}

/// Every file of `alias` has the bytes and type of `version`'s and the alias cache header.
fn assert_alias_serves(c: &str, alias: &str, version: &str) {
    let release = objects(c, &format!("msr-webchat/v{version}/"));
    let files = objects(c, &format!("msr-webchat/{alias}/"));
    assert_eq!(files.len(), release.len(), "{alias}");
    for o in &files {
        let name = o["key"].as_str().unwrap().rsplit('/').next().unwrap();
        let src = release
            .iter()
            .find(|r| r["key"] == format!("msr-webchat/v{version}/{name}").as_str())
            .unwrap();
        assert_eq!(o["content_md5"], src["content_md5"], "{alias}/{name}");
        assert_eq!(o["cache_control"], "public, max-age=300", "{alias}/{name}");
        assert_eq!(o["content_type"], src["content_type"], "{alias}/{name}");
    }
}

#[test]
fn release_commands_end_to_end_on_azure_blob() {
    let c = container("e2e");
    let env = Env::with_config(&config(&c, &endpoint(), "msr-webchat/", ""));
    for v in ["1.0.0", "1.1.0"] {
        let dist = env.widget(v);
        cmd(&env)
            .arg("publish")
            .arg(&dist)
            .args(["--yes", "--promote"])
            .assert()
            .success();
    }
    // Release files: immutable headers (short for .html/.map), the right types, and a
    // Content-MD5 that Azure stored matching the bytes of the build.
    let dist = env.path().join("build-1.1.0/dist-cdn");
    let release = objects(&c, "msr-webchat/v1.1.0/");
    assert_eq!(release.len(), 7);
    for o in &release {
        let name = o["key"]
            .as_str()
            .unwrap()
            .trim_start_matches("msr-webchat/v1.1.0/");
        let bytes = std::fs::read(dist.join(name)).unwrap();
        assert_eq!(o["content_md5"], md5_hex(&bytes), "{name}");
        let want = if name.ends_with(".html") || name.ends_with(".map") {
            "public, max-age=3600"
        } else {
            "public, immutable, max-age=31536000"
        };
        assert_eq!(o["cache_control"], want, "{name}");
    }
    let umd = release
        .iter()
        .find(|o| o["key"] == "msr-webchat/v1.1.0/msr-webchat.umd.js")
        .unwrap();
    assert_eq!(umd["content_type"], "text/javascript; charset=utf-8");
    // The manifest records each file's content id as Azure reports it (Content-MD5).
    let manifest = check(&["get", &c, ".shipdeck/msr-webchat/manifests/v1.1.0.json"]);
    for f in manifest["files"].as_array().unwrap() {
        let key = format!("msr-webchat/v1.1.0/{}", f["path"].as_str().unwrap());
        let o = release.iter().find(|o| o["key"] == key.as_str()).unwrap();
        assert_eq!(f["content_id"], o["content_md5"], "{key}");
    }
    // Alias files: same bytes, alias header, content type kept; no staging blob left.
    for alias in ["latest", "v1", "v1.1"] {
        assert_alias_serves(&c, alias, "1.1.0");
    }
    assert!(objects(&c, ".shipdeck-staging/").is_empty());

    // Rollback, yank, verify, repair: the same commands as on S3.
    cmd(&env).args(["rollback", "--yes"]).assert().success();
    assert_alias_serves(&c, "latest", "1.0.0");
    cmd(&env).arg("verify").assert().success();
    // A file changed by hand behind Shipdeck's back is found by verify and put back by repair.
    check(&["put", &c, "msr-webchat/latest/style.css", "edited by hand"]);
    cmd(&env)
        .arg("verify")
        .assert()
        .failure()
        .stdout(predicate::str::contains("latest"));
    cmd(&env).args(["repair", "--yes"]).assert().success();
    cmd(&env).arg("verify").assert().success();
    let css = objects(&c, "msr-webchat/latest/style.css");
    assert_eq!(css[0]["cache_control"], "public, max-age=300");
    cmd(&env)
        .args(["yank", "1.1.0", "--reason", "broken on Safari", "--yes"])
        .assert()
        .success();
    let doc: Value = serde_json::from_slice(
        &cmd(&env)
            .args(["--json", "releases"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let row = doc["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["version"] == "1.1.0")
        .unwrap();
    assert_eq!(row["status"], "yanked", "{row}");
    // Cost on an Azure profile uses Azure's prices unless told otherwise.
    cmd(&env)
        .arg("cost")
        .assert()
        .success()
        .stdout(predicate::str::contains("AZURE"));
    assert!(objects(&c, ".shipdeck-staging/").is_empty());
}

/// While `latest` switches back and forth, an independent reader reads every alias blob as fast
/// as it can: no read may ever see the release's one-year immutable header on an alias file.
#[test]
fn alias_files_never_carry_the_immutable_header_during_a_switch() {
    let c = container("window");
    let env = Env::with_config(&config(&c, &endpoint(), "", ""));
    env.publish_with(&cmd, "1.0.0", true);
    env.publish_with(&cmd, "1.1.0", false);
    let script =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/azcheck.py");
    let mut watcher = std::process::Command::new(common::stub::python())
        .arg(script)
        .args(["watch", &c, "latest/", "6"])
        .env("SHIPDECK_TEST_AZURE", endpoint())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the reader to start, then switch until it is done.
    let mut ready = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(watcher.stderr.as_mut().unwrap()),
        &mut ready,
    )
    .unwrap();
    assert_eq!(ready.trim(), "watching");
    let start = std::time::Instant::now();
    let mut switches = 0;
    while start.elapsed() < std::time::Duration::from_secs(5) {
        let v = if switches % 2 == 0 { "1.1.0" } else { "1.0.0" };
        cmd(&env)
            .args(["promote", v, "--alias", "latest", "--yes"])
            .assert()
            .success();
        switches += 1;
    }
    let out = watcher.wait_with_output().unwrap();
    let seen: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(switches >= 4, "only {switches} switches");
    assert!(
        seen["reads"].as_u64().unwrap() > 50,
        "the reader read too little to prove anything: {seen}"
    );
    for pair in seen["seen"].as_array().unwrap() {
        let cc = pair[1].as_str().unwrap_or("");
        assert!(
            !cc.contains("immutable") && !cc.contains("31536000"),
            "an alias file was seen with '{cc}': {pair}"
        );
    }
}

#[test]
fn wrong_credentials_are_one_sentence_without_the_secret() {
    let c = container("denied");
    let env = Env::with_config(&config(&c, &endpoint(), "", ""));
    // A well-formed key that is not the account's.
    let wrong = "c2hpcGRlY2stYXp1cmUtd3Jvbmcta2V5LVE3dlgya0xw";
    let out = env
        .cmd()
        .env("AZURE_STORAGE_KEY", wrong)
        .arg("releases")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("refused the credentials")
            && stderr.contains("shipdeck login --profile az"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        !stderr.contains(wrong) && !stderr.contains("sig="),
        "{stderr}"
    );
    // No credentials anywhere: the sentence says where they could come from.
    let out = env
        .cmd()
        .env_remove("AZURE_STORAGE_KEY")
        .env("PATH", "/usr/bin:/bin")
        .arg("releases")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no Azure credentials for profile 'az'") && stderr.contains("az login"),
        "{stderr}"
    );
    // A connection string works like `az` reads it; `credentials` names the variable only.
    let cs = format!(
        "DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};BlobEndpoint={}",
        endpoint()
    );
    env.cmd()
        .env_remove("AZURE_STORAGE_KEY")
        .env("AZURE_STORAGE_CONNECTION_STRING", &cs)
        .arg("releases")
        .assert()
        .success();
    let out = env
        .cmd()
        .env_remove("AZURE_STORAGE_KEY")
        .env("AZURE_STORAGE_CONNECTION_STRING", &cs)
        .arg("credentials")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("environment (AZURE_STORAGE_CONNECTION_STRING)") && !stdout.contains(KEY),
        "{stdout}"
    );
}

#[test]
fn bad_azure_config_is_refused_at_load_with_file_and_line() {
    for (store, says) in [
        (
            "{ kind = \"azure\", account = \"Bad_Account\", container = \"cdn\" }",
            "not an Azure storage account name",
        ),
        (
            "{ kind = \"azure\", account = \"acct\", container = \"CDN\" }",
            "not an Azure container name",
        ),
        (
            "{ kind = \"azure\", account = \"acct\", container = \"cdn\", endpoint = \"https://a.blob.core.windows.net/?sv=1&sig=x\" }",
            "a SAS token is a credential",
        ),
    ] {
        let env = Env::with_config(&format!("[profiles.az]\nstore = {store}\n"));
        let out = env.cmd().arg("releases").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(says) && stderr.contains("shipdeck.toml:2"),
            "{stderr}"
        );
    }
}

#[test]
fn republishing_on_azure_is_idempotent() {
    let c = container("republish");
    let env = Env::with_config(&config(&c, &endpoint(), "msr-webchat/", ""));
    common::republish_changes_nothing(
        &env,
        &|args| cmd(&env).args(args).output().unwrap(),
        &|| objects(&c, ""),
    );
}
