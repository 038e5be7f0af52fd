//! Counting, attribution and folding of the traffic aggregate.

use super::*;
use crate::domain::history::{AliasChange, Operation};

fn req(at: &str, path: &str, status: u16) -> parse::Request<'static> {
    parse::Request {
        at: DateTime::parse_from_rfc3339(at)
            .unwrap()
            .with_timezone(&Utc),
        path: path.to_string().into(),
        status,
        bytes: 100,
        cache_hit: Some(status == 200),
        incomplete: false,
        referrer_host: Some("shop.example.com".into()),
        time_taken_ms: Some(u32::from(status) / 2),
    }
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn what_strangers_request_costs_one_row_however_many_folders_they_invent() {
    let mut a = Tally::default();
    let p = "/msr-webchat";
    let at = "2026-11-20T09:10:00Z";
    a.add(&req(at, "/msr-webchat/v1.0.0/x.js", 200), p);
    // Names no release or alias can have, channel-shaped junk beyond the cap, and more
    // release-shaped folders than one file keeps.
    for i in 0..10_000 {
        a.add(&req(at, &format!("/msr-webchat/.env{i}/x"), 404), p);
        a.add(&req(at, &format!("/msr-webchat/wp-admin-{i}/x"), 404), p);
        a.add(&req(at, &format!("/msr-webchat/v9.9.{i}/x.js"), 404), p);
    }
    a.add(&req(at, "/msr-webchat/latest/x.js", 200), p);
    let a = a.finish(0);
    assert!(a.folders.len() <= MAX_FOLDERS + 1, "{}", a.folders.len());
    assert_eq!(a.lines, 30_002);
    let total: u64 = a
        .folders
        .values()
        .flat_map(|b| b.values())
        .map(|c| c.requests)
        .sum();
    assert_eq!(total, 30_002, "every request is still counted");
    assert_eq!(
        a.folders["v1.0.0"]
            .values()
            .map(|c| c.requests)
            .sum::<u64>(),
        1
    );
    let channels = a
        .folders
        .keys()
        .filter(|f| f.starts_with("wp-admin-"))
        .count();
    assert_eq!(channels, MAX_CHANNELS);
    assert!(a.referrers.values().all(|h| h.len() <= MAX_REFERRERS + 1));

    // The view shows the store's own folders by name and the rest as one row.
    let known = ["v1.0.0", "latest"];
    let folded = a.folded(|f| known.contains(&f));
    assert_eq!(
        folded
            .folders
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        [OTHER, "latest", "v1.0.0"]
    );
    let r = report(
        &folded,
        &[],
        t("2026-11-20T00:00:00Z"),
        t("2026-11-21T00:00:00Z"),
        t("2026-11-21T00:00:00Z"),
    );
    assert_eq!(r.rows.len(), 3);
    let other = r.rows.iter().find(|row| row.folder == OTHER).unwrap();
    assert_eq!(
        (other.kind.as_str(), other.counts.requests),
        ("other", 30_000)
    );
    assert_eq!(other.counts.s4xx, 30_000);
}

#[test]
fn alias_traffic_is_attributed_to_what_it_served_and_changes_compare_before_after() {
    let mut a = Tally::default();
    let p = "/msr-webchat";
    // latest served 1.0.0 until the promote at 10:00, 1.1.0 after; errors before.
    for m in 0..6 {
        a.add(
            &req(
                &format!("2026-11-20T09:{:02}:00Z", 10 + m * 5),
                "/msr-webchat/latest/x.js",
                500,
            ),
            p,
        );
    }
    for m in 0..4 {
        a.add(
            &req(
                &format!("2026-11-20T10:{:02}:00Z", 10 + m * 5),
                "/msr-webchat/latest/x.js",
                200,
            ),
            p,
        );
    }
    a.add(
        &req("2026-11-15T08:00:00Z", "/msr-webchat/v0.9.0/x.js", 200),
        p,
    );
    a.add(&req("2026-11-20T10:00:00Z", "/other/x.js", 200), p);
    let a = a.finish(0);
    let promote = |id: &str, at: &str, from: Option<&str>, to: &str| HistoryEvent {
        commit: None,
        invalidation: None,
        id: id.into(),
        at: t(at),
        by: "a".into(),
        action: Operation::Promote,
        description: format!("promote {to}"),
        changes: vec![AliasChange {
            alias: "latest".into(),
            from: from.map(Into::into),
            to: Some(to.into()),
        }],
        outcome: "ok".into(),
        detail: None,
    };
    let history = vec![
        promote("1", "2026-11-19T00:00:00Z", None, "1.0.0"),
        promote("2", "2026-11-20T10:00:00Z", Some("1.0.0"), "1.1.0"),
    ];
    let r = report(
        &a,
        &history,
        t("2026-11-14T00:00:00Z"),
        t("2026-11-21T00:00:00Z"),
        t("2026-11-27T00:00:00Z"),
    );
    assert_eq!((a.lines, a.outside), (12, 1));
    let v = |n: &str| r.versions.iter().find(|x| x.version == n).unwrap();
    assert_eq!(v("1.0.0").via_aliases["latest"], 6);
    assert_eq!(v("1.1.0").via_aliases["latest"], 4);
    assert_eq!(v("0.9.0").direct, 1);
    assert_eq!(v("0.9.0").days_without_direct, Some(11));
    let c = r
        .changes
        .iter()
        .find(|c| c.to.as_deref() == Some("1.1.0"))
        .unwrap();
    assert_eq!((c.before.requests, c.before.errors()), (6, 6));
    assert_eq!((c.after.requests, c.after.errors()), (4, 0));
    let latest = r.rows.iter().find(|x| x.folder == "latest").unwrap();
    assert_eq!(latest.spark.iter().sum::<u64>(), 10);
    assert_eq!(latest.spark.len(), 7, "a week in days");
    assert_eq!(latest.referrers, vec![("shop.example.com".to_string(), 10)]);
    assert_eq!(latest.hit_ratio, Some(0.4));
    assert_eq!(r.complete_until, Some(t("2026-11-20T10:00:00Z")));
    // A version's counts: its own folder plus the alias traffic it served, per bucket; an
    // alias's: its folder.
    let (from, to) = (
        t("2026-11-20T09:00:00Z").timestamp(),
        t("2026-11-20T11:00:00Z").timestamp(),
    );
    let of = |s: Subject| counts_for(&a, &history, &s, from, to);
    let new = of(Subject::Version("1.1.0".into()));
    assert_eq!((new.requests, new.s5xx), (4, 0));
    let old = of(Subject::Version("1.0.0".into()));
    assert_eq!((old.requests, old.s5xx), (6, 6));
    assert_eq!(of(Subject::Alias("latest".into())).requests, 10);
    assert_eq!(of(Subject::Alias("v9".into())).requests, 0);
    // The latency and the file type of each request came along.
    let latest_c = of(Subject::Alias("latest".into()));
    assert_eq!(latest_c.latency.count(), 10);
    assert_eq!(latest_c.by_type().get(&FileType::Other), Some(&10));
    // Merging two halves gives the same as reading all.
    let mut half = Aggregate::default();
    half.merge(&a);
    assert_eq!(half, a);
}
