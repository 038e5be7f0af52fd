//! Changes from the console: plans, the plan dialog, errors, read-only mode, and outcomes
//! presented as the CLI presents them.

use crate::common::tui::{drawn, state, view};
use crate::{a_plan, cmd, plan_of};
use shipdeck::domain::change::Request;
use shipdeck::domain::history::Operation;
use shipdeck::ops::ProgressEvent;
use shipdeck::ops::apply::Report;
use shipdeck::tui::dialogs::Modal;
use shipdeck::tui::keymap::Command;
use shipdeck::tui::state::{Action, Effect};

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
    s.update(Action::Planned(Ok((
        Box::new(a_plan()),
        Operation::Promote,
    ))));
    assert!(matches!(s.modal, Some(Modal::Plan { running: false, .. })));
    // n cancels, nothing applied.
    let fx = s.update(cmd(Command::No));
    assert!(fx.is_empty() && s.modal.is_none());
    assert!(s.status.as_ref().unwrap().text.contains("cancelled"));
    // Esc cancels too.
    s.update(Action::Planned(Ok((
        Box::new(a_plan()),
        Operation::Promote,
    ))));
    assert!(s.update(cmd(Command::Cancel)).is_empty() && s.modal.is_none());
    // y applies.
    s.update(Action::Planned(Ok((
        Box::new(a_plan()),
        Operation::Promote,
    ))));
    let fx = s.update(cmd(Command::Yes));
    assert!(
        matches!(&fx[..], [Effect::Apply(p, a)] if p.description == "promote 1.1.0" && *a == Operation::Promote)
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
    let fx = s.update(Action::Applied(Ok(Box::default())));
    assert!(s.modal.is_none() && s.progress.is_none());
    assert!(
        s.status
            .as_ref()
            .unwrap()
            .text
            .contains("Done: promote 1.1.0")
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
    s.update(Action::Planned(Ok((Box::new(p), Operation::Promote))));
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
    s.update(Action::Planned(Err(shipdeck::error::NotFound::Version(
        "9.9.9".parse().unwrap(),
    )
    .into())));
    assert!(
        matches!(&s.modal, Some(Modal::Message { error: true, lines, .. }) if lines[0].text.contains("9.9.9"))
    );
    assert!(s.status.as_ref().unwrap().error);
    s.update(cmd(Command::Down));
    assert!(s.modal.is_some(), "other keys do not dismiss");
    s.update(cmd(Command::Cancel));
    assert!(s.modal.is_none());
    s.update(Action::Applied(Err(shipdeck::error::Error::io(
        "the connection was cut",
        std::io::Error::from(std::io::ErrorKind::ConnectionReset),
    ))));
    assert!(
        matches!(&s.modal, Some(Modal::Message { error: true, title, .. }) if title.starts_with("Failed"))
    );
    s.update(cmd(Command::Confirm));
    assert!(s.modal.is_none());
    s.update(Action::Loaded(Err(shipdeck::error::Error::io(
        "store unreachable",
        std::io::Error::from(std::io::ErrorKind::NotConnected),
    ))));
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
    // On the Aliases screen: the selected alias, to its previous target first, or to any other
    // version it can serve (not its current target, not yanked 1.2.0, not the prerelease).
    s.update(cmd(Command::GoScreen(1)));
    s.update(cmd(Command::Rollback));
    let Some(Modal::RollbackPick { options, .. }) = &s.modal else {
        panic!("picker opens")
    };
    let targets: Vec<String> = options.iter().map(|(_, v)| v.to_string()).collect();
    assert_eq!(targets, vec!["1.1.0", "1.0.0"]);
    assert!(drawn(&mut s).contains("Pin 'latest' to which version?"));
    let fx = s.update(cmd(Command::Confirm));
    assert!(
        matches!(plan_of(&fx), Some(Request::Rollback { alias, to: Some(v) }) if alias.to_string() == "latest" && v.to_string() == "1.1.0")
    );
    s.update(cmd(Command::Rollback));
    s.update(cmd(Command::Down));
    let fx = s.update(cmd(Command::Confirm));
    assert!(
        matches!(plan_of(&fx), Some(Request::Rollback { alias, to: Some(v) }) if alias.to_string() == "latest" && v.to_string() == "1.0.0")
    );
    // A channel can be pinned to any release that is not yanked, prereleases included.
    s.update(cmd(Command::Bottom)); // next → 2.0.0-beta.1
    s.update(cmd(Command::Rollback));
    let Some(Modal::RollbackPick { options, .. }) = &s.modal else {
        panic!("picker opens")
    };
    let targets: Vec<String> = options.iter().map(|(_, v)| v.to_string()).collect();
    assert_eq!(targets, vec!["1.1.0", "1.0.1", "1.0.0"]);
}

#[test]
fn promoting_a_prerelease_asks_for_its_channel() {
    let mut s = state(80, 24, false);
    s.update(cmd(Command::Top)); // 2.0.0-beta.1
    let fx = s.update(cmd(Command::Promote));
    assert!(fx.is_empty(), "no plan before the channel is chosen");
    let Some(Modal::Channel { value, .. }) = &s.modal else {
        panic!("the channel dialog opens")
    };
    assert_eq!(value, "next", "the existing channel is offered");
    assert!(s.text_input());
    let screen = drawn(&mut s);
    assert!(screen.contains("channels: next → 2.0.0-beta.1"), "{screen}");
    assert!(
        !screen.contains("shipdeck promote"),
        "no shell command: {screen}"
    );
    // An automatic alias is refused with the domain's sentence, and the dialog stays.
    for _ in 0.."next".len() {
        s.update(Action::Backspace);
    }
    for c in "latest".chars() {
        s.update(Action::Input(c));
    }
    assert!(drawn(&mut s).contains("is a prerelease and cannot be served by 'latest'"));
    assert!(s.update(cmd(Command::Confirm)).is_empty());
    assert!(matches!(s.modal, Some(Modal::Channel { .. })));
    assert!(s.status.as_ref().is_some_and(|st| st.error));
    // ↑/↓ bring back an existing channel; a new name creates one.
    s.update(cmd(Command::Down));
    assert!(matches!(&s.modal, Some(Modal::Channel { value, .. }) if value == "next"));
    for c in "-x".chars() {
        s.update(Action::Input(c));
    }
    let fx = s.update(cmd(Command::Confirm));
    assert!(
        matches!(plan_of(&fx), Some(Request::Promote { version, alias: Some(a) }) if version.to_string() == "2.0.0-beta.1" && a.to_string() == "next-x")
    );
    // Esc cancels; read-only refuses before asking.
    s.update(cmd(Command::Promote));
    assert!(s.update(cmd(Command::Cancel)).is_empty() && s.modal.is_none());
    let mut ro = state(80, 24, true);
    ro.update(cmd(Command::Top));
    assert!(ro.update(cmd(Command::Promote)).is_empty() && ro.modal.is_none());
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
fn an_unfinished_operation_is_shown_in_the_status_line() {
    let mut s = state(80, 24, false);
    let mut v = view();
    v.in_flight = Some(shipdeck::ops::query::InFlightSummary {
        description: "promote 1.1.0".into(),
        by: "alice".into(),
        started_at: crate::common::tui::at(3),
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
fn the_cdn_outcome_of_a_change_is_presented_as_the_cli_presents_it() {
    use shipdeck::cdn::{CdnError, Invalidation, InvalidationStatus};
    use shipdeck::ops::invalidate::CdnOutcome;
    let paths = vec!["/msr-webchat/latest/*".to_string()];
    // Accepted: the status line says done, with the invalidation id and status.
    let mut s = state(80, 24, false);
    s.update(Action::Planned(Ok((
        Box::new(a_plan()),
        Operation::Promote,
    ))));
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
    s.update(Action::Applied(Ok(Box::new(ok))));
    assert!(s.modal.is_none());
    let status = &s.status.as_ref().unwrap().text;
    assert!(
        status.starts_with("Done: promote 1.1.0")
            && status.contains("CDN invalidation: I2J3 Completed"),
        "{status}"
    );
    // Failed: a warning naming CloudFront and the command that retries, never a plain "done".
    s.update(Action::Planned(Ok((
        Box::new(a_plan()),
        Operation::Promote,
    ))));
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
    s.update(Action::Applied(Ok(Box::new(failed))));
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
