//! Release versions: strict `MAJOR.MINOR.PATCH[-pre]`, the only names a release folder may have.
//!
//! Release managers type versions by hand during incidents, so every way a version can be
//! almost-right (`1.2`, `v1.2.3`, `1.0.0+build`) gets its own sentence saying how to fix it.

use semver::Version;
use std::fmt;

/// Why a string is not a version Shipdeck accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionError {
    pub input: String,
    pub reason: String,
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' is not a valid version: {}",
            self.input, self.reason
        )
    }
}

impl std::error::Error for VersionError {}

/// Parses a release version, refusing build metadata and a leading `v`.
pub fn parse_version(input: &str) -> Result<Version, VersionError> {
    let s = input.trim();
    let err = |reason: String| VersionError {
        input: input.to_string(),
        reason,
    };
    if s.is_empty() {
        return Err(err("it is empty; use MAJOR.MINOR.PATCH, e.g. 1.2.0".into()));
    }
    if let Some(rest) = s.strip_prefix(['v', 'V']) {
        return Err(err(format!(
            "drop the leading 'v' and write {rest} (the v is added to folder names for you)"
        )));
    }
    if s.contains('+') {
        let base = s.split('+').next().unwrap_or_default();
        return Err(err(format!(
            "build metadata ('+…') cannot name a release, because two builds would share one folder; use {base} or a prerelease such as {base}-rc.1"
        )));
    }
    let core = s.split('-').next().unwrap_or_default();
    let parts = core.split('.').count();
    if parts < 3
        && core
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        let mut filled: Vec<&str> = core.split('.').collect();
        while filled.len() < 3 {
            filled.push("0");
        }
        return Err(err(format!(
            "it needs three numbers, MAJOR.MINOR.PATCH; did you mean {}?",
            filled.join(".")
        )));
    }
    Version::parse(s).map_err(|e| {
        err(format!(
            "{e}; use MAJOR.MINOR.PATCH[-prerelease], e.g. 1.2.0 or 2.0.0-beta.1"
        ))
    })
}

/// True for `1.0.0-beta.1` and the like: such versions never land on automatic aliases.
pub fn is_prerelease(v: &Version) -> bool {
    !v.pre.is_empty()
}

/// The folder name of a release: `v1.2.3`.
pub fn folder_name(v: &Version) -> String {
    format!("v{v}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_and_prerelease() {
        assert_eq!(parse_version("1.2.3").unwrap(), Version::new(1, 2, 3));
        assert!(is_prerelease(&parse_version("2.0.0-beta.1").unwrap()));
        assert!(!is_prerelease(&parse_version(" 0.9.0 ").unwrap()));
    }

    #[test]
    fn refuses_near_misses_with_a_fix() {
        let e = parse_version("1.2").unwrap_err().to_string();
        assert!(e.contains("did you mean 1.2.0"), "{e}");
        let e = parse_version("v1.2.3").unwrap_err().to_string();
        assert!(e.contains("drop the leading 'v' and write 1.2.3"), "{e}");
        let e = parse_version("1.0.0+build").unwrap_err().to_string();
        assert!(e.contains("build metadata"), "{e}");
        assert!(parse_version("").is_err());
        assert!(parse_version("a.b.c").is_err());
        assert!(parse_version("01.2.3").is_err());
    }

    #[test]
    fn folder_names() {
        assert_eq!(
            folder_name(&Version::parse("1.2.3-rc.1").unwrap()),
            "v1.2.3-rc.1"
        );
    }
}
