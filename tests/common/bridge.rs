//! The real test Bridge (tests/bridge: Express 5 + cors + dotenv), started on a free loopback
//! port. It must be installed (`bash scripts/test.sh` runs `npm ci` for it): a missing install
//! fails the test loudly instead of skipping it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct Bridge {
    child: Child,
    pub url: String,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/bridge")
}

impl Bridge {
    /// Starts the Bridge reading `env_file`, and waits for it to listen.
    pub fn start(env_file: &Path) -> Bridge {
        Self::start_with(env_file, &[])
    }

    /// Starts the Bridge with extra environment (`BRIDGE_METHODS`, `BRIDGE_HEADERS`,
    /// `BRIDGE_MAX_AGE` narrow its CORS options).
    pub fn start_with(env_file: &Path, vars: &[(&str, &str)]) -> Bridge {
        assert!(
            dir().join("node_modules/express").is_dir(),
            "the test Bridge is not installed: run `bash scripts/test.sh` (it runs `npm ci --prefix tests/bridge`)"
        );
        let mut child = Command::new("node")
            .arg(dir().join("server.js"))
            .env("BRIDGE_ENV", env_file)
            .env("PORT", "0")
            .envs(vars.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs (the test Bridge needs Node.js)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("the Bridge prints its port");
        let port: u16 = line
            .trim()
            .rsplit(' ')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the Bridge did not start: {line:?}"));
        Bridge {
            child,
            url: format!("http://127.0.0.1:{port}/v1/chat"),
        }
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
