//! The storage contract every backend must pass: put/get/head/list/copy/delete and the
//! preconditions the release state depends on. Each backend's test file calls [`run_all`]
//! against a real server (or, for the local store, a real directory).

#![allow(
    dead_code,
    reason = "each backend's test binary runs the contracts of its own ports"
)]

pub mod allowlist;
pub mod cdn;

use bytes::Bytes;
use shipdeck::store::{Condition, Headers, ObjectStore, StoreError};

fn h(ct: &str, cc: &str) -> Headers {
    Headers {
        content_type: ct.into(),
        cache_control: cc.into(),
    }
}

/// Runs every contract check under `root` (a fresh, empty key prefix).
pub async fn run_all(store: &dyn ObjectStore, root: &str) {
    put_get_head(store, root).await;
    list_is_recursive_sorted_and_prefix_exact(store, root).await;
    copy_replaces_headers_and_keeps_content(store, root).await;
    delete_is_idempotent(store, root).await;
    create_only_and_compare_and_swap(store, root).await;
    missing_objects(store, root).await;
    impossible_keys(store, root).await;
}

/// A key a backend can never hold is refused by `check_key` (what plans ask before writing),
/// and reads or deletes of it answer "not there" instead of failing, so an operation that
/// recorded such a key can always be reverted.
async fn impossible_keys(s: &dyn ObjectStore, root: &str) {
    let ok = format!("{root}v1.0.0/msr-webchat.umd.js");
    s.check_key(&ok).expect("an ordinary key is fine");
    // Over every backend's limit: S3's 1,024 bytes, a file system's 255 per name.
    let long = format!("{root}v1.2.0-{}/msr-webchat.umd.js", "a".repeat(1100));
    match s.check_key(&long) {
        Err(StoreError::InvalidKey { reason, key, .. }) => {
            assert!(reason.contains("at most"), "the limit is named: {reason}");
            assert!(key.chars().count() < 100, "the key is shortened: {key}");
        }
        other => panic!("an over-long key must be refused by check_key: {other:?}"),
    }
    assert!(s.get(&long).await.unwrap().is_none());
    assert!(s.head(&long).await.unwrap().is_none());
    s.delete(&long).await.unwrap();
}

async fn put_get_head(s: &dyn ObjectStore, root: &str) {
    let key = format!("{root}a/b/file.js");
    let meta = s
        .put(
            &key,
            Bytes::from_static(b"console.log(1)"),
            &h("text/javascript; charset=utf-8", "public, max-age=60"),
            &Condition::None,
        )
        .await
        .unwrap();
    assert_eq!(meta.size, 14);
    assert!(!meta.etag.is_empty());
    let got = s.get(&key).await.unwrap().expect("object exists");
    assert_eq!(&got.body[..], b"console.log(1)");
    assert_eq!(
        got.meta.etag, meta.etag,
        "get returns the ETag put returned"
    );
    let head = s.head(&key).await.unwrap().expect("head finds it");
    assert_eq!(head.size, 14);
    assert_eq!(
        head.content_type.as_deref(),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(head.cache_control.as_deref(), Some("public, max-age=60"));
    // Overwrite changes the ETag.
    let m2 = s
        .put(
            &key,
            Bytes::from_static(b"console.log(2)"),
            &h("text/javascript; charset=utf-8", "x"),
            &Condition::None,
        )
        .await
        .unwrap();
    assert_ne!(m2.etag, meta.etag);
}

async fn list_is_recursive_sorted_and_prefix_exact(s: &dyn ObjectStore, root: &str) {
    for k in [
        "l/v1/z.js",
        "l/v1/a.css",
        "l/v1/sub/c.map",
        "l/v1.0/x.js",
        "l/v10/y.js",
    ] {
        s.put(
            &format!("{root}{k}"),
            Bytes::from(k.to_string()),
            &h("text/plain", "c"),
            &Condition::None,
        )
        .await
        .unwrap();
    }
    let keys: Vec<String> = s
        .list(&format!("{root}l/v1/"))
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.key)
        .collect();
    assert_eq!(
        keys,
        vec![
            format!("{root}l/v1/a.css"),
            format!("{root}l/v1/sub/c.map"),
            format!("{root}l/v1/z.js")
        ],
        "list is recursive, sorted, and 'v1/' does not match 'v1.0/' or 'v10/'"
    );
    let all = s.list(&format!("{root}l/")).await.unwrap();
    assert_eq!(all.len(), 5);
    assert!(all.iter().all(|m| m.size > 0));
    assert!(
        s.list(&format!("{root}nothing-here/"))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn copy_replaces_headers_and_keeps_content(s: &dyn ObjectStore, root: &str) {
    let src = format!("{root}c/v1.0.0/app.umd.js");
    let dst = format!("{root}c/latest/app.umd.js");
    s.put(
        &src,
        Bytes::from_static(b"umd"),
        &h(
            "text/javascript; charset=utf-8",
            "public, immutable, max-age=31536000",
        ),
        &Condition::None,
    )
    .await
    .unwrap();
    let copied = s
        .copy(
            &src,
            &dst,
            &h("text/javascript; charset=utf-8", "public, max-age=300"),
        )
        .await
        .unwrap();
    let dst_meta = s.head(&dst).await.unwrap().unwrap();
    assert_eq!(dst_meta.size, 3);
    assert!(
        copied.is_some(),
        "a copy reports the new object's content id"
    );
    assert_eq!(
        copied, dst_meta.content_id,
        "the content id a copy reports is the one the store lists"
    );

    let got = s.get(&dst).await.unwrap().unwrap();
    assert_eq!(&got.body[..], b"umd");
    let head = s.head(&dst).await.unwrap().unwrap();
    assert_eq!(
        head.cache_control.as_deref(),
        Some("public, max-age=300"),
        "copy sets the alias cache header"
    );
    assert_eq!(
        head.content_type.as_deref(),
        Some("text/javascript; charset=utf-8"),
        "copy keeps an explicit content type"
    );
    let src_meta = s.head(&src).await.unwrap().unwrap();
    assert_eq!(
        src_meta.cache_control.as_deref(),
        Some("public, immutable, max-age=31536000"),
        "the source is untouched"
    );
    let listed = s.list(&format!("{root}c/")).await.unwrap();
    let ids: Vec<_> = listed.iter().map(|m| m.content_id.clone()).collect();
    assert!(
        ids[0].is_some() && ids[0] == ids[1],
        "equal content has equal content ids: {ids:?}"
    );
    assert!(
        s.copy(&format!("{root}c/missing.js"), &dst, &h("a", "b"))
            .await
            .is_err()
    );
}

async fn delete_is_idempotent(s: &dyn ObjectStore, root: &str) {
    let key = format!("{root}d/x.txt");
    s.put(
        &key,
        Bytes::from_static(b"x"),
        &h("text/plain", "c"),
        &Condition::None,
    )
    .await
    .unwrap();
    s.delete(&key).await.unwrap();
    assert!(s.get(&key).await.unwrap().is_none());
    s.delete(&key).await.unwrap();
    assert!(s.list(&format!("{root}d/")).await.unwrap().is_empty());
}

async fn create_only_and_compare_and_swap(s: &dyn ObjectStore, root: &str) {
    let key = format!("{root}p/state.json");
    let json = h("application/json", "no-store");
    let first = s
        .put(
            &key,
            Bytes::from_static(b"{\"n\":1}"),
            &json,
            &Condition::IfAbsent,
        )
        .await
        .unwrap();
    let again = s
        .put(
            &key,
            Bytes::from_static(b"{\"n\":9}"),
            &json,
            &Condition::IfAbsent,
        )
        .await;
    assert!(
        matches!(again, Err(StoreError::PreconditionFailed { .. })),
        "create-only refuses an existing key: {again:?}"
    );
    let second = s
        .put(
            &key,
            Bytes::from_static(b"{\"n\":2}"),
            &json,
            &Condition::IfMatch(first.etag.clone()),
        )
        .await
        .unwrap();
    let stale = s
        .put(
            &key,
            Bytes::from_static(b"{\"n\":3}"),
            &json,
            &Condition::IfMatch(first.etag.clone()),
        )
        .await;
    assert!(
        matches!(stale, Err(StoreError::PreconditionFailed { .. })),
        "a stale ETag is refused: {stale:?}"
    );
    let got = s.get(&key).await.unwrap().unwrap();
    assert_eq!(
        &got.body[..],
        b"{\"n\":2}",
        "the refused writes changed nothing"
    );
    assert_eq!(got.meta.etag, second.etag);
    let missing = s
        .put(
            &format!("{root}p/none.json"),
            Bytes::from_static(b"{}"),
            &json,
            &Condition::IfMatch(first.etag),
        )
        .await;
    assert!(
        matches!(missing, Err(StoreError::PreconditionFailed { .. })),
        "If-Match on a missing key fails: {missing:?}"
    );
}

async fn missing_objects(s: &dyn ObjectStore, root: &str) {
    assert!(s.get(&format!("{root}nope.js")).await.unwrap().is_none());
    assert!(s.head(&format!("{root}nope.js")).await.unwrap().is_none());
}
