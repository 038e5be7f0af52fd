//! Context building: a profile's store, CDN, edge and access logs opened from its configuration,
//! with the credentials `credentials.rs` finds. `open` in `mod.rs` assembles them.

use super::credentials::{aws_settings, azure_settings, secret_store};
use super::{OpenOptions, Session};
use crate::cdn::{Cdn, NoCdn};
use crate::config::{self, CdnConfig, DEMO_PROFILE, Loaded, Profile, StoreConfig};
use crate::credentials::azure::AzureSecret;
use crate::error::Result;
use crate::store::ObjectStore;
use crate::store::local::LocalStore;
use std::sync::Arc;

/// What opening the store learned that opening the CDN reuses.
#[derive(Default)]
pub(super) struct Opened {
    aws: Option<crate::adapters::aws::AwsSettings>,
    azure_secret: Option<AzureSecret>,
}

/// Opens a profile's store (the demo store makes itself on first use; every other local store
/// must exist).
pub(super) async fn open_store(
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
pub(super) async fn open_cdn(
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
        Some(CdnConfig::Frontdoor(c) | CdnConfig::AzureCdn(c)) => Arc::new(
            azure_purge(
                name,
                profile,
                c,
                &path(c.path_prefix.as_deref()),
                opened.azure_secret,
            )
            .await,
        ),
        Some(CdnConfig::Cloudfront {
            distribution_id,
            path_prefix,
            endpoint,
            ..
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

/// The Entra ID identity Resource Manager calls use (purges, Front Door rules): the secret the
/// store was opened with, else the keyring's, else the environment's chain.
pub(super) async fn arm_credential(
    name: &str,
    stored: Option<AzureSecret>,
) -> Option<Arc<dyn azure_core::credentials::TokenCredential>> {
    let stored = match stored {
        Some(s) => Some(s),
        None => crate::credentials::azure::load(secret_store(), name)
            .await
            .ok()
            .flatten(),
    };
    let env = crate::credentials::azure::Env::current();
    crate::credentials::azure::entra(stored.as_ref(), &env).map(|(cred, _)| cred)
}

/// The purge client of a Front Door or classic CDN profile.
async fn azure_purge(
    name: &str,
    profile: &Profile,
    c: &crate::config::AzureCdnConfig,
    path_prefix: &str,
    stored: Option<AzureSecret>,
) -> crate::cdn::frontdoor::AzurePurge {
    use crate::cdn::frontdoor::{AzurePurge, Kind};
    let kind = match &profile.cdn {
        Some(CdnConfig::AzureCdn(_)) => Kind::Classic,
        _ => Kind::FrontDoor,
    };
    let endpoint = crate::cdn::frontdoor::Endpoint {
        subscription: c.subscription.clone(),
        resource_group: c.resource_group.clone(),
        profile: c.profile.clone(),
        endpoint: c.endpoint.clone(),
        domains: c.domains.clone(),
        management_endpoint: c.management_endpoint.clone(),
    };
    AzurePurge::new(
        kind,
        endpoint,
        path_prefix,
        arm_credential(name, stored).await,
        name,
    )
}

/// The profile's access-log store, or the sentence saying how to configure one.
pub async fn log_source(s: &Session) -> Result<crate::ops::traffic::LogSource> {
    use crate::config::LogsConfig;
    let Some(logs) = &s.profile.logs else {
        return Err(crate::error::ProfileGap::NoLogs {
            profile: s.profile_name.clone(),
        }
        .into());
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
        LogsConfig::Directory { path, prefix } => crate::ops::traffic::LogSource {
            store: Arc::new(crate::logs::dir::LogDir::open(path)?),
            prefix: prefix.clone(),
            delay_note:
                "the files in this folder are as complete as the last sync that brought them here"
                    .into(),
            engine: None,
            engine_threshold: u64::MAX,
        },
    })
}

/// Where the traffic counts of a profile are cached (the data dir, never the config).
pub fn traffic_cache(profile: &str) -> std::path::PathBuf {
    config::data_dir()
        .join("traffic")
        .join(format!("{}.json", profile.replace(['/', '\\'], "_")))
}

/// The edge a profile's releases are served from. The built-in demo has none: its
/// `public_url` only shows what embed snippets look like, no CDN serves it.
pub(super) fn edge_settings(
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

/// The profile's alert rules evaluated now, with its access logs when it names them: what
/// `alerts check` prints and the console's badge shows.
pub async fn check_alerts(s: &Session) -> Result<crate::ops::alerts::AlertsReport> {
    let source = match &s.profile.logs {
        Some(_) => Some(log_source(s).await?),
        None => None,
    };
    let cache = traffic_cache(&s.profile_name);
    let logs = source.as_ref().map(|source| crate::ops::alerts::Logs {
        source,
        cache: &cache,
    });
    crate::ops::alerts::check(&s.ctx, logs, &s.profile.alerts, chrono::Utc::now()).await
}
