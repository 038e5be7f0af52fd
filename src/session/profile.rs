//! Profile resolution: which profile a command acts on (`--profile`, `default_profile`, the
//! only one, or the built-in demo), the demo itself, and who is acting.

use crate::config::{self, DEMO_PROFILE, Loaded, Profile, StoreConfig};
use crate::error::{InputError, Result};

/// The built-in demo profile: a local store in the user's data dir.
pub fn demo_profile() -> Profile {
    Profile {
        alias_mode: crate::config::AliasMode::Copy,
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
        alerts: Vec::new(),
        metrics: None,
        sentry: None,
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
            return Err(InputError::SeveralProfiles {
                names: profiles.keys().cloned().collect::<Vec<_>>().join(", "),
            }
            .into());
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
    Err(InputError::UnknownProfile {
        name,
        known: known.join(", "),
    }
    .into())
}
