//! Release manifests: the record of exactly which bytes a release is made of.
//!
//! A manifest is written last when a release is published, so a release without one is not
//! done. It is what `verify` checks aliases and folders against, what the embed snippet takes
//! its SRI hashes from, and what the cost model takes bundle sizes from.

use base64::Engine;
use chrono::{DateTime, Utc};
use flate2::{Compression, write::GzEncoder};
use semver::Version;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha384};
use std::io::Write;

/// Cache-Control of files inside an immutable release folder.
pub const IMMUTABLE_CACHE: &str = "public, immutable, max-age=31536000";
/// Cache-Control of `.html` and `.map` files inside a release folder.
pub const SHORT_CACHE: &str = "public, max-age=3600";
/// Default Cache-Control of alias files (`latest/`, `v1/`, …).
/// Why a header value from a configuration is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderValueError {
    #[error(
        "{0} has a line break or another control character; a header value is one line of visible text, e.g. \"public, max-age=300\""
    )]
    Control(String),
    #[error("the value is empty; leave the key out for the default")]
    Empty,
    #[error("the value is {0} characters long; a header value here has at most 256")]
    TooLong(usize),
}

/// Checks a header value from a configuration before it is ever written into object metadata.
pub fn check_header_value(v: &str) -> Result<(), HeaderValueError> {
    if v.chars().any(char::is_control) {
        return Err(HeaderValueError::Control(format!(
            "\"{}\"",
            v.escape_debug()
        )));
    }
    if v.trim().is_empty() {
        return Err(HeaderValueError::Empty);
    }
    let n = v.chars().count();
    if n > 256 {
        return Err(HeaderValueError::TooLong(n));
    }
    Ok(())
}

pub const ALIAS_CACHE: &str = "public, max-age=300";

/// One file of a release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Path inside the release folder, with `/` separators.
    pub path: String,
    pub size: u64,
    pub gzip_size: u64,
    /// Brotli size (quality 5, as a CDN compresses on the fly) of text files: what serving
    /// Brotli would send. Absent for binary files and in older manifests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brotli_size: Option<u64>,
    pub sha256: String,
    /// Subresource Integrity value, `sha384-…`.
    pub sri: String,
    pub content_type: String,
    pub cache_control: String,
    /// What the store reported as the uploaded object's content id (its ETag on S3), so plans
    /// can compare alias files without listing the release folder. Absent in older manifests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_id: Option<String>,
}

/// Everything known about one published release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: Version,
    pub files: Vec<FileEntry>,
    pub published_at: DateTime<Utc>,
    pub published_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

impl Manifest {
    pub fn total_size(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    pub fn total_gzip(&self) -> u64 {
        self.files.iter().map(|f| f.gzip_size).sum()
    }

    pub fn file(&self, path: &str) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.path == path)
    }

    /// The release folder as the store holds it, from the recorded content ids; `None` when
    /// this manifest predates them (then the folder must be listed).
    pub fn existing(&self) -> Option<Vec<crate::domain::plan::Existing>> {
        self.files
            .iter()
            .map(|f| {
                f.content_id
                    .clone()
                    .map(|id| crate::domain::plan::Existing {
                        path: f.path.clone(),
                        size: f.size,
                        content_id: Some(id),
                    })
            })
            .collect()
    }
}

/// The files a page that embeds the widget downloads, among `paths`: the UMD bundle (or, without
/// one, the first top-level script) and the first top-level stylesheet. The ES build, the demo
/// page and source maps are published but not fetched by a page load. Indices into `paths`; the
/// one rule the cost estimate's bytes per load and its advice both use.
pub fn page_load<'a>(paths: impl IntoIterator<Item = &'a str>) -> Vec<usize> {
    let paths: Vec<&str> = paths.into_iter().collect();
    let top = |p: &str| !p.contains('/');
    let script = paths
        .iter()
        .position(|p| FileType::of(p) == FileType::Umd)
        .or_else(|| {
            paths
                .iter()
                .position(|p| top(p) && p.ends_with(".js") && FileType::of(p) != FileType::Map)
        });
    let css = paths
        .iter()
        .position(|p| top(p) && FileType::of(p) == FileType::Css);
    script.into_iter().chain(css).collect()
}

/// What a release file is, from its name: the widget's UMD and ES bundles, its stylesheet,
/// source maps, HTML pages, or anything else. A closed set, so cache rules, advice and traffic
/// counts match on it instead of comparing extensions in several places.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum FileType {
    Umd,
    Es,
    Css,
    Map,
    Html,
    Other,
}

impl FileType {
    pub const ALL: [FileType; 6] = [
        FileType::Umd,
        FileType::Es,
        FileType::Css,
        FileType::Map,
        FileType::Html,
        FileType::Other,
    ];

    /// The type of the file at `path` (case-insensitive; a query string or fragment is ignored).
    pub fn of(path: &str) -> FileType {
        // Byte searches, not char-set splits: this runs once per log line.
        let path = match memchr::memchr2(b'?', b'#', path.as_bytes()) {
            Some(i) => &path[..i],
            None => path,
        };
        let name = match memchr::memrchr(b'/', path.as_bytes()) {
            Some(i) => &path[i + 1..],
            None => path,
        };
        // Case-insensitive suffixes without a lowercased copy: this runs once per log line.
        let ends = |suffix: &str| {
            name.len() >= suffix.len()
                && name.as_bytes()[name.len() - suffix.len()..]
                    .eq_ignore_ascii_case(suffix.as_bytes())
        };
        if ends(".map") {
            FileType::Map
        } else if ends(".html") || ends(".htm") {
            FileType::Html
        } else if ends(".css") {
            FileType::Css
        } else if ends(".umd.js") || ends(".umd.cjs") {
            FileType::Umd
        } else if ends(".es.js") || ends(".mjs") || ends(".esm.js") {
            FileType::Es
        } else {
            FileType::Other
        }
    }

    /// Its position in [`FileType::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The name in JSON and metrics: `umd`, `es`, `css`, `map`, `html`, `other`.
    pub fn name(self) -> &'static str {
        match self {
            FileType::Umd => "umd",
            FileType::Es => "es",
            FileType::Css => "css",
            FileType::Map => "map",
            FileType::Html => "html",
            FileType::Other => "other",
        }
    }
}

/// The Cache-Control a file gets inside an immutable release folder: pages and source maps are
/// short-lived (a page names the release's files; a map is fetched only by developers), the
/// rest immutable.
pub fn release_cache_control(path: &str) -> &'static str {
    match FileType::of(path) {
        FileType::Html | FileType::Map => SHORT_CACHE,
        _ => IMMUTABLE_CACHE,
    }
}

/// The Content-Type a browser should get for a build file.
pub fn content_type(path: &str) -> String {
    let lower = path.to_ascii_lowercase();
    let ext = lower.rsplit('.').next().unwrap_or("");
    let fixed = match ext {
        "js" | "mjs" | "cjs" => Some("text/javascript; charset=utf-8"),
        "css" => Some("text/css; charset=utf-8"),
        "html" | "htm" => Some("text/html; charset=utf-8"),
        "map" | "json" => Some("application/json"),
        "md" => Some("text/markdown; charset=utf-8"),
        "txt" => Some("text/plain; charset=utf-8"),
        "svg" => Some("image/svg+xml"),
        "woff2" => Some("font/woff2"),
        _ => None,
    };
    fixed.map(str::to_string).unwrap_or_else(|| {
        mime_guess::from_path(&lower)
            .first_or_octet_stream()
            .to_string()
    })
}

/// Whether a file is an entry point a page loads directly (copied last, so a page never loads a
/// new entry point that refers to chunks not yet in place).
pub fn is_entry_point(path: &str) -> bool {
    !path.contains('/') && {
        let lower = path.to_ascii_lowercase();
        lower.ends_with(".js") || lower.ends_with(".mjs") || lower.ends_with(".css")
    }
}

/// Hashes, sizes and headers of one file's bytes.
#[expect(
    clippy::expect_used,
    reason = "gzip into a Vec cannot fail: writing to a Vec never errs"
)]
pub fn describe_file(path: &str, bytes: &[u8]) -> FileEntry {
    let mut gz = GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3 + 64),
        Compression::default(),
    );
    // Writing to a Vec cannot fail.
    gz.write_all(bytes).expect("gzip into memory");
    let gzip_size = gz.finish().expect("gzip into memory").len() as u64;
    FileEntry {
        path: path.to_string(),
        size: bytes.len() as u64,
        gzip_size,
        brotli_size: is_text(path).then(|| brotli_size(bytes)),
        sha256: hex::encode(Sha256::digest(bytes)),
        sri: format!(
            "sha384-{}",
            base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes))
        ),
        content_type: content_type(path),
        cache_control: release_cache_control(path).to_string(),
        content_id: None,
    }
}

/// Whether a CDN would compress this file (text: scripts, styles, markup, maps, data).
fn is_text(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [
        ".js", ".mjs", ".css", ".html", ".htm", ".map", ".json", ".svg", ".txt", ".md",
    ]
    .iter()
    .any(|e| lower.ends_with(e))
}

/// Bytes after Brotli at quality 5 with a 4 MiB window: about what CloudFront and Front Door
/// send when they compress on the fly.
fn brotli_size(bytes: &[u8]) -> u64 {
    brotli_bytes(bytes).len() as u64
}

#[expect(
    clippy::expect_used,
    reason = "compressing into a Vec cannot fail: writing to a Vec never errs"
)]
fn brotli_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut w = brotli::CompressorWriter::new(Vec::new(), 4096, 5, 22);
    w.write_all(bytes).expect("brotli into memory");
    // into_inner finishes the stream.
    w.into_inner()
}

/// SHA-256 of bytes, hex: what `verify` compares against the manifest.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// What changed between two releases, file by file (by path, then by content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManifestDiff {
    pub from: Version,
    pub to: Version,
    pub added: Vec<FileEntry>,
    pub removed: Vec<FileEntry>,
    /// (before, after) for each path whose content differs.
    pub changed: Vec<(FileEntry, FileEntry)>,
    pub unchanged: usize,
}

/// Compares release `a` with release `b`.
pub fn diff(a: &Manifest, b: &Manifest) -> ManifestDiff {
    let mut d = ManifestDiff {
        from: a.version.clone(),
        to: b.version.clone(),
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        unchanged: 0,
    };
    for f in &b.files {
        match a.file(&f.path) {
            None => d.added.push(f.clone()),
            Some(old) if old.sha256 != f.sha256 => d.changed.push((old.clone(), f.clone())),
            Some(_) => d.unchanged += 1,
        }
    }
    d.removed = a
        .files
        .iter()
        .filter(|f| b.file(&f.path).is_none())
        .cloned()
        .collect();
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_load_is_the_script_and_the_stylesheet() {
        let load = |p: &[&str]| page_load(p.iter().copied());
        let vite = [
            "index.html",
            "msr-webchat.es.js",
            "msr-webchat.umd.js",
            "msr-webchat.umd.js.map",
            "style.css",
        ];
        assert_eq!(load(&vite), vec![2, 4]);
        // Without a UMD build: the first top-level script, never a map or a nested chunk.
        assert_eq!(
            load(&["a/chunk.js", "x.js.map", "main.js", "css/x.css"]),
            vec![2]
        );
        assert!(load(&["index.html"]).is_empty());
    }

    #[test]
    fn file_types_from_names() {
        let t = FileType::of;
        assert_eq!(t("v1.0.0/msr-webchat.umd.js"), FileType::Umd);
        assert_eq!(t("latest/msr-webchat.es.js"), FileType::Es);
        assert_eq!(t("latest/Style.CSS"), FileType::Css);
        assert_eq!(t("latest/msr-webchat.umd.js.map"), FileType::Map);
        assert_eq!(t("v1/index.html?x=1"), FileType::Html);
        assert_eq!(t("v1/README.md"), FileType::Other);
        assert_eq!(t("v1/app.js"), FileType::Other);
        for f in FileType::ALL {
            assert_eq!(
                serde_json::to_value(f).unwrap(),
                serde_json::json!(f.name())
            );
        }
    }

    #[test]
    fn a_diff_names_added_removed_and_changed_files() {
        let m = |v: &str, files: &[(&str, &str)]| Manifest {
            version: v.parse().unwrap(),
            files: files
                .iter()
                .map(|(p, c)| describe_file(p, c.as_bytes()))
                .collect(),
            published_at: chrono::DateTime::<chrono::Utc>::from_timestamp(0, 0).unwrap(),
            published_by: "a".into(),
            commit: None,
        };
        let a = m(
            "1.0.0",
            &[("a.js", "1"), ("b.css", "same"), ("old.map", "x")],
        );
        let b = m(
            "1.1.0",
            &[("a.js", "22"), ("b.css", "same"), ("new.js", "y")],
        );
        let d = diff(&a, &b);
        assert_eq!(
            d.added.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
            vec!["new.js"]
        );
        assert_eq!(
            d.removed
                .iter()
                .map(|f| f.path.as_str())
                .collect::<Vec<_>>(),
            vec!["old.map"]
        );
        assert_eq!(d.changed.len(), 1);
        assert_eq!((d.changed[0].0.size, d.changed[0].1.size), (1, 2));
        assert_eq!(d.unchanged, 1);
        assert_eq!(diff(&a, &a).added.len() + diff(&a, &a).changed.len(), 0);
    }

    #[test]
    fn brotli_sizes_are_recorded_for_text_and_decode_back() {
        let js = "export const greeting = 'hello from the widget';\n".repeat(2000);
        let e = describe_file("msr-webchat.umd.js", js.as_bytes());
        let b = e.brotli_size.expect("text files get a brotli size");
        assert!(
            b > 0 && b < e.gzip_size,
            "brotli {b} vs gzip {}",
            e.gzip_size
        );
        let mut back = Vec::new();
        std::io::Read::read_to_end(
            &mut brotli::Decompressor::new(&brotli_bytes(js.as_bytes())[..], 4096),
            &mut back,
        )
        .unwrap();
        assert_eq!(back, js.as_bytes());
        assert_eq!(
            describe_file("logo.png", &[0x89, b'P', b'N', b'G']).brotli_size,
            None
        );
    }

    #[test]
    fn cache_headers_follow_the_runbook() {
        assert_eq!(release_cache_control("msr-webchat.umd.js"), IMMUTABLE_CACHE);
        assert_eq!(release_cache_control("style.css"), IMMUTABLE_CACHE);
        assert_eq!(release_cache_control("index.html"), SHORT_CACHE);
        assert_eq!(release_cache_control("msr-webchat.umd.js.map"), SHORT_CACHE);
    }

    #[test]
    fn describes_bytes() {
        let e = describe_file("msr-webchat.es.js", b"export default 1;\n");
        assert_eq!(e.size, 18);
        assert_eq!(e.sha256.len(), 64);
        assert!(e.sri.starts_with("sha384-") && e.sri.len() == 7 + 64);
        assert_eq!(e.content_type, "text/javascript; charset=utf-8");
        assert!(e.gzip_size > 0);
        // Known SHA-256 of the empty input.
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn entry_points() {
        assert!(is_entry_point("msr-webchat.umd.js"));
        assert!(is_entry_point("style.css"));
        assert!(!is_entry_point("msr-webchat.umd.js.map"));
        assert!(!is_entry_point("chunks/a.js"));
        assert!(!is_entry_point("index.html"));
        assert_eq!(content_type("logo.png"), "image/png");
    }
}
