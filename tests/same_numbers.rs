//! One use case per feature: the console and the CLI run on the same profile and must show the
//! same numbers, because both call the same `ops` function and present its outcome. Each test
//! runs the CLI's `--json` and the console's worker and state on one fixture.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use common::Env;
use shipdeck::tui::state::Effect;

/// The issue's case: a usage file whose traffic and bundle differ from the defaults and from
/// the measured release (the console used to ignore both: $6.34 against the CLI's $43.59).
const USAGE: &str = r#"
loads = 2_000_000
browser_cache_hit = 0.35
cdn_cache_hit = 0.8
bundle_kb = 500

[[fixed]]
name = "Bridge compute"
monthly = 12.5
"#;

/// Equal as JSON carries them: serde_json parses a float to within an ulp, not always exactly.
fn same(a: &[(String, f64)], b: &[(String, f64)]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.0 == y.0 && (x.1 - y.1).abs() <= 1e-9 * x.1.abs().max(1.0))
}

fn totals(doc: &serde_json::Value) -> Vec<(String, f64)> {
    doc["estimates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["provider"].as_str().unwrap().to_string(),
                e["total"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn cost_case(store: &str, provider_first: &str) {
    let env = Env::with_config(&format!(
        "[profiles.test]\nstore = {store}\nusage = \"usage.toml\"\n"
    ));
    std::fs::write(env.path().join("usage.toml"), USAGE).unwrap();
    env.publish("1.0.0", true);

    let cli = env.json(&["cost", "--compare"]);
    let console = common::console::run(env.path(), "test", Effect::LoadCost);
    let report = console.cost.report().unwrap();

    // The same inputs: traffic, bundle and where the bundle comes from.
    assert_eq!(cli["usage"]["loads"].as_f64(), Some(report.usage.loads));
    assert_eq!(
        cli["usage"]["browser_cache_hit"].as_f64(),
        Some(report.usage.browser_cache_hit)
    );
    assert_eq!(
        cli["bundle"]["bytes_per_load"].as_f64(),
        Some(report.bundle.bytes_per_load)
    );
    assert_eq!(
        cli["bundle"]["bytes_per_load"].as_f64(),
        Some(500.0 * 1024.0)
    );
    assert_eq!(
        cli["bundle_from"].as_str(),
        Some(report.bundle_from.as_str())
    );
    assert!(
        report.bundle_from.contains("usage file"),
        "{}",
        report.bundle_from
    );

    // The same totals per provider (the console shows the profile's own provider first).
    let mut cli_totals = totals(&cli);
    let mut screen: Vec<(String, f64)> = report
        .estimates
        .iter()
        .map(|e| (e.provider.to_string(), e.total))
        .collect();
    assert_eq!(screen[0].0, provider_first);
    cli_totals.sort_by(|a, b| a.0.cmp(&b.0));
    screen.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(same(&cli_totals, &screen), "{cli_totals:?} vs {screen:?}");
    // And every line item, so a missing Bridge line or a different bundle cannot hide.
    for e in &report.estimates {
        let cli_e = cli["estimates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["provider"] == e.provider.key())
            .unwrap();
        let cli_lines: Vec<(String, f64)> = cli_e["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["name"].as_str().unwrap().to_string(),
                    l["monthly"].as_f64().unwrap(),
                )
            })
            .collect();
        let lines: Vec<(String, f64)> = e
            .lines
            .iter()
            .map(|l| (l.name.clone(), l.monthly))
            .collect();
        assert!(
            same(&cli_lines, &lines),
            "{}: {cli_lines:?} vs {lines:?}",
            e.provider
        );
    }
    // The advice the console shows is the CLI's for the profile's own provider.
    let cli_advice: Vec<String> = cli["advice"][provider_first]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect();
    let advice: Vec<String> = console.cost.advice().into_iter().map(|a| a.title).collect();
    assert_eq!(cli_advice, advice);
}

#[test]
fn cost_on_screen_is_the_cost_the_cli_prints() {
    cost_case("{ kind = \"local\", path = \"store\" }", "aws");
}

#[test]
fn with_nothing_served_both_say_where_the_bundle_comes_from() {
    // No usage file and nothing served: the CLI asks for the size, the console assumes a
    // typical one and says so (it has no flag to ask for); with --bundle-kb the CLI gives the
    // same totals the console gives at that size.
    let env = Env::new();
    common::refused(&env, &["cost"], 1, "pass --bundle-kb");
    let console = common::console::run(env.path(), "test", Effect::LoadCost);
    let report = console.cost.report().unwrap();
    assert!(
        report.bundle_from.contains("typical 60 KB"),
        "{}",
        report.bundle_from
    );
    let cli = env.json(&["cost", "--compare", "--bundle-kb", "60"]);
    let mut screen: Vec<(String, f64)> = report
        .estimates
        .iter()
        .map(|e| (e.provider.to_string(), e.total))
        .collect();
    let mut cli_totals = totals(&cli);
    cli_totals.sort_by(|a, b| a.0.cmp(&b.0));
    screen.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(same(&cli_totals, &screen), "{cli_totals:?} vs {screen:?}");
}

/// A Bridge `.env` with an entry for every kind of finding the audit makes.
const BRIDGE_ENV: &str = "PORT=3000\nALLOWED_ORIGINS=https://app.example.com,https://App.Example.com/,http://shop.example.com,http://localhost:3000\nADDITIONAL_ORIGINS=https://*.example.org,https://app.example.com\n";

/// An origin as both front ends list it: the entry, its list, its findings' (code, severity).
type Row = (String, String, Vec<(String, String)>);

#[test]
fn origins_on_screen_are_the_origins_the_cli_lists() {
    let env = Env::with_config(
        "[profiles.test]\nstore = { kind = \"local\", path = \"store\" }\nproduction = true\nbridge = { allowlist = { kind = \"dotenv\", path = \"bridge.env\" } }\n",
    );
    std::fs::write(env.path().join("bridge.env"), BRIDGE_ENV).unwrap();
    let cli = env.json(&["origins", "list"]);
    let console = common::console::run(env.path(), "test", Effect::LoadOrigins);
    let listing = match &console.origins.listing {
        Some(Ok(l)) => l,
        other => panic!("the console has no listing: {other:?}"),
    };
    // Every origin, its list and its findings' codes and severities, in the same order.
    let screen: Vec<Row> = listing
        .origins
        .iter()
        .map(|o| {
            (
                o.origin.clone(),
                o.list.clone(),
                o.findings
                    .iter()
                    .map(|f| (f.code.to_string(), f.severity.to_string()))
                    .collect(),
            )
        })
        .collect();
    let printed: Vec<Row> = cli["origins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["origin"].as_str().unwrap().to_string(),
                o["list"].as_str().unwrap().to_string(),
                o["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| {
                        (
                            f["code"].as_str().unwrap().to_string(),
                            f["severity"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    assert_eq!(screen, printed);
    // The fixture makes findings of several kinds, so a front end that dropped one would show.
    let codes: std::collections::BTreeSet<&str> = screen
        .iter()
        .flat_map(|(_, _, f)| f.iter().map(|(c, _)| c.as_str()))
        .collect();
    assert!(codes.len() >= 3, "{codes:?}");
    assert_eq!(
        serde_json::to_value(&listing.list_findings).unwrap(),
        cli["list_findings"]
    );
    assert_eq!(
        serde_json::to_value(listing.worst).unwrap(),
        cli["worst"],
        "the same worst finding"
    );
}

#[test]
fn history_on_screen_is_the_history_the_cli_prints() {
    let env = Env::new();
    env.publish("1.0.0", true);
    env.publish("1.1.0", true);
    let cli = env.json(&["history"]);
    let console = common::console::run(env.path(), "test", Effect::LoadHistory);
    assert!(console.history.events.len() >= 2, "two publishes");
    assert_eq!(
        serde_json::to_value(&console.history.events).unwrap(),
        cli["events"]
    );
}

#[test]
fn verify_on_screen_finds_what_the_cli_finds() {
    let env = Env::new();
    env.publish("1.0.0", true);
    // Damage one file of the release latest serves: both front ends must name it.
    let damaged = env.store().join("v1.0.0/style.css");
    std::fs::write(&damaged, "body{color:red}").unwrap();
    let out = env.cmd().args(["--json", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(4), "differences exit 4");
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let console = common::console::run(env.path(), "test", Effect::Verify(Vec::new()));
    let Some(shipdeck::tui::dialogs::Modal::Message {
        title,
        lines,
        error,
    }) = &console.modal
    else {
        panic!(
            "verify shows its findings in a message: {:?}",
            console.modal
        );
    };
    assert!(*error, "{title}");
    let problems: Vec<String> = cli["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["problems"].as_array().unwrap().iter())
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    assert!(!problems.is_empty());
    // Every problem the CLI reports is on the console's screen, and the counts agree.
    for p in &problems {
        assert!(
            lines.iter().any(|l| l.text.contains(p.as_str())),
            "{p} missing from the console's {lines:?}"
        );
    }
    assert!(title.contains(&problems.len().to_string()), "{title}");
}

#[test]
fn credentials_on_screen_are_the_credentials_the_cli_lists() {
    let env = Env::new();
    let cli = env.json(&["credentials"]);
    let console = common::console::run(env.path(), "test", Effect::LoadAccount);
    let view = match &console.account.view {
        Some(Ok(v)) => v,
        other => panic!("the console has no account view: {other:?}"),
    };
    let printed = cli["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["profile"] == "test")
        .unwrap()["source"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(shipdeck::present::credentials(&view.credentials), printed);
}
