//! Snapshots of every screen and overlay at 80×24 and 120×40 on `TestBackend`, with fixed data.
//! Run `INSTA_UPDATE=always cargo test --test tui_snapshots` to accept intended changes, and
//! commit the `.snap` files: under CI insta never writes new ones.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use common::tui::{a_plan_for_snapshots, state};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shipdeck::tui::keymap::Command;
use shipdeck::tui::state::{Action, State};
use shipdeck::tui::views;

fn draw(s: &State, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        views::render(s, f);
    })
    .unwrap();
    t.backend().to_string()
}

fn at_both_sizes(name: &str, prepare: impl Fn(&mut State)) {
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let mut s = state(w, h, false);
        prepare(&mut s);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(&s, w, h));
    }
}

#[test]
fn releases_screen() {
    at_both_sizes("releases", |_| {});
}

#[test]
fn releases_details_on_a_small_terminal() {
    let mut s = state(80, 24, false);
    s.update(Action::Cmd(Command::Details));
    insta::assert_snapshot!("releases_details_80x24", draw(&s, 80, 24));
}

#[test]
fn releases_filtered() {
    at_both_sizes("releases_filtered", |s| {
        s.update(Action::Cmd(Command::Filter));
        for c in "1.0.".chars() {
            s.update(Action::Input(c));
        }
    });
}

#[test]
fn aliases_screen() {
    at_both_sizes("aliases", |s| {
        s.update(Action::Cmd(Command::GoScreen(1)));
    });
}

/// In edge mode the Aliases screen adds what each key makes browsers get: a canary's split, a
/// key that differs from the state, an alias still served by its copies.
#[test]
fn aliases_screen_in_edge_mode() {
    at_both_sizes("aliases_edge", |s| {
        s.update(Action::Loaded(Ok(common::tui::edge_view())));
        s.update(Action::Cmd(Command::GoScreen(1)));
    });
}

/// The canary dialog on an alias whose canary runs: what viewers get now and what to type.
#[test]
fn canary_dialog() {
    at_both_sizes("canary_dialog", |s| {
        s.update(Action::Loaded(Ok(common::tui::edge_view())));
        s.update(Action::Cmd(Command::GoScreen(1)));
        s.update(Action::Cmd(Command::Canary));
        for c in "25".chars() {
            s.update(Action::Input(c));
        }
    });
}

#[test]
fn origins_screen_not_configured() {
    at_both_sizes("origins", |s| {
        s.update(Action::Cmd(Command::GoScreen(2)));
        s.update(Action::OriginsLoaded(Err(
            shipdeck::error::ProfileGap::NoBridge {
                profile: "prod".into(),
            }
            .into(),
        )));
    });
}

#[test]
fn origins_screen_with_findings_and_probe() {
    at_both_sizes("origins_listed", |s| {
        s.update(Action::Cmd(Command::GoScreen(2)));
        s.update(Action::OriginsLoaded(Ok(Box::new(
            common::tui::origins_listing(),
        ))));
        s.update(Action::Probed(Ok(Box::new(common::tui::probe_report()))));
        s.update(Action::Cmd(Command::Cancel));
    });
}

#[test]
fn origin_dialogs() {
    let mut s = state(80, 24, false);
    s.update(Action::Cmd(Command::GoScreen(2)));
    s.update(Action::OriginsLoaded(Ok(Box::new(
        common::tui::origins_listing(),
    ))));
    s.update(Action::Cmd(Command::AddOrigin));
    for c in "https://customer3.com".chars() {
        s.update(Action::Input(c));
    }
    insta::assert_snapshot!("origin_input_80x24", draw(&s, 80, 24));
    // A value that never matches: the dialog offers what browsers send.
    s.update(Action::Cmd(Command::Cancel));
    s.update(Action::Cmd(Command::AddOrigin));
    for c in "https://App.Example.com/".chars() {
        s.update(Action::Input(c));
    }
    insta::assert_snapshot!("origin_input_suggests_80x24", draw(&s, 80, 24));
    s.update(Action::Cmd(Command::Cancel));
    s.update(Action::Cmd(Command::AddOrigin));
    for c in "https://customer3.com".chars() {
        s.update(Action::Input(c));
    }
    let plan = shipdeck::ops::origins::OriginPlan {
        redeploys: false,
        description: "add origin https://customer3.com to ADDITIONAL_ORIGINS".into(),
        source: ".env ../bridge/.env".into(),
        diff: vec![("ADDITIONAL_ORIGINS=https://customer1.com".into(), "ADDITIONAL_ORIGINS=https://customer1.com,https://customer3.com".into())],
        notes: vec!["the Bridge reads its list at start-up: restart or redeploy it, then `shipdeck origins probe`".into()],
        base: shipdeck::bridge::Allowlist { allowed: vec![], additional: vec![], version: None, text: None, ..Default::default() },
        next: shipdeck::bridge::Allowlist { allowed: vec![], additional: vec![], version: None, text: None, ..Default::default() },
    };
    s.update(Action::OriginPlanned(Ok(Box::new(plan))));
    insta::assert_snapshot!("origin_plan_80x24", draw(&s, 80, 24));
}

#[test]
fn history_screen() {
    at_both_sizes("history", |s| {
        s.update(Action::Cmd(Command::GoScreen(3)));
    });
}

#[test]
fn cost_screen() {
    at_both_sizes("cost", |s| {
        s.update(Action::Cmd(Command::GoScreen(4)));
        s.update(Action::CostLoaded(Ok(Box::new(common::tui::cost_data()))));
    });
}

/// Two rules: latest's 5xx firing (with its rollback), v1's latency fine.
fn alerts_report() -> shipdeck::ops::alerts::AlertsReport {
    use shipdeck::domain::alert::{Metric, Rule, Threshold};
    use shipdeck::domain::traffic::Subject;
    use shipdeck::ops::alerts::{AlertsReport, Evaluated};
    let until = chrono::DateTime::parse_from_rfc3339("2026-11-26T14:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let rule = |name: &str, alias: &str, metric, threshold| Rule {
        name: name.into(),
        subject: Subject::Alias(alias.into()),
        metric,
        threshold,
        window: std::time::Duration::from_secs(3600),
    };
    let evaluated = |rule: Rule, value: f64, firing: bool, action: Option<&str>| Evaluated {
        rule,
        value: Some(value),
        firing,
        from: Some(until - chrono::Duration::hours(1)),
        until: Some(until),
        note: None,
        unevaluated: None,
        action: action.map(str::to_string),
    };
    AlertsReport {
        rules: vec![
            evaluated(
                rule(
                    "v1 slow",
                    "v1",
                    Metric::P95LatencyMs,
                    Threshold::Above(500.0),
                ),
                75.0,
                false,
                None,
            ),
            evaluated(
                rule(
                    "latest 5xx",
                    "latest",
                    Metric::ErrorRate,
                    Threshold::Above(0.02),
                ),
                0.1,
                true,
                Some("roll back: shipdeck rollback latest --to 1.0.1"),
            ),
        ],
        firing: 1,
        unevaluated: 0,
    }
}

/// A firing rule is a badge on every screen and, first, a line on the Traffic screen.
#[test]
fn alerts_badge_and_list() {
    at_both_sizes("alerts", |s| {
        s.update(Action::AlertsLoaded(Ok(Box::new(alerts_report()))));
        s.update(Action::Cmd(Command::GoScreen(6)));
        s.update(Action::TrafficLoaded(Ok(Box::new(
            common::tui::traffic_data(),
        ))));
    });
    let mut s = state(120, 40, false);
    s.update(Action::AlertsLoaded(Ok(Box::new(alerts_report()))));
    let releases = draw(&s, 120, 40);
    assert!(releases.contains("1 alert firing"), "{releases}");
}

#[test]
fn traffic_screen() {
    at_both_sizes("traffic", |s| {
        let fx = s.update(Action::Cmd(Command::GoScreen(6)));
        assert!(
            fx.iter()
                .any(|e| matches!(e, shipdeck::tui::state::Effect::LoadTraffic)),
            "opening the screen loads the logs"
        );
        s.update(Action::TrafficProgress(3, 10));
        assert_eq!(s.traffic.progress, Some((3, 10)));
        s.update(Action::TrafficLoaded(Ok(Box::new(
            common::tui::traffic_data(),
        ))));
    });
}

#[test]
fn cost_screen_follows_edits() {
    let mut s = state(80, 24, false);
    s.update(Action::Cmd(Command::GoScreen(4)));
    s.update(Action::CostLoaded(Ok(Box::new(common::tui::cost_data()))));
    // The CDN part grows with the loads; the Bridge's stack from the usage file does not.
    let cdn = |s: &shipdeck::tui::state::State| {
        let e = &s.cost.estimates().unwrap()[0];
        let sub = |c: &str| {
            e.subtotals()
                .into_iter()
                .find(|(n, _)| n == c)
                .map_or(0.0, |(_, v)| v)
        };
        (sub("CloudFront"), sub("Bridge compute"))
    };
    let before = cdn(&s);
    s.update(Action::Cmd(Command::EditNext));
    s.update(Action::Input('0'));
    let after = cdn(&s);
    assert!(
        after.0 > before.0 * 5.0,
        "ten times the loads: {before:?} → {after:?}"
    );
    assert!(
        before.1 > 0.0 && after.1 == before.1,
        "{before:?} → {after:?}"
    );
    insta::assert_snapshot!("cost_editing_80x24", draw(&s, 80, 24));
    for _ in 0.."1000000".len() {
        s.update(Action::Backspace);
    }
    let out = draw(&s, 80, 24);
    assert!(out.contains("loads/month: '' is not a number"), "{out}");
}

#[test]
fn account_screen() {
    at_both_sizes("account", |s| {
        s.update(Action::Cmd(Command::GoScreen(5)));
        s.update(Action::AccountLoaded(Ok(Box::new(
            shipdeck::ops::account::AccountView {
                profile: "prod".into(),
                config: Some("/home/alice/.config/shipdeck/config.toml".into()),
                store: "s3://msr-event-agent-webchat".into(),
                cdn: "CloudFront E1234ABCD5678".into(),
                actor: "alice".into(),
                credentials: shipdeck::ops::account::Credentials {
                    source: shipdeck::credentials::CredentialSource::Keyring {
                        access_key: "AKIA…MPLE".into(),
                    },
                    keyring_error: None,
                },
                lock: Some(shipdeck::ops::lock::LockRecord {
                    token: "t".into(),
                    holder: "bob".into(),
                    host: "build-01".into(),
                    pid: 4242,
                    since: "2026-11-26T08:00:00Z".parse().unwrap(),
                    expires: "2026-11-26T08:15:00Z".parse().unwrap(),
                    operation: "promote 1.2.0".into(),
                }),
                in_flight: None,
            },
        ))));
    });
}

#[test]
fn help_overlay() {
    at_both_sizes("help", |s| {
        s.update(Action::Cmd(Command::Help));
    });
}

#[test]
fn help_overlay_readonly_hides_changes() {
    let mut s = state(80, 24, true);
    s.update(Action::Cmd(Command::Help));
    let out = draw(&s, 80, 24);
    assert!(!out.contains("promote the selected version"), "{out}");
    assert!(out.contains("[READ-ONLY]"));
    insta::assert_snapshot!("help_readonly_80x24", out);
}

#[test]
fn plan_dialog() {
    at_both_sizes("plan", |s| {
        s.update(Action::Planned(Ok((
            Box::new(a_plan_for_snapshots()),
            shipdeck::domain::history::Operation::Rollback,
        ))));
    });
}

#[test]
fn plan_dialog_running_with_progress() {
    at_both_sizes("plan_running", |s| {
        s.update(Action::Planned(Ok((
            Box::new(a_plan_for_snapshots()),
            shipdeck::domain::history::Operation::Rollback,
        ))));
        s.update(Action::Cmd(Command::Yes));
        s.update(Action::Progress(shipdeck::ops::ProgressEvent::Phase {
            label: "copying alias files".into(),
            files: 4,
            bytes: 4096,
        }));
        s.update(Action::Progress(shipdeck::ops::ProgressEvent::File {
            key: "latest/x".into(),
            bytes: 1024,
        }));
    });
}

#[test]
fn release_dialogs() {
    // A prerelease asks for its channel; an alias asks for its target.
    at_both_sizes("channel_dialog", |s| {
        s.update(Action::Cmd(Command::Top));
        s.update(Action::Cmd(Command::Promote));
    });
    at_both_sizes("pin_alias_dialog", |s| {
        s.update(Action::Cmd(Command::GoScreen(1)));
        s.update(Action::Cmd(Command::Rollback));
    });
}

#[test]
fn error_popup() {
    at_both_sizes("error", |s| {
        s.update(Action::Applied(Err(shipdeck::error::Error::io(
            "local /srv/cdn: cannot write 'latest/style.css'",
            std::io::Error::from_raw_os_error(13),
        ))));
    });
}

#[test]
fn palette_overlay() {
    at_both_sizes("palette", |s| {
        s.update(Action::Cmd(Command::Palette));
        for c in "ro".chars() {
            s.update(Action::Input(c));
        }
    });
}

#[test]
fn every_theme_renders_the_same_text() {
    let base = draw(&state(80, 24, false), 80, 24);
    for name in shipdeck::tui::theme::builtin_names() {
        let mut s = state(80, 24, false);
        s.theme = shipdeck::tui::theme::load(name).unwrap();
        assert_eq!(
            draw(&s, 80, 24),
            base,
            "theme {name} changes colours only, never text"
        );
    }
}

#[test]
fn the_plan_dialog_highlights_an_alias_that_goes_away() {
    let mut s = state(100, 30, false);
    let mut plan = a_plan_for_snapshots();
    plan.warnings = vec![
        "'v1.1' has no other release it can serve, so its folder v1.1/ is deleted: pages that load v1.1/ get 404".into(),
    ];
    s.update(Action::Planned(Ok((
        Box::new(plan),
        shipdeck::domain::history::Operation::Yank,
    ))));
    let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
    t.draw(|f| {
        views::render(&s, f);
    })
    .unwrap();
    let buf = t.backend().buffer().clone();
    let row = (0..30)
        .find(|y| {
            (0..100)
                .map(|x| buf[(x, *y)].symbol().to_string())
                .collect::<String>()
                .contains("WARNING  'v1.1' has no other release")
        })
        .expect("the warning is in the dialog");
    let title = (0..30)
        .find(|y| {
            (0..100)
                .map(|x| buf[(x, *y)].symbol().to_string())
                .collect::<String>()
                .contains("Plan: ")
        })
        .expect("the plan title is shown");
    assert_eq!(
        row,
        title + 1,
        "the warning comes first, right under the title"
    );
    let x = (0..100).find(|x| buf[(*x, row)].symbol() == "W").unwrap();
    let style = buf[(x, row)].style();
    assert_eq!(style.fg, Some(s.theme.warn), "in the warning colour");
    assert!(
        style
            .add_modifier
            .contains(ratatui::style::Modifier::REVERSED),
        "and reversed, so it stands out"
    );
}

/// Keys are remappable, so every hint reads the active keymap: with every action moved to a
/// Ctrl key, no screen may still hint an action by its default key ("a add", "`p` promotes").
#[test]
fn hints_follow_a_remapped_keymap() {
    use shipdeck::tui::keymap::{Keymap, bindings};
    let letters: Vec<char> = ('a'..='z').filter(|c| *c != 'c').chain('0'..='9').collect();
    let all = bindings();
    let overrides: std::collections::BTreeMap<String, String> = all
        .iter()
        .zip(&letters)
        .map(|(b, l)| (b.name.to_string(), format!("ctrl-{l}")))
        .collect();
    assert_eq!(overrides.len(), all.len(), "a Ctrl key for every action");
    let keymap = Keymap::with_overrides(&overrides).unwrap();
    // Words a hint puts after its key.
    let verbs = [
        "help", "palette", "filter", "screens", "quit", "add", "remove", "probe", "edits", "adds",
        "promotes", "to probe",
    ];
    type Prepare = Box<dyn Fn(&mut State)>;
    let screens: Vec<(&str, Prepare)> = vec![
        ("releases", Box::new(|_| {})),
        (
            "aliases",
            Box::new(|s| {
                s.update(Action::Cmd(Command::GoScreen(1)));
            }),
        ),
        (
            "origins",
            Box::new(|s| {
                s.update(Action::Cmd(Command::GoScreen(2)));
                s.update(Action::OriginsLoaded(Ok(Box::new(
                    common::tui::origins_listing(),
                ))));
            }),
        ),
        (
            "history",
            Box::new(|s| {
                s.update(Action::Cmd(Command::GoScreen(3)));
            }),
        ),
        (
            "cost",
            Box::new(|s| {
                s.update(Action::Cmd(Command::GoScreen(4)));
                s.update(Action::CostLoaded(Ok(Box::new(common::tui::cost_data()))));
            }),
        ),
        (
            "account",
            Box::new(|s| {
                s.update(Action::Cmd(Command::GoScreen(5)));
            }),
        ),
        (
            "traffic",
            Box::new(|s| {
                s.update(Action::Cmd(Command::GoScreen(6)));
                s.update(Action::TrafficLoaded(Ok(Box::new(
                    common::tui::traffic_data(),
                ))));
            }),
        ),
    ];
    for (name, prepare) in &screens {
        let mut s = state(120, 40, false);
        s.keymap = keymap.clone();
        prepare(&mut s);
        let text = draw(&s, 120, 40);
        for b in &all {
            let default = b.key;
            if default.chars().count() == 1 {
                assert!(
                    !text.contains(&format!("`{default}`")),
                    "{name}: still hints `{default}` ({}):\n{text}",
                    b.name
                );
            }
            for v in verbs {
                let shown = if default == "tab" { "Tab" } else { default };
                assert!(
                    !text.contains(&format!(" {shown} {v}")),
                    "{name}: still hints '{shown} {v}' ({}):\n{text}",
                    b.name
                );
            }
        }
        assert!(
            text.contains("Ctrl-"),
            "{name}: shows the remapped keys:\n{text}"
        );
    }
}
