//! Opening a profile: from configuration to a ready [`Context`] (store, CDN, layout, actor).
//! The CLI and the TUI both start here, so they always act on the same profile the same way.

use crate::cdn::{Cdn, NoCdn};
use crate::config::{self, CdnConfig, DEMO_PROFILE, Loaded, Profile, Source, StoreConfig};
use crate::credentials::azure::AzureSecret;
use crate::domain::layout::Layout;
use crate::domain::manifest::ALIAS_CACHE;
use crate::error::{Error, Result};
use crate::ops::Context;
use crate::store::ObjectStore;
use crate::store::local::LocalStore;
use std::sync::Arc;

/// An opened profile.
#[derive(Clone)]
pub struct Session {
    pub profile_name: String,
    pub profile: Profile,
    pub source: Source,
    pub ctx: Context,
    pub theme: Option<String>,
    pub keys: std::collections::BTreeMap<String, String>,
}

impl Session {
    /// The profile's Bridge allowlist, or a sentence saying how to configure it.
    pub fn origins(&self) -> Result<crate::ops::origins::Origins> {
        use crate::bridge::github::{GitHubSource, Mode, Workflow};
        use crate::bridge::{AllowlistSource, dotenv::DotenvSource, object::ObjectSource};
        use crate::config::AllowlistConfig;
        let b = self.profile.bridge.as_ref().ok_or_else(|| {
            Error::Config(format!(
                "profile '{}' has no Bridge allowlist; add to it: bridge = {{ allowlist = {{ kind = \"dotenv\", path = \"../bridge/.env\" }}, url = \"https://api.example.com/v1/chat\" }}",
                self.profile_name
            ))
        })?;
        let mut repo_of_list = None;
        let source: Arc<dyn AllowlistSource> = match &b.allowlist {
            AllowlistConfig::Dotenv { path } => Arc::new(DotenvSource { path: path.clone() }),
            AllowlistConfig::Object { key } => Arc::new(ObjectSource {
                store: self.ctx.store.clone(),
                key: key
                    .clone()
                    .unwrap_or_else(|| self.ctx.layout.allowlist_default_key()),
            }),
            AllowlistConfig::Github {
                repo,
                variable,
                additional_variable,
                environment,
                mode,
                api_url,
                key,
            } => {
                let repo = Arc::new(github_repo(
                    &self.profile_name,
                    repo,
                    environment.clone(),
                    api_url.clone(),
                ));
                repo_of_list = Some(repo.clone());
                Arc::new(GitHubSource {
                    repo,
                    mode: match mode {
                        crate::config::GithubMode::Variable => Mode::Variable,
                        crate::config::GithubMode::Secret => Mode::Secret,
                    },
                    variable: variable.clone(),
                    additional_variable: additional_variable.clone(),
                    doc: (*mode == crate::config::GithubMode::Secret).then(|| ObjectSource {
                        store: self.ctx.store.clone(),
                        key: key
                            .clone()
                            .unwrap_or_else(|| self.ctx.layout.allowlist_default_key()),
                    }),
                })
            }
        };
        let workflow = match (&b.deploy_workflow, repo_of_list) {
            (Some(file), Some(repo)) => Some(Arc::new(Workflow {
                repo,
                file: file.clone(),
                git_ref: b.deploy_ref.clone().unwrap_or_else(|| "main".into()),
            })),
            (Some(_), None) => {
                return Err(Error::Config(format!(
                    "profile '{}' names a deploy_workflow, which runs on GitHub, but its allowlist is not kept on GitHub; use allowlist = {{ kind = \"github\", repo = \"org/bridge\" }} or remove deploy_workflow",
                    self.profile_name
                )));
            }
            (None, _) => None,
        };
        Ok(crate::ops::origins::Origins {
            source,
            workflow,
            production: self.profile.production,
            bridge_url: b.url.clone(),
            probe_url: b.url.as_deref().and_then(|u| {
                let (scheme, rest) = u.split_once("://")?;
                let host = rest.split('/').next()?;
                let path = b.probe_path.as_deref().unwrap_or("/health");
                let path = if path.starts_with('/') {
                    path.to_string()
                } else {
                    format!("/{path}")
                };
                Some(format!("{scheme}://{host}{path}"))
            }),
            needs: crate::domain::origin::browser::Needs {
                methods: b
                    .expect_methods
                    .clone()
                    .unwrap_or_else(|| crate::domain::origin::browser::Needs::default().methods),
                headers: b
                    .expect_headers
                    .clone()
                    .unwrap_or_else(|| crate::domain::origin::browser::Needs::default().headers),
            },
        })
    }
}

/// A GitHub repository whose token is looked up on first use (keyring, GH_TOKEN, GITHUB_TOKEN,
/// `gh auth token`).
fn github_repo(
    profile: &str,
    repo: &str,
    environment: Option<String>,
    api_url: Option<String>,
) -> crate::bridge::github::Repo {
    let (p, api) = (profile.to_string(), api_url.clone());
    let token = Arc::new(move || {
        let (p, api) = (p.clone(), api.clone());
        let f: futures::future::BoxFuture<
            'static,
            std::result::Result<_, crate::credentials::github::NoToken>,
        > = Box::pin(async move {
            crate::credentials::github::lookup(secret_store(), &p, api.as_deref())
                .await
                .map(|(t, src)| (t, crate::present::credential_source(&src)))
                .ok_or_else(|| crate::credentials::github::missing(&p))
        });
        f
    });
    crate::bridge::github::Repo::new(api_url, repo, environment, token)
}

/// The built-in demo profile: a local store in the user's data dir.
pub fn demo_profile() -> Profile {
    Profile {
        store: StoreConfig::Local {
            path: config::data_dir().join("demo-store"),
            prefix: String::new(),
        },
        cdn: None,
        public_url: Some("https://cdn.example.com/msr-webchat".into()),
        confirm_edge: None,
        production: false,
        alias_cache_control: None,
        concurrency: None,
        bridge: Some(crate::config::BridgeConfig {
            deploy_workflow: None,
            deploy_ref: None,
            probe_path: None,
            expect_methods: None,
            expect_headers: None,
            allowlist: crate::config::AllowlistConfig::Dotenv {
                path: demo_bridge_env(),
            },
            url: None,
        }),
        entry_files: None,
        usage: None,
        logs: None,
    }
}

/// Where the demo profile's sample Bridge `.env` lives (written on first use).
pub fn demo_bridge_env() -> std::path::PathBuf {
    config::data_dir().join("demo-bridge").join(".env")
}

/// The acting user: config `user`, `$SHIPDECK_USER`, or the OS user.
pub fn actor(loaded: &Loaded) -> String {
    loaded
        .file
        .user
        .clone()
        .or_else(|| std::env::var("SHIPDECK_USER").ok())
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .or_else(passwd_name)
        .or_else(|| std::env::var("USERNAME").ok())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// The login name of this process's user from `/etc/passwd` (Linux), for sessions that set
/// neither `$USER` nor `$LOGNAME` (containers, cron, CI runners).
fn passwd_name() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        (f.nth(1)? == uid).then(|| name.to_string())
    })
}

/// Picks the profile: `--profile`, else `default_profile`, else the only one, else the demo.
pub fn choose(loaded: &Loaded, wanted: Option<&str>) -> Result<(String, Profile)> {
    let profiles = &loaded.file.profiles;
    let name = match wanted
        .map(str::to_string)
        .or_else(|| loaded.file.default_profile.clone())
    {
        Some(n) => n,
        None if profiles.len() == 1 => profiles.keys().next().cloned().unwrap_or_default(),
        None if profiles.is_empty() => DEMO_PROFILE.to_string(),
        None => {
            return Err(Error::Config(format!(
                "several profiles are configured ({}); choose one with --profile or set default_profile",
                profiles.keys().cloned().collect::<Vec<_>>().join(", ")
            )));
        }
    };
    if let Some(p) = profiles.get(&name) {
        return Ok((name, p.clone()));
    }
    if name == DEMO_PROFILE {
        return Ok((name, demo_profile()));
    }
    let known: Vec<String> = profiles
        .keys()
        .cloned()
        .chain([DEMO_PROFILE.to_string()])
        .collect();
    Err(Error::Usage(format!(
        "unknown profile '{name}'; known profiles: {}",
        known.join(", ")
    )))
}

/// How the interactive console was asked to start, whichever front end asked: a type both
/// front ends know, so the CLI can open the console without importing it.
#[derive(Debug, Clone, Default)]
pub struct ConsoleOptions {
    /// Hide and refuse every change.
    pub readonly: bool,
    /// A theme name overriding the config's.
    pub theme: Option<String>,
}

/// Opens the interactive console on a session; `main` passes the TUI's to the CLI.
pub type Console = fn(
    Session,
    ConsoleOptions,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + Send>>;

/// Options for opening a profile that the command line decides.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// `--no-invalidate`: never tell the CDN.
    pub no_invalidate: bool,
}

/// AWS connection settings of an S3 profile, with keys from the OS keyring when stored.
pub async fn aws_settings(
    name: &str,
    region: &str,
    endpoint: Option<String>,
) -> Result<crate::adapters::aws::AwsSettings> {
    // No keyring on this machine (a CI runner, a server without a desktop session) is not an
    // error: the standard AWS chain still applies. `shipdeck credentials` shows which is used.
    let keys = match crate::credentials::load(secret_store(), name).await {
        Ok(k) => k,
        Err(e) => {
            tracing::warn!(
                profile = name,
                "OS keyring unavailable, using the AWS credential chain: {e}"
            );
            None
        }
    };
    Ok(crate::adapters::aws::AwsSettings {
        region: region.to_string(),
        endpoint,
        keys,
        profile: name.to_string(),
    })
}

/// Azure connection settings of a profile, with the secret the lookup order finds first (see
/// `credentials::azure`), and the keyring entry for the CDN's Entra ID identity.
pub async fn azure_settings(
    name: &str,
    account: &str,
    endpoint: Option<String>,
) -> Result<(crate::adapters::azure::AzureSettings, Option<AzureSecret>)> {
    let stored = match crate::credentials::azure::load(secret_store(), name).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(
                profile = name,
                "OS keyring unavailable, using the environment and Entra ID: {e}"
            );
            None
        }
    };
    let env = crate::credentials::azure::Env::current();
    let (auth, _) = crate::credentials::azure::storage(stored.as_ref(), account, &env);
    let Some(auth) = auth else {
        return Err(Error::Refused(format!(
            "no Azure credentials for profile '{name}': store an account key, SAS token or client secret with `shipdeck login --profile {name}`, set AZURE_STORAGE_KEY or AZURE_STORAGE_CONNECTION_STRING, or sign in with `az login`"
        )));
    };
    Ok((
        crate::adapters::azure::AzureSettings {
            account: account.to_string(),
            endpoint,
            auth,
            profile: name.to_string(),
        },
        stored,
    ))
}

/// The profile's access-log store, or the sentence saying how to configure one.
pub async fn log_source(s: &Session) -> Result<crate::ops::traffic::LogSource> {
    use crate::config::LogsConfig;
    let Some(logs) = &s.profile.logs else {
        return Err(Error::Config(format!(
            "profile '{}' names no access logs; add e.g. logs = {{ kind = \"cloudfront\", bucket = \"msr-webchat-logs\", prefix = \"cdn/\" }} (or kind = \"frontdoor\", account = \"…\")",
            s.profile_name
        )));
    };
    Ok(match logs {
        LogsConfig::Cloudfront {
            bucket,
            prefix,
            region,
            endpoint,
            athena,
            athena_threshold_mb,
        } => {
            let region = region.clone().unwrap_or_else(|| match &s.profile.store {
                StoreConfig::S3 { region, .. } => region.clone(),
                _ => "us-east-1".into(),
            });
            let settings = aws_settings(&s.profile_name, &region, endpoint.clone()).await?;
            let engine = match athena {
                Some(a) => Some(crate::ops::traffic::TableEngine {
                    engine: Arc::new(crate::logs::athena::AthenaEngine {
                        athena: crate::logs::athena::Athena::connect(settings.clone()).await,
                        target: crate::logs::athena::Target {
                            database: a.database.clone(),
                            workgroup: a.workgroup.clone(),
                            output: a.output.clone(),
                        },
                    }),
                    table: a.table.clone(),
                }),
                None => None,
            };
            crate::ops::traffic::LogSource {
                store: Arc::new(crate::store::s3::S3Store::connect(bucket, settings).await),
                prefix: prefix.clone(),
                delay_note:
                    "CloudFront delivers logs within about an hour, sometimes up to a day late"
                        .into(),
                engine,
                engine_threshold: (athena_threshold_mb.unwrap_or(500.0).max(0.0) * 1_048_576.0)
                    as u64,
            }
        }
        LogsConfig::Frontdoor {
            account,
            container,
            prefix,
            endpoint,
        } => {
            let (settings, _) = azure_settings(&s.profile_name, account, endpoint.clone()).await?;
            crate::ops::traffic::LogSource {
                store: Arc::new(crate::store::azure::AzureStore::connect(container, settings)?),
                prefix: prefix.clone(),
                delay_note: "Front Door writes each hour's log blob during that hour and may append to it later".into(),
                engine: None,
                engine_threshold: u64::MAX,
            }
        }
    })
}

/// Where the traffic counts of a profile are cached (the data dir, never the config).
pub fn traffic_cache(profile: &str) -> std::path::PathBuf {
    config::data_dir()
        .join("traffic")
        .join(format!("{}.json", profile.replace(['/', '\\'], "_")))
}

/// The secret store: the OS keyring.
pub fn secret_store() -> Arc<dyn crate::credentials::SecretStore> {
    Arc::new(crate::credentials::OsKeyring)
}

/// What opening the store learned that opening the CDN reuses.
#[derive(Default)]
struct Opened {
    aws: Option<crate::adapters::aws::AwsSettings>,
    azure_secret: Option<AzureSecret>,
}

/// Opens a profile's store (the demo store makes itself on first use; every other local store
/// must exist).
async fn open_store(
    loaded: &Loaded,
    name: &str,
    profile: &Profile,
) -> Result<(Arc<dyn ObjectStore>, Opened)> {
    let mut opened = Opened::default();
    let store: Arc<dyn ObjectStore> = match &profile.store {
        StoreConfig::Local { path, .. }
            if name == DEMO_PROFILE && !loaded.file.profiles.contains_key(DEMO_PROFILE) =>
        {
            Arc::new(LocalStore::create(path)?)
        }
        StoreConfig::Local { path, .. } => Arc::new(LocalStore::open(path)?),
        StoreConfig::S3 {
            bucket,
            region,
            endpoint,
            ..
        } => {
            let settings = aws_settings(name, region, endpoint.clone()).await?;
            opened.aws = Some(settings.clone());
            Arc::new(crate::store::s3::S3Store::connect(bucket, settings).await)
        }
        StoreConfig::Azure {
            account,
            container,
            endpoint,
            ..
        } => {
            let (settings, stored) = azure_settings(name, account, endpoint.clone()).await?;
            opened.azure_secret = stored;
            Arc::new(crate::store::azure::AzureStore::connect(
                container, settings,
            )?)
        }
    };
    Ok((with_test_faults(store), opened))
}

/// Opens a profile's CDN; `default_path` is where the store's keys are served when the profile
/// does not say.
async fn open_cdn(
    name: &str,
    profile: &Profile,
    opened: Opened,
    default_path: &str,
    opts: &OpenOptions,
) -> Result<Arc<dyn Cdn>> {
    let path = |p: Option<&str>| p.map_or_else(|| default_path.to_string(), str::to_string);
    Ok(match &profile.cdn {
        Some(c) if opts.no_invalidate && !matches!(c, CdnConfig::None { .. }) => Arc::new(NoCdn {
            path_prefix: path(c.path_prefix()),
            skipped: true,
        }),
        None => Arc::new(NoCdn {
            path_prefix: path(None),
            skipped: false,
        }),
        Some(CdnConfig::None { path_prefix }) => Arc::new(NoCdn {
            path_prefix: path(path_prefix.as_deref()),
            skipped: false,
        }),
        Some(CdnConfig::Frontdoor(c) | CdnConfig::AzureCdn(c)) => {
            use crate::cdn::frontdoor::{AzurePurge, Kind};
            let kind = match &profile.cdn {
                Some(CdnConfig::AzureCdn(_)) => Kind::Classic,
                _ => Kind::FrontDoor,
            };
            let stored = match opened.azure_secret {
                Some(s) => Some(s),
                None => crate::credentials::azure::load(secret_store(), name)
                    .await
                    .ok()
                    .flatten(),
            };
            let env = crate::credentials::azure::Env::current();
            let identity = crate::credentials::azure::entra(stored.as_ref(), &env);
            let endpoint = crate::cdn::frontdoor::Endpoint {
                subscription: c.subscription.clone(),
                resource_group: c.resource_group.clone(),
                profile: c.profile.clone(),
                endpoint: c.endpoint.clone(),
                domains: c.domains.clone(),
                management_endpoint: c.management_endpoint.clone(),
            };
            Arc::new(AzurePurge::new(
                kind,
                endpoint,
                &path(c.path_prefix.as_deref()),
                identity.map(|(cred, _)| cred),
                name,
            ))
        }
        Some(CdnConfig::Cloudfront {
            distribution_id,
            path_prefix,
            endpoint,
        }) => {
            let mut settings = match opened.aws {
                Some(s) => s,
                None => aws_settings(name, "us-east-1", None).await?,
            };
            if endpoint.is_some() {
                settings.endpoint = endpoint.clone();
            }
            Arc::new(
                crate::cdn::cloudfront::CloudFront::connect(
                    distribution_id,
                    &path(path_prefix.as_deref()),
                    settings,
                )
                .await,
            )
        }
    })
}

/// Opens a profile's store and CDN.
pub async fn open(loaded: &Loaded, wanted: Option<&str>, opts: &OpenOptions) -> Result<Session> {
    let (name, profile) = choose(loaded, wanted)?;
    let (store, opened) = open_store(loaded, &name, &profile).await?;
    let layout = Layout::new(profile.store.prefix());
    let default_path = format!("/{}", layout.prefix().trim_end_matches('/'));
    let cdn = open_cdn(&name, &profile, opened, &default_path, opts).await?;
    let ctx = Context {
        store,
        cdn,
        layout,
        actor: actor(loaded),
        alias_cache_control: profile
            .alias_cache_control
            .clone()
            .unwrap_or_else(|| ALIAS_CACHE.to_string()),
        concurrency: profile.concurrency.unwrap_or(16).clamp(1, 256),
        pricing_dir: config::config_dir().map(|d| d.join("pricing")),
        usage_file: profile.usage.clone(),
        traffic_cache: profile.logs.as_ref().map(|_| traffic_cache(&name)),
        default_provider: match profile.store.cloud() {
            config::Cloud::Azure => crate::domain::cost::Provider::Azure,
            _ => crate::domain::cost::Provider::Aws,
        },
        entry_files: profile.entry_files.clone().unwrap_or_else(|| {
            crate::domain::buildfile::DEFAULT_ENTRY_FILES
                .iter()
                .map(|s| s.to_string())
                .collect()
        }),
        edge: None,
        confirm_edge: profile.confirm_edge,
        stop: Arc::default(),
    };
    let mut s = Session {
        profile_name: name,
        profile,
        source: loaded.source.clone(),
        ctx,
        theme: loaded.file.theme.clone(),
        keys: loaded.file.keys.clone(),
    };
    s.ctx.edge = edge_settings(&s, loaded)?;
    Ok(s)
}

/// The edge a profile's releases are served from. The built-in demo has none: its
/// `public_url` only shows what embed snippets look like, no CDN serves it.
fn edge_settings(
    s: &Session,
    loaded: &Loaded,
) -> Result<Option<Arc<crate::ops::edge::EdgeSettings>>> {
    let builtin_demo =
        s.profile_name == DEMO_PROFILE && !loaded.file.profiles.contains_key(DEMO_PROFILE);
    let Some(url) = s.profile.public_url.as_deref().filter(|_| !builtin_demo) else {
        return Ok(None);
    };
    let client = crate::edge::http::HttpEdge::new()?;
    let allowlist = s
        .profile
        .bridge
        .as_ref()
        .and_then(|_| s.origins().ok())
        .map(|o| o.source);
    Ok(Some(Arc::new(crate::ops::edge::EdgeSettings::new(
        url,
        Arc::new(client),
        allowlist,
    ))))
}

/// Test instrument (only with the `test-faults` feature): fail every write after N, garble
/// copies, or fail every write to some keys for good, as `SHIPDECK_FAIL_AFTER_WRITES`,
/// `SHIPDECK_GARBLE_COPIES` and `SHIPDECK_FAIL_KEYS_CONTAINING` say (see store::faulty).
#[cfg(feature = "test-faults")]
fn with_test_faults(mut store: Arc<dyn ObjectStore>) -> Arc<dyn ObjectStore> {
    use crate::store::faulty::FaultyStore;
    if let Some(n) = std::env::var("SHIPDECK_FAIL_AFTER_WRITES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        store = Arc::new(FaultyStore::new(store, n));
    }
    if std::env::var_os("SHIPDECK_GARBLE_COPIES").is_some() {
        store = Arc::new(FaultyStore::garbling_copies(store));
    }
    if let Ok(part) = std::env::var("SHIPDECK_FAIL_KEYS_CONTAINING") {
        store = Arc::new(FaultyStore::failing_keys(store, &part));
    }
    store
}

/// Without the `test-faults` feature the store is used as it is, whatever the environment says.
#[cfg(not(feature = "test-faults"))]
fn with_test_faults(store: Arc<dyn ObjectStore>) -> Arc<dyn ObjectStore> {
    store
}
