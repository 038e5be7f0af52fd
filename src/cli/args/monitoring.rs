//! The monitoring commands' arguments: `metrics publish` (the runbook's CloudWatch metrics)
//! and `alerts check|sync`, kept beside the rest of the CLI's arguments.

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum MetricsCommand {
    /// Send each complete five-minute bucket of the logs to CloudWatch, once.
    #[command(
        after_help = format!("Publishes DownloadCount (dimensions Version, FileType; alias traffic counted for the version\n\
the alias served, from history) and DownloadLatency (milliseconds, dimension Version) into the\n\
namespace MSR/Webchat, one statistic set per complete five-minute bucket with the bucket's time.\n\
A watermark in the release store (beside the history) records the last bucket sent, so a second\n\
run, a colleague or a CI job never sends a bucket twice; the newest hour of logs, which may still\n\
be arriving, waits for the next run. CloudWatch takes data points up to two weeks old.\n\n\
Uses the profile's AWS credentials; `metrics = {{ region, namespace, endpoint, alarm_actions }}`\n\
in the profile overrides the defaults (the logs' or store's region; AWS_ENDPOINT_URL is honoured).\n\n\
{}\n\n\
Examples:\n  shipdeck metrics publish --dry-run\n  shipdeck --profile prod metrics publish --since 1d", super::super::exit::help(&[super::super::exit::OK, super::super::exit::FAILURE, super::super::exit::BUSY]))
    )]
    Publish {
        /// How far back to publish: 1d, 36h, 90m ago, or a date / RFC 3339 time (at most two
        /// weeks; buckets already published are skipped either way).
        #[arg(long, default_value = "1d", value_name = "WHEN")]
        since: String,
        /// Show what would be sent; send nothing, record nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Evaluate every alert rule of the profile on the complete part of its window.
    #[command(
        after_help = format!("Rules live in the profile:\n\n  [[profiles.prod.alerts]]\n  name = \"latest 5xx\"\n  alias = \"latest\"        # or version = \"1.0.1\"\n  metric = \"error_rate\"   # error_rate, client_error_rate, incomplete_rate, p95_latency_ms,\n                          # requests, edge_stale, sentry_new_issues\n  above = 0.02             # or below = 10 (\"the widget stopped loading\")\n  window = \"1h\"\n\n\
The window ends where the logs are complete (the newest hour may still be arriving). A firing rule\n\
on an alias names the rollback to its previous target, from history.\n\n\
{}\n\n\
Examples:\n  shipdeck alerts check\n  shipdeck --profile prod alerts check --json", super::super::exit::help(&[super::super::exit::OK, super::super::exit::ALERTS_FIRING, super::super::exit::FAILURE]))
    )]
    Check,
    /// Keep CloudWatch alarms for the rules CloudWatch can watch on the published metrics.
    #[command(
        after_help = "Each rule on a version's `requests` becomes the alarm shipdeck/PROFILE/RULE on the sum of its\n\
DownloadCount (every file type) over the rule's window; the others (alias rules, shares,\n\
percentiles, Sentry, the edge) are listed as checked by `shipdeck alerts check` only, with why.\n\
The plan comes first: create, update or unchanged; alarms whose rule is gone are named, never\n\
deleted. Alarm actions come from `alarm_actions` in the profile's metrics table.\n\n\
Examples:\n  shipdeck alerts sync --dry-run\n  shipdeck --profile prod alerts sync"
    )]
    Sync {
        /// Show the plan; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}
