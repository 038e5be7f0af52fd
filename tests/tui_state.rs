//! `State::update` for every action: movement, screens, filter, dialogs and their cancel paths,
//! worker results, errors, and read-only mode. Pure: no terminal, no store.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use common::tui::{drawn, manifest, state, view};
use shipdeck::domain::change::Request;
use shipdeck::ops::ProgressEvent;
use shipdeck::ops::apply::Report;
use shipdeck::tui::dialogs::Modal;
use shipdeck::tui::keymap::Command;
use shipdeck::tui::screens::Screen;
use shipdeck::tui::state::{Action, Effect, OriginEdit};

fn cmd(c: Command) -> Action {
    Action::Cmd(c)
}

fn plan_of(effects: &[Effect]) -> Option<&Request> {
    effects.iter().find_map(|e| match e {
        Effect::Plan(r) => Some(r),
        _ => None,
    })
}

fn a_plan() -> shipdeck::domain::plan::Plan {
    shipdeck::domain::plan::Plan {
        description: "promote 1.1.0".into(),
        release_changes: vec!["1.1.0 becomes eligible for automatic aliases".into()],
        ..Default::default()
    }
}

#[test]
fn start_loads_releases_and_history() {
    let s = state(80, 24, false);
    let fx = s.start();
    assert!(matches!(fx[0], Effect::LoadReleases) && matches!(fx[1], Effect::LoadHistory));
    assert!(s.busy.is_none(), "loading finished");
}

#[test]
fn movement_clamps_and_loads_the_selected_manifest() {
    let mut s = state(80, 24, false);
    assert_eq!(s.selection(), 0);
    s.update(cmd(Command::Up));
    assert_eq!(s.selection(), 0);
    let fx = s.update(cmd(Command::Down));
    assert_eq!(s.selection(), 1);
    assert!(matches!(&fx[..], [Effect::LoadManifest(v)] if v.to_string() == "1.2.0"));
    s.update(cmd(Command::Bottom));
    assert_eq!(s.selection(), 4);
    s.update(cmd(Command::Down));
    assert_eq!(s.selection(), 4, "clamped at the end");
    s.update(cmd(Command::Top));
    assert_eq!(s.selection(), 0);
    s.update(cmd(Command::PageDown));
    assert_eq!(s.selection(), 4);
    s.update(cmd(Command::PageUp));
    assert_eq!(s.selection(), 0);
    s.update(Action::Scroll(1));
    assert_eq!(s.selection(), 1);
    s.update(Action::Scroll(-1));
    assert_eq!(s.selection(), 0);
    // Click on the 4th list row, where the last draw put it (below header, tabs and the
    // table header).
    drawn(&mut s);
    s.update(Action::Click { row: 3 + 3 });
    assert_eq!(s.selected_version().unwrap().version.to_string(), "1.0.1");
    // A click below the last row selects nothing new.
    s.update(Action::Click { row: 20 });
    assert_eq!(s.selected_version().unwrap().version.to_string(), "1.0.1");
    // A manifest for another version than the selected one is ignored.
    s.update(Action::ManifestLoaded(
        "1.0.0".parse().unwrap(),
        Ok(manifest("1.0.0")),
    ));
    assert!(s.release.manifest.as_ref().unwrap().version.to_string() != "1.0.0");
}

#[test]
fn screens_switch_by_tab_backtab_and_number() {
    let mut s = state(80, 24, false);
    s.update(cmd(Command::NextScreen));
    assert_eq!(s.screen, Screen::Aliases);
    s.update(cmd(Command::PrevScreen));
    s.update(cmd(Command::PrevScreen));
    assert_eq!(
        s.screen,
        Screen::Account,
        "Shift-Tab from the first screen wraps to the last"
    );
    let fx = s.update(cmd(Command::GoScreen(5)));
    assert!(
        matches!(&fx[..], [Effect::LoadAccount]),
        "the Account screen reloads each time: {fx:?}"
    );
    s.update(cmd(Command::GoScreen(3)));
    assert_eq!(s.screen, Screen::History);
    s.update(cmd(Command::Down));
    assert_eq!(s.selection(), 1);
    s.update(cmd(Command::GoScreen(0)));
    assert_eq!(s.selection(), 0, "each screen keeps its own selection");
}

#[test]
fn filter_is_incremental_and_escape_clears_it() {
    let mut s = state(80, 24, false);
    s.update(cmd(Command::Filter));
    assert!(s.text_input());
    for c in "1.0.".chars() {
        s.update(Action::Input(c));
    }
    let shown: Vec<String> = s
        .visible_versions()
        .iter()
        .map(|v| v.version.to_string())
        .collect();
    assert_eq!(shown, vec!["1.0.1", "1.0.0"]);
    s.update(Action::Backspace);
    s.update(Action::Backspace);
    s.update(Action::Backspace);
    s.update(Action::Input('a'));
    assert_eq!(s.release.filter, "1a");
    assert!(s.visible_versions().is_empty());
    s.update(cmd(Command::Cancel));
    assert!(!s.release.filtering && s.release.filter.is_empty());
    assert_eq!(s.visible_versions().len(), 5);
    // Enter keeps the filter; Esc later clears it.
    s.update(cmd(Command::Filter));
    for c in "yanked".chars() {
        s.update(Action::Input(c));
    }
    s.update(cmd(Command::Confirm));
    assert!(!s.release.filtering);
    assert_eq!(s.visible_versions().len(), 1);
    s.update(cmd(Command::Cancel));
    assert_eq!(s.visible_versions().len(), 5);
}

#[test]
fn promote_plans_then_the_plan_dialog_applies_or_cancels() {
    let mut s = state(80, 24, false);
    s.update(cmd(Command::Down));
    s.update(cmd(Command::Down)); // 1.1.0
    let fx = s.update(cmd(Command::Promote));
    assert!(
        matches!(plan_of(&fx), Some(Request::Promote { version, alias: None }) if version.to_string() == "1.1.0")
    );
    assert!(s.busy.is_some());
    s.update(Action::Planned(Ok((Box::new(a_plan()), "promote".into()))));
    assert!(matches!(s.modal, Some(Modal::Plan { running: false, .. })));
    // n cancels, nothing applied.
    let fx = s.update(cmd(Command::No));
    assert!(fx.is_empty() && s.modal.is_none());
    assert!(s.status.as_ref().unwrap().text.contains("cancelled"));
    // Esc cancels too.
    s.update(Action::Planned(Ok((Box::new(a_plan()), "promote".into()))));
    assert!(s.update(cmd(Command::Cancel)).is_empty() && s.modal.is_none());
    // y applies.
    s.update(Action::Planned(Ok((Box::new(a_plan()), "promote".into()))));
    let fx = s.update(cmd(Command::Yes));
    assert!(
        matches!(&fx[..], [Effect::Apply(p, a)] if p.description == "promote 1.1.0" && a == "promote")
    );
    assert!(matches!(s.modal, Some(Modal::Plan { running: true, .. })));
    // While running, keys do not close the dialog.
    assert!(s.update(cmd(Command::Cancel)).is_empty());
    assert!(matches!(s.modal, Some(Modal::Plan { running: true, .. })));
    s.update(Action::Progress(ProgressEvent::Phase {
        label: "copying alias files".into(),
        files: 4,
        bytes: 400,
    }));
    s.update(Action::Progress(ProgressEvent::File {
        key: "latest/a.js".into(),
        bytes: 100,
    }));
    let p = s.progress.clone().unwrap();
    assert_eq!((p.done, p.total, p.bytes, p.total_bytes), (1, 4, 100, 400));
    let fx = s.update(Action::Applied(Ok(Report::default())));
    assert!(s.modal.is_none() && s.progress.is_none());
    assert!(
        s.status
            .as_ref()
            .unwrap()
            .text
            .contains("done: promote 1.1.0")
    );
    assert!(
        matches!(&fx[..], [Effect::LoadReleases, Effect::LoadHistory]),
        "reloads after a change"
    );
}

#[test]
fn a_noop_plan_opens_no_dialog() {
    let mut s = state(80, 24, false);
    let mut p = a_plan();
    p.release_changes.clear();
    s.update(Action::Planned(Ok((Box::new(p), "promote".into()))));
    assert!(s.modal.is_none());
    assert!(
        s.status
            .as_ref()
            .unwrap()
            .text
            .contains("nothing to change")
    );
}

#[test]
fn errors_open_a_dismissible_popup_and_the_status_line() {
    let mut s = state(80, 24, false);
    s.update(Action::Planned(
        Err("version 9.9.9 is not published".into()),
    ));
    assert!(
        matches!(&s.modal, Some(Modal::Message { error: true, lines, .. }) if lines[0].text.contains("9.9.9"))
    );
    assert!(s.status.as_ref().unwrap().error);
    s.update(cmd(Command::Down));
    assert!(s.modal.is_some(), "other keys do not dismiss");
    s.update(cmd(Command::Cancel));
    assert!(s.modal.is_none());
    s.update(Action::Applied(Err("the connection was cut".into())));
    assert!(
        matches!(&s.modal, Some(Modal::Message { error: true, title, .. }) if title.starts_with("Failed"))
    );
    s.update(cmd(Command::Confirm));
    assert!(s.modal.is_none());
    s.update(Action::Loaded(Err("store unreachable".into())));
    assert!(s.modal.is_some());
}

#[test]
fn yank_asks_for_a_reason_and_unyank_plans_directly() {
    let mut s = state(80, 24, false);
    s.update(cmd(Command::Top));
    s.update(cmd(Command::Down)); // 1.2.0 is yanked
    let fx = s.update(cmd(Command::Yank));
    assert!(matches!(plan_of(&fx), Some(Request::Unyank { .. })));
    s.update(cmd(Command::Down)); // 1.1.0
    s.update(cmd(Command::Yank));
    assert!(matches!(s.modal, Some(Modal::YankReason { .. })));
    assert!(s.text_input());
    // Enter with an empty reason is refused, the dialog stays.
    assert!(s.update(cmd(Command::Confirm)).is_empty());
    assert!(matches!(s.modal, Some(Modal::YankReason { .. })));
    for c in "bad css".chars() {
        s.update(Action::Input(c));
    }
    s.update(Action::Backspace);
    let fx = s.update(cmd(Command::Confirm));
    assert!(matches!(plan_of(&fx), Some(Request::Yank { reason, .. }) if reason == "bad cs"));
    // Esc cancels the reason dialog.
    s.update(cmd(Command::Yank));
    assert!(s.update(cmd(Command::Cancel)).is_empty() && s.modal.is_none());
}

#[test]
fn rollback_offers_compatible_aliases_and_plans_the_choice() {
    let mut s = state(80, 24, false);
    s.update(cmd(Command::Bottom)); // 1.0.0
    s.update(cmd(Command::Rollback));
    let Some(Modal::RollbackPick { options, .. }) = &s.modal else {
        panic!("picker opens")
    };
    let names: Vec<String> = options.iter().map(|(a, _)| a.to_string()).collect();
    assert_eq!(
        names,
        vec!["latest", "v1", "v1.0", "next"],
        "v1.1 cannot serve 1.0.0"
    );
    s.update(cmd(Command::Down));
    let fx = s.update(cmd(Command::Confirm));
    assert!(
        matches!(plan_of(&fx), Some(Request::Rollback { alias, to: Some(v) }) if alias.to_string() == "v1" && v.to_string() == "1.0.0")
    );
    // Cancel path.
    s.update(cmd(Command::Rollback));
    assert!(s.update(cmd(Command::Cancel)).is_empty() && s.modal.is_none());
    // On the Aliases screen: the selected alias to its previous target.
    s.update(cmd(Command::GoScreen(1)));
    s.update(cmd(Command::Rollback));
    let fx = s.update(cmd(Command::Confirm));
    assert!(
        matches!(plan_of(&fx), Some(Request::Rollback { alias, to: Some(v) }) if alias.to_string() == "latest" && v.to_string() == "1.1.0")
    );
}

#[test]
fn unpin_and_verify_act_on_the_selection() {
    let mut s = state(80, 24, false);
    s.update(cmd(Command::GoScreen(1)));
    let fx = s.update(cmd(Command::Unpin));
    assert!(
        matches!(plan_of(&fx), Some(Request::Unpin { alias }) if alias.to_string() == "latest")
    );
    s.update(cmd(Command::Down)); // v1, not pinned
    assert!(s.update(cmd(Command::Unpin)).is_empty());
    assert!(s.status.as_ref().unwrap().text.contains("not pinned"));
    let fx = s.update(cmd(Command::Verify));
    assert!(matches!(&fx[..], [Effect::Verify(t)] if t == &vec!["v1".to_string()]));
    s.update(Action::Verified(Ok(vec![])));
    assert!(matches!(
        &s.modal,
        Some(Modal::Message { error: false, .. })
    ));
    s.update(Action::Verified(Ok(vec![
        shipdeck::ops::verify::Verified {
            target: "v1".into(),
            version: "1.1.0".into(),
            files: 6,
            problems: vec!["v1/style.css: content differs from the manifest of 1.1.0".into()],
        },
    ])));
    match &s.modal {
        Some(Modal::Message { error, lines, .. }) => {
            assert!(*error);
            assert!(
                lines
                    .iter()
                    .any(|l| l.text.contains("makes v1 match 1.1.0 again")),
                "{lines:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    s.modal = None;
    let fx = s.update(cmd(Command::Repair));
    assert!(matches!(&fx[..], [Effect::PlanRepair(a)] if a.len() == 1 && a[0].to_string() == "v1"));
    s.update(cmd(Command::GoScreen(0)));
    assert!(
        s.update(cmd(Command::Repair)).is_empty(),
        "no alias selected"
    );
    assert!(s.status.as_ref().unwrap().text.contains("select an alias"));
}

#[test]
fn readonly_refuses_every_change() {
    let mut s = state(80, 24, true);
    for c in [
        Command::Promote,
        Command::Yank,
        Command::Rollback,
        Command::Resume,
    ] {
        let fx = s.update(cmd(c.clone()));
        assert!(fx.is_empty(), "{c:?} is refused");
        assert!(s.modal.is_none(), "{c:?} opens nothing");
        assert!(
            s.status.as_ref().unwrap().text.contains("read-only"),
            "{c:?}"
        );
    }
    s.update(cmd(Command::GoScreen(1)));
    assert!(s.update(cmd(Command::Unpin)).is_empty());
    assert!(s.update(cmd(Command::Repair)).is_empty());
    // Reading still works.
    assert!(!s.update(cmd(Command::Verify)).is_empty());
    assert!(!s.update(cmd(Command::Refresh)).is_empty());
}

#[test]
fn help_palette_and_quit() {
    let mut s = state(80, 24, false);
    s.update(cmd(Command::Help));
    assert!(matches!(s.modal, Some(Modal::Help)));
    s.update(cmd(Command::Help));
    assert!(s.modal.is_none(), "? toggles help");
    s.update(cmd(Command::Palette));
    assert!(s.text_input());
    for c in "hist".chars() {
        s.update(Action::Input(c));
    }
    // `q` typed into the palette is text, not quit.
    s.update(Action::Input('q'));
    assert!(!s.quit);
    s.update(Action::Backspace);
    s.update(cmd(Command::Confirm));
    assert!(s.modal.is_none());
    s.update(cmd(Command::Palette));
    for c in "next screen".chars() {
        s.update(Action::Input(c));
    }
    s.update(cmd(Command::Confirm));
    assert_eq!(s.screen, Screen::Aliases, "the palette ran 'next_screen'");
    s.update(cmd(Command::Palette));
    s.update(cmd(Command::Cancel));
    assert!(s.modal.is_none() && !s.quit);
    s.update(cmd(Command::Quit));
    assert!(s.quit);
}

#[test]
fn an_unfinished_operation_is_shown_in_the_status_line() {
    let mut s = state(80, 24, false);
    let mut v = view();
    v.in_flight = Some(shipdeck::ops::query::InFlightSummary {
        description: "promote 1.1.0".into(),
        by: "alice".into(),
        started_at: common::tui::at(3),
    });
    s.update(Action::Loaded(Ok(v)));
    let status = &s.status.as_ref().unwrap().text;
    assert!(
        status.contains("'promote 1.1.0' by alice") && status.contains("Ctrl-r resumes"),
        "{status}"
    );
    let fx = s.update(cmd(Command::Resume));
    assert!(matches!(&fx[..], [Effect::PlanResume { revert: false }]));
}

#[test]
fn cost_inputs_are_edited_in_place() {
    let mut s = state(80, 24, false);
    let fx = s.update(cmd(Command::GoScreen(4)));
    assert!(matches!(&fx[..], [Effect::LoadCost]), "{fx:?}");
    s.update(cmd(Command::EditNext));
    assert!(s.text_input());
    for _ in 0..10 {
        s.update(Action::Backspace);
    }
    for c in "2000000".chars() {
        s.update(Action::Input(c));
    }
    assert_eq!(s.cost.fields[0], "2000000");
    s.update(cmd(Command::Down));
    assert_eq!(s.cost.editing, Some(1));
    s.update(Action::Input('x'));
    assert_eq!(s.cost.fields[1], "0.5", "only numbers are typed");
    s.update(cmd(Command::Confirm));
    assert!(!s.text_input());
    assert_eq!(s.cost.usage().unwrap().0.loads, 2_000_000.0);
}

#[test]
fn origins_add_remove_probe_and_readonly() {
    use common::tui::{origins_listing, probe_report};
    let mut s = state(80, 24, false);
    let fx = s.update(cmd(Command::GoScreen(2)));
    assert!(matches!(&fx[..], [Effect::LoadOrigins]));
    s.update(Action::OriginsLoaded(Ok(Box::new(origins_listing()))));
    // Add: type, switch list with ↓, Enter plans.
    s.update(cmd(Command::AddOrigin));
    assert!(s.text_input());
    for c in "https://c3.com".chars() {
        s.update(Action::Input(c));
    }
    s.update(Action::Backspace);
    s.update(Action::Input('m'));
    s.update(cmd(Command::Down));
    let fx = s.update(cmd(Command::Confirm));
    assert!(
        matches!(&fx[..], [Effect::PlanOrigin(OriginEdit::Add { origin, additional: false })] if origin == "https://c3.com"),
        "{fx:?}"
    );
    // Esc cancels the input.
    s.update(cmd(Command::AddOrigin));
    assert!(s.update(cmd(Command::Cancel)).is_empty() && s.modal.is_none());
    // Remove plans the selected origin.
    s.update(cmd(Command::Down));
    let fx = s.update(cmd(Command::RemoveOrigin));
    assert!(
        matches!(&fx[..], [Effect::PlanOrigin(OriginEdit::Remove { origin })] if origin == "http://localhost:3000"),
        "{fx:?}"
    );
    // A planned change opens the dialog; y applies, n cancels.
    let plan = shipdeck::ops::origins::OriginPlan {
        description: "remove origin http://localhost:3000".into(),
        source: "x".into(),
        diff: vec![],
        notes: vec![],
        base: shipdeck::bridge::Allowlist {
            allowed: vec![],
            additional: vec![],
            version: None,
            text: None,
            ..Default::default()
        },
        next: shipdeck::bridge::Allowlist {
            allowed: vec![],
            additional: vec![],
            version: None,
            text: None,
            ..Default::default()
        },
    };
    s.update(Action::OriginPlanned(Ok(Box::new(plan.clone()))));
    assert!(s.update(cmd(Command::No)).is_empty() && s.modal.is_none());
    s.update(Action::OriginPlanned(Ok(Box::new(plan))));
    let fx = s.update(cmd(Command::Yes));
    assert!(matches!(&fx[..], [Effect::ApplyOrigin(_)]));
    let fx = s.update(Action::OriginApplied(Ok(())));
    assert!(matches!(
        &fx[..],
        [Effect::LoadOrigins, Effect::LoadHistory]
    ));
    assert!(
        s.status
            .as_ref()
            .unwrap()
            .text
            .contains("restart the Bridge")
    );
    // Refusals from planning show as errors.
    s.update(Action::OriginPlanned(Err(
        "'https://A.com/' it can never match".into(),
    )));
    assert!(matches!(&s.modal, Some(Modal::Message { error: true, .. })));
    s.update(cmd(Command::Cancel));
    // Probe: drift opens a popup naming the origin.
    let fx = s.update(cmd(Command::Probe));
    assert!(matches!(&fx[..], [Effect::ProbeOrigins]));
    s.update(Action::Probed(Ok(Box::new(probe_report()))));
    assert!(
        matches!(&s.modal, Some(Modal::Message { lines, .. }) if lines[0].text.starts_with("https://customer1.com"))
    );
    // Read-only: add and remove refused, probe allowed.
    let mut r = state(80, 24, true);
    r.update(cmd(Command::GoScreen(2)));
    r.update(Action::OriginsLoaded(Ok(Box::new(origins_listing()))));
    assert!(r.update(cmd(Command::AddOrigin)).is_empty() && r.modal.is_none());
    assert!(r.status.as_ref().unwrap().text.contains("read-only"));
    assert!(r.update(cmd(Command::RemoveOrigin)).is_empty());
    assert!(!r.update(cmd(Command::Probe)).is_empty());
}

#[test]
fn clicks_select_the_row_under_the_mouse_on_every_screen() {
    let mut s = state(80, 24, false);
    s.update(cmd(Command::GoScreen(2)));
    s.update(Action::OriginsLoaded(Ok(Box::new(
        common::tui::origins_listing(),
    ))));
    // Before any draw of this screen, a click has no layout to land on.
    s.update(Action::Click { row: 4 + 2 });
    assert_eq!(s.selection(), 0, "no draw yet, no hit");
    // Header, tabs, the allowlist's title line and the table header take rows 0–3.
    let screen = drawn(&mut s);
    assert!(
        screen.lines().nth(4).unwrap().contains("https://"),
        "{screen}"
    );
    s.update(Action::Click { row: 4 + 2 });
    assert_eq!(s.selection(), 2);
    s.update(Action::Click { row: 1 });
    assert_eq!(s.selection(), 2, "a click above the list changes nothing");
    s.update(cmd(Command::GoScreen(1)));
    drawn(&mut s);
    s.update(Action::Click { row: 3 + 1 });
    assert_eq!(s.selected_alias().unwrap().0.to_string(), "v1");
    // A tall terminal shows the Releases list above its detail pane: the hit test follows
    // the drawn layout, not a row count written by hand.
    let mut tall = state(120, 40, false);
    drawn(&mut tall);
    tall.update(Action::Click { row: 3 + 2 });
    assert_eq!(
        tall.selected_version().unwrap().version.to_string(),
        "1.1.0"
    );
    // A click in the detail pane below the list does not select a version.
    tall.update(Action::Click { row: 30 });
    assert_eq!(
        tall.selected_version().unwrap().version.to_string(),
        "1.1.0"
    );
}

#[test]
fn the_cdn_outcome_of_a_change_is_presented_as_the_cli_presents_it() {
    use shipdeck::cdn::{CdnError, Invalidation, InvalidationStatus};
    use shipdeck::ops::invalidate::CdnOutcome;
    let paths = vec!["/msr-webchat/latest/*".to_string()];
    // Accepted: the status line says done, with the invalidation id and status.
    let mut s = state(80, 24, false);
    s.update(Action::Planned(Ok((Box::new(a_plan()), "promote".into()))));
    s.update(cmd(Command::Yes));
    let ok = Report {
        cdn: CdnOutcome::Requested {
            cdn: "CloudFront distribution E1".into(),
            paths: paths.clone(),
            invalidation: Invalidation {
                id: "I2J3".into(),
                status: InvalidationStatus::Completed,
            },
        },
        ..Report::default()
    };
    s.update(Action::Applied(Ok(ok)));
    assert!(s.modal.is_none());
    let status = &s.status.as_ref().unwrap().text;
    assert!(
        status.starts_with("done: promote 1.1.0")
            && status.contains("CDN invalidation: I2J3 Completed"),
        "{status}"
    );
    // Failed: a warning naming CloudFront and the command that retries, never a plain "done".
    s.update(Action::Planned(Ok((Box::new(a_plan()), "promote".into()))));
    s.update(cmd(Command::Yes));
    let failed = Report {
        cdn: CdnOutcome::Failed {
            paths,
            error: CdnError {
                cdn: "CloudFront distribution EBOGUS".into(),
                cause:
                    "the distribution does not exist; check `distribution_id` in the profile's cdn"
                        .into(),
                source: None,
            },
        },
        ..Report::default()
    };
    s.update(Action::Applied(Ok(failed)));
    let Some(Modal::Message {
        title,
        lines,
        error,
    }) = &s.modal
    else {
        panic!("a failed invalidation opens a message: {:?}", s.status)
    };
    assert!(
        *error && title == "Done, with warnings: promote 1.1.0",
        "{title}"
    );
    assert!(
        lines.iter().any(|l| l
            .text
            .starts_with("warning: the CDN invalidation failed (CloudFront distribution EBOGUS")
            && l.text
                .ends_with("retry with `shipdeck invalidate '/msr-webchat/latest/*'`")),
        "{lines:?}"
    );
}
