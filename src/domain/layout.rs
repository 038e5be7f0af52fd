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

    pub fn history_dir(&self) -> String {
        format!("{}history/", self.records())
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
