//! The allowlist as a JSON document in the profile's store (`{"allowed": [...], "additional":
//! [...]}`), written with a precondition like the release state, for Bridges that read their
//! list from storage instead of a `.env`.

use super::{Allowlist, AllowlistSource, Edit};
use super::{AllowlistError, Result};
use crate::store::{Condition, Headers, ObjectStore, StoreError};
use async_trait::async_trait;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub struct ObjectSource {
    pub store: Arc<dyn ObjectStore>,
    pub key: String,
}

#[derive(Serialize, Deserialize, Default)]
struct Doc {
    #[serde(default)]
    allowed: Vec<String>,
    #[serde(default)]
    additional: Vec<String>,
}

#[async_trait]
impl AllowlistSource for ObjectSource {
    fn describe(&self) -> String {
        format!("{} '{}'", self.store.describe(), self.key)
    }

    async fn load(&self) -> Result<Allowlist> {
        match self.store.get(&self.key).await? {
            None => Ok(Allowlist {
                allowed: vec![],
                additional: vec![],
                version: None,
                text: None,
                ..Default::default()
            }),
            Some(obj) => {
                let doc: Doc =
                    serde_json::from_slice(&obj.body).map_err(|e| AllowlistError::NotJson {
                        key: self.key.clone(),
                        reason: e.to_string(),
                    })?;
                Ok(Allowlist {
                    allowed: doc.allowed,
                    additional: doc.additional,
                    version: Some(obj.meta.etag),
                    text: None,
                    ..Default::default()
                })
            }
        }
    }

    fn preview(&self, list: &Allowlist, edit: &Edit) -> Result<(Allowlist, Vec<(String, String)>)> {
        Ok(super::preview_lists(list, edit))
    }

    async fn save(&self, base: &Allowlist, next: &Allowlist) -> Result<()> {
        let body = serde_json::to_vec_pretty(&Doc {
            allowed: next.allowed.clone(),
            additional: next.additional.clone(),
        })
        .map_err(|e| AllowlistError::NotJson {
            key: self.key.clone(),
            reason: e.to_string(),
        })?;
        let cond = match &base.version {
            Some(t) => Condition::IfMatch(t.clone()),
            None => Condition::IfAbsent,
        };
        let headers = Headers {
            content_type: "application/json".into(),
            cache_control: "no-store".into(),
        };
        match self
            .store
            .put(&self.key, Bytes::from(body), &headers, &cond)
            .await
        {
            Ok(_) => Ok(()),
            Err(StoreError::PreconditionFailed { .. }) => Err(AllowlistError::Changed {
                place: format!("the allowlist '{}'", self.key),
            }),
            Err(e) => Err(e.into()),
        }
    }
}
