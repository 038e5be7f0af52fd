//! The edge-alias commands' arguments: `edge code|status|sync` and `canary …` (with
//! `promote --canary`, which lives with promote), kept beside the rest of the CLI's arguments.

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum EdgeCommand {
    /// Print the exact CloudFront Function source for this profile, for review.
    #[command(
        after_help = "request: the viewer-request function. It rewrites /{prefix}{alias}/{file} to the release \
its alias's KeyValueStore key names, before the cache lookup, so moving an alias is one key write: no \
copies, no invalidation. A key's value is VERSION (1.0.1) or VERSION;CANARY=PERCENT (1.0.1;1.1.0=5: 5 % \
of viewers, sticky per viewer address, get 1.1.0). Release folders, unknown names and a missing key \
pass through to the copied alias folder.\n\n\
response: the viewer-response function. It gives files served under an alias URL the alias's \
Cache-Control (alias_cache_control), not the release's year-long immutable one.\n\n\
Both run on the cloudfront-js-2.0 runtime; the output depends only on the profile's prefix and \
alias_cache_control, and needs no credentials.\n\n\
Examples:\n  shipdeck edge code request\n  shipdeck --profile prod edge code response > response.js"
    )]
    Code {
        /// Which function: the viewer-request rewrite or the viewer-response header.
        #[arg(value_enum)]
        which: EdgeFunction,
    },
    /// Each alias's KeyValueStore key beside the release the state says it serves.
    #[command(after_help = format!("Reads the profile's KeyValueStore (cdn = {{ kind = \"cloudfront\", …, edge = {{ kvs_arn = \"…\" }} }})\n\
and says, alias by alias, what browsers get: the key's release (in sync, or differs), the copied\n\
alias folder (no key, or a value the function cannot read), and keys no alias owns.\n\n\
{}\n\n\
Examples:\n  shipdeck edge status\n  shipdeck --profile prod edge status --json", super::super::exit::help(&[super::super::exit::OK, super::super::exit::DIFFERENCES, super::super::exit::FAILURE])))]
    Status,
    /// Write the keys that differ from the release state, in one write over the ETag read.
    #[command(after_help = format!("Plans first (each key put or deleted, with what it was), asks unless --yes, then writes every\n\
key in one UpdateKeys call carrying the ETag it read: if someone else wrote the store in between,\n\
nothing is written (exit 3). A key in sync, a canary on the state's release included, is kept.\n\
The change is recorded in history.\n\n\
{}\n\n\
Examples:\n  shipdeck edge sync --dry-run\n  shipdeck edge sync --yes", super::super::exit::help(&[super::super::exit::OK, super::super::exit::BUSY, super::super::exit::FAILURE])))]
    Sync,
    /// Create or update the KeyValueStore and both functions, and attach them to the distribution.
    #[command(after_help = format!("Reads CloudFront and plans (each step a call: CreateKeyValueStore, CreateFunction or\n\
UpdateFunction, TestFunction, PublishFunction, UpdateDistribution), asks unless --yes, then runs\n\
the steps in order. The functions are `edge code`'s, named NAME-request and NAME-response (NAME:\n\
cdn.edge.name, default shipdeck-DISTRIBUTION); they go on the behaviours that alias paths select,\n\
in one distribution update over the configuration's ETag. A behaviour that already runs another\n\
function (or Lambda@Edge) on a viewer event is refused with its name. Setup is idempotent: a\n\
second run plans nothing, and a setup stopped by an error is finished by running it again.\n\n\
{}\n\n\
Examples:\n  shipdeck edge setup --dry-run\n  shipdeck --profile prod edge setup --yes", super::super::exit::help(&[super::super::exit::OK, super::super::exit::FAILURE])))]
    Setup,
}

/// The two functions of edge aliases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EdgeFunction {
    Request,
    Response,
}

#[derive(Debug, Subcommand)]
pub enum CanaryCommand {
    /// Every alias with a canary at the edge, and its share.
    #[command(
        after_help = "Examples:\n  shipdeck canary status\n  shipdeck --profile prod canary status --json"
    )]
    Status,
    /// Change the share of the running canary (whole percent, 1-99; raising it only adds viewers).
    #[command(
        after_help = "Examples:\n  shipdeck canary set 25\n  shipdeck canary set 50 --alias v1"
    )]
    Set {
        /// The new share of viewers, a whole percent from 1 to 99.
        #[arg(value_parser = clap::value_parser!(u8).range(1..=99))]
        percent: u8,
        /// The alias whose canary moves.
        #[arg(long, default_value = "latest")]
        alias: String,
    },
    /// Promote the canary's release to every viewer (an ordinary promote: plan, copies, history).
    #[command(
        after_help = "Examples:\n  shipdeck canary finish\n  shipdeck canary finish --alias next --yes"
    )]
    Finish {
        /// The alias whose canary is promoted.
        #[arg(long, default_value = "latest")]
        alias: String,
    },
    /// Put every viewer back on the alias's release.
    #[command(
        after_help = "Examples:\n  shipdeck canary abort\n  shipdeck canary abort --alias v1 --yes"
    )]
    Abort {
        /// The alias whose canary ends.
        #[arg(long, default_value = "latest")]
        alias: String,
    },
}
