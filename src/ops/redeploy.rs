//! After an allowlist change: write what the Bridge's pipeline reads (GitHub secrets from
//! Shipdeck's document), dispatch the Bridge's deploy workflow, follow the run to its end, then
//! probe the running Bridge — the drift check that closes the loop from edit to effect.

use super::Context;
use super::origins::{Origins, ProbeReport, probe};
use super::records::append_history;
use crate::bridge::github::RunState;
use crate::domain::history::HistoryEvent;
use crate::error::Result;
use serde::Serialize;
use std::time::{Duration, Instant};

/// How long a deploy run is followed before Shipdeck stops waiting.
pub const RUN_LIMIT: Duration = Duration::from_secs(30 * 60);

#[derive(Debug, Clone, Serialize)]
pub struct RedeployReport {
    pub workflow: String,
    pub run: RunState,
    /// The probe after a successful run; none when the run failed or is still going.
    pub probe: Option<ProbeReport>,
    /// The run succeeded and the running Bridge answers as the list says.
    pub ok: bool,
}

/// Redeploys the Bridge and probes it; `progress` hears each new run status.
pub async fn redeploy(
    o: &Origins,
    ctx: &Context,
    progress: &(dyn Fn(&RunState) + Send + Sync),
    poll: Duration,
) -> Result<RedeployReport> {
    let wf = match (super::origins::deploy_workflow(o).await?, &o.workflow) {
        (Some(wf), _) => wf,
        (None, Some(missing)) => {
            return Err(crate::error::ProfileGap::DefaultWorkflowMissing {
                repo: missing.repo.repo.clone(),
                file: missing.file.clone(),
            }
            .into());
        }
        (None, None) => return Err(crate::error::ProfileGap::NoDeployWorkflow.into()),
    };
    let wf = &wf;
    o.source.sync().await?;
    let id = wf.dispatch().await?;
    let start = Instant::now();
    let mut last: Option<String> = None;
    let mut wait = poll;
    let run = loop {
        let state = wf.run(id).await?;
        if last.as_deref() != Some(state.status.as_str()) {
            progress(&state);
            last = Some(state.status.clone());
        }
        if state.status == "completed" || start.elapsed() > RUN_LIMIT {
            break state;
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(10));
    };
    let succeeded = run.status == "completed" && run.conclusion.as_deref() == Some("success");
    let probe = if succeeded {
        Some(probe(o, ctx, &[]).await?)
    } else {
        None
    };
    let ok = probe.as_ref().is_some_and(|p| p.ok);
    let event = HistoryEvent {
        commit: None,
        invalidation: None,
        id: super::new_id(),
        at: chrono::Utc::now(),
        by: ctx.actor.clone(),
        action: crate::domain::history::Operation::Origins,
        description: format!("redeploy the Bridge ({})", wf.describe()),
        changes: Vec::new(),
        outcome: if ok { "ok".into() } else { "failed".into() },
        detail: Some(format!(
            "run {} {}{}",
            run.id,
            run.conclusion.as_deref().unwrap_or(&run.status),
            run.html_url
                .as_deref()
                .map(|u| format!(" {u}"))
                .unwrap_or_default()
        )),
    };
    if let Err(e) = append_history(ctx, &event).await {
        tracing::warn!(error = %e, "redeploy not recorded in history");
    }
    Ok(RedeployReport {
        workflow: wf.describe(),
        run,
        probe,
        ok,
    })
}
