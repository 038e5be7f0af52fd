//! AWS plumbing shared by the S3 store and the CloudFront CDN: connection settings, the SDK
//! config with Shipdeck's timeouts and retries, and the one sentence an SDK error becomes.
//!
//! It lives here, beside both adapters rather than inside one, so that adapters never borrow
//! from each other: `store/s3.rs` and `cdn/cloudfront.rs` each depend only on this module.

use crate::credentials::AwsKeys;
use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
// The smithy types every AWS SDK crate re-exports (the same types for S3 and CloudFront).
use aws_sdk_s3::config::{Credentials, Region};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use std::time::Duration;

/// Connection settings of one profile's AWS services.
#[derive(Clone, Debug)]
pub struct AwsSettings {
    pub region: String,
    pub endpoint: Option<String>,
    /// Keys from the OS keyring; `None` uses the standard AWS chain.
    pub keys: Option<AwsKeys>,
    /// Which profile, for "run shipdeck login --profile P" hints.
    pub profile: String,
}

/// Loads an SDK config with Shipdeck's timeouts, retries and credentials.
pub async fn sdk_config(s: &AwsSettings) -> aws_config::SdkConfig {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .operation_attempt_timeout(Duration::from_secs(8))
        .operation_timeout(Duration::from_secs(20))
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(s.region.clone()))
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(3));
    if let Some(k) = &s.keys {
        loader = loader.credentials_provider(Credentials::new(
            k.access_key_id.clone(),
            k.secret_access_key.expose().to_string(),
            None,
            None,
            "shipdeck-keyring",
        ));
    }
    loader.load().await
}

/// The AWS service a request went to, so an error names the right one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    S3,
    CloudFront,
    Athena,
    CloudWatch,
    KeyValueStore,
}

impl Service {
    fn name(self) -> &'static str {
        match self {
            Service::S3 => "S3",
            Service::CloudFront => "CloudFront",
            Service::Athena => "Athena",
            Service::CloudWatch => "CloudWatch",
            Service::KeyValueStore => "the CloudFront KeyValueStore",
        }
    }
}

/// One sentence for an SDK error of `service`: what happened and what to do.
pub fn explain<E: ProvideErrorMetadata + std::error::Error + 'static, R: std::fmt::Debug>(
    e: &SdkError<E, R>,
    s: &AwsSettings,
    service: Service,
) -> String {
    let chain = {
        let mut parts = vec![e.to_string()];
        let mut src = std::error::Error::source(e);
        while let Some(x) = src {
            parts.push(x.to_string());
            src = x.source();
        }
        parts.join(": ")
    };
    let login = format!(
        "run `shipdeck login --profile {}`, or set AWS_PROFILE (then `aws sso login`) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY",
        s.profile
    );
    let name = service.name();
    let endpoint = s
        .endpoint
        .clone()
        .unwrap_or_else(|| format!("{name} in {}", s.region));
    match e {
        SdkError::TimeoutError(_) => format!(
            "timed out: {endpoint} did not answer within 20 s (3 attempts); check the network, then `shipdeck resume` if a change was under way"
        ),
        SdkError::ServiceError(se) => service_error(se.err(), service, &login),
        SdkError::DispatchFailure(d) if d.is_timeout() => format!(
            "timed out connecting to {endpoint}; check the network, then `shipdeck resume` if a change was under way"
        ),
        SdkError::DispatchFailure(d) if d.is_io() => format!(
            "cannot connect to {endpoint} ({}); is the endpoint right and reachable?",
            last(&chain)
        ),
        _ if chain.to_lowercase().contains("credential") => {
            format!("no usable AWS credentials ({}); {login}", last(&chain))
        }
        _ => format!("the request failed: {}", last(&chain)),
    }
}

fn service_error(err: &dyn ProvideErrorMetadata, service: Service, login: &str) -> String {
    let code = err.code().unwrap_or("");
    let msg = err.message().unwrap_or("");
    let name = service.name();
    match code {
        "ExpiredToken" | "TokenRefreshRequired" | "RequestExpired" => {
            format!("the AWS session has expired; {login}")
        }
        "InvalidAccessKeyId" | "SignatureDoesNotMatch" => {
            format!("the AWS credentials were refused ({code}); {login}")
        }
        "AccessDenied" => format!(
            "access denied: these credentials may not do this on {name} ({msg}); check the IAM policy"
        ),
        "NoSuchBucket" => {
            "the bucket does not exist; check `bucket` and `region` in the profile".into()
        }
        "NoSuchDistribution" => {
            "the distribution does not exist; check `distribution_id` in the profile's cdn".into()
        }
        "" => format!("{name} answered an error without a code; try again, and check the endpoint"),
        _ if msg.is_empty() => format!("{name} answered {code}"),
        _ => format!("{name} answered {code}: {msg}"),
    }
}

fn last(chain: &str) -> &str {
    chain.rsplit(": ").next().unwrap_or(chain)
}
