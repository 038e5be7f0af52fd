//! A real caching proxy as the CDN edge: Debian's nginx-light with `proxy_cache`, in front of
//! moto (S3) or Azurite, started per test on a free loopback port with a configuration that
//! makes one kind of edge behaviour happen. `scripts/test.sh` installs nginx; a test that needs
//! it fails loudly when it is missing.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How the edge behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// As a CloudFront distribution with a response-headers policy and compression, whose
    /// invalidations have completed: releases cached, aliases fetched fresh.
    Clean,
    /// Caches everything for 10 minutes whatever the origin's Cache-Control says: an alias
    /// stays stale past its max-age (an invalidation that never happened).
    Stale,
    /// As `Clean`, without the CORS response header.
    NoCors,
    /// As `Clean`, with Cache-Control rewritten to `public, max-age=60`.
    RewriteCache,
    /// As `Clean`, without compression.
    NoCompression,
}

pub struct Edge {
    child: Child,
    _dir: tempfile::TempDir,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

fn nginx() -> PathBuf {
    let p = std::env::var("SHIPDECK_TEST_NGINX").unwrap_or_else(|_| "/usr/sbin/nginx".into());
    let p = PathBuf::from(p);
    assert!(
        p.is_file(),
        "nginx is not installed: run the tests with `bash scripts/test.sh`, which installs Debian's nginx-light as the CDN edge"
    );
    p
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Edge {
    /// An edge in front of `upstream` (`http://127.0.0.1:PORT/base/path/`, ending in '/'): a
    /// request for `/x` is fetched from `upstream` + `x`.
    pub fn start(upstream: &str, mode: Mode) -> Edge {
        let bin = nginx();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        let port = free_port();
        let host = upstream
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let cache = match mode {
            Mode::Stale => {
                "proxy_cache_valid 200 10m;\n      proxy_ignore_headers Cache-Control Expires;"
            }
            _ => "proxy_no_cache $alias_path;\n      proxy_cache_bypass $alias_path;",
        };
        let cors = if mode == Mode::NoCors {
            ""
        } else {
            "add_header Access-Control-Allow-Origin * always;"
        };
        let cc = if mode == Mode::RewriteCache {
            "proxy_hide_header Cache-Control;\n      add_header Cache-Control \"public, max-age=60\" always;"
        } else {
            ""
        };
        let gzip = if mode == Mode::NoCompression {
            "off"
        } else {
            "on"
        };
        let conf = format!(
            r#"master_process off;
daemon off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;
  proxy_cache_path {d}/cache levels=1:2 keys_zone=edge:4m max_size=100m inactive=60m use_temp_path=off;
  map $uri $alias_path {{
    ~/v[0-9]+\.[0-9]+\.[0-9]+(-[^/]*)?/ 0;
    default 1;
  }}
  server {{
    listen 127.0.0.1:{port};
    gzip {gzip};
    gzip_proxied any;
    gzip_min_length 1000;
    gzip_types text/javascript application/javascript text/css application/json;
    location / {{
      proxy_pass {upstream};
      proxy_http_version 1.1;
      proxy_set_header Host {host};
      proxy_set_header Accept-Encoding "";
      proxy_set_header Origin "";
      proxy_hide_header Access-Control-Allow-Origin;
      proxy_cache edge;
      {cache}
      {cc}
      {cors}
      add_header X-Cache $upstream_cache_status always;
    }}
  }}
}}
"#
        );
        let path = dir.path().join("nginx.conf");
        std::fs::write(&path, conf).unwrap();
        let child = Command::new(bin)
            .arg("-c")
            .arg(&path)
            .arg("-p")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("nginx starts");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not listen on {port}: {}",
                std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Edge {
            child,
            _dir: dir,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Edge {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
