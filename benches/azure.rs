//! Shipdeck against what the runbook's Azure half runs (`az` from PyPI's azure-cli, with a
//! connection string), side by side on the same Azurite and data (issue goals in brackets, as
//! Shipdeck's wall time over az's):
//! - publishing 7 files [≤ 0.2×] and 500 files [≤ 0.5×]: `shipdeck publish` vs
//!   `az storage blob upload-batch` with the immutable header, then `az storage blob update` of
//!   each `.html` and `.map` to the short header (the runbook's step 3, done for every file that
//!   needs it);
//! - an alias switch, 7 files [≤ 0.3×]: `shipdeck promote V --alias latest` vs re-uploading the
//!   build to the alias folder with `az storage blob upload-batch --overwrite` and the alias
//!   header (`az storage blob copy start-batch` cannot rename a folder; `az storage copy` needs
//!   azcopy).
//!
//! Needs the peers: run `bash scripts/bench.sh`, which starts Azurite and installs az.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use common::{WIDGET, median};

fn shipdeck(dir: &Path, args: &[&str]) -> Duration {
    common::shipdeck(dir, args, &[("AZURE_STORAGE_KEY", KEY)])
}

fn line(name: &str, sd: Duration, cli: Duration, goal: f64) {
    common::line(name, sd, "az", cli, goal);
}

/// The build, and the names of the widget's files in it.
fn write_build(dir: &Path, n: usize, salt: usize) -> Vec<String> {
    common::write_build(dir, n, salt);
    WIDGET.iter().map(|s| s.to_string()).collect()
}

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const ACCOUNT: &str = "devstoreaccount1";
// Azurite's published, well-known development key (not a secret).
const KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

fn endpoint() -> String {
    std::env::var("SHIPDECK_TEST_AZURE")
        .expect("run `bash scripts/bench.sh` (it starts Azurite and sets SHIPDECK_TEST_AZURE)")
}

fn connection_string() -> String {
    format!(
        "DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};BlobEndpoint={}",
        endpoint()
    )
}

fn az(args: &[&str]) -> Duration {
    let bin =
        std::env::var("SHIPDECK_BENCH_AZ").expect("run `bash scripts/bench.sh` (it installs az)");
    let t = Instant::now();
    let out = Command::new(bin)
        .args(args)
        .args(["--only-show-errors", "--output", "none"])
        .env("AZURE_STORAGE_CONNECTION_STRING", connection_string())
        .env("AZURE_CORE_COLLECT_TELEMETRY", "false")
        .env("AZURE_CORE_NO_COLOR", "true")
        .output()
        .unwrap();
    let d = t.elapsed();
    assert!(
        out.status.success(),
        "az {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    d
}

/// The runbook's deploy: upload-batch with the immutable header, then the short header on each
/// `.html` and `.map`.
fn az_publish(container: &str, dir: &Path, folder: &str, widget: &[String]) -> Duration {
    let mut d = az(&[
        "storage",
        "blob",
        "upload-batch",
        "--destination",
        container,
        "--destination-path",
        folder,
        "--source",
        dir.to_str().unwrap(),
        "--content-cache-control",
        "public, immutable, max-age=31536000",
        "--overwrite",
    ]);
    for f in widget
        .iter()
        .filter(|f| f.ends_with(".html") || f.ends_with(".map"))
    {
        d += az(&[
            "storage",
            "blob",
            "update",
            "--container-name",
            container,
            "--name",
            &format!("{folder}/{f}"),
            "--content-cache-control",
            "public, max-age=3600",
        ]);
    }
    d
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let container = format!("bench-{}", std::process::id());
    az(&["storage", "container", "create", "--name", &container]);
    std::fs::write(
        root.join("shipdeck.toml"),
        format!(
            "[profiles.b]\nstore = {{ kind = \"azure\", account = \"{ACCOUNT}\", container = \"{container}\", endpoint = \"{}\" }}\n",
            endpoint()
        ),
    )
    .unwrap();

    for (files, runs, goal) in [(7usize, 5usize, 0.2), (500, 3, 0.5)] {
        let (mut sd, mut cli) = (Vec::new(), Vec::new());
        for run in 0..runs {
            let v = format!("{files}.{run}.0");
            let dir: PathBuf = root.join(format!("build-{v}"));
            let widget = write_build(&dir, files, run + 1);
            sd.push(shipdeck(
                root,
                &["publish", dir.to_str().unwrap(), "--version", &v, "--yes"],
            ));
            cli.push(az_publish(&container, &dir, &format!("cli/v{v}"), &widget));
        }
        line(
            &format!("publish, {files} files"),
            median(sd),
            median(cli),
            goal,
        );
    }

    // Alias switch between two 7-file releases.
    let (a, b) = ("7.0.0", "7.1.0");
    shipdeck(root, &["promote", a, "--alias", "latest", "--yes"]);
    let (mut sd, mut cli) = (Vec::new(), Vec::new());
    for i in 0..7 {
        let target = if i % 2 == 0 { b } else { a };
        sd.push(shipdeck(
            root,
            &["promote", target, "--alias", "latest", "--yes"],
        ));
        let dir = root.join(format!("build-{target}"));
        cli.push(az(&[
            "storage",
            "blob",
            "upload-batch",
            "--destination",
            &container,
            "--destination-path",
            "cli/latest",
            "--source",
            dir.to_str().unwrap(),
            "--content-cache-control",
            "public, max-age=300",
            "--overwrite",
        ]));
    }
    line("alias switch, 7 files", median(sd), median(cli), 0.3);
}
