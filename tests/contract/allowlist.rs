//! The allowlist contract every `AllowlistSource` passes: the Bridge's `.env`, a JSON document in
//! the store, GitHub Actions variables and GitHub secrets (written from Shipdeck's document).
//! Read, plan without writing, write with the precondition, refuse someone else's change
//! without losing it, and come back to the same lists after an add and a remove.

use shipdeck::bridge::{Allowlist, AllowlistError, AllowlistSource, Edit, Var};

/// The lists as the Bridge reads them.
fn lists(l: &Allowlist) -> (Vec<String>, Vec<String>) {
    (l.allowed.clone(), l.additional.clone())
}

/// Runs every check. `meddle(origin)` sets the allowed list to `origin` alone behind
/// Shipdeck's back, as another manager (or an editor) would, through the backend itself.
pub async fn run_all(source: &dyn AllowlistSource, meddle: &(dyn Fn(&str) + Sync)) {
    let mine = "https://contract-mine.example.com";
    assert!(!source.describe().trim().is_empty());
    let base = source.load().await.expect("the list reads");
    assert!(!lists(&base).0.contains(&mine.to_string()));

    // Plan: the preview holds the change, the source does not yet.
    let add = Edit::Add {
        item: mine.into(),
        to: Var::Allowed,
    };
    let (next, diff) = source.preview(&base, &add).expect("an add previews");
    assert!(next.allowed.contains(&mine.to_string()), "{next:?}");
    assert!(!diff.is_empty(), "a preview shows the changed lines");
    assert_eq!(
        lists(&source.load().await.unwrap()),
        lists(&base),
        "previewing writes nothing"
    );

    // Write with the precondition: the read-back list is the planned one.
    source
        .save(&base, &next)
        .await
        .expect("an unchanged source takes the write");
    let after = source.load().await.unwrap();
    assert_eq!(lists(&after), lists(&next));

    // Round trip: removing it again gives back the lists we started from.
    let (back, _) = source
        .preview(&after, &Edit::Remove { item: mine.into() })
        .expect("a remove previews");
    source
        .save(&after, &back)
        .await
        .expect("the remove is written");
    assert_eq!(lists(&source.load().await.unwrap()), lists(&base));

    // Conflict: someone else writes between our read and our write; ours is refused, theirs
    // stays, and the sentence says what happened.
    let read = source.load().await.unwrap();
    let (ours, _) = source.preview(&read, &add).unwrap();
    let theirs = "https://contract-theirs.example.com";
    meddle(theirs);
    match source.save(&read, &ours).await {
        Err(AllowlistError::Changed { .. }) => {}
        Err(AllowlistError::SecretNotWritten { .. }) => {
            panic!("a conflict is found before anything is written")
        }
        other => panic!("someone else's change must be refused: {other:?}"),
    }
    let now = source.load().await.unwrap();
    assert_eq!(
        now.allowed,
        vec![theirs.to_string()],
        "their change survives"
    );
}
