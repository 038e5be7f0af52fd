//! Where the CLI writes, and what happens when no one reads any more.
//!
//! `shipdeck releases | head -1` closes the pipe after one line; Rust's `println!` then panics
//! ("failed printing to stdout: Broken pipe") with exit code 101. Every line the CLI prints goes
//! through here instead (the `println!`/`print!`/`eprintln!`/`eprint!` macros of the `cli`
//! module are shadowed to call these), and a closed stdout or stderr ends the program quietly,
//! as `ls` and `rg` do: exit code 0, nothing printed about it.
//!
//! It is also the one place text reaches the terminal, so it is where foreign text is made
//! safe: every line is passed through [`present::terminal::terminal_safe`] (CDN log fields,
//! allowlist values, object keys, yank reasons and input echoed by errors can all carry escape
//! sequences). Only [`progress`] and [`styled`] write control sequences, and only Shipdeck's
//! own.

use crate::present::terminal::terminal_safe;
use std::borrow::Cow;
use std::fmt::Arguments;
use std::io::{ErrorKind, Write};

/// The text of `args`, formatted only when it has arguments, with no control characters.
fn safe(args: Arguments<'_>) -> Cow<'static, str> {
    match args.as_str() {
        Some(s) => terminal_safe(s),
        None => Cow::Owned(terminal_safe(&args.to_string()).into_owned()),
    }
}

/// Writes to stdout, with a newline when `newline`.
pub fn stdout(args: Arguments<'_>, newline: bool) {
    let text = safe(args);
    let mut out = std::io::stdout().lock();
    let r = out
        .write_all(text.as_bytes())
        .and_then(|()| {
            if newline {
                out.write_all(b"\n")
            } else {
                Ok(())
            }
        })
        .and_then(|()| if newline { Ok(()) } else { out.flush() });
    settle(r);
}

/// Writes to stderr, with a newline when `newline`.
pub fn stderr(args: Arguments<'_>, newline: bool) {
    let text = safe(args);
    let mut err = std::io::stderr().lock();
    let r = err.write_all(text.as_bytes()).and_then(|()| {
        if newline {
            err.write_all(b"\n")
        } else {
            Ok(())
        }
    });
    settle(r);
}

/// Replaces the progress line on stderr (a terminal) with `text`, made safe.
pub fn progress(text: &str) {
    let mut err = std::io::stderr().lock();
    let r = write!(err, "\r\x1b[2K{}", terminal_safe(text)).and_then(|()| err.flush());
    settle(r);
}

/// Writes text whose control sequences are Shipdeck's own styling (clap's coloured help and
/// usage errors) as it is. The caller makes sure no foreign text is in it.
pub fn styled(text: &str, to_stderr: bool) {
    let r = if to_stderr {
        std::io::stderr().lock().write_all(text.as_bytes())
    } else {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes()).and_then(|()| out.flush())
    };
    settle(r);
}

/// A reader that went away ends the program quietly; any other write error is ignored, since
/// there is nowhere left to report it.
fn settle(r: std::io::Result<()>) {
    if let Err(e) = r
        && e.kind() == ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}
