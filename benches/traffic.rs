//! Aggregating 1,000,000 CloudFront log lines (gzip, 168 hourly files in moto), side by side
//! with GoAccess (Debian's `goaccess`, `--log-format=CLOUDFRONT`) on the same lines read from
//! disk, as lines per second [goal: Shipdeck ≥ 3× GoAccess]; then a second `traffic` run with no
//! new files [goal: < 200 ms].
//!
//! Shipdeck's time includes listing and downloading the files from moto, gunzipping and the
//! report; GoAccess reads the same lines already decompressed from a local disk.
//!
//! The limit is decompression, so the same gzip files are also run through `gzip -dc` to
//! /dev/null from a local disk, one process over all files [goal: Shipdeck's whole aggregation,
//! file types and latency included, ≤ 1.0× gzip -dc alone].
//! Needs the peers: run `bash scripts/bench.sh`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

fn shipdeck(dir: &std::path::Path, args: &[&str]) -> Duration {
    common::shipdeck(
        dir,
        args,
        &[
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
        ],
    )
}

use bytes::Bytes;
use shipdeck::adapters::aws::AwsSettings;
use shipdeck::credentials::{AwsKeys, Secret};
use shipdeck::store::{Condition, Headers, ObjectStore};
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

const LINES: usize = 1_000_000;
const HOURS: usize = 168;
const FIELDS: &str = "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end\n";

fn endpoint() -> String {
    std::env::var("SHIPDECK_TEST_S3")
        .expect("run `bash scripts/bench.sh` (it starts moto and sets SHIPDECK_TEST_S3)")
}

/// One hour of log text: `n` lines spread over the hour, deterministic.
fn hour_text(start: i64, n: usize, seed: usize) -> String {
    let folders = ["latest", "v1", "v1.1", "v1.1.0", "v1.0.0", "v0.9.0"];
    let statuses = ["200", "200", "200", "200", "304", "404", "503", "000"];
    let mut out = String::with_capacity(n * 330 + FIELDS.len());
    out.push_str(FIELDS);
    for i in 0..n {
        let k = i.wrapping_mul(2_654_435_761).wrapping_add(seed);
        let t = chrono::DateTime::from_timestamp(start + (k % 3600) as i64, 0).unwrap();
        let result = if k % 5 == 0 { "Miss" } else { "Hit" };
        out.push_str(&format!(
            "{}\t{}\tIAD89-C1\t{}\t192.0.2.{}\tGET\td111111abcdef8.cloudfront.net\t/msr-webchat/{}/msr-webchat.umd.js\t{}\thttps://shop{}.example.com/page\tMozilla/5.0%20(X11)\t-\t-\t{result}\treq{i}\tcdn.example.com\thttps\t120\t0.002\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256\t{result}\tHTTP/2.0\t-\t-\t51234\t0.001\t{result}\ttext/javascript\t52000\t-\t-\n",
            t.format("%Y-%m-%d"),
            t.format("%H:%M:%S"),
            1000 + k % 90_000,
            k % 250,
            folders[k % folders.len()],
            statuses[(k / 7) % statuses.len()],
            k % 20
        ));
    }
    out
}

fn plain_dir(root: &std::path::Path) -> std::path::PathBuf {
    root.join("plain")
}

/// Writes the hourly files: gzip into moto, plain text into `plain`; returns the first hour.
fn write_logs(
    rt: &tokio::runtime::Runtime,
    bucket: &str,
    settings: AwsSettings,
    plain: &std::path::Path,
) -> i64 {
    let store = rt.block_on(shipdeck::store::s3::S3Store::connect(bucket, settings));
    std::fs::create_dir_all(plain).unwrap();
    let now = chrono::Utc::now().timestamp() / 3600 * 3600;
    let start = now - (HOURS as i64 + 2) * 3600;
    let per = LINES / HOURS;
    let mut written = 0;
    for h in 0..HOURS {
        let n = if h == HOURS - 1 { LINES - written } else { per };
        written += n;
        let text = hour_text(start + h as i64 * 3600, n, h);
        std::fs::write(plain.join(format!("{h:03}.log")), &text).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        std::fs::write(plain.join(format!("{h:03}.log.gz")), &gz).unwrap();
        let at = chrono::DateTime::from_timestamp(start + h as i64 * 3600, 0).unwrap();
        let key = format!("cdn/E2BENCH.{}.{h:04x}.gz", at.format("%Y-%m-%d-%H"));
        rt.block_on(store.put(
            &key,
            Bytes::from(gz),
            &Headers {
                content_type: "application/gzip".into(),
                cache_control: "no-store".into(),
            },
            &Condition::None,
        ))
        .unwrap();
    }
    start
}

fn main() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let bucket = format!("bench-logs-{}", std::process::id());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let settings = AwsSettings {
        region: "us-east-1".into(),
        endpoint: Some(endpoint()),
        keys: Some(AwsKeys {
            access_key_id: "testing".into(),
            secret_access_key: Secret::new("testing"),
        }),
        profile: "bench".into(),
    };
    let py = format!(
        "import boto3; boto3.client('s3', endpoint_url='{}', region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing').create_bucket(Bucket='{bucket}')",
        endpoint()
    );
    let peers = std::env::var("SHIPDECK_TEST_PEERS_BIN").expect("run `bash scripts/bench.sh`");
    assert!(
        Command::new(format!("{peers}/python"))
            .args(["-c", &py])
            .status()
            .unwrap()
            .success()
    );
    let start = write_logs(&rt, &bucket, settings, &plain_dir(root));
    let plain = plain_dir(root);
    std::fs::write(
        root.join("shipdeck.toml"),
        format!(
            "[profiles.b]\nstore = {{ kind = \"local\", path = \"store\" }}\ncdn = {{ kind = \"none\", path_prefix = \"/msr-webchat\" }}\nlogs = {{ kind = \"cloudfront\", bucket = \"{bucket}\", prefix = \"cdn/\", region = \"us-east-1\", endpoint = \"{}\" }}\n",
            endpoint()
        ),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("store")).unwrap();
    let since = chrono::DateTime::from_timestamp(start, 0)
        .unwrap()
        .to_rfc3339();
    let files: Vec<String> = (0..HOURS)
        .map(|h| plain.join(format!("{h:03}.log")).display().to_string())
        .collect();
    let (pairs, cpu) = side_by_side(root, &since, &files);
    let cold = common::median(pairs.iter().map(|p| p.0).collect());
    let warm: Vec<Duration> = (0..5)
        .map(|_| shipdeck(root, &["--json", "traffic", "--since", &since]))
        .collect();
    let mut warm_sorted = warm.clone();
    warm_sorted.sort();
    let t = Instant::now();
    let ga = Command::new("goaccess")
        .args(&files)
        .args(["--log-format=CLOUDFRONT", "--no-global-config", "-o"])
        .arg(root.join("goaccess.json"))
        .output()
        .expect("goaccess is installed by scripts/bench.sh (Debian's goaccess)");
    let ga_time = t.elapsed();
    assert!(
        ga.status.success(),
        "{}",
        String::from_utf8_lossy(&ga.stderr)
    );
    let rate = |d: Duration| LINES as f64 / d.as_secs_f64();
    let ratio = rate(cold) / rate(ga_time);
    println!(
        "aggregate 1,000,000 lines (168 gzip files in moto)  shipdeck (median of 5 cold runs) {:>9.0} lines/s ({:.2} s)   goaccess {:>9.0} lines/s ({:.2} s)   ratio {ratio:.2}×   goal ≥ 3×   {}",
        rate(cold),
        cold.as_secs_f64(),
        rate(ga_time),
        ga_time.as_secs_f64(),
        if ratio >= 3.0 { "ok" } else { "UNDER" }
    );
    against_gzip(&pairs);
    cpu_line(&cpu);
    let median = warm_sorted[warm_sorted.len() / 2];
    println!(
        "second run, no new files                          shipdeck {:>7.1} ms (median of 5)   goal < 200 ms   {}",
        median.as_secs_f64() * 1000.0,
        if median < Duration::from_millis(200) {
            "ok"
        } else {
            "OVER"
        }
    );
}

/// One `gzip -dc` over the gzip twins of `files` (local disk, one process, to /dev/null).
fn gunzip(files: &[String]) -> Duration {
    let t = Instant::now();
    let status = Command::new("gzip")
        .arg("-dc")
        .args(files.iter().map(|f| format!("{f}.gz")))
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    t.elapsed()
}

/// Shipdeck's whole cold aggregation as a multiple of `gzip -dc` alone: the median of the
/// ratios of runs made side by side, with their range.
fn against_gzip(pairs: &[(Duration, Duration)]) {
    let mut ratios: Vec<f64> = pairs
        .iter()
        .map(|(s, g)| s.as_secs_f64() / g.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    let gz = common::median(pairs.iter().map(|p| p.1).collect());
    let median = ratios[ratios.len() / 2];
    println!(
        "the same 168 gzip files, decompressed only            gzip -dc {:.2} s (local disk, median of 5, each run beside a shipdeck run)   shipdeck's whole aggregation / gzip -dc {median:.2}× (runs: {:.2}–{:.2}×)   goal ≤ 1.0×   {}",
        gz.as_secs_f64(),
        ratios[0],
        ratios[ratios.len() - 1],
        if median <= 1.0 { "ok" } else { "OVER" }
    );
}

/// User + system CPU time of a process (`children`: of its waited-for children) from
/// `/proc/PID/stat`, in clock ticks of 10 ms (Linux's USER_HZ).
fn cpu_of(pid: &str, children: bool) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which may hold spaces), numbered from 3.
    let fields: Vec<u64> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect();
    let (user, system) = if children { (13, 14) } else { (11, 12) };
    Duration::from_millis((fields[user] + fields[system]) * 10)
}

/// The CPU each side used, medians of the five pairs: Shipdeck's whole cold run (both cores)
/// against `gzip -dc`'s, and what moto spent serving Shipdeck's run.
fn cpu_line(cpu: &[PairCpu]) {
    let ship = common::median(cpu.iter().map(|c| c.0).collect());
    let gz = common::median(cpu.iter().map(|c| c.2).collect());
    let moto = cpu
        .iter()
        .map(|c| c.1)
        .collect::<Option<Vec<_>>>()
        .map(common::median);
    println!(
        "CPU time of the same runs (median)                    shipdeck {:.2} s (user + system, both cores)   gzip -dc {:.2} s   ratio {:.2}×   moto serving shipdeck's run: {}",
        ship.as_secs_f64(),
        gz.as_secs_f64(),
        ship.as_secs_f64() / gz.as_secs_f64(),
        moto.map_or(
            "not measured (SHIPDECK_TEST_S3_PID unset)".into(),
            |m| format!("{:.2} s, on one core (one Python process)", m.as_secs_f64())
        )
    );
}

/// CPU time of one pair: Shipdeck's run, moto's part in it (when its pid is known), `gzip -dc`.
type PairCpu = (Duration, Option<Duration>, Duration);

/// Five cold Shipdeck runs (no cache: every file downloaded and read), each beside a
/// `gzip -dc` run over the same files, alternately, so both meet the same load on this
/// machine; with the CPU time each used (this process's waited-for children, and moto's own),
/// since on this machine's two cores the server shares them with both tools.
fn side_by_side(
    root: &std::path::Path,
    since: &str,
    files: &[String],
) -> (Vec<(Duration, Duration)>, Vec<PairCpu>) {
    let moto = std::env::var("SHIPDECK_TEST_S3_PID").ok();
    let mut cpu = Vec::new();
    let pairs = (0..5)
        .map(|_| {
            let _ = std::fs::remove_dir_all(root.join("xdg"));
            let (c0, m0) = (
                cpu_of("self", true),
                moto.as_deref().map(|m| cpu_of(m, false)),
            );
            let cold = shipdeck(root, &["--json", "traffic", "--since", since]);
            let (c1, m1) = (
                cpu_of("self", true),
                moto.as_deref().map(|m| cpu_of(m, false)),
            );
            let gz = gunzip(files);
            cpu.push((
                c1 - c0,
                m0.zip(m1).map(|(a, b)| b - a),
                cpu_of("self", true) - c1,
            ));
            (cold, gz)
        })
        .collect();
    (pairs, cpu)
}
