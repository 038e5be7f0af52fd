//! The least-privilege permissions the README lists per workflow (assets/permissions/) are
//! valid JSON and cover every cloud API call Shipdeck makes — the calls are read from the
//! adapters' source, not listed by hand, so a new call without its permission fails here.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly, naming what went wrong"
)]

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn source(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

/// The SDK operations an adapter calls on its client: `.client` … `.operation()`.
fn sdk_calls(path: &str) -> BTreeSet<String> {
    let text: String = source(path).split_whitespace().collect::<Vec<_>>().join("");
    let mut out = BTreeSet::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find(".client.") {
        rest = &rest[i + ".client.".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        if rest[name.len()..].starts_with("()") && !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

/// The IAM actions one SDK operation needs.
fn iam(service: &str, op: &str) -> Vec<String> {
    let s3 = |a: &[&str]| a.iter().map(|x| format!("s3:{x}")).collect::<Vec<_>>();
    match (service, op) {
        ("s3", "get_object" | "head_object") => s3(&["GetObject"]),
        ("s3", "put_object") => s3(&["PutObject"]),
        ("s3", "copy_object") => s3(&["GetObject", "PutObject"]),
        ("s3", "delete_object") => s3(&["DeleteObject"]),
        ("s3", "list_objects_v2") => s3(&["ListBucket"]),
        (svc, op) => {
            let pascal: String = op
                .split('_')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect();
            assert!(
                svc != "s3",
                "map the S3 operation {op} to its IAM actions here and add them to the policies"
            );
            vec![format!("{svc}:{pascal}")]
        }
    }
}

fn policy_actions(file: &str) -> BTreeSet<String> {
    let doc: Value = serde_json::from_str(&source(&format!("assets/permissions/{file}")))
        .unwrap_or_else(|e| {
            panic!("{file} is not valid JSON: {e}");
        });
    assert_eq!(doc["Version"], "2012-10-17", "{file}");
    let mut out = BTreeSet::new();
    for st in doc["Statement"].as_array().unwrap() {
        assert_eq!(st["Effect"], "Allow", "{file}");
        match &st["Action"] {
            Value::String(a) => {
                out.insert(a.clone());
            }
            Value::Array(a) => out.extend(a.iter().map(|x| x.as_str().unwrap().to_string())),
            other => panic!("{file}: Action {other}"),
        }
    }
    out
}

fn needed(files: &[(&str, &str)]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (path, service) in files {
        let calls = sdk_calls(path);
        assert!(!calls.is_empty(), "no SDK call found in {path}");
        for c in calls {
            out.extend(iam(service, &c));
        }
    }
    out
}

#[test]
fn aws_policies_cover_every_call_of_their_workflows_and_verify_only_reads() {
    let store = needed(&[("src/store/s3.rs", "s3")]);
    let cdn = needed(&[
        ("src/cdn/cloudfront.rs", "cloudfront"),
        ("src/cdn/kvs.rs", "cloudfront-keyvaluestore"),
    ]);
    let deploy = policy_actions("aws-deploy.json");
    for a in store.iter().chain(cdn.iter()) {
        assert!(deploy.contains(a), "aws-deploy.json lacks {a}");
    }
    // `edge setup` runs once, by an administrator: its own policy, not the deploy job's.
    let setup = policy_actions("aws-edge-setup.json");
    for a in needed(&[("src/cdn/edge_control.rs", "cloudfront")]) {
        assert!(setup.contains(&a), "aws-edge-setup.json lacks {a}");
    }
    assert!(!deploy.contains("cloudfront:UpdateDistribution"));
    let verify = policy_actions("aws-verify.json");
    let reads: BTreeSet<String> = ["s3:GetObject", "s3:ListBucket"].map(String::from).into();
    assert_eq!(verify, reads, "the nightly verify reads only");
    assert!(store.is_superset(&reads));
    let monitoring = policy_actions("aws-monitoring.json");
    for a in needed(&[
        ("src/metrics/cloudwatch.rs", "cloudwatch"),
        ("src/logs/athena.rs", "athena"),
        ("src/pricing/aws.rs", "pricing"),
    ]) {
        assert!(monitoring.contains(&a), "aws-monitoring.json lacks {a}");
    }
}

#[test]
fn azure_roles_cover_every_call_of_their_workflows() {
    let doc: Value = serde_json::from_str(&source("assets/permissions/azure-roles.json")).unwrap();
    let actions = |w: &str| -> BTreeSet<String> {
        doc[w]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect()
    };
    let blob = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs";
    let store = source("src/store/azure.rs");
    let mut wanted = BTreeSet::new();
    for (call, action) in [
        (".download(", "read"),
        (".get_properties(", "read"),
        (".list_blobs(", "read"),
        (".upload(", "write"),
        (".start_copy_from_url(", "write"),
        (".delete(", "delete"),
    ] {
        if store.contains(call) {
            wanted.insert(format!("{blob}/{action}"));
        }
    }
    assert_eq!(wanted.len(), 3, "reads, writes and deletes are all used");
    // The purge calls: one resource type per kind the adapter names.
    let frontdoor = source("src/cdn/frontdoor.rs");
    for kind in ["afdEndpoints", "endpoints"] {
        assert!(frontdoor.contains(&format!("=> \"{kind}\"")), "{kind}");
        wanted.insert(format!("Microsoft.Cdn/profiles/{kind}/purge/action"));
    }
    // Edge aliases on Front Door: the rule calls the rules adapter makes.
    let rules = source("src/cdn/frontdoor_rules.rs");
    for (method, action) in [("GET", "read"), ("PUT", "write"), ("DELETE", "delete")] {
        if rules.contains(&format!("reqwest::Method::{method}")) {
            wanted.insert(format!("Microsoft.Cdn/profiles/ruleSets/rules/{action}"));
        }
    }
    for w in ["deploy", "rollback"] {
        let have = actions(w);
        for a in &wanted {
            assert!(have.contains(a), "azure-roles.json {w} lacks {a}");
        }
    }
    assert_eq!(
        actions("verify"),
        BTreeSet::from([format!("{blob}/read")]),
        "the nightly verify reads only"
    );
}
