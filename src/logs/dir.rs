//! A folder of CDN log files on this machine: the logs another tool already brings here (`aws s3
//! sync` of the CloudFront log bucket, `azcopy` of the Front Door container, a mounted share).
//! Traffic reads them in place, with no cloud account and nothing downloaded twice.
//!
//! Read-only: Shipdeck never writes, moves or deletes a file here. A file's version tag is its
//! size and modification time (what `make` and `rsync` trust), so a file the sync rewrote is read
//! again and an unchanged one comes from the per-file cache without being opened. Hidden files
//! and folders (a sync tool's partial downloads, `.git`) are left out, and so are names that are
//! not UTF-8 (no CDN writes them); folders reached through a symbolic link are not followed, so
//! a link loop cannot keep the listing going.

use super::LogFiles;
use crate::store::{ObjectMeta, StoreError};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A folder of log files, opened.
#[derive(Debug, Clone)]
pub struct LogDir {
    root: PathBuf,
}

impl LogDir {
    /// Opens the folder at `root`, which must exist: a mistyped path is an error naming it,
    /// never an empty window.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let root = root.into();
        if !root.is_dir() {
            return Err(StoreError::failed(
                format!("folder {}", root.display()),
                "",
                "this logs folder does not exist; set `path` in the profile's logs to the folder your log sync writes to",
                None,
            ));
        }
        Ok(Self { root })
    }

    fn io(&self, key: &str, e: std::io::Error) -> StoreError {
        StoreError::failed(self.describe(), key, e.to_string(), Some(Arc::new(e)))
    }

    fn read_sync(&self, key: &str) -> Result<Option<bytes::Bytes>, StoreError> {
        // Keys come from the listing; one that would leave the folder is refused all the same.
        let inside = !key.is_empty()
            && Path::new(key)
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !inside {
            return Err(StoreError::InvalidKey {
                store: self.describe(),
                key: crate::store::shown_key(key),
                reason: "a log file's name is a path inside the logs folder".into(),
            });
        }
        match fs::read(self.root.join(key)) {
            Ok(b) => Ok(Some(b.into())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.io(key, e)),
        }
    }
}

/// The size and modification time (nanoseconds) of a file, as one tag.
fn version_tag(md: &fs::Metadata) -> String {
    let mtime = md
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!("{:x}-{mtime:x}", md.len())
}

#[async_trait::async_trait]
impl LogFiles for LogDir {
    fn describe(&self) -> String {
        format!("folder {}", self.root.display())
    }

    async fn files(&self, prefix: &str) -> Result<Vec<ObjectMeta>, StoreError> {
        let prefix = prefix.to_string();
        crate::store::tree::blocking(self, LogFiles::describe, move |d| {
            let mut out = Vec::new();
            crate::store::tree::walk(
                &d.root,
                "",
                &prefix,
                // Hidden names, and names that are not UTF-8 (shown with U+FFFD).
                &|name| !name.starts_with('.') && !name.contains('\u{FFFD}'),
                &|key, e| d.io(key, e),
                &mut |key, entry, _| {
                    // A file, or a symbolic link to one (never to a folder).
                    let md = match fs::metadata(entry.path()) {
                        Ok(md) if md.is_file() => md,
                        Ok(_) => return Ok(()),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
                        Err(e) => return Err(d.io(&key, e)),
                    };
                    out.push(ObjectMeta {
                        key,
                        size: md.len(),
                        etag: version_tag(&md),
                        content_id: None,
                        content_type: None,
                        cache_control: None,
                    });
                    Ok(())
                },
            )?;
            out.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(out)
        })
        .await
    }

    async fn read(&self, key: &str) -> Result<Option<bytes::Bytes>, StoreError> {
        let key = key.to_string();
        crate::store::tree::blocking(self, LogFiles::describe, move |d| d.read_sync(&key)).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]
    use super::*;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
    }

    #[test]
    fn lists_log_files_under_the_prefix_and_leaves_out_hidden_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for p in [
            "cdn/E1.2026-11-20-10.a.gz",
            "cdn/2026/11/20/11/E1.b.gz",
            "cdn/.E1.2026-11-20-12.c.gz.partial",
            "cdn/.sync/E1.2026-11-20-13.d.gz",
            "other/E1.2026-11-20-10.e.gz",
        ] {
            let path = root.join(p);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, p).unwrap();
        }
        let dir = LogDir::open(root).unwrap();
        let keys: Vec<String> = rt()
            .block_on(dir.files("cdn/"))
            .unwrap()
            .into_iter()
            .map(|m| m.key)
            .collect();
        assert_eq!(
            keys,
            ["cdn/2026/11/20/11/E1.b.gz", "cdn/E1.2026-11-20-10.a.gz"]
        );
        let body = rt()
            .block_on(dir.read("cdn/E1.2026-11-20-10.a.gz"))
            .unwrap();
        assert_eq!(body.as_deref(), Some(&b"cdn/E1.2026-11-20-10.a.gz"[..]));
        assert!(rt().block_on(dir.read("cdn/gone.gz")).unwrap().is_none());
    }

    #[test]
    fn a_rewritten_file_gets_a_new_version_tag() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("E1.2026-11-20-10.a.gz");
        fs::write(&f, "one").unwrap();
        let dir = LogDir::open(tmp.path()).unwrap();
        let tag = |d: &LogDir| rt().block_on(d.files("")).unwrap()[0].etag.clone();
        let first = tag(&dir);
        assert_eq!(first, tag(&dir), "an unchanged file keeps its tag");
        fs::write(&f, "one more line").unwrap();
        assert_ne!(first, tag(&dir), "a longer file is a new version");
    }

    #[test]
    fn keys_outside_the_folder_and_missing_folders_are_refused_in_words() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = LogDir::open(tmp.path()).unwrap();
        for key in ["../secret", "/etc/passwd", "a/../../b", ""] {
            assert!(
                matches!(
                    rt().block_on(dir.read(key)),
                    Err(StoreError::InvalidKey { .. })
                ),
                "{key}"
            );
        }
        let missing = tmp.path().join("nope");
        let e = LogDir::open(&missing).unwrap_err().to_string();
        assert!(
            e.contains("logs folder does not exist") && e.contains("nope"),
            "{e}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_file_is_read_and_a_linked_folder_or_a_foreign_name_is_not() {
        use std::os::unix::ffi::OsStrExt;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("logs");
        fs::create_dir_all(&root).unwrap();
        let outside = tmp.path().join("E1.2026-11-20-10.x.gz");
        fs::write(&outside, "x").unwrap();
        std::os::unix::fs::symlink(&outside, root.join("linked.gz")).unwrap();
        std::os::unix::fs::symlink(&root, root.join("loop")).unwrap();
        // A name that is not UTF-8: no CDN writes one, and it could not be read back by key.
        let odd = std::ffi::OsStr::from_bytes(b"E1.2026-11-20-10.\xff.gz");
        fs::write(root.join(odd), "x").unwrap();
        let keys: Vec<String> = rt()
            .block_on(LogDir::open(&root).unwrap().files(""))
            .unwrap()
            .into_iter()
            .map(|m| m.key)
            .collect();
        assert_eq!(keys, ["linked.gz"]);
    }
}
