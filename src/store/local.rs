//! The local store: a directory that mirrors what a bucket would hold.
//!
//! Key `K` is the file `ROOT/K`, so a release folder is a plain folder holding exactly the build's
//! files. Headers and content hashes are kept in a sidecar tree (`ROOT/.shipdeck-objects/`) so
//! the published folders stay clean. Writes go to a temp file and are renamed into place, and
//! conditional writes hold an OS file lock, so two processes get the same compare-and-swap
//! guarantee S3 gives.
//!
//! The file IO itself is synchronous (std::fs); every trait method runs it on tokio's blocking
//! pool, so a slow disk never stalls the async runtime that also drives the console.

use super::{Condition, Headers, Object, ObjectMeta, ObjectStore, StoreError};
use crate::domain::manifest::{content_type, sha256_hex};
use async_trait::async_trait;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const META_DIR: &str = ".shipdeck-objects";
/// Where writes are staged before they are renamed into place: inside Shipdeck's own folder on
/// the same file system, so a temporary file never appears under a published prefix.
const TMP_DIR: &str = "tmp";
/// The longest name one folder entry may have (NAME_MAX is 255 bytes on Linux, macOS and
/// Windows), less the `.json` a sidecar adds.
const MAX_NAME_BYTES: usize = 250;
/// The longest path the file system takes (PATH_MAX is 4,096 bytes on Linux).
const MAX_PATH_BYTES: usize = 4095;

fn mtime_ns(md: &fs::Metadata) -> u128 {
    md.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

#[derive(Clone)]
pub struct LocalStore {
    root: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Sidecar {
    sha256: String,
    size: u64,
    /// Modification time of the object file when the sidecar was written, in nanoseconds: a
    /// file edited by hand (or a write interrupted between file and sidecar) no longer matches.
    mtime_ns: u128,
    content_type: String,
    cache_control: String,
}

impl LocalStore {
    /// Opens the store rooted at `root`, which must exist: a mistyped path is an error naming
    /// it, never a new empty store ([`LocalStore::create`] makes one, as `shipdeck init` does).
    pub fn open(root: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let root = root.into();
        if !root.is_dir() {
            return Err(StoreError::failed(
                format!("local {}", root.display()),
                "",
                format!(
                    "the store folder '{}' does not exist; check `path` in the profile, or create it with `shipdeck init`",
                    root.display()
                ),
                None,
            ));
        }
        Self::create(root)
    }

    /// Opens the store rooted at `root`, creating its folder if needed.
    pub fn create(root: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let root = root.into();
        fs::create_dir_all(root.join(META_DIR)).map_err(|e| {
            let cause = format!(
                "cannot create the store folder ({e}); check the profile's path and its permissions"
            );
            StoreError::failed(
                format!("local {}", root.display()),
                "",
                cause,
                Some(Arc::new(e)),
            )
        })?;
        Ok(LocalStore { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn fail(&self, key: &str, cause: impl std::fmt::Display) -> StoreError {
        StoreError::failed(self.describe(), key, cause.to_string(), None)
    }

    /// An IO error on `key`, kept as the source.
    fn io(&self, key: &str, e: std::io::Error) -> StoreError {
        StoreError::failed(self.describe(), key, e.to_string(), Some(Arc::new(e)))
    }

    fn path(&self, key: &str) -> Result<PathBuf, StoreError> {
        self.key_rules(key)?;
        Ok(self.root.join(key))
    }

    /// The keys a folder tree can hold: relative, no `.`/`..` or Shipdeck's own folder, each
    /// name short enough for the file system once its sidecar suffix is added, the whole path
    /// short enough too.
    fn key_rules(&self, key: &str) -> Result<(), StoreError> {
        let refuse = |reason: String| StoreError::InvalidKey {
            store: self.describe(),
            key: super::shown_key(key),
            reason,
        };
        let bad = key.is_empty()
            || key.starts_with('/')
            || key.contains('\\')
            || key.contains('\0')
            || key
                .split('/')
                .any(|c| c == ".." || c == "." || c == META_DIR)
            || key.ends_with('/');
        if bad {
            return Err(refuse("it is not a valid object key".into()));
        }
        if let Some(long) = key.split('/').find(|c| c.len() > MAX_NAME_BYTES) {
            return Err(refuse(format!(
                "the name '{}' is {} bytes long and this file system takes at most {MAX_NAME_BYTES} per name; use a shorter version or file name",
                super::shown_key(long),
                long.len()
            )));
        }
        let full = self.sidecar_path(key).as_os_str().len();
        if full > MAX_PATH_BYTES {
            return Err(refuse(format!(
                "its path in the store would be {full} bytes long, over the file system's {MAX_PATH_BYTES}; use a shorter store path, version or file name"
            )));
        }
        Ok(())
    }

    fn sidecar_path(&self, key: &str) -> PathBuf {
        self.root.join(META_DIR).join(format!("{key}.json"))
    }

    fn write_atomic(&self, key: &str, path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
        let Some(dir) = path.parent() else {
            return Err(self.fail(key, "not a valid object key"));
        };
        fs::create_dir_all(dir).map_err(|e| self.io(key, e))?;
        let staging = self.root.join(META_DIR).join(TMP_DIR);
        fs::create_dir_all(&staging).map_err(|e| self.io(key, e))?;
        let tmp = staging.join(format!(
            ".tmp-shipdeck-{}-{}",
            std::process::id(),
            rand::random::<u64>()
        ));
        let mut f = fs::File::create(&tmp).map_err(|e| self.io(key, e))?;
        f.write_all(bytes).map_err(|e| self.io(key, e))?;
        drop(f);
        fs::rename(&tmp, path).map_err(|e| {
            let _ = fs::remove_file(&tmp);
            self.io(key, e)
        })
    }

    fn meta_of(&self, key: &str, path: &Path) -> Result<Option<ObjectMeta>, StoreError> {
        let md = match fs::metadata(path) {
            Ok(m) if m.is_file() => m,
            Ok(_) => return Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io(key, e)),
        };
        let sidecar: Option<Sidecar> = fs::read(self.sidecar_path(key))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .filter(|s: &Sidecar| s.size == md.len() && s.mtime_ns == mtime_ns(&md));
        let (sha, ct, cc) = match sidecar {
            Some(s) => (s.sha256, s.content_type, Some(s.cache_control)),
            None => {
                // A file placed by hand: hash it so the ETag still tracks its content.
                let bytes = fs::read(path).map_err(|e| self.io(key, e))?;
                (sha256_hex(&bytes), content_type(key), None)
            }
        };
        Ok(Some(ObjectMeta {
            key: key.to_string(),
            size: md.len(),
            etag: sha.clone(),
            content_id: Some(sha),
            content_type: Some(ct),
            cache_control: cc,
        }))
    }

    fn write_object(
        &self,
        key: &str,
        bytes: &[u8],
        headers: &Headers,
    ) -> Result<ObjectMeta, StoreError> {
        let path = self.path(key)?;
        let sha = sha256_hex(bytes);
        self.write_atomic(key, &path, bytes)?;
        let md = fs::metadata(&path).map_err(|e| self.io(key, e))?;
        let side = Sidecar {
            sha256: sha.clone(),
            size: bytes.len() as u64,
            mtime_ns: mtime_ns(&md),
            content_type: headers.content_type.clone(),
            cache_control: headers.cache_control.clone(),
        };
        // Object first, then its sidecar: a sidecar that does not match the file (size and
        // mtime) is ignored and the file re-hashed, so a crash in between loses only headers.
        let side_bytes = serde_json::to_vec(&side).map_err(|e| self.fail(key, e))?;
        self.write_atomic(key, &self.sidecar_path(key), &side_bytes)?;
        Ok(ObjectMeta {
            key: key.to_string(),
            size: bytes.len() as u64,
            etag: sha.clone(),
            content_id: Some(sha),
            content_type: Some(headers.content_type.clone()),
            cache_control: Some(headers.cache_control.clone()),
        })
    }

    /// Serialises conditional writes across processes.
    fn lock_file(&self, key: &str) -> Result<fs::File, StoreError> {
        let f = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.root.join(META_DIR).join(".cas-lock"))
            .map_err(|e| self.io(key, e))?;
        f.lock().map_err(|e| self.io(key, e))?;
        Ok(f)
    }
}

/// The synchronous operations, run on the blocking pool by the trait methods below.
impl LocalStore {
    fn get_sync(&self, key: &str) -> Result<Option<Object>, StoreError> {
        // A key the store can never hold is not in it.
        let Ok(path) = self.path(key) else {
            return Ok(None);
        };
        let body = match fs::read(&path) {
            Ok(b) => Bytes::from(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => return Ok(None),
            Err(e) => return Err(self.io(key, e)),
        };
        let mut meta = match self.meta_of(key, &path)? {
            Some(m) => m,
            None => return Ok(None),
        };
        // The ETag of what we actually read, even if the sidecar was stale.
        let sha = sha256_hex(&body);
        meta.size = body.len() as u64;
        meta.etag = sha.clone();
        meta.content_id = Some(sha);
        Ok(Some(Object { meta, body }))
    }

    fn head_sync(&self, key: &str) -> Result<Option<ObjectMeta>, StoreError> {
        let Ok(path) = self.path(key) else {
            return Ok(None);
        };
        self.meta_of(key, &path)
    }

    fn put_sync(
        &self,
        key: &str,
        body: Bytes,
        headers: &Headers,
        condition: &Condition,
    ) -> Result<ObjectMeta, StoreError> {
        let path = self.path(key)?;
        if *condition == Condition::None {
            return self.write_object(key, &body, headers);
        }
        let _guard = self.lock_file(key)?;
        let current = match fs::read(&path) {
            Ok(b) => Some(sha256_hex(&b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(self.io(key, e)),
        };
        let ok = match (condition, &current) {
            (Condition::IfAbsent, None) => true,
            (Condition::IfMatch(tag), Some(cur)) => tag == cur,
            _ => false,
        };
        if !ok {
            return Err(StoreError::PreconditionFailed {
                key: key.to_string(),
            });
        }
        self.write_object(key, &body, headers)
    }

    fn list_sync(&self, prefix: &str) -> Result<Vec<ObjectMeta>, StoreError> {
        let mut out = Vec::new();
        // Temporary files are staged under META_DIR; a `.tmp-shipdeck-*` left in a published
        // folder by an older Shipdeck is listed like any other file, so `verify` names it.
        super::tree::walk(
            &self.root,
            "",
            prefix,
            &|name| name != META_DIR,
            &|key, e| self.io(key, e),
            &mut |key, entry, ft| {
                if ft.is_file()
                    && let Some(m) = self.meta_of(&key, &entry.path())?
                {
                    out.push(m);
                }
                Ok(())
            },
        )?;
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    fn copy_sync(
        &self,
        from: &str,
        to: &str,
        headers: &Headers,
    ) -> Result<Option<String>, StoreError> {
        let src = self.path(from)?;
        let bytes = match fs::read(&src) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(self.fail(
                    from,
                    "the copy source does not exist; run `shipdeck verify` on its release",
                ));
            }
            Err(e) => return Err(self.io(from, e)),
        };
        self.write_object(to, &bytes, headers).map(|m| m.content_id)
    }

    fn delete_sync(&self, key: &str) -> Result<(), StoreError> {
        // Deleting a key the store can never hold succeeds: it is not there.
        let Ok(path) = self.path(key) else {
            return Ok(());
        };
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(self.io(key, e)),
        }
        let _ = fs::remove_file(self.sidecar_path(key));
        // Remove folders left empty, up to the root, so a deleted alias leaves no husk.
        let mut dir = path.parent().map(Path::to_path_buf);
        while let Some(d) = dir {
            if d == self.root || fs::remove_dir(&d).is_err() {
                break;
            }
            dir = d.parent().map(Path::to_path_buf);
        }
        Ok(())
    }
}

/// Runs `f` on a clone of the store on tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    store: &LocalStore,
    f: impl FnOnce(&LocalStore) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    super::tree::blocking(store, ObjectStore::describe, f).await
}

#[async_trait]
impl ObjectStore for LocalStore {
    fn describe(&self) -> String {
        format!("local {}", self.root.display())
    }

    fn check_key(&self, key: &str) -> Result<(), StoreError> {
        self.key_rules(key)
    }

    async fn get(&self, key: &str) -> Result<Option<Object>, StoreError> {
        let key = key.to_string();
        blocking(self, move |s| s.get_sync(&key)).await
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectMeta>, StoreError> {
        let key = key.to_string();
        blocking(self, move |s| s.head_sync(&key)).await
    }

    async fn put(
        &self,
        key: &str,
        body: Bytes,
        headers: &Headers,
        condition: &Condition,
    ) -> Result<ObjectMeta, StoreError> {
        let (key, headers, condition) = (key.to_string(), headers.clone(), condition.clone());
        blocking(self, move |s| s.put_sync(&key, body, &headers, &condition)).await
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>, StoreError> {
        let prefix = prefix.to_string();
        blocking(self, move |s| s.list_sync(&prefix)).await
    }

    async fn copy(
        &self,
        from: &str,
        to: &str,
        headers: &Headers,
    ) -> Result<Option<String>, StoreError> {
        let (from, to, headers) = (from.to_string(), to.to_string(), headers.clone());
        blocking(self, move |s| s.copy_sync(&from, &to, &headers)).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let key = key.to_string();
        blocking(self, move |s| s.delete_sync(&key)).await
    }
}
