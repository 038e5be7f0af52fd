//! The S3 store (aws-sdk-s3): any bucket, or an S3-compatible server with `endpoint` (then
//! path-style addressing).
//!
//! Every call has bounded waits (connect 5 s, each attempt 8 s, the whole operation 20 s with
//! up to 3 attempts and backoff for throttling and 5xx), so a server that stops answering gives
//! a clear timeout instead of a hang. Errors are one sentence naming the bucket, the key and the
//! cause, never an SDK debug dump.

use super::{Condition, Headers, Object, ObjectMeta, ObjectStore, StoreError};
use crate::adapters::aws::{AwsSettings, Service, explain, sdk_config};
use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::MetadataDirective;
use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use std::sync::Arc;

/// The longest key S3 accepts, in bytes.
const MAX_KEY_BYTES: usize = 1024;

/// Characters escaped in a copy source: everything but unreserved characters and `/`.
const COPY_SOURCE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

pub struct S3Store {
    client: Client,
    bucket: String,
    settings: AwsSettings,
}

impl S3Store {
    pub async fn connect(bucket: &str, settings: AwsSettings) -> S3Store {
        let sdk = sdk_config(&settings).await;
        let mut b = aws_sdk_s3::config::Builder::from(&sdk);
        if let Some(ep) = &settings.endpoint {
            b = b.endpoint_url(ep).force_path_style(true);
        }
        S3Store {
            client: Client::from_conf(b.build()),
            bucket: bucket.to_string(),
            settings,
        }
    }

    fn fail<E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static>(
        &self,
        key: &str,
        e: SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
    ) -> StoreError {
        let status = e.raw_response().map(|r| r.status().as_u16());
        if status == Some(412) {
            return StoreError::PreconditionFailed {
                key: key.to_string(),
            };
        }
        let cause = explain(&e, &self.settings, Service::S3);
        StoreError::failed(self.describe(), key, cause, Some(Arc::new(e)))
    }
}

fn trim_etag(t: &str) -> String {
    t.trim_matches('"').to_string()
}

#[async_trait]
impl ObjectStore for S3Store {
    fn check_key(&self, key: &str) -> Result<(), StoreError> {
        // S3 keys are at most 1,024 bytes of UTF-8.
        if key.len() > MAX_KEY_BYTES {
            return Err(StoreError::InvalidKey {
                store: self.describe(),
                key: super::shown_key(key),
                reason: format!(
                    "it is {} bytes long and S3 keys hold at most {MAX_KEY_BYTES}; use a shorter version or file name",
                    key.len()
                ),
            });
        }
        Ok(())
    }

    fn describe(&self) -> String {
        match &self.settings.endpoint {
            Some(ep) => format!("s3://{} at {ep}", self.bucket),
            None => format!("s3://{}", self.bucket),
        }
    }

    async fn get(&self, key: &str) -> Result<Option<Object>, StoreError> {
        // A key S3 can never hold is not in the bucket.
        if self.check_key(key).is_err() {
            return Ok(None);
        }
        let r = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await;
        let out = match r {
            Ok(o) => o,
            Err(e) if e.raw_response().map(|r| r.status().as_u16()) == Some(404) => {
                return Ok(None);
            }
            Err(e) => return Err(self.fail(key, e)),
        };
        let etag = out.e_tag().map(trim_etag).unwrap_or_default();
        let meta = ObjectMeta {
            key: key.to_string(),
            size: out.content_length().unwrap_or(0).max(0) as u64,
            content_id: Some(etag.clone()),
            etag,
            content_type: out.content_type().map(str::to_string),
            cache_control: out.cache_control().map(str::to_string),
        };
        let body = out.body.collect().await.map_err(|e| {
            let cause = format!("the download was cut off ({e}); try again");
            StoreError::failed(self.describe(), key, cause, Some(Arc::new(e)))
        })?;
        Ok(Some(Object {
            meta,
            body: body.into_bytes(),
        }))
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectMeta>, StoreError> {
        if self.check_key(key).is_err() {
            return Ok(None);
        }
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(o) => {
                let etag = o.e_tag().map(trim_etag).unwrap_or_default();
                Ok(Some(ObjectMeta {
                    key: key.to_string(),
                    size: o.content_length().unwrap_or(0).max(0) as u64,
                    content_id: Some(etag.clone()),
                    etag,
                    content_type: o.content_type().map(str::to_string),
                    cache_control: o.cache_control().map(str::to_string),
                }))
            }
            Err(e) if e.raw_response().map(|r| r.status().as_u16()) == Some(404) => Ok(None),
            Err(e) => Err(self.fail(key, e)),
        }
    }

    async fn put(
        &self,
        key: &str,
        body: Bytes,
        headers: &Headers,
        condition: &Condition,
    ) -> Result<ObjectMeta, StoreError> {
        let size = body.len() as u64;
        let mut req = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(ByteStream::from(body))
            .content_type(&headers.content_type)
            .cache_control(&headers.cache_control);
        req = match condition {
            Condition::None => req,
            Condition::IfAbsent => req.if_none_match("*"),
            Condition::IfMatch(t) => req.if_match(format!("\"{t}\"")),
        };
        let out = match req.send().await {
            Ok(o) => o,
            // S3 answers If-Match on a missing key with 404 NoSuchKey: a failed precondition too.
            Err(e)
                if matches!(condition, Condition::IfMatch(_))
                    && e.raw_response().map(|r| r.status().as_u16()) == Some(404) =>
            {
                return Err(StoreError::PreconditionFailed {
                    key: key.to_string(),
                });
            }
            Err(e) => return Err(self.fail(key, e)),
        };
        let etag = out.e_tag().map(trim_etag).unwrap_or_default();
        Ok(ObjectMeta {
            key: key.to_string(),
            size,

            content_id: Some(etag.clone()),
            etag,
            content_type: Some(headers.content_type.clone()),
            cache_control: Some(headers.cache_control.clone()),
        })
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>, StoreError> {
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.fail(prefix, e))?;
            for o in page.contents() {
                let etag = o.e_tag().map(trim_etag).unwrap_or_default();
                out.push(ObjectMeta {
                    key: o.key().unwrap_or_default().to_string(),
                    size: o.size().unwrap_or(0).max(0) as u64,
                    content_id: Some(etag.clone()),
                    etag,
                    content_type: None,
                    cache_control: None,
                });
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    async fn copy(
        &self,
        from: &str,
        to: &str,
        headers: &Headers,
    ) -> Result<Option<String>, StoreError> {
        let source = format!("{}/{}", self.bucket, utf8_percent_encode(from, COPY_SOURCE));
        let out = self
            .client
            .copy_object()
            .bucket(&self.bucket)
            .key(to)
            .copy_source(source)
            // Replacing metadata must set both headers, or Content-Type becomes binary/octet-stream.
            .metadata_directive(MetadataDirective::Replace)
            .content_type(&headers.content_type)
            .cache_control(&headers.cache_control)
            .send()
            .await
            .map_err(|e| self.fail(to, e))?;
        // A single-part copy's ETag is the MD5 of the content, as the source's is.
        Ok(out
            .copy_object_result()
            .and_then(|r| r.e_tag())
            .map(trim_etag))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        if self.check_key(key).is_err() {
            return Ok(());
        }
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| self.fail(key, e))?;
        Ok(())
    }
}
