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
