//! The profile's KeyValueStore of edge aliases: `cdn = { kind = "cloudfront", …, edge = {
//! kvs_arn, endpoint } }`, with the profile's AWS credentials (keyring, then the AWS chain).

use super::Session;
use super::credentials::aws_settings;
use crate::cdn::kvs::Kvs;
use crate::config::CdnConfig;
use crate::error::{ProfileGap, Result};

pub async fn edge_keys(s: &Session) -> Result<Kvs> {
    let Some(CdnConfig::Cloudfront {
        edge: Some(edge), ..
    }) = &s.profile.cdn
    else {
        return Err(ProfileGap::NoEdgeKeys {
            profile: s.profile_name.clone(),
        }
        .into());
    };
    // The data plane is global; its endpoint rules ignore the region.
    let settings = aws_settings(&s.profile_name, "us-east-1", None).await?;
    Ok(Kvs::connect(&edge.kvs_arn, edge.endpoint.as_deref(), settings).await)
}
