//! Fixed console data for state tests and snapshots: no clock, no store.

use chrono::{DateTime, Utc};
use shipdeck::domain::cost::Provider;
use shipdeck::domain::history::{AliasChange, HistoryEvent, Operation};
use shipdeck::domain::manifest::{Manifest, describe_file};
use shipdeck::ops::query::{AliasRow, ReleasesView, VersionRow};
use shipdeck::tui::keymap::Keymap;
use shipdeck::tui::state::{Action, State};
use shipdeck::tui::theme;
use shipdeck::tui::views;

pub fn at(h: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_000_000 + h * 3600, 0).unwrap()
}

fn row(v: &str, aliases: &[&str], yanked: bool, promoted: bool, h: i64) -> VersionRow {
    VersionRow {
        version: v.parse().unwrap(),
        yank_reason: yanked.then(|| "breaks Safari 15".into()),
        promoted,
        files: 7,
        size: 301_000,
        gzip_size: 88_000,
        published_at: at(h),
        published_by: "alice".into(),
        aliases: aliases.iter().map(|s| s.parse().unwrap()).collect(),
    }
}

fn alias(
    name: &str,
    target: &str,
    pinned: bool,
    previous: Option<&str>,
    automatic: Option<&str>,
) -> AliasRow {
    let v = |s: &str| s.parse().unwrap();
    AliasRow {
        name: name.parse().unwrap(),
        target: v(target),
        pinned,
        previous: previous.map(v),
        automatic: automatic.map(v),
        edge: None,
    }
}

pub fn view() -> ReleasesView {
    ReleasesView {
        store: "local /srv/cdn".into(),
        versions: vec![
            row("2.0.0-beta.1", &["next"], false, false, 50),
            row("1.2.0", &[], true, true, 40),
            row("1.1.0", &["v1", "v1.1"], false, true, 30),
            row("1.0.1", &["latest", "v1.0"], false, true, 20),
            row("1.0.0", &[], false, true, 10),
        ],
        aliases: vec![
            alias("latest", "1.0.1", true, Some("1.1.0"), Some("1.1.0")),
            alias("v1", "1.1.0", false, Some("1.0.1"), Some("1.1.0")),
            alias("v1.0", "1.0.1", false, Some("1.0.0"), Some("1.0.1")),
            alias("v1.1", "1.1.0", false, None, Some("1.1.0")),
            alias("next", "2.0.0-beta.1", true, None, None),
        ],
        in_flight: None,
        edge_error: None,
    }
}

/// The same view in edge mode: `latest` runs a canary, `v1.0` has no key yet, `v1` differs.
pub fn edge_view() -> ReleasesView {
    use shipdeck::domain::edge_alias::KeyVerdict;
    use shipdeck::ops::query::EdgeCell;
    let mut v = view();
    for a in &mut v.aliases {
        a.edge = Some(match a.name.to_string().as_str() {
            "latest" => EdgeCell {
                value: Some("1.0.1;1.1.0=5".into()),
                verdict: KeyVerdict::InSync,
            },
            "v1" => EdgeCell {
                value: Some("1.0.1".into()),
                verdict: KeyVerdict::Differs,
            },
            "v1.0" => EdgeCell {
                value: None,
                verdict: KeyVerdict::Missing,
            },
            _ => EdgeCell {
                value: Some(a.target.to_string()),
                verdict: KeyVerdict::InSync,
            },
        });
    }
    v
}

pub fn history() -> Vec<HistoryEvent> {
    vec![
        HistoryEvent {
            commit: None,
            invalidation: None,
            id: "b2".into(),
            at: at(60),
            by: "bob".into(),
            action: Operation::Rollback,
            description: "rollback latest to 1.0.1".into(),
            changes: vec![AliasChange {
                alias: "latest".into(),
                from: Some("1.1.0".into()),
                to: Some("1.0.1".into()),
            }],
            outcome: "ok".into(),
            detail: None,
        },
        HistoryEvent {
            commit: Some("9f8e7d6c5b4a39281706f5e4d3c2b1a098765432".into()),
            invalidation: Some("I2J0EXAMPLE7Q".into()),
            id: "a1".into(),
            at: at(30),
            by: "alice".into(),
            action: Operation::Publish,
            description: "publish 1.1.0 and promote".into(),
            changes: vec![AliasChange {
                alias: "v1.1".into(),
                from: None,
                to: Some("1.1.0".into()),
            }],
            outcome: "ok".into(),
            detail: None,
        },
    ]
}

pub fn manifest(v: &str) -> Manifest {
    Manifest {
        version: v.parse().unwrap(),
        files: ["index.html", "msr-webchat.umd.js", "style.css"]
            .iter()
            .map(|f| describe_file(f, format!("{v}:{f}").as_bytes()))
            .collect(),
        published_at: at(20),
        published_by: "alice".into(),
        commit: None,
    }
}

/// A console state loaded with the fixed data, sized `w`×`h`.
pub fn state(w: u16, h: u16, readonly: bool) -> State {
    let mut s = State::new(
        "prod",
        "local /srv/cdn",
        readonly,
        Some("https://cdn.example.com/msr-webchat".into()),
        theme::load("dark").unwrap(),
        Keymap::default(),
    );
    s.update(Action::Resize(w, h));
    s.update(Action::Loaded(Ok(view())));
    s.update(Action::HistoryLoaded(Ok(history())));
    s.update(Action::ManifestLoaded(
        "2.0.0-beta.1".parse().unwrap(),
        Ok(manifest("2.0.0-beta.1")),
    ));
    s
}

/// A realistic rollback plan for the plan dialog.
pub fn a_plan_for_snapshots() -> shipdeck::domain::plan::Plan {
    use shipdeck::domain::alias::AliasName;
    use shipdeck::domain::plan::{AliasMove, FileOp, FileOpKind, Plan};
    let op = |kind, key: &str, size| FileOp {
        kind,
        key: key.into(),
        source: Some(key.replace("latest/", "v1.0.1/")),
        size,
        content_type: "text/javascript; charset=utf-8".into(),
        cache_control: "public, max-age=300".into(),
        entry: key.ends_with(".js"),
        expect: None,
    };
    Plan {
        description: "rollback latest to 1.0.1".into(),
        alias_moves: vec![AliasMove { alias: AliasName::Latest, from: Some("1.1.0".parse().unwrap()), to: Some("1.0.1".parse().unwrap()), pinned: true, was_pinned: false }],
        file_ops: vec![
            op(FileOpKind::Replace, "msr-webchat/latest/msr-webchat.umd.js.map", 210_000),
            op(FileOpKind::Replace, "msr-webchat/latest/style.css", 12_000),
            op(FileOpKind::Replace, "msr-webchat/latest/msr-webchat.umd.js", 45_000),
            FileOp { kind: FileOpKind::Delete, key: "msr-webchat/latest/chunk-new.js".into(), source: None, size: 900, content_type: String::new(), cache_control: String::new(), entry: false, expect: None },
        ],
        unchanged_files: 3,
        invalidations: vec!["/msr-webchat/latest/*".into()],
        notes: vec!["still serving 1.1.0 after this rollback: v1, v1.1 (roll those back too if 1.1.0 is bad, or yank it)".into()],
        ..Default::default()
    }
}

/// Cost data from the built-in pricing files and a fixed bundle.
pub fn cost_data() -> shipdeck::tui::screens::cost::CostData {
    use shipdeck::ops::cost::builtin_pricing;
    shipdeck::tui::screens::cost::CostData {
        tables: vec![
            (Provider::Aws, builtin_pricing(Provider::Aws).unwrap()),
            (Provider::Azure, builtin_pricing(Provider::Azure).unwrap()),
        ],
        bundle: shipdeck::domain::cost::Bundle {
            bytes_per_load: 58_000.0,
            brotli_bytes_per_load: Some(49_000.0),
            release_bytes: 301_000.0,
            files_per_release: 7.0,
        },
        bundle_from: "manifest of 1.0.1 (served by latest)".into(),
        // A usage file with the runbook's Bridge stack: the breakdown shows it.
        usage: shipdeck::domain::cost::Usage {
            bridge: toml::from_str(
                "[api]\nkind = \"rest-api\"\nrequests = 1000000\n[compute]\nkind = \"ec2\"\ninstance_type = \"t3.small\"\ncount = 2\n[database]\nkind = \"rds-postgres\"\ninstance_class = \"db.t3.medium\"\nstorage_gb = 20\n",
            )
            .unwrap(),
            ..Default::default()
        },
        facts: shipdeck::domain::cost::advice::Facts {
            version: Some("1.0.1".into()),
            files: vec![
                ("msr-webchat.umd.js".into(), 180_000, 52_000),
                ("style.css".into(), 20_000, 6_000),
                ("msr-webchat.umd.js.map".into(), 600_000, 150_000),
            ],
            alias_max_age: 300.0,
            paths_last_30_days: 18.0,
        },
        // The day after the built-in prices' date, whatever day the tests run.
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
    }
}

/// A fixed allowlist listing with findings, and a probe that found drift.
pub fn origins_listing() -> shipdeck::ops::origins::Listing {
    use shipdeck::domain::origin::{Entry, audit};
    let entries: Vec<Entry> = [
        ("https://app.example.com", "ALLOWED_ORIGINS"),
        ("http://localhost:3000", "ALLOWED_ORIGINS"),
        ("https://d1234.cloudfront.net", "ALLOWED_ORIGINS"),
        ("https://customer1.com", "ADDITIONAL_ORIGINS"),
        (" https://customer2.com", "ADDITIONAL_ORIGINS"),
    ]
    .iter()
    .map(|(r, s)| Entry {
        raw: r.to_string(),
        source: s.to_string(),
    })
    .collect();
    let findings = audit(&entries, true);
    shipdeck::ops::origins::Listing {
        kept: None,
        source: ".env ../bridge/.env".into(),
        production: true,
        redeploys: false,
        origins: entries
            .iter()
            .map(|e| shipdeck::ops::origins::Listed {
                origin: e.raw.clone(),
                list: e.source.clone(),
                findings: findings
                    .iter()
                    .filter(|f| f.entry == e.raw)
                    .cloned()
                    .collect(),
            })
            .collect(),
        list_findings: vec![],
        worst: findings.iter().map(|f| f.severity).max(),
    }
}

pub fn probe_report() -> shipdeck::ops::origins::ProbeReport {
    use shipdeck::domain::origin::Observed;
    use shipdeck::ops::origins::Probed;
    let ok = |o: &str| Probed {
        origin: o.into(),
        kind: "listed".into(),
        expected_allowed: true,
        observed: Some(Observed {
            status: 204,
            allow_origin: Some(o.into()),
            allow_credentials: Some("true".into()),
            vary_origin: true,
            ..Default::default()
        }),
        allowed: true,
        problems: vec![],
        browser_refuses: vec![],
    };
    shipdeck::ops::origins::ProbeReport {
        url: "https://api.example.com/v1/chat".into(),
        results: vec![
            ok("https://app.example.com"),
            Probed {
                origin: "https://customer1.com".into(),
                kind: "listed in ADDITIONAL_ORIGINS".into(),
                expected_allowed: true,
                observed: Some(Observed { status: 500, ..Default::default() }),
                allowed: false,
                problems: vec!["[stale_bridge] the allowlist allows it but the Bridge refused it (status 500): the running Bridge does not have the current list, and a browser on that site gets a CORS error — restart or redeploy it".into()],
                browser_refuses: ["GET", "POST", "PATCH", "DELETE"].map(String::from).to_vec(),
            },
        ],
        ok: false,
    }
}

/// Draws `s` at its size on a test terminal, as the console does after every action, so the
/// state knows the layout a click lands on; returns the screen's text.
pub fn drawn(s: &mut State) -> String {
    let (w, h) = s.size;
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    let mut hits = Default::default();
    t.draw(|f| hits = views::render(s, f)).unwrap();
    s.update(Action::Drawn(hits));
    t.backend().to_string()
}

/// A Traffic view built from a fixed set of requests and history (no logs, no clock).
pub fn traffic_data() -> shipdeck::ops::traffic::Traffic {
    use chrono::{DateTime, Duration, Utc};
    use shipdeck::domain::history::{AliasChange, HistoryEvent};
    use shipdeck::domain::traffic::{Tally, parse::Request, report};
    let t0 = DateTime::parse_from_rfc3339("2026-11-20T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let mut agg = Tally::default();
    let mut add = |h: i64, folder: &str, status: u16, n: usize| {
        for i in 0..n {
            agg.add(
                &Request {
                    at: t0 + Duration::hours(h) + Duration::seconds(i as i64 * 7),
                    path: format!("/msr-webchat/{folder}/msr-webchat.umd.js").into(),
                    status,
                    bytes: 52_000,
                    cache_hit: Some(i % 10 != 0),
                    incomplete: false,
                    referrer_host: Some(
                        if i % 3 == 0 {
                            "shop.example.com"
                        } else {
                            "blog.example.org"
                        }
                        .into(),
                    ),
                    // Slower when failing, as a bad release would be.
                    time_taken_ms: Some(if status >= 500 {
                        900
                    } else {
                        40 + i as u32 % 60
                    }),
                },
                "/msr-webchat",
            );
        }
    };
    for d in 0..7 {
        add(d * 24 + 10, "latest", 200, 40 + d as usize * 5);
        add(d * 24 + 11, "v1", 200, 12);
        add(d * 24 + 12, "v1.0.1", 200, 3);
    }
    add(60, "latest", 503, 9);
    add(2, "v0.9.0", 200, 1);
    let agg = agg.finish(0);
    let promote = HistoryEvent {
        commit: None,
        invalidation: None,
        id: "e1".into(),
        at: t0 + Duration::hours(60) + Duration::minutes(30),
        by: "alice".into(),
        action: Operation::Rollback,
        description: "rollback latest".into(),
        changes: vec![AliasChange {
            alias: "latest".into(),
            from: Some("1.1.0".into()),
            to: Some("1.0.1".into()),
        }],
        outcome: "ok".into(),
        detail: None,
    };
    let first = HistoryEvent {
        commit: None,
        invalidation: None,
        at: t0 - Duration::days(3),
        id: "e0".into(),
        description: "promote 1.1.0".into(),
        action: Operation::Promote,
        changes: vec![AliasChange {
            alias: "latest".into(),
            from: None,
            to: Some("1.1.0".into()),
        }],
        ..promote.clone()
    };
    let report = report(
        &agg,
        &[first, promote],
        t0,
        t0 + Duration::days(7),
        t0 + Duration::days(7),
    );
    shipdeck::ops::traffic::Traffic {
        engine_kind: shipdeck::ops::traffic::Engine::Local,
        engine: "local".into(),
        hint: None,
        skipped: Vec::new(),
        source: "s3://msr-webchat-logs under 'cdn/'".into(),
        delay_note: "CloudFront delivers logs within about an hour, sometimes up to a day late"
            .into(),
        loaded: shipdeck::ops::traffic::Loaded {
            files: 168,
            read: 3,
            cached: 165,
            bytes_read: 120_000,
        },
        report,
        errors: Some(tracker_errors()),
    }
}

/// Sentry's view of the fixture's releases: 1.1.0 brought three new issues.
fn tracker_errors() -> shipdeck::ops::traffic::TrackerErrors {
    shipdeck::ops::traffic::TrackerErrors {
        source: "Sentry at https://sentry.io (acme/webchat)".into(),
        releases: [(
            "1.1.0".to_string(),
            shipdeck::tracking::Issues {
                new_issues: 3,
                events: 41,
            },
        )]
        .into_iter()
        .collect(),
        failed: None,
    }
}
