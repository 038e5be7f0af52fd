//! Which files of a build folder are published: a release is public and cached for a year, so
//! a secret that slips into `dist/` is a leak that cannot be recalled, and OS litter
//! (`.DS_Store`) is noise with an immutable header. Pure rules, decided per path.

/// What happens to one file (or folder) of a build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Publish,
    /// Left out, and the plan says so: OS litter and other hidden files.
    Excluded(&'static str),
    /// The whole publish is refused: a name that cannot be shown faithfully, or a secret.
    Refused(String),
}

/// The widget's entry files: a build without them is not the widget.
pub const DEFAULT_ENTRY_FILES: [&str; 3] = ["msr-webchat.umd.js", "msr-webchat.es.js", "style.css"];

const OS_LITTER: [&str; 8] = [
    ".DS_Store",
    "Thumbs.db",
    "ehthumbs.db",
    "desktop.ini",
    ".Spotlight-V100",
    ".Trashes",
    ".fseventsd",
    "__MACOSX",
];

/// Names (exact) that hold credentials or repository internals.
const SECRET_NAMES: [&str; 16] = [
    ".env",
    ".git",
    ".svn",
    ".hg",
    ".npmrc",
    ".yarnrc",
    ".yarnrc.yml",
    ".pypirc",
    ".netrc",
    ".aws",
    ".ssh",
    ".htpasswd",
    ".git-credentials",
    "id_rsa",
    "id_ed25519",
    "credentials.json",
];

/// Endings of key and certificate stores.
const SECRET_ENDINGS: [&str; 7] = [".pem", ".key", ".p12", ".pfx", ".keystore", ".jks", ".kdbx"];

/// Judges one path of a build (relative, `/`-separated).
pub fn judge(rel: &str) -> Verdict {
    if rel.chars().any(char::is_control) {
        return Verdict::Refused(format!(
            "\"{}\" has a control character (such as a line break) in its name; rename it",
            rel.escape_debug()
        ));
    }
    for name in rel.split('/') {
        if let Some(why) = secret(name) {
            return Verdict::Refused(format!(
                "'{rel}' looks like {why}; remove it from the build folder — a published file is public and cached for a year"
            ));
        }
        if OS_LITTER.contains(&name) || name.starts_with("._") {
            return Verdict::Excluded("operating-system file");
        }
        if name.starts_with('.') {
            return Verdict::Excluded("hidden file");
        }
    }
    Verdict::Publish
}

fn secret(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if SECRET_NAMES.contains(&lower.as_str()) || lower.starts_with(".env.") {
        return Some(
            if lower.starts_with(".git") || lower == ".svn" || lower == ".hg" {
                "a version-control folder (it holds the repository's history)"
            } else {
                "a credentials file"
            },
        );
    }
    if SECRET_ENDINGS.iter().any(|e| lower.ends_with(e)) || lower.starts_with("id_rsa") {
        return Some("a private key or certificate store");
    }
    None
}

/// The entry files `required` that `paths` lacks.
pub fn missing_entries<'a>(required: &'a [String], paths: &[&str]) -> Vec<&'a str> {
    required
        .iter()
        .map(String::as_str)
        .filter(|e| !paths.contains(e))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_refused_litter_and_hidden_files_excluded() {
        for p in [
            ".env",
            ".env.production",
            "sub/.git/config",
            "certs/server.pem",
            "deploy.KEY",
            ".npmrc",
            "id_rsa.pub",
        ] {
            assert!(matches!(judge(p), Verdict::Refused(_)), "{p}");
        }
        assert_eq!(
            judge(".DS_Store"),
            Verdict::Excluded("operating-system file")
        );
        assert_eq!(
            judge("assets/._logo.png"),
            Verdict::Excluded("operating-system file")
        );
        assert_eq!(judge(".eslintcache"), Verdict::Excluded("hidden file"));
        for p in [
            "msr-webchat.umd.js",
            "style.css",
            "assets/keyboard.svg",
            "index.html",
        ] {
            assert_eq!(judge(p), Verdict::Publish, "{p}");
        }
        let Verdict::Refused(why) = judge("bad\nname.js") else {
            panic!("a newline in a name is refused")
        };
        assert!(
            why.contains("bad\\nname.js") && !why.contains('\n'),
            "{why}"
        );
    }

    #[test]
    fn missing_entries_are_named() {
        let required: Vec<String> = DEFAULT_ENTRY_FILES.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            missing_entries(&required, &["msr-webchat.umd.js", "index.html"]),
            vec!["msr-webchat.es.js", "style.css"]
        );
        assert!(missing_entries(&required, &DEFAULT_ENTRY_FILES).is_empty());
    }
}
