//! Console performance (issue goals in brackets):
//! - first frame after start on the demo store [< 100 ms], real binary in a pseudo-terminal;
//! - a keypress (update + full redraw) with 10,000 versions [< 16 ms], in-process;
//! - resident memory of the real binary showing 10,000 versions [< 50 MB].
//!
//! Run with `cargo bench --bench tui`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

use chrono::{DateTime, Utc};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shipdeck::domain::alias::AliasName;
use shipdeck::domain::state::{AliasRecord, ReleaseSummary, State as DocState};
use shipdeck::ops::query::view_of;
use shipdeck::tui::keymap::{Command, Keymap};
use shipdeck::tui::state::{Action, State};
use shipdeck::tui::{theme, views};
use std::io::Read;
use std::path::Path;
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

fn core_with(n: usize) -> shipdeck::domain::state::Core {
    let mut doc = DocState::default();
    for i in 0..n {
        let v: semver::Version = format!("{}.{}.{}", i / 1000, (i / 10) % 100, i % 10)
            .parse()
            .unwrap();
        doc.core.releases.insert(
            v,
            ReleaseSummary {
                files: 7,
                size: 300_000,
                gzip_size: 90_000,
                published_at: DateTime::<Utc>::from_timestamp(1_790_000_000 + i as i64, 0).unwrap(),
                published_by: "bench".into(),
                promoted: true,
                yanked: None,
                commit: None,
            },
        );
    }
    doc.core.aliases = shipdeck::domain::alias::resolve_aliases(&doc.core);
    doc.core.aliases.insert(
        AliasName::Latest,
        AliasRecord {
            target: "5.0.0".parse().unwrap(),
            pinned: true,
            previous: None,
        },
    );
    doc.core
}

fn redraw_bench() {
    let core = core_with(10_000);
    let mut s = State::new(
        "bench",
        "local",
        false,
        None,
        theme::load("dark").unwrap(),
        Keymap::default(),
    );
    s.update(Action::Resize(120, 40));
    s.update(Action::Loaded(Ok(view_of(&core, "local".into(), None))));
    let mut term = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut times = Vec::new();
    for i in 0..400 {
        let t = Instant::now();
        s.update(Action::Cmd(if i % 50 < 25 {
            Command::Down
        } else {
            Command::PageDown
        }));
        term.draw(|f| {
            views::render(&s, f);
        })
        .unwrap();
        times.push(t.elapsed());
    }
    s.update(Action::Cmd(Command::Filter));
    let mut ftimes = Vec::new();
    for c in "4.5".chars() {
        let t = Instant::now();
        s.update(Action::Input(c));
        term.draw(|f| {
            views::render(&s, f);
        })
        .unwrap();
        ftimes.push(t.elapsed());
    }
    times.sort();
    let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
    println!(
        "keypress redraw, 10,000 versions (120x40)   median {:>6.2} ms   p99 {:>6.2} ms   goal < 16 ms   {}",
        p(0.5),
        p(0.99),
        if p(0.99) < 16.0 { "ok" } else { "OVER" }
    );
    let fmax = ftimes.iter().max().unwrap().as_secs_f64() * 1000.0;
    println!(
        "filter keystroke, 10,000 versions           max    {fmax:>6.2} ms                 goal < 16 ms   {}",
        if fmax < 16.0 { "ok" } else { "OVER" }
    );
}

/// Starts the binary in a pty; returns the time until `text` is on screen, and the child's pid.
fn start_in_pty(
    dir: &Path,
    args: &[&str],
    text: &str,
) -> (
    Duration,
    Box<dyn portable_pty::Child + Send + Sync>,
    Box<dyn portable_pty::MasterPty + Send>,
) {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_shipdeck"));
    cmd.cwd(dir);
    cmd.env("XDG_DATA_HOME", dir.join("xdg-data"));
    cmd.env("XDG_CONFIG_HOME", dir.join("xdg-config"));
    cmd.env("TERM", "xterm-256color");
    for a in args {
        cmd.arg(a);
    }
    let t = Instant::now();
    let child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 16384];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut parser = vt100::Parser::new(40, 120, 0);
    loop {
        let bytes = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("console output");
        parser.process(&bytes);
        if parser.screen().contents().contains(text) {
            return (t.elapsed(), child, pair.master);
        }
    }
}

fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    kb / 1024.0
}

fn main() {
    redraw_bench();

    // First frame on the demo store (seeded once beforehand, as a returning user has it).
    let tmp = tempfile::tempdir().unwrap();
    let (_, mut c, _m) = start_in_pty(tmp.path(), &[], "latest");
    c.kill().ok();
    let mut firsts = Vec::new();
    for _ in 0..9 {
        let (d, mut c, _m) = start_in_pty(tmp.path(), &[], "Shipdeck");
        firsts.push(d);
        c.kill().ok();
        c.wait().ok();
    }
    firsts.sort();
    let med = firsts[firsts.len() / 2].as_secs_f64() * 1000.0;
    println!(
        "first frame on the demo store               median {med:>6.1} ms                 goal < 100 ms  {}",
        if med < 100.0 { "ok" } else { "OVER" }
    );

    // Memory with 10,000 versions: a local store whose state lists them.
    let store = tmp.path().join("big");
    std::fs::create_dir_all(store.join(".shipdeck")).unwrap();
    let doc = DocState {
        core: core_with(10_000),
        ..Default::default()
    };
    std::fs::write(
        store.join(".shipdeck/state.json"),
        serde_json::to_vec(&doc).unwrap(),
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("big.toml"),
        "[profiles.big]\nstore = { kind = \"local\", path = \"big\" }\n",
    )
    .unwrap();
    let (d, mut c, _m) = start_in_pty(tmp.path(), &["--config", "big.toml"], "9.99.9");
    let pid = c.process_id().unwrap();
    let rss = rss_mb(pid);
    println!(
        "10,000 versions: loaded and drawn in {:>6.1} ms; RSS {rss:>5.1} MB           goal < 50 MB   {}",
        d.as_secs_f64() * 1000.0,
        if rss < 50.0 { "ok" } else { "OVER" }
    );
    c.kill().ok();
}
