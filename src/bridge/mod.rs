//! The Bridge's origin allowlist: where it is kept (a `.env` file or a JSON document in the
//! store), and the live probe that asks the running Bridge what it really allows.

pub mod dotenv;
pub mod error;
pub mod github;
pub mod object;
pub mod probe;

use crate::domain::origin::Entry;
pub use error::AllowlistError;

/// What every allowlist source returns.
pub type Result<T, E = AllowlistError> = std::result::Result<T, E>;
use async_trait::async_trait;

/// The two variables of the Bridge's allowlist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    Allowed,
    Additional,
}

impl Var {
    pub const ALL: [Var; 2] = [Var::Allowed, Var::Additional];

    pub fn env_name(self) -> &'static str {
        match self {
            Var::Allowed => "ALLOWED_ORIGINS",
            Var::Additional => "ADDITIONAL_ORIGINS",
        }
    }

    pub fn parse(s: &str) -> std::result::Result<Var, UnknownList> {
        match s.to_ascii_lowercase().as_str() {
            "allowed" | "allowed_origins" => Ok(Var::Allowed),
            "additional" | "additional_origins" => Ok(Var::Additional),
            _ => Err(UnknownList(s.to_string())),
        }
    }
}

/// A list name that is neither of the two.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a list; use --to allowed or --to additional")]
pub struct UnknownList(pub String);

/// An allowlist as read, with what is needed to write it back only if unchanged.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Allowlist {
    pub allowed: Vec<String>,
    pub additional: Vec<String>,
    /// Content hash (dotenv) or ETag (object) of what was read.
    pub version: Option<String>,
    /// The file text, for the dotenv source.
    pub text: Option<String>,
    /// What the source itself gets wrong (a variable defined twice, stray commas): list-wide
    /// audit findings.
    pub findings: Vec<crate::domain::origin::Finding>,
    /// The source does not define `ALLOWED_ORIGINS` at all (a `.env` without the line): the
    /// Bridge then falls back to the runbook's "current setup", `origin: '*'`.
    pub allowed_undefined: bool,
}

impl Allowlist {
    pub fn entries(&self) -> Vec<Entry> {
        let mut out: Vec<Entry> = self
            .allowed
            .iter()
            .map(|r| Entry {
                raw: r.clone(),
                source: Var::Allowed.env_name().into(),
            })
            .collect();
        out.extend(self.additional.iter().map(|r| Entry {
            raw: r.clone(),
            source: Var::Additional.env_name().into(),
        }));
        out
    }

    pub fn items(&self, v: Var) -> &Vec<String> {
        match v {
            Var::Allowed => &self.allowed,
            Var::Additional => &self.additional,
        }
    }

    /// Whether the Bridge would allow `origin` (exact comparison, as `cors` does).
    pub fn allows(&self, origin: &str) -> bool {
        self.allowed
            .iter()
            .chain(&self.additional)
            .any(|r| r == origin)
    }
}

/// A change to the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    Add { item: String, to: Var },
    Remove { item: String },
}

/// Where an allowlist lives.
#[async_trait]
pub trait AllowlistSource: Send + Sync {
    fn describe(&self) -> String;
    async fn load(&self) -> Result<Allowlist>;
    /// The list after `edit`, and the changed lines as (before, after), without writing.
    fn preview(&self, list: &Allowlist, edit: &Edit) -> Result<(Allowlist, Vec<(String, String)>)>;
    /// Writes `next`, refusing if the source changed since `base` was read.
    async fn save(&self, base: &Allowlist, next: &Allowlist) -> Result<()>;
    /// Writes again whatever the Bridge's pipeline reads from the list (GitHub secrets are
    /// written from Shipdeck's document); nothing for sources the Bridge reads directly.
    async fn sync(&self) -> Result<()> {
        Ok(())
    }
    /// Which credential a write would use and what it must be allowed, when there is one.
    async fn credential_note(&self) -> Option<String> {
        None
    }
    /// Where the list is kept, when that needs saying (e.g. "a secret cannot be read back").
    fn mode_note(&self) -> Option<String> {
        None
    }
}

/// `edit` applied to both lists kept as plain lists (a JSON document, GitHub variables), and
/// the changed lines as `NAME=a,b` before and after.
pub fn preview_lists(list: &Allowlist, edit: &Edit) -> (Allowlist, Vec<(String, String)>) {
    let mut next = list.clone();
    match edit {
        Edit::Add {
            item,
            to: Var::Allowed,
        } => next.allowed.push(item.clone()),
        Edit::Add {
            item,
            to: Var::Additional,
        } => next.additional.push(item.clone()),
        Edit::Remove { item } => {
            next.allowed.retain(|r| r != item);
            next.additional.retain(|r| r != item);
        }
    }
    let diff = Var::ALL
        .iter()
        .map(|v| {
            (
                format!("{}={}", v.env_name(), list.items(*v).join(",")),
                format!("{}={}", v.env_name(), next.items(*v).join(",")),
            )
        })
        .filter(|(a, b)| a != b)
        .collect();
    (next, diff)
}
