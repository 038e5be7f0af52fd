//! The HTTP edge client: reqwest with rustls, no cookies, no credentials, bounded redirects,
//! bounded time and size. Bodies are decoded here (gzip, Brotli) because the digest must be
//! of the bytes the browser runs, while the `Content-Encoding` header must stay visible (a
//! client that decoded for us would hide it).

use super::{Edge, EdgeError, EdgeRequest};
use crate::domain::edge::Observed;
use crate::domain::manifest::sha256_hex;
use async_trait::async_trait;
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

/// The largest body read from the edge, encoded or decoded (a widget file is far smaller).
pub const MAX_BODY: u64 = 64 * 1024 * 1024;

/// How long one request may take, connection included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

pub struct HttpEdge {
    client: reqwest::Client,
}

impl HttpEdge {
    pub fn new() -> Result<Self, EdgeError> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!(
                "shipdeck/",
                env!("CARGO_PKG_VERSION"),
                " (edge check)"
            ))
            .build()
            .map_err(|e| EdgeError::Client(e.to_string()))?;
        Ok(HttpEdge { client })
    }
}

#[async_trait]
impl Edge for HttpEdge {
    async fn get(&self, req: &EdgeRequest) -> Result<Observed, EdgeError> {
        let url = &req.url;
        let mut resp = self
            .client
            .get(url)
            .header("Origin", &req.origin)
            .header("Accept-Encoding", "br, gzip")
            .send()
            .await
            .map_err(|e| describe(url, e))?;
        let h = resp.headers();
        let get = |name: &str| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let mut o = Observed {
            status: resp.status().as_u16(),
            cache_control: get("cache-control"),
            content_type: get("content-type"),
            content_encoding: get("content-encoding"),
            allow_origin: get("access-control-allow-origin"),
            age: get("age"),
            cache: get("x-cache")
                .or_else(|| get("x-azure-ref").map(|r| format!("x-azure-ref {r}"))),
            etag: get("etag"),
            ..Default::default()
        };
        if !resp.status().is_success() {
            return Ok(o);
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| describe(url, e))? {
            if body.len() as u64 + chunk.len() as u64 > MAX_BODY {
                return Err(EdgeError::TooLarge {
                    url: url.clone(),
                    limit: MAX_BODY,
                });
            }
            body.extend_from_slice(&chunk);
        }
        match decode(o.content_encoding.as_deref(), &body) {
            Ok(Some(plain)) => o.sha256 = Some(sha256_hex(&plain)),
            Ok(None) => o.sha256 = Some(sha256_hex(&body)),
            Err(Decode::TooLarge) => {
                return Err(EdgeError::TooLarge {
                    url: url.clone(),
                    limit: MAX_BODY,
                });
            }
            Err(Decode::Unknown(enc)) => o.undecodable = Some(enc),
        }
        Ok(o)
    }
}

/// Why a body could not be decoded.
#[derive(Debug, PartialEq, Eq)]
pub enum Decode {
    /// An encoding other than gzip, Brotli and identity, or a corrupt body.
    Unknown(String),
    TooLarge,
}

/// The decoded body, or `None` when it was not encoded.
pub fn decode(encoding: Option<&str>, body: &[u8]) -> Result<Option<Vec<u8>>, Decode> {
    let enc = encoding.unwrap_or("").trim().to_ascii_lowercase();
    let reader: Box<dyn Read + '_> = match enc.as_str() {
        "" | "identity" => return Ok(None),
        "gzip" | "x-gzip" => Box::new(flate2::read::MultiGzDecoder::new(body)),
        "br" => Box::new(brotli::Decompressor::new(body, 64 * 1024)),
        _ => return Err(Decode::Unknown(enc)),
    };
    let mut out = Vec::new();
    reader
        .take(MAX_BODY + 1)
        .read_to_end(&mut out)
        .map_err(|_| Decode::Unknown(enc.clone()))?;
    if out.len() as u64 > MAX_BODY {
        return Err(Decode::TooLarge);
    }
    Ok(Some(out))
}

fn describe(url: &str, e: reqwest::Error) -> EdgeError {
    let mut cause = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        cause = s.to_string();
        src = s.source();
    }
    let url = url.to_string();
    if e.is_redirect() {
        return EdgeError::TooManyRedirects { url };
    }
    let (timeout, connect) = (e.is_timeout(), e.is_connect());
    let source: super::Cause = Arc::new(e);
    if timeout {
        EdgeError::Timeout {
            url,
            secs: REQUEST_TIMEOUT.as_secs(),
            source,
        }
    } else if connect {
        EdgeError::Unreachable { url, cause, source }
    } else {
        EdgeError::Failed { url, cause, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn gzip_and_brotli_bodies_decode_to_the_same_bytes() {
        let plain = b"export const x = 1;\n".repeat(100);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&plain).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(decode(Some("gzip"), &gz).unwrap().unwrap(), plain);
        let mut br = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
            w.write_all(&plain).unwrap();
        }
        assert_eq!(decode(Some("br"), &br).unwrap().unwrap(), plain);
        assert_eq!(decode(None, &plain).unwrap(), None);
        assert_eq!(
            decode(Some("zstd"), &plain),
            Err(Decode::Unknown("zstd".into()))
        );
        assert_eq!(
            decode(Some("gzip"), b"not gzip"),
            Err(Decode::Unknown("gzip".into()))
        );
    }
}
