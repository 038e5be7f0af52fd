//! Configuration: named profiles in one TOML file, found by `--config`, `$SHIPDECK_CONFIG`,
//! `./shipdeck.toml` or the user's config dir — or, when there is none at all, the built-in demo
//! profile, so a newcomer sees real releases at once.
//!
//! A malformed file is reported with its path, line and key, because "invalid config" alone
//! sends people hunting. Credentials never live here.

mod checks;
mod load;

pub use crate::error::ConfigError;
pub use load::{config_dir, data_dir, dirs, load, parse_str};

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

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
    /// `copy` (the default): an alias is a folder of copies. `edge`: also one KeyValueStore key
    /// (cdn.edge), written before the copies, so browsers get a move within seconds.
    #[serde(default)]
    pub alias_mode: AliasMode,
    /// Public base URL of the published prefix (e.g. `https://cdn.example.com/msr-webchat`):
    /// embed snippets, `verify --edge` and the edge phase of every change fetch through it.
    #[serde(default, deserialize_with = "checks::public_url")]
    pub public_url: Option<String>,
    /// How long a change waits for the edge to serve the moved aliases (`"5m"`); without it a
    /// change checks the edge once and does not wait.
    #[serde(default, deserialize_with = "checks::wait")]
    pub confirm_edge: Option<std::time::Duration>,
    /// Production profiles get the stricter origin audit rules.
    #[serde(default)]
    pub production: bool,
    #[serde(default, deserialize_with = "checks::header_value")]
    pub alias_cache_control: Option<String>,
    #[serde(default, deserialize_with = "checks::concurrency")]
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
    /// Alert rules (`[[profiles.NAME.alerts]]`) for `alerts check`: an alias or version, a
    /// metric, `above` or `below`, a window.
    #[serde(default, deserialize_with = "checks::alert_rules")]
    pub alerts: Vec<crate::domain::alert::Rule>,
    /// Where `metrics publish` sends the runbook's metrics and `alerts sync` keeps alarms.
    pub metrics: Option<MetricsConfig>,
    /// Sentry: a release per publish, a deploy per move of the production alias, new issues
    /// per release beside the CDN's numbers.
    pub sentry: Option<SentryConfig>,
}

/// How aliases reach browsers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AliasMode {
    #[default]
    Copy,
    Edge,
}

/// The CloudFront KeyValueStore that holds one key per alias (`shipdeck edge code` prints the
/// function that reads it).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeKeysConfig {
    /// The KeyValueStore's name, and the base of the functions' names (`NAME-request`,
    /// `NAME-response`); default `shipdeck-{distribution_id}`. `edge setup` creates them.
    #[serde(default, deserialize_with = "checks::edge_name")]
    pub name: Option<String>,
    /// The store's ARN; without it every use looks the store up by `name` (one more call).
    #[serde(default, deserialize_with = "checks::kvs_arn")]
    pub kvs_arn: Option<String>,
    /// A stand-in for the KeyValueStore data plane (tests); replaces AWS's endpoint rules.
    #[serde(default, deserialize_with = "checks::endpoint_url")]
    pub endpoint: Option<String>,
}

/// The Sentry project the widget reports to (the token is in the keyring, never here).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SentryConfig {
    /// Default `https://sentry.io`; a self-hosted Sentry's URL works too.
    #[serde(default = "checks::sentry_url", deserialize_with = "checks::url")]
    pub url: String,
    #[serde(deserialize_with = "checks::sentry_slug")]
    pub org: String,
    #[serde(deserialize_with = "checks::sentry_slug")]
    pub project: String,
    /// Default `production`.
    #[serde(default = "checks::production")]
    pub environment: String,
    /// The release name as `Sentry.init({ release })` names it; `{version}` is replaced
    /// (default `{version}`; `webchat@{version}` for teams that prefix).
    #[serde(
        default = "checks::release_template",
        deserialize_with = "checks::release_template_checked"
    )]
    pub release: String,
    /// The alias whose promote and rollback record a deploy (default `latest`).
    #[serde(default = "checks::latest")]
    pub alias: String,
}

/// CloudWatch for the runbook's metrics (with the profile's AWS credentials).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Default `MSR/Webchat`, the runbook's.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Default: the logs' region, else the store's, else us-east-1.
    #[serde(default, deserialize_with = "checks::opt_region")]
    pub region: Option<String>,
    /// Default: `AWS_ENDPOINT_URL` if set, else AWS's (never the store's).
    #[serde(default, deserialize_with = "checks::endpoint_url")]
    pub endpoint: Option<String>,
    /// What `alerts sync`'s alarms notify (SNS topic ARNs).
    #[serde(default)]
    pub alarm_actions: Vec<String>,
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
        #[serde(deserialize_with = "checks::bucket_name")]
        bucket: String,
        #[serde(default)]
        prefix: String,
        /// Default: the store's region, else us-east-1.
        #[serde(default, deserialize_with = "checks::opt_region")]
        region: Option<String>,
        #[serde(default, deserialize_with = "checks::endpoint_url")]
        endpoint: Option<String>,
        /// The standard CloudFront logs table in Athena, for `traffic --engine athena`.
        athena: Option<AthenaConfig>,
        /// Above this many MB of logs in a window, `traffic` suggests the Athena engine
        /// (default 500).
        athena_threshold_mb: Option<f64>,
    },
    /// Azure Front Door access logs (`FrontDoorAccessLog`) in a storage account.
    Frontdoor {
        #[serde(deserialize_with = "checks::azure_account")]
        account: String,
        #[serde(
            default = "checks::frontdoor_logs_container",
            deserialize_with = "checks::azure_container"
        )]
        container: String,
        #[serde(default)]
        prefix: String,
        #[serde(default, deserialize_with = "checks::endpoint_url")]
        endpoint: Option<String>,
    },
    /// Log files (CloudFront's or Front Door's, any of their layouts) that another tool keeps in
    /// a folder on this machine: `aws s3 sync`, `azcopy`, a mounted share. Read in place.
    Directory {
        /// Relative to the config file.
        path: PathBuf,
        #[serde(default)]
        prefix: String,
    },
}

/// The Athena table over the CloudFront logs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AthenaConfig {
    #[serde(deserialize_with = "checks::athena_name")]
    pub database: String,
    #[serde(deserialize_with = "checks::athena_name")]
    pub table: String,
    #[serde(default = "checks::primary")]
    pub workgroup: String,
    /// `s3://bucket/prefix/` for query results, when the workgroup does not set one.
    pub output: Option<String>,
}

/// The most object operations at once a profile may ask for.
pub const MAX_CONCURRENCY: usize = 256;

// Checks done while the file is parsed, so a bad value is reported as FILE:LINE: key 'K'.

#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum StoreConfig {
    Local {
        path: PathBuf,
        #[serde(default, deserialize_with = "checks::key_prefix")]
        prefix: String,
    },
    S3 {
        #[serde(deserialize_with = "checks::bucket_name")]
        bucket: String,
        #[serde(deserialize_with = "checks::region_name")]
        region: String,
        #[serde(default, deserialize_with = "checks::key_prefix")]
        prefix: String,
        /// An S3-compatible server (path-style addressing then).
        endpoint: Option<String>,
    },
    /// A container of an Azure storage account.
    Azure {
        #[serde(deserialize_with = "checks::azure_account")]
        account: String,
        #[serde(deserialize_with = "checks::azure_container")]
        container: String,
        #[serde(default, deserialize_with = "checks::key_prefix")]
        prefix: String,
        /// The Blob endpoint (Azurite, sovereign clouds); default
        /// `https://{account}.blob.core.windows.net`.
        #[serde(default, deserialize_with = "checks::endpoint_url")]
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
        /// Edge aliases: the KeyValueStore the viewer-request function reads.
        edge: Option<EdgeKeysConfig>,
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
    #[serde(default, deserialize_with = "checks::endpoint_url")]
    pub management_endpoint: Option<String>,
    /// Front Door only: edge aliases as rules of this rule set (`alias_mode = "edge"`).
    #[serde(default)]
    pub edge: Option<FrontDoorEdgeConfig>,
}

/// The Front Door rule set that holds one URL-rewrite rule per alias. Create it and associate
/// it with the endpoint's route once (portal or `az afd rule-set create`); Shipdeck writes the
/// rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontDoorEdgeConfig {
    #[serde(deserialize_with = "checks::rule_set_name")]
    pub rule_set: String,
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
        #[serde(deserialize_with = "checks::github_repo")]
        repo: String,
        #[serde(default = "checks::allowed_name")]
        variable: String,
        additional_variable: Option<String>,
        environment: Option<String>,
        #[serde(default)]
        mode: GithubMode,
        /// GitHub Enterprise Server's API (`https://HOST/api/v3`), or a stand-in in tests.
        #[serde(default, deserialize_with = "checks::endpoint_url")]
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
