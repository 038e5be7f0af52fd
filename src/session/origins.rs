//! The profile's Bridge allowlist, wired: which source keeps the list (`.env`, a document in
//! the store, GitHub variables or secrets), the Bridge's deploy workflow, and what a probe asks.

use super::Session;
use super::credentials::github_repo;
use crate::error::{ProfileGap, Result};
use std::sync::Arc;

impl Session {
    /// The profile's Bridge allowlist, or a sentence saying how to configure it.
    pub fn origins(&self) -> Result<crate::ops::origins::Origins> {
        use crate::bridge::github::{GitHubSource, Mode};
        use crate::bridge::{AllowlistSource, dotenv::DotenvSource, object::ObjectSource};
        use crate::config::AllowlistConfig;
        let b = self
            .profile
            .bridge
            .as_ref()
            .ok_or_else(|| ProfileGap::NoBridge {
                profile: self.profile_name.clone(),
            })?;
        let mut repo_of_list = None;
        let source: Arc<dyn AllowlistSource> = match &b.allowlist {
            AllowlistConfig::Dotenv { path } => Arc::new(DotenvSource { path: path.clone() }),
            AllowlistConfig::Object { key } => Arc::new(ObjectSource {
                store: self.ctx.store.clone(),
                key: key
                    .clone()
                    .unwrap_or_else(|| self.ctx.layout.allowlist_default_key()),
            }),
            AllowlistConfig::Github {
                repo,
                variable,
                additional_variable,
                environment,
                mode,
                api_url,
                key,
            } => {
                let repo = Arc::new(github_repo(
                    &self.profile_name,
                    repo,
                    environment.clone(),
                    api_url.clone(),
                ));
                repo_of_list = Some(repo.clone());
                Arc::new(GitHubSource {
                    repo,
                    mode: match mode {
                        crate::config::GithubMode::Variable => Mode::Variable,
                        crate::config::GithubMode::Secret => Mode::Secret,
                    },
                    variable: variable.clone(),
                    additional_variable: additional_variable.clone(),
                    doc: (*mode == crate::config::GithubMode::Secret).then(|| ObjectSource {
                        store: self.ctx.store.clone(),
                        key: key
                            .clone()
                            .unwrap_or_else(|| self.ctx.layout.allowlist_default_key()),
                    }),
                })
            }
        };
        let workflow = self.deploy_workflow(b, repo_of_list)?;
        Ok(crate::ops::origins::Origins {
            source,
            workflow,
            production: self.profile.production,
            bridge_url: b.url.clone(),
            probe_url: b.url.as_deref().and_then(|u| {
                let (scheme, rest) = u.split_once("://")?;
                let host = rest.split('/').next()?;
                let path = b.probe_path.as_deref().unwrap_or("/health");
                let path = if path.starts_with('/') {
                    path.to_string()
                } else {
                    format!("/{path}")
                };
                Some(format!("{scheme}://{host}{path}"))
            }),
            needs: crate::domain::origin::browser::Needs {
                methods: b
                    .expect_methods
                    .clone()
                    .unwrap_or_else(|| crate::domain::origin::browser::Needs::default().methods),
                headers: b
                    .expect_headers
                    .clone()
                    .unwrap_or_else(|| crate::domain::origin::browser::Needs::default().headers),
            },
        })
    }

    /// The Bridge's deploy workflow for a list kept on GitHub (`repo_of_list`): the one the
    /// profile names, else the template's name (used when the repository has it).
    fn deploy_workflow(
        &self,
        b: &crate::config::BridgeConfig,
        repo_of_list: Option<Arc<crate::bridge::github::Repo>>,
    ) -> Result<Option<Arc<crate::bridge::github::Workflow>>> {
        use crate::bridge::github::Workflow;
        let git_ref = b.deploy_ref.clone().unwrap_or_else(|| "main".into());
        Ok(match (&b.deploy_workflow, repo_of_list) {
            (Some(file), Some(repo)) => Some(Arc::new(Workflow {
                repo,
                file: file.clone(),
                git_ref,
                defaulted: false,
            })),
            // A list kept on GitHub with no workflow named: the template's name, used when the
            // repository has it (checked when a plan or a redeploy needs it).
            (None, Some(repo)) => Some(Arc::new(Workflow {
                repo,
                file: crate::bridge::github::DEFAULT_DEPLOY_WORKFLOW.into(),
                git_ref,
                defaulted: true,
            })),
            (Some(_), None) => {
                return Err(ProfileGap::WorkflowOffGitHub {
                    profile: self.profile_name.clone(),
                }
                .into());
            }
            (None, _) => None,
        })
    }
}
