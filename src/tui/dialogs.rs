//! Keys while a dialog is open: the plan dialogs (apply or cancel), the palette, the input
//! dialogs (yank reason, origin), the rollback picker, and messages.

use super::keymap::Command;
use super::state::{Effect, Modal, ProgressState, State, Status};
use crate::domain::change::Request;

impl State {
    pub(super) fn modal_command(&mut self, modal: Modal, c: Command) -> Vec<Effect> {
        match modal {
            Modal::Help | Modal::Message { .. } => {
                if !matches!(
                    c,
                    Command::Cancel | Command::Confirm | Command::Help | Command::Quit
                ) {
                    self.modal = Some(modal);
                }
                Vec::new()
            }
            Modal::Plan {
                plan,
                action,
                running,
            } => {
                if running {
                    self.modal = Some(Modal::Plan {
                        plan,
                        action,
                        running,
                    });
                    return Vec::new();
                }
                match c {
                    Command::Confirm | Command::Yes => {
                        self.busy = Some(plan.description.clone());
                        self.progress = Some(ProgressState {
                            label: "starting".into(),
                            ..Default::default()
                        });
                        self.modal = Some(Modal::Plan {
                            plan: plan.clone(),
                            action: action.clone(),
                            running: true,
                        });
                        vec![Effect::Apply(plan, action)]
                    }
                    Command::Cancel | Command::No => {
                        self.info(format!("cancelled: {}", plan.description));
                        Vec::new()
                    }
                    _ => {
                        self.modal = Some(Modal::Plan {
                            plan,
                            action,
                            running,
                        });
                        Vec::new()
                    }
                }
            }
            Modal::Palette { query, selected } => {
                let matches = super::keymap::palette_matches(&query, self.readonly);
                match c {
                    Command::Cancel => Vec::new(),
                    Command::Up => {
                        self.modal = Some(Modal::Palette {
                            query,
                            selected: selected.saturating_sub(1),
                        });
                        Vec::new()
                    }
                    Command::Down => {
                        let s = (selected + 1).min(matches.len().saturating_sub(1));
                        self.modal = Some(Modal::Palette { query, selected: s });
                        Vec::new()
                    }
                    Command::Confirm => match matches.get(selected) {
                        Some(entry) => self.command(entry.command.clone()),
                        None => Vec::new(),
                    },
                    _ => {
                        self.modal = Some(Modal::Palette { query, selected });
                        Vec::new()
                    }
                }
            }
            Modal::YankReason { version, reason } => match c {
                Command::Cancel => Vec::new(),
                Command::Confirm if reason.trim().is_empty() => {
                    self.status = Some(Status {
                        text: "a yank needs a reason that the team will read later".into(),
                        error: true,
                    });
                    self.modal = Some(Modal::YankReason { version, reason });
                    Vec::new()
                }
                Command::Confirm => {
                    let version = version.parse().expect("listed versions parse");
                    self.plan(Request::Yank { version, reason })
                }
                _ => {
                    self.modal = Some(Modal::YankReason { version, reason });
                    Vec::new()
                }
            },
            Modal::OriginInput { value, additional } => match c {
                Command::Cancel => Vec::new(),
                Command::Up | Command::Down => {
                    self.modal = Some(Modal::OriginInput {
                        value,
                        additional: !additional,
                    });
                    Vec::new()
                }
                Command::Confirm if value.trim().is_empty() => {
                    self.modal = Some(Modal::OriginInput { value, additional });
                    Vec::new()
                }
                Command::Confirm => {
                    self.busy = Some(format!("planning: add {value}"));
                    vec![Effect::PlanOrigin {
                        add: Some((value, additional)),
                        remove: None,
                    }]
                }
                _ => {
                    self.modal = Some(Modal::OriginInput { value, additional });
                    Vec::new()
                }
            },
            Modal::OriginPlan { plan, running } => match c {
                _ if running => {
                    self.modal = Some(Modal::OriginPlan { plan, running });
                    Vec::new()
                }
                Command::Confirm | Command::Yes => {
                    self.busy = Some(plan.description.clone());
                    self.modal = Some(Modal::OriginPlan {
                        plan: plan.clone(),
                        running: true,
                    });
                    vec![Effect::ApplyOrigin(plan)]
                }
                Command::Cancel | Command::No => {
                    self.info(format!("cancelled: {}", plan.description));
                    Vec::new()
                }
                _ => {
                    self.modal = Some(Modal::OriginPlan { plan, running });
                    Vec::new()
                }
            },
            Modal::RollbackPick { options, selected } => match c {
                Command::Cancel | Command::No => Vec::new(),
                Command::Up => {
                    self.modal = Some(Modal::RollbackPick {
                        options,
                        selected: selected.saturating_sub(1),
                    });
                    Vec::new()
                }
                Command::Down => {
                    let s = (selected + 1).min(options.len() - 1);
                    self.modal = Some(Modal::RollbackPick {
                        options,
                        selected: s,
                    });
                    Vec::new()
                }
                Command::Confirm | Command::Yes => {
                    let (alias, to) = options[selected].clone();
                    self.plan(Request::Rollback {
                        alias,
                        to: Some(to.parse().expect("listed versions parse")),
                    })
                }
                _ => {
                    self.modal = Some(Modal::RollbackPick { options, selected });
                    Vec::new()
                }
            },
        }
    }
}
