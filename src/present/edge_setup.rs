//! `edge setup` in words: the plan (each step one CloudFront call) and how far a setup got —
//! what was done, the step that failed and why, what is left, and how to finish.

use super::printable;
use crate::domain::edge_alias::setup::Step;
use crate::ops::edge_setup::{SetupOutcome, SetupPlan};

/// One step as a user reads it.
pub fn step(s: &Step) -> String {
    match s {
        Step::CreateKvs { name } => format!("create the KeyValueStore {name}"),
        Step::CreateFunction { role, name } => {
            format!("create the function {name} (viewer {role})")
        }
        Step::UpdateFunction { name, .. } => format!(
            "update the function {name}: its code or KeyValueStore is not what this Shipdeck deploys"
        ),
        Step::TestFunction { name, .. } => {
            format!("test {name} on a request for latest/ before publishing it")
        }
        Step::PublishFunction { name, .. } => format!("publish {name} to LIVE"),
        Step::Associate { behaviours } => format!(
            "attach both functions to {} (one distribution update)",
            behaviours.join(", ")
        ),
    }
}

pub fn plan(p: &SetupPlan) -> Vec<String> {
    let mut out = vec![format!("Edge setup of {} ({}):", p.distribution, p.name)];
    if p.is_noop() {
        out.push(
            "  nothing to do: the KeyValueStore, both functions (LIVE, with this Shipdeck's code) and their associations are in place".into(),
        );
        return out;
    }
    for (i, s) in p.steps.iter().enumerate() {
        out.push(format!("  {}. {} [{}]", i + 1, step(s), s.call()));
    }
    out
}

pub fn outcome(o: &SetupOutcome) -> Vec<String> {
    let mut out: Vec<String> = o.done.iter().map(|s| format!("✓ {}", step(s))).collect();
    if let Some(f) = &o.failed {
        out.push(format!("✗ {}: {}", step(&f.step), printable(&f.error)));
        for s in &o.left {
            out.push(format!("  not tried: {}", step(s)));
        }
        out.push(
            "Edge setup stopped; what is done stays done: run `shipdeck edge setup` again to finish."
                .into(),
        );
    } else {
        out.push(format!(
            "Edge setup done: {} serves edge aliases once CloudFront has deployed the change.",
            o.distribution
        ));
    }
    if o.add_kvs_arn
        && let Some(arn) = &o.kvs_arn
    {
        out.push(format!(
            "Add kvs_arn = \"{arn}\" to the profile's cdn.edge, so a change need not look the store up by name."
        ));
    }
    out
}
