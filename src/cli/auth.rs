//! `login`, `logout`, `credentials` and `invalidate`: the commands that deal with the cloud
//! account itself rather than with releases.

use super::args::Global;
use super::output::print_json;
use crate::config::{self, StoreConfig};
use crate::credentials::{self, AwsKeys, Secret};
use crate::error::{Error, Result};
use crate::session::{self, Session};
use serde_json::json;
use std::io::{BufRead, IsTerminal};

fn s3_profile(g: &Global) -> Result<(String, config::Profile)> {
    let loaded = config::load(g.config.as_deref())?;
    let (name, p) = session::choose(&loaded, g.profile.as_deref())?;
    if !matches!(p.store, StoreConfig::S3 { .. }) {
        return Err(Error::Usage(format!(
            "profile '{name}' uses a local store, which needs no credentials; choose an S3 profile with --profile"
        )));
    }
    Ok((name, p))
}

pub async fn login(g: &Global, from_stdin: bool) -> Result<i32> {
    let (name, _) = s3_profile(g)?;
    let (id, secret) = if from_stdin || !std::io::stdin().is_terminal() {
        let mut lines = std::io::stdin().lock().lines();
        let mut next = |what: &str| -> Result<String> {
            lines
                .next()
                .transpose()
                .map_err(|e| Error::Io(format!("cannot read the {what}: {e}")))?
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .ok_or_else(|| Error::Usage(format!("the {what} is missing: --stdin reads the access key id, then the secret, one per line")))
        };
        (next("access key id")?, next("secret access key")?)
    } else {
        eprint!("AWS access key id for profile '{name}': ");
        let mut id = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut id)
            .map_err(|e| Error::Io(e.to_string()))?;
        let secret = rpassword::prompt_password("AWS secret access key (hidden): ")
            .map_err(|e| Error::Io(format!("cannot read the secret: {e}")))?;
        (id.trim().to_string(), secret.trim().to_string())
    };
    if id.is_empty() || secret.is_empty() {
        return Err(Error::Usage(
            "both the access key id and the secret are needed".into(),
        ));
    }
    let keys = AwsKeys {
        access_key_id: id,
        secret_access_key: Secret::new(secret),
    };
    credentials::save(session::secret_store(), &name, &keys)
        .await
        .map_err(Error::Refused)?;
    let msg = format!(
        "stored the credentials of profile '{name}' ({}) in the OS keyring",
        credentials::mask(&keys.access_key_id)
    );
    if g.json {
        print_json(&json!({ "profile": name, "stored": true }));
    } else {
        println!("{msg}");
    }
    Ok(0)
}

pub async fn logout(g: &Global) -> Result<i32> {
    let (name, _) = s3_profile(g)?;
    let removed = credentials::remove(session::secret_store(), &name)
        .await
        .map_err(Error::Refused)?;
    if g.json {
        print_json(&json!({ "profile": name, "removed": removed }));
    } else if removed {
        println!("removed the credentials of profile '{name}' from the OS keyring");
    } else {
        println!("no credentials were stored for profile '{name}'");
    }
    Ok(0)
}

pub async fn credentials(g: &Global) -> Result<i32> {
    let loaded = config::load(g.config.as_deref())?;
    let mut rows = Vec::new();
    for (name, p) in &loaded.file.profiles {
        let source = match &p.store {
            StoreConfig::Local { .. } => "not needed (local store)".to_string(),
            StoreConfig::S3 { .. } => {
                match credentials::load(session::secret_store(), name).await {
                    Ok(k) => credentials::describe_source(k.as_ref()),
                    Err(e) => format!(
                        "keyring unavailable ({e}); falls back to {}",
                        credentials::describe_source(None)
                    ),
                }
            }
        };
        rows.push((name.clone(), source));
    }
    if g.json {
        print_json(
            &json!({ "profiles": rows.iter().map(|(n, s)| json!({ "profile": n, "source": s })).collect::<Vec<_>>() }),
        );
    } else if rows.is_empty() {
        println!("no profiles are configured (the demo profile needs no credentials)");
    } else {
        for (n, s) in rows {
            println!("{n:<16} {s}");
        }
    }
    Ok(0)
}

pub async fn invalidate(
    s: &Session,
    g: &Global,
    paths: &[String],
    status: Option<&str>,
) -> Result<i32> {
    if !s.ctx.cdn.enabled() {
        return Err(Error::Usage(format!(
            "profile '{}' has no CDN to invalidate (or --no-invalidate was given)",
            s.profile_name
        )));
    }
    if let Some(id) = status {
        let cf = cloudfront_of(s).await?;
        let st = cf.status(id).await.map_err(Error::Refused)?;
        if g.json {
            print_json(&json!({ "id": id, "status": st }));
        } else {
            println!("invalidation {id}: {st}");
        }
        return Ok(0);
    }
    if paths.is_empty() {
        return Err(Error::Usage(
            "name the paths to invalidate, e.g. shipdeck invalidate /msr-webchat/latest/*".into(),
        ));
    }
    for p in paths {
        if !p.starts_with('/') {
            return Err(Error::Usage(format!(
                "'{p}' is not a path; CDN paths start with '/', e.g. /msr-webchat/latest/*"
            )));
        }
        if p == "/*" {
            return Err(Error::Usage("'/*' would throw away the cache of every immutable release; invalidate the alias paths that changed instead".into()));
        }
    }
    if !g.yes && !g.dry_run {
        println!("Plan: invalidate {}", paths.join(" "));
        super::changes::confirm()?;
    }
    if g.dry_run {
        println!("Dry run: nothing was invalidated.");
        return Ok(0);
    }
    let result = s.ctx.cdn.invalidate(paths).await;
    let event = crate::domain::history::HistoryEvent {
        id: crate::ops::new_id(),
        at: chrono::Utc::now(),
        by: s.ctx.actor.clone(),
        action: "invalidate".into(),
        description: format!("invalidate {}", paths.join(" ")),
        changes: Vec::new(),
        outcome: match &result {
            Ok(_) => "ok".into(),
            Err(e) => format!("failed: {e}"),
        },
    };
    let _ = crate::ops::records::append_history(&s.ctx, &event).await;
    let inv = result.map_err(Error::Refused)?;
    if g.json {
        print_json(&json!({ "id": inv.id, "status": inv.status, "paths": paths }));
    } else {
        println!("invalidation {}: {}", inv.id, inv.status);
    }
    Ok(0)
}

async fn cloudfront_of(s: &Session) -> Result<crate::cdn::cloudfront::CloudFront> {
    match (&s.profile.cdn, &s.profile.store) {
        (
            Some(config::CdnConfig::Cloudfront {
                distribution_id,
                path_prefix,
                endpoint,
            }),
            store,
        ) => {
            let (region, ep) = match store {
                StoreConfig::S3 {
                    region,
                    endpoint: e,
                    ..
                } => (region.clone(), endpoint.clone().or(e.clone())),
                _ => ("us-east-1".into(), endpoint.clone()),
            };
            let settings = session::aws_settings(&s.profile_name, &region, ep).await?;
            Ok(crate::cdn::cloudfront::CloudFront::connect(
                distribution_id,
                path_prefix.as_deref().unwrap_or("/"),
                settings,
            )
            .await)
        }
        _ => Err(Error::Usage(
            "this profile has no CloudFront distribution".into(),
        )),
    }
}
