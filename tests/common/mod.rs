//! Helpers for end-to-end tests: a temporary profile, builds, and the real binary.
#![allow(dead_code, reason = "each test binary uses only some of the helpers")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly, naming what is missing"
)]

pub mod arm;
pub mod azure;
pub mod bridge;
pub mod console;
pub mod edge;
pub mod freeze;
pub mod logs;
pub mod s3;
pub mod stub;
pub mod tui;

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A use-case context on `store`, with no CDN and a fixed actor: the one way tests that call
/// `ops` directly build one.
pub fn context(store: std::sync::Arc<dyn shipdeck::store::ObjectStore>) -> shipdeck::ops::Context {
    let mut c = shipdeck::ops::Context::new(
        store,
        std::sync::Arc::new(shipdeck::cdn::NoCdn {
            path_prefix: "/".into(),
            skipped: false,
        }),
        shipdeck::domain::layout::Layout::new(""),
        "tester",
    );
    c.concurrency = 4;
    c
}

pub struct Env {
    pub dir: TempDir,
}

impl Env {
    /// A temporary directory with `shipdeck.toml` naming one local profile `test`.
    pub fn new() -> Self {
        Self::with_config("[profiles.test]\nstore = { kind = \"local\", path = \"store\" }\n")
    }

    /// A temporary directory with `text` as `shipdeck.toml`, and a `store/` folder ready for a
    /// local store there (as `shipdeck init` leaves it).
    pub fn with_config(text: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("shipdeck.toml"), text).unwrap();
        std::fs::create_dir_all(dir.path().join("store")).unwrap();
        Env { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn store(&self) -> PathBuf {
        self.path().join("store")
    }

    /// The real binary, isolated from the user's config and data.
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("shipdeck").unwrap();
        c.current_dir(self.path())
            .env_remove("SHIPDECK_CONFIG")
            .env_remove("SHIPDECK_FAIL_AFTER_WRITES")
            .env_remove("SHIPDECK_GARBLE_COPIES")
            .env_remove("SHIPDECK_FAIL_KEYS_CONTAINING")
            .env("XDG_DATA_HOME", self.path().join("xdg-data"))
            .env("XDG_CONFIG_HOME", self.path().join("xdg-config"))
            .env("HOME", self.path())
            .env("SHIPDECK_USER", "tester");
        c
    }

    /// Runs a command that must succeed with `--json` and returns its document.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.cmd().arg("--json").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "shipdeck {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "not one JSON document ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// Writes a build folder named `name` with `files` and a package.json of `version`.
    pub fn build(&self, name: &str, version: &str, files: &[(&str, String)]) -> PathBuf {
        let root = self.path().join(name);
        let dist = root.join("dist-cdn");
        for (f, content) in files {
            let p = dist.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, content).unwrap();
        }
        std::fs::write(
            root.join("package.json"),
            format!("{{\"name\":\"@msr/webchat\",\"version\":\"{version}\"}}"),
        )
        .unwrap();
        dist
    }

    /// The widget's usual 7 files, with content that depends on `version`.
    /// Builds the widget at `version` and publishes it (with `--promote` if asked); must succeed.
    pub fn publish(&self, version: &str, promote: bool) {
        let dist = self.widget(version);
        let mut c = self.cmd();
        c.arg("publish").arg(&dist).arg("--yes");
        if promote {
            c.arg("--promote");
        }
        c.assert().success();
    }

    /// As [`Env::publish`], with the command made by `cmd` (a cloud profile's credentials).
    pub fn publish_with(&self, cmd: &dyn Fn(&Env) -> Command, version: &str, promote: bool) {
        let dist = self.widget(version);
        let mut c = cmd(self);
        c.arg("publish").arg(&dist).arg("--yes");
        if promote {
            c.arg("--promote");
        }
        c.assert().success();
    }

    pub fn widget(&self, version: &str) -> PathBuf {
        self.build(
            &format!("build-{version}"),
            version,
            &widget_files(version, 1),
        )
    }
}

/// A widget build of 7 files; `scale` multiplies the bundle size.
pub fn widget_files(version: &str, scale: usize) -> Vec<(&'static str, String)> {
    let js = format!(
        "/* msr-webchat {version} */\n{}",
        "export const x = 1;\n".repeat(200 * scale)
    );
    vec![
        ("msr-webchat.umd.js", format!("(function(){{{js}}})()")),
        (
            "msr-webchat.umd.js.map",
            format!("{{\"version\":3,\"file\":\"umd\",\"v\":\"{version}\"}}"),
        ),
        ("msr-webchat.es.js", js.clone()),
        (
            "msr-webchat.es.js.map",
            format!("{{\"version\":3,\"file\":\"es\",\"v\":\"{version}\"}}"),
        ),
        (
            "style.css",
            format!(".msr-webchat{{color:#0078d4}} /* {version} */"),
        ),
        (
            "index.html",
            format!("<!doctype html><title>{version}</title>"),
        ),
        ("README.md", format!("# msr-webchat {version}\n")),
    ]
}

/// Every file under `dir`, relative, sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, d: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push(
                    p.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let mut out = Vec::new();
    if dir.exists() {
        walk(dir, dir, &mut out);
    }
    out.sort();
    out
}

/// Runs `args`, which must fail with `code` and one line on stderr containing `text` (and no
/// panic): how every bad input is answered.
/// The alias named `name` in a `--json releases` document.
pub fn alias<'a>(doc: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    doc["aliases"]
        .as_array()
        .expect("a releases document lists aliases")
        .iter()
        .find(|a| a["name"] == name)
}

pub fn refused(env: &Env, args: &[&str], code: i32, text: &str) {
    let out = env.cmd().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    assert!(
        stderr.contains(text),
        "{args:?}: expected '{text}' in: {stderr}"
    );
    assert_eq!(
        stderr.trim().lines().count(),
        1,
        "{args:?}: one sentence: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
}

/// A number unique enough for names in one test run (buckets, files).
pub fn unique() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    h.finish()
}

impl Env {
    /// Writes the release lock as a run of `holder` (process `pid` on this host) doing
    /// `operation` would hold it, since 2026-11-26 08:00 UTC with a lease that never expires.
    pub fn plant_lock(&self, holder: &str, pid: u32, operation: &str) {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
        let lock = serde_json::json!({
            "token": "t1", "holder": holder, "host": host.trim(), "pid": pid,
            "since": "2026-11-26T08:00:00Z", "expires": "2099-01-01T00:00:00Z",
            "operation": operation
        });
        std::fs::write(self.store().join(".shipdeck/lock.json"), lock.to_string()).unwrap();
    }

    /// The same isolated command as [`Env::cmd`], as a `std::process::Command` (for a test that
    /// spawns runs side by side or wires a pipe by hand); stdin is closed.
    pub fn std_cmd(&self, args: &[&str]) -> std::process::Command {
        let cmd = self.cmd();
        let mut c = std::process::Command::new(cmd.get_program());
        c.args(cmd.get_args())
            .args(args)
            .stdin(std::process::Stdio::null());
        same_place_and_env(cmd.get_current_dir(), cmd.get_envs(), &mut c);
        c
    }
}

/// Gives `to` the working dir and the environment changes (set and removed) of another command.
pub fn same_place_and_env<'a>(
    dir: Option<&Path>,
    envs: impl Iterator<Item = (&'a std::ffi::OsStr, Option<&'a std::ffi::OsStr>)>,
    to: &mut std::process::Command,
) {
    if let Some(dir) = dir {
        to.current_dir(dir);
    }
    for (k, v) in envs {
        match v {
            Some(v) => to.env(k, v),
            None => to.env_remove(k),
        };
    }
}

/// Asserts that a command succeeded, showing what it said on stderr when it did not.
pub fn succeeded(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The peers' venv `bin` (moto, awscli, check-jsonschema, Python with boto3, the Azure SDK,
/// PyNaCl and DuckDB), installed and named by `scripts/test.sh`.
pub fn peers_bin() -> PathBuf {
    PathBuf::from(
        std::env::var("SHIPDECK_TEST_PEERS_BIN").unwrap_or_else(|_| {
            panic!("SHIPDECK_TEST_PEERS_BIN is not set: run the tests with `bash scripts/test.sh`")
        }),
    )
}

/// Validates `doc` (one JSON document) against `assets/schemas/NAME.schema.json` with
/// check-jsonschema (installed into the peers' venv by `scripts/test.sh`).
pub fn validate_json(name: &str, doc: &[u8], dir: &Path) {
    let file = dir.join(format!("{name}-{:x}.json", unique()));
    std::fs::write(&file, doc).unwrap();
    let schema = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("assets/schemas/{name}.schema.json"));
    let bin = peers_bin();
    let out = Command::new(bin.join("check-jsonschema"))
        .arg("--schemafile")
        .arg(&schema)
        .arg(&file)
        .output()
        .expect("check-jsonschema is installed by scripts/test.sh");
    assert!(
        out.status.success(),
        "{name}: {}\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(doc)
    );
}

/// Idempotent publish, on any backend: publishing the same version with the same files again
/// succeeds and rewrites no object (`objects` lists the store with something a rewrite changes:
/// S3's LastModified, Azure's ETag); the same version with other files is refused with the
/// files that differ, and still nothing is written.
pub fn republish_changes_nothing(
    env: &Env,
    run: &dyn Fn(&[&str]) -> std::process::Output,
    objects: &dyn Fn() -> Vec<serde_json::Value>,
) {
    let dist = env.widget("1.0.0");
    let first = run(&["publish", dist.to_str().unwrap(), "--promote", "--yes"]);
    succeeded(&first);
    let before = objects();
    assert!(before.len() > 7, "{before:?}");
    let again = run(&["publish", dist.to_str().unwrap(), "--promote", "--yes"]);
    succeeded(&again);
    let text = String::from_utf8_lossy(&again.stdout);
    assert!(
        text.contains("already published with identical files"),
        "{text}"
    );
    assert_eq!(objects(), before, "an identical publish rewrites no object");
    let other = env.build(
        "other",
        "1.0.0",
        &[
            ("msr-webchat.umd.js", "changed".into()),
            ("msr-webchat.es.js", "es".into()),
            ("style.css", "css".into()),
        ],
    );
    let refused = run(&["publish", other.to_str().unwrap(), "--yes"]);
    assert_eq!(refused.status.code(), Some(1));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("already published") && err.contains("msr-webchat.umd.js"),
        "{err}"
    );
    assert_eq!(objects(), before, "a refused publish writes nothing");
}

/// The evaluated rule named `name` of an `alerts check --json` document.
pub fn rule(doc: &serde_json::Value, name: &str) -> serde_json::Value {
    doc["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"]["name"] == name)
        .unwrap_or_else(|| panic!("no rule {name} in {doc}"))
        .clone()
}

/// Makes `c` run as a GitHub Actions step does, with fresh summary and output files under
/// `env`; returns their paths.
pub fn in_actions(env: &Env, c: &mut assert_cmd::Command) -> (PathBuf, PathBuf) {
    let summary = env.path().join(format!("summary-{:x}.md", unique()));
    let outputs = env.path().join(format!("outputs-{:x}.txt", unique()));
    c.env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs);
    (summary, outputs)
}

/// The `key=value` step outputs written to `path`.
pub fn outputs(path: &Path) -> std::collections::BTreeMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter_map(|l| {
            l.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect()
}
