//! Azure Front Door and classic Azure CDN purges, end to end: a real Azurite for the store, the
//! real `azure_identity` Azure CLI credential for the token, and a hand-written stand-in for
//! Azure Resource Manager (tests/peers/arm_stub.py; no emulator of the management API exists)
//! that checks every request's method, path, api-version, body and token and answers the purge
//! as a long-running operation that is first InProgress.
//!
//! The token comes from an `az` on PATH that this test writes: there is no Entra ID to sign in
//! to here, and `AzureCliCredential` runs `az account get-access-token` exactly as it would on a
//! release manager's machine. The fake checks that it is asked for Resource Manager's scope.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;
mod contract;

use common::Env;
use common::arm::{Arm, TOKEN, cdn, cmd, fake_az};
use common::azure::{config, container, endpoint};
use serde_json::Value;

/// A token for the stand-in, as `az` or Entra ID would hand it: there is no Entra ID to sign
/// in to here (hand-written for that reason only; the purge itself goes to the stub over HTTP).
#[derive(Debug)]
struct StaticToken;

#[async_trait::async_trait]
impl azure_core::credentials::TokenCredential for StaticToken {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<azure_core::credentials::TokenRequestOptions<'_>>,
    ) -> azure_core::Result<azure_core::credentials::AccessToken> {
        Ok(azure_core::credentials::AccessToken::new(
            TOKEN,
            azure_core::time::OffsetDateTime::now_utc() + azure_core::time::Duration::hours(1),
        ))
    }
}

#[tokio::test]
async fn front_door_and_classic_cdn_pass_the_cdn_contract() {
    use shipdeck::cdn::frontdoor::{AzurePurge, Endpoint, Kind};
    let dir = tempfile::tempdir().unwrap();
    let arm = Arm::start(dir.path(), 1);
    for kind in [Kind::FrontDoor, Kind::Classic] {
        let endpoint = Endpoint {
            subscription: "sub-1234".into(),
            resource_group: "msr-event-agent-rg".into(),
            profile: "msr-webchat-cdn".into(),
            endpoint: "msr-webchat".into(),
            domains: Vec::new(),
            management_endpoint: Some(arm.url.clone()),
        };
        let mut purge = AzurePurge::new(
            kind,
            endpoint,
            "/msr-webchat",
            Some(std::sync::Arc::new(StaticToken)),
            "test",
        );
        purge.wait = std::time::Duration::from_secs(30);
        contract::cdn::run_all(&purge, "/msr-webchat").await;
    }
    let (_, violations) = arm.seen();
    assert!(violations.is_empty(), "{violations:?}");
}

#[test]
fn a_promote_purges_only_the_moved_aliases_on_front_door_and_follows_the_operation() {
    let c = container("afd");
    let dir = tempfile::tempdir().unwrap();
    let stub = Arm::start(dir.path(), 1);
    let bin = fake_az(dir.path(), TOKEN);
    let env = Env::with_config(&config(
        &c,
        &endpoint(),
        "msr-webchat/",
        &cdn("frontdoor", &stub),
    ));
    let publish = |v: &str| {
        let dist = env.widget(v);
        cmd(&env, &bin)
            .arg("publish")
            .arg(&dist)
            .args(["--yes", "--promote"])
            .assert()
            .success()
    };
    publish("1.0.0");
    let out = publish("1.1.0");
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        stdout.contains("Completed"),
        "the purge was followed to its end: {stdout}"
    );
    let (requests, violations) = stub.seen();
    assert!(violations.is_empty(), "{violations:?}");
    let posts: Vec<&Value> = requests.iter().filter(|r| r["method"] == "POST").collect();
    assert_eq!(posts.len(), 2, "one purge per promote: {requests:?}");
    for p in &posts {
        assert_eq!(
            p["path"],
            "/subscriptions/sub-1234/resourceGroups/msr-event-agent-rg/providers/Microsoft.Cdn/profiles/msr-webchat-cdn/afdEndpoints/msr-webchat/purge"
        );
    }
    let mut paths: Vec<String> = posts[1]["body"]["contentPaths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "/msr-webchat/latest/*",
            "/msr-webchat/v1.1/*",
            "/msr-webchat/v1/*"
        ],
        "only the aliases that moved, never /* or a release folder"
    );
    // The operation was polled until it left InProgress.
    let polls = requests.iter().filter(|r| r["method"] == "GET").count();
    assert!(
        polls >= 4,
        "each purge polled InProgress then Succeeded: {requests:?}"
    );

    // By hand: more than 100 paths go in requests of at most 100; --status asks again later.
    let many: Vec<String> = (0..130)
        .map(|i| format!("/msr-webchat/next-{i}/*"))
        .collect();
    let out = cmd(&env, &bin)
        .args(["--json", "invalidate", "--yes"])
        .args(&many)
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let (requests, violations) = stub.seen();
    assert!(violations.is_empty(), "{violations:?}");
    let sizes: Vec<usize> = requests
        .iter()
        .filter(|r| r["method"] == "POST")
        .skip(2)
        .map(|r| r["body"]["contentPaths"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [100, 30]);
    let id = doc["invalidation"]["id"]
        .as_str()
        .or(doc["id"].as_str())
        .unwrap_or_else(|| panic!("an id in {doc}"))
        .to_string();
    let out = cmd(&env, &bin)
        .args(["--json", "invalidate", "--status", &id])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["status"]["state"], "completed", "{doc}");
    // `/*` is refused before anything is sent.
    let out = cmd(&env, &bin)
        .args(["invalidate", "--yes", "/*"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("every immutable release"));
}

#[test]
fn a_classic_cdn_endpoint_is_purged_at_its_own_path() {
    let c = container("classic");
    let dir = tempfile::tempdir().unwrap();
    let stub = Arm::start(dir.path(), 0);
    let bin = fake_az(dir.path(), TOKEN);
    let env = Env::with_config(&config(&c, &endpoint(), "", &cdn("azure-cdn", &stub)));
    env.publish_with(&|e: &Env| cmd(e, &bin), "1.0.0", true);
    env.publish_with(&|e: &Env| cmd(e, &bin), "1.0.1", true);
    let (requests, violations) = stub.seen();
    assert!(violations.is_empty(), "{violations:?}");
    let post = requests.iter().rfind(|r| r["method"] == "POST").unwrap();
    assert!(
        post["path"]
            .as_str()
            .unwrap()
            .ends_with("/profiles/msr-webchat-cdn/endpoints/msr-webchat/purge"),
        "{post}"
    );
}

#[test]
fn a_refused_token_is_a_warning_that_names_the_fix() {
    let c = container("afd-denied");
    let dir = tempfile::tempdir().unwrap();
    let stub = Arm::start(dir.path(), 0);
    let bin = fake_az(dir.path(), "a-token-the-stub-does-not-know");
    let env = Env::with_config(&config(&c, &endpoint(), "", &cdn("frontdoor", &stub)));
    env.publish_with(&|e: &Env| cmd(e, &bin), "1.0.0", true);
    let dist = env.widget("1.0.1");
    let out = cmd(&env, &bin)
        .arg("publish")
        .arg(&dist)
        .args(["--yes", "--promote"])
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        all.contains("Azure Front Door endpoint msr-webchat")
            && all.contains("refused the token")
            && all.contains("shipdeck invalidate"),
        "{all}"
    );
    assert!(!all.contains("a-token-the-stub"), "{all}");
    // The release itself went out: only the purge failed.
    cmd(&env, &bin).arg("verify").assert().success();
}
