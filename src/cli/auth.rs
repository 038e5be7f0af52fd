//! `login`, `logout` and `credentials`: the commands that deal with the cloud account itself
//! rather than with releases.

use super::args::Global;
use super::output::print_json;
use crate::config::{self, StoreConfig};
use crate::credentials::{self, AwsKeys, Secret};
use crate::error::{Error, Result};
use crate::present;
use crate::session;
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
    if let Some(gh) = crate::ci::github::GitHub::detect() {
        gh.mask(&secret);
    }
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
        .map_err(|e| Error::Refused(e.to_string()))?;
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
        .map_err(|e| Error::Refused(e.to_string()))?;
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
        let needed = !matches!(p.store, StoreConfig::Local { .. });
        let c = crate::ops::account::credentials(session::secret_store(), name, needed).await;
        rows.push((name.clone(), present::credentials(&c)));
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
