//! A store wrapper that fails every write after the first N: the way Shipdeck's tests kill an
//! operation at every possible point and prove that `resume` finishes it. It can also garble
//! server-side copies (the copy lands other bytes, as a racing hand-run sync would leave), to
//! prove that a change notices from the store's answers and that `repair` fixes it.
//!
//! This is a test instrument, not a mock: it forwards to a real store and only refuses or
//! garbles writes. It is compiled only with the `test-faults` feature (which the test command
//! turns on); then the hidden `SHIPDECK_FAIL_AFTER_WRITES` and `SHIPDECK_GARBLE_COPIES`
//! variables enable it, so end-to-end tests can drive the real binary. A release build has
//! neither the code nor the variables.

use super::{Condition, Headers, Object, ObjectMeta, ObjectStore, StoreError};
use async_trait::async_trait;
use bytes::Bytes;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct FaultyStore {
    inner: Arc<dyn ObjectStore>,
    allowed: usize,
    done: AtomicUsize,
    garble_copies: bool,
    /// Writes (puts and copies) to keys containing this fail every time: a write that can
    /// never succeed, whatever is retried.
    failing: Option<String>,
}

impl FaultyStore {
    pub fn new(inner: Arc<dyn ObjectStore>, allowed_writes: usize) -> Self {
        FaultyStore {
            inner,
            allowed: allowed_writes,
            done: AtomicUsize::new(0),
            garble_copies: false,
            failing: None,
        }
    }

    /// A store on which every put or copy to a key containing `part` fails, every time.
    pub fn failing_keys(inner: Arc<dyn ObjectStore>, part: &str) -> Self {
        FaultyStore {
            failing: Some(part.to_string()),
            ..FaultyStore::new(inner, usize::MAX)
        }
    }

    /// A store whose server-side copies write other bytes than the source's.
    pub fn garbling_copies(inner: Arc<dyn ObjectStore>) -> Self {
        FaultyStore {
            garble_copies: true,
            ..FaultyStore::new(inner, usize::MAX)
        }
    }

    /// Writes that went through so far.
    pub fn writes(&self) -> usize {
        self.done.load(Ordering::SeqCst).min(self.allowed)
    }

    fn gate_write(&self, key: &str) -> Result<(), StoreError> {
        if let Some(part) = &self.failing
            && key.contains(part.as_str())
        {
            return Err(StoreError::failed(
                self.inner.describe(),
                key,
                "injected permanent failure (this key can never be written)",
                None,
            ));
        }
        self.gate(key)
    }

    fn gate(&self, key: &str) -> Result<(), StoreError> {
        if self.done.fetch_add(1, Ordering::SeqCst) >= self.allowed {
            return Err(StoreError::failed(
                self.inner.describe(),
                key,
                "injected failure (the connection was cut)",
                None,
            ));
        }
        Ok(())
    }
}

#[async_trait]
impl ObjectStore for FaultyStore {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn check_key(&self, key: &str) -> Result<(), StoreError> {
        self.inner.check_key(key)
    }
    async fn get(&self, key: &str) -> Result<Option<Object>, StoreError> {
        self.inner.get(key).await
    }
    async fn head(&self, key: &str) -> Result<Option<ObjectMeta>, StoreError> {
        self.inner.head(key).await
    }
    async fn put(
        &self,
        key: &str,
        body: Bytes,
        headers: &Headers,
        condition: &Condition,
    ) -> Result<ObjectMeta, StoreError> {
        self.gate_write(key)?;
        self.inner.put(key, body, headers, condition).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>, StoreError> {
        self.inner.list(prefix).await
    }
    async fn copy(
        &self,
        from: &str,
        to: &str,
        headers: &Headers,
    ) -> Result<Option<String>, StoreError> {
        self.gate_write(to)?;
        if self.garble_copies {
            let body = Bytes::from(format!("/* not {from} */\n"));
            let meta = self.inner.put(to, body, headers, &Condition::None).await?;
            return Ok(meta.content_id);
        }
        self.inner.copy(from, to, headers).await
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.gate(key)?;
        self.inner.delete(key).await
    }
}
