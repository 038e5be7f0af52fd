//! Foreign text never reaches the terminal raw: escape sequences, C1 controls and bidi
//! overrides in anything Shipdeck did not write itself (the user name, `--commit`, a yank
//! reason, an allowlist value in a `.env`, an object key found in the store, input echoed by
//! an error) come out of every command shown as `\uXXXX`, never sent. CDN log fields are
//! checked the same way in tests/traffic.rs.

use crate::common::Env;

/// Sequences a terminal would act on: a clipboard write (OSC 52), a screen clear, a carriage
/// return that overwrites the line, a C1 CSI, DEL and a bidi override.
const CORPUS: &[&str] = &[
    "\x1b]52;c;aGk=\x07",
    "\x1b[2J\x1b[H",
    "ok\rEVIL",
    "\u{9b}31m",
    "\u{7f}",
    "moc.live\u{202e}",
    "\u{2066}x\u{2069}",
];

/// The whole corpus in one value.
fn hostile() -> String {
    CORPUS.concat()
}

/// Whether `bytes` (a command's stdout or stderr) carries anything a terminal would act on:
/// controls other than line feed and tab, and bidi formatting characters.
fn raw_controls(bytes: &[u8]) -> Vec<char> {
    String::from_utf8_lossy(bytes)
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

/// Runs `args` (text and `--json`) and asserts that neither stream carries a raw control, and
/// that the hostile text was shown (escaped) when `shown` says it is part of the output (the
/// bidi override is the witness: clap removes escape sequences from the input it echoes, but
/// not that).
fn clean(env: &Env, args: &[&str], shown: bool) {
    for json in [false, true] {
        let mut cmd = env.cmd();
        if json {
            cmd.arg("--json");
        }
        let out = cmd.args(args).output().unwrap();
        for (name, stream) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let raw = raw_controls(stream);
            assert!(
                raw.is_empty(),
                "shipdeck {args:?} (json: {json}) wrote {raw:?} raw to {name}: {}",
                String::from_utf8_lossy(stream).escape_debug()
            );
        }
        if shown {
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                all.contains("\\u202e"),
                "shipdeck {args:?} (json: {json}) did not show the text: {all}"
            );
        }
    }
}

#[test]
fn foreign_text_is_shown_escaped_by_every_command_that_prints_it() {
    let h = hostile();
    let env = Env::with_config(&format!(
        "user = {user}\n[profiles.test]\nstore = {{ kind = \"local\", path = \"store\" }}\nbridge = {{ allowlist = {{ kind = \"dotenv\", path = \"bridge.env\" }} }}\n",
        user = toml::Value::String(h.clone())
    ));
    std::fs::write(
        env.path().join("bridge.env"),
        format!("ALLOWED_ORIGINS=https://app.example.com,{h}\n"),
    )
    .unwrap();
    let dist = env.widget("1.0.0");
    env.cmd()
        .arg("publish")
        .arg(&dist)
        .args(["--commit", &h, "--promote", "--yes"])
        .assert()
        .success();
    env.publish("1.0.1", true);
    env.cmd()
        .args(["yank", "1.0.1", "--reason", &h, "--yes"])
        .assert()
        .success();
    // An object key nobody published.
    std::fs::write(env.store().join("v1.0.0").join(format!("{h}.js")), "x").unwrap();

    for args in [
        &["releases"][..],
        &["show", "1.0.1"],
        &["history"],
        &["origins", "list"],
        &["origins", "audit"],
        &["verify"],
        &["promote", &h, "--yes"],
        &["show", &h],
        &["origins", "add", &h, "--yes"],
        &[&h],
        &["history", "--limit", &h],
        &["--profile", &h, "releases"],
    ] {
        clean(&env, args, true);
    }
    for args in [
        &["profiles"][..],
        &["credentials"],
        &["cost", "--bundle-kb", "50"],
    ] {
        clean(&env, args, false);
    }
}
