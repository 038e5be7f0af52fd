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

/// Runs the console's worker for effect `effect` (see `examples/console_effect.rs`) in its own
/// process, with `cmd`'s environment (the CLI's: credentials, data dir, working dir), and
/// returns what the console's state then holds, as JSON.
pub fn run_in_process_of(
    cmd: &std::process::Command,
    profile: &str,
    effect: &str,
) -> serde_json::Value {
    // `cargo test` builds the examples beside the test binaries: target/debug/examples/.
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .and_then(|deps| deps.parent())
        .unwrap()
        .join("examples/console_effect");
    // `cargo test` (every target) builds it; a run of one test target does not, and would find
    // it missing or built from older code.
    assert!(
        bin.is_file(),
        "{} is missing: run the whole suite (`cargo test`), or `cargo build --example console_effect` first",
        bin.display()
    );
    let mut c = std::process::Command::new(&bin);
    super::same_place_and_env(cmd.get_current_dir(), cmd.get_envs(), &mut c);
    let dir = cmd.get_current_dir().unwrap();
    let out = c
        .args([dir.join("shipdeck.toml").to_str().unwrap(), profile, effect])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the console's worker failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
