//! A folder as a store of keys, for the local store and a folder of log files (`logs/dir.rs`):
//! both list a folder as `/`-separated keys under a prefix, entering only the folders that can
//! hold such keys, and both do their file work off the async threads. What each keeps of a name
//! and of an entry stays theirs.

use super::StoreError;
use std::fs;
use std::path::Path;

/// Runs `work` on a clone of `owner` on tokio's blocking pool; when the task cannot finish, the
/// failure names the store (`describe`).
pub(crate) async fn blocking<S: Clone + Send + 'static, T: Send + 'static>(
    owner: &S,
    describe: impl FnOnce(&S) -> String,
    work: impl FnOnce(&S) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let s = owner.clone();
    tokio::task::spawn_blocking(move || work(&s))
        .await
        .map_err(|e| {
            StoreError::failed(
                describe(owner),
                "",
                format!("the file operation was interrupted ({e})"),
                None,
            )
        })?
}

/// Walks the tree under `dir`, whose keys start with `rel`: names `keep` refuses are left out
/// (with what is under them), folders are entered only when they can hold keys under `prefix`
/// (symbolic links to folders never are), and every other entry whose key starts with `prefix`
/// is handed to `each` with its key and its type; the first failure stops the walk. `io` words a failure to
/// read the tree, with the key it happened on.
pub(crate) fn walk<E>(
    dir: &Path,
    rel: &str,
    prefix: &str,
    keep: &dyn Fn(&str) -> bool,
    io: &dyn Fn(&str, std::io::Error) -> E,
    each: &mut dyn FnMut(String, &fs::DirEntry, fs::FileType) -> Result<(), E>,
) -> Result<(), E> {
    let entries = match fs::read_dir(dir) {
        Ok(rd) => rd,
        // A folder removed while it is listed holds nothing.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(rel, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| io(rel, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !keep(&name) {
            continue;
        }
        let key = format!("{rel}{name}");
        let ft = entry.file_type().map_err(|e| io(&key, e))?;
        if ft.is_dir() {
            let sub = format!("{key}/");
            if sub.starts_with(prefix) || prefix.starts_with(&sub) {
                walk(&entry.path(), &sub, prefix, keep, io, each)?;
            }
        } else if key.starts_with(prefix) {
            each(key, &entry, ft)?;
        }
    }
    Ok(())
}
