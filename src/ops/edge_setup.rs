//! `shipdeck edge setup`: makes the profile's CloudFront distribution serve edge aliases. It
//! reads what CloudFront has ([`plan`]), lets `domain::edge_alias::setup` decide the steps, and
//! runs them in order ([`apply`]), stopping at the first that fails with what was done before
//! it; running setup again plans only what is left, so a stopped setup is finished by running
//! it again. A setup that changed anything is one history entry.

use super::Context;
use crate::cdn::edge_control::EdgeControl;
use crate::domain::edge_alias::cloudfront::Functions;
use crate::domain::edge_alias::setup::{self, Role, Seen, Step, Wanted, alias_behaviours};
use crate::error::Result;
use serde::Serialize;

/// What setup would do, from what CloudFront has.
#[derive(Debug, Clone, Serialize)]
pub struct SetupPlan {
    pub distribution: String,
    /// The KeyValueStore's name and the functions' base name.
    pub name: String,
    /// The store's ARN, when it exists.
    pub kvs_arn: Option<String>,
    pub steps: Vec<Step>,
    #[serde(skip)]
    seen: Seen,
    #[serde(skip)]
    code: Functions,
}

impl SetupPlan {
    pub fn is_noop(&self) -> bool {
        self.steps.is_empty()
    }
}

/// How far a setup got.
#[derive(Debug, Clone, Serialize)]
pub struct SetupOutcome {
    pub distribution: String,
    pub name: String,
    pub kvs_arn: Option<String>,
    pub done: Vec<Step>,
    /// The step that failed and why; the steps after it were not tried.
    pub failed: Option<FailedStep>,
    pub left: Vec<Step>,
    /// Whether the profile should gain `kvs_arn` (it has none, and the store exists now).
    pub add_kvs_arn: bool,
    pub history_id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FailedStep {
    pub step: Step,
    pub error: String,
}

/// Where a function stands, for `edge status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FunctionState {
    pub role: Role,
    pub name: String,
    /// `missing`, `development` (never published: viewers do not run it) or `live`.
    pub stage: &'static str,
    /// Whether the stage viewers run (LIVE, else DEVELOPMENT) holds this Shipdeck's code.
    pub code_current: bool,
}

/// The functions' stages and whether their code is the one `edge code` prints.
pub async fn functions(
    control: &EdgeControl,
    name: &str,
    code: &Functions,
) -> Result<Vec<FunctionState>> {
    let mut out = Vec::new();
    for role in Role::ALL {
        let fname = role.function_name(name);
        let wanted = match role {
            Role::Request => &code.request,
            Role::Response => &code.response,
        };
        let (stage, code_current) = match control.function(&fname).await? {
            None => ("missing", false),
            Some(f) => match &f.live_code {
                Some(live) => ("live", live == wanted),
                None => ("development", &f.development_code == wanted),
            },
        };
        out.push(FunctionState {
            role,
            name: fname,
            stage,
            code_current,
        });
    }
    Ok(out)
}

/// Reads CloudFront and plans; a conflict only the user can resolve is an error.
pub async fn plan(
    control: &EdgeControl,
    name: &str,
    configured_arn: Option<&str>,
    code: &Functions,
) -> Result<SetupPlan> {
    let seen = control.seen(name).await?;
    let wanted = Wanted {
        name,
        path_prefix: &code.path_prefix,
        request_code: &code.request,
        response_code: &code.response,
    };
    let steps = setup::plan(&wanted, &seen, configured_arn)?;
    Ok(SetupPlan {
        distribution: control.describe(),
        name: name.into(),
        kvs_arn: seen.kvs_arn.clone(),
        steps,
        code: code.clone(),
        seen,
    })
}

/// Runs the plan's steps in order until one fails.
pub async fn apply(
    ctx: &Context,
    control: &EdgeControl,
    plan: SetupPlan,
    configured_arn: Option<&str>,
) -> SetupOutcome {
    let mut kvs_arn = plan.kvs_arn.clone();
    let mut done = Vec::new();
    let mut failed = None;
    let mut steps = plan.steps.clone().into_iter();
    for step in steps.by_ref() {
        match run(control, &plan, &step, &mut kvs_arn).await {
            Ok(()) => done.push(step),
            Err(e) => {
                failed = Some(FailedStep {
                    step,
                    error: e.to_string(),
                });
                break;
            }
        }
    }
    let history_id = if done.is_empty() {
        None
    } else {
        let description = format!(
            "edge setup of {}: {}",
            plan.name,
            done.iter().map(Step::call).collect::<Vec<_>>().join(", ")
        );
        super::edge_keys::record(ctx, description, vec![]).await
    };
    SetupOutcome {
        distribution: plan.distribution.clone(),
        name: plan.name.clone(),
        add_kvs_arn: configured_arn.is_none() && kvs_arn.is_some(),
        kvs_arn,
        done,
        failed,
        left: steps.collect(),
        history_id,
    }
}

async fn run(
    control: &EdgeControl,
    plan: &SetupPlan,
    step: &Step,
    kvs_arn: &mut Option<String>,
) -> Result<()> {
    let code = |role: Role| match role {
        Role::Request => plan.code.request.as_str(),
        Role::Response => plan.code.response.as_str(),
    };
    let store = |role: Role, arn: &Option<String>| match role {
        Role::Request => arn.clone(),
        Role::Response => None,
    };
    match step {
        Step::CreateKvs { name } => *kvs_arn = Some(control.create_kvs(name).await?),
        Step::CreateFunction { role, name } => {
            control
                .create_function(name, code(*role), store(*role, kvs_arn).as_deref())
                .await?;
        }
        Step::UpdateFunction { role, name } => {
            control
                .update_function(name, code(*role), store(*role, kvs_arn).as_deref())
                .await?;
        }
        Step::TestFunction { role, name } => {
            let event = setup::test_event(*role, &plan.code.path_prefix);
            control.test_function(name, &event).await?;
        }
        Step::PublishFunction { name, .. } => control.publish_function(name).await?,
        Step::Associate { .. } => {
            let indexes = alias_behaviours(&plan.seen.behaviours, &plan.code.path_prefix);
            let names = Role::ALL.map(|r| r.function_name(&plan.name));
            let request = control.function_arn(&names[0]).await?;
            let response = control.function_arn(&names[1]).await?;
            control
                .associate(&indexes, [&names[0], &names[1]], [&request, &response])
                .await?;
        }
    }
    Ok(())
}
