//! Copy-ready embed snippets for a release, with Subresource Integrity.
//!
//! Integrity pins exact bytes, so it belongs on URLs whose bytes never change: the versioned
//! folder. An alias URL (`latest/`, `v1/`) changes content when the alias moves, and an SRI hash
//! on it would make every page break at the next promote; the alias snippet therefore carries
//! `crossorigin` only, and says so.

use crate::domain::manifest::Manifest;
use crate::domain::version::folder_name;

/// The stylesheet and script tags for `manifest`, served from `base_url/{folder}/`.
///
/// With `alias = None` the versioned folder is used, with integrity; with an alias, its folder
/// without integrity.
pub fn snippet(manifest: &Manifest, base_url: &str, alias: Option<&str>) -> Vec<String> {
    let base = base_url.trim_end_matches('/');
    let folder = alias
        .map(str::to_string)
        .unwrap_or_else(|| folder_name(&manifest.version));
    let mut out = Vec::new();
    if alias.is_some() {
        out.push(format!(
            "<!-- {folder}/ moves with each promote: no integrity, pin a version for SRI -->"
        ));
    }
    let integrity = |sri: &str| {
        if alias.is_none() {
            format!(" integrity=\"{sri}\"")
        } else {
            String::new()
        }
    };
    if let Some(css) = manifest
        .files
        .iter()
        .find(|f| f.path.ends_with(".css") && !f.path.contains('/'))
    {
        out.push(format!(
            "<link rel=\"stylesheet\" href=\"{base}/{folder}/{}\"{} crossorigin=\"anonymous\">",
            css.path,
            integrity(&css.sri)
        ));
    }
    let script = manifest
        .files
        .iter()
        .find(|f| f.path.ends_with(".umd.js"))
        .or_else(|| {
            manifest
                .files
                .iter()
                .find(|f| f.path.ends_with(".js") && !f.path.contains('/'))
        });
    if let Some(js) = script {
        out.push(format!(
            "<script src=\"{base}/{folder}/{}\"{} crossorigin=\"anonymous\"></script>",
            js.path,
            integrity(&js.sri)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::manifest::describe_file;
    use chrono::DateTime;
    use semver::Version;

    fn manifest() -> Manifest {
        Manifest {
            version: Version::new(1, 2, 3),
            files: vec![
                describe_file("style.css", b"a{}"),
                describe_file("msr-webchat.es.js", b"e"),
                describe_file("msr-webchat.umd.js", b"u"),
            ],
            published_at: DateTime::from_timestamp(0, 0).unwrap(),
            published_by: "t".into(),
            commit: None,
        }
    }

    #[test]
    fn versioned_snippet_has_integrity() {
        let m = manifest();
        let s = snippet(&m, "https://cdn.example.com/msr-webchat/", None);
        assert_eq!(s.len(), 2);
        assert!(s[0].starts_with("<link rel=\"stylesheet\" href=\"https://cdn.example.com/msr-webchat/v1.2.3/style.css\" integrity=\"sha384-"));
        assert!(
            s[1].contains("src=\"https://cdn.example.com/msr-webchat/v1.2.3/msr-webchat.umd.js\"")
        );
        assert!(s[1].contains(&m.files[2].sri));
    }

    #[test]
    fn alias_snippet_has_no_integrity() {
        let s = snippet(&manifest(), "https://cdn.example.com/w", Some("latest"));
        assert!(s[0].starts_with("<!-- latest/ moves"));
        assert!(s.iter().skip(1).all(|l| !l.contains("integrity")));
        assert!(s[2].contains("/w/latest/msr-webchat.umd.js"));
    }
}
