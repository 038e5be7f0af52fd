//! What the worker sends back: loaded data, planned changes, progress, outcomes. Each result
//! updates the state and may ask for more IO (a reload after a change).

use super::state::{Action, Effect, Modal, ProgressState, Screen, State, Status};
use crate::ops::ProgressEvent;

impl State {
    /// Applies a worker result; `action` is one of the result variants of [`Action`].
    pub(super) fn on_result(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Loaded(r) => {
                self.busy = None;
                match r {
                    Ok(v) => {
                        if let Some(f) = &v.in_flight {
                            self.status = Some(Status {
                                text: format!("unfinished operation: {f}"),
                                error: true,
                            });
                        }
                        self.releases = Some(v);
                        for s in Screen::ALL {
                            let cur = self.screen;
                            self.screen = s;
                            let sel = self.selection();
                            self.set_selection(sel);
                            self.screen = cur;
                        }
                        self.detail_effect()
                    }
                    Err(e) => {
                        self.error("Could not load releases", e);
                        Vec::new()
                    }
                }
            }
            Action::HistoryLoaded(r) => {
                match r {
                    Ok(h) => self.history = h,
                    Err(e) => {
                        self.status = Some(Status {
                            text: format!("history: {e}"),
                            error: true,
                        })
                    }
                }
                Vec::new()
            }
            Action::ManifestLoaded(v, r) => {
                match r {
                    Ok(m) if self.selected_version().is_some_and(|s| s.version == v) => {
                        self.manifest = Some(m)
                    }
                    Ok(_) => {}
                    Err(e) => {
                        self.status = Some(Status {
                            text: format!("manifest of {v}: {e}"),
                            error: true,
                        })
                    }
                }
                Vec::new()
            }
            Action::Planned(r) => {
                self.busy = None;
                match r {
                    Ok((plan, action)) if plan.is_noop() => {
                        self.info(format!("{}: nothing to change", plan.description));
                        let _ = action;
                    }
                    Ok((plan, action)) => {
                        self.modal = Some(Modal::Plan {
                            plan,
                            action,
                            running: false,
                        })
                    }
                    Err(e) => self.error("Cannot plan this change", e),
                }
                Vec::new()
            }
            Action::Progress(ev) => {
                let p = self.progress.get_or_insert_with(ProgressState::default);
                match ev {
                    ProgressEvent::Phase {
                        label,
                        files,
                        bytes,
                    } => {
                        *p = ProgressState {
                            label,
                            done: 0,
                            total: files,
                            bytes: 0,
                            total_bytes: bytes,
                        };
                    }
                    ProgressEvent::File { bytes, .. } => {
                        p.done += 1;
                        p.bytes += bytes;
                    }
                    ProgressEvent::Step(s) => p.label = s,
                }
                Vec::new()
            }
            Action::Applied(r) => {
                self.busy = None;
                self.progress = None;
                let desc = match self.modal.take() {
                    Some(Modal::Plan { plan, .. }) => plan.description,
                    _ => "change".into(),
                };
                match r {
                    Ok(rep) => {
                        let mut lines = vec![format!(
                            "{} file(s) written ({}), {} deleted",
                            rep.files_written,
                            crate::domain::plan::human_bytes(rep.bytes_written),
                            rep.files_deleted
                        )];
                        lines.extend(rep.invalidation.iter().map(|i| format!("CDN: {i}")));
                        lines.extend(rep.verify_problems.iter().map(|p| format!("verify: {p}")));
                        lines.extend(rep.warnings.iter().map(|w| format!("warning: {w}")));
                        if rep.verify_problems.is_empty() && rep.warnings.is_empty() {
                            self.info(format!("done: {desc}"));
                        } else {
                            self.modal = Some(Modal::Message {
                                title: format!("Done with problems: {desc}"),
                                lines,
                                error: true,
                            });
                        }
                    }
                    Err(e) => self.error(&format!("Failed: {desc}"), e),
                }
                self.manifest = None;
                vec![Effect::LoadReleases, Effect::LoadHistory]
            }
            Action::Verified(r) => {
                self.busy = None;
                match r {
                    Ok(results) => {
                        let bad: usize = results.iter().map(|r| r.problems.len()).sum();
                        let mut lines = Vec::new();
                        for r in &results {
                            if r.problems.is_empty() {
                                lines.push(format!(
                                    "ok  {}: {} file(s) match {}",
                                    r.target, r.files, r.version
                                ));
                            } else {
                                lines.push(format!(
                                    "FAILED  {}: {} problem(s)",
                                    r.target,
                                    r.problems.len()
                                ));
                                lines.extend(r.problems.iter().map(|p| format!("  {p}")));
                                if r.target != r.version {
                                    lines.push(format!(
                                        "  repair (palette, or F on Aliases) makes {} match {} again",
                                        r.target, r.version
                                    ));
                                }
                            }
                        }
                        let title = if bad == 0 {
                            "Verify: all files match".to_string()
                        } else {
                            format!("Verify: {bad} problem(s)")
                        };
                        self.modal = Some(Modal::Message {
                            title,
                            lines,
                            error: bad > 0,
                        });
                    }
                    Err(e) => self.error("Verify failed", e),
                }
                Vec::new()
            }
            Action::AccountLoaded(r) => {
                self.extra.account = Some(r.map(|b| *b));
                Vec::new()
            }
            Action::CostLoaded(r) => {
                self.extra.cost.data = Some(r.map(|b| *b));
                Vec::new()
            }
            Action::OriginsLoaded(r) => {
                self.busy = None;
                self.extra.origins.listing = Some(r.map(|b| *b));
                let i = Screen::Origins.index();
                self.selected[i] = self.selected[i].min(self.extra.origins_len().saturating_sub(1));
                Vec::new()
            }
            Action::OriginPlanned(r) => {
                self.busy = None;
                match r {
                    Ok(plan) => {
                        self.modal = Some(Modal::OriginPlan {
                            plan,
                            running: false,
                        })
                    }
                    Err(e) => self.error("Cannot change the allowlist", e),
                }
                Vec::new()
            }
            Action::OriginApplied(r) => {
                self.busy = None;
                let desc = match self.modal.take() {
                    Some(Modal::OriginPlan { plan, .. }) => plan.description,
                    _ => "allowlist change".into(),
                };
                match r {
                    Ok(()) => self.info(format!(
                        "done: {desc} — restart the Bridge, then P to probe"
                    )),
                    Err(e) => self.error(&format!("Failed: {desc}"), e),
                }
                vec![Effect::LoadOrigins, Effect::LoadHistory]
            }
            Action::Probed(r) => {
                self.busy = None;
                match r {
                    Ok(rep) => {
                        let bad: Vec<&crate::ops::origins::Probed> = rep
                            .results
                            .iter()
                            .filter(|r| !r.problems.is_empty())
                            .collect();
                        if bad.is_empty() {
                            self.info(format!(
                                "probe: all {} origin(s) answered as the list says",
                                rep.results.len()
                            ));
                        } else {
                            let lines = bad
                                .iter()
                                .flat_map(|r| {
                                    std::iter::once(format!("{} ({})", r.origin, r.kind))
                                        .chain(r.problems.iter().map(|p| format!("  {p}")))
                                })
                                .collect();
                            self.modal = Some(Modal::Message {
                                title: format!(
                                    "Probe: {} origin(s) disagree with the list",
                                    bad.len()
                                ),
                                lines,
                                error: true,
                            });
                        }
                        self.extra.origins.probe = Some(*rep);
                    }
                    Err(e) => self.error("Probe failed", e),
                }
                Vec::new()
            }
            other => unreachable!("not a worker result: {other:?}"),
        }
    }
}
