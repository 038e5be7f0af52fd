//! `login`, `logout` and `credentials`: the commands that deal with the cloud account itself
//! rather than with releases.

use super::args::{AzureKind, Global};
use super::output::print_json;
use crate::config::{self, Cloud};
use crate::credentials::azure::AzureSecret;
use crate::credentials::token::Service;
use crate::credentials::{self, AwsKeys, Secret};
use crate::error::{Error, InputError, Result};
use crate::present;
use crate::session;
use serde_json::json;
use std::io::{BufRead, IsTerminal};

/// A profile whose store needs credentials: its name, and whether it is on Azure.
fn cloud_profile(g: &Global) -> Result<(String, Cloud)> {
    let loaded = config::load(g.config.as_deref())?;
    let (name, p) = session::choose(&loaded, g.profile.as_deref())?;
    match p.store.cloud() {
        Cloud::Local => Err(InputError::NoCredentialsNeeded { profile: name }.into()),
        cloud => Ok((name, cloud)),
    }
}

/// Reads one value per line from stdin (scripts) or asks at the terminal, hidden for secrets.
struct Asker {
    /// Scripted input (`--stdin`, or stdin is not a terminal): one answer per line. Only then
    /// is stdin locked for the whole login; a terminal is read one prompt at a time (holding
    /// the lock while prompting again would wait on itself forever).
    lines: Option<std::io::Lines<std::io::StdinLock<'static>>>,
}

impl Asker {
    fn new(from_stdin: bool) -> Asker {
        let scripted = from_stdin || !std::io::stdin().is_terminal();
        Asker {
            lines: scripted.then(|| std::io::stdin().lock().lines()),
        }
    }

    fn ask(&mut self, what: &str, hidden: bool, how: &str) -> Result<String> {
        let v = if let Some(lines) = &mut self.lines {
            lines
                .next()
                .transpose()
                .map_err(|e| Error::io(format!("cannot read the {what}"), e))?
                .unwrap_or_default()
        } else if hidden {
            read_hidden(&format!("{what} (hidden): "))
                .map_err(|e| Error::io(format!("cannot read the {what}"), e))?
        } else {
            eprint!("{what}: ");
            let mut v = String::new();
            std::io::stdin()
                .read_line(&mut v)
                .map_err(|e| Error::io(format!("cannot read the {what}"), e))?;
            v
        };
        let v = v.trim().to_string();
        if v.is_empty() {
            return Err(InputError::Missing {
                what: what.to_string(),
                how: how.to_string(),
            }
            .into());
        }
        if hidden && let Some(gh) = crate::ci::github::GitHub::detect() {
            gh.mask(&v);
        }
        Ok(v)
    }
}

/// Reads a secret from the terminal without echo. Echo goes off *before* the prompt is shown
/// (a prompt printed first lets a fast typist's, or a paste's, first characters echo), and
/// comes back whatever happens. Backspace edits, Ctrl-C and Ctrl-D stop.
fn read_hidden(prompt: &str) -> std::io::Result<String> {
    use std::io::{Read, Write};
    struct Restore;
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = crossterm::terminal::disable_raw_mode();
        }
    }
    crossterm::terminal::enable_raw_mode()?;
    let _restore = Restore;
    let mut err = std::io::stderr();
    write!(err, "{prompt}")?;
    err.flush()?;
    let mut typed: Vec<u8> = Vec::new();
    let mut stdin = std::io::stdin().lock();
    let mut byte = [0u8; 1];
    loop {
        if stdin.read(&mut byte)? == 0 {
            break;
        }
        match byte[0] {
            b'\r' | b'\n' => break,
            3 => {
                write!(err, "\r\n")?;
                return Err(std::io::Error::new(
                    std::io::ErrorKind::Interrupted,
                    "interrupted",
                ));
            }
            4 if typed.is_empty() => break,
            8 | 127 => {
                // Remove one character (its UTF-8 continuation bytes with it).
                while let Some(b) = typed.pop() {
                    if b & 0xC0 != 0x80 {
                        break;
                    }
                }
            }
            b => typed.push(b),
        }
    }
    write!(err, "\r\n")?;
    String::from_utf8(typed)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
}

pub async fn login(g: &Global, from_stdin: bool, kind: Option<AzureKind>) -> Result<i32> {
    let (name, cloud) = cloud_profile(g)?;
    let mut asker = Asker::new(from_stdin);
    let shown = match cloud {
        Cloud::Azure => login_azure(&name, &mut asker, kind).await?,
        _ => {
            if kind.is_some() {
                return Err(InputError::KindOnS3 { profile: name }.into());
            }
            let how = "--stdin reads the access key id, then the secret, one per line";
            let id = asker.ask(
                &format!("AWS access key id for profile '{name}'"),
                false,
                how,
            )?;
            let secret = asker.ask("AWS secret access key", true, how)?;
            let keys = AwsKeys {
                access_key_id: id,
                secret_access_key: Secret::new(secret),
            };
            credentials::save(session::secret_store(), &name, &keys)
                .await
                .map_err(Error::from)?;
            credentials::mask(&keys.access_key_id)
        }
    };
    if g.json {
        print_json(&json!({ "profile": name, "stored": true }));
    } else {
        println!("stored the credentials of profile '{name}' ({shown}) in the OS keyring");
    }
    Ok(0)
}

/// Asks which kind of Azure secret, then the secret; stores it; returns what it was, in words.
async fn login_azure(name: &str, asker: &mut Asker, kind: Option<AzureKind>) -> Result<String> {
    let kind = match kind {
        Some(k) => k,
        None if asker.lines.is_some() => {
            return Err(InputError::KindNeeded.into());
        }
        None => {
            let answer = asker.ask(
                "Which secret? 1) storage account key  2) SAS token  3) Entra ID client secret",
                false,
                "type 1, 2 or 3",
            )?;
            match answer.as_str() {
                "1" => AzureKind::AccountKey,
                "2" => AzureKind::Sas,
                "3" => AzureKind::ClientSecret,
                other => {
                    return Err(InputError::NotAChoice {
                        got: other.to_string(),
                    }
                    .into());
                }
            }
        }
    };
    let secret = match kind {
        AzureKind::AccountKey => {
            let key = asker.ask(
                "storage account key",
                true,
                "--stdin reads the key as one line",
            )?;
            if base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &key).is_err() {
                return Err(InputError::NotAnAccountKey.into());
            }
            AzureSecret::AccountKey {
                key: Secret::new(key),
            }
        }
        AzureKind::Sas => {
            let token = asker.ask("SAS token", true, "--stdin reads the token as one line")?;
            if !token.contains("sig=") {
                return Err(InputError::NotASas.into());
            }
            AzureSecret::Sas {
                token: Secret::new(token),
            }
        }
        AzureKind::ClientSecret => {
            let how = "--stdin reads the tenant id, the client id and the secret, one per line";
            AzureSecret::ClientSecret {
                tenant_id: asker.ask("tenant id", false, how)?,
                client_id: asker.ask("client (application) id", false, how)?,
                secret: Secret::new(asker.ask("client secret", true, how)?),
            }
        }
    };
    credentials::azure::save(session::secret_store(), name, &secret)
        .await
        .map_err(Error::from)?;
    Ok(secret.describe())
}

/// `login --github` / `login --sentry`: an API token for the profile, asked hidden or read from
/// stdin, kept in the OS keyring.
pub async fn login_token(g: &Global, from_stdin: bool, service: Service) -> Result<i32> {
    let loaded = config::load(g.config.as_deref())?;
    let (name, _) = session::choose(&loaded, g.profile.as_deref())?;
    let mut asker = Asker::new(from_stdin);
    let token = asker.ask(
        &format!("{} token for profile '{name}'", service.name()),
        true,
        "--stdin reads the token as one line",
    )?;
    credentials::token::save(session::secret_store(), service, &name, &Secret::new(token))
        .await
        .map_err(Error::from)?;
    if g.json {
        print_json(&json!({ "profile": name, "stored": true }));
    } else {
        println!(
            "stored the {} token of profile '{name}' in the OS keyring",
            service.name()
        );
    }
    Ok(0)
}

pub async fn logout_token(g: &Global, service: Service) -> Result<i32> {
    let loaded = config::load(g.config.as_deref())?;
    let (name, _) = session::choose(&loaded, g.profile.as_deref())?;
    let removed = credentials::token::remove(session::secret_store(), service, &name)
        .await
        .map_err(Error::from)?;
    let what = service.name();
    if g.json {
        print_json(&json!({ "profile": name, "removed": removed }));
    } else if removed {
        println!("removed the {what} token of profile '{name}' from the OS keyring");
    } else {
        println!("no {what} token was stored for profile '{name}'");
    }
    Ok(0)
}

pub async fn logout(g: &Global) -> Result<i32> {
    let (name, cloud) = cloud_profile(g)?;
    let removed = match cloud {
        Cloud::Azure => credentials::azure::remove(session::secret_store(), &name).await,
        _ => credentials::remove(session::secret_store(), &name).await,
    }
    .map_err(Error::from)?;
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
    // `--profile X` shows that profile only (an unknown name is the usual error).
    if let Some(wanted) = g.profile.as_deref() {
        session::choose(&loaded, Some(wanted))?;
    }
    let mut rows = Vec::new();
    for (name, p) in &loaded.file.profiles {
        if g.profile.as_deref().is_some_and(|w| w != name) {
            continue;
        }
        let c = crate::ops::account::credentials(session::secret_store(), name, &p.needs()).await;
        rows.push((name.clone(), present::credentials(&c)));
        if let Some(config::BridgeConfig {
            allowlist: config::AllowlistConfig::Github { api_url, .. },
            ..
        }) = &p.bridge
        {
            let src =
                credentials::github::lookup(session::secret_store(), name, api_url.as_deref())
                    .await
                    .map_or_else(
                        || "GitHub token: none — run `shipdeck login --github`".to_string(),
                        |(_, s)| present::credential_source(&s),
                    );
            rows.push((format!("{name} (bridge)"), src));
        }
        if p.sentry.is_some() {
            let src = credentials::sentry::lookup(session::secret_store(), name)
                .await
                .map_or_else(
                    || "Sentry token: none — run `shipdeck login --sentry`".to_string(),
                    |(_, s)| present::credential_source(&s),
                );
            rows.push((format!("{name} (sentry)"), src));
        }
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
