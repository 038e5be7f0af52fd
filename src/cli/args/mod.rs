//! Command-line arguments. Every command's `--help` carries examples, because the people who
//! run these during an incident should not need the README.

mod edge;
mod monitoring;

use clap::{Args, Parser, Subcommand};
pub use edge::{CanaryCommand, EdgeCommand, EdgeFunction};
pub use monitoring::{AlertsCommand, MetricsCommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "shipdeck",
    version,
    about = "Release the web-chat widget to CDNs: versions, aliases, rollback, Bridge origins, cost.",
    long_about = "Shipdeck manages immutable releases (v1.2.3/) and moving aliases (latest/, v1/, v1.2/, channels) \
of the web-chat widget in a release store, with a plan and a confirmation before every change.\n\n\
Run with no command to open the interactive console. With no configuration at all, Shipdeck uses a \
built-in demo store so you can try everything safely.",
    after_help = format!(
        "{}\n\nExamples:\n  shipdeck                         open the console\n  shipdeck releases                list versions and aliases\n  shipdeck publish dist-cdn/ --promote\n  shipdeck rollback latest --to 1.0.1\n  shipdeck --profile prod --json releases",
        super::exit::help(&super::exit::TABLE.map(|(c, _)| c))
    )
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct Global {
    /// Config file (else $SHIPDECK_CONFIG, ./shipdeck.toml, the user config dir; none = demo store).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Profile to act on (else default_profile, or the only profile).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Print exactly one JSON document on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Apply changes without asking.
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    /// Show the plan and stop; change nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Do not invalidate or purge the CDN after aliases move.
    #[arg(long, global = true)]
    pub no_invalidate: bool,
    /// Console: hide and refuse every changing action.
    #[arg(long, global = true)]
    pub readonly: bool,
    /// Console: colour theme (dark, light, high-contrast, or a theme file in the config dir).
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,
    /// With --dry-run: exit 0 when nothing would change and 5 when changes are pending.
    #[arg(long, global = true)]
    pub detailed_exitcode: bool,
    /// Changes: wait until the edge serves the moved aliases, at most this long (90s, 5m);
    /// not served in time exits 4. Default: the profile's confirm_edge, else check once.
    #[arg(
        long,
        global = true,
        value_name = "DURATION",
        conflicts_with = "no_confirm_edge"
    )]
    pub confirm_edge: Option<String>,
    /// Changes: do not wait for the edge even when the profile sets confirm_edge.
    #[arg(long, global = true)]
    pub no_confirm_edge: bool,
    /// Also append one JSON line per event (plan, each phase, result) to FILE.
    #[arg(long, global = true, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every version and alias.
    #[command(
        after_help = "Examples:\n  shipdeck releases\n  shipdeck releases --json | jq '.aliases[] | {name, target}'"
    )]
    Releases,
    /// One release in full: status, files with sizes, cache headers and SRI, and embed snippets.
    #[command(
        after_help = "Examples:\n  shipdeck show 1.2.0\n  shipdeck show 1.2.0 --json | jq -r '.manifest.files[] | \"\\(.path) \\(.sri)\"'"
    )]
    Show {
        /// The published version.
        version: String,
    },
    /// What changed between two releases: files added, removed and changed, with sizes.
    #[command(
        after_help = "Examples:\n  shipdeck diff 1.1.0 1.2.0\n  shipdeck diff 1.1.0 1.2.0 --json"
    )]
    Diff {
        /// The older release.
        from: String,
        /// The newer release.
        to: String,
    },
    /// Upload a build folder as the immutable release vX.Y.Z/.
    #[command(
        after_help = "The version defaults to \"version\" in the nearest package.json.\nFiles get Cache-Control \
\"public, immutable, max-age=31536000\"; .html and .map files \"public, max-age=3600\".\n\nExamples:\n  shipdeck publish dist-cdn/\n  shipdeck publish dist-cdn/ --version 1.2.0 --promote --yes\n  shipdeck publish dist-cdn/ --dry-run"
    )]
    Publish {
        /// The build output folder (e.g. dist-cdn/).
        dir: PathBuf,
        /// Version to publish as (MAJOR.MINOR.PATCH[-pre]).
        #[arg(long)]
        version: Option<String>,
        /// Also make it eligible for the automatic aliases right away.
        #[arg(long)]
        promote: bool,
        /// Git commit the build came from, recorded in the manifest.
        #[arg(long, value_name = "SHA")]
        commit: Option<String>,
        /// Publish even if the build lacks the widget's entry files (the profile's
        /// `entry_files`, by default msr-webchat.umd.js, msr-webchat.es.js and style.css).
        #[arg(long)]
        allow_missing_entries: bool,
    },
    /// Make a version eligible and re-resolve aliases, or pin one alias to it.
    #[command(
        after_help = "Examples:\n  shipdeck promote 1.2.0                 latest, v1 and v1.2 follow if 1.2.0 is highest\n  shipdeck promote 2.0.0-rc.1 --alias next\n  shipdeck promote 1.1.3 --alias v1.1    pin v1.1 to 1.1.3"
    )]
    Promote {
        /// The published version (MAJOR.MINOR.PATCH[-pre]).
        version: String,
        /// Pin this alias (latest, vM, vM.m or a channel such as next) instead.
        #[arg(long, value_name = "ALIAS")]
        alias: Option<String>,
        /// Edge mode: serve the version to this whole percent of the alias's viewers (1-99,
        /// sticky per viewer) instead of all of them; `shipdeck canary` moves it on.
        #[arg(long, value_name = "PERCENT", value_parser = clap::value_parser!(u8).range(1..=99))]
        canary: Option<u8>,
    },
    /// Pin an alias back to an earlier version (default: its previous target).
    #[command(
        after_help = "Examples:\n  shipdeck rollback                      latest back to its previous target\n  shipdeck rollback v1 --to 1.0.1\n  shipdeck unpin latest                  when the fix is out"
    )]
    Rollback {
        /// The alias to roll back.
        #[arg(default_value = "latest")]
        alias: String,
        /// The version to pin it to (default: its previous target, from history).
        #[arg(long, value_name = "VERSION")]
        to: Option<String>,
    },
    /// Return a pinned alias to automatic resolution (a channel is removed).
    #[command(
        after_help = "After a rollback, once the fix is published and promoted, unpin lets the alias follow the\nhighest eligible release again.\n\nExamples:\n  shipdeck unpin latest\n  shipdeck unpin next          removes the channel"
    )]
    Unpin {
        /// The alias (latest, vM, vM.m, or a channel such as next).
        alias: String,
    },
    /// Exclude a version from every alias; its folder stays for pinned users.
    #[command(
        after_help = "Every alias serving the version moves to the next eligible one; an alias with no other\nrelease in its scope is removed, and the plan says so first. The reason is kept in the\nrelease list and in history, even after an unyank.\n\nExamples:\n  shipdeck yank 1.1.0 --reason \"breaks Safari 15\"\n  shipdeck yank 1.1.0 --reason \"CVE-2026-1234\" --dry-run"
    )]
    Yank {
        /// The version to yank.
        version: String,
        /// Why, for the team reading the release list and history later.
        #[arg(long)]
        reason: String,
    },
    /// Undo a yank.
    #[command(after_help = "Example:\n  shipdeck unyank 1.1.0")]
    Unyank {
        /// The yanked version.
        version: String,
    },
    /// Compare the store (or, with --edge, what browsers get) with the manifests.
    #[command(
        after_help = format!("With no arguments every alias and every release is checked in the store.\n\n\
With --edge, Shipdeck fetches every file of every alias through the profile's public_url as a\n\
customer's browser does (no credentials, Origin: the allowlist's first ALLOWED_ORIGINS entry,\n\
Accept-Encoding: br, gzip) and checks the bytes, Cache-Control, Content-Type, compression and\n\
Access-Control-Allow-Origin; a stale alias is named with the release it is still served as.\n\n\
{}\n\n\
Examples:\n  shipdeck verify\n  shipdeck verify latest 1.0.1\n  shipdeck verify --edge\n  shipdeck verify --edge --wait 10m        after a rollback: until every alias is served\n  shipdeck verify --edge --versions --json", super::exit::help(&[super::exit::OK, super::exit::DIFFERENCES, super::exit::FAILURE]))
    )]
    Verify {
        /// Aliases and versions to check (every one when none is named; with --edge, every
        /// alias).
        #[arg(value_name = "ALIAS|VERSION")]
        targets: Vec<String>,
        /// Check what browsers get from the CDN's edge through public_url, not the store.
        #[arg(long)]
        edge: bool,
        /// With --edge: also every published release.
        #[arg(long, requires = "edge")]
        versions: bool,
        /// With --edge: poll with backoff until every alias serves its target, at most this
        /// long (90s, 5m, 1h).
        #[arg(long, value_name = "DURATION", requires = "edge")]
        wait: Option<String>,
    },
    /// Make alias folders match their releases again (after `verify` failed, or a hand-run sync).
    #[command(
        after_help = "Changes plan from the release state, which knows what every alias folder holds. When a folder\nwas changed outside Shipdeck, `shipdeck verify` names the files; `repair` lists the folders\nand copies what is missing or different, deletes what does not belong, and invalidates the\nCDN paths of the aliases it touched. With no arguments every alias is repaired.\n\nExamples:\n  shipdeck repair latest\n  shipdeck repair --dry-run\n  shipdeck repair --state          after the state document was deleted or damaged"
    )]
    Repair {
        /// Aliases to repair (every alias when none is named).
        aliases: Vec<String>,
        /// Rebuild a missing or damaged release state from the manifests, history and alias
        /// folders instead (never replaces a readable one).
        #[arg(long, conflicts_with = "aliases")]
        state: bool,
    },
    /// List recorded changes, newest first.
    #[command(
        after_help = "Every change is recorded: publish, promote, rollback, unpin, yank (with its reason), unyank,\nrepair, resume, revert, CDN invalidations that failed, and allowlist edits.\n\nExamples:\n  shipdeck history\n  shipdeck history --limit 20\n  shipdeck history --json | jq '.events[] | select(.action == \"rollback\")'"
    )]
    History {
        /// Show only the N newest events (1 or more).
        #[arg(long, value_name = "N", value_parser = at_least_one)]
        limit: Option<u32>,
    },
    /// Finish (or with --revert undo) an interrupted operation.
    #[command(
        after_help = "An operation killed part-way (a crash, Ctrl-C, a lost connection) is recorded in the release\nstate. `resume` finishes it; `resume --revert` discards it and puts every alias back, even when\nits writes can never succeed. While the run that holds the lock is still alive, both refuse\nand name it.\n\nExamples:\n  shipdeck resume\n  shipdeck resume --revert --yes"
    )]
    Resume {
        /// Undo the interrupted operation instead of finishing it.
        #[arg(long)]
        revert: bool,
    },
    /// Remove the release lock left by a run that died (check with its holder first).
    #[command(
        after_help = "A lock whose holder process is gone (on this machine) or whose 15-minute lease ran out is taken\nover by the next change anyway; `unlock` is for a lock held from another machine that died.\nIt names the holder first; a live lock is removed only after a confirmation (or --yes), and\n--dry-run only says what would be removed.\n\nExamples:\n  shipdeck unlock --dry-run\n  shipdeck unlock"
    )]
    Unlock,
    /// Show the configured profiles and where the configuration came from.
    #[command(
        after_help = "Examples:\n  shipdeck profiles\n  shipdeck --config ./shipdeck.toml profiles --json"
    )]
    Profiles,
    /// Create the profile's local store folder, or check that its S3 bucket is reachable.
    #[command(
        after_help = "Shipdeck never creates a store by accident: a mistyped local path is an error, not a new empty
store. `init` is the one command that creates a local store's folder; on S3 it checks that the
bucket exists and these credentials can read it (buckets are created with your cloud's tools).

Examples:
  shipdeck init
  shipdeck --profile staging init"
    )]
    Init,
    /// Estimate the monthly cost of delivering the widget (AWS, Azure, or both side by side).
    #[command(
        after_help = "Bundle bytes per load are the gzip sizes of the UMD bundle and stylesheet of the release `latest` serves, unless --bundle-kb is given. Usage comes from --usage FILE (TOML; see assets/usage.example.toml) and flags override it.\n\nExamples:\n  shipdeck cost\n  shipdeck cost --loads 2000000 --compare\n  shipdeck cost --usage usage.toml --scale 10 --json"
    )]
    Cost(CostArgs),
    /// Store a profile's cloud credentials in the OS keyring.
    #[command(
        after_help = "S3 profiles: asks for the access key id and the secret (hidden); --stdin reads them as two lines.\nAzure profiles: asks which kind of secret (or takes --kind), then the secret (hidden); --stdin reads\nthe secret as one line (a client secret: tenant id, client id and secret as three lines).\n\nExamples:\n  shipdeck login --profile prod\n  printf '%s\\n%s\\n' \"$KEY_ID\" \"$SECRET\" | shipdeck login --profile prod --stdin\n  printf '%s\\n' \"$SAS\" | shipdeck login --profile azure-prod --kind sas --stdin\n  shipdeck login --sentry --profile prod"
    )]
    Login {
        /// Read the secret from stdin, one value per line.
        #[arg(long)]
        stdin: bool,
        /// Store a GitHub token (for an allowlist kept in GitHub) instead of cloud credentials.
        #[arg(long, conflicts_with = "kind")]
        github: bool,
        /// Store a Sentry auth token (releases, deploys, errors per release) instead.
        #[arg(long, conflicts_with_all = ["kind", "github"])]
        sentry: bool,
        /// Azure only: which secret to store.
        #[arg(long, value_enum)]
        kind: Option<AzureKind>,
    },
    /// Remove a profile's cloud credentials (or, with --github, its GitHub token) from the OS keyring.
    #[command(
        after_help = "Examples:\n  shipdeck logout --profile prod\n  shipdeck logout --github --profile prod\n  shipdeck logout --sentry --profile prod"
    )]
    Logout {
        /// Remove the profile's GitHub token instead.
        #[arg(long)]
        github: bool,
        /// Remove the profile's Sentry token instead.
        #[arg(long, conflicts_with = "github")]
        sentry: bool,
    },
    /// Show where each profile's credentials come from, without showing them.
    #[command(
        after_help = "Lookup order, S3: the profile's OS-keyring entry, then the AWS chain (environment, shared config,\nSSO). Azure: the keyring entry (account key, SAS token or client secret), then AZURE_STORAGE_CONNECTION_STRING,\nAZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN, then Entra ID (client secret variables, workload identity,\nmanaged identity, the Azure CLI's login). A profile whose allowlist is on GitHub also shows its token's source
(the keyring, GH_TOKEN, GITHUB_TOKEN, then `gh auth token`). Keys are shown masked (AKIA…1234); secrets never.\n\nExample:\n  shipdeck credentials"
    )]
    Credentials,
    /// Invalidate CDN paths by hand (alias moves invalidate their own paths).
    #[command(
        after_help = "Examples:\n  shipdeck invalidate /msr-webchat/latest/*\n  shipdeck invalidate --status I2J0I21PCUYOIK"
    )]
    Invalidate {
        /// Paths such as /msr-webchat/latest/*.
        paths: Vec<String>,
        /// Show the status of an earlier invalidation instead.
        #[arg(long, value_name = "ID")]
        status: Option<String>,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  shipdeck completions bash > /etc/bash_completion.d/shipdeck\n  shipdeck completions zsh > \"${fpath[1]}/_shipdeck\"\n  shipdeck completions fish > ~/.config/fish/completions/shipdeck.fish"
    )]
    Completions {
        /// bash, zsh, fish, powershell or elvish.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from the same definitions as --help.
    #[command(after_help = "Example:\n  shipdeck man > shipdeck.1 && man ./shipdeck.1")]
    Man,
    /// Write the GitHub Actions workflows (deploy, rollback, nightly verify, the Bridge's
    /// deploy) for this repository.
    #[command(
        after_help = "The owner of the Shipdeck action is set once here: the workflows use OWNER/shipdeck@vMAJOR, the\n\
major version of this Shipdeck (the action installs the release of its own ref and checks it\n\
against the release's SHA256SUMS). Third-party actions are pinned by commit SHA. Existing files\n\
are left alone unless --force. Each workflow's header names the repository settings it reads\n\
and the README's *Permissions* lists what its role needs.\n\n\
Examples:\n  shipdeck workflows --owner acme\n  shipdeck workflows --owner acme --cloud azure --bridge --dir .github/workflows"
    )]
    Workflows {
        /// The GitHub user or organisation the Shipdeck action lives under.
        #[arg(long)]
        owner: String,
        /// Which cloud the releases are on.
        #[arg(long, value_enum, default_value_t = crate::ci::templates::Cloud::Aws)]
        cloud: crate::ci::templates::Cloud,
        /// Also write the Bridge's deploy to Azure Container Instances (deploy-bridge.yml).
        #[arg(long)]
        bridge: bool,
        /// Where to write them.
        #[arg(long, default_value = ".github/workflows")]
        dir: std::path::PathBuf,
        /// Overwrite files that exist.
        #[arg(long)]
        force: bool,
    },
    /// Edit, audit and probe the Bridge's origin allowlist.
    #[command(
        subcommand,
        after_help = "Examples:\n  shipdeck origins list\n  shipdeck origins add https://customer3.com\n  shipdeck origins audit\n  shipdeck origins probe"
    )]
    Origins(OriginsCommand),
    /// Who still loads which version, from the CDN's access logs.
    #[command(
        after_help = "One row per release and alias folder: requests, bytes, 2xx/304/4xx/5xx, cache hits, incomplete\n\
downloads, last request, top referrer hosts and a per-day (per-hour for two days or less) trend.\n\
Alias traffic is attributed to the version each alias served at that moment (from history);\n\
around each promote and rollback, requests and errors one hour before and after. Log files are\n\
read once: their counts are cached by ETag in the data dir, so the next run reads only new ones.\n\
Needs `logs = { kind = \"cloudfront\", bucket = …, prefix = … }` (or kind = \"frontdoor\", or kind = \"directory\", path = … for logs another tool syncs to this machine) in the profile.\n\n\
Examples:\n  shipdeck traffic\n  shipdeck traffic --since 36h\n  shipdeck traffic --since 2026-11-01 --until 2026-11-15 --json\n  shipdeck traffic --since 30d --engine athena"
    )]
    Traffic {
        /// Start of the window: 7d, 36h, 90m ago, or a date / RFC 3339 time.
        #[arg(long, default_value = "7d", value_name = "WHEN")]
        since: String,
        /// End of the window (default: now).
        #[arg(long, value_name = "WHEN")]
        until: Option<String>,
        /// local (read the log files here) or athena (one query over the CloudFront logs
        /// table; needs athena = { database, table } in the profile's logs).
        #[arg(long, value_name = "ENGINE", value_enum, default_value_t = crate::ops::traffic::Engine::Local)]
        engine: crate::ops::traffic::Engine,
        /// Print the Athena query for the window instead of running anything.
        #[arg(long)]
        sql: bool,
    },
    /// Keep the prices the cost estimate uses current.
    #[command(
        subcommand,
        after_help = "Examples:\n  shipdeck pricing update\n  shipdeck pricing update --provider azure --dry-run"
    )]
    Pricing(PricingCommand),
    /// Whether to roll back: the profile's alert rules on the CDN's logs and the edge.
    #[command(subcommand)]
    Alerts(AlertsCommand),
    /// The runbook's CloudWatch metrics (DownloadCount, DownloadLatency), from the CDN's logs.
    #[command(subcommand)]
    Metrics(MetricsCommand),
    /// Edge aliases: an alias as one CloudFront KeyValueStore key read by a CloudFront Function.
    #[command(subcommand)]
    Edge(EdgeCommand),
    /// Gradual promotes in edge mode: a release for a share of an alias's viewers.
    #[command(subcommand)]
    Canary(CanaryCommand),
}

#[derive(Debug, Subcommand)]
pub enum PricingCommand {
    /// Refresh the pricing files from the providers' public price lists.
    #[command(
        after_help = "Azure prices come from the Azure Retail Prices API (no account needed); AWS prices from the AWS\n\
Price List API, with the profile's AWS credentials. The files are written to pricing/ in the\n\
Shipdeck config dir, with the date and the query behind each price; the cost estimate and the\n\
Cost screen use them from then on and show how old they are. A price the list does not answer\n\
keeps its old value, and the report says so. SHIPDECK_AZURE_PRICES_URL and\n\
SHIPDECK_AWS_PRICING_ENDPOINT point at a mirror.\n\nExamples:\n  shipdeck pricing update\n  shipdeck pricing update --provider aws --json"
    )]
    Update {
        /// aws or azure (default: both).
        #[arg(long, value_name = "NAME")]
        provider: Option<crate::domain::cost::Provider>,
    },
}

#[derive(Debug, Subcommand)]
pub enum OriginsCommand {
    /// Every origin, the list it lives in, and its audit findings.
    #[command(after_help = "Examples:\n  shipdeck origins list\n  shipdeck origins list --json")]
    List,
    /// Add an origin (exactly scheme://host[:port], as browsers send it).
    #[command(
        after_help = "Give each origin exactly as a browser sends it: scheme://host[:port], lower case, no path,\nno trailing slash. Several origins are several arguments.\n\nExamples:\n  shipdeck origins add https://customer3.com\n  shipdeck origins add https://a.example https://b.example\n  shipdeck origins add https://app.example.com --to allowed --yes"
    )]
    Add {
        /// The origins to add, one per argument.
        #[arg(value_name = "ORIGIN", required = true)]
        origins: Vec<String>,
        /// ALLOWED_ORIGINS (allowed) or ADDITIONAL_ORIGINS (additional).
        #[arg(long, default_value = "additional", value_name = "LIST")]
        to: String,
    },
    /// Remove an origin (as written, or any entry that normalises to it).
    #[command(
        after_help = "The Bridge reads its list at start-up: after removing, restart or redeploy it, then\n`shipdeck origins probe` checks that the removed origin is refused.\n\nExample:\n  shipdeck origins remove https://customer1.com"
    )]
    Remove {
        /// The origin to remove.
        origin: String,
    },
    /// Check the list for dead, dangerous and risky entries; exits 1 on a warning or worse.
    #[command(
        after_help = "Rules: wildcard-with-credentials, null-origin, never-matches (upper case, trailing slash, path, \
default port, spaces), invalid, duplicate, insecure-http and local-address (production profiles), \
third-party-hosting, empty, and in a .env duplicate-key and empty-entry.\n\nExamples:\n  shipdeck origins audit\n  shipdeck --profile prod origins audit --json"
    )]
    Audit,
    /// Send real CORS preflights to the Bridge and compare its answers with the list.
    #[command(
        after_help = "With no origins, every listed origin is probed, the origins recent edits removed (a Bridge not \
restarted still allows them), and a random origin, 'null' and a suffix trick that must all be \
refused.\n\nExamples:\n  shipdeck origins probe\n  shipdeck origins probe https://customer3.com"
    )]
    Probe {
        /// Origins to probe (default: every listed one, recently removed ones, and three that
        /// must be refused).
        origins: Vec<String>,
    },
    /// Make a change take effect: dispatch the Bridge's deploy workflow, follow it, probe.
    #[command(
        after_help = "For an allowlist kept on GitHub with `deploy_workflow` in the profile's bridge section: writes the
GitHub secrets from Shipdeck's list (secret mode), dispatches the workflow, follows the run to its
end, then probes the running Bridge and reports whether it answers as the list says. Exits 0 only
when the run succeeded and the probe agrees.

Examples:
  shipdeck origins add https://app.example.com && shipdeck origins apply
  shipdeck --json origins apply"
    )]
    Apply,
}

#[derive(Debug, Args, Clone)]
pub struct CostArgs {
    /// Usage file (TOML): loads, cache hit shares, releases, fixed items.
    #[arg(long, value_name = "FILE")]
    pub usage: Option<PathBuf>,
    /// Widget loads per month (0 to 1e12).
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = number_in(0.0, 1e12))]
    pub loads: Option<f64>,
    /// Gzip KB a page loads, overriding the manifest of latest (above 0, at most 1e6).
    #[arg(long, value_name = "K", allow_negative_numbers = true, value_parser = number_in(f64::MIN_POSITIVE, 1e6))]
    pub bundle_kb: Option<f64>,
    /// AWS and Azure side by side.
    #[arg(long)]
    pub compare: bool,
    /// Show the estimate at X times the traffic (above 0, at most 1e6).
    #[arg(long, value_name = "X", default_value_t = 1.0, allow_negative_numbers = true, value_parser = number_in(f64::MIN_POSITIVE, 1e6))]
    pub scale: f64,
    /// aws or azure (default: the profile's cloud; aws for a local store).
    #[arg(long, value_name = "NAME")]
    pub provider: Option<crate::domain::cost::Provider>,
}

/// A clap parser for a finite number within `min..=max`, with a sentence naming the range.
fn number_in(min: f64, max: f64) -> impl Fn(&str) -> Result<f64, NumberError> + Clone {
    move |text: &str| {
        let v: f64 = text
            .trim()
            .replace('_', "")
            .parse()
            .map_err(|_| NumberError::NotANumber {
                text: text.to_string(),
            })?;
        if !v.is_finite() || v < min || v > max {
            let low = if min > 0.0 {
                "above 0".to_string()
            } else {
                format!("from {min}")
            };
            return Err(NumberError::OutOfRange {
                text: text.to_string(),
                low,
                max,
            });
        }
        Ok(v)
    }
}

/// A number argument that is not one Shipdeck can use; clap prints the sentence.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NumberError {
    #[error("'{text}' is not a number")]
    NotANumber { text: String },
    #[error("{text} is out of range; use a number {low} up to {max:e}")]
    OutOfRange { text: String, low: String, max: f64 },
    #[error("0 shows nothing; use 1 or more")]
    Zero,
    #[error("'{text}' is not a count; use a whole number, 1 or more")]
    NotACount { text: String },
}

/// A clap parser for a count of 1 or more.
fn at_least_one(text: &str) -> Result<u32, NumberError> {
    match text.trim().parse::<u32>() {
        Ok(0) => Err(NumberError::Zero),
        Ok(n) => Ok(n),
        Err(_) => Err(NumberError::NotACount {
            text: text.to_string(),
        }),
    }
}

/// The kinds of secret an Azure profile can keep in the keyring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AzureKind {
    /// A storage account key (signs short-lived SAS tokens locally).
    AccountKey,
    /// A SAS token for the account or container.
    Sas,
    /// An Entra ID app registration's client secret (also purges Front Door).
    ClientSecret,
}
