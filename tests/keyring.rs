//! Credentials in a real Secret Service (gnome-keyring in a private D-Bus session): log in,
//! run a command against the S3 peer with no AWS variables set, log out — and the secret never
//! appears in any output, the log file or the config.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use common::s3::{bucket, config, endpoint};
use std::process::Command;

/// Distinctive, so a leak anywhere is found by a plain search.
const SECRET: &str = "shipdeck-e2e-secret-Q7vX2kLp";

/// What one D-Bus session printed, step by step.
struct Run {
    stdout: String,
    stderr: String,
}

impl Run {
    /// What step `name` printed, ending with its `exit=N` line.
    fn section(&self, name: &str) -> String {
        self.stdout
            .split(&format!("== {name}\n"))
            .nth(1)
            .and_then(|s| s.split("\n== ").next())
            .unwrap_or_default()
            .to_string()
    }
}

/// Runs `steps` (name, shell command; `BIN` stands for Shipdeck) in one D-Bus session with an
/// unlocked gnome-keyring, as a desktop login would have, in `env`'s folder with only `path`
/// and the isolating variables set.
fn in_secret_service(env: &common::Env, steps: &[(&str, String)], path: &str, debug: bool) -> Run {
    for tool in ["dbus-run-session", "gnome-keyring-daemon"] {
        assert!(
            Command::new("sh")
                .arg("-c")
                .arg(format!("command -v {tool}"))
                .status()
                .unwrap()
                .success(),
            "{tool} is missing: run the tests with `bash scripts/test.sh`, which installs gnome-keyring and dbus"
        );
    }
    let bin = env!("CARGO_BIN_EXE_shipdeck");
    let mut script = String::from(
        "set -u\necho -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1\n",
    );
    for (name, cmd) in steps {
        script.push_str(&format!(
            "echo \"== {name}\"; {}; echo \"exit=$?\"\n",
            cmd.replace("BIN", bin)
        ));
    }
    let mut c = Command::new("dbus-run-session");
    c.args(["--", "sh", "-c", &script])
        .current_dir(env.path())
        .env_clear()
        .env("PATH", path)
        .env("HOME", env.path())
        .env("XDG_DATA_HOME", env.path().join("xdg-data"))
        .env("XDG_CONFIG_HOME", env.path().join("xdg-config"))
        .env("AWS_EC2_METADATA_DISABLED", "true");
    if debug {
        c.env("SHIPDECK_LOG", "debug");
    }
    let out = c.output().unwrap();
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).to_string(),
    }
}

#[test]
fn login_use_logout_with_a_real_secret_service() {
    let b = bucket("keyring");
    let env = common::Env::with_config(&config(&b, None, &endpoint(), ""));
    let run = in_secret_service(
        &env,
        &[
            ("before", "BIN releases".into()),
            (
                "login",
                format!("printf '%s\\n%s\\n' AKIATESTKEY0001 '{SECRET}' | BIN login --stdin"),
            ),
            ("credentials", "BIN credentials".into()),
            ("releases", "BIN releases".into()),
            ("json", "BIN --json releases >/dev/null".into()),
            ("logout", "BIN logout".into()),
            ("after", "BIN releases".into()),
        ],
        &std::env::var("PATH").unwrap(),
        true,
    );
    let (stdout, stderr) = (run.stdout.clone(), run.stderr.clone());
    let section = |name: &str| run.section(name);
    assert!(
        section("before").contains("exit=1"),
        "no credentials yet: {stdout}\n{stderr}"
    );
    assert!(stderr.contains("shipdeck login --profile s3"), "{stderr}");
    assert!(
        section("login").contains("stored the credentials of profile 's3' (AKIA…0001)")
            && section("login").contains("exit=0"),
        "{stdout}\n{stderr}"
    );
    assert!(
        section("credentials").contains("s3")
            && section("credentials").contains("OS keyring (access key AKIA…0001)"),
        "{stdout}"
    );
    assert!(
        section("releases").contains(&format!("s3://{b}"))
            && section("releases").contains("exit=0"),
        "keyring credentials reach S3: {stdout}\n{stderr}"
    );
    assert!(section("json").contains("exit=0"));
    assert!(
        section("logout").contains("removed the credentials of profile 's3'"),
        "{stdout}"
    );
    assert!(section("after").contains("exit=1"), "logged out: {stdout}");

    // The secret is nowhere: outputs, log file, config, any file Shipdeck wrote.
    assert!(
        !stdout.contains(SECRET) && !stderr.contains(SECRET),
        "the secret leaked into command output"
    );
    let log = std::fs::read_to_string(env.path().join("xdg-data/shipdeck/shipdeck.log"))
        .unwrap_or_default();
    assert!(!log.is_empty(), "debug logging wrote a log to scan");
    assert!(!log.contains(SECRET), "the secret leaked into the log file");
    for f in common::files_under(env.path()) {
        let bytes = std::fs::read(env.path().join(&f)).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(SECRET),
            "the secret leaked into {f}"
        );
    }
}

/// The same on Azure: an account key stored with `login --kind account-key --stdin` signs the
/// requests to Azurite; neither it nor any SAS signature minted from it appears anywhere.
#[test]
fn azure_login_use_logout_with_a_real_secret_service() {
    use common::azure::{KEY, config, container, endpoint};
    let c = container("keyring");
    let env = common::Env::with_config(&config(&c, &endpoint(), "", ""));
    let run = in_secret_service(
        &env,
        &[
            ("before", "BIN releases".into()),
            (
                "login",
                format!("printf '%s\\n' '{KEY}' | BIN login --kind account-key --stdin"),
            ),
            ("credentials", "BIN credentials".into()),
            ("releases", "BIN releases".into()),
            ("logout", "BIN logout".into()),
            ("after", "BIN releases".into()),
        ],
        "/usr/bin:/bin",
        true,
    );
    let (stdout, stderr) = (run.stdout.clone(), run.stderr.clone());
    let section = |name: &str| run.section(name);
    assert!(section("before").contains("exit=1"), "{stdout}\n{stderr}");
    assert!(
        section("login").contains("stored the credentials of profile 'az' (storage account key)")
            && section("login").contains("exit=0"),
        "{stdout}\n{stderr}"
    );
    assert!(
        section("credentials").contains("OS keyring (storage account key)"),
        "{stdout}"
    );
    assert!(
        section("releases").contains("azure://devstoreaccount1/")
            && section("releases").contains("exit=0"),
        "keyring credentials reach Azurite: {stdout}\n{stderr}"
    );
    assert!(section("after").contains("exit=1"), "logged out: {stdout}");
    let log = std::fs::read_to_string(env.path().join("xdg-data/shipdeck/shipdeck.log"))
        .unwrap_or_default();
    assert!(!log.is_empty(), "debug logging wrote a log to scan");
    for (what, text) in [("output", format!("{stdout}{stderr}")), ("log", log)] {
        assert!(!text.contains(KEY), "the key leaked into the {what}");
        for (i, _) in text.match_indices("sig=") {
            let after = &text[i + 4..];
            assert!(
                after.starts_with("REDACTED") || after.starts_with('&') || after.is_empty(),
                "a SAS signature leaked into the {what}: {}",
                &text[i.saturating_sub(40)..(i + 60).min(text.len())]
            );
        }
    }
}

/// An API token (`--github`, `--sentry`): stored with `login FLAG --stdin`, named (never shown)
/// by `credentials` on the profile's `row`, removed by `logout FLAG`.
fn token_login_credentials_logout(flag: &str, name: &str, token: &str, config: &str, row: &str) {
    let env = common::Env::with_config(config);
    let run = in_secret_service(
        &env,
        &[
            (
                "login",
                format!("printf '%s\\n' '{token}' | BIN login {flag} --stdin"),
            ),
            ("credentials", "BIN credentials".into()),
            ("logout", format!("BIN logout {flag}")),
            ("after", "BIN credentials".into()),
        ],
        "/usr/bin:/bin",
        false,
    );
    let (stdout, stderr) = (run.stdout.clone(), run.stderr.clone());
    let section = |s: &str| run.section(s);
    let from_keyring = format!("{name} token from OS keyring");
    assert!(
        section("login").contains(&format!("stored the {name} token of profile 'prod'")),
        "{stdout}\n{stderr}"
    );
    assert!(
        section("credentials").contains(row) && section("credentials").contains(&from_keyring),
        "{stdout}"
    );
    assert!(
        section("logout").contains(&format!("removed the {name} token")),
        "{stdout}"
    );
    assert!(!section("after").contains(&from_keyring), "{stdout}");
    assert!(!stdout.contains(token) && !stderr.contains(token));
}

#[test]
fn github_token_login_credentials_logout_with_a_real_secret_service() {
    token_login_credentials_logout(
        "--github",
        "GitHub",
        "ghp_shipdeckKeyringToken7Qw",
        "[profiles.prod]\nstore = { kind = \"local\", path = \"store\" }\nbridge = { allowlist = { kind = \"github\", repo = \"org/bridge\" } }\n",
        "prod (bridge)",
    );
}

#[test]
fn sentry_token_login_credentials_logout_with_a_real_secret_service() {
    token_login_credentials_logout(
        "--sentry",
        "Sentry",
        "sntrys_shipdeckStubToken5Rw",
        "[profiles.prod]\nstore = { kind = \"local\", path = \"store\" }\nsentry = { org = \"acme\", project = \"webchat\" }\n",
        "prod (sentry)",
    );
}

/// `shipdeck login` typed at a real terminal: the prompts come one after the other (the first
/// answer used to leave stdin locked, so the second prompt waited forever), the secret is
/// never echoed, and the credentials land in the Secret Service.
#[test]
fn login_at_a_terminal_prompts_hides_the_secret_and_finishes() {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::{Read, Write};
    use std::time::{Duration, Instant};
    let b = bucket("keyring-pty");
    let env = common::Env::with_config(&config(&b, None, &endpoint(), ""));
    let bin = env!("CARGO_BIN_EXE_shipdeck");
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 100,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new("dbus-run-session");
    cmd.args([
        "--",
        "sh",
        "-c",
        &format!(
            "echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; {bin} login; echo \"login-exit=$?\"; {bin} credentials"
        ),
    ]);
    cmd.cwd(env.path());
    cmd.env("HOME", env.path());
    cmd.env("XDG_DATA_HOME", env.path().join("xdg-data"));
    cmd.env("XDG_CONFIG_HOME", env.path().join("xdg-config"));
    cmd.env("AWS_EC2_METADATA_DISABLED", "true");
    cmd.env("TERM", "xterm-256color");
    for v in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_PROFILE",
        "SHIPDECK_CONFIG",
    ] {
        cmd.env_remove(v);
    }
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut writer = pair.master.take_writer().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    let wait_for = |text: &str, seen: &mut String| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !seen.contains(text) {
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(bytes) => seen.push_str(&String::from_utf8_lossy(&bytes)),
                Err(_) => panic!("'{text}' did not appear; the terminal showed:\n{seen}"),
            }
        }
    };
    let mut typed = |s: &str| {
        writer.write_all(s.as_bytes()).unwrap();
        writer.flush().unwrap();
    };
    wait_for("AWS access key id for profile 's3'", &mut seen);
    typed("AKIATESTKEY0002\r");
    wait_for("AWS secret access key (hidden)", &mut seen);
    typed(&format!("{SECRET}\r"));
    wait_for("login-exit=", &mut seen);
    wait_for("OS keyring", &mut seen);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(
        seen.contains("login-exit=0") && seen.contains("AKIA…0002"),
        "login finished and stored the key: {}",
        seen.replace(SECRET, "<SECRET>")
    );
    assert!(
        seen.contains("AKIATESTKEY0002"),
        "the key id, not secret, is echoed as typed"
    );
    assert!(
        !seen.contains(SECRET),
        "the secret was echoed to the terminal: {}",
        seen.replace(SECRET, "<SECRET>")
    );
}
