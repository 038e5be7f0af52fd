//! The change rules, one scenario each.

use super::*;
use crate::domain::state::ReleaseSummary;

fn v(s: &str) -> Version {
    Version::parse(s).unwrap()
}

fn base() -> Core {
    let mut c = Core::default();
    for s in ["1.0.0", "1.0.1", "1.1.0"] {
        c.releases.insert(v(s), ReleaseSummary::for_test());
    }
    let mut pre = ReleaseSummary::for_test();
    pre.promoted = false;
    c.releases.insert(v("2.0.0-beta.1"), pre);
    c.aliases = resolve_aliases(&c);
    c
}

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_000, 0).unwrap()
}

fn target(c: &Core, a: &str) -> String {
    c.aliases[&a.parse::<AliasName>().unwrap()]
        .target
        .to_string()
}

#[test]
fn rollback_pins_and_names_other_aliases() {
    let c = base();
    let out = decide(
        &c,
        &Request::Rollback {
            alias: AliasName::Latest,
            to: Some(v("1.0.1")),
        },
        "me",
        now(),
    )
    .unwrap();
    assert_eq!(target(&out.next, "latest"), "1.0.1");
    assert!(out.next.aliases[&AliasName::Latest].pinned);
    assert!(
        out.notes[0].contains("still serving 1.1.0") && out.notes[0].contains("v1, v1.1"),
        "{:?}",
        out.notes
    );
    // Default target: the previous one.
    let out2 = decide(
        &out.next,
        &Request::Unpin {
            alias: AliasName::Latest,
        },
        "me",
        now(),
    )
    .unwrap();
    assert_eq!(target(&out2.next, "latest"), "1.1.0");
    let back = decide(
        &out2.next,
        &Request::Rollback {
            alias: AliasName::Latest,
            to: None,
        },
        "me",
        now(),
    )
    .unwrap();
    assert_eq!(target(&back.next, "latest"), "1.0.1");
}

#[test]
fn refusals_are_sentences() {
    let c = base();
    let yanked = decide(
        &c,
        &Request::Yank {
            version: v("1.0.0"),
            reason: "xss".into(),
        },
        "me",
        now(),
    )
    .unwrap()
    .next;
    let e = decide(
        &yanked,
        &Request::Rollback {
            alias: AliasName::Latest,
            to: Some(v("1.0.0")),
        },
        "me",
        now(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("yanked (xss)"), "{e}");
    let e = decide(
        &c,
        &Request::Promote {
            version: v("9.9.9"),
            alias: None,
        },
        "me",
        now(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("not published"), "{e}");
    let e = decide(
        &c,
        &Request::Promote {
            version: v("2.0.0-beta.1"),
            alias: None,
        },
        "me",
        now(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("--alias next"), "{e}");
    let e = decide(
        &c,
        &Request::Unpin {
            alias: AliasName::Latest,
        },
        "me",
        now(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("not pinned"), "{e}");
    let e = decide(
        &c,
        &Request::Rollback {
            alias: AliasName::Major(7),
            to: None,
        },
        "me",
        now(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("does not exist"), "{e}");
    let e = decide(
        &c,
        &Request::Yank {
            version: v("1.0.0"),
            reason: " ".into(),
        },
        "me",
        now(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("--reason"), "{e}");
}

#[test]
fn yank_re_resolves_and_unyank_restores() {
    let c = base();
    let out = decide(
        &c,
        &Request::Yank {
            version: v("1.1.0"),
            reason: "broken css".into(),
        },
        "me",
        now(),
    )
    .unwrap();
    assert_eq!(target(&out.next, "latest"), "1.0.1");
    assert!(!out.next.aliases.contains_key(&AliasName::Minor(1, 1)));
    let back = decide(
        &out.next,
        &Request::Unyank {
            version: v("1.1.0"),
        },
        "me",
        now(),
    )
    .unwrap();
    assert_eq!(target(&back.next, "latest"), "1.1.0");
}

#[test]
fn channels_take_prereleases_and_vanish_on_unpin() {
    let c = base();
    let req = Request::Promote {
        version: v("2.0.0-beta.1"),
        alias: Some(AliasName::Channel("next".into())),
    };
    let out = decide(&c, &req, "me", now()).unwrap();
    assert_eq!(target(&out.next, "next"), "2.0.0-beta.1");
    assert_eq!(
        target(&out.next, "latest"),
        "1.1.0",
        "a channel pin moves nothing else"
    );
    let gone = decide(
        &out.next,
        &Request::Unpin {
            alias: AliasName::Channel("next".into()),
        },
        "me",
        now(),
    )
    .unwrap();
    assert!(
        !gone
            .next
            .aliases
            .contains_key(&AliasName::Channel("next".into()))
    );
}

#[test]
fn promote_marks_eligible_and_respects_pins() {
    let mut c = base();
    let mut r = ReleaseSummary::for_test();
    r.promoted = false;
    c.releases.insert(v("1.2.0"), r);
    let pinned = decide(
        &c,
        &Request::Rollback {
            alias: AliasName::Latest,
            to: Some(v("1.0.0")),
        },
        "me",
        now(),
    )
    .unwrap()
    .next;
    let out = decide(
        &pinned,
        &Request::Promote {
            version: v("1.2.0"),
            alias: None,
        },
        "me",
        now(),
    )
    .unwrap();
    assert_eq!(target(&out.next, "v1"), "1.2.0");
    assert_eq!(target(&out.next, "v1.2"), "1.2.0");
    assert_eq!(target(&out.next, "latest"), "1.0.0");
    assert!(
        out.notes.iter().any(|n| n.contains("'latest' is pinned")),
        "{:?}",
        out.notes
    );
    assert_eq!(
        out.release_changes,
        vec!["1.2.0 becomes eligible for automatic aliases".to_string()]
    );
}
