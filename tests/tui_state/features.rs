//! The Cost and Origins screens.

use crate::cmd;
use crate::common::tui::state;
use shipdeck::tui::dialogs::Modal;
use shipdeck::tui::keymap::Command;
use shipdeck::tui::state::{Action, Effect, OriginEdit};

#[test]
fn cost_inputs_are_edited_in_place() {
    let mut s = state(80, 24, false);
    let fx = s.update(cmd(Command::GoScreen(4)));
    assert!(matches!(&fx[..], [Effect::LoadCost]), "{fx:?}");
    s.update(cmd(Command::EditNext));
    assert!(s.text_input());
    assert!(
        s.status
            .as_ref()
            .is_some_and(|st| st.text.starts_with("editing:"))
    );
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
    assert!(s.status.is_none(), "the editing hint goes with the editing");
    assert_eq!(s.cost.usage().unwrap().0.loads, 2_000_000.0);
}

#[test]
fn redeploy_follows_the_run_then_reports_it() {
    let mut s = state(80, 24, false);
    s.update(cmd(Command::GoScreen(2)));
    s.update(Action::OriginsLoaded(Ok(Box::new(
        crate::common::tui::origins_listing(),
    ))));
    // Redeploy: the worker follows the run (its status shows while busy), then the probe.
    let fx = s.update(cmd(Command::Redeploy));
    assert!(matches!(&fx[..], [Effect::RedeployBridge]));
    s.update(Action::DeployProgress("deploy run 7: in_progress".into()));
    assert_eq!(s.busy.as_deref(), Some("deploy run 7: in_progress"));
    let failed = shipdeck::ops::redeploy::RedeployReport {
        workflow: "workflow deploy-bridge.yml of org/bridge (ref main)".into(),
        run: shipdeck::bridge::github::RunState {
            id: 7,
            status: "completed".into(),
            conclusion: Some("failure".into()),
            html_url: Some("https://github.com/org/bridge/actions/runs/7".into()),
        },
        probe: None,
        ok: false,
    };
    s.update(Action::Redeployed(Ok(Box::new(failed))));
    assert!(s.busy.is_none());
    assert!(
        matches!(&s.modal, Some(Modal::Message { error: true, lines, .. })
            if lines.iter().any(|l| l.text.contains("ended failure") && l.text.contains("runs/7"))),
        "{:?}",
        s.modal
    );
}

#[test]
fn origins_add_remove_probe_and_readonly() {
    use crate::common::tui::{origins_listing, probe_report};
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
        redeploys: false,
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
    s.update(Action::Probed(Ok(Box::new(probe_report()))));
    s.update(cmd(Command::Cancel));
    assert!(s.origins.probe.is_some());
    let fx = s.update(Action::OriginApplied(Ok(())));
    assert!(
        s.origins.probe.is_none(),
        "a probe of the old list no longer applies"
    );
    assert!(matches!(
        &fx[..],
        [Effect::LoadOrigins, Effect::LoadHistory]
    ));
    assert!(
        s.status
            .as_ref()
            .unwrap()
            .text
            .contains("restart or redeploy the Bridge")
    );
    // Refusals from planning show as errors.
    s.update(Action::OriginPlanned(Err(
        shipdeck::domain::origin::edit::EditError::NeverMatches {
            raw: "https://A.com/".into(),
            reasons: vec!["a trailing slash".into()],
            fixed: "https://a.com".into(),
        }
        .into(),
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
    // Read-only: add, remove and redeploy refused, probe allowed.
    let mut r = state(80, 24, true);
    r.update(cmd(Command::GoScreen(2)));
    r.update(Action::OriginsLoaded(Ok(Box::new(origins_listing()))));
    assert!(r.update(cmd(Command::AddOrigin)).is_empty() && r.modal.is_none());
    assert!(r.status.as_ref().unwrap().text.contains("read-only"));
    assert!(r.update(cmd(Command::RemoveOrigin)).is_empty());
    assert!(r.update(cmd(Command::Redeploy)).is_empty());
    assert!(!r.update(cmd(Command::Probe)).is_empty());
}

/// An origin written so that it never matches is corrected in the dialog with one key (the
/// next-screen key, Tab by default), not by a trip to the shell; a valid one stays as typed.
#[test]
fn the_add_dialog_offers_the_form_browsers_send() {
    use crate::common::tui::origins_listing;
    let mut s = state(80, 24, false);
    s.update(cmd(Command::GoScreen(2)));
    s.update(Action::OriginsLoaded(Ok(Box::new(origins_listing()))));
    for (typed, after) in [
        ("https://App.Example.com/", "https://app.example.com"),
        ("HTTPS://shop.example.com:443", "https://shop.example.com"),
        ("https://ok.example.com", "https://ok.example.com"),
        ("not an origin", "not an origin"),
    ] {
        s.update(cmd(Command::AddOrigin));
        for c in typed.chars() {
            s.update(Action::Input(c));
        }
        let fx = s.update(cmd(Command::NextScreen));
        assert!(fx.is_empty(), "{fx:?}");
        assert!(
            matches!(&s.modal, Some(Modal::OriginInput { value, .. }) if value == after),
            "{typed}: {:?}",
            s.modal
        );
        assert!(
            matches!(s.screen, shipdeck::tui::screens::Screen::Origins),
            "still on Origins"
        );
        s.update(cmd(Command::Cancel));
    }
}
