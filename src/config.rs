//! Configuration: named profiles in one TOML file, found by `--config`, `$SHIPDECK_CONFIG`,
//! `./shipdeck.toml` or the user's config dir — or, when there is none at all, the built-in demo
//! profile, so a newcomer sees real releases at once.
//!
//! A malformed file is reported with its path, line and key, because "invalid config" alone
//! sends people hunting. Credentials never live here.

use crate::error::Result;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The name of the built-in profile.
pub const DEMO_PROFILE: &str = "demo";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Name recorded in history and locks (default: the OS user).
    pub user: Option<String>,
    pub default_profile: Option<String>,
    /// TUI colour theme: `dark`, `light`, `high-contrast`, or a file name in the config dir.
    pub theme: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    /// TUI key binding overrides: action name → key (e.g. `promote = "P"`).
    #[serde(default)]
    pub keys: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub store: StoreConfig,
    #[serde(default)]
    pub cdn: Option<CdnConfig>,
    /// Public base URL of the published prefix (e.g. `https://cdn.example.com/msr-webchat`):
    /// embed snippets, `verify --edge` and the edge phase of every change fetch through it.
    #[serde(default, deserialize_with = "public_url")]
    pub public_url: Option<String>,
    /// How long a change waits for the edge to serve the moved aliases (`"5m"`); without it a
    /// change checks the edge once and does not wait.
    #[serde(default, deserialize_with = "wait")]
    pub confirm_edge: Option<std::time::Duration>,
    /// Production profiles get the stricter origin audit rules.
    #[serde(default)]
    pub production: bool,
    #[serde(default, deserialize_with = "header_value")]
    pub alias_cache_control: Option<String>,
    #[serde(default, deserialize_with = "concurrency")]
    pub concurrency: Option<usize>,
    pub bridge: Option<BridgeConfig>,
    /// The build files a publish requires (default: the widget's UMD and ES bundles and its
    /// stylesheet); `--allow-missing-entries` publishes without them.
    #[serde(default)]
    pub entry_files: Option<Vec<String>>,
    /// A usage file (see assets/usage.example.toml) for `cost` without `--usage` and for the
    /// Cost screen: the Bridge's stack, reference figures, traffic.
    pub usage: Option<PathBuf>,
    /// Where the CDN writes its access logs, for `traffic` and the Traffic screen.
    pub logs: Option<LogsConfig>,
}

impl Profile {
    /// The credentials this profile needs: its store's, or AWS's for a local store behind
    /// CloudFront (the invalidations are signed with them).
    pub fn needs(&self) -> crate::credentials::Needs {
        use crate::credentials::Needs;
        match (self.store.needs(), &self.cdn) {
            (Needs::Nothing, Some(CdnConfig::Cloudfront { .. })) => Needs::Aws,
            (n, _) => n,
        }
    }
}

/// Where a CDN's access logs are delivered.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum LogsConfig {
    /// CloudFront standard logs (legacy or v2) in an S3 bucket.
    Cloudfront {
        #[serde(deserialize_with = "bucket_name")]
        bucket: String,
        #[serde(default)]
        prefix: String,
        /// Default: the store's region, else us-east-1.
        #[serde(default, deserialize_with = "opt_region")]
        region: Option<String>,
        #[serde(default, deserialize_with = "endpoint_url")]
        endpoint: Option<String>,
        /// The standard CloudFront logs table in Athena, for `traffic --engine athena`.
        athena: Option<AthenaConfig>,
        /// Above this many MB of logs in a window, `traffic` suggests the Athena engine
        /// (default 500).
        athena_threshold_mb: Option<f64>,
    },
    /// Azure Front Door access logs (`FrontDoorAccessLog`) in a storage account.
    Frontdoor {
        #[serde(deserialize_with = "azure_account")]
        account: String,
        #[serde(
            default = "frontdoor_logs_container",
            deserialize_with = "azure_container"
        )]
        container: String,
        #[serde(default)]
        prefix: String,
        #[serde(default, deserialize_with = "endpoint_url")]
        endpoint: Option<String>,
    },
}

/// The Athena table over the CloudFront logs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AthenaConfig {
    #[serde(deserialize_with = "athena_name")]
    pub database: String,
    #[serde(deserialize_with = "athena_name")]
    pub table: String,
    #[serde(default = "primary")]
    pub workgroup: String,
    /// `s3://bucket/prefix/` for query results, when the workgroup does not set one.
    pub output: Option<String>,
}

fn primary() -> String {
    "primary".into()
}

fn athena_name<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    let v = String::deserialize(d)?;
    if !crate::domain::traffic::athena::valid_name(&v) {
        return Err(serde::de::Error::custom(format!(
            "\"{}\" is not an Athena name; use letters, digits and '_'",
            v.escape_debug()
        )));
    }
    Ok(v)
}

fn frontdoor_logs_container() -> String {
    "insights-logs-frontdooraccesslog".into()
}

fn opt_region<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    region_name(d).map(Some)
}

/// The most object operations at once a profile may ask for.
pub const MAX_CONCURRENCY: usize = 256;

// Checks done while the file is parsed, so a bad value is reported as FILE:LINE: key 'K'.

fn header_value<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    let v = String::deserialize(d)?;
    crate::domain::manifest::check_header_value(&v).map_err(serde::de::Error::custom)?;
    Ok(Some(v))
}

fn concurrency<'de, D: serde::Deserializer<'de>>(
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

fn wait<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<std::time::Duration>, D::Error> {
    let v = String::deserialize(d)?;
    crate::domain::edge::parse_wait(&v)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

fn public_url<'de, D: serde::Deserializer<'de>>(
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

fn bucket_name<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
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

fn region_name<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
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

fn key_prefix<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    let v = String::deserialize(d)?;
    crate::domain::layout::check_prefix(&v).map_err(serde::de::Error::custom)?;
    Ok(v)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum StoreConfig {
    Local {
        path: PathBuf,
        #[serde(default, deserialize_with = "key_prefix")]
        prefix: String,
    },
    S3 {
        #[serde(deserialize_with = "bucket_name")]
        bucket: String,
        #[serde(deserialize_with = "region_name")]
        region: String,
        #[serde(default, deserialize_with = "key_prefix")]
        prefix: String,
        /// An S3-compatible server (path-style addressing then).
        endpoint: Option<String>,
    },
    /// A container of an Azure storage account.
    Azure {
        #[serde(deserialize_with = "azure_account")]
        account: String,
        #[serde(deserialize_with = "azure_container")]
        container: String,
        #[serde(default, deserialize_with = "key_prefix")]
        prefix: String,
        /// The Blob endpoint (Azurite, sovereign clouds); default
        /// `https://{account}.blob.core.windows.net`.
        #[serde(default, deserialize_with = "endpoint_url")]
        endpoint: Option<String>,
    },
}

/// Which cloud a store is in, for credentials and prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    Local,
    Aws,
    Azure,
}

impl StoreConfig {
    pub fn prefix(&self) -> &str {
        match self {
            StoreConfig::Local { prefix, .. }
            | StoreConfig::S3 { prefix, .. }
            | StoreConfig::Azure { prefix, .. } => prefix,
        }
    }

    /// Which credentials this store needs.
    pub fn needs(&self) -> crate::credentials::Needs {
        use crate::credentials::Needs;
        match self {
            StoreConfig::Local { .. } => Needs::Nothing,
            StoreConfig::S3 { .. } => Needs::Aws,
            StoreConfig::Azure { account, .. } => Needs::Azure {
                account: account.clone(),
            },
        }
    }

    pub fn cloud(&self) -> Cloud {
        match self {
            StoreConfig::Local { .. } => Cloud::Local,
            StoreConfig::S3 { .. } => Cloud::Aws,
            StoreConfig::Azure { .. } => Cloud::Azure,
        }
    }
}

fn azure_account<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
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

fn azure_container<'de, D: serde::Deserializer<'de>>(
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

fn endpoint_url<'de, D: serde::Deserializer<'de>>(
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

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum CdnConfig {
    None {
        #[serde(default)]
        path_prefix: Option<String>,
    },
    Cloudfront {
        distribution_id: String,
        /// URL path under which the store's keys are served (default: "/" + the store prefix).
        path_prefix: Option<String>,
        /// A CloudFront-compatible endpoint (tests); defaults to AWS.
        endpoint: Option<String>,
    },
    /// Azure Front Door Standard/Premium: purges through Azure Resource Manager.
    Frontdoor(AzureCdnConfig),
    /// A classic Azure CDN endpoint (Microsoft.Cdn/profiles/endpoints; retires in 2027).
    #[serde(rename = "azure-cdn")]
    AzureCdn(AzureCdnConfig),
}

/// Where an Azure Front Door or classic CDN endpoint is in Resource Manager.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AzureCdnConfig {
    pub subscription: String,
    pub resource_group: String,
    /// The CDN / Front Door profile's name.
    pub profile: String,
    /// The endpoint's name.
    pub endpoint: String,
    /// URL path under which the store's keys are served (default: "/" + the store prefix).
    pub path_prefix: Option<String>,
    /// Front Door only: the custom domains to purge (default: all of the endpoint's).
    #[serde(default)]
    pub domains: Vec<String>,
    /// A Resource-Manager-compatible endpoint (tests, sovereign clouds); default
    /// `https://management.azure.com`.
    #[serde(default, deserialize_with = "endpoint_url")]
    pub management_endpoint: Option<String>,
}

impl CdnConfig {
    /// The URL path prefix configured for the CDN, if any.
    pub fn path_prefix(&self) -> Option<&str> {
        match self {
            CdnConfig::None { path_prefix } | CdnConfig::Cloudfront { path_prefix, .. } => {
                path_prefix.as_deref()
            }
            CdnConfig::Frontdoor(c) | CdnConfig::AzureCdn(c) => c.path_prefix.as_deref(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BridgeConfig {
    pub allowlist: AllowlistConfig,
    /// The Bridge's base URL, for live CORS probes.
    pub url: Option<String>,
    /// The Bridge's deploy workflow (a file in `.github/workflows/` of the allowlist's GitHub
    /// repository), dispatched by `shipdeck origins apply` after a change.
    pub deploy_workflow: Option<String>,
    /// The branch or tag the deploy workflow runs on (default: main).
    pub deploy_ref: Option<String>,
    /// The path on the Bridge's origin a probe GETs as the widget's actual request (default
    /// `/health`).
    pub probe_path: Option<String>,
    /// The methods the widget needs the Bridge to allow (default: the runbook's GET, POST,
    /// PATCH, DELETE, OPTIONS).
    pub expect_methods: Option<Vec<String>>,
    /// The request headers the widget sends (default: Content-Type, Authorization).
    pub expect_headers: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum AllowlistConfig {
    Dotenv {
        path: PathBuf,
    },
    Object {
        key: Option<String>,
    },
    /// GitHub Actions variables (or secrets, with `mode = "secret"`) of a repository, or of one
    /// of its environments.
    Github {
        #[serde(deserialize_with = "github_repo")]
        repo: String,
        #[serde(default = "allowed_name")]
        variable: String,
        additional_variable: Option<String>,
        environment: Option<String>,
        #[serde(default)]
        mode: GithubMode,
        /// GitHub Enterprise Server's API (`https://HOST/api/v3`), or a stand-in in tests.
        #[serde(default, deserialize_with = "endpoint_url")]
        api_url: Option<String>,
        /// Secret mode: the store document that is the list (default `.shipdeck/{prefix}origins.json`).
        key: Option<String>,
    },
}

/// Whether the list lives in GitHub variables (readable) or secrets (write-only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GithubMode {
    #[default]
    Variable,
    Secret,
}

fn allowed_name() -> String {
    "ALLOWED_ORIGINS".into()
}

fn github_repo<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
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

/// Where the configuration came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    /// No file anywhere: the demo profile.
    Builtin,
}

#[derive(Debug, Clone)]
pub struct Loaded {
    pub source: Source,
    pub file: ConfigFile,
}

/// Platform directories (respecting XDG variables on Linux).
pub fn dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("dev", "shipdeck", "shipdeck")
}

pub fn data_dir() -> PathBuf {
    dirs()
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".shipdeck-data"))
}

pub fn config_dir() -> Option<PathBuf> {
    dirs().map(|d| d.config_dir().to_path_buf())
}

/// Finds and parses the configuration.
/// A configuration file that cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "config file '{path}' does not exist or is not a file; check --config / SHIPDECK_CONFIG"
    )]
    NoFile { path: String },
    #[error("cannot read config file '{path}': {source}")]
    Unreadable {
        path: String,
        #[source]
        source: std::sync::Arc<std::io::Error>,
    },
    /// A wrong key or value (`problem` starts with the line and names the key and the fix).
    #[error("{path}:{problem}")]
    Invalid { path: String, problem: String },
}

pub fn load(explicit: Option<&Path>) -> Result<Loaded> {
    let candidate = explicit.map(Path::to_path_buf).or_else(|| {
        std::env::var_os("SHIPDECK_CONFIG")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    if let Some(path) = candidate {
        if !path.is_file() {
            return Err(ConfigError::NoFile {
                path: path.display().to_string(),
            }
            .into());
        }
        return parse_file(&path);
    }
    let local = PathBuf::from("shipdeck.toml");
    if local.is_file() {
        return parse_file(&local);
    }
    if let Some(dir) = config_dir() {
        let p = dir.join("config.toml");
        if p.is_file() {
            return parse_file(&p);
        }
    }
    Ok(Loaded {
        source: Source::Builtin,
        file: ConfigFile::default(),
    })
}

fn parse_file(path: &Path) -> Result<Loaded> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Unreadable {
        path: path.display().to_string(),
        source: std::sync::Arc::new(e),
    })?;
    let mut file = parse_str(&text).map_err(|e| ConfigError::Invalid {
        path: path.display().to_string(),
        problem: e.to_string(),
    })?;
    // Relative store paths are relative to the config file, not to wherever Shipdeck runs.
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    for p in file.profiles.values_mut() {
        if let StoreConfig::Local { path: sp, .. } = &mut p.store
            && sp.is_relative()
        {
            *sp = base.join(&*sp);
        }

        if let Some(b) = &mut p.bridge
            && let AllowlistConfig::Dotenv { path: bp } = &mut b.allowlist
            && bp.is_relative()
        {
            *bp = base.join(&*bp);
        }
        if let Some(u) = &mut p.usage
            && u.is_relative()
        {
            *u = base.join(&*u);
        }
    }
    Ok(Loaded {
        source: Source::File(path.to_path_buf()),
        file,
    })
}

/// Parses config text; errors read `LINE: key 'K': message`.
pub fn parse_str(
    text: &str,
) -> std::result::Result<ConfigFile, crate::domain::tomlfile::TomlError> {
    crate::domain::tomlfile::parse(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_local_profile() {
        let c = parse_str(
            r#"
default_profile = "prod"
[profiles.prod]
store = { kind = "local", path = "/srv/cdn", prefix = "msr-webchat/" }
production = true
"#,
        )
        .unwrap();
        let p = &c.profiles["prod"];
        assert!(p.production);
        assert_eq!(p.store.prefix(), "msr-webchat/");
    }

    #[test]
    fn errors_name_line_and_key() {
        let e = parse_str("[profiles.prod]\nstore = { kind = \"ftp\", path = \"x\" }\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("2: key 'profiles.prod.store'"), "{e}");
        assert!(e.contains("ftp"), "{e}");
        let e = parse_str(
            "[profiles.prod]\nstore = { kind = \"local\", path = \"x\" }\nconcurrency = \"many\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("3: key 'profiles.prod.concurrency'"), "{e}");
        let e = parse_str("user = \n").unwrap_err().to_string();
        assert!(e.starts_with("1:"), "{e}");
    }
}
