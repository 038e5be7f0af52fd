//! The Azure Blob peer (Azurite), started by `scripts/test.sh`. A test that needs it fails
//! loudly when it is not running, it does not skip.

use std::path::PathBuf;
use std::process::Command;

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
