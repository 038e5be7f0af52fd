//! Counting one log file, request by request: the inner loop of [`Aggregate::read`].
//!
//! The counts of a window are ordered maps (folder → bucket → counts), which is what the cache
//! keeps and the report walks; looking a folder, bucket and referrer host up in them for each
//! of a million lines cost more than parsing the lines. So a file is counted here first: a
//! folder and a host are looked up by the line's own text (borrowed, no copy) in hash maps,
//! buckets in a short sorted list, and the file's counts become an [`Aggregate`] once, at the
//! end. Which folders keep their name (admission, see [`MAX_FOLDERS`]) is decided here too, in
//! the order requests come.

use super::parse::Request;
use super::{
    Aggregate, BUCKET_SECS, Counts, MAX_CHANNELS, MAX_FOLDERS, MAX_REFERRERS, OTHER, folder_in,
    release_of,
};
use crate::domain::alias::AliasName;
use chrono::{DateTime, Utc};
use std::borrow::Cow;

/// A hash map with a fast hash seeded per process (folder and host names come from strangers'
/// requests, so the seed keeps them from choosing collisions).
type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// One folder's counts in the file being read.
#[derive(Debug)]
struct Row<'t> {
    name: Cow<'t, str>,
    /// (bucket, counts), sorted by bucket: an hourly file has about a dozen.
    buckets: Vec<(i64, Counts)>,
    /// Referrer host → requests.
    hosts: Map<Cow<'t, str>, u64>,
}

impl<'t> Row<'t> {
    fn new(name: Cow<'t, str>) -> Row<'t> {
        Row {
            name,
            buckets: Vec::new(),
            hosts: Map::default(),
        }
    }

    fn count(&mut self, bucket: i64, r: &Request) {
        let i = match self.buckets.binary_search_by_key(&bucket, |(b, _)| *b) {
            Ok(i) => i,
            Err(i) => {
                self.buckets.insert(i, (bucket, Counts::default()));
                i
            }
        };
        if let Some((_, c)) = self.buckets.get_mut(i) {
            c.count(r);
        }
    }

    /// One request from a page on `host`; beyond [`MAX_REFERRERS`] hosts, new ones count as
    /// [`OTHER`].
    #[expect(
        clippy::ptr_arg,
        reason = "a host borrowed from the log text is kept as that borrow; a &str would lose its lifetime"
    )]
    fn referred(&mut self, host: &Cow<'t, str>) {
        let full = self.hosts.len() >= MAX_REFERRERS;
        match self.hosts.get_mut(host.as_ref()) {
            Some(n) => *n += 1,
            None if full => *self.hosts.entry(Cow::Borrowed(OTHER)).or_default() += 1,
            None => {
                self.hosts.insert(host.clone(), 1);
            }
        }
    }
}

/// One file's counts while it is read; [`Tally::finish`] makes them an [`Aggregate`].
#[derive(Debug, Default)]
pub struct Tally<'t> {
    rows: Vec<Row<'t>>,
    /// Folder name → its row, for the folders counted under their own name (at most
    /// [`MAX_FOLDERS`]); a folder counted as [`OTHER`] is judged again each time it comes, so
    /// a scanner's invented folders are not remembered.
    named: Map<Cow<'t, str>, usize>,
    other: Option<usize>,
    /// Channel-shaped folders admitted by name (for their own cap).
    channels: usize,
    lines: u64,
    outside: u64,
    newest: Option<DateTime<Utc>>,
    oldest: Option<DateTime<Utc>>,
}

/// The folder of a request's path under `path_prefix`, borrowed from the log text when the path
/// is.
fn folder_of_path<'t>(path: &Cow<'t, str>, path_prefix: &str) -> Option<Cow<'t, str>> {
    match path {
        Cow::Borrowed(p) => folder_in(p, path_prefix).map(Cow::Borrowed),
        Cow::Owned(p) => folder_in(p, path_prefix).map(|f| Cow::Owned(f.to_string())),
    }
}

impl<'t> Tally<'t> {
    /// Counts one request.
    pub fn add(&mut self, r: &Request<'t>, path_prefix: &str) {
        self.lines += 1;
        let Some(folder) = folder_of_path(&r.path, path_prefix) else {
            self.outside += 1;
            return;
        };
        let row = match self.named.get(folder.as_ref()) {
            Some(i) => *i,
            None => self.row_for(folder),
        };
        if let Some(row) = self.rows.get_mut(row) {
            row.count(r.at.timestamp().div_euclid(BUCKET_SECS), r);
            if let Some(h) = &r.referrer_host {
                row.referred(h);
            }
        }
        self.newest = self.newest.max(Some(r.at));
        self.oldest = Some(self.oldest.map_or(r.at, |o| o.min(r.at)));
    }

    /// The row of a folder seen for the first time (or one counted as [`OTHER`] before): its
    /// own when it can be a release (`v1.2.3`) or an alias (`latest`, `v1`, `v1.2`, a channel)
    /// and the file has not already seen too many, else the [`OTHER`] row.
    fn row_for(&mut self, folder: Cow<'t, str>) -> usize {
        let alias = folder.parse::<AliasName>().ok();
        let release = release_of(&folder).is_some();
        let folders = self.rows.len();
        let room = match (&alias, release) {
            (Some(AliasName::Channel(_)), _) => {
                self.channels < MAX_CHANNELS && folders < MAX_FOLDERS
            }
            // `latest` is one name and the one most pages load: never crowded out.
            (Some(AliasName::Latest), _) => true,
            (Some(_), _) | (None, true) => folders < MAX_FOLDERS,
            (None, false) => false,
        };
        if room {
            self.channels += usize::from(matches!(alias, Some(AliasName::Channel(_))));
            self.rows.push(Row::new(folder.clone()));
            self.named.insert(folder, folders);
            return folders;
        }
        match self.other {
            Some(i) => i,
            None => {
                self.rows.push(Row::new(Cow::Borrowed(OTHER)));
                self.other = Some(folders);
                folders
            }
        }
    }

    /// The file's counts, with `bad_lines` lines that could not be read.
    pub fn finish(self, bad_lines: u64) -> Aggregate {
        let mut agg = Aggregate {
            lines: self.lines,
            bad_lines,
            outside: self.outside,
            newest: self.newest,
            oldest: self.oldest,
            ..Aggregate::default()
        };
        for row in self.rows {
            let name = row.name.into_owned();
            if !row.hosts.is_empty() {
                let hosts = row.hosts.into_iter().map(|(h, n)| (h.into_owned(), n));
                agg.referrers.insert(name.clone(), hosts.collect());
            }
            agg.folders.insert(name, row.buckets.into_iter().collect());
        }
        agg
    }
}
