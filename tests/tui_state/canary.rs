//! Canary steps from the Aliases screen (edge mode): the typed line becomes the same step the
//! CLI's `promote --canary` / `canary set|finish|abort` plans, its plan is confirmed as every
//! change is, and outside edge mode the screen says why there is no canary.

use crate::cmd;
use crate::common::tui::{edge_view, state};
use shipdeck::ops::canary::{CanaryPlan, Step};
use shipdeck::tui::dialogs::Modal;
use shipdeck::tui::keymap::Command;
use shipdeck::tui::state::{Action, CanaryEffect, Effect};

fn on_aliases_in_edge_mode() -> shipdeck::tui::state::State {
    let mut s = state(80, 24, false);
    s.update(Action::Loaded(Ok(edge_view())));
    s.update(cmd(Command::GoScreen(1)));
    s
}

fn type_line(s: &mut shipdeck::tui::state::State, text: &str) {
    for c in text.chars() {
        s.update(Action::Input(c));
    }
}

fn a_plan() -> CanaryPlan {
    CanaryPlan {
        alias: "latest".into(),
        description: "canary of latest: 1.1.0 for 25 % of viewers".into(),
        before: Some("1.0.1;1.1.0=5".into()),
        after: "1.0.1;1.1.0=25".into(),
        etag: "E1".into(),
        applied: false,
        history_id: None,
    }
}

#[test]
fn a_running_canary_is_raised_confirmed_and_written() {
    let mut s = on_aliases_in_edge_mode();
    // `latest` runs 1.1.0 for 5 %: a number sets its share.
    s.update(cmd(Command::Canary));
    assert!(matches!(s.modal, Some(Modal::Canary { .. })));
    type_line(&mut s, "25");
    let fx = s.update(cmd(Command::Confirm));
    assert!(
        matches!(&fx[..], [Effect::Canary(CanaryEffect::Plan(a, Step::Set { percent: 25 }))] if a.to_string() == "latest"),
        "{fx:?}"
    );
    assert!(s.busy.is_some());
    s.update(Action::CanaryPlanned(Ok(Box::new(a_plan()))));
    assert!(matches!(
        s.modal,
        Some(Modal::CanaryPlan { running: false, .. })
    ));
    let fx = s.update(cmd(Command::Yes));
    assert!(
        matches!(&fx[..], [Effect::Canary(CanaryEffect::Apply(p))] if p.after == "1.0.1;1.1.0=25")
    );
    // While the key is written, keys do not close the dialog.
    assert!(s.update(cmd(Command::Cancel)).is_empty());
    assert!(matches!(
        s.modal,
        Some(Modal::CanaryPlan { running: true, .. })
    ));
    let mut done = a_plan();
    done.applied = true;
    done.history_id = Some("h1".into());
    let fx = s.update(Action::CanaryApplied(Ok(Box::new(done))));
    assert!(s.modal.is_none());
    assert!(
        s.status
            .as_ref()
            .unwrap()
            .text
            .starts_with("Done: canary of latest")
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::LoadReleases)));
}

#[test]
fn finish_and_abort_end_a_canary_and_n_cancels_its_plan() {
    let mut s = on_aliases_in_edge_mode();
    s.update(cmd(Command::Canary));
    type_line(&mut s, "finish");
    let fx = s.update(cmd(Command::Confirm));
    assert!(
        matches!(&fx[..], [Effect::Canary(CanaryEffect::Finish(a))] if a.to_string() == "latest")
    );
    s.update(cmd(Command::Canary));
    type_line(&mut s, "abort");
    let fx = s.update(cmd(Command::Confirm));
    assert!(matches!(
        &fx[..],
        [Effect::Canary(CanaryEffect::Plan(_, Step::Abort))]
    ));
    s.update(Action::CanaryPlanned(Ok(Box::new(a_plan()))));
    assert!(s.update(cmd(Command::No)).is_empty());
    assert!(s.modal.is_none());
}

#[test]
fn a_canary_starts_with_a_release_and_a_share_and_bad_lines_say_what_to_type() {
    let mut s = on_aliases_in_edge_mode();
    for _ in 0..3 {
        s.update(cmd(Command::Down)); // v1.1: no canary
    }
    s.update(cmd(Command::Canary));
    type_line(&mut s, "25");
    assert!(s.update(cmd(Command::Confirm)).is_empty());
    assert!(s.status.as_ref().unwrap().text.contains("e.g. 1.1.0 5"));
    assert!(
        matches!(s.modal, Some(Modal::Canary { .. })),
        "the dialog stays"
    );
    for _ in 0..2 {
        s.update(Action::Backspace);
    }
    type_line(&mut s, "1.2.0 150");
    assert!(s.update(cmd(Command::Confirm)).is_empty());
    assert!(s.status.as_ref().unwrap().text.contains("from 1 to 99"));
    for _ in 0.."1.2.0 150".len() {
        s.update(Action::Backspace);
    }
    type_line(&mut s, "1.2.0 10");
    let fx = s.update(cmd(Command::Confirm));
    assert!(
        matches!(&fx[..], [Effect::Canary(CanaryEffect::Plan(a, Step::Start { version, percent: 10 }))]
            if a.to_string() == "v1.1" && version.to_string() == "1.2.0"),
        "{fx:?}"
    );
}

#[test]
fn outside_edge_mode_or_read_only_there_is_no_canary() {
    let mut s = state(80, 24, false);
    s.update(cmd(Command::GoScreen(1)));
    assert!(s.update(cmd(Command::Canary)).is_empty());
    assert!(s.modal.is_none());
    assert!(
        s.status
            .as_ref()
            .unwrap()
            .text
            .contains("canaries run in edge mode")
    );
    let mut s = state(80, 24, true);
    s.update(Action::Loaded(Ok(edge_view())));
    s.update(cmd(Command::GoScreen(1)));
    assert!(s.update(cmd(Command::Canary)).is_empty());
    assert!(s.modal.is_none());
    assert!(s.status.as_ref().unwrap().text.contains("read-only"));
}
