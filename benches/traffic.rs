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
//! file types and latency included, ≤ 1.0× gzip -dc alone]. To compare like with like, Shipdeck
//! also reads the very files `gzip -dc` reads, from the same disk (a `directory` logs source, as
//! a team that syncs its log bucket has it); its run from moto is reported beside, with the CPU
//! moto spends serving it on the same two cores.
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

/// Writes the hourly files: gzip into moto and under `plain/cdn/` (the same names), plain text
/// into `plain`; returns the first hour.
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
        let at = chrono::DateTime::from_timestamp(start + h as i64 * 3600, 0).unwrap();
        let key = format!("cdn/E2BENCH.{}.{h:04x}.gz", at.format("%Y-%m-%d-%H"));
        // The same bytes on disk, as `aws s3 sync` of the log bucket would leave them.
        let synced = plain.join(&key);
        std::fs::create_dir_all(synced.parent().unwrap()).unwrap();
        std::fs::write(synced, &gz).unwrap();
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
            "[profiles.b]\nstore = {{ kind = \"local\", path = \"store\" }}\ncdn = {{ kind = \"none\", path_prefix = \"/msr-webchat\" }}\nlogs = {{ kind = \"cloudfront\", bucket = \"{bucket}\", prefix = \"cdn/\", region = \"us-east-1\", endpoint = \"{}\" }}\n[profiles.d]\nstore = {{ kind = \"local\", path = \"store\" }}\ncdn = {{ kind = \"none\", path_prefix = \"/msr-webchat\" }}\nlogs = {{ kind = \"directory\", path = \"{}\", prefix = \"cdn/\" }}\n",
            endpoint(),
            plain.display()
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
    let mut gz_files: Vec<String> = std::fs::read_dir(plain.join("cdn"))
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    gz_files.sort();
    assert_eq!(gz_files.len(), HOURS);
    let rounds = side_by_side(root, &since, &gz_files);
    let cold = common::median(rounds.iter().map(|r| r.s3).collect());
    let warm: Vec<Duration> = (0..5)
        .map(|_| {
            shipdeck(
                root,
                &["--profile", "b", "--json", "traffic", "--since", &since],
            )
        })
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
    against_gzip(&rounds);
    cpu_line(&rounds);
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

/// One `gzip -dc` over the gzip `files` (local disk, one process, to /dev/null).
fn gunzip(files: &[String]) -> Duration {
    let t = Instant::now();
    let status = Command::new("gzip")
        .arg("-dc")
        .args(files)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    t.elapsed()
}

/// The median of the ratios `side / gzip -dc` of runs made side by side, and their range.
fn ratios(rounds: &[Round], side: impl Fn(&Round) -> Duration) -> (f64, f64, f64) {
    let mut r: Vec<f64> = rounds
        .iter()
        .map(|x| side(x).as_secs_f64() / x.gz.as_secs_f64())
        .collect();
    r.sort_by(f64::total_cmp);
    (r[r.len() / 2], r[0], r[r.len() - 1])
}

/// Shipdeck's whole cold aggregation as a multiple of `gzip -dc` alone: reading the same files
/// from the same disk (the goal), and reading them from moto (the test server on the same
/// cores).
fn against_gzip(rounds: &[Round]) {
    let gz = common::median(rounds.iter().map(|r| r.gz).collect());
    let dir = common::median(rounds.iter().map(|r| r.dir).collect());
    let (median, lo, hi) = ratios(rounds, |r| r.dir);
    println!(
        "the same 168 gzip files, same disk                  shipdeck (logs kind = directory) {:.2} s   gzip -dc {:.2} s (medians of 5, each shipdeck run beside a gzip -dc run)   whole aggregation / gzip -dc {median:.2}× (runs: {lo:.2}–{hi:.2}×)   goal ≤ 1.0×   {}",
        dir.as_secs_f64(),
        gz.as_secs_f64(),
        if median <= 1.0 { "ok" } else { "OVER" }
    );
    let s3 = common::median(rounds.iter().map(|r| r.s3).collect());
    let (median, lo, hi) = ratios(rounds, |r| r.s3);
    println!(
        "the same files downloaded from moto                 shipdeck (logs kind = cloudfront) {:.2} s   / gzip -dc {median:.2}× (runs: {lo:.2}–{hi:.2}×)   (moto serves them on the same two cores)",
        s3.as_secs_f64(),
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

/// The CPU each side used, medians of the five rounds: Shipdeck's whole cold run (both cores)
/// from the folder and from moto, what moto spent serving the latter, and `gzip -dc`'s.
fn cpu_line(rounds: &[Round]) {
    let med = |f: fn(&Round) -> Duration| common::median(rounds.iter().map(f).collect());
    let (dir, s3, gz) = (med(|r| r.dir_cpu), med(|r| r.s3_cpu), med(|r| r.gz_cpu));
    let moto = rounds
        .iter()
        .map(|r| r.moto_cpu)
        .collect::<Option<Vec<_>>>()
        .map(common::median);
    println!(
        "CPU time of the same runs (median, user + system)   shipdeck from the folder {:.2} s ({:.2}× gzip -dc), from moto {:.2} s   gzip -dc {:.2} s   moto serving shipdeck's run: {}",
        dir.as_secs_f64(),
        dir.as_secs_f64() / gz.as_secs_f64(),
        s3.as_secs_f64(),
        gz.as_secs_f64(),
        moto.map_or(
            "not measured (SHIPDECK_TEST_S3_PID unset)".into(),
            |m| format!("{:.2} s, on one core (one Python process)", m.as_secs_f64())
        )
    );
}

/// One round of cold runs (no cache: every file read), wall and CPU time: Shipdeck from the
/// folder, `gzip -dc` over the same files, Shipdeck from moto.
struct Round {
    dir: Duration,
    gz: Duration,
    s3: Duration,
    dir_cpu: Duration,
    gz_cpu: Duration,
    s3_cpu: Duration,
    /// What moto spent serving the run from it (when its pid is known).
    moto_cpu: Option<Duration>,
}

/// Five rounds, so every side meets the same load on this machine, whose speed drifts from
/// minute to minute; with the CPU time each used (this process's waited-for children, and
/// moto's own), since on this machine's two cores the server shares them with both tools.
fn side_by_side(root: &std::path::Path, since: &str, gz_files: &[String]) -> Vec<Round> {
    let moto = std::env::var("SHIPDECK_TEST_S3_PID").ok();
    let children = || cpu_of("self", true);
    let cold = |profile: &str| {
        let _ = std::fs::remove_dir_all(root.join("xdg"));
        shipdeck(
            root,
            &["--profile", profile, "--json", "traffic", "--since", since],
        )
    };
    (0..5)
        .map(|_| {
            let c0 = children();
            let dir = cold("d");
            let c1 = children();
            let gz = gunzip(gz_files);
            let c2 = children();
            let m0 = moto.as_deref().map(|m| cpu_of(m, false));
            let s3 = cold("b");
            let m1 = moto.as_deref().map(|m| cpu_of(m, false));
            let c3 = children();
            Round {
                dir,
                gz,
                s3,
                dir_cpu: c1 - c0,
                gz_cpu: c2 - c1,
                s3_cpu: c3 - c2,
                moto_cpu: m0.zip(m1).map(|(a, b)| b - a),
            }
        })
        .collect()
}
