//! A store wrapper that fails every write after the first N: the way Shipdeck's tests kill an
//! operation at every possible point and prove that `resume` finishes it.
//!
//! This is a test instrument, not a mock: it forwards to a real store and only refuses writes.
//! The CLI enables it with the hidden `SHIPDECK_FAIL_AFTER_WRITES` variable so end-to-end tests
//! can stop the real binary mid-operation.

use super::{Condition, Headers, Object, ObjectMeta, ObjectStore, StoreError};
use async_trait::async_trait;
use bytes::Bytes;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct FaultyStore {
    inner: Arc<dyn ObjectStore>,
    allowed: usize,
    done: AtomicUsize,
}

impl FaultyStore {
    pub fn new(inner: Arc<dyn ObjectStore>, allowed_writes: usize) -> Self {
        FaultyStore {
            inner,
            allowed: allowed_writes,
            done: AtomicUsize::new(0),
        }
    }

    /// Writes that went through so far.
    pub fn writes(&self) -> usize {
        self.done.load(Ordering::SeqCst).min(self.allowed)
    }

    fn gate(&self, key: &str) -> Result<(), StoreError> {
        if self.done.fetch_add(1, Ordering::SeqCst) >= self.allowed {
            return Err(StoreError::Failed {
                store: self.inner.describe(),
                key: key.to_string(),
                cause: "injected failure (the connection was cut)".into(),
            });
        }
        Ok(())
    }
}

#[async_trait]
impl ObjectStore for FaultyStore {
    fn describe(&self) -> String {
        self.inner.describe()
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
        self.gate(key)?;
        self.inner.put(key, body, headers, condition).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>, StoreError> {
        self.inner.list(prefix).await
    }
    async fn copy(&self, from: &str, to: &str, headers: &Headers) -> Result<(), StoreError> {
        self.gate(to)?;
        self.inner.copy(from, to, headers).await
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.gate(key)?;
        self.inner.delete(key).await
    }
}
