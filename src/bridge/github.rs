//! The allowlist where the production Bridge's pipeline reads it: GitHub Actions variables (the
//! recommended home, since origins are not secrets) or secrets (as the runbook keeps it), plus
//! the Bridge's deploy workflow that applies a change.
//!
//! - **Variables** are read and written through the REST API (repository or environment
//!   variables). A write is refused with "someone else changed it" when either variable's value
//!   or `updated_at` differs from what the plan was made from.
//! - **Secrets** are write-only, so Shipdeck keeps the list's source of truth in its own store
//!   document (as the `object` source does) and writes the secret from it, sealed with the
//!   repository's (or environment's) public key in a libsodium sealed box. `sync` writes the
//!   secrets from the document again, which is how an interrupted write is finished.

use super::object::ObjectSource;
use super::{Allowlist, AllowlistSource, Edit, Var, preview_lists};
use super::{AllowlistError, Result};
use crate::adapters::github::{Answer, GitHub, GitHubError};
use crate::credentials::Secret;
use crate::credentials::github::NoToken;
use async_trait::async_trait;
use base64::Engine;
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::Arc;
use tokio::sync::OnceCell;

/// Where the list is kept on GitHub.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Variable,
    Secret,
}

/// How to reach the repository: resolved on first use (the token lookup may run `gh`).
pub struct Repo {
    pub api_url: Option<String>,
    pub repo: String,
    pub environment: Option<String>,
    /// Finds the token and says where it came from; `Err` is the sentence saying how to
    /// provide one.
    token: TokenFinder,
    client: OnceCell<std::result::Result<(GitHub, String), NoToken>>,
}

/// Looks up a GitHub token: (token, where it came from) or the sentence saying how to give one.
pub type TokenFinder = Arc<
    dyn Fn() -> futures::future::BoxFuture<'static, std::result::Result<(Secret, String), NoToken>>
        + Send
        + Sync,
>;

impl Repo {
    pub fn new(
        api_url: Option<String>,
        repo: &str,
        environment: Option<String>,
        token: TokenFinder,
    ) -> Repo {
        Repo {
            api_url,
            repo: repo.to_string(),
            environment,
            token,
            client: OnceCell::new(),
        }
    }

    async fn client(&self, needs: &str) -> Result<GitHub> {
        let c = self
            .client
            .get_or_init(|| async {
                let (t, via) = (self.token)().await?;
                Ok((GitHub::new(self.api_url.as_deref(), &self.repo, t, ""), via))
            })
            .await;
        match c {
            Ok((g, _)) => {
                let mut g = g.clone();
                g.needs = needs.to_string();
                Ok(g)
            }
            Err(why) => Err(why.clone().into()),
        }
    }

    /// Where the token comes from, or why there is none.
    pub async fn token_source(&self) -> std::result::Result<String, NoToken> {
        let _ = self.client("").await;
        match self.client.get() {
            Some(Ok((_, via))) => Ok(via.clone()),
            Some(Err(why)) => Err(why.clone()),
            // `client` above initialised the cell: not reached.
            None => Err(NoToken {
                profile: self.repo.clone(),
            }),
        }
    }

    /// A path segment: everything but RFC 3986's unreserved characters escaped.
    fn enc(s: &str) -> String {
        const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
            .remove(b'-')
            .remove(b'_')
            .remove(b'.')
            .remove(b'~');
        percent_encoding::utf8_percent_encode(s, SEGMENT).to_string()
    }

    /// `/environments/{env}` or `/actions`, the prefix of variables and secrets.
    fn scope(&self) -> String {
        match &self.environment {
            Some(e) => format!("/environments/{}", Self::enc(e)),
            None => "/actions".to_string(),
        }
    }

    fn place(&self) -> String {
        match &self.environment {
            Some(e) => format!("{} (environment {e})", self.repo),
            None => self.repo.clone(),
        }
    }
}

fn gh_err(e: GitHubError) -> AllowlistError {
    AllowlistError::GitHub(e)
}

/// The allowlist in GitHub variables or secrets.
pub struct GitHubSource {
    pub repo: Arc<Repo>,
    pub mode: Mode,
    pub variable: String,
    pub additional_variable: Option<String>,
    /// The source of truth in secret mode.
    pub doc: Option<ObjectSource>,
}

/// One variable as read: its value and when it last changed, or absent.
type Read = Option<(String, String)>;

fn split(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl GitHubSource {
    fn names(&self) -> Vec<(Var, &str)> {
        let mut v = vec![(Var::Allowed, self.variable.as_str())];
        if let Some(a) = &self.additional_variable {
            v.push((Var::Additional, a.as_str()));
        }
        v
    }

    /// What the token must be allowed for this source's writes.
    pub fn needs(&self) -> String {
        let what = match (self.mode, self.repo.environment.is_some()) {
            (Mode::Variable, false) => "Variables: read and write",
            (Mode::Variable, true) => "Environments: read and write",
            (Mode::Secret, _) => "Secrets: read and write",
        };
        format!("a fine-grained token with \"{what}\" (or a classic token with the repo scope)")
    }

    async fn read_var(&self, gh: &GitHub, name: &str) -> Result<Read> {
        let path = format!("{}/variables/{}", self.repo.scope(), Repo::enc(name));
        let what = format!("variable {name} of {}", self.repo.place());
        let a = gh
            .call(Method::GET, &path, None, &what)
            .await
            .map_err(gh_err)?;
        match a.status {
            200 => Ok(Some((
                a.body["value"].as_str().unwrap_or_default().to_string(),
                a.body["updated_at"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            ))),
            404 if a.body["message"].as_str() == Some("Not Found") => Ok(None),
            _ => Err(gh_err(gh.refused(&a, &what))),
        }
    }

    async fn read_vars(&self, gh: &GitHub) -> Result<Vec<(Var, String, Read)>> {
        let mut out = Vec::new();
        for (var, name) in self.names() {
            out.push((var, name.to_string(), self.read_var(gh, name).await?));
        }
        Ok(out)
    }

    fn version_of(read: &[(Var, String, Read)]) -> String {
        let v: Vec<Value> = read
            .iter()
            .map(|(_, n, r)| json!([n, r.as_ref().map(|(v, t)| json!([v, t]))]))
            .collect();
        Value::Array(v).to_string()
    }

    async fn write_var(&self, gh: &GitHub, name: &str, value: &str, exists: bool) -> Result<()> {
        let what = format!("variable {name} of {}", self.repo.place());
        let body = json!({ "name": name, "value": value });
        let (method, path, ok) = if exists {
            (
                Method::PATCH,
                format!("{}/variables/{}", self.repo.scope(), Repo::enc(name)),
                204,
            )
        } else {
            (
                Method::POST,
                format!("{}/variables", self.repo.scope()),
                201,
            )
        };
        let a = gh
            .call(method, &path, Some(&body), &what)
            .await
            .map_err(gh_err)?;
        if a.status == ok || a.status == 200 || a.status == 204 {
            return Ok(());
        }
        Err(gh_err(gh.refused(&a, &what)))
    }

    /// Writes every secret from `list`, sealed with the public key GitHub hands out.
    async fn write_secrets(&self, list: &Allowlist) -> Result<()> {
        let gh = self.repo.client(&self.needs()).await?;
        let what = format!("the secrets' public key of {}", self.repo.place());
        let key_path = format!("{}/secrets/public-key", self.repo.scope());
        let a = gh
            .call(Method::GET, &key_path, None, &what)
            .await
            .map_err(gh_err)?;
        if a.status != 200 {
            return Err(gh_err(gh.refused(&a, &what)));
        }
        let (key_id, key) = public_key(&a).map_err(|why| AllowlistError::BadAnswer {
            what: what.clone(),
            why,
        })?;
        for (var, name) in self.names() {
            let value = list.items(var).join(",");
            let sealed = seal(&key, value.as_bytes()).map_err(|_| AllowlistError::Seal {
                name: name.to_string(),
            })?;
            let what = format!("secret {name} of {}", self.repo.place());
            let body = json!({ "encrypted_value": sealed, "key_id": key_id });
            let path = format!("{}/secrets/{}", self.repo.scope(), Repo::enc(name));
            let a = gh
                .call(Method::PUT, &path, Some(&body), &what)
                .await
                .map_err(gh_err)?;
            if !matches!(a.status, 201 | 204) {
                return Err(gh_err(gh.refused(&a, &what)));
            }
        }
        Ok(())
    }
}

/// The key id and the 32-byte public key from a public-key answer.
fn public_key(a: &Answer) -> std::result::Result<(String, [u8; 32]), &'static str> {
    let id = a.body["key_id"]
        .as_str()
        .ok_or("the answer has no key_id")?
        .to_string();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(a.body["key"].as_str().ok_or("the answer has no key")?)
        .map_err(|_| "the key is not base64")?;
    let key: [u8; 32] = raw.try_into().map_err(|_| "the key is not 32 bytes")?;
    Ok((id, key))
}

/// A libsodium sealed box (`crypto_box_seal`) of `plain` for `key`, base64 as GitHub wants it.
pub fn seal(key: &[u8; 32], plain: &[u8]) -> std::result::Result<String, crypto_box::aead::Error> {
    let pk = crypto_box::PublicKey::from(*key);
    let sealed = pk.seal(&mut crypto_box::aead::OsRng, plain)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(sealed))
}

#[async_trait]
impl AllowlistSource for GitHubSource {
    fn describe(&self) -> String {
        let names = self
            .names()
            .iter()
            .map(|(_, n)| n.to_string())
            .collect::<Vec<_>>()
            .join(" and ");
        match (&self.mode, &self.doc) {
            (Mode::Secret, Some(doc)) => format!(
                "GitHub secrets {names} of {}, written from {} (a secret cannot be read back; that document is the list)",
                self.repo.place(),
                doc.describe()
            ),
            _ => format!("GitHub variables {names} of {}", self.repo.place()),
        }
    }

    async fn load(&self) -> Result<Allowlist> {
        if let (Mode::Secret, Some(doc)) = (self.mode, &self.doc) {
            return doc.load().await;
        }
        let gh = self.repo.client(&self.needs()).await?;
        let read = self.read_vars(&gh).await?;
        let mut list = Allowlist {
            version: Some(Self::version_of(&read)),
            ..Default::default()
        };
        for (var, _, r) in &read {
            let items = r.as_ref().map(|(v, _)| split(v)).unwrap_or_default();
            match var {
                Var::Allowed => list.allowed = items,
                Var::Additional => list.additional = items,
            }
        }
        Ok(list)
    }

    fn preview(&self, list: &Allowlist, edit: &Edit) -> Result<(Allowlist, Vec<(String, String)>)> {
        if self.additional_variable.is_none()
            && matches!(
                edit,
                Edit::Add {
                    to: Var::Additional,
                    ..
                }
            )
        {
            return Err(AllowlistError::NoAdditionalList);
        }
        Ok(preview_lists(list, edit))
    }

    async fn save(&self, base: &Allowlist, next: &Allowlist) -> Result<()> {
        if let (Mode::Secret, Some(doc)) = (self.mode, &self.doc) {
            doc.save(base, next).await?;
            return self
                .write_secrets(next)
                .await
                .map_err(|e| AllowlistError::SecretNotWritten {
                    doc: doc.describe(),
                    source: Box::new(e),
                });
        }
        let gh = self.repo.client(&self.needs()).await?;
        let now = self.read_vars(&gh).await?;
        if Some(Self::version_of(&now)) != base.version {
            return Err(AllowlistError::Changed {
                place: format!("the GitHub variables of {}", self.repo.place()),
            });
        }
        for (var, name, read) in &now {
            let value = next.items(*var).join(",");
            if read.as_ref().map(|(v, _)| v) != Some(&value) {
                self.write_var(&gh, name, &value, read.is_some()).await?;
            }
        }
        Ok(())
    }

    async fn sync(&self) -> Result<()> {
        if let (Mode::Secret, Some(doc)) = (self.mode, &self.doc) {
            let list = doc.load().await?;
            return self.write_secrets(&list).await;
        }
        Ok(())
    }

    async fn credential_note(&self) -> Option<String> {
        Some(match self.repo.token_source().await {
            Ok(via) => format!("{via}; this change needs {}", self.needs()),
            Err(why) => why.to_string(),
        })
    }

    fn mode_note(&self) -> Option<String> {
        match self.mode {
            Mode::Secret => Some(
                "kept in GitHub secrets: GitHub never shows a secret's value, so Shipdeck's store document is the list and every change rewrites the secrets from it".into(),
            ),
            Mode::Variable => Some(
                "kept in GitHub Actions variables, read and written through GitHub's REST API".into(),
            ),
        }
    }
}

/// The Bridge's deploy workflow: dispatched after a change, followed to its end.
pub struct Workflow {
    pub repo: Arc<Repo>,
    pub file: String,
    pub git_ref: String,
    /// Not named by the profile: the default name (the Bridge deploy `shipdeck workflows`
    /// writes), used only when the repository has it.
    pub defaulted: bool,
}

/// The file name of the Bridge's deploy workflow when a profile names none: the template's.
pub const DEFAULT_DEPLOY_WORKFLOW: &str = "deploy-bridge.yml";

/// A workflow run as GitHub reports it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunState {
    pub id: u64,
    pub status: String,
    pub conclusion: Option<String>,
    pub html_url: Option<String>,
}

const ACTIONS: &str = "a fine-grained token with \"Actions: read and write\" (or a classic token with the repo and workflow scopes)";

impl Workflow {
    pub fn describe(&self) -> String {
        format!(
            "workflow {} of {} (ref {})",
            self.file, self.repo.repo, self.git_ref
        )
    }

    /// Whether the repository has this workflow (GitHub's "get a workflow").
    pub async fn exists(&self) -> Result<bool> {
        let gh = self.repo.client(ACTIONS).await?;
        let what = self.describe();
        let path = format!("/actions/workflows/{}", Repo::enc(&self.file));
        let a = gh
            .call(Method::GET, &path, None, &what)
            .await
            .map_err(gh_err)?;
        match a.status {
            200 => Ok(true),
            404 => Ok(false),
            _ => Err(gh_err(gh.refused(&a, &what))),
        }
    }

    /// Dispatches the workflow; returns its run when GitHub says which (it does with
    /// `return_run_details`; older servers answer 204 and the newest dispatched run is used).
    pub async fn dispatch(&self) -> Result<u64> {
        let gh = self.repo.client(ACTIONS).await?;
        let what = self.describe();
        let path = format!("/actions/workflows/{}/dispatches", Repo::enc(&self.file));
        let body = json!({ "ref": self.git_ref, "return_run_details": true });
        let a = gh
            .call(Method::POST, &path, Some(&body), &what)
            .await
            .map_err(gh_err)?;
        match a.status {
            200 => a.body["workflow_run_id"]
                .as_u64()
                .ok_or(AllowlistError::BadAnswer {
                    what,
                    why: "the answer names no run",
                }),
            204 => {
                let runs = format!(
                    "/actions/workflows/{}/runs?event=workflow_dispatch&per_page=1",
                    Repo::enc(&self.file)
                );
                let a = gh
                    .call(Method::GET, &runs, None, &what)
                    .await
                    .map_err(gh_err)?;
                a.body["workflow_runs"][0]["id"]
                    .as_u64()
                    .ok_or(AllowlistError::BadAnswer {
                        what,
                        why: "the dispatched run was not found",
                    })
            }
            _ => Err(gh_err(gh.refused(&a, &what))),
        }
    }

    pub async fn run(&self, id: u64) -> Result<RunState> {
        let gh = self.repo.client(ACTIONS).await?;
        let what = format!("run {id} of {}", self.describe());
        let a = gh
            .call(Method::GET, &format!("/actions/runs/{id}"), None, &what)
            .await
            .map_err(gh_err)?;
        if a.status != 200 {
            return Err(gh_err(gh.refused(&a, &what)));
        }
        Ok(RunState {
            id,
            status: a.body["status"].as_str().unwrap_or("unknown").to_string(),
            conclusion: a.body["conclusion"].as_str().map(str::to_string),
            html_url: a.body["html_url"].as_str().map(str::to_string),
        })
    }
}
