//! The CloudFront control plane of edge aliases (aws-sdk-cloudfront): the KeyValueStore by name,
//! the two functions (create, update, test, publish, with their ETags) and the distribution's
//! function associations. `ops::edge_setup` reads the state through [`EdgeControl::seen`],
//! lets `domain::edge_alias::setup` plan, and runs the steps here one call each.
//!
//! A call the endpoint does not implement (an HTTP 404, 405 or 501 with no AWS error code, as a
//! partial CloudFront stand-in answers) is [`CdnError`] with a cause that names the call, so a
//! setup against such an endpoint stops with one sentence after what it could do was done.

use super::CdnError;
use crate::adapters::aws::{AwsSettings, Service, explain, sdk_config};
use crate::domain::edge_alias::setup::{Role, Seen, SeenBehaviour, SeenFunction, is_function};
use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::config::http::HttpResponse;
use aws_sdk_cloudfront::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudfront::operation::describe_function::DescribeFunctionOutput;
use aws_sdk_cloudfront::primitives::Blob;
use aws_sdk_cloudfront::types::{
    CacheBehavior, DefaultCacheBehavior, EventType, FunctionAssociation, FunctionAssociations,
    FunctionConfig, FunctionRuntime, FunctionStage, KeyValueStoreAssociation,
    KeyValueStoreAssociations,
};
use std::sync::Arc;

pub struct EdgeControl {
    client: Client,
    distribution_id: String,
    settings: AwsSettings,
}

/// The comment setup gives what it creates, so a console user knows where it came from.
const COMMENT: &str = "Shipdeck edge aliases (shipdeck edge setup)";

impl EdgeControl {
    pub async fn connect(distribution_id: &str, settings: AwsSettings) -> EdgeControl {
        let sdk = sdk_config(&settings).await;
        let mut b = aws_sdk_cloudfront::config::Builder::from(&sdk);
        if let Some(ep) = &settings.endpoint {
            b = b.endpoint_url(ep);
        }
        EdgeControl {
            client: Client::from_conf(b.build()),
            distribution_id: distribution_id.into(),
            settings,
        }
    }

    pub fn describe(&self) -> String {
        format!("CloudFront distribution {}", self.distribution_id)
    }

    fn error<E>(&self, call: &str, e: SdkError<E, HttpResponse>) -> CdnError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let status = e.raw_response().map(|r| r.status().as_u16());
        let cause = match status {
            Some(s @ (404 | 405 | 501)) if e.code().is_none() => format!(
                "{call} is not implemented by this endpoint (HTTP {s} with no AWS error code); run `shipdeck edge setup` against CloudFront itself to finish"
            ),
            _ => format!(
                "{call}: {}",
                explain(&e, &self.settings, Service::CloudFront)
            ),
        };
        CdnError {
            cdn: self.describe(),
            cause,
            source: Some(Arc::new(e)),
        }
    }

    fn refused(&self, cause: String) -> CdnError {
        CdnError {
            cdn: self.describe(),
            cause,
            source: None,
        }
    }

    /// The ARN of the KeyValueStore named `name`, if there is one.
    pub async fn kvs_arn(&self, name: &str) -> Result<Option<String>, CdnError> {
        match self
            .client
            .describe_key_value_store()
            .name(name)
            .send()
            .await
        {
            Ok(out) => Ok(out.key_value_store().map(|k| k.arn().to_string())),
            Err(e) if e.code() == Some("EntityNotFound") => Ok(None),
            Err(e) => Err(self.error("DescribeKeyValueStore", e)),
        }
    }

    /// Creates the KeyValueStore `name`; its ARN.
    pub async fn create_kvs(&self, name: &str) -> Result<String, CdnError> {
        let out = self
            .client
            .create_key_value_store()
            .name(name)
            .comment(COMMENT)
            .send()
            .await
            .map_err(|e| self.error("CreateKeyValueStore", e))?;
        out.key_value_store()
            .map(|k| k.arn().to_string())
            .ok_or_else(|| self.refused("CreateKeyValueStore returned no store".into()))
    }

    /// `DescribeFunction` of one stage; `None` when there is no such function (or stage).
    async fn describe_stage(
        &self,
        name: &str,
        stage: FunctionStage,
    ) -> Result<Option<DescribeFunctionOutput>, CdnError> {
        match self
            .client
            .describe_function()
            .name(name)
            .stage(stage)
            .send()
            .await
        {
            Ok(d) => Ok(Some(d)),
            Err(e) if e.code() == Some("NoSuchFunctionExists") => Ok(None),
            Err(e) => Err(self.error("DescribeFunction", e)),
        }
    }

    /// The function `name` as CloudFront has it: both stages' code and its stores; `None`
    /// when there is no such function.
    pub async fn function(&self, name: &str) -> Result<Option<SeenFunction>, CdnError> {
        let Some(dev) = self
            .describe_stage(name, FunctionStage::Development)
            .await?
        else {
            return Ok(None);
        };
        let kvs_arns = dev
            .function_summary()
            .and_then(|s| s.function_config())
            .and_then(|c| c.key_value_store_associations())
            .map(|a| {
                a.items()
                    .iter()
                    .map(|i| i.key_value_store_arn().to_string())
                    .collect()
            })
            .unwrap_or_default();
        let development_code = self
            .code(name, FunctionStage::Development)
            .await?
            .unwrap_or_default();
        // A function never published has no LIVE stage; a stand-in that ignores the stage
        // answers with DEVELOPMENT, which is not LIVE either.
        let live = self
            .describe_stage(name, FunctionStage::Live)
            .await?
            .and_then(|d| {
                d.function_summary()
                    .and_then(|s| s.function_metadata())
                    .and_then(|m| m.stage().cloned())
            })
            .is_some_and(|s| s == FunctionStage::Live);
        let live_code = if live {
            self.code(name, FunctionStage::Live).await?
        } else {
            None
        };
        Ok(Some(SeenFunction {
            development_code,
            kvs_arns,
            live_code,
        }))
    }

    async fn code(&self, name: &str, stage: FunctionStage) -> Result<Option<String>, CdnError> {
        match self
            .client
            .get_function()
            .name(name)
            .stage(stage)
            .send()
            .await
        {
            Ok(out) => Ok(out
                .function_code()
                .map(|b| String::from_utf8_lossy(b.as_ref()).into_owned())),
            Err(e) if e.code() == Some("NoSuchFunctionExists") => Ok(None),
            Err(e) => Err(self.error("GetFunction", e)),
        }
    }

    /// The DEVELOPMENT stage's ETag, which every write names.
    async fn etag(&self, name: &str) -> Result<String, CdnError> {
        let d = self
            .describe_stage(name, FunctionStage::Development)
            .await?
            .ok_or_else(|| self.refused(format!("the function {name} is gone")))?;
        Ok(d.e_tag().unwrap_or_default().to_string())
    }

    fn config(&self, kvs_arn: Option<&str>) -> Result<FunctionConfig, CdnError> {
        let associations = match kvs_arn {
            Some(arn) => Some(
                KeyValueStoreAssociations::builder()
                    .quantity(1)
                    .items(
                        KeyValueStoreAssociation::builder()
                            .key_value_store_arn(arn)
                            .build()
                            .map_err(|e| self.refused(format!("bad association: {e}")))?,
                    )
                    .build()
                    .map_err(|e| self.refused(format!("bad association: {e}")))?,
            ),
            None => None,
        };
        FunctionConfig::builder()
            .comment(COMMENT)
            .runtime(FunctionRuntime::CloudfrontJs20)
            .set_key_value_store_associations(associations)
            .build()
            .map_err(|e| self.refused(format!("bad function configuration: {e}")))
    }

    /// Creates the function `name` (DEVELOPMENT stage) with `code`, reading `kvs_arn`.
    pub async fn create_function(
        &self,
        name: &str,
        code: &str,
        kvs_arn: Option<&str>,
    ) -> Result<(), CdnError> {
        self.client
            .create_function()
            .name(name)
            .function_config(self.config(kvs_arn)?)
            .function_code(Blob::new(code.as_bytes()))
            .send()
            .await
            .map_err(|e| self.error("CreateFunction", e))?;
        Ok(())
    }

    /// Replaces the DEVELOPMENT stage's code and store, if nobody changed it since its ETag.
    pub async fn update_function(
        &self,
        name: &str,
        code: &str,
        kvs_arn: Option<&str>,
    ) -> Result<(), CdnError> {
        let etag = self.etag(name).await?;
        self.client
            .update_function()
            .name(name)
            .if_match(etag)
            .function_config(self.config(kvs_arn)?)
            .function_code(Blob::new(code.as_bytes()))
            .send()
            .await
            .map_err(|e| self.error("UpdateFunction", e))?;
        Ok(())
    }

    /// Runs the DEVELOPMENT stage on `event`; an error the function raised refuses the step.
    pub async fn test_function(&self, name: &str, event: &str) -> Result<(), CdnError> {
        let etag = self.etag(name).await?;
        let out = self
            .client
            .test_function()
            .name(name)
            .if_match(etag)
            .stage(FunctionStage::Development)
            .event_object(Blob::new(event.as_bytes()))
            .send()
            .await
            .map_err(|e| self.error("TestFunction", e))?;
        match out.test_result().and_then(|r| r.function_error_message()) {
            Some(m) if !m.is_empty() => Err(self.refused(format!(
                "the function {name} failed its test on an alias request ({m}); nothing was published"
            ))),
            _ => Ok(()),
        }
    }

    /// Publishes the DEVELOPMENT stage to LIVE.
    pub async fn publish_function(&self, name: &str) -> Result<(), CdnError> {
        let etag = self.etag(name).await?;
        self.client
            .publish_function()
            .name(name)
            .if_match(etag)
            .send()
            .await
            .map_err(|e| self.error("PublishFunction", e))?;
        Ok(())
    }

    /// The distribution's behaviours as setup plans on them, path-pattern ones first in
    /// CloudFront's order, the default last.
    pub async fn behaviours(&self) -> Result<Vec<SeenBehaviour>, CdnError> {
        let out = self
            .client
            .get_distribution_config()
            .id(&self.distribution_id)
            .send()
            .await
            .map_err(|e| self.error("GetDistributionConfig", e))?;
        let Some(config) = out.distribution_config() else {
            return Err(self.refused("GetDistributionConfig returned no configuration".into()));
        };
        let mut seen: Vec<SeenBehaviour> = config
            .cache_behaviors()
            .map(|c| c.items())
            .unwrap_or_default()
            .iter()
            .map(|b| {
                seen_behaviour(
                    Some(b.path_pattern()),
                    b.function_associations(),
                    b.lambda_function_associations(),
                )
            })
            .collect();
        if let Some(d) = config.default_cache_behavior() {
            seen.push(seen_behaviour(
                None,
                d.function_associations(),
                d.lambda_function_associations(),
            ));
        }
        Ok(seen)
    }

    /// Adds the two functions (`arns`: request, response) to the behaviours at `indexes` (as
    /// [`EdgeControl::behaviours`] numbers them), in one update that names the configuration's
    /// ETag: a distribution someone else changed since is refused, not overwritten.
    pub async fn associate(
        &self,
        indexes: &[usize],
        function_names: [&str; 2],
        arns: [&str; 2],
    ) -> Result<(), CdnError> {
        let out = self
            .client
            .get_distribution_config()
            .id(&self.distribution_id)
            .send()
            .await
            .map_err(|e| self.error("GetDistributionConfig", e))?;
        let etag = out.e_tag().unwrap_or_default().to_string();
        let Some(mut config) = out.distribution_config().cloned() else {
            return Err(self.refused("GetDistributionConfig returned no configuration".into()));
        };
        let add =
            |current: Option<FunctionAssociations>| -> Result<FunctionAssociations, CdnError> {
                let mut items: Vec<FunctionAssociation> = current
                    .and_then(|c| c.items)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|a| {
                        !Role::ALL.iter().enumerate().any(|(i, r)| {
                            a.event_type.as_str() == r.event_type()
                                && is_function(&a.function_arn, function_names[i])
                        })
                    })
                    .collect();
                for (i, role) in Role::ALL.iter().enumerate() {
                    let event = match role {
                        Role::Request => EventType::ViewerRequest,
                        Role::Response => EventType::ViewerResponse,
                    };
                    items.push(
                        FunctionAssociation::builder()
                            .function_arn(arns[i])
                            .event_type(event)
                            .build()
                            .map_err(|e| self.refused(format!("bad association: {e}")))?,
                    );
                }
                FunctionAssociations::builder()
                    .quantity(i32::try_from(items.len()).unwrap_or(i32::MAX))
                    .set_items(Some(items))
                    .build()
                    .map_err(|e| self.refused(format!("bad association: {e}")))
            };
        let patterns = config
            .cache_behaviors
            .as_ref()
            .and_then(|c| c.items.as_ref())
            .map_or(0, Vec::len);
        for &i in indexes {
            if i < patterns {
                if let Some(b) = config
                    .cache_behaviors
                    .as_mut()
                    .and_then(|c| c.items.as_mut())
                    .and_then(|items| items.get_mut(i))
                {
                    let b: &mut CacheBehavior = b;
                    b.function_associations = Some(add(b.function_associations.take())?);
                }
            } else if let Some(d) = config.default_cache_behavior.as_mut() {
                let d: &mut DefaultCacheBehavior = d;
                d.function_associations = Some(add(d.function_associations.take())?);
            }
        }
        self.client
            .update_distribution()
            .id(&self.distribution_id)
            .if_match(etag)
            .distribution_config(config)
            .send()
            .await
            .map_err(|e| {
                if e.code() == Some("PreconditionFailed") {
                    self.refused(
                        "someone else changed the distribution's configuration since it was read; nothing was changed — run `shipdeck edge setup` again".into(),
                    )
                } else {
                    self.error("UpdateDistribution", e)
                }
            })?;
        Ok(())
    }

    /// The function's ARN (`DescribeFunction`'s metadata).
    pub async fn function_arn(&self, name: &str) -> Result<String, CdnError> {
        let d = self
            .describe_stage(name, FunctionStage::Live)
            .await?
            .ok_or_else(|| self.refused(format!("the function {name} is gone")))?;
        d.function_summary()
            .and_then(|s| s.function_metadata())
            .map(|m| m.function_arn().to_string())
            .ok_or_else(|| self.refused(format!("DescribeFunction gave no ARN for {name}")))
    }

    /// Everything setup plans on.
    pub async fn seen(&self, name: &str) -> Result<Seen, CdnError> {
        Ok(Seen {
            kvs_arn: self.kvs_arn(name).await?,
            request: self.function(&Role::Request.function_name(name)).await?,
            response: self.function(&Role::Response.function_name(name)).await?,
            behaviours: self.behaviours().await?,
        })
    }
}

fn seen_behaviour(
    pattern: Option<&str>,
    functions: Option<&FunctionAssociations>,
    lambdas: Option<&aws_sdk_cloudfront::types::LambdaFunctionAssociations>,
) -> SeenBehaviour {
    SeenBehaviour {
        pattern: pattern.map(str::to_string),
        functions: functions
            .map(|f| f.items())
            .unwrap_or_default()
            .iter()
            .map(|a| {
                (
                    a.event_type().as_str().to_string(),
                    a.function_arn().to_string(),
                )
            })
            .collect(),
        lambda_events: lambdas
            .map(|l| l.items())
            .unwrap_or_default()
            .iter()
            .map(|a| a.event_type().as_str().to_string())
            .collect(),
    }
}
