//! The allowlist in the Bridge's `.env`: edited in place (see `domain::envfile`), written
//! atomically (temp file + rename, permissions kept), never over a file that changed since it
//! was read. The check and the rename happen under an exclusive lock shared by every Shipdeck
//! on the machine (a lock file in the temporary directory, named after the `.env`'s path, so
//! nothing is left beside the Bridge's files): without it two managers could both see the
//! file unchanged and the second rename would drop the first one's edit.

use super::{Allowlist, AllowlistSource, Edit, Var};
use super::{AllowlistError, Result};
use crate::domain::envfile::{self, Defect, EnvError};
use crate::domain::manifest::sha256_hex;
use crate::domain::origin::{Finding, Severity};
use async_trait::async_trait;
use std::io::Write;
use std::path::PathBuf;

pub struct DotenvSource {
    pub path: PathBuf,
}

/// The largest `.env` Shipdeck reads: 8 MiB holds about 200,000 origins, far beyond any
/// Bridge's allowlist (and beyond what an environment variable can carry on most systems).
const MAX_ENV_BYTES: u64 = 8 * 1024 * 1024;

impl DotenvSource {
    /// The lock file every Shipdeck writing this `.env` takes (same path, same lock file).
    fn write_lock(&self) -> std::io::Result<std::fs::File> {
        let path = std::fs::canonicalize(&self.path).unwrap_or_else(|_| self.path.clone());
        let name = sha256_hex(path.to_string_lossy().as_bytes());
        let lock = std::env::temp_dir().join(format!("shipdeck-env-{}.lock", &name[..16]));
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(lock)
    }

    fn read(&self) -> Result<String> {
        if let Ok(meta) = std::fs::metadata(&self.path)
            && meta.len() > MAX_ENV_BYTES
        {
            return Err(AllowlistError::TooLarge {
                path: self.path.display().to_string(),
                mib: meta.len() / (1024 * 1024),
                limit_mib: MAX_ENV_BYTES / (1024 * 1024),
            });
        }
        std::fs::read_to_string(&self.path).map_err(|e| AllowlistError::Unreadable {
            path: self.path.display().to_string(),
            source: std::sync::Arc::new(e),
        })
    }

    fn parse(&self, text: &str) -> Result<Allowlist> {
        let err = |source: EnvError| AllowlistError::Env {
            path: self.path.display().to_string(),
            source,
        };
        Ok(Allowlist {
            allowed: envfile::items(text, Var::Allowed.env_name()).map_err(err)?,
            additional: envfile::items(text, Var::Additional.env_name()).map_err(err)?,
            allowed_undefined: matches!(envfile::find(text, Var::Allowed.env_name()), Ok(None)),
            version: Some(sha256_hex(text.as_bytes())),
            text: Some(text.to_string()),
            findings: Var::ALL
                .iter()
                .flat_map(|v| envfile::defects(text, v.env_name()))
                .map(finding)
                .collect(),
        })
    }

    fn line_of(text: &str, key: &str) -> String {
        match envfile::find(text, key) {
            Ok(Some(s)) => text.lines().nth(s.line - 1).unwrap_or_default().to_string(),
            _ => String::new(),
        }
    }
}

#[async_trait]
impl AllowlistSource for DotenvSource {
    fn describe(&self) -> String {
        format!(".env {}", self.path.display())
    }

    async fn load(&self) -> Result<Allowlist> {
        let text = self.read()?;
        self.parse(&text)
    }

    fn preview(&self, list: &Allowlist, edit: &Edit) -> Result<(Allowlist, Vec<(String, String)>)> {
        let text = list.text.clone().unwrap_or_default();
        let err = |source: EnvError| AllowlistError::Env {
            path: self.path.display().to_string(),
            source,
        };
        let mut next = text.clone();
        let keys: Vec<&str> = match edit {
            Edit::Add { item, to } => {
                next = envfile::add(&next, to.env_name(), item).map_err(err)?;
                vec![to.env_name()]
            }
            Edit::Remove { item } => {
                for v in Var::ALL {
                    next = envfile::remove(&next, v.env_name(), item).map_err(err)?;
                }
                Var::ALL.iter().map(|v| v.env_name()).collect()
            }
        };
        let diff = keys
            .into_iter()
            .map(|k| (Self::line_of(&text, k), Self::line_of(&next, k)))
            .filter(|(a, b)| a != b)
            .collect();
        let mut parsed = self.parse(&next)?;
        parsed.version = list.version.clone();
        Ok((parsed, diff))
    }

    async fn save(&self, base: &Allowlist, next: &Allowlist) -> Result<()> {
        let io = |e: std::io::Error| AllowlistError::Unwritable {
            path: self.path.display().to_string(),
            source: std::sync::Arc::new(e),
        };
        // Held until this function returns: the check and the rename are one step for every
        // other Shipdeck on the machine.
        let guard = self.write_lock().map_err(io)?;
        guard.lock().map_err(io)?;
        let current = self.read()?;
        if Some(sha256_hex(current.as_bytes())) != base.version {
            return Err(AllowlistError::Changed {
                place: format!("'{}'", self.path.display()),
            });
        }
        let Some(text) = next.text.as_deref() else {
            return Err(AllowlistError::NotFromText {
                path: self.path.display().to_string(),
            });
        };
        let dir = self
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("."));
        let tmp = dir.join(format!(
            ".{}.shipdeck-{}",
            self.path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("env"),
            std::process::id()
        ));
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        if let Ok(md) = std::fs::metadata(&self.path) {
            let _ = f.set_permissions(md.permissions());
        }
        f.write_all(text.as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
        drop(f);
        std::fs::rename(&tmp, &self.path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(e)
        })
    }
}

/// A `.env` defect as a list-wide audit finding.
fn finding(d: Defect) -> Finding {
    match d {
        Defect::Duplicate { key, lines } => Finding {
            code: "duplicate-key",
            severity: Severity::Warning,
            entry: String::new(),
            source: key.clone(),
            message: format!(
                "{key} is defined on lines {}; the Bridge reads only the last",
                lines
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            fix: format!("merge them into one {key} line"),
        },
        Defect::EmptyItems { key, count } => Finding {
            code: "empty-entry",
            severity: Severity::Warning,
            entry: String::new(),
            source: key.clone(),
            message: format!(
                "{key} has {count} empty entr{} (stray commas)",
                if count == 1 { "y" } else { "ies" }
            ),
            fix: "remove the extra commas".into(),
        },
    }
}
