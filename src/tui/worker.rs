//! The worker: runs the state's effects through the same use cases as the CLI and sends the
//! results back as actions. All IO of the console happens here, off the draw path; errors stay
//! typed until a view words them with `present::failure`, as the CLI does.

use super::screens::cost::CostData;
use super::state::{Action, CanaryEffect, Effect, OriginEdit};
use crate::bridge::Var;
use crate::config::Source;
use crate::domain::change::Request;
use crate::domain::history::Operation;
use crate::error::Result;
use crate::ops::account::{self, AccountView, ProfileFacts};
use crate::ops::{ProgressEvent, apply, canary, change, cost, origins, query, records, verify};
use crate::session::Session;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

/// Starts the worker; returns where to send effects.
pub fn spawn(session: Session, results: UnboundedSender<Action>) -> UnboundedSender<Effect> {
    let (tx, mut rx) = unbounded_channel::<Effect>();
    tokio::spawn(async move {
        while let Some(effect) = rx.recv().await {
            // Evaluating alerts reads logs (maybe for a while) and changes nothing: it runs
            // beside the queue, so a change asked for at start-up does not wait for it.
            if matches!(effect, Effect::LoadAlerts) {
                let (s, r) = (session.clone(), results.clone());
                tokio::spawn(async move {
                    let out = run(&s, effect, &r).await;
                    let _ = r.send(out);
                });
                continue;
            }
            let out = run(&session, effect, &results).await;
            if results.send(out).is_err() {
                break;
            }
        }
    });
    tx
}

/// Progress forwarded to the console as actions.
struct ToConsole(UnboundedSender<Action>);

impl crate::ops::Progress for ToConsole {
    fn report(&self, e: ProgressEvent) {
        let _ = self.0.send(Action::Progress(e));
    }
}

async fn run(s: &Session, effect: Effect, results: &UnboundedSender<Action>) -> Action {
    let ctx = &s.ctx;
    match effect {
        Effect::LoadReleases => Action::Loaded(query::releases(ctx).await),
        Effect::LoadHistory => Action::HistoryLoaded(records::read_history(ctx, Some(500)).await),
        Effect::LoadManifest(v) => {
            let r = records::require_manifest(ctx, &v).await;
            Action::ManifestLoaded(v, r)
        }
        Effect::Plan(req) => {
            let action = req.action();
            let plan = change::plan_change(ctx, &req).await;
            Action::Planned(plan.map(|p| (Box::new(p), action)))
        }
        Effect::PlanResume { revert } => {
            let action = Operation::of_resume(revert);
            let plan = change::plan_resume(ctx, revert).await;
            Action::Planned(plan.map(|p| (Box::new(p), action)))
        }
        Effect::PlanRepair(aliases) => {
            let plan = change::plan_repair(ctx, &aliases).await;
            Action::Planned(plan.map(|p| (Box::new(p), Operation::Repair)))
        }
        Effect::Apply(plan, action) => {
            let progress = ToConsole(results.clone());
            Action::Applied(
                apply::apply(ctx, &plan, action, &progress)
                    .await
                    .map(Box::new),
            )
        }
        Effect::Canary(c) => canary_effect(s, c).await,
        Effect::Verify(targets) => Action::Verified(verify::verify(ctx, &targets).await),
        Effect::VerifyEdge => Action::EdgeVerified(
            crate::ops::edge::verify_edge(ctx, &crate::ops::edge::EdgeCheck::default())
                .await
                .map(Box::new),
        ),
        Effect::LoadCost => Action::CostLoaded(load_cost(ctx).await.map(Box::new)),
        Effect::LoadAccount => Action::AccountLoaded(load_account(s).await.map(Box::new)),
        Effect::LoadOrigins => {
            Action::OriginsLoaded(async { origins::list(&s.origins()?).await.map(Box::new) }.await)
        }
        Effect::PlanOrigin(edit) => Action::OriginPlanned(plan_origin(s, edit).await.map(Box::new)),
        Effect::ApplyOrigin(plan) => {
            Action::OriginApplied(async { origins::apply(&s.origins()?, ctx, &plan).await }.await)
        }
        Effect::RedeployBridge => redeploy(s, results).await,
        Effect::LoadTraffic => {
            let tx = results.clone();
            let progress = move |done: usize, total: usize| {
                let _ = tx.send(Action::TrafficProgress(done, total));
            };
            Action::TrafficLoaded(
                async {
                    let now = chrono::Utc::now();
                    let logs = crate::session::log_source(s).await?;
                    crate::ops::traffic::traffic(
                        ctx,
                        &logs,
                        &crate::session::traffic_cache(&s.profile_name),
                        now - chrono::Duration::days(7),
                        now,
                        now,
                        &progress,
                    )
                    .await
                    .map(Box::new)
                }
                .await,
            )
        }
        Effect::LoadAlerts => {
            Action::AlertsLoaded(crate::session::check_alerts(s).await.map(Box::new))
        }
        Effect::ProbeOrigins => Action::Probed(
            async { origins::probe(&s.origins()?, ctx, &[]).await.map(Box::new) }.await,
        ),
    }
}

async fn plan_origin(s: &Session, edit: OriginEdit) -> Result<origins::OriginPlan> {
    let o = s.origins()?;
    match edit {
        OriginEdit::Add { origin, additional } => {
            let var = if additional {
                Var::Additional
            } else {
                Var::Allowed
            };
            origins::plan_add(&o, &[origin], var).await
        }
        OriginEdit::Remove { origin } => origins::plan_remove(&o, &origin).await,
    }
}

/// What the Cost screen computes from: the same inputs `shipdeck cost --compare` reads (the
/// profile's usage file, its bundle_kb, the manifest of `latest`), the profile's own provider
/// first. With nothing served and no size given it assumes a typical bundle, said on screen
/// (the console has no flag to ask for).
async fn load_cost(ctx: &crate::ops::Context) -> Result<CostData> {
    let usage = cost::base_usage(ctx.usage_file.as_deref())?;
    let other = ctx.default_provider.other();
    let choice = cost::BundleChoice {
        flag_kb: None,
        assume_when_unserved: true,
    };
    cost::inputs(ctx, usage, choice, &[ctx.default_provider, other]).await
}

/// What the Account screen shows, read fresh each time it opens.
async fn load_account(s: &Session) -> Result<AccountView> {
    let facts = ProfileFacts {
        name: s.profile_name.clone(),
        config: match &s.source {
            Source::File(p) => Some(p.clone()),
            Source::Builtin => None,
        },
        needs: s.profile.needs(),
    };
    account::account(&s.ctx, facts, crate::session::secret_store()).await
}

/// The profile's edge keys, or the sentence saying the profile is not in edge mode.
fn edge_keys(s: &Session) -> Result<std::sync::Arc<dyn crate::cdn::alias_keys::AliasKeys>> {
    s.ctx.edge_keys.clone().ok_or_else(|| {
        crate::error::ProfileGap::NotEdgeMode {
            profile: s.profile_name.clone(),
        }
        .into()
    })
}

/// A canary step from the Aliases screen, through the CLI's use cases.
async fn canary_effect(s: &Session, effect: CanaryEffect) -> Action {
    let ctx = &s.ctx;
    match effect {
        CanaryEffect::Plan(alias, step) => Action::CanaryPlanned(match edge_keys(s) {
            Ok(keys) => canary::plan(ctx, keys.as_ref(), &alias, &step)
                .await
                .map(Box::new),
            Err(e) => Err(e),
        }),
        CanaryEffect::Apply(plan) => Action::CanaryApplied(match edge_keys(s) {
            Ok(keys) => canary::apply(ctx, keys.as_ref(), *plan).await.map(Box::new),
            Err(e) => Err(e),
        }),
        CanaryEffect::Finish(alias) => {
            let plan = async {
                let version = canary::finishing(ctx, edge_keys(s)?.as_ref(), &alias).await?;
                // As `canary finish`: an automatic alias follows the promote, a channel is
                // pinned to the release.
                let req = Request::Promote {
                    version,
                    alias: (!alias.is_automatic()).then_some(alias),
                };
                let action = req.action();
                change::plan_change(ctx, &req)
                    .await
                    .map(|p| (Box::new(p), action))
            };
            Action::Planned(plan.await)
        }
    }
}

/// Dispatches the Bridge's deploy workflow, reporting each status change, then probes it.
async fn redeploy(s: &Session, results: &UnboundedSender<Action>) -> Action {
    let ctx = &s.ctx;
    let tx = results.clone();
    let progress = move |r: &crate::bridge::github::RunState| {
        let _ = tx.send(Action::DeployProgress(format!(
            "deploy run {}: {}",
            r.id, r.status
        )));
    };
    Action::Redeployed(
        async {
            crate::ops::redeploy::redeploy(
                &s.origins()?,
                ctx,
                &progress,
                std::time::Duration::from_secs(2),
            )
            .await
            .map(Box::new)
        }
        .await,
    )
}
