//! The KeyValueStore data plane adapter (`cdn::kvs`) against tests/peers/kvs_stub.py, the
//! hand-written stand-in for the calls moto does not serve (see the stub's docstring): reads
//! follow every page, writes carry the ETag, a stale ETag is "someone else changed it" and
//! writes nothing, requests are signed with SigV4A.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use common::stub::{Stub, python};
use shipdeck::cdn::kvs::{Kvs, KvsError};

pub const ARN: &str =
    "arn:aws:cloudfront::123456789012:key-value-store/0d6f6a04-2a6a-4c3e-a9b1-2f4b5c6d7e8f";

/// The stub's state, read over its control endpoint.
fn state(stub: &Stub) -> serde_json::Value {
    let out = std::process::Command::new(python())
        .args([
            "-c",
            "import sys,urllib.request;print(urllib.request.urlopen(sys.argv[1]).read().decode())",
            &format!("{}/_state", stub.url()),
        ])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Another manager's write, behind Shipdeck's back.
fn overwrite(stub: &Stub, items: &str) {
    let code = "import sys,urllib.request;urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method='POST'))";
    let ok = std::process::Command::new(python())
        .args(["-c", code, &format!("{}/_state", stub.url()), items])
        .status()
        .unwrap();
    assert!(ok.success());
}

#[test]
fn keys_are_read_whole_and_written_only_over_the_state_they_were_read_from() {
    let dir = tempfile::tempdir().unwrap();
    let stub = Stub::start("kvs_stub.py", dir.path(), &[ARN]);
    let mut settings = common::s3::settings();
    settings.endpoint = None;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let kvs = rt.block_on(Kvs::connect(ARN, Some(&stub.url()), settings));

    let empty = rt.block_on(kvs.read()).unwrap();
    assert!(empty.items.is_empty());
    let puts: Vec<(String, String)> = [
        ("latest", "1.0.1"),
        ("v1", "1.0.1;1.1.0=5"),
        ("v1.0", "1.0.1"),
        ("next", "2.0.0-rc.1"),
        ("v2", "2.0.0"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
    .collect();
    let etag = rt.block_on(kvs.write(&empty.etag, &puts, &[])).unwrap();
    assert_ne!(etag, empty.etag);
    // Five keys come back over three pages of two.
    let read = rt.block_on(kvs.read()).unwrap();
    assert_eq!(read.etag, etag);
    assert_eq!(read.items.len(), 5);
    assert_eq!(read.items["v1"], "1.0.1;1.1.0=5");
    // One call puts and deletes together.
    let etag = rt
        .block_on(kvs.write(
            &read.etag,
            &[("latest".to_string(), "1.1.0".to_string())],
            &["v2".to_string()],
        ))
        .unwrap();
    let read = rt.block_on(kvs.read()).unwrap();
    assert_eq!(read.items["latest"], "1.1.0");
    assert!(!read.items.contains_key("v2"));
    // A stale ETag (another manager wrote in between) writes nothing.
    overwrite(&stub, r#"{"latest": "1.0.0"}"#);
    let err = rt
        .block_on(kvs.write(&etag, &[("latest".to_string(), "9.9.9".to_string())], &[]))
        .unwrap_err();
    assert!(matches!(err, KvsError::Changed { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("someone else changed the KeyValueStore")
    );
    assert_eq!(
        state(&stub)["items"],
        serde_json::json!({"latest": "1.0.0"})
    );
    // Every request was signed with SigV4A (the stub refuses anything else with 403).
    assert!(state(&stub)["requests"].as_array().unwrap().len() >= 8);
}
