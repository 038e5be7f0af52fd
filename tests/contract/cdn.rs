//! The CDN contract every `Cdn` passes: CloudFront against moto, Front Door against its
//! Resource Manager stand-in, and "no CDN". An invalidation is accepted with an id whose status
//! can be read back, a finished one stays finished, an unknown id and a switched-off CDN are
//! errors that name the CDN, and the path prefix is a URL path.

use shipdeck::cdn::{Cdn, InvalidationStatus};

/// Runs every CDN check; `prefix` is the path the CDN was opened with.
pub async fn run_all(cdn: &dyn Cdn, prefix: &str) {
    names_itself_and_its_paths(cdn, prefix);
    if cdn.enabled() {
        invalidates_and_reports(cdn, prefix).await;
        an_unknown_invalidation_is_an_error_naming_the_cdn(cdn).await;
        assert!(
            cdn.path_price().is_some(),
            "{}: a CDN that invalidates says what a path costs",
            cdn.describe()
        );
    } else {
        refuses_what_it_cannot_do(cdn, prefix).await;
    }
}

fn names_itself_and_its_paths(cdn: &dyn Cdn, prefix: &str) {
    assert!(!cdn.describe().trim().is_empty());
    let p = cdn.path_prefix();
    assert!(p.starts_with('/'), "a URL path: {p:?}");
    assert!(p == "/" || !p.ends_with('/'), "no trailing slash: {p:?}");
    assert_eq!(p, prefix, "the path the CDN was opened with");
}

async fn invalidates_and_reports(cdn: &dyn Cdn, prefix: &str) {
    let base = prefix.trim_end_matches('/');
    let paths = vec![format!("{base}/latest/*"), format!("{base}/v1/*")];
    let inv = cdn
        .invalidate(&paths)
        .await
        .unwrap_or_else(|e| panic!("{}: invalidate: {e}", cdn.describe()));
    assert!(!inv.id.trim().is_empty(), "an invalidation has an id");
    assert!(
        !matches!(inv.status, InvalidationStatus::Other { .. }),
        "a new invalidation is completed or in progress: {:?}",
        inv.status
    );
    let status = cdn
        .status(&inv.id)
        .await
        .unwrap_or_else(|e| panic!("{}: status of {}: {e}", cdn.describe(), inv.id));
    assert!(
        matches!(
            status,
            InvalidationStatus::Completed | InvalidationStatus::InProgress { .. }
        ),
        "{status:?}"
    );
    // Finished stays finished.
    if status == InvalidationStatus::Completed {
        assert_eq!(
            cdn.status(&inv.id).await.unwrap(),
            InvalidationStatus::Completed
        );
    }
}

async fn an_unknown_invalidation_is_an_error_naming_the_cdn(cdn: &dyn Cdn) {
    let e = cdn
        .status("I2NOSUCHINVALIDATION")
        .await
        .expect_err("an id the CDN never gave is not a status");
    assert!(!e.cdn.is_empty(), "the error names the CDN: {e}");
    assert!(e.to_string().contains(&e.cdn), "{e}");
}

async fn refuses_what_it_cannot_do(cdn: &dyn Cdn, prefix: &str) {
    let paths = vec![format!("{}/latest/*", prefix.trim_end_matches('/'))];
    let e = cdn
        .invalidate(&paths)
        .await
        .expect_err("no CDN invalidates nothing and says so");
    assert!(!e.to_string().is_empty());
    assert!(cdn.status("any").await.is_err());
    assert!(cdn.path_price().is_none(), "no CDN costs nothing");
}
