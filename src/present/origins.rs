//! The words for the allowlist's outcomes, shared by `shipdeck origins …` and the console's
//! Origins screen: severity marks, the probe's verdict, the redeploy's verdict, and what to do
//! after a change. The CLI names commands and the console names keys, from the same sentence.

use super::Front;
use crate::domain::origin::Severity;
use crate::ops::origins::ProbeReport;
use crate::ops::redeploy::RedeployReport;

/// The mark of an origin's worst finding: ERROR, WARN, info or ok.
pub fn mark(worst: Option<Severity>) -> &'static str {
    match worst {
        Some(Severity::Error) => "ERROR",
        Some(Severity::Warning) => "WARN",
        Some(Severity::Info) => "info",
        None => "ok",
    }
}

/// How many origins the probe found disagreeing with the list.
pub fn disagreeing(r: &ProbeReport) -> usize {
    r.results.iter().filter(|p| !p.problems.is_empty()).count()
}

/// The probe's verdict in one line.
pub fn probe_verdict(r: &ProbeReport) -> String {
    match disagreeing(r) {
        0 if r.ok => format!(
            "probe: ok — all {} origin(s) answered as the list says",
            r.results.len()
        ),
        0 => "probe: FAILED".into(),
        n => format!("probe: FAILED — {n} origin(s) disagree with the list"),
    }
}

/// The redeploy's verdict: whether the running Bridge agrees with the list, or why it was not
/// asked.
pub fn redeploy_verdict(r: &RedeployReport) -> String {
    let outcome = r.run.conclusion.as_deref().unwrap_or(r.run.status.as_str());
    let link = r
        .run
        .html_url
        .as_deref()
        .map(|u| format!(" — see {u}"))
        .unwrap_or_default();
    match (&r.probe, r.ok) {
        (None, _) => format!(
            "deploy run {} did not succeed (it ended {outcome}), so the running Bridge was not probed; fix the run, then `shipdeck origins apply` again{link}",
            r.run.id
        ),
        (Some(_), true) => format!(
            "redeployed (run {}); the running Bridge agrees with the list",
            r.run.id
        ),
        (Some(_), false) => format!(
            "redeployed (run {}); the running Bridge does NOT agree with the list",
            r.run.id
        ),
    }
}

/// What to do after an allowlist change: redeploy through the workflow, or restart the Bridge;
/// then probe. `front` decides whether commands or keys are named (`apply` and `probe` are the
/// console's keys for those actions).
pub fn after_change(workflow: bool, front: Front, apply: &str, probe: &str) -> String {
    match (workflow, front) {
        (true, Front::Cli) => {
            "Run `shipdeck origins apply` to redeploy the Bridge and probe it.".into()
        }
        (false, Front::Cli) => {
            "Restart or redeploy the Bridge, then run `shipdeck origins probe`.".into()
        }
        (true, Front::Console) => format!("{apply} redeploys the Bridge and probes it"),
        (false, Front::Console) => {
            format!("restart or redeploy the Bridge, then {probe} to probe it")
        }
    }
}
