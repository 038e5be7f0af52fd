//! The profile's edge aliases: `cdn = { kind = "cloudfront", …, edge = { name, kvs_arn,
//! endpoint } }`, with the profile's AWS credentials (keyring, then the AWS chain): the
//! KeyValueStore's data plane for the keys, the control plane for `edge setup`, and the function
//! source both deploy and print.

use super::Session;
use super::credentials::aws_settings;
use crate::adapters::arm::Arm;
use crate::cdn::alias_keys::AliasKeys;
use crate::cdn::edge_control::EdgeControl;
use crate::cdn::frontdoor_rules::{FrontDoorRules, RuleSet};
use crate::cdn::kvs::Kvs;
use crate::config::{CdnConfig, EdgeKeysConfig, Profile};
use crate::domain::edge_alias::cloudfront::{Functions, Inputs, functions};
use crate::domain::manifest::ALIAS_CACHE;
use crate::error::{ProfileGap, Result};
use std::sync::Arc;

/// The URL path edge aliases are served under: the CDN's path prefix, default the store's.
fn url_prefix(profile: &Profile) -> &str {
    profile
        .cdn
        .as_ref()
        .and_then(CdnConfig::path_prefix)
        .unwrap_or_else(|| profile.store.prefix())
}

/// The alias `Cache-Control` browsers get under an alias URL.
fn alias_cache_control(profile: &Profile) -> &str {
    profile
        .alias_cache_control
        .as_deref()
        .unwrap_or(ALIAS_CACHE)
}

/// The functions `edge code` prints and `edge setup` deploys, from the profile alone: they
/// rewrite under the CDN's path prefix (default: the store's prefix).
pub fn function_code(profile: &Profile) -> Functions {
    functions(&Inputs {
        prefix: url_prefix(profile),
        alias_cache_control: alias_cache_control(profile),
    })
}

/// The profile's edge settings: (distribution, endpoint, edge table), or the sentence saying
/// how to add them.
fn edge_config(s: &Session) -> Result<(&str, Option<&str>, &EdgeKeysConfig)> {
    match &s.profile.cdn {
        Some(CdnConfig::Cloudfront {
            distribution_id,
            endpoint,
            edge: Some(edge),
            ..
        }) => Ok((distribution_id, endpoint.as_deref(), edge)),
        _ => Err(ProfileGap::NoEdgeKeys {
            profile: s.profile_name.clone(),
        }
        .into()),
    }
}

/// The name of the KeyValueStore and the functions' base.
pub fn setup_name(distribution_id: &str, edge: &EdgeKeysConfig) -> String {
    edge.name
        .clone()
        .unwrap_or_else(|| format!("shipdeck-{distribution_id}"))
}

/// The control plane, the setup's name and the configured KeyValueStore ARN.
pub async fn edge_control(s: &Session) -> Result<(EdgeControl, String, Option<String>)> {
    let (distribution, endpoint, edge) = edge_config(s)?;
    let mut settings = aws_settings(&s.profile_name, "us-east-1", None).await?;
    if let Some(ep) = endpoint {
        settings.endpoint = Some(ep.to_string());
    }
    let control = EdgeControl::connect(distribution, settings).await;
    Ok((
        control,
        setup_name(distribution, edge),
        edge.kvs_arn.clone(),
    ))
}

/// The profile's edge aliases: a CloudFront KeyValueStore, or a Front Door rule set.
pub async fn edge_keys(s: &Session) -> Result<Arc<dyn AliasKeys>> {
    if let Some(CdnConfig::Frontdoor(c)) = &s.profile.cdn
        && let Some(edge) = &c.edge
    {
        let arm = Arm::new(
            c.management_endpoint.as_deref(),
            super::context::arm_credential(&s.profile_name, None).await,
            &s.profile_name,
        );
        let at = RuleSet {
            subscription: c.subscription.clone(),
            resource_group: c.resource_group.clone(),
            profile: c.profile.clone(),
            rule_set: edge.rule_set.clone(),
        };
        return Ok(Arc::new(FrontDoorRules::new(
            arm,
            at,
            url_prefix(&s.profile),
            alias_cache_control(&s.profile),
        )));
    }
    let (_, _, edge) = edge_config(s)?;
    let arn = match &edge.kvs_arn {
        Some(arn) => arn.clone(),
        None => {
            let (control, name, _) = edge_control(s).await?;
            control
                .kvs_arn(&name)
                .await?
                .ok_or(ProfileGap::NoEdgeStore { name })?
        }
    };
    // The data plane is global; its endpoint rules ignore the region.
    let settings = aws_settings(&s.profile_name, "us-east-1", None).await?;
    Ok(Arc::new(
        Kvs::connect(&arn, edge.endpoint.as_deref(), settings).await,
    ))
}
