//! The real console in a pseudo-terminal: start it on a temporary local store, promote a
//! version through the plan dialog, check the store changed, quit, and check that the terminal
//! was restored (alternate screen left, cursor shown, mouse capture off).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests and benchmarks fail loudly, naming what went wrong"
)]

mod common;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

struct Screen {
    parser: vt100::Parser,
    raw: Vec<u8>,
    rx: Receiver<Vec<u8>>,
}

impl Screen {
    /// Reads output until `text` is on screen; fails with the screen after 30 s.
    fn wait_for(&mut self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if self.parser.screen().contents().contains(text) {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(bytes) => {
                    self.parser.process(&bytes);
                    self.raw.extend_from_slice(&bytes);
                }
                Err(_) => panic!(
                    "'{text}' did not appear; screen:\n{}",
                    self.parser.screen().contents()
                ),
            }
        }
    }

    /// Reads until the child closes the terminal.
    fn drain(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Ok(bytes) = self
            .rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.parser.process(&bytes);
            self.raw.extend_from_slice(&bytes);
        }
    }
}

#[test]
fn promote_through_the_plan_dialog_in_a_real_terminal() {
    let env = common::Env::new();
    for (v, promote) in [("1.0.0", true), ("1.1.0", false)] {
        let dist = env.widget(v);
        let mut c = env.cmd();
        c.arg("publish").arg(&dist).arg("--yes");
        if promote {
            c.arg("--promote");
        }
        c.assert().success();
    }

    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_shipdeck"));
    cmd.cwd(env.path());
    cmd.env("XDG_DATA_HOME", env.path().join("xdg-data"));
    cmd.env("XDG_CONFIG_HOME", env.path().join("xdg-config"));
    cmd.env("SHIPDECK_USER", "tester");
    cmd.env("TERM", "xterm-256color");
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut writer = pair.master.take_writer().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut screen = Screen {
        parser: vt100::Parser::new(24, 80, 0),
        raw: Vec::new(),
        rx,
    };
    let mut key = |s: &str| {
        writer.write_all(s.as_bytes()).unwrap();
        writer.flush().unwrap();
    };

    screen.wait_for("unpromoted");
    assert!(
        screen.parser.screen().contents().contains("[latest] [v1]"),
        "1.0.0 serves latest at start"
    );
    // 1.1.0 is the newest, so it is selected; promote it.
    key("p");
    screen.wait_for("Review the plan");
    screen.wait_for("latest   1.0.0 → 1.1.0");
    key("y");
    screen.wait_for("Done: promote 1.1.0");
    let latest = env.store().join("latest/msr-webchat.umd.js");
    assert_eq!(
        std::fs::read(&latest).unwrap(),
        std::fs::read(env.store().join("v1.1.0/msr-webchat.umd.js")).unwrap(),
        "the store changed"
    );

    key("q");
    screen.drain();
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status {status:?}");
    let raw = String::from_utf8_lossy(&screen.raw);
    assert!(
        raw.contains("\x1b[?1049h"),
        "it entered the alternate screen"
    );
    let left = raw
        .rfind("\x1b[?1049l")
        .expect("it left the alternate screen");
    assert!(left > raw.rfind("\x1b[?1049h").unwrap());
    assert!(
        raw.rfind("\x1b[?25h").expect("the cursor is shown again")
            > raw.rfind("\x1b[?25l").unwrap_or(0)
    );
    assert!(raw.contains("\x1b[?1000l"), "mouse capture is turned off");
    assert!(!screen.parser.screen().alternate_screen());
    assert!(!screen.parser.screen().hide_cursor());
}
