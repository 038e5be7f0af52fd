//! The words for typed outcomes, written once and used by every front end.
//!
//! Use cases return data (`Report`, `CdnOutcome`, `Verified`, `LockRecord`, …); the CLI's text,
//! the console and (later) a CI summary each lay these sentences out their own way — a line on
//! stdout, a dialog, a table row — but never write their own. That is what keeps the front ends
//! from drifting apart (the console once said "done" where the CLI warned that the CDN
//! invalidation had failed). Where a hint must name a key or a command, [`Front`] says which.
//!
//! Nothing here does IO; `--json` serializes the typed values themselves.

pub mod alerts;
pub mod columns;
pub mod edge;
pub mod edge_keys;
pub mod edge_setup;
pub mod metrics;
pub mod origins;
pub mod terminal;
pub mod traffic;

use crate::cdn::InvalidationStatus;
use crate::credentials::CredentialSource;
use crate::domain::plan::{CopyMismatch, human_bytes};
use crate::ops::ProgressTally;
use crate::ops::account::Credentials;
use crate::ops::apply::{Report, Warning};
use crate::ops::invalidate::CdnOutcome;
use crate::ops::lock::LockRecord;
use crate::ops::query::{InFlightSummary, ReleaseStatus};
use crate::ops::verify::Verified;

/// How a line should read: fine, worth a look, or wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Ok,
    Info,
    Warning,
    Error,
}

/// One line of presented text with its tone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    pub tone: Tone,
    pub text: String,
}

impl Said {
    fn new(tone: Tone, text: impl Into<String>) -> Self {
        Said {
            tone,
            text: text.into(),
        }
    }
}

/// Which front end a hint is for: the CLI names commands, the console names keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Front {
    Cli,
    Console,
}

/// A failed use case as the one line every front end shows (the CLI after `error: `, the
/// console in its message box and status line, the CI summary): the error's sentence, which
/// names the fix, and nothing a terminal would interpret.
pub fn failure(e: &crate::error::Error) -> String {
    // On one line; any other control shown as `\uXXXX` rather than dropped, so input that
    // carried one reads as what it was.
    let line = e.to_string().replace(['\n', '\r', '\t'], " ");
    terminal::terminal_safe(&line).into_owned()
}

/// `text` without control characters (an SDK's or a server's words may carry escape
/// sequences) or bidi overrides; a line break or tab becomes a space.
pub fn printable(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if terminal::is_unsafe(c) => None,
            c => Some(c),
        })
        .collect()
}

/// A monthly amount as both front ends show it: "$1.27", "-$0.40"; below half a cent either
/// way is "$0.00", never "-$0.00".
pub fn money(v: f64) -> String {
    if v <= -0.005 {
        format!("-${:.2}", -v)
    } else {
        format!("${:.2}", v.max(0.0))
    }
}

/// The status column of the release list.
pub fn release_status(s: ReleaseStatus) -> &'static str {
    match s {
        ReleaseStatus::Yanked => "yanked",
        ReleaseStatus::Prerelease => "prerelease",
        ReleaseStatus::Stable => "stable",
        ReleaseStatus::Unpromoted => "unpromoted",
    }
}

/// An interrupted operation, and how to finish it.
pub fn in_flight(f: &InFlightSummary, front: Front) -> String {
    let how = match front {
        Front::Cli => "run `shipdeck resume`",
        Front::Console => "Ctrl-r resumes",
    };
    format!(
        "'{}' by {} at {} is unfinished; {how}",
        f.description,
        f.by,
        f.started_at.format("%Y-%m-%d %H:%M UTC")
    )
}

/// Who holds the release lock.
pub fn lock_holder(l: &LockRecord) -> String {
    format!(
        "{} on {} (pid {}) since {} — {}",
        l.holder,
        l.host,
        l.pid,
        l.since.format("%Y-%m-%d %H:%M:%S UTC"),
        l.operation
    )
}

/// What `shipdeck unlock` did.
pub fn unlocked(removed: Option<&LockRecord>) -> String {
    match removed {
        Some(l) => format!("removed the lock held by {}", lock_holder(l)),
        None => "no lock was held".into(),
    }
}

/// What `shipdeck unlock` would remove, and whether that is safe: a stale lock changed
/// nothing and would be taken over anyway; a live one may be a colleague's change running now.
pub fn would_unlock(l: &LockRecord, stale: bool) -> String {
    let why = if stale {
        "stale: its process no longer runs or its lease ran out, so removing it is safe"
    } else {
        "live: its holder may be changing the release now; ask them first"
    };
    format!("would remove the lock held by {} ({why})", lock_holder(l))
}

/// Where credentials come from, without showing them.
pub fn credential_source(c: &CredentialSource) -> String {
    match c {
        CredentialSource::NotNeeded => "not needed (local store)".into(),
        CredentialSource::Keyring { access_key } => format!("OS keyring (access key {access_key})"),
        CredentialSource::Environment { access_key } => {
            format!("environment (AWS_ACCESS_KEY_ID {access_key})")
        }
        CredentialSource::WebIdentity { role } => {
            format!("web identity (OIDC token for role {role})")
        }
        CredentialSource::AwsProfile { name } => {
            format!("AWS profile '{name}' (shared config or SSO)")
        }
        CredentialSource::SharedConfig => "AWS shared config, default profile".into(),
        CredentialSource::AzureKeyring { kind } => format!("OS keyring ({kind})"),
        CredentialSource::AzureEnvironment { variable } => format!("environment ({variable})"),
        CredentialSource::EntraId { via } => format!("Entra ID: {via}"),
        CredentialSource::GitHub { via } => format!("GitHub token from {via}"),
        CredentialSource::Sentry { via } => format!("Sentry token from {via}"),
        CredentialSource::Missing => "none — run `shipdeck login`".into(),
    }
}

/// Where credentials come from, and why the keyring was skipped when it was.
pub fn credentials(c: &Credentials) -> String {
    let source = credential_source(&c.source);
    match &c.keyring_error {
        Some(e) => format!("keyring unavailable ({e}); falls back to {source}"),
        None => source,
    }
}

/// Where the configuration came from.
pub fn config_source(path: Option<&std::path::Path>) -> String {
    match path {
        Some(p) => p.display().to_string(),
        None => "built in (no config file found)".into(),
    }
}

/// An invalidation's status in words.
pub fn invalidation_status(id: &str, s: &InvalidationStatus) -> String {
    match s {
        InvalidationStatus::Completed => "Completed".into(),
        InvalidationStatus::InProgress { waited_s } => format!(
            "InProgress (still running after {waited_s} s; `shipdeck invalidate --status {id}` checks it)"
        ),
        InvalidationStatus::Other { status } => status.clone(),
    }
}

/// The command that invalidates `paths` by hand, quoted for a shell.
fn invalidate_command(paths: &[String]) -> String {
    let quoted: Vec<String> = paths.iter().map(|p| format!("'{p}'")).collect();
    format!("shipdeck invalidate {}", quoted.join(" "))
}

/// What the CDN was told after a change, if there is anything to say.
pub fn cdn_outcome(o: &CdnOutcome) -> Option<Said> {
    match o {
        CdnOutcome::NotNeeded => None,
        CdnOutcome::Skipped { paths } => Some(Said::new(
            Tone::Warning,
            format!(
                "warning: the CDN was left alone (--no-invalidate); its cached alias files stay until they expire, or run `{}`",
                invalidate_command(paths)
            ),
        )),
        CdnOutcome::Requested {
            cdn, invalidation, ..
        } => Some(Said::new(
            Tone::Info,
            format!(
                "CDN invalidation: {} {} ({cdn})",
                invalidation.id,
                invalidation_status(&invalidation.id, &invalidation.status)
            ),
        )),
        CdnOutcome::Failed { paths, error } => Some(Said::new(
            Tone::Warning,
            format!(
                "warning: the CDN invalidation failed ({error}); the alias change stands — retry with `{}`",
                invalidate_command(paths)
            ),
        )),
    }
}

/// A write the store reports with other content than its source.
pub fn copy_mismatch(m: &CopyMismatch) -> String {
    format!(
        "{}: the store reports different content than {} after the copy (content id {}, expected {}); `shipdeck repair` copies it again",
        m.key,
        m.source.as_deref().unwrap_or("its source"),
        m.reported,
        m.expected
    )
}

/// A step after the commit that failed.
pub fn warning(w: &Warning) -> String {
    match w {
        Warning::HistoryNotWritten { error } => {
            format!("the change is committed, but its history event could not be written: {error}")
        }
        Warning::FailureNotRecorded { error } => {
            format!("the failed invalidation could not be recorded in history: {error}")
        }
        Warning::TrackerFailed { error } => {
            format!("the change stands, but it is not recorded in the error tracker: {error}")
        }
        Warning::EdgeKeysNotWritten { error } => format!(
            "the alias keys at the edge were not written, so browsers may still get the old targets: {error}; run `shipdeck edge sync`"
        ),
    }
}

/// What the error tracker recorded.
pub fn tracked(t: &crate::ops::tracked::Tracked) -> String {
    use crate::ops::tracked::Tracked;
    match t {
        Tracked::ReleaseCreated { release } => {
            format!("Sentry: release {} created", printable(release))
        }
        Tracked::ReleaseExisted { release } => {
            format!("Sentry: release {} already existed", printable(release))
        }
        Tracked::DeployRecorded {
            release,
            environment,
        } => format!(
            "Sentry: deploy of {} to {} recorded",
            printable(release),
            printable(environment)
        ),
    }
}

/// The verdict of an applied change, as every front end shows it: the heading, the one-line
/// summary, then every line worth reading (the last says how far it got: written, invalidated,
/// served).
pub struct Verdict {
    /// "Done", "Done, with warnings" or "Applied with problems" (some copies did not land).
    pub head: &'static str,
    pub summary: String,
    pub lines: Vec<Said>,
    /// Whether a line is a warning or an error (the console then opens a message box).
    pub worth_reading: bool,
}

/// The verdict of `r`: written once here for the CLI, the console and the CI summary.
pub fn verdict(r: &Report) -> Verdict {
    let (summary, lines) = report(r);
    let worth_reading = lines
        .iter()
        .any(|l| matches!(l.tone, Tone::Warning | Tone::Error));
    let head = if !r.landed() {
        "Applied with problems"
    } else if worth_reading {
        "Done, with warnings"
    } else {
        "Done"
    };
    Verdict {
        head,
        summary,
        lines,
        worth_reading,
    }
}

/// What applying a plan did: a one-line summary, then every line worth reading.
fn report(r: &Report) -> (String, Vec<Said>) {
    let summary = format!(
        "{} file(s) written ({}), {} deleted",
        r.files_written,
        human_bytes(r.bytes_written),
        r.files_deleted
    );
    let mut lines: Vec<Said> = cdn_outcome(&r.cdn).into_iter().collect();
    lines.extend(
        r.copy_mismatches
            .iter()
            .map(|m| Said::new(Tone::Error, format!("verify: {}", copy_mismatch(m)))),
    );
    lines.extend(r.edge_keys.as_ref().map(edge_keys::outcome));
    lines.extend(r.tracked.iter().map(|t| Said::new(Tone::Info, tracked(t))));
    lines.extend(
        r.warnings
            .iter()
            .map(|w| Said::new(Tone::Warning, format!("warning: {}", warning(w)))),
    );
    // Last: how far the change got (written, invalidated, served), as every front end ends.
    lines.push(edge::reached(r));
    (summary, lines)
}

/// Verify findings: a title, whether everything matched, and one line per finding.
pub struct VerifySummary {
    pub title: String,
    pub ok: bool,
    pub lines: Vec<Said>,
}

/// Presents verify results; the repair hint names the CLI command or the console key.
pub fn verify(results: &[Verified], front: Front) -> VerifySummary {
    let bad: usize = results.iter().map(|r| r.problems.len()).sum();
    let mut lines = Vec::new();
    for r in results {
        if r.problems.is_empty() {
            lines.push(Said::new(
                Tone::Ok,
                format!(
                    "ok       {:<14} {} file(s) match {}",
                    r.target, r.files, r.version
                ),
            ));
            continue;
        }
        lines.push(Said::new(
            Tone::Error,
            format!(
                "FAILED   {:<14} {} problem(s) against {}",
                r.target,
                r.problems.len(),
                r.version
            ),
        ));
        lines.extend(
            r.problems
                .iter()
                .map(|p| Said::new(Tone::Error, format!("         {p}"))),
        );
        if r.target != r.version {
            let text = match front {
                Front::Cli => format!(
                    "`shipdeck repair {}` makes it match {} again",
                    r.target, r.version
                ),
                Front::Console => format!(
                    "repair (F on Aliases, or the palette) makes {} match {} again",
                    r.target, r.version
                ),
            };
            lines.push(Said::new(Tone::Info, format!("         {text}")));
        }
    }
    VerifySummary {
        title: if bad == 0 {
            "Verify: all files match".into()
        } else {
            format!("Verify: {bad} problem(s)")
        },
        ok: bad == 0,
        lines,
    }
}

/// A long operation's progress in one line.
pub fn progress(t: &ProgressTally) -> String {
    if t.step {
        return t.label.clone();
    }
    format!(
        "{} {}/{} files, {} of {}",
        t.label,
        t.done,
        t.total,
        human_bytes(t.bytes),
        human_bytes(t.total_bytes)
    )
}

/// A trend as block characters, scaled to its own largest step.
pub fn sparkline(v: &[u64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = v.iter().copied().max().unwrap_or(0);
    v.iter()
        .map(|&n| {
            if n == 0 {
                ' '
            } else {
                BARS[((n * 7).div_ceil(max.max(1))) as usize % 8]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cdn::CdnError;

    #[test]
    fn a_failed_invalidation_names_the_cdn_and_the_retry_command() {
        let o = CdnOutcome::Failed {
            paths: vec!["/w/latest/*".into(), "/w/v1/*".into()],
            error: CdnError {
                cdn: "CloudFront EBOGUS".into(),
                cause: "CloudFront answered NoSuchDistribution".into(),
                source: None,
            },
        };
        let said = cdn_outcome(&o).expect("a failure is always said");
        assert_eq!(said.tone, Tone::Warning);
        assert!(said.text.contains("CloudFront EBOGUS"), "{}", said.text);
        assert!(
            said.text
                .ends_with("retry with `shipdeck invalidate '/w/latest/*' '/w/v1/*'`"),
            "{}",
            said.text
        );
        assert!(!said.text.contains("S3"), "{}", said.text);
    }

    #[test]
    fn nothing_is_said_when_no_invalidation_was_needed() {
        assert_eq!(cdn_outcome(&CdnOutcome::NotNeeded), None);
    }
}
