//! Where the CLI writes, and what happens when no one reads any more.
//!
//! `shipdeck releases | head -1` closes the pipe after one line; Rust's `println!` then panics
//! ("failed printing to stdout: Broken pipe") with exit code 101. Every line the CLI prints goes
//! through here instead (the `println!`/`print!`/`eprintln!`/`eprint!` macros of the `cli`
//! module are shadowed to call these), and a closed stdout or stderr ends the program quietly,
//! as `ls` and `rg` do: exit code 0, nothing printed about it.

use std::fmt::Arguments;
use std::io::{ErrorKind, Write};

/// Writes to stdout, with a newline when `newline`.
pub fn stdout(args: Arguments<'_>, newline: bool) {
    let mut out = std::io::stdout().lock();
    let r = out
        .write_fmt(args)
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
    let mut err = std::io::stderr().lock();
    let r = err.write_fmt(args).and_then(|()| {
        if newline {
            err.write_all(b"\n")
        } else {
            Ok(())
        }
    });
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
