//! The Azure Blob peer (Azurite), started by `scripts/test.sh`. A test that needs it fails
//! loudly when it is not running, it does not skip.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Azurite's well-known development account and key (published by Microsoft, not a secret).
pub const ACCOUNT: &str = "devstoreaccount1";
pub const KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// The Blob endpoint of the shared Azurite, e.g. `http://127.0.0.1:PORT/devstoreaccount1`.
pub fn endpoint() -> String {
    std::env::var("SHIPDECK_TEST_AZURE").unwrap_or_else(|_| panic!("the Azure Blob peer is not running: run the tests with `bash scripts/test.sh`, which starts Azurite and sets SHIPDECK_TEST_AZURE"))
}

/// Runs the independent Python SDK checker (tests/peers/azcheck.py) on `endpoint`.
pub fn check_at(endpoint: &str, args: &[&str]) -> serde_json::Value {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/azcheck.py");
    let out = Command::new(super::peers_bin().join("python"))
        .arg(script)
        .args(args)
        .env("SHIPDECK_TEST_AZURE", endpoint)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "azcheck {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("azcheck prints JSON")
}

/// Runs the checker on the shared Azurite.
pub fn check(args: &[&str]) -> serde_json::Value {
    check_at(&endpoint(), args)
}

/// A fresh container with a unique name (lower-case letters, digits and '-').
pub fn container(tag: &str) -> String {
    let name = format!("shipdeck-{tag}-{:08x}", super::unique() as u32);
    check(&["create-container", &name]);
    name
}

/// A config with one Azure profile on `container` at `endpoint`, plus `extra` lines.
pub fn config(container: &str, endpoint: &str, prefix: &str, extra: &str) -> String {
    format!(
        "[profiles.az]\nstore = {{ kind = \"azure\", account = \"{ACCOUNT}\", container = \"{container}\", prefix = \"{prefix}\", endpoint = \"{endpoint}\" }}\n{extra}"
    )
}

/// The account key from the environment, as `az` reads it (a CI job would have it so).
pub fn azure_env(cmd: &mut assert_cmd::Command) -> &mut assert_cmd::Command {
    cmd.env("AZURE_STORAGE_KEY", KEY)
        .env_remove("AZURE_STORAGE_CONNECTION_STRING")
        .env_remove("AZURE_STORAGE_SAS_TOKEN")
}

/// An Azurite of a test's own (from `SHIPDECK_TEST_AZURITE_BIN`, set by `scripts/test.sh`), so
/// freezing it does not disturb other tests; stopped when dropped.
pub struct Azurite {
    child: Child,
    pub endpoint: String,
}

impl Azurite {
    pub fn start() -> Azurite {
        let bin = std::env::var("SHIPDECK_TEST_AZURITE_BIN").unwrap_or_else(|_| {
            panic!("SHIPDECK_TEST_AZURITE_BIN is not set: run the tests with `bash scripts/test.sh`, which installs Azurite")
        });
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(bin)
            .args(["--blobHost", "127.0.0.1", "--blobPort", &port.to_string()])
            .args(["--inMemoryPersistence", "--disableTelemetry"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "Azurite did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Azurite {
            child,
            endpoint: format!("http://127.0.0.1:{port}/{ACCOUNT}"),
        }
    }

    /// Sends `sig` (`-STOP`, `-CONT`) to the server: SIGSTOP freezes it mid-request.
    pub fn signal(&self, sig: &str) {
        assert!(
            Command::new("kill")
                .args([sig, &self.child.id().to_string()])
                .status()
                .unwrap()
                .success()
        );
    }
}

impl Drop for Azurite {
    fn drop(&mut self) {
        self.signal("-CONT");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
