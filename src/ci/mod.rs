//! CI presenters: a third front end beside the CLI's text and `--json`, presenting the same
//! typed outcomes for a pipeline's reviewers and later steps. Today GitHub Actions
//! ([`github`]): a Markdown job summary, step outputs, annotations and secret masks, written
//! only when `GITHUB_ACTIONS=true`, so output never changes format just because stdout is not a
//! terminal.

pub mod github;
pub mod monitoring;
pub mod templates;
