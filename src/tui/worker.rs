//! The worker: runs the state's effects through the same use cases as the CLI and sends the
//! results back as actions. All IO of the console happens here, off the draw path.

use super::state::{Action, Effect};
use crate::bridge::Var;
use crate::ops::{ProgressEvent, apply, change, cost, origins, query, records, verify};
use crate::session::Session;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

/// Starts the worker; returns where to send effects.
pub fn spawn(session: Session, results: UnboundedSender<Action>) -> UnboundedSender<Effect> {
    let (tx, mut rx) = unbounded_channel::<Effect>();
    tokio::spawn(async move {
        while let Some(effect) = rx.recv().await {
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

fn err(e: crate::error::Error) -> String {
    e.to_string()
}

async fn run(s: &Session, effect: Effect, results: &UnboundedSender<Action>) -> Action {
    let ctx = &s.ctx;
    match effect {
        Effect::LoadReleases => Action::Loaded(query::releases(ctx).await.map_err(err)),
        Effect::LoadHistory => {
            Action::HistoryLoaded(records::read_history(ctx, Some(500)).await.map_err(err))
        }
        Effect::LoadManifest(v) => {
            let r = match v.parse() {
                Ok(ver) => records::require_manifest(ctx, &ver).await.map_err(err),
                Err(e) => Err(format!("{e}")),
            };
            Action::ManifestLoaded(v, r)
        }
        Effect::Plan(req) => {
            let action = req.action().to_string();
            Action::Planned(
                change::plan_change(ctx, &req)
                    .await
                    .map(|p| (Box::new(p), action))
                    .map_err(err),
            )
        }
        Effect::PlanResume { revert } => {
            let action = if revert { "revert" } else { "resume" }.to_string();
            Action::Planned(
                change::plan_resume(ctx, revert)
                    .await
                    .map(|p| (Box::new(p), action))
                    .map_err(err),
            )
        }
        Effect::PlanRepair(aliases) => Action::Planned(
            change::plan_repair(ctx, &aliases)
                .await
                .map(|p| (Box::new(p), "repair".to_string()))
                .map_err(err),
        ),
        Effect::Apply(plan, action) => {
            let progress = ToConsole(results.clone());
            Action::Applied(
                apply::apply(ctx, &plan, &action, &progress)
                    .await
                    .map_err(err),
            )
        }
        Effect::Verify(targets) => {
            Action::Verified(verify::verify(ctx, &targets).await.map_err(err))
        }
        Effect::LoadCost => Action::CostLoaded(load_cost(ctx).await.map(Box::new).map_err(err)),
        Effect::LoadAccount => {
            Action::AccountLoaded(load_account(s).await.map(Box::new).map_err(err))
        }
        Effect::LoadOrigins => Action::OriginsLoaded(match s.origins() {
            Ok(o) => origins::list(&o).await.map(Box::new).map_err(err),
            Err(e) => Err(e.to_string()),
        }),
        Effect::PlanOrigin { add, remove } => Action::OriginPlanned(
            async {
                let o = s.origins()?;
                match (add, remove) {
                    (Some((origin, additional)), _) => {
                        origins::plan_add(
                            &o,
                            &origin,
                            if additional {
                                Var::Additional
                            } else {
                                Var::Allowed
                            },
                        )
                        .await
                    }
                    (None, Some(origin)) => origins::plan_remove(&o, &origin).await,
                    (None, None) => Err(crate::error::Error::Usage("nothing to plan".into())),
                }
            }
            .await
            .map(Box::new)
            .map_err(err),
        ),
        Effect::ApplyOrigin(plan) => Action::OriginApplied(
            async { origins::apply(&s.origins()?, ctx, &plan).await }
                .await
                .map_err(err),
        ),
        Effect::ProbeOrigins => Action::Probed(
            async { origins::probe(&s.origins()?, &[]).await }
                .await
                .map(Box::new)
                .map_err(err),
        ),
    }
}

/// Prices for both providers and the bundle of `latest` (or a typical 60 KB when nothing is
/// served yet, said so on screen).
async fn load_cost(ctx: &crate::ops::Context) -> crate::error::Result<crate::tui::cost::CostData> {
    let aws = cost::pricing("aws")?;
    let azure = cost::pricing("azure")?;
    // Only "nothing served yet" falls back to an assumed size; a store or manifest error is shown.
    let (bundle, bundle_from) = match cost::latest_bundle(ctx).await? {
        Some(measured) => measured,
        None => (
            cost::assumed_bundle(60.0),
            "a typical 60 KB (no release is served by latest yet)".to_string(),
        ),
    };
    Ok(crate::tui::cost::CostData {
        aws,
        azure,
        bundle,
        bundle_from,
    })
}

/// What the Account screen shows, read fresh each time it opens.
async fn load_account(s: &Session) -> crate::error::Result<crate::tui::extra::Account> {
    use crate::config::{Source, StoreConfig};
    let credentials = match &s.profile.store {
        StoreConfig::Local { .. } => "not needed (local store)".to_string(),
        StoreConfig::S3 { .. } => {
            match crate::credentials::load(crate::session::secret_store(), &s.profile_name).await {
                Ok(k) => crate::credentials::describe_source(k.as_ref()),
                Err(e) => format!(
                    "keyring unavailable ({e}); {}",
                    crate::credentials::describe_source(None)
                ),
            }
        }
    };
    let lock = crate::ops::lock::current(&s.ctx).await?.map(|l| {
        format!(
            "{} on {} (pid {}) since {} — {}",
            l.holder,
            l.host,
            l.pid,
            l.since.format("%Y-%m-%d %H:%M:%S UTC"),
            l.operation
        )
    });
    let in_flight = query::releases(&s.ctx).await?.in_flight;
    Ok(crate::tui::extra::Account {
        profile: s.profile_name.clone(),
        config: match &s.source {
            Source::File(p) => p.display().to_string(),
            Source::Builtin => "built in (no config file found)".into(),
        },
        store: s.ctx.store.describe(),
        cdn: s.ctx.cdn.describe(),
        actor: s.ctx.actor.clone(),
        credentials,
        lock,
        in_flight,
    })
}
