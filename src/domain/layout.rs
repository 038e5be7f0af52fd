//! Where things live in a bucket, container or directory.
//!
//! Release folders and alias folders sit under the profile's published prefix; Shipdeck's own
//! records (state, manifests, history, lock) sit under `.shipdeck/{prefix}`, outside the
//! published prefix whenever a prefix is set, so they are not served next to the widget.

use crate::domain::alias::AliasName;
use crate::domain::version::folder_name;
use semver::Version;

/// Why a path typed for the CDN is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CdnPathError {
    #[error("'{0}' is not a path; CDN paths start with '/', e.g. /msr-webchat/latest/*")]
    NotAPath(String),
    #[error(
        "'/*' would throw away the cache of every immutable release; invalidate the alias paths that changed instead"
    )]
    Everything,
    #[error("'{0}' has a control character; type the path as it appears in the URL")]
    ControlCharacter(String),
}

/// Checks a CDN path typed by hand: a path, without control characters, never `/*`.
pub fn check_cdn_path(p: &str) -> Result<(), CdnPathError> {
    if !p.starts_with('/') {
        return Err(CdnPathError::NotAPath(p.to_string()));
    }
    if p.chars().any(char::is_control) {
        return Err(CdnPathError::ControlCharacter(p.escape_debug().to_string()));
    }
    if p == "/*" {
        return Err(CdnPathError::Everything);
    }
    Ok(())
}

/// Why a store prefix is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrefixError {
    #[error(
        "'{0}' would leave the store's folder or bucket root ('.' and '..' are not folder names here); use a plain path such as \"msr-webchat/\""
    )]
    Escapes(String),
    #[error(
        "'{0}' has a character a key cannot carry (a backslash or a control character); use letters, digits, '-', '_', '.' and '/'"
    )]
    Character(String),
    #[error("'{0}' is {1} characters long; a prefix has at most {MAX_PREFIX_LEN}")]
    TooLong(String, usize),
}

/// The longest prefix accepted, in characters (S3 keys are 1,024 bytes in all).
pub const MAX_PREFIX_LEN: usize = 200;

/// Checks a store prefix as configured: a relative path of plain folder names.
pub fn check_prefix(p: &str) -> Result<(), PrefixError> {
    if p.chars().any(|c| c.is_control() || c == '\\') {
        return Err(PrefixError::Character(p.escape_debug().to_string()));
    }
    let n = p.chars().count();
    if n > MAX_PREFIX_LEN {
        return Err(PrefixError::TooLong(p.to_string(), n));
    }
    let trimmed = p.trim().trim_matches('/');
    if trimmed
        .split('/')
        .any(|s| s == "." || s == ".." || (s.is_empty() && !trimmed.is_empty()))
        || trimmed.starts_with(".shipdeck")
    {
        return Err(PrefixError::Escapes(p.to_string()));
    }
    Ok(())
}

/// Key layout of one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    prefix: String,
}

impl Layout {
    /// `prefix` is normalised to either "" or "something/".
    pub fn new(prefix: &str) -> Self {
        let p = prefix.trim().trim_matches('/');
        Layout {
            prefix: if p.is_empty() {
                String::new()
            } else {
                format!("{p}/")
            },
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn release_dir(&self, v: &Version) -> String {
        format!("{}{}/", self.prefix, folder_name(v))
    }

    pub fn alias_dir(&self, a: &AliasName) -> String {
        format!("{}{a}/", self.prefix)
    }

    fn records(&self) -> String {
        format!(".shipdeck/{}", self.prefix)
    }

    pub fn state_key(&self) -> String {
        format!("{}state.json", self.records())
    }

    pub fn lock_key(&self) -> String {
        format!("{}lock.json", self.records())
    }

    pub fn manifest_key(&self, v: &Version) -> String {
        format!("{}manifests/{}.json", self.records(), folder_name(v))
    }

    /// The folder of release manifests (one per published version).
    pub fn manifests_dir(&self) -> String {
        format!("{}manifests/", self.records())
    }

    pub fn history_dir(&self) -> String {
        format!("{}history/", self.records())
    }

    /// Where `metrics publish` records the last bucket it sent (shared by every manager and CI).
    pub fn metrics_watermark_key(&self) -> String {
        format!("{}metrics-watermark.json", self.records())
    }

    pub fn allowlist_default_key(&self) -> String {
        format!("{}origins.json", self.records())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_with_and_without_prefix() {
        let v = Version::new(1, 2, 3);
        let l = Layout::new("");
        assert_eq!(l.release_dir(&v), "v1.2.3/");
        assert_eq!(l.alias_dir(&AliasName::Latest), "latest/");
        assert_eq!(l.state_key(), ".shipdeck/state.json");
        let l = Layout::new("/msr-webchat/");
        assert_eq!(l.release_dir(&v), "msr-webchat/v1.2.3/");
        assert_eq!(l.alias_dir(&AliasName::Minor(1, 2)), "msr-webchat/v1.2/");
        assert_eq!(
            l.manifest_key(&v),
            ".shipdeck/msr-webchat/manifests/v1.2.3.json"
        );
    }
}
