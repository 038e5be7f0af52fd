//! Hand-written stand-ins for services that have no emulator (tests/peers/*_stub.py: Azure
//! Resource Manager, GitHub's REST API, the public price lists), started on a free loopback
//! port. Each stub writes what it listens on to a file once it is ready; the helpers here wait
//! for it, and talk HTTP to the stubs' control endpoints through the peers' Python.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// The peers' Python (its venv has PyNaCl, DuckDB, boto3 and the Azure SDK).
pub fn python() -> PathBuf {
    super::peers_bin().join("python")
}

/// A running stub, stopped when dropped.
pub struct Stub {
    child: Child,
    /// What the stub wrote to its ready file (its port, or ports).
    pub ready: String,
}

impl Stub {
    /// Starts `tests/peers/{script}` with its ready file in `dir` as the first argument, then
    /// `args`, and waits until it has written the file.
    pub fn start(script: &str, dir: &Path, args: &[&str]) -> Stub {
        let ready_file = dir.join(format!("{script}.ready"));
        let child = Command::new(python())
            .arg(
                PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/peers")
                    .join(script),
            )
            .arg(&ready_file)
            .args(args)
            .spawn()
            .unwrap();
        let start = Instant::now();
        let ready = loop {
            if let Ok(p) = std::fs::read_to_string(&ready_file) {
                break p.trim().to_string();
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "the stub {script} did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        Stub { child, ready }
    }

    /// `http://127.0.0.1:PORT` for a stub whose ready file holds its port.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.ready)
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// GETs `url` and returns the body as text.
pub fn get(url: &str) -> String {
    let out = Command::new(python())
        .args([
            "-c",
            "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())",
            url,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "GET {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// POSTs `body` as JSON to `url`.
pub fn post(url: &str, body: &str) {
    let out = Command::new(python())
        .args([
            "-c",
            "import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method='POST', headers={'Content-Type': 'application/json'}))",
            url,
            body,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "POST {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
