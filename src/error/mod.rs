//! Errors of the use cases, written for the release manager reading them at 2 a.m.: one
//! sentence saying what is wrong and how to fix it, never an SDK debug dump, never a secret.
//!
//! Each layer has its own typed error that keeps its source (`StoreError`, `CdnError`,
//! `Refusal`, `AliasError`, `VersionError`, …); this enum wraps them without rewording, so a
//! sentence is written once, where its type is defined, and a front end only presents it.

use crate::cdn::CdnError;
use crate::domain::alias::AliasError;
use crate::domain::change::Refusal;
use crate::domain::version::VersionError;
mod use_cases;

use crate::store::StoreError;
use thiserror::Error;
pub use use_cases::{BuildError, ConfigError, CostError, NotFound, ProfileGap, RecordError};

#[derive(Debug, Clone, Error)]
pub enum Error {
    /// Bad input on the command line or at a prompt (exit code 2, or 1 when refused).
    #[error(transparent)]
    Input(#[from] InputError),
    /// A version typed by the user that Shipdeck does not accept (exit code 2).
    #[error(transparent)]
    Version(#[from] VersionError),
    /// An alias name that is not one, or an alias that cannot serve a version (exit code 2).
    #[error(transparent)]
    Alias(#[from] AliasError),
    /// The input was fine but a release rule refuses the change (exit code 1).
    #[error(transparent)]
    Rule(#[from] Refusal),
    /// A command names an alias or version the store does not have (exit code 1).
    #[error(transparent)]
    NotFound(#[from] NotFound),
    /// A build folder that cannot be published (exit code 2), or a publish the store refuses.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// The release records are missing, damaged or not what a change expects.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// The profile lacks what the command needs (the sentence names the key to add).
    #[error(transparent)]
    Profile(#[from] ProfileGap),
    /// The configuration file cannot be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A pricing or usage file, or an estimate.
    #[error(transparent)]
    Cost(#[from] CostError),
    /// The OS keyring.
    #[error(transparent)]
    Credential(#[from] crate::credentials::CredentialError),
    /// The console's own setup (theme, keys) — its source says which.
    #[error("{what}: {source}")]
    Console {
        what: &'static str,
        #[source]
        source: crate::adapters::Cause,
    },
    #[error(
        "the release state is locked by {holder} since {since} ({operation}); wait for it to finish, or if that run died, `shipdeck unlock` after checking with them"
    )]
    Locked {
        holder: String,
        since: String,
        operation: String,
    },
    #[error(
        "someone else changed the release state — reload and retry; nothing of this change was committed"
    )]
    Conflict,
    #[error(
        "an unfinished operation is recorded: '{description}', started by {by} at {at}; run `shipdeck resume` to finish it or `shipdeck resume --revert` to undo it"
    )]
    Unfinished {
        description: String,
        by: String,
        at: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cdn(#[from] CdnError),
    /// The Bridge could not be asked (a probe).
    #[error(transparent)]
    Probe(#[from] crate::bridge::probe::ProbeError),
    /// The CDN's edge could not be asked (`verify --edge`).
    #[error(transparent)]
    Edge(#[from] crate::edge::EdgeError),
    /// The CDN's KeyValueStore of edge aliases could not be read or written.
    #[error(transparent)]
    EdgeKeys(#[from] crate::cdn::alias_keys::KeysError),
    /// A canary step the edge's state refuses.
    #[error(transparent)]
    Canary(#[from] crate::domain::edge_alias::CanaryError),
    /// An `edge setup` the distribution's configuration refuses (a taken event, a wrong ARN).
    #[error(transparent)]
    EdgeSetup(#[from] crate::domain::edge_alias::setup::SetupError),
    /// A wait that is not one (`--wait`, `--confirm-edge`).
    #[error(transparent)]
    Wait(#[from] crate::domain::edge::WaitError),
    /// An allowlist source could not read or write the list.
    #[error(transparent)]
    Allowlist(#[from] crate::bridge::AllowlistError),
    /// An allowlist edit refused, naming the origin and the rule.
    #[error(transparent)]
    OriginEdit(#[from] crate::domain::origin::edit::EditError),
    /// A file or terminal the OS could not read or write.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::sync::Arc<std::io::Error>,
    },
    /// The logs' query engine gave no answer (`traffic --engine athena`).
    #[error(transparent)]
    Query(#[from] crate::logs::QueryError),
    /// The query engine answered rows that are not counts.
    #[error(
        "{engine} answered rows Shipdeck cannot read: {row}; check that the table is the CDN's logs table"
    )]
    Rows {
        engine: String,
        row: crate::domain::traffic::athena::RowError,
    },
    /// The error tracker (Sentry) refused or failed.
    #[error(transparent)]
    Tracker(#[from] crate::tracking::TrackerError),
    /// The metrics service refused or failed (`metrics publish`, `alerts sync`).
    #[error(transparent)]
    Metrics(#[from] crate::metrics::MetricsError),
    /// A publish stopped part way: buckets before `sent_until` are in the service and the
    /// shared watermark says so; the rest is sent by the next run.
    #[error(
        "{source}; the metrics up to {sent_until} were published and recorded, run `shipdeck metrics publish` again to send the rest"
    )]
    MetricsStopped {
        sent_until: String,
        #[source]
        source: crate::metrics::MetricsError,
    },
    /// Another publish moved the shared watermark while this one ran.
    #[error(
        "another `metrics publish` (a colleague or a CI job) ran at the same time; nothing was sent twice — run it again to publish what is left"
    )]
    MetricsRace,
    /// The person running a change asked it to stop (Ctrl-C); the writes in flight finished.
    #[error(
        "stopped as asked, after the writes in flight; the change is recorded as unfinished — `shipdeck resume` finishes it, `shipdeck resume --revert` undoes it"
    )]
    Interrupted,
}

impl Error {
    /// A stable code naming the kind of failure, for `--json` documents and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Input(e) if e.is_usage() => "usage",
            Error::Input(InputError::SeveralProfiles { .. }) => "config",
            Error::Input(_) => "refused",
            Error::Version(_) => "invalid_version",
            Error::Alias(_) => "invalid_alias",
            Error::Rule(_) => "refused_by_rule",
            Error::NotFound(_) | Error::Record(_) | Error::Credential(_) => "refused",
            Error::Build(e) if e.is_usage() => "usage",
            Error::Build(_) => "refused",
            Error::Profile(e) if e.is_usage() => "usage",
            Error::Profile(_) | Error::Config(_) | Error::Console { .. } => "config",
            Error::Cost(e) if e.is_usage() => "usage",
            Error::Cost(_) => "config",
            Error::Locked { .. } => "locked",
            Error::Conflict => "conflict",
            Error::Unfinished { .. } => "unfinished",
            Error::Store(_) => "store",
            Error::Cdn(_) => "cdn",
            Error::Probe(_) => "bridge_unreachable",
            Error::Edge(_) => "edge_unreachable",
            Error::EdgeKeys(crate::cdn::alias_keys::KeysError::Changed { .. }) => "conflict",
            Error::EdgeKeys(_) => "cdn",
            Error::Canary(_) | Error::EdgeSetup(_) => "refused_by_rule",
            Error::Wait(_) => "usage",
            Error::OriginEdit(e) if e.is_usage() => "invalid_origin",
            Error::OriginEdit(_) => "refused_by_rule",
            Error::Allowlist(e) if e.is_usage() => "usage",
            Error::Allowlist(crate::bridge::AllowlistError::Changed { .. }) => "conflict",
            Error::Allowlist(crate::bridge::AllowlistError::Store(e)) => {
                Error::Store(e.clone()).code()
            }
            Error::Allowlist(_) => "refused",
            Error::Io { .. } => "io",
            Error::Query(_) => "query",
            Error::Rows { .. } => "query",
            Error::Interrupted => "interrupted",
            Error::Metrics(_) | Error::MetricsStopped { .. } => "metrics",
            Error::MetricsRace => "conflict",
            Error::Tracker(_) => "tracker",
        }
    }

    /// Process exit code: 2 for bad usage, 3 when someone else holds or changed the release
    /// state (retry later), 130 when Ctrl-C stopped a change, 1 for everything else. (4, verify
    /// found differences, and 5, changes pending, are outcomes, not errors.)
    pub fn exit_code(&self) -> i32 {
        self.exit().code()
    }

    /// The exit code as the closed set [`ExitCode`].
    pub fn exit(&self) -> ExitCode {
        ExitCode::from_code(self.raw_exit_code())
    }

    fn raw_exit_code(&self) -> i32 {
        match self {
            Error::Version(_) | Error::Alias(_) | Error::Wait(_) => 2,
            Error::Input(e) if e.is_usage() => 2,
            Error::Build(e) if e.is_usage() => 2,
            Error::Profile(e) if e.is_usage() => 2,
            Error::Cost(e) if e.is_usage() => 2,
            Error::OriginEdit(e) if e.is_usage() => 2,
            Error::Allowlist(e) if e.is_usage() => 2,
            Error::Locked { .. } | Error::Conflict | Error::MetricsRace => 3,
            Error::Allowlist(crate::bridge::AllowlistError::Changed { .. }) => 3,
            Error::EdgeKeys(crate::cdn::alias_keys::KeysError::Changed { .. }) => 3,
            Error::Store(crate::store::StoreError::PreconditionFailed { .. }) => 3,
            // As shells report a command stopped by SIGINT.
            Error::Interrupted => 130,
            _ => 1,
        }
    }
}

/// Every process exit code Shipdeck uses, and what it means: the one table every `--help` and
/// the README's exit-code list are made from, and the codes scripts can rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Ok,
    Failure,
    Usage,
    /// Someone else holds or changed the release state or the allowlist: retry later.
    Busy,
    /// `verify` found differences, or a change waited for the edge in vain.
    Differences,
    /// `--dry-run --detailed-exitcode`: the plan would change something.
    ChangesPending,
    /// `alerts check`: one or more rules fire.
    AlertsFiring,
    /// Ctrl-C stopped a change after its writes in flight: `shipdeck resume` finishes it.
    Interrupted,
}

impl ExitCode {
    pub const ALL: [ExitCode; 8] = [
        ExitCode::Ok,
        ExitCode::Failure,
        ExitCode::Usage,
        ExitCode::Busy,
        ExitCode::Differences,
        ExitCode::ChangesPending,
        ExitCode::AlertsFiring,
        ExitCode::Interrupted,
    ];

    /// The number the process exits with.
    pub const fn code(self) -> i32 {
        match self {
            ExitCode::Ok => 0,
            ExitCode::Failure => 1,
            ExitCode::Usage => 2,
            ExitCode::Busy => 3,
            ExitCode::Differences => 4,
            ExitCode::ChangesPending => 5,
            ExitCode::AlertsFiring => 6,
            // As shells report a command stopped by SIGINT.
            ExitCode::Interrupted => 130,
        }
    }

    /// What the code means, for `--help`.
    pub const fn meaning(self) -> &'static str {
        match self {
            ExitCode::Ok => "success",
            ExitCode::Failure => {
                "failure, or could not check (network, credentials, no public_url)"
            }
            ExitCode::Usage => "bad usage",
            ExitCode::Busy => {
                "someone else holds or changed the release state or the allowlist (retry later)"
            }
            ExitCode::Differences => {
                "differences found (verify), or a change waited for the edge in vain"
            }
            ExitCode::ChangesPending => "changes pending (--dry-run --detailed-exitcode)",
            ExitCode::AlertsFiring => "one or more alert rules fire (alerts check)",
            ExitCode::Interrupted => {
                "a change stopped by Ctrl-C after its writes in flight (`shipdeck resume` finishes it)"
            }
        }
    }

    /// The code a number names; any number Shipdeck does not use is a failure.
    pub fn from_code(n: i32) -> ExitCode {
        ExitCode::ALL
            .into_iter()
            .find(|c| c.code() == n)
            .unwrap_or(ExitCode::Failure)
    }
}

impl Error {
    /// A file or terminal the OS could not read or write: `what` says which ("cannot read
    /// 'x'"), the OS's error is kept as the source.
    pub fn io(what: impl Into<String>, e: std::io::Error) -> Error {
        Error::Io {
            what: what.into(),
            source: std::sync::Arc::new(e),
        }
    }
}

/// Input the command line or a prompt gave that Shipdeck cannot use, each with its fix.
#[derive(Debug, Clone, thiserror::Error)]
pub enum InputError {
    #[error("name the paths to invalidate, e.g. shipdeck invalidate /msr-webchat/latest/*")]
    NoPaths,
    #[error(
        "'{0}' is not a GitHub owner name; use the user or organisation the Shipdeck action lives under, e.g. --owner acme (letters, digits and single hyphens, at most 39)"
    )]
    Owner(String),
    #[error(transparent)]
    CdnPath(#[from] crate::domain::layout::CdnPathError),
    #[error("--no-invalidate was given, so the CDN is left alone; drop it to invalidate")]
    CdnSkipped,
    #[error("profile '{profile}' has no CDN to invalidate; add a `cdn` to it")]
    NoCdn { profile: String },
    #[error("the window is empty: --since must be before --until")]
    EmptyWindow,
    #[error("{flag}: {source}")]
    Time {
        flag: &'static str,
        #[source]
        source: crate::domain::when::NotATime,
    },
    /// A usage figure out of range (`sentence` names the flag or key it came from).
    #[error("{sentence}")]
    Usage {
        sentence: String,
        #[source]
        source: crate::domain::cost::UsageError,
    },
    #[error(transparent)]
    List(#[from] crate::bridge::UnknownList),
    #[error(
        "profile '{profile}' uses a local store, which needs no credentials; choose an S3 or Azure profile with --profile"
    )]
    NoCredentialsNeeded { profile: String },
    #[error("--kind is for Azure profiles; profile '{profile}' is on S3")]
    KindOnS3 { profile: String },
    #[error(
        "say which secret comes on stdin with --kind account-key, --kind sas or --kind client-secret"
    )]
    KindNeeded,
    #[error("'{got}' is not one of the choices; type 1, 2 or 3")]
    NotAChoice { got: String },
    #[error("the {what} is missing: {how}")]
    Missing { what: String, how: String },
    #[error(
        "that is not an account key (account keys are base64, as the portal's Access keys page shows them)"
    )]
    NotAnAccountKey,
    #[error(
        "that is not a SAS token (a SAS token has sv=…&…&sig=…); generate one for the container with read, add, create, write, delete and list"
    )]
    NotASas,
    #[error(
        "this command changes the store and needs a confirmation, but stdin is not a terminal; pass --yes to apply or --dry-run to only see the plan"
    )]
    NoConfirmation,
    #[error("cancelled; nothing was changed")]
    Cancelled,
    #[error(
        "the console needs a terminal; in scripts use a subcommand such as `shipdeck releases` (see --help)"
    )]
    NoTerminal,
    #[error("`{command}` is not a change; this is a bug in Shipdeck's command table")]
    NotAChange { command: String },
    #[error("unknown profile '{name}'; known profiles: {known}")]
    UnknownProfile { name: String, known: String },
    #[error(
        "several profiles are configured ({names}); choose one with --profile or set default_profile"
    )]
    SeveralProfiles { names: String },
}

impl InputError {
    /// Whether the input itself is wrong (exit code 2) rather than refused or not confirmed.
    pub fn is_usage(&self) -> bool {
        !matches!(
            self,
            InputError::NoConfirmation | InputError::Cancelled | InputError::SeveralProfiles { .. }
        )
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_a_closed_set_that_reads_back() {
        let mut seen = std::collections::BTreeSet::new();
        for c in ExitCode::ALL {
            assert_eq!(ExitCode::from_code(c.code()), c);
            assert!(seen.insert(c.code()), "{} used twice", c.code());
            assert!(!c.meaning().is_empty());
        }
        // Errors exit with codes of the set, never another number.
        for e in [
            Error::Conflict,
            Error::Interrupted,
            InputError::NoPaths.into(),
            InputError::Cancelled.into(),
            NotFound::Alias("beta".into()).into(),
        ] {
            assert_eq!(ExitCode::from_code(e.exit_code()).code(), e.exit_code());
        }
        assert_eq!(Error::Interrupted.exit(), ExitCode::Interrupted);
        assert_eq!(Error::from(InputError::NoPaths).exit(), ExitCode::Usage);
        assert_eq!(Error::from(InputError::Cancelled).exit(), ExitCode::Failure);
    }
}
