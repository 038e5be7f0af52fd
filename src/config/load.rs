//! Finding and reading the configuration file: `--config`, `$SHIPDECK_CONFIG`,
//! `./shipdeck.toml`, the user's config dir, or none (the built-in demo); the data and config
//! folders; and the one error a file that cannot be used becomes.

use super::{AllowlistConfig, ConfigFile, Loaded, LogsConfig, Source, StoreConfig};
use crate::error::{ConfigError, Result};
use std::path::{Path, PathBuf};

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
        if let Some(LogsConfig::Directory { path: lp, .. }) = &mut p.logs
            && lp.is_relative()
        {
            *lp = base.join(&*lp);
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
