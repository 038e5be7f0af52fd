//! The CloudFront KeyValueStore data plane (aws-sdk-cloudfrontkeyvaluestore): the keys of edge
//! aliases, one per alias (see `domain::edge_alias`). Every write is one `UpdateKeys` call that
//! carries the store's ETag (`If-Match`), so two managers cannot lose each other's update: a
//! stale ETag is [`KvsError::Changed`], the same "someone else changed it" as the release
//! store's precondition.
//!
//! The data plane signs with SigV4A and has endpoint rules of its own (the account id becomes
//! part of the host, `{account}.cloudfront-kvs.global.api.aws`, even for an endpoint override).
//! A configured `endpoint` therefore replaces the rules whole, for a stand-in server.

use super::alias_keys::{AliasKeys, KeysError as KvsError, KeysSnapshot as KvsSnapshot};
use crate::adapters::aws::{AwsSettings, Service, explain, sdk_config};
use async_trait::async_trait;
use aws_sdk_cloudfrontkeyvaluestore::Client;
use aws_sdk_cloudfrontkeyvaluestore::config::endpoint::{
    Endpoint, EndpointFuture, Params, ResolveEndpoint,
};
use aws_sdk_cloudfrontkeyvaluestore::error::{BuildError, ProvideErrorMetadata, SdkError};
use aws_sdk_cloudfrontkeyvaluestore::types::{DeleteKeyRequestListItem, PutKeyRequestListItem};
use aws_smithy_types::endpoint::EndpointAuthScheme;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One endpoint for every call, signed with SigV4A for every region, as AWS's own rules sign.
#[derive(Debug)]
struct Fixed(String);

impl ResolveEndpoint for Fixed {
    fn resolve_endpoint<'a>(&'a self, _: &'a Params) -> EndpointFuture<'a> {
        EndpointFuture::ready(Ok(Endpoint::builder()
            .url(self.0.clone())
            .auth_scheme(
                EndpointAuthScheme::with_capacity("sigv4a", 2)
                    .put("signingName", "cloudfront-keyvaluestore".to_string())
                    .put("signingRegionSet", vec!["*".to_string().into()]),
            )
            .build()))
    }
}

pub struct Kvs {
    client: Client,
    arn: String,
    settings: AwsSettings,
}

impl Kvs {
    /// A client for the store `arn`; `endpoint` replaces AWS's endpoint rules.
    pub async fn connect(arn: &str, endpoint: Option<&str>, settings: AwsSettings) -> Kvs {
        let sdk = sdk_config(&settings).await;
        let mut b = aws_sdk_cloudfrontkeyvaluestore::config::Builder::from(&sdk);
        if let Some(ep) = endpoint {
            b = b.endpoint_resolver(Fixed(ep.trim_end_matches('/').to_string()));
        }
        Kvs {
            client: Client::from_conf(b.build()),
            arn: arn.to_string(),
            settings,
        }
    }

    fn error<E, R>(&self, e: SdkError<E, R>) -> KvsError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        if e.code() == Some("ConflictException") {
            return KvsError::Changed {
                store: self.describe(),
            };
        }
        KvsError::Call {
            store: self.describe(),
            cause: explain(&e, &self.settings, Service::KeyValueStore),
            source: Some(Arc::new(e)),
        }
    }

    /// The store's ETag now.
    async fn etag(&self) -> Result<String, KvsError> {
        let d = self
            .client
            .describe_key_value_store()
            .kvs_arn(&self.arn)
            .send()
            .await
            .map_err(|e| self.error(e))?;
        Ok(d.e_tag().to_string())
    }

    fn built(&self, e: BuildError) -> KvsError {
        KvsError::Call {
            store: self.describe(),
            cause: format!("the request could not be built: {e}"),
            source: Some(Arc::new(e)),
        }
    }
}

#[async_trait]
impl AliasKeys for Kvs {
    fn describe(&self) -> String {
        format!("KeyValueStore {}", self.arn)
    }

    fn canary(&self) -> bool {
        true
    }

    fn purges_aliases(&self) -> bool {
        false
    }

    /// Every key and value, with the ETag of this state.
    async fn read(&self) -> Result<KvsSnapshot, KvsError> {
        let etag = self.etag().await?;
        let mut items = BTreeMap::new();
        let mut next: Option<String> = None;
        loop {
            let page = self
                .client
                .list_keys()
                .kvs_arn(&self.arn)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| self.error(e))?;
            for i in page.items() {
                items.insert(i.key().to_string(), i.value().to_string());
            }
            match page.next_token() {
                Some(t) if !t.is_empty() => next = Some(t.to_string()),
                _ => break,
            }
        }
        Ok(KvsSnapshot { etag, items })
    }

    /// Only `keys` (those that exist), with the ETag read before them: one call per key, so a
    /// rollback of one alias reads two calls and writes one. A write between the ETag and the
    /// keys makes the later write refused as stale, never lost.
    async fn read_keys(&self, keys: &[String]) -> Result<KvsSnapshot, KvsError> {
        let etag = self.etag().await?;
        let mut items = BTreeMap::new();
        for key in keys {
            match self
                .client
                .get_key()
                .kvs_arn(&self.arn)
                .key(key)
                .send()
                .await
            {
                Ok(out) => {
                    items.insert(key.clone(), out.value().to_string());
                }
                Err(e) if e.code() == Some("ResourceNotFoundException") => {}
                Err(e) => return Err(self.error(e)),
            }
        }
        Ok(KvsSnapshot { etag, items })
    }

    /// Puts and deletes keys in one call, if the store is still at `etag`; the new ETag.
    async fn write(
        &self,
        etag: &str,
        puts: &[(String, String)],
        deletes: &[String],
    ) -> Result<String, KvsError> {
        let put =
            |(k, v): &(String, String)| PutKeyRequestListItem::builder().key(k).value(v).build();
        let del = |k: &String| DeleteKeyRequestListItem::builder().key(k).build();
        let puts = puts
            .iter()
            .map(put)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.built(e))?;
        let deletes = deletes
            .iter()
            .map(del)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.built(e))?;
        let out = self
            .client
            .update_keys()
            .kvs_arn(&self.arn)
            .if_match(etag)
            .set_puts((!puts.is_empty()).then_some(puts))
            .set_deletes((!deletes.is_empty()).then_some(deletes))
            .send()
            .await
            .map_err(|e| self.error(e))?;
        Ok(out.e_tag().to_string())
    }
}
