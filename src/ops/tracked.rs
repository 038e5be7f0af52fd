//! After a change lands, the error tracker hears about it: a publish creates the Sentry release
//! named as the widget's `Sentry.init({ release })` names it, a move of the production alias
//! records a deploy of the release it now serves. A tracker that fails never undoes or fails the
//! change: it is a warning in the report, saying what was not recorded.

use super::Context;
use super::apply::{Report, Warning};
use crate::domain::plan::Plan;
use crate::tracking::Created;
use serde::Serialize;

/// What the tracker recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Tracked {
    ReleaseCreated {
        release: String,
    },
    ReleaseExisted {
        release: String,
    },
    DeployRecorded {
        release: String,
        environment: String,
    },
}

/// Tells the profile's tracker what `plan` did (nothing when it has none).
pub async fn record(ctx: &Context, plan: &Plan, report: &mut Report) {
    let Some(t) = &ctx.tracking else {
        return;
    };
    if let Some(m) = &plan.manifest {
        let release = t.release(&m.version.to_string());
        match t.tracker.create_release(&release).await {
            Ok(Created::New) => report.tracked.push(Tracked::ReleaseCreated { release }),
            Ok(Created::Existing) => report.tracked.push(Tracked::ReleaseExisted { release }),
            Err(e) => report
                .warnings
                .push(Warning::TrackerFailed { error: e.into() }),
        }
    }
    let deployed = report
        .aliases_moved
        .iter()
        .filter(|c| c.alias == t.alias && c.from != c.to)
        .filter_map(|c| c.to.clone())
        .collect::<Vec<_>>();
    for version in deployed {
        let release = t.release(&version);
        // A deploy of a release Sentry does not know yet (published before Sentry was set up):
        // create it first, as `sentry-cli releases new` would.
        let created = t.tracker.create_release(&release).await;
        let result = match created {
            Ok(_) => t.tracker.record_deploy(&release, &t.environment).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => report.tracked.push(Tracked::DeployRecorded {
                release,
                environment: t.environment.clone(),
            }),
            Err(e) => report
                .warnings
                .push(Warning::TrackerFailed { error: e.into() }),
        }
    }
}
