//! `--output-file FILE`: one JSON line per event of a change — the plan, each phase and step as
//! it starts, and the result — appended to FILE for wrappers that want a stream rather than one
//! document at the end.

use crate::domain::plan::Plan;
use crate::ops::apply::Report;
use crate::ops::{Progress, ProgressEvent};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where events go, if anywhere.
pub struct EventLog {
    path: Option<PathBuf>,
    lock: Mutex<()>,
}

impl EventLog {
    pub fn new(path: Option<&Path>) -> Self {
        EventLog {
            path: path.map(Path::to_path_buf),
            lock: Mutex::new(()),
        }
    }

    fn write(&self, mut v: Value) {
        let Some(path) = &self.path else { return };
        if let Value::Object(map) = &mut v {
            map.insert("at".into(), chrono::Utc::now().to_rfc3339().into());
            map.insert(
                "schema_version".into(),
                super::output::SCHEMA_VERSION.into(),
            );
        }
        let _guard = self
            .lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let r = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut f| writeln!(f, "{v}"));
        if let Err(e) = r {
            tracing::warn!(path = %path.display(), error = %e, "cannot append to --output-file");
        }
    }

    pub fn plan(&self, plan: &Plan) {
        self.write(json!({ "event": "plan", "plan": plan }));
    }

    pub fn result(&self, applied: bool, report: Option<&Report>) {
        self.write(json!({ "event": "result", "applied": applied, "report": report }));
    }

    pub fn error(&self, message: &str, code: &str) {
        self.write(json!({ "event": "error", "error": message, "code": code }));
    }
}

/// Progress that also logs each phase and step (not every file: a 500-file phase is one line).
pub struct Logged<'a> {
    pub inner: &'a dyn Progress,
    pub log: &'a EventLog,
}

impl Progress for Logged<'_> {
    fn report(&self, event: ProgressEvent) {
        match &event {
            ProgressEvent::Phase {
                label,
                files,
                bytes,
            } => self
                .log
                .write(json!({ "event": "phase", "label": label, "files": files, "bytes": bytes })),
            ProgressEvent::Step(s) => self.log.write(json!({ "event": "step", "label": s })),
            ProgressEvent::File { .. } => {}
        }
        self.inner.report(event);
    }
}
