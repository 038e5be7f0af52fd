//! The local store passes the shared storage contract.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod contract;

use shipdeck::store::ObjectStore;
use shipdeck::store::local::LocalStore;

#[tokio::test]
async fn local_store_passes_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    contract::run_all(&store, "").await;
    contract::run_all(&store, "with-prefix/").await;
    // Published folders hold exactly the objects, no sidecars.
    let names: Vec<_> = std::fs::read_dir(dir.path().join("c/latest"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("app.umd.js")]);
}

/// "No CDN" passes the CDN contract too: nothing to invalidate, said as an error, never faked.
#[tokio::test]
async fn no_cdn_passes_the_cdn_contract() {
    for skipped in [false, true] {
        let none = shipdeck::cdn::NoCdn {
            path_prefix: "/msr-webchat".into(),
            skipped,
        };
        contract::cdn::run_all(&none, "/msr-webchat").await;
    }
}

#[tokio::test]
async fn local_store_refuses_keys_that_escape_its_root() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    let h = shipdeck::store::Headers::default();
    for key in ["../escape", "/abs", "a/../../b", "dir/"] {
        let e = store.check_key(key).unwrap_err().to_string();
        assert!(e.contains("not a valid object key"), "{key}: {e}");
        let e = store
            .put(
                key,
                bytes::Bytes::from_static(b"x"),
                &h,
                &shipdeck::store::Condition::None,
            )
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a valid object key"), "{key}: {e}");
        // Reading such a key touches nothing outside the root: it is simply not there.
        assert!(store.get(key).await.unwrap().is_none(), "{key}");
    }
    assert!(!dir.path().parent().unwrap().join("escape").exists());
}

#[tokio::test]
async fn local_store_sees_files_changed_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    let h = shipdeck::store::Headers {
        content_type: "text/plain".into(),
        cache_control: "c".into(),
    };
    let m = store
        .put(
            "x.txt",
            bytes::Bytes::from_static(b"one"),
            &h,
            &shipdeck::store::Condition::None,
        )
        .await
        .unwrap();
    std::fs::write(dir.path().join("x.txt"), b"two").unwrap();
    // Coarse file-system clocks can give the edit the same mtime as the put; make it distinct.
    let f = std::fs::File::options()
        .write(true)
        .open(dir.path().join("x.txt"))
        .unwrap();
    f.set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(86_400))
        .unwrap();
    let now = store.head("x.txt").await.unwrap().unwrap();
    assert_ne!(now.etag, m.etag, "a same-size hand edit changes the ETag");
    assert_eq!(
        now.content_id.as_deref(),
        Some(shipdeck::domain::manifest::sha256_hex(b"two").as_str())
    );
}
