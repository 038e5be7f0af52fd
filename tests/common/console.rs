//! The console's side of "one use case per feature": a profile opened as `shipdeck` opens it,
//! the console's own worker asked for an effect, and the result fed to the console's state, so
//! a test can compare what the screen holds with what the CLI printed for the same profile.

use shipdeck::tui::state::{Action, Effect, State};

/// Opens profile `profile` of the `shipdeck.toml` in `dir` and runs `effect` through the
/// console's worker; returns the console state after the result arrived.
pub fn run(dir: &std::path::Path, profile: &str, effect: Effect) -> State {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let loaded = shipdeck::config::load(Some(&dir.join("shipdeck.toml"))).unwrap();
        let session = shipdeck::session::open(
            &loaded,
            Some(profile),
            &shipdeck::session::OpenOptions::default(),
        )
        .await
        .unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let effects = shipdeck::tui::worker::spawn(session, tx);
        effects.send(effect).unwrap();
        let mut state = super::tui::state(120, 40, false);
        // Progress may come first; the effect's own result ends the wait.
        loop {
            let action = tokio::time::timeout(std::time::Duration::from_secs(60), rx.recv())
                .await
                .expect("the console's worker answered within 60 s")
                .expect("the console's worker is running");
            let last = !matches!(action, Action::Progress(_));
            state.update(action);
            if last {
                return state;
            }
        }
    })
}
