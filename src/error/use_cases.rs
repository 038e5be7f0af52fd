//! The use cases' own failures, typed: a build folder that cannot be published, a release
//! record that is missing or damaged, a cost or pricing file that cannot be used, a target that
//! does not exist, a profile that lacks what a command needs, and a configuration file that
//! cannot be used. They live here, beside `Error`, so that the error layer wraps them without
//! importing the use cases or the configuration (which import it). Each sentence is written once
//! here, with the fix, and keeps its source; `crate::error::Error` wraps these without
//! rewording, and every front end shows them through `present::failure`.

use crate::adapters::Cause;
use semver::Version;
use std::sync::Arc;

/// The error of a file the OS could not read or write, kept as the source.
fn io(e: std::io::Error) -> Cause {
    Arc::new(e)
}

/// A build folder (or its `package.json`) that cannot be published faithfully.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BuildError {
    #[error("cannot read the build folder '{dir}': {source}")]
    Unreadable {
        dir: String,
        #[source]
        source: Cause,
    },
    #[error(
        "the build folder '{dir}' does not exist; pass the build output folder, e.g. dist-cdn/"
    )]
    Missing { dir: String },
    #[error("the build folder '{dir}' is a symbolic link; pass the real folder it points to")]
    FolderIsLink { dir: String },
    #[error("'{dir}' is not a folder; pass the build output folder, e.g. dist-cdn/")]
    NotAFolder { dir: String },
    #[error(
        "the build folder '{dir}' holds no files; run the build (e.g. npm run build:cdn) first"
    )]
    Empty { dir: String },
    #[error("'{path}' has a name that is not valid UTF-8; rename it")]
    NotUtf8 { path: String },
    /// A file name the build rules refuse (the sentence names it and why).
    #[error("{0}")]
    Refused(String),
    #[error(
        "'{path}' is a symbolic link; Shipdeck publishes only regular files inside the build folder — copy the real file in instead"
    )]
    FileIsLink { path: String },
    #[error("'{path}' is not a regular file; remove it from the build folder")]
    NotAFile { path: String },
    #[error(
        "'{dir}' is an empty folder; remove it, since an empty folder cannot exist in a bucket"
    )]
    EmptyFolder { dir: String },
    #[error("'{path}' is not valid JSON ({reason}); fix it or pass --version")]
    PackageNotJson { path: String, reason: String },
    #[error("'{path}' has no \"version\" string; add one or pass --version X.Y.Z")]
    PackageNoVersion { path: String },
    #[error("{source} (from '{path}')")]
    PackageVersion {
        path: String,
        #[source]
        source: crate::domain::version::VersionError,
    },
    #[error("no package.json found in '{dir}' or above it; pass --version X.Y.Z")]
    NoPackage { dir: String },
    #[error(
        "{version} is a prerelease and cannot be promoted to automatic aliases; publish it without --promote, then `shipdeck promote {version} --alias next`"
    )]
    PrereleasePromoted { version: Version },
    #[error(
        "the build folder '{dir}' lacks {missing} (the widget's entry files); check the build output, or pass --allow-missing-entries to publish it anyway"
    )]
    NoEntries { dir: String, missing: String },
    #[error(
        "the folder {folder} already holds {count} object(s) that Shipdeck did not publish; remove them or choose another version"
    )]
    FolderOccupied { folder: String, count: usize },
    #[error(
        "{version} is already published (by {by} on {on}) with other files: {files}; releases are immutable — bump the version in package.json or pass --version"
    )]
    PublishedDifferently {
        version: Version,
        by: String,
        on: String,
        files: String,
    },
    #[error(
        "cannot finish publishing {version}: {source}; `shipdeck resume --revert` removes the partial upload instead"
    )]
    CannotFinish {
        version: Version,
        #[source]
        source: Box<BuildError>,
    },
    #[error("the plan has no build file for {key}; plan again")]
    NoBuildFile { key: String },
    #[error("the demo build {version} is missing from this binary; reinstall Shipdeck")]
    DemoMissing { version: String },
    #[error("build file '{path}' changed since the plan was made; run the command again")]
    Changed { path: String },
}

impl BuildError {
    pub(crate) fn unreadable(dir: &std::path::Path, e: std::io::Error) -> BuildError {
        BuildError::Unreadable {
            dir: dir.display().to_string(),
            source: io(e),
        }
    }

    /// Whether the input is wrong (exit code 2) rather than the store refusing it.
    pub fn is_usage(&self) -> bool {
        !matches!(
            self,
            BuildError::FolderOccupied { .. }
                | BuildError::PublishedDifferently { .. }
                | BuildError::CannotFinish { .. }
                | BuildError::NoBuildFile { .. }
                | BuildError::Changed { .. }
                | BuildError::DemoMissing { .. }
        )
    }
}

/// The release records (state, manifests) missing, damaged or not what a change expects.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RecordError {
    #[error(
        "the release state '{key}' is missing from {store}, though it holds {manifests} release manifest(s): it was deleted or lost; `shipdeck repair --state` rebuilds it from the manifests and alias folders"
    )]
    StateMissing {
        key: String,
        store: String,
        manifests: usize,
    },
    #[error(
        "the release state '{key}' in {store} is damaged ({reason}); restore it from the store's versioning or backups, or rebuild it with `shipdeck repair --state`"
    )]
    StateDamaged {
        key: String,
        store: String,
        reason: String,
    },
    #[error(
        "the release state '{key}' has schema {found} but this Shipdeck understands {known}; upgrade Shipdeck"
    )]
    StateSchema { key: String, found: u32, known: u32 },
    #[error(
        "the release state '{key}' is readable; `repair --state` only rebuilds a missing or damaged one (`shipdeck repair` mends alias folders)"
    )]
    StateReadable { key: String },
    #[error(
        "the store holds no release manifest to rebuild the state from; a store with no releases needs no state (`shipdeck publish DIR` starts one)"
    )]
    NothingToRebuild,
    #[error("cannot encode {what} as JSON: {reason}")]
    Encode { what: String, reason: String },
    #[error(
        "the manifest of {version} ('{key}') is damaged ({reason}); `shipdeck verify {version}` cannot run without it"
    )]
    ManifestDamaged {
        version: Version,
        key: String,
        reason: String,
    },
    #[error(
        "release {version} has no manifest in {store}; it was never fully published — publish it again"
    )]
    NoManifest { version: Version, store: String },
    #[error(
        "release {version} already has a different manifest; releases are immutable — publish a new version"
    )]
    ManifestDiffers { version: Version },
    #[error("nothing to resume: no unfinished operation is recorded for this profile{}", .stale_lock.as_ref().map(|h| format!(" (removed the stale lock left by {h}, which had changed nothing)")).unwrap_or_default())]
    NothingToResume {
        /// The holder of a stale lock removed on the way (a manager killed before it wrote).
        stale_lock: Option<String>,
    },
    #[error("the plan has no copy source for {key}; plan again")]
    NoCopySource { key: String },
}

/// What a command names that the store does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotFound {
    #[error("alias '{0}' does not exist; `shipdeck releases` lists the aliases")]
    Alias(String),
    #[error("version {0} is not published; `shipdeck releases` lists the published versions")]
    Version(Version),
}

/// A profile that lacks what a command needs, and the key to add.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileGap {
    #[error(
        "this profile has no public_url, so Shipdeck cannot fetch what browsers get; add public_url = \"https://cdn.example.com/msr-webchat\" (the URL of the published prefix) to the profile"
    )]
    NoPublicUrl,
    #[error(
        "this profile has no bridge.url to probe; add url = \"https://api.example.com/v1/chat\" to its bridge table"
    )]
    NoBridgeUrl,
    #[error(
        "profile '{profile}' has no Bridge allowlist; add to it: bridge = {{ allowlist = {{ kind = \"dotenv\", path = \"../bridge/.env\" }}, url = \"https://api.example.com/v1/chat\" }}"
    )]
    NoBridge { profile: String },
    #[error(
        "profile '{profile}' names a deploy_workflow, which runs on GitHub, but its allowlist is not kept on GitHub; use allowlist = {{ kind = \"github\", repo = \"org/bridge\" }} or remove deploy_workflow"
    )]
    WorkflowOffGitHub { profile: String },
    #[error(
        "this profile names no deploy_workflow: redeploy the Bridge by hand, then run `shipdeck origins probe` (or add deploy_workflow = \"deploy-bridge.yml\" to its bridge section)"
    )]
    NoDeployWorkflow,
    #[error(
        "this profile names no deploy_workflow and {repo} has no {file} (the Bridge deploy `shipdeck workflows` writes): add it there or set deploy_workflow in the bridge section; meanwhile redeploy the Bridge by hand, then run `shipdeck origins probe`"
    )]
    DefaultWorkflowMissing { repo: String, file: String },
    #[error(
        "profile '{profile}' names no access logs; add e.g. logs = {{ kind = \"cloudfront\", bucket = \"msr-webchat-logs\", prefix = \"cdn/\" }} (or kind = \"frontdoor\", account = \"…\", or kind = \"directory\", path = \"…\" for logs synced to this machine)"
    )]
    NoLogs { profile: String },
    #[error(
        "the profile's logs name no Athena table; add athena = {{ database = \"…\", table = \"…\" }} to them"
    )]
    NoAthenaTable,
    #[error(
        "profile '{profile}' names no KeyValueStore for edge aliases; add edge = {{}} to its cloudfront cdn table (then `shipdeck edge setup` creates the KeyValueStore and functions), or edge = {{ kvs_arn = \"arn:aws:cloudfront::ACCOUNT:key-value-store/ID\" }} for an existing store"
    )]
    NoEdgeKeys { profile: String },
    #[error(
        "there is no KeyValueStore named '{name}' yet; run `shipdeck edge setup` to create it, or set kvs_arn in the profile's cdn.edge"
    )]
    NoEdgeStore { name: String },
    #[error(
        "`edge setup` creates CloudFront's KeyValueStore and functions; on Front Door create the rule set once (`az afd rule-set create`), add it to the endpoint's route and name it in cdn.edge.rule_set: Shipdeck writes its rules"
    )]
    FrontDoorSetup,
    #[error(
        "profile '{profile}' does not use edge aliases, so a canary has nothing to split; set alias_mode = \"edge\" (with cdn.edge) in it"
    )]
    NotEdgeMode { profile: String },
    #[error("there is no config dir to keep updated prices in; set HOME or XDG_CONFIG_HOME")]
    NoConfigDir,
    #[error(
        "no Azure credentials for profile '{profile}': store an account key, SAS token or client secret with `shipdeck login --profile {profile}`, set AZURE_STORAGE_KEY or AZURE_STORAGE_CONNECTION_STRING, or sign in with `az login`"
    )]
    NoAzureCredentials { profile: String },
}

impl ProfileGap {
    /// Whether the command asked for something the profile cannot do (exit code 2).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            ProfileGap::NoDeployWorkflow | ProfileGap::DefaultWorkflowMissing { .. }
        )
    }
}

/// A pricing or usage file that cannot be used, or an estimate that cannot be made.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CostError {
    #[error("cannot read '{path}': {source}")]
    Unreadable {
        path: String,
        #[source]
        source: Cause,
    },
    #[error("cannot read usage file '{path}': {source}")]
    UsageUnreadable {
        path: String,
        #[source]
        source: Cause,
    },
    /// A pricing or usage file with a wrong key (`place` is `FILE:LINE: ` or the built-in's).
    #[error("{place}{problem}")]
    Invalid { place: String, problem: String },
    #[error(
        "no release is served by `latest` in this profile, so there is no bundle to measure; pass --bundle-kb K (gzip KB a page loads)"
    )]
    NoBundle,
    #[error(
        "the {provider} estimate of '{line}' is not a finite amount; check its price in pricing/{provider}.toml and the usage figures"
    )]
    NotFinite {
        provider: crate::domain::cost::Provider,
        line: String,
    },
    #[error("the updated prices do not form a valid file ({reason}); nothing was written")]
    UpdateInvalid { reason: String },
    #[error("cannot write '{path}': {source}")]
    Unwritable {
        path: String,
        #[source]
        source: Cause,
    },
}

impl CostError {
    pub(crate) fn unwritable(path: &std::path::Path, e: std::io::Error) -> CostError {
        CostError::Unwritable {
            path: path.display().to_string(),
            source: io(e),
        }
    }

    /// A usage file the user named that cannot be read is bad input (exit code 2).
    pub fn is_usage(&self) -> bool {
        matches!(self, CostError::UsageUnreadable { .. })
    }
}

/// A configuration file that cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "config file '{path}' does not exist or is not a file; check --config / SHIPDECK_CONFIG"
    )]
    NoFile { path: String },
    #[error("cannot read config file '{path}': {source}")]
    Unreadable {
        path: String,
        #[source]
        source: std::sync::Arc<std::io::Error>,
    },
    /// A wrong key or value (`problem` starts with the line and names the key and the fix).
    #[error("{path}:{problem}")]
    Invalid { path: String, problem: String },
}
