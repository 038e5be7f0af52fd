//! `shipdeck cost` end to end: a hand-computed total, the side-by-side and scaled views, the
//! bundle taken from the manifest of `latest`, and bad usage files.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use common::Env;
use predicates::prelude::*;

/// Usage chosen so that every line can be computed by hand (see the expected totals below).
const USAGE: &str = r#"
loads = 1000000
browser_cache_hit = 0.5
cdn_cache_hit = 0.9
files_per_load = 2
api_requests_per_load = 0
releases_per_month = 0
alias_moves_per_month = 0
aliases_per_move = 0
versions_kept = 0

[[fixed]]
name = "Bridge compute"
monthly = 40
"#;

// 1048.576 KB = 2^30 / 1000 bytes, so 500,000 CDN-served loads move exactly 500 GB.
const KB: &str = "1048.576";

fn total(doc: &serde_json::Value, i: usize) -> f64 {
    doc["estimates"][i]["total"].as_f64().unwrap()
}

#[test]
fn json_total_matches_a_hand_computed_estimate() {
    let env = Env::new();
    std::fs::write(env.path().join("usage.toml"), USAGE).unwrap();
    let doc = env.json(&[
        "cost",
        "--usage",
        "usage.toml",
        "--bundle-kb",
        KB,
        "--compare",
    ]);
    // AWS: 500 GB × $0.085 = 42.50; 1,000,000 requests = 100 × $0.01 = 1.00;
    //      100,000 origin GETs = 100 × $0.0004 = 0.04; Bridge compute 40.00.
    assert!(
        (total(&doc, 0) - 83.54).abs() < 1e-6,
        "aws {}",
        total(&doc, 0)
    );
    // Azure: base 35.00; 500 GB × $0.083 = 41.50; 100 × $0.009 = 0.90; 10 × $0.004 = 0.04; 40.00.
    assert!(
        (total(&doc, 1) - 117.44).abs() < 1e-6,
        "azure {}",
        total(&doc, 1)
    );
    assert_eq!(doc["estimates"][0]["provider"], "aws");
    let lines = doc["estimates"][0]["lines"].as_array().unwrap();
    let egress = lines
        .iter()
        .find(|l| l["name"].as_str().unwrap().contains("transfer out"))
        .unwrap();
    assert!((egress["quantity"].as_f64().unwrap() - 500.0).abs() < 1e-9);
    assert_eq!(egress["usage_based"], true);
    assert_eq!(egress["unit"], "GB");
}

#[test]
fn scale_multiplies_the_traffic() {
    let env = Env::new();
    std::fs::write(env.path().join("usage.toml"), USAGE).unwrap();
    let doc = env.json(&[
        "cost",
        "--usage",
        "usage.toml",
        "--bundle-kb",
        KB,
        "--scale",
        "10",
    ]);
    // 5,000 GB × 0.085 = 425.00; 1,000 × 0.01 = 10.00; 1,000 × 0.0004 = 0.40; + 40.00.
    assert!((total(&doc, 0) - 475.40).abs() < 1e-6, "{}", total(&doc, 0));
    assert_eq!(doc["scale"], 10.0);
}

#[test]
fn text_output_is_a_breakdown_with_free_lines_and_totals() {
    let env = Env::new();
    std::fs::write(
        env.path().join("usage.toml"),
        USAGE
            .replace("alias_moves_per_month = 0", "alias_moves_per_month = 500")
            .replace("aliases_per_move = 0", "aliases_per_move = 3"),
    )
    .unwrap();
    env.cmd()
        .args([
            "cost",
            "--usage",
            "usage.toml",
            "--bundle-kb",
            KB,
            "--compare",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("CloudFront invalidation paths"))
        .stdout(predicate::str::contains(
            "free allowance: first 1,000 paths a month",
        ))
        .stdout(predicate::str::contains("SIDE BY SIDE"))
        // 1,500 paths: 7.50 gross, 5.00 free → +2.50; 1,500 alias copies × 7 files = 10,500
        // writes → +0.0525; three alias folders of 5 × 1048.576 KB → +0.0003. 83.54 → 86.09.
        .stdout(predicate::str::contains("TOTAL").and(predicate::str::contains("$86.09")))
        .stdout(predicate::str::contains("* grows with traffic"));
}

#[test]
fn the_bundle_comes_from_the_manifest_of_latest() {
    let env = Env::new();
    env.publish("1.0.0", true);
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(env.store().join(".shipdeck/manifests/v1.0.0.json")).unwrap(),
    )
    .unwrap();
    let gz = |p: &str| {
        manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == p)
            .unwrap()["gzip_size"]
            .as_f64()
            .unwrap()
    };
    let doc = env.json(&["cost"]);
    assert_eq!(
        doc["bundle"]["bytes_per_load"].as_f64().unwrap(),
        gz("msr-webchat.umd.js") + gz("style.css")
    );
    assert!(doc["bundle_from"].as_str().unwrap().contains("1.0.0"));
}

#[test]
fn without_latest_it_asks_for_the_bundle_size() {
    let env = Env::new();
    env.cmd()
        .arg("cost")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("pass --bundle-kb"));
}

#[test]
fn bad_usage_files_name_file_line_and_key() {
    let env = Env::new();
    std::fs::write(
        env.path().join("u.toml"),
        "loads = 1000\ncdn_cache_hit = \"high\"\n",
    )
    .unwrap();
    env.cmd()
        .args(["cost", "--usage", "u.toml", "--bundle-kb", "50"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("u.toml:2: key 'cdn_cache_hit'"));
    std::fs::write(env.path().join("u.toml"), "cdn_cache_hit = 95\n").unwrap();
    env.cmd()
        .args(["cost", "--usage", "u.toml", "--bundle-kb", "50"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "key 'cdn_cache_hit': 95 is not a share",
        ));
    std::fs::write(env.path().join("u.toml"), "lods = 5\n").unwrap();
    env.cmd()
        .args(["cost", "--usage", "u.toml", "--bundle-kb", "50"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("u.toml:1: key 'lods'"));
    // Every number a flag takes is checked for range where it is parsed, naming the range.
    for (flag, value) in [
        ("--scale", "0"),
        ("--scale", "1e308"),
        ("--scale", "NaN"),
        ("--bundle-kb", "-1"),
        ("--bundle-kb", "NaN"),
        ("--bundle-kb", "inf"),
        ("--loads", "99999999999999999999999"),
        ("--loads", "-5"),
    ] {
        let mut args = vec!["cost", flag, value];
        if flag != "--bundle-kb" {
            args.extend(["--bundle-kb", "50"]);
        }
        env.cmd()
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("'{value}' for '{flag}")))
            .stderr(predicate::str::contains("out of range; use a number"));
    }
    // A usage file's numbers too: not a number, infinite, or a negative fixed cost.
    for (text, says) in [
        (
            "loads = nan\n",
            "u.toml:1: key 'loads': NaN is out of range",
        ),
        (
            "loads = inf\n",
            "u.toml:1: key 'loads': inf is out of range",
        ),
        (
            "[[fixed]]\nname = \"db\"\nmonthly = -30.0\n",
            "key 'fixed' ('db'): `monthly` and `unit_price` must be numbers from 0",
        ),
    ] {
        std::fs::write(env.path().join("u.toml"), text).unwrap();
        env.cmd()
            .args(["cost", "--usage", "u.toml", "--bundle-kb", "50"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains(says));
    }
    env.cmd()
        .args(["cost", "--bundle-kb", "50", "--provider", "gcp"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'gcp'"))
        .stderr(predicate::str::contains("possible values: aws, azure"));
    // The same closed set in a usage file: a parse error at the line, naming the valid ones.
    std::fs::write(
        env.path().join("u.toml"),
        "loads = 1000\n[[fixed]]\nname = \"db\"\nmonthly = 3.0\nprovider = \"gcp\"\n",
    )
    .unwrap();
    let out = env
        .cmd()
        .args(["cost", "--usage", "u.toml", "--bundle-kb", "50"])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(
        err.contains("u.toml:5")
            && err.contains("gcp")
            && err.contains("aws")
            && err.contains("azure"),
        "{err}"
    );
}

#[test]
fn a_damaged_manifest_is_reported_not_replaced_by_an_assumed_size() {
    let env = Env::new();
    env.publish("1.0.0", true);
    std::fs::write(
        env.store().join(".shipdeck/manifests/v1.0.0.json"),
        "{ not json",
    )
    .unwrap();
    common::refused(&env, &["cost"], 1, "the manifest of 1.0.0");
    // Nothing served at all is the one case with a fallback (the console assumes 60 KB; the CLI
    // asks for --bundle-kb).
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ctx = common::context(std::sync::Arc::new(
        shipdeck::store::local::LocalStore::create(env.path().join("empty")).unwrap(),
    ));
    assert!(
        rt.block_on(shipdeck::ops::cost::latest_manifest(&ctx))
            .unwrap()
            .is_none()
    );
}

/// The runbook's table as a usage file: every line of the Bridge stack priced from the pricing
/// files, compared line by line with the runbook's figures and its $85–155 range.
#[test]
fn the_runbook_usage_file_reproduces_its_table_line_by_line() {
    let env = Env::new();
    let runbook =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/usage.runbook.toml");
    let doc = env.json(&[
        "cost",
        "--usage",
        runbook.to_str().unwrap(),
        "--provider",
        "aws",
    ]);
    let e = &doc["estimates"][0];
    let sub = |c: &str| -> f64 {
        e["lines"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["component"] == c)
            .map(|l| l["monthly"].as_f64().unwrap())
            .sum()
    };
    let near = |a: f64, b: f64| assert!((a - b).abs() < 1e-6, "{a} != {b}");
    // By hand: REST API 1 M × $3.50; 2 × t3.small × 730 h × $0.0208; db.t3.medium 730 h ×
    // $0.072 + 20 GB × $0.115; 10 GB (209,715 loads × 50 KB) of CloudFront transfer × $0.085.
    near(sub("Bridge API"), 3.50);
    near(sub("Bridge compute"), 2.0 * 730.0 * 0.0208);
    near(sub("Database"), 730.0 * 0.072 + 20.0 * 0.115);
    let transfer = e["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "CloudFront data transfer out to the internet")
        .unwrap();
    near(
        transfer["quantity"].as_f64().unwrap(),
        209_715.0 * 50.0 * 1024.0 / 1_073_741_824.0,
    );
    let cmp = doc["comparisons"]["aws"].as_array().unwrap();
    let verdict = |label: &str| {
        cmp.iter()
            .find(|c| c["label"].as_str().unwrap().starts_with(label))
            .unwrap()["verdict"]
            .clone()
    };
    assert_eq!(verdict("Compute"), "within");
    assert_eq!(verdict("Database"), "within");
    assert_eq!(verdict("API Gateway"), "within");
    assert_eq!(
        verdict("Storage (S3)"),
        "below",
        "the runbook's $0.25 for 100 MB is high"
    );
    assert_eq!(verdict("Total"), "within");
    let total = e["total"].as_f64().unwrap();
    assert!((85.0..=155.0).contains(&total), "{total}");
    assert!(doc["prices"]["aws"]["oldest"].is_string());
    // The text output shows the comparison and the advice under the breakdown.
    env.cmd()
        .args([
            "cost",
            "--usage",
            runbook.to_str().unwrap(),
            "--provider",
            "aws",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("COMPARED WITH THE REFERENCE"))
        .stdout(predicate::str::contains("ADVICE (saving per month, USD)"))
        .stdout(predicate::str::contains("Database PostgreSQL 2vCPU"));
}

/// A freshly published release records Brotli sizes, and the compression advice prices them.
#[test]
fn brotli_sizes_at_publish_become_compression_advice() {
    let env = Env::new();
    env.publish("1.0.0", true);
    let m: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(env.store().join(".shipdeck/manifests/v1.0.0.json")).unwrap(),
    )
    .unwrap();
    let umd = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "msr-webchat.umd.js")
        .unwrap();
    assert!(umd["brotli_size"].as_u64().unwrap() < umd["gzip_size"].as_u64().unwrap());
    let doc = env.json(&["cost", "--loads", "1000000", "--provider", "aws"]);
    let advice = doc["advice"]["aws"].as_array().unwrap();
    let c = advice.iter().find(|a| a["topic"] == "compression").unwrap();
    assert!(c["saving"].as_f64().unwrap() > 0.0, "{c}");
    assert!(c["assumption"].as_str().unwrap().contains("Brotli"));
    for topic in ["caching", "invalidations", "payload"] {
        assert!(advice.iter().any(|a| a["topic"] == topic), "{topic}");
    }
}

/// For every shipped usage file, side by side: each column's rows add up to that estimate's
/// total, and a column that cannot price part of the Bridge's stack (an AWS section in the
/// Azure column) says so on a row of its own instead of leaving it out silently.
#[test]
fn side_by_side_rows_add_up_and_unpriced_parts_are_named() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets");
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("usage") && n.ends_with(".toml"))
        })
        .collect();
    assert!(files.len() >= 2, "{files:?}");
    let env = Env::new();
    for f in files {
        let doc = env.json(&[
            "cost",
            "--usage",
            f.to_str().unwrap(),
            "--bundle-kb",
            "50",
            "--compare",
        ]);
        let estimates = doc["estimates"].as_array().unwrap();
        let rows = doc["side_by_side"].as_array().unwrap();
        for (i, e) in estimates.iter().enumerate() {
            let sum: f64 = rows.iter().map(|r| r["amounts"][i].as_f64().unwrap()).sum();
            let total = e["total"].as_f64().unwrap();
            assert!(
                (sum - total).abs() < 1e-6,
                "{}: {} rows sum to {sum}, total {total}",
                f.display(),
                e["provider"]
            );
        }
        // Whatever one column prices of the Bridge, the other prices or names as unpriced.
        let components = |e: &serde_json::Value| -> std::collections::BTreeSet<String> {
            e["lines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["component"].as_str().unwrap().to_string())
                .filter(|c| c.starts_with("Bridge ") || c == "Database")
                .collect()
        };
        assert_eq!(
            components(&estimates[0]),
            components(&estimates[1]),
            "{}: both columns cover the same Bridge stack",
            f.display()
        );
        for e in estimates {
            for l in e["lines"].as_array().unwrap() {
                if l["unpriced"] == true {
                    assert_eq!(l["monthly"].as_f64(), Some(0.0));
                    assert!(l["name"].as_str().unwrap().starts_with("not priced"));
                }
            }
        }
        common::validate_json("cost", &serde_json::to_vec(&doc).unwrap(), env.path());
        let text = env
            .cmd()
            .args([
                "cost",
                "--usage",
                f.to_str().unwrap(),
                "--bundle-kb",
                "50",
                "--compare",
            ])
            .output()
            .unwrap();
        let text = String::from_utf8(text.stdout).unwrap();
        assert!(!text.contains("-$0.00"), "{}: {text}", f.display());
    }
    // Nothing served, nothing but the CDN priced: the rest is $0.00, not -$0.00.
    let text = env
        .cmd()
        .args(["cost", "--bundle-kb", "3", "--compare"])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("Bridge and other") && !text.contains("-$0.00"),
        "{text}"
    );
}
