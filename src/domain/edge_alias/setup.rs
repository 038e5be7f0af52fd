//! `shipdeck edge setup`: what must be created, updated, tested, published or associated for a
//! CloudFront distribution to serve edge aliases, decided from what CloudFront has. Setup is
//! idempotent because it is this plan: a second run against a finished setup plans nothing.
//!
//! The rules CloudFront imposes, and where they come from (AWS, "CloudFront Functions" and
//! "Restrictions on edge functions"):
//! - a function is edited in its DEVELOPMENT stage and serves viewers only once published to
//!   LIVE; a distribution's behaviour runs the LIVE stage;
//! - a behaviour runs at most one function per event type, and never a CloudFront Function and
//!   a Lambda@Edge function on the same viewer event;
//! - CloudFront picks a behaviour by the viewer's path (path patterns in order, the default
//!   behaviour last), before any function runs: the functions belong on the behaviours that
//!   alias paths select.
//!
//! Pure: the observed state comes in, the steps go out; no IO.

use std::fmt;

/// The two functions setup deploys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Rewrites an alias path to its release's path (reads the KeyValueStore).
    Request,
    /// Gives responses under alias URLs the alias's `Cache-Control`.
    Response,
}

impl Role {
    pub const ALL: [Role; 2] = [Role::Request, Role::Response];

    /// CloudFront's event type for a function association.
    pub fn event_type(self) -> &'static str {
        match self {
            Role::Request => "viewer-request",
            Role::Response => "viewer-response",
        }
    }

    /// The function's name: the setup's name and the role.
    pub fn function_name(self, base: &str) -> String {
        match self {
            Role::Request => format!("{base}-request"),
            Role::Response => format!("{base}-response"),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Request => "request",
            Role::Response => "response",
        })
    }
}

/// The longest setup name: CloudFront names (functions and KeyValueStores) are at most 64
/// characters, and the function names add `-response`.
pub const MAX_NAME_CHARS: usize = 64 - "-response".len();

/// Whether `name` can name the KeyValueStore and both functions (letters, digits, '-', '_').
pub fn check_name(name: &str) -> Result<(), SetupError> {
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(SetupError::BadName(name.to_string()));
    }
    Ok(())
}

/// A function as CloudFront has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenFunction {
    /// The DEVELOPMENT stage's code.
    pub development_code: String,
    /// The KeyValueStores the function is associated with.
    pub kvs_arns: Vec<String>,
    /// The LIVE stage's code, when the function was ever published.
    pub live_code: Option<String>,
}

/// A cache behaviour of the distribution and the functions it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenBehaviour {
    /// The path pattern; `None` for the default behaviour.
    pub pattern: Option<String>,
    /// (event type, function ARN) of its CloudFront Functions.
    pub functions: Vec<(String, String)>,
    /// The event types of its Lambda@Edge functions.
    pub lambda_events: Vec<String>,
}

impl SeenBehaviour {
    /// The behaviour as a user names it.
    pub fn label(&self) -> String {
        match &self.pattern {
            Some(p) => format!("behaviour '{p}'"),
            None => "the default behaviour".into(),
        }
    }
}

/// What CloudFront has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    /// The ARN of the KeyValueStore with the setup's name.
    pub kvs_arn: Option<String>,
    pub request: Option<SeenFunction>,
    pub response: Option<SeenFunction>,
    /// Every behaviour, the path-pattern ones in CloudFront's order, the default last.
    pub behaviours: Vec<SeenBehaviour>,
}

impl Seen {
    pub fn function(&self, role: Role) -> Option<&SeenFunction> {
        match role {
            Role::Request => self.request.as_ref(),
            Role::Response => self.response.as_ref(),
        }
    }
}

/// What setup deploys.
#[derive(Debug, Clone)]
pub struct Wanted<'a> {
    /// The KeyValueStore's name and the functions' base name.
    pub name: &'a str,
    /// The URL path every published folder starts under (`/msr-webchat/`).
    pub path_prefix: &'a str,
    pub request_code: &'a str,
    pub response_code: &'a str,
}

impl Wanted<'_> {
    pub fn code(&self, role: Role) -> &str {
        match role {
            Role::Request => self.request_code,
            Role::Response => self.response_code,
        }
    }
}

/// One step of a setup, in the order setup runs them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    CreateKvs {
        name: String,
    },
    CreateFunction {
        role: Role,
        name: String,
    },
    /// The DEVELOPMENT stage's code or KeyValueStore differs from what Shipdeck generates.
    UpdateFunction {
        role: Role,
        name: String,
    },
    /// Run the DEVELOPMENT stage on an alias request before publishing it.
    TestFunction {
        role: Role,
        name: String,
    },
    PublishFunction {
        role: Role,
        name: String,
    },
    /// Add the functions to the behaviours alias paths select (one distribution update).
    Associate {
        behaviours: Vec<String>,
    },
}

impl Step {
    /// CloudFront's name for the call the step makes (for "this endpoint does not implement").
    pub fn call(&self) -> &'static str {
        match self {
            Step::CreateKvs { .. } => "CreateKeyValueStore",
            Step::CreateFunction { .. } => "CreateFunction",
            Step::UpdateFunction { .. } => "UpdateFunction",
            Step::TestFunction { .. } => "TestFunction",
            Step::PublishFunction { .. } => "PublishFunction",
            Step::Associate { .. } => "UpdateDistribution",
        }
    }
}

/// Why setup cannot go on without the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    #[error(
        "'{0}' cannot name a KeyValueStore and its functions; use 1 to {MAX_NAME_CHARS} letters, digits, '-' and '_'"
    )]
    BadName(String),
    #[error(
        "{behaviour} already runs the function {arn} on {event}, and CloudFront allows one per event; remove it from the behaviour or give edge aliases a behaviour of their own"
    )]
    EventTaken {
        behaviour: String,
        event: String,
        arn: String,
    },
    #[error(
        "{behaviour} runs a Lambda@Edge function on {event}, and CloudFront does not run a CloudFront Function beside it; remove the Lambda@Edge association or give edge aliases a behaviour of their own"
    )]
    LambdaOnEvent { behaviour: String, event: String },
    #[error(
        "cdn.edge.kvs_arn is {configured}, but the KeyValueStore named '{name}' is {found}; correct kvs_arn or name in the profile"
    )]
    KvsMismatch {
        name: String,
        configured: String,
        found: String,
    },
}

/// The paths the functions must see: an alias of each kind and a file of each type, so a
/// behaviour keyed on an extension is found too.
fn alias_paths(path_prefix: &str) -> Vec<String> {
    let p = format!("/{}/", path_prefix.trim_matches('/'));
    let p: &str = if p == "//" { "/" } else { &p };
    let files = [
        "msr-webchat.umd.js",
        "msr-webchat.es.js",
        "style.css",
        "index.html",
        "msr-webchat.umd.js.map",
    ];
    ["latest", "v1", "v1.0", "next"]
        .iter()
        .flat_map(|a| files.iter().map(move |f| format!("{p}{a}/{f}")))
        .collect()
}

/// CloudFront's path-pattern match: `*` any run of characters, `?` one, case-sensitive, the
/// leading '/' optional.
pub fn pattern_matches(pattern: &str, path: &str) -> bool {
    let pat: Vec<char> = pattern.trim_start_matches('/').chars().collect();
    let text: Vec<char> = path.trim_start_matches('/').chars().collect();
    // Iterative wildcard match with backtracking to the last '*'.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pat.len() && (pat[p] == '?' || pat[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pat.len() && pat[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pat[p..].iter().all(|c| *c == '*')
}

/// The indexes of the behaviours CloudFront selects for alias paths.
pub fn alias_behaviours(behaviours: &[SeenBehaviour], path_prefix: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for path in alias_paths(path_prefix) {
        let chosen = behaviours.iter().position(|b| match &b.pattern {
            Some(p) => pattern_matches(p, &path),
            None => true,
        });
        if let Some(i) = chosen
            && !out.contains(&i)
        {
            out.push(i);
        }
    }
    out.sort_unstable();
    out
}

/// Whether `arn` is the function named `name` (`arn:aws:cloudfront::ACCOUNT:function/NAME`).
pub fn is_function(arn: &str, name: &str) -> bool {
    arn.rsplit_once(":function/")
        .is_some_and(|(_, n)| n == name)
}

/// The steps that make CloudFront serve edge aliases, or why setup cannot go on. A KeyValueStore
/// ARN from the profile must be the named store's.
pub fn plan(
    wanted: &Wanted,
    seen: &Seen,
    configured_arn: Option<&str>,
) -> Result<Vec<Step>, SetupError> {
    let mut steps = Vec::new();
    match (&seen.kvs_arn, configured_arn) {
        (Some(found), Some(configured)) if found != configured => {
            return Err(SetupError::KvsMismatch {
                name: wanted.name.into(),
                configured: configured.into(),
                found: found.clone(),
            });
        }
        (None, _) => steps.push(Step::CreateKvs {
            name: wanted.name.into(),
        }),
        _ => {}
    }
    for role in Role::ALL {
        let name = role.function_name(wanted.name);
        let code = wanted.code(role);
        // The request function reads the store; a function associated with another one (or,
        // for the response function, with any) is updated.
        let kvs_right = |f: &SeenFunction| match role {
            Role::Request => f.kvs_arns.len() == 1 && Some(&f.kvs_arns[0]) == seen.kvs_arn.as_ref(),
            Role::Response => f.kvs_arns.is_empty(),
        };
        let (write, publish) = match seen.function(role) {
            None => (
                Some(Step::CreateFunction {
                    role,
                    name: name.clone(),
                }),
                true,
            ),
            Some(f) if f.development_code != code || !kvs_right(f) => (
                Some(Step::UpdateFunction {
                    role,
                    name: name.clone(),
                }),
                true,
            ),
            Some(f) => (None, f.live_code.as_deref() != Some(code)),
        };
        steps.extend(write);
        if publish {
            steps.push(Step::TestFunction {
                role,
                name: name.clone(),
            });
            steps.push(Step::PublishFunction { role, name });
        }
    }
    let mut missing = Vec::new();
    for i in alias_behaviours(&seen.behaviours, wanted.path_prefix) {
        let b = &seen.behaviours[i];
        let mut lacks = false;
        for role in Role::ALL {
            let event = role.event_type();
            if b.lambda_events.iter().any(|e| e == event) {
                return Err(SetupError::LambdaOnEvent {
                    behaviour: b.label(),
                    event: event.into(),
                });
            }
            match b.functions.iter().find(|(e, _)| e == event) {
                Some((_, arn)) if is_function(arn, &role.function_name(wanted.name)) => {}
                Some((_, arn)) => {
                    return Err(SetupError::EventTaken {
                        behaviour: b.label(),
                        event: event.into(),
                        arn: arn.clone(),
                    });
                }
                None => lacks = true,
            }
        }
        if lacks {
            missing.push(b.label());
        }
    }
    if !missing.is_empty() {
        steps.push(Step::Associate {
            behaviours: missing,
        });
    }
    Ok(steps)
}

/// The event `TestFunction` runs a role's DEVELOPMENT stage on: a viewer's request for the
/// `latest` alias's UMD build (and, for the response function, the release's year-long
/// `Cache-Control` it must replace). CloudFront's event structure, version 1.0.
pub fn test_event(role: Role, path_prefix: &str) -> String {
    let uri = alias_paths(path_prefix).swap_remove(0);
    let request = serde_json::json!({
        "method": "GET",
        "uri": uri,
        "querystring": {},
        "headers": { "host": { "value": "example.cloudfront.net" } },
        "cookies": {},
    });
    let mut event = serde_json::json!({
        "version": "1.0",
        "context": { "eventType": role.event_type() },
        "viewer": { "ip": "198.51.100.7" },
        "request": request,
    });
    if role == Role::Response {
        event["response"] = serde_json::json!({
            "statusCode": 200,
            "statusDescription": "OK",
            "headers": {
                "cache-control": { "value": crate::domain::manifest::IMMUTABLE_CACHE }
            },
            "cookies": {},
        });
    }
    event.to_string()
}

#[cfg(test)]
mod tests;
