//! A log object's bytes as text, for the Traffic use case: gunzipped when they are gzip (every
//! member: CDNs concatenate them), read as they are otherwise, and never more than
//! [`MAX_LOG_TEXT`], so a gzip bomb or a file that is not a log is skipped and said so instead
//! of taking the machine's memory. Reading threads keep their buffer from file to file.

use std::io::Read;

/// The most text one log object may expand to. A CDN's hourly log file is far smaller; a file
/// that expands beyond this (a gzip bomb, or something that is not a log) is skipped and said
/// so, instead of taking the machine's memory.
pub const MAX_LOG_TEXT: u64 = 256 * 1024 * 1024;

/// [`MAX_LOG_TEXT`] in the unit the skip notes use.
const LIMIT_MIB: u64 = MAX_LOG_TEXT / (1024 * 1024);

/// Why a log object is skipped rather than counted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum Unreadable {
    #[error("skipped: expands beyond {limit_mib} MiB")]
    TooBig { limit_mib: u64 },
    #[error("skipped: it is not valid gzip ({reason})")]
    NotGzip { reason: String },
    /// Larger than the most text it could expand to: not fetched at all.
    #[error("skipped: larger than {limit_mib} MiB")]
    TooLarge { limit_mib: u64 },
}

impl Unreadable {
    pub(super) fn too_large() -> Self {
        Unreadable::TooLarge {
            limit_mib: LIMIT_MIB,
        }
    }
}

thread_local! {
    /// Each reading thread's decompression buffer, reused from file to file: a fresh 2 MB
    /// buffer per hourly file costs its page faults every time.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Calls `read` with the text of a log object: gunzipped when it is gzip (every member), else
/// as it is; at most [`MAX_LOG_TEXT`] bytes; invalid UTF-8 replaced.
pub(super) fn with_text<T>(
    bytes: &[u8],
    read: impl FnOnce(&str) -> T,
) -> std::result::Result<T, Unreadable> {
    let too_big = || Unreadable::TooBig {
        limit_mib: LIMIT_MIB,
    };
    let as_text = |b: &[u8]| match std::str::from_utf8(b) {
        Ok(t) => read(t),
        Err(_) => read(&String::from_utf8_lossy(b)),
    };
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        if bytes.len() as u64 > MAX_LOG_TEXT {
            return Err(too_big());
        }
        return Ok(as_text(bytes));
    }
    BUFFER.with(|cell| {
        let mut out = cell.borrow_mut();
        let len = gunzip_into(bytes, &mut out).map_err(|e| Unreadable::NotGzip {
            reason: e.to_string(),
        })?;
        if len as u64 > MAX_LOG_TEXT {
            // Give a bomb's memory back rather than keep it for the next file.
            *out = Vec::new();
            return Err(too_big());
        }
        let result = as_text(out.get(..len).unwrap_or_default());
        if out.len() > 64 * 1024 * 1024 {
            *out = Vec::new();
        }
        Ok(result)
    })
}

/// Gunzips every member of `gz` into `out`, from its start, and returns the length of the
/// text; stops just past [`MAX_LOG_TEXT`]. `out` is kept at its full length between files
/// (its bytes already written once), so the decoder is handed initialised space: reading to
/// the end of a fresh `Vec` would zero the space for each file first, a third of a gigabyte
/// of writes for a million-line window.
fn gunzip_into(gz: &[u8], out: &mut Vec<u8>) -> std::io::Result<usize> {
    let limit = usize::try_from(MAX_LOG_TEXT + 1).unwrap_or(usize::MAX);
    let mut decoder = flate2::read::MultiGzDecoder::new(gz);
    let mut len = 0;
    loop {
        if len == out.len() {
            if len >= limit {
                return Ok(len);
            }
            // Room for about the text of a compressed file, then doubling.
            let want = (len * 2).max(gz.len() * 8).clamp(64 * 1024, limit);
            out.resize(want, 0);
        }
        let end = out.len().min(limit);
        match decoder.read(out.get_mut(len..end).unwrap_or_default()) {
            Ok(0) => return Ok(len),
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// The text of a log object, owned (see [`with_text`]).
#[cfg(test)]
fn text_of(bytes: &[u8]) -> std::result::Result<String, Unreadable> {
    with_text(bytes, str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_member_gzip_is_read_whole() {
        use std::io::Write;
        let mut out = Vec::new();
        for part in ["first\n", "second\n"] {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(part.as_bytes()).unwrap();
            out.extend(gz.finish().unwrap());
        }
        assert_eq!(text_of(&out).unwrap(), "first\nsecond\n");
        assert!(text_of(&[0x1f, 0x8b, 0, 1]).is_err());
    }
}
