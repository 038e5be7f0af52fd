//! The checks each configuration value passes as it is read (bucket and account names,
//! regions, key prefixes, endpoints, URLs, waits, header values), so a wrong value is an error
//! at its line and key, with the fix, before any command runs.

use super::MAX_CONCURRENCY;
use serde::Deserialize;

pub(super) fn primary() -> String {
    "primary".into()
}

pub(super) fn athena_name<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<String, D::Error> {
    let v = String::deserialize(d)?;
    if !crate::domain::traffic::athena::valid_name(&v) {
        return Err(serde::de::Error::custom(format!(
            "\"{}\" is not an Athena name; use letters, digits and '_'",
            v.escape_debug()
        )));
    }
    Ok(v)
}

pub(super) fn frontdoor_logs_container() -> String {
    "insights-logs-frontdooraccesslog".into()
}

pub(super) fn opt_region<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    region_name(d).map(Some)
}

pub(super) fn header_value<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    let v = String::deserialize(d)?;
    crate::domain::manifest::check_header_value(&v).map_err(serde::de::Error::custom)?;
    Ok(Some(v))
}

pub(super) fn concurrency<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<usize>, D::Error> {
    let v = i64::deserialize(d)?;
    if !(1..=MAX_CONCURRENCY as i64).contains(&v) {
        return Err(serde::de::Error::custom(format!(
            "{v} is out of range; use 1 to {MAX_CONCURRENCY} object operations at once"
        )));
    }
    Ok(usize::try_from(v).ok())
}

pub(super) fn wait<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<std::time::Duration>, D::Error> {
    let v = String::deserialize(d)?;
    crate::domain::edge::parse_wait(&v)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

pub(super) fn public_url<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    let v = String::deserialize(d)?;
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"));
    let host = rest.and_then(|r| r.split('/').next()).unwrap_or("");
    if rest.is_none() || host.is_empty() || v.contains(char::is_whitespace) {
        return Err(serde::de::Error::custom(format!(
            "\"{}\" is not a public URL; use the URL of the published prefix, e.g. https://cdn.example.com/msr-webchat",
            v.escape_debug()
        )));
    }
    if host.contains('@') || v.contains('?') || v.contains('#') {
        return Err(serde::de::Error::custom(
            "the public URL carries a user, a query or a fragment; browsers fetch it without credentials, so write only https://HOST/PATH",
        ));
    }
    Ok(Some(v.trim_end_matches('/').to_string()))
}

pub(super) fn bucket_name<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<String, D::Error> {
    let v = String::deserialize(d)?;
    let ok_chars = v
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
    let ok_ends = v.starts_with(|c: char| c.is_ascii_alphanumeric())
        && v.ends_with(|c: char| c.is_ascii_alphanumeric());
    if !(3..=63).contains(&v.len()) || !ok_chars || !ok_ends {
        return Err(serde::de::Error::custom(format!(
            "\"{}\" is not an S3 bucket name; bucket names have 3 to 63 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
            v.escape_debug()
        )));
    }
    Ok(v)
}

pub(super) fn region_name<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<String, D::Error> {
    let v = String::deserialize(d)?;
    if v.is_empty()
        || !v
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(serde::de::Error::custom(format!(
            "\"{}\" is not an AWS region; use a name such as us-east-1",
            v.escape_debug()
        )));
    }
    Ok(v)
}

pub(super) fn key_prefix<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<String, D::Error> {
    let v = String::deserialize(d)?;
    crate::domain::layout::check_prefix(&v).map_err(serde::de::Error::custom)?;
    Ok(v)
}

pub(super) fn azure_account<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<String, D::Error> {
    let v = String::deserialize(d)?;
    let ok = (3..=24).contains(&v.len())
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !ok {
        return Err(serde::de::Error::custom(format!(
            "\"{}\" is not an Azure storage account name; account names have 3 to 24 lower-case letters and digits",
            v.escape_debug()
        )));
    }
    Ok(v)
}

pub(super) fn azure_container<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<String, D::Error> {
    let v = String::deserialize(d)?;
    let ok = (3..=63).contains(&v.len())
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && v.starts_with(|c: char| c.is_ascii_alphanumeric())
        && v.ends_with(|c: char| c.is_ascii_alphanumeric())
        && !v.contains("--");
    if !ok {
        return Err(serde::de::Error::custom(format!(
            "\"{}\" is not an Azure container name; container names have 3 to 63 lower-case letters, digits and single '-', starting and ending with a letter or digit",
            v.escape_debug()
        )));
    }
    Ok(v)
}

pub(super) fn endpoint_url<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    let v = String::deserialize(d)?;
    if !(v.starts_with("https://") || v.starts_with("http://")) || v.contains(char::is_whitespace) {
        return Err(serde::de::Error::custom(format!(
            "\"{}\" is not an endpoint URL; use e.g. https://msrwebchat.blob.core.windows.net or http://127.0.0.1:10000/devstoreaccount1",
            v.escape_debug()
        )));
    }
    if v.contains('?') {
        return Err(serde::de::Error::custom(
            "the endpoint has a query string; a SAS token is a credential: store it with `shipdeck login`, never in the config",
        ));
    }
    Ok(Some(v))
}

/// A CloudFront KeyValueStore ARN: `arn:PARTITION:cloudfront::ACCOUNT:key-value-store/ID`.
pub(super) fn kvs_arn<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    let v = String::deserialize(d)?;
    let parts: Vec<&str> = v.split(':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "cloudfront"
        && parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && parts[5].strip_prefix("key-value-store/").is_some_and(|id| {
            !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !ok {
        return Err(serde::de::Error::custom(format!(
            "\"{}\" is not a KeyValueStore ARN; use the ARN `aws cloudfront describe-key-value-store --name NAME` prints, e.g. arn:aws:cloudfront::123456789012:key-value-store/0d6f6a04-2a6a-4c3e-a9b1-2f4b5c6d7e8f",
            v.escape_debug()
        )));
    }
    Ok(Some(v))
}

/// The name of the edge aliases' KeyValueStore and the base of its functions' names.
pub(super) fn edge_name<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    let v = String::deserialize(d)?;
    crate::domain::edge_alias::setup::check_name(&v).map_err(serde::de::Error::custom)?;
    Ok(Some(v))
}

pub(super) fn sentry_url() -> String {
    "https://sentry.io".into()
}

pub(super) fn production() -> String {
    "production".into()
}

pub(super) fn latest() -> String {
    "latest".into()
}

pub(super) fn release_template() -> String {
    "{version}".into()
}

/// A base URL (Sentry's): http(s), no whitespace, no query.
pub(super) fn url<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    let v = String::deserialize(d)?;
    let ok = reqwest::Url::parse(&v)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.query().is_none());
    if !ok || v.contains(char::is_whitespace) {
        return Err(serde::de::Error::custom(format!(
            "\"{}\" is not a base URL; use e.g. https://sentry.io or https://sentry.example.com",
            v.escape_debug()
        )));
    }
    Ok(v.trim_end_matches('/').to_string())
}

/// An organization or project slug as Sentry makes them.
pub(super) fn sentry_slug<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<String, D::Error> {
    let v = String::deserialize(d)?;
    let ok = !v.is_empty()
        && v.len() <= 100
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_'));
    if !ok {
        return Err(serde::de::Error::custom(format!(
            "\"{}\" is not a Sentry slug; use the lowercase name in the project's URL, e.g. \"acme\" or \"webchat\"",
            v.escape_debug()
        )));
    }
    Ok(v)
}

pub(super) fn release_template_checked<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<String, D::Error> {
    let v = String::deserialize(d)?;
    let ok = v.contains("{version}")
        && !v.contains(|c: char| c.is_whitespace() || c.is_control() || c == '/')
        && v.len() <= 150;
    if !ok {
        return Err(serde::de::Error::custom(format!(
            "\"{}\" is not a release name template; it needs {{version}} and no spaces or slashes, e.g. \"webchat@{{version}}\"",
            v.escape_debug()
        )));
    }
    Ok(v)
}

pub(super) fn allowed_name() -> String {
    "ALLOWED_ORIGINS".into()
}

pub(super) fn github_repo<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<String, D::Error> {
    let v = String::deserialize(d)?;
    let ok_part = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match v.split_once('/') {
        Some((o, r)) if ok_part(o) && ok_part(r) => Ok(v),
        _ => Err(serde::de::Error::custom(format!(
            "\"{}\" is not a GitHub repository; write it as OWNER/NAME, e.g. \"org/msr-event-agent-bridge\"",
            v.escape_debug()
        ))),
    }
}

pub(super) fn alert_rules<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<crate::domain::alert::Rule>, D::Error> {
    Vec::<crate::domain::alert::RuleFile>::deserialize(d)?
        .into_iter()
        .map(|r| r.check().map_err(serde::de::Error::custom))
        .collect()
}

/// A Front Door rule set's name: a letter, then letters and digits (at most 60).
pub(super) fn rule_set_name<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<String, D::Error> {
    let v = String::deserialize(d)?;
    let ok = v.len() <= 60
        && v.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && v.chars().all(|c| c.is_ascii_alphanumeric());
    if !ok {
        return Err(serde::de::Error::custom(format!(
            "\"{}\" is not a Front Door rule set name; use a letter, then up to 59 letters and digits (e.g. shipdeckaliases)",
            v.escape_debug()
        )));
    }
    Ok(v)
}
