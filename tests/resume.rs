//! Interrupting an operation at every possible write, then finishing it: the in-flight record,
//! `resume`, re-running the same command, `resume --revert`, the lock left behind, and the
//! conflict between two managers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use shipdeck::domain::alias::AliasName;
use shipdeck::domain::change::Request;
use shipdeck::domain::history::Operation;
use shipdeck::error::Error;
use shipdeck::ops::publish::{PublishRequest, plan_publish};
use shipdeck::ops::{Context, Silent, apply::apply, change, query, records, verify};
use shipdeck::store::ObjectStore;
use shipdeck::store::faulty::FaultyStore;
use shipdeck::store::local::LocalStore;
use std::path::Path;
use std::sync::Arc;

fn ctx(store: Arc<dyn ObjectStore>) -> Context {
    common::context(store)
}

fn local(root: &Path) -> Context {
    ctx(Arc::new(LocalStore::create(root).unwrap()))
}

fn faulty(root: &Path, n: usize) -> Context {
    ctx(Arc::new(FaultyStore::new(
        Arc::new(LocalStore::create(root).unwrap()),
        n,
    )))
}

async fn publish(c: &Context, env: &common::Env, v: &str, promote: bool) {
    let dir = env.widget(v);
    let plan = plan_publish(
        c,
        &PublishRequest {
            dir,
            version: None,
            promote,
            commit: None,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    apply(c, &plan, Operation::Publish, &Silent).await.unwrap();
}

async fn all_verified(c: &Context) {
    let results = verify::verify(c, &[]).await.unwrap();
    let problems: Vec<&String> = results.iter().flat_map(|r| &r.problems).collect();
    assert!(problems.is_empty(), "verify found: {problems:?}");
}

async fn target(c: &Context, alias: &str) -> Option<String> {
    query::releases(c)
        .await
        .unwrap()
        .aliases
        .into_iter()
        .find(|a| a.name.to_string() == alias)
        .map(|a| a.target.to_string())
}

#[tokio::test]
async fn a_promote_killed_after_any_write_is_finished_by_resume_or_rerun() {
    let env = common::Env::new();
    let mut completed = false;
    for n in 0..100 {
        let root = env.path().join(format!("store-{n}"));
        let good = local(&root);
        publish(&good, &env, "1.0.0", true).await;
        publish(&good, &env, "1.1.0", false).await;
        let req = Request::Promote {
            version: "1.1.0".parse().unwrap(),
            alias: None,
        };
        let bad = faulty(&root, n);
        let plan = change::plan_change(&bad, &req).await.unwrap();
        match apply(&bad, &plan, Operation::Promote, &Silent).await {
            Ok(_) => {
                completed = true;
                assert!(
                    n > 10,
                    "a promote of 7 files to 3 aliases takes more than {n} writes"
                );
                break;
            }
            Err(e) => assert!(e.to_string().contains("injected failure"), "n={n}: {e}"),
        }
        let (state, _) = records::load_state(&good).await.unwrap();
        if let Some(f) = &state.in_flight {
            // Another change is refused with a pointer to resume.
            let other = Request::Yank {
                version: "1.0.0".parse().unwrap(),
                reason: "x".into(),
            };
            let e = change::plan_change(&good, &other).await.unwrap_err();
            assert!(matches!(e, Error::Unfinished { .. }), "n={n}: {e}");
            assert!(e.to_string().contains("shipdeck resume"), "{e}");
            assert_eq!(f.description, "promote 1.1.0");
            // Even/odd: `resume`, or re-running the same command.
            let plan = if n % 2 == 0 {
                change::plan_resume(&good, false).await.unwrap()
            } else {
                change::plan_change(&good, &req).await.unwrap()
            };
            apply(&good, &plan, Operation::Resume, &Silent)
                .await
                .unwrap_or_else(|e| panic!("n={n}: resume failed: {e}"));
        } else {
            // Failed before anything was recorded: nothing changed, and the same command works.
            assert_eq!(
                target(&good, "latest").await.as_deref(),
                Some("1.0.0"),
                "n={n}"
            );
            let plan = change::plan_change(&good, &req).await.unwrap();
            apply(&good, &plan, Operation::Promote, &Silent)
                .await
                .unwrap();
        }
        assert!(
            records::load_state(&good)
                .await
                .unwrap()
                .0
                .in_flight
                .is_none(),
            "n={n}"
        );
        for a in ["latest", "v1", "v1.1"] {
            assert_eq!(
                target(&good, a).await.as_deref(),
                Some("1.1.0"),
                "n={n} alias {a}"
            );
        }
        all_verified(&good).await;
    }
    assert!(
        completed,
        "the loop reached a write count where the promote completes"
    );
}

#[tokio::test]
async fn a_publish_killed_midway_is_finished_or_reverted() {
    let env = common::Env::new();
    let dist = env.widget("2.1.0");
    for n in [0usize, 1, 3, 6, 8, 9, 12] {
        for revert in [false, true] {
            let root = env.path().join(format!("pub-{n}-{revert}"));
            let good = local(&root);
            publish(&good, &env, "2.0.0", true).await;
            let bad = faulty(&root, n);
            let req = PublishRequest {
                dir: dist.clone(),
                version: None,
                promote: true,
                commit: None,
                ..Default::default()
            };
            let plan = plan_publish(&bad, &req).await.unwrap();
            if apply(&bad, &plan, Operation::Publish, &Silent)
                .await
                .is_ok()
            {
                continue;
            }
            let recorded = records::load_state(&good)
                .await
                .unwrap()
                .0
                .in_flight
                .is_some();
            if !recorded {
                continue;
            }
            let plan = change::plan_resume(&good, revert).await.unwrap();
            apply(&good, &plan, Operation::Resume, &Silent)
                .await
                .unwrap_or_else(|e| panic!("n={n} revert={revert}: {e}"));
            let view = query::releases(&good).await.unwrap();
            if revert {
                assert!(
                    view.versions
                        .iter()
                        .all(|v| v.version.to_string() != "2.1.0"),
                    "n={n}: reverted publish is gone"
                );
                assert!(
                    good.store.list("v2.1.0/").await.unwrap().is_empty(),
                    "n={n}: partial upload removed"
                );
                assert!(
                    records::load_manifest(&good, &"2.1.0".parse().unwrap())
                        .await
                        .unwrap()
                        .is_none()
                );
                assert_eq!(target(&good, "latest").await.as_deref(), Some("2.0.0"));
            } else {
                assert_eq!(
                    target(&good, "latest").await.as_deref(),
                    Some("2.1.0"),
                    "n={n}"
                );
            }
            all_verified(&good).await;
        }
    }
}

#[tokio::test]
async fn a_resume_whose_build_folder_is_gone_says_how_to_revert() {
    let env = common::Env::new();
    let root = env.path().join("gone");
    let good = local(&root);
    let dist = env.build("tmp-build", "3.0.0", &common::widget_files("3.0.0", 1));
    let bad = faulty(&root, 3);
    let plan = plan_publish(
        &bad,
        &PublishRequest {
            dir: dist.clone(),
            version: None,
            promote: false,
            commit: None,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        apply(&bad, &plan, Operation::Publish, &Silent)
            .await
            .is_err()
    );
    std::fs::remove_dir_all(&dist).unwrap();
    let e = change::plan_resume(&good, false)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("cannot finish publishing 3.0.0") && e.contains("resume --revert"),
        "{e}"
    );
    let plan = change::plan_resume(&good, true).await.unwrap();
    apply(&good, &plan, Operation::Revert, &Silent)
        .await
        .unwrap();
    assert!(good.store.list("v3.0.0/").await.unwrap().is_empty());
    assert!(
        records::load_state(&good)
            .await
            .unwrap()
            .0
            .in_flight
            .is_none()
    );
}

#[tokio::test]
async fn a_second_manager_is_refused_while_the_state_changed_under_the_plan() {
    let env = common::Env::new();
    let root = env.path().join("race");
    let a = local(&root);
    publish(&a, &env, "1.0.0", true).await;
    publish(&a, &env, "1.0.1", true).await;
    let mut b = local(&root);
    b.actor = "bob".into();
    // Both plan against the same state; the first apply wins, the second is refused untouched.
    let plan_a = change::plan_change(
        &a,
        &Request::Rollback {
            alias: AliasName::Latest,
            to: None,
        },
    )
    .await
    .unwrap();
    let plan_b = change::plan_change(
        &b,
        &Request::Yank {
            version: "1.0.0".parse().unwrap(),
            reason: "bad".into(),
        },
    )
    .await
    .unwrap();
    apply(&a, &plan_a, Operation::Rollback, &Silent)
        .await
        .unwrap();
    let e = apply(&b, &plan_b, Operation::Yank, &Silent)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Conflict), "{e}");
    assert!(
        e.to_string()
            .contains("someone else changed the release state — reload and retry")
    );
    let view = query::releases(&a).await.unwrap();
    assert!(
        view.versions.iter().all(|v| !v.yanked()),
        "bob's yank was not committed"
    );
    assert_eq!(target(&a, "latest").await.as_deref(), Some("1.0.0"));
}

/// A store whose writes finish on a thread that keeps going when their future is dropped (as
/// the local store's blocking-pool writes do), slowly, and whose writes to one key always fail.
/// A hand-written test double: no real server lets a test choose which write is slow.
struct SlowDetached {
    inner: Arc<dyn ObjectStore>,
    failing: &'static str,
}

#[async_trait::async_trait]
impl ObjectStore for SlowDetached {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn check_key(&self, key: &str) -> Result<(), shipdeck::store::StoreError> {
        self.inner.check_key(key)
    }
    async fn get(
        &self,
        key: &str,
    ) -> Result<Option<shipdeck::store::Object>, shipdeck::store::StoreError> {
        self.inner.get(key).await
    }
    async fn head(
        &self,
        key: &str,
    ) -> Result<Option<shipdeck::store::ObjectMeta>, shipdeck::store::StoreError> {
        self.inner.head(key).await
    }
    async fn put(
        &self,
        key: &str,
        body: bytes::Bytes,
        headers: &shipdeck::store::Headers,
        condition: &shipdeck::store::Condition,
    ) -> Result<shipdeck::store::ObjectMeta, shipdeck::store::StoreError> {
        if key.ends_with(self.failing) {
            return Err(shipdeck::store::StoreError::failed(
                "slow", key, "refused", None,
            ));
        }
        if !key.starts_with("v9.") {
            return self.inner.put(key, body, headers, condition).await;
        }
        let (inner, key, headers, condition) = (
            self.inner.clone(),
            key.to_string(),
            headers.clone(),
            condition.clone(),
        );
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(150)).await;
            inner.put(&key, body, &headers, &condition).await
        })
        .await
        .map_err(|e| shipdeck::store::StoreError::failed("slow", "", e.to_string(), None))?
    }
    async fn list(
        &self,
        prefix: &str,
    ) -> Result<Vec<shipdeck::store::ObjectMeta>, shipdeck::store::StoreError> {
        self.inner.list(prefix).await
    }
    async fn copy(
        &self,
        from: &str,
        to: &str,
        headers: &shipdeck::store::Headers,
    ) -> Result<Option<String>, shipdeck::store::StoreError> {
        self.inner.copy(from, to, headers).await
    }
    async fn delete(&self, key: &str) -> Result<(), shipdeck::store::StoreError> {
        self.inner.delete(key).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_write_lands_after_a_failed_apply_returns() {
    let env = common::Env::new();
    let root = env.path().join("late");
    let plain = local(&root);
    let slow = ctx(Arc::new(SlowDetached {
        inner: plain.store.clone(),
        failing: "v9.0.0/style.css",
    }));
    let dir = env.widget("9.0.0");
    let plan = plan_publish(
        &slow,
        &PublishRequest {
            dir,
            version: None,
            promote: false,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        apply(&slow, &plan, Operation::Publish, &Silent)
            .await
            .is_err()
    );
    // Whatever the failed apply started has landed by the time it returned: nothing more
    // appears afterwards, so a revert started now sees every file it must remove.
    let after_error = slow.store.list("v9.0.0/").await.unwrap().len();
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let later = slow.store.list("v9.0.0/").await.unwrap().len();
    assert_eq!(
        after_error, later,
        "a write landed after apply reported failure"
    );
    let plan = change::plan_resume(&plain, true).await.unwrap();
    apply(&plain, &plan, Operation::Revert, &Silent)
        .await
        .unwrap();
    assert!(plain.store.list("v9.0.0/").await.unwrap().is_empty());
}
