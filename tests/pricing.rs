//! `shipdeck pricing update` against a stand-in for the Azure Retail Prices API and the AWS
//! Price List API (tests/peers/pricing_stub.py serves hand-made answers in the APIs' documented
//! shapes: neither API can be reached from CI): changed prices are reported and written with the
//! date and the query, a price the list does not answer keeps its old value and says so, and the
//! estimate uses the new file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use common::Env;
use common::stub::{self, Stub};
use serde_json::Value;

fn cmd(env: &Env, stub: &Stub) -> assert_cmd::Command {
    let mut c = env.cmd();
    c.env(
        "SHIPDECK_AZURE_PRICES_URL",
        format!("{}/api/retail/prices", stub.url()),
    )
    .env("SHIPDECK_AWS_PRICING_ENDPOINT", stub.url())
    .env("AWS_ACCESS_KEY_ID", "testing")
    .env("AWS_SECRET_ACCESS_KEY", "testing")
    .env_remove("AWS_PROFILE");
    c
}

fn find<'a>(list: &'a Value, id: &str) -> Option<&'a Value> {
    list.as_array().unwrap().iter().find(|c| c["id"] == id)
}

/// The file is dated today where a price was found, notes the query, and the estimate uses it.
fn the_written_file_is_dated_and_used(env: &Env, file: &std::path::Path) {
    let text = std::fs::read_to_string(file).unwrap();
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert!(
        text.contains("Written by `shipdeck pricing update`"),
        "{text}"
    );
    assert!(text.contains("query: Azure Retail Prices $filter=serviceName eq 'API Management'"));
    assert!(text.contains(&format!("date = \"{today}\"")));
    std::fs::write(
        env.path().join("usage.toml"),
        "[bridge.compute]\nkind = \"ec2\"\ninstance_type = \"t3.small\"\ncount = 1\n",
    )
    .unwrap();
    let cost = env.json(&[
        "cost",
        "--usage",
        "usage.toml",
        "--bundle-kb",
        "50",
        "--provider",
        "aws",
    ]);
    let line = cost["estimates"][0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["component"] == "Bridge compute")
        .unwrap()
        .clone();
    assert!(
        (line["monthly"].as_f64().unwrap() - 730.0 * 0.0216).abs() < 1e-9,
        "{line}"
    );
}

#[test]
fn update_reports_writes_and_is_used_by_the_estimate() {
    let env = Env::new();
    let stub = Stub::start("pricing_stub.py", env.path(), &[]);
    // A dry run reports but writes nothing.
    let out = cmd(&env, &stub)
        .args([
            "--json",
            "--dry-run",
            "pricing",
            "update",
            "--provider",
            "azure",
        ])
        .output()
        .unwrap();
    common::succeeded(&out);
    let file = env.path().join("xdg-config/shipdeck/pricing/azure.toml");
    assert!(!file.exists());

    let out = cmd(&env, &stub)
        .args(["--json", "pricing", "update"])
        .output()
        .unwrap();
    common::succeeded(&out);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    common::validate_json("pricing-update", &out.stdout, env.path());
    let r = |p: &str| {
        doc["reports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["provider"] == p)
            .unwrap()
            .clone()
    };
    let (aws, azure) = (r("aws"), r("azure"));
    // Azure: tiered transfer (two pages) and the APIM free allowance changed; the base fee is
    // the same; purges have no query, blob prices no answer: both keep their value and say so.
    let fd = find(&azure["changed"], "frontdoor.transfer_out").unwrap();
    assert_eq!(fd["after"], "$0.081/GB (3 tiers)", "{fd}");
    let apim = find(&azure["changed"], "apim.consumption_calls").unwrap();
    assert_eq!(apim["after"], "$0.035/10,000 calls, 100 free", "{apim}");
    assert!(
        azure["unchanged"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == "frontdoor.base_fee")
    );
    assert!(
        find(&azure["kept"], "frontdoor.purge").unwrap()["why"]
            .as_str()
            .unwrap()
            .contains("no public price-list query")
    );
    assert!(
        find(&azure["kept"], "blob.read_ops").unwrap()["why"]
            .as_str()
            .unwrap()
            .contains("kept $0.004")
    );
    // AWS: EC2 changed, CloudFront's tiers are the same.
    let ec2 = find(&aws["changed"], "ec2.t3.small").unwrap();
    assert_eq!(
        (ec2["before"].as_str(), ec2["after"].as_str()),
        (Some("$0.0208/hour"), Some("$0.0216/hour"))
    );
    assert!(
        aws["unchanged"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == "cloudfront.transfer_out")
    );

    the_written_file_is_dated_and_used(&env, &file);
    // The stub saw Azure's second page and only TERM_MATCH filters.
    let seen: Value =
        serde_json::from_str(&stub::get(&format!("{}/_requests", stub.url()))).unwrap();
    assert!(seen.as_array().unwrap().iter().any(|s| s["page"] == 2));
}

#[test]
fn an_unreachable_price_list_keeps_every_price() {
    let env = Env::new();
    let out = env
        .cmd()
        .env(
            "SHIPDECK_AZURE_PRICES_URL",
            "http://127.0.0.1:9/api/retail/prices",
        )
        .args(["--json", "pricing", "update", "--provider", "azure"])
        .output()
        .unwrap();
    common::succeeded(&out);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let azure = &doc["reports"][0];
    assert!(azure["changed"].as_array().unwrap().is_empty());
    let kept = azure["kept"].as_array().unwrap();
    assert!(
        kept.iter()
            .all(|k| k["why"].as_str().unwrap().contains("kept")),
        "{kept:?}"
    );
    assert!(
        kept.iter()
            .any(|k| k["why"].as_str().unwrap().contains("did not answer"))
    );
}
