//! Plans: every change is computed as a plan first, shown as a diff, and applied only when
//! confirmed.
//!
//! A plan names each file it will upload, copy, replace or delete, each alias it moves, the CDN
//! paths it will invalidate, and the state it will commit. The same plan value is printed by the
//! CLI, drawn by the TUI's plan dialog, and executed by `ops::apply`, so what the user approved
//! is exactly what runs.

use crate::domain::alias::AliasName;
use crate::domain::manifest::{Manifest, is_entry_point};
use crate::domain::state::{Core, PublishingRecord, State};
use semver::Version;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One alias moving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AliasMove {
    pub alias: AliasName,
    pub from: Option<Version>,
    pub to: Option<Version>,
    pub pinned: bool,
    pub was_pinned: bool,
}

/// What happens to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileOpKind {
    /// A new object from a local build file.
    Upload,
    /// A server-side copy to a key that has no object yet.
    Copy,
    /// A server-side copy over an object with other content.
    Replace,
    Delete,
}

/// One object operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileOp {
    pub kind: FileOpKind,
    /// Destination key (or the key deleted).
    pub key: String,
    /// Source key (copy/replace) or local path (upload).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub size: u64,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub content_type: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cache_control: String,
    /// An entry point (copied after every other file).
    #[serde(skip)]
    pub entry: bool,
    /// The content id the written object must report (the copy source's), when known: the
    /// store's answer to each write is the check that the change landed.
    #[serde(skip)]
    pub expect: Option<String>,
}

impl FileOp {
    /// What is wrong when the store reports `reported` for this write, if anything.
    pub fn mismatch(&self, reported: Option<&str>) -> Option<CopyMismatch> {
        let (want, got) = (self.expect.as_deref()?, reported?);
        (want != got).then(|| CopyMismatch {
            key: self.key.clone(),
            source: self.source.clone(),
            expected: want.to_string(),
            reported: got.to_string(),
        })
    }
}

/// A write whose object the store reports with other content than its source's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CopyMismatch {
    pub key: String,
    pub source: Option<String>,
    /// The source's content id.
    pub expected: String,
    /// The content id the store reported for the written object.
    pub reported: String,
}

/// What a store knows of an existing object, relative to the folder being compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub path: String,
    pub size: u64,
    /// A value equal for equal content on this backend (SHA-256 locally, the ETag on S3).
    pub content_id: Option<String>,
}

/// A change, ready to show and to apply.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Plan {
    pub description: String,
    pub release_changes: Vec<String>,
    pub alias_moves: Vec<AliasMove>,
    pub file_ops: Vec<FileOp>,
    pub unchanged_files: usize,
    pub invalidations: Vec<String>,
    /// When browsers will see the alias moves (absent when no alias moves).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub browsers: Option<crate::domain::edge::Visibility>,
    /// Whether the plan leads with [`Plan::browsers`] (a rollback: the first question in an
    /// incident is how soon customers get the old release back).
    #[serde(skip)]
    pub browsers_first: bool,
    /// What must not be missed (an alias folder deleted): shown first, highlighted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    pub notes: Vec<String>,
    /// The state committed at the end.
    #[serde(skip)]
    pub next: Core,
    /// The ETag of the state the plan was computed from; the commit requires it unchanged.
    #[serde(skip)]
    pub base_etag: Option<String>,
    /// The state the plan was computed from, so applying needs not read it again (the commit's
    /// precondition on `base_etag` still refuses a state that changed since).
    #[serde(skip)]
    pub base: Option<Box<State>>,
    #[serde(skip)]
    pub publishing: Option<PublishingRecord>,
    /// The manifest a publish writes once its files are uploaded.
    #[serde(skip)]
    pub manifest: Option<Manifest>,
    /// Finishes or undoes an operation recorded as in flight (so it must run even if no file
    /// is left to copy: the state still has to be committed).
    #[serde(skip)]
    pub resumes: bool,
}

impl Plan {
    /// The git commit this change is about, for history: the published build's, or else the
    /// build the first moved alias now serves (as recorded when it was published).
    pub fn commit(&self) -> Option<String> {
        if let Some(m) = &self.manifest {
            return m.commit.clone();
        }
        let to = self.alias_moves.iter().find_map(|m| m.to.as_ref())?;
        self.next.releases.get(to)?.commit.clone()
    }

    /// True when applying the plan would change nothing at all.
    pub fn is_noop(&self) -> bool {
        !self.resumes
            && self.release_changes.is_empty()
            && self.alias_moves.is_empty()
            && self.file_ops.is_empty()
    }

    pub fn bytes_to_transfer(&self) -> u64 {
        self.file_ops
            .iter()
            .filter(|o| o.kind != FileOpKind::Delete)
            .map(|o| o.size)
            .sum()
    }

    /// The plan as human-readable lines, shared by the CLI and the TUI's plan dialog.
    pub fn lines(&self) -> Vec<PlanLine> {
        let mut out = vec![PlanLine::new(
            LineKind::Title,
            format!("Plan: {}", self.description),
        )];
        let browsers = self
            .browsers
            .as_ref()
            .map(|b| PlanLine::new(LineKind::Note, format!("  when     {b}")));
        if self.browsers_first {
            out.extend(browsers.clone());
        }
        for w in &self.warnings {
            out.push(PlanLine::new(LineKind::Warning, format!("  WARNING  {w}")));
        }
        for c in &self.release_changes {
            out.push(PlanLine::new(LineKind::Release, format!("  release  {c}")));
        }
        for m in &self.alias_moves {
            out.push(alias_line(m));
        }
        // What matters most comes first (a long file list may be cut short on screen).
        if self.invalidations.is_empty() {
            out.push(PlanLine::new(
                LineKind::Note,
                "  cdn      nothing to invalidate".to_string(),
            ));
        } else {
            for p in &self.invalidations {
                out.push(PlanLine::new(
                    LineKind::Cdn,
                    format!("  cdn      invalidate {p}"),
                ));
            }
        }
        if !self.browsers_first {
            out.extend(browsers);
        }
        for n in &self.notes {
            out.push(PlanLine::new(LineKind::Note, format!("  note     {n}")));
        }
        for op in &self.file_ops {
            let (sym, kind) = match op.kind {
                FileOpKind::Upload => ("+ upload ", LineKind::Add),
                FileOpKind::Copy => ("+ copy   ", LineKind::Add),
                FileOpKind::Replace => ("~ replace", LineKind::Change),
                FileOpKind::Delete => ("- delete ", LineKind::Remove),
            };
            let detail = match op.kind {
                FileOpKind::Delete => String::new(),
                _ => format!("  ({}, {})", human_bytes(op.size), op.cache_control),
            };
            out.push(PlanLine::new(kind, format!("  {sym} {}{detail}", op.key)));
        }
        if self.unchanged_files > 0 {
            out.push(PlanLine::new(
                LineKind::Note,
                format!(
                    "  = {} file(s) already identical, not copied",
                    self.unchanged_files
                ),
            ));
        }
        if self.is_noop() {
            out.push(PlanLine::new(
                LineKind::Note,
                "  Nothing to change.".to_string(),
            ));
        } else {
            out.push(self.summary_line());
        }
        out
    }
}

impl Plan {
    /// The closing count of a plan that changes something.
    fn summary_line(&self) -> PlanLine {
        let copies = self
            .file_ops
            .iter()
            .filter(|o| o.kind != FileOpKind::Delete)
            .count();
        let deletes = self.file_ops.len() - copies;
        let moves = self.alias_moves.iter().filter(|m| m.from != m.to).count();
        let pins = self.alias_moves.len() - moves;
        let pins = if pins > 0 {
            format!(", {pins} pin change(s)")
        } else {
            String::new()
        };
        PlanLine::new(
            LineKind::Summary,
            format!(
                "  {moves} alias move(s){pins}, {copies} file(s) written ({}), {deletes} deleted, {} CDN path(s)",
                human_bytes(self.bytes_to_transfer()),
                self.invalidations.len()
            ),
        )
    }
}

/// One alias move as a plan line: "alias latest 1.0.0 → 1.0.1 (pinned)".
fn alias_line(m: &AliasMove) -> PlanLine {
    let show = |v: &Option<Version>| v.as_ref().map_or("(none)".to_string(), |v| v.to_string());
    let pin = match (m.was_pinned, m.pinned) {
        (false, true) => " (pinned)",
        (true, false) => " (back to automatic)",
        (true, true) => " (stays pinned)",
        _ => "",
    };
    PlanLine::new(
        LineKind::Alias,
        format!(
            "  alias    {:<8} {} → {}{pin}",
            m.alias.to_string(),
            show(&m.from),
            show(&m.to)
        ),
    )
}

/// Kinds of plan lines, so the TUI can colour them (the text always carries the meaning too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LineKind {
    Title,
    Release,
    Alias,
    Add,
    Change,
    Remove,
    Cdn,
    Note,
    Summary,
    /// Something that must not be missed.
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanLine {
    pub kind: LineKind,
    pub text: String,
}

impl PlanLine {
    fn new(kind: LineKind, text: String) -> Self {
        PlanLine { kind, text }
    }
}

/// The aliases whose target or pin changes between two states.
pub fn alias_moves(current: &Core, next: &Core) -> Vec<AliasMove> {
    let names: BTreeSet<&AliasName> = current.aliases.keys().chain(next.aliases.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        let a = current.aliases.get(name);
        let b = next.aliases.get(name);
        let from = a.map(|r| r.target.clone());
        let to = b.map(|r| r.target.clone());
        let was_pinned = a.is_some_and(|r| r.pinned);
        let pinned = b.is_some_and(|r| r.pinned);
        if from != to || was_pinned != pinned {
            out.push(AliasMove {
                alias: name.clone(),
                from,
                to,
                pinned,
                was_pinned,
            });
        }
    }
    out
}

/// The object operations that make folder `dst_dir` hold exactly the files of `manifest`, copied
/// from `src_dir`, skipping files whose content is already identical.
///
/// Order: non-entry files first, entry points (`*.js`, `*.css` at the top) next, deletions last,
/// so a page that loads the alias mid-way never gets an entry point whose chunks are missing.
pub fn sync_ops(
    src_dir: &str,
    dst_dir: &str,
    manifest: Option<&Manifest>,
    src: &[Existing],
    dst: &[Existing],
    cache_control: &str,
) -> (Vec<FileOp>, usize) {
    let src_ids: BTreeMap<&str, &Existing> = src.iter().map(|e| (e.path.as_str(), e)).collect();
    let dst_ids: BTreeMap<&str, &Existing> = dst.iter().map(|e| (e.path.as_str(), e)).collect();
    let mut early = Vec::new();
    let mut entries = Vec::new();
    let mut unchanged = 0;
    let wanted: BTreeSet<&str> = manifest
        .map(|m| m.files.iter().map(|f| f.path.as_str()).collect())
        .unwrap_or_default();
    for f in manifest.map(|m| m.files.as_slice()).unwrap_or_default() {
        let existing = dst_ids.get(f.path.as_str());
        let same = match (existing, src_ids.get(f.path.as_str())) {
            (Some(d), Some(s)) => {
                d.content_id.is_some() && d.content_id == s.content_id && d.size == s.size
            }
            _ => false,
        };
        if same {
            unchanged += 1;
            continue;
        }
        let op = FileOp {
            kind: if existing.is_some() {
                FileOpKind::Replace
            } else {
                FileOpKind::Copy
            },
            key: format!("{dst_dir}{}", f.path),
            source: Some(format!("{src_dir}{}", f.path)),
            size: f.size,
            content_type: f.content_type.clone(),
            cache_control: cache_control.to_string(),
            entry: is_entry_point(&f.path),
            expect: src_ids
                .get(f.path.as_str())
                .and_then(|s| s.content_id.clone()),
        };
        if is_entry_point(&f.path) {
            entries.push(op);
        } else {
            early.push(op);
        }
    }
    let mut ops = early;
    ops.extend(entries);
    for d in dst {
        if !wanted.contains(d.path.as_str()) {
            ops.push(FileOp {
                kind: FileOpKind::Delete,
                key: format!("{dst_dir}{}", d.path),
                source: None,
                size: d.size,
                content_type: String::new(),
                cache_control: String::new(),
                entry: false,
                expect: None,
            });
        }
    }
    (ops, unchanged)
}

/// The CDN path that covers an alias folder, e.g. `/msr-webchat/latest/*`.
pub fn alias_invalidation_path(path_prefix: &str, alias: &AliasName) -> String {
    let p = path_prefix.trim_matches('/');
    if p.is_empty() {
        format!("/{alias}/*")
    } else {
        format!("/{p}/{alias}/*")
    }
}

/// 1536 → "1.5 KB".
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::manifest::describe_file;
    use crate::domain::state::AliasRecord;
    use chrono::DateTime;

    fn manifest(files: &[&str]) -> Manifest {
        Manifest {
            version: Version::new(1, 0, 0),
            files: files
                .iter()
                .map(|f| describe_file(f, f.as_bytes()))
                .collect(),
            published_at: DateTime::from_timestamp(0, 0).unwrap(),
            published_by: "t".into(),
            commit: None,
        }
    }

    fn ex(path: &str, id: &str) -> Existing {
        Existing {
            path: path.into(),
            size: path.len() as u64,
            content_id: Some(id.into()),
        }
    }

    #[test]
    fn sync_copies_changed_entries_last_and_deletes_extras() {
        let m = manifest(&[
            "msr-webchat.umd.js",
            "msr-webchat.umd.js.map",
            "style.css",
            "index.html",
        ]);
        let src = vec![
            ex("msr-webchat.umd.js", "a2"),
            ex("msr-webchat.umd.js.map", "b2"),
            ex("style.css", "c"),
            ex("index.html", "d2"),
        ];
        let dst = vec![
            ex("msr-webchat.umd.js", "a1"),
            ex("style.css", "c"),
            ex("old.js", "z"),
        ];
        let (ops, unchanged) = sync_ops(
            "v1.0.0/",
            "latest/",
            Some(&m),
            &src,
            &dst,
            "public, max-age=300",
        );
        assert_eq!(unchanged, 1, "style.css is identical");
        let keys: Vec<(&str, FileOpKind)> = ops.iter().map(|o| (o.key.as_str(), o.kind)).collect();
        assert_eq!(
            keys,
            vec![
                ("latest/msr-webchat.umd.js.map", FileOpKind::Copy),
                ("latest/index.html", FileOpKind::Copy),
                ("latest/msr-webchat.umd.js", FileOpKind::Replace),
                ("latest/old.js", FileOpKind::Delete),
            ]
        );
        assert_eq!(
            ops[0].source.as_deref(),
            Some("v1.0.0/msr-webchat.umd.js.map")
        );
        assert_eq!(ops[0].cache_control, "public, max-age=300");
        assert_eq!(
            ops[0].expect.as_deref(),
            Some("b2"),
            "a copy expects its source's content id"
        );
        assert_eq!(ops[3].expect, None, "a delete reports nothing");
    }

    #[test]
    fn a_write_is_checked_against_its_source() {
        let m = manifest(&["a.js"]);
        let (ops, _) = sync_ops("v1/", "latest/", Some(&m), &[ex("a.js", "s")], &[], "c");
        let op = &ops[0];
        assert_eq!(op.mismatch(Some("s")), None, "the same content id is fine");
        let bad = op
            .mismatch(Some("t"))
            .expect("a different content id is reported");
        assert_eq!(bad.key, "latest/a.js");
        assert_eq!(bad.source.as_deref(), Some("v1/a.js"));
        assert_eq!((bad.expected.as_str(), bad.reported.as_str()), ("s", "t"));
        assert_eq!(
            op.mismatch(None),
            None,
            "a store that reports nothing is not accused"
        );
        let (unknown, _) = sync_ops("v1/", "latest/", Some(&m), &[], &[], "c");
        assert_eq!(
            unknown[0].mismatch(Some("t")),
            None,
            "nothing expected, nothing to compare"
        );
    }

    #[test]
    fn removing_an_alias_deletes_its_files() {
        let dst = vec![ex("a.js", "1")];
        let (ops, _) = sync_ops("x/", "v9/", None, &[], &dst, "c");
        assert_eq!(ops.len(), 1);
        assert_eq!(ops[0].kind, FileOpKind::Delete);
    }

    #[test]
    fn moves_are_diffs() {
        let mut a = Core::default();
        let mut b = Core::default();
        let rec = |v: u64, pinned| AliasRecord {
            target: Version::new(1, 0, v),
            pinned,
            previous: None,
        };
        a.aliases.insert(AliasName::Latest, rec(0, false));
        a.aliases.insert(AliasName::Major(1), rec(0, false));
        b.aliases.insert(AliasName::Latest, rec(1, true));
        b.aliases.insert(AliasName::Major(1), rec(0, false));
        let m = alias_moves(&a, &b);
        assert_eq!(m.len(), 1);
        assert!(m[0].pinned && !m[0].was_pinned);
        assert_eq!(
            alias_invalidation_path("/msr-webchat/", &AliasName::Latest),
            "/msr-webchat/latest/*"
        );
        assert_eq!(
            alias_invalidation_path("", &AliasName::Minor(1, 2)),
            "/v1.2/*"
        );
        assert_eq!(human_bytes(1536), "1.5 KB");
    }
}
