//! The lease lock: one writer at a time per profile.
//!
//! The lock is an object created with `If-None-Match: *`. It names who holds it, since when and
//! for what, so a second release manager is told exactly who to ask. A lock is stale — and taken
//! over — when its lease expired, or when its holder was a process on this machine that no
//! longer runs (a killed CLI), so an interrupted run never blocks `resume`.

use super::{Context, new_id};
use crate::error::{Error, Result};
use crate::store::{Condition, Headers, StoreError};
use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

/// How long a lock lasts without its holder.
const LEASE: Duration = Duration::minutes(15);

/// Locks this process holds right now (a lock record naming this pid but absent from this set
/// was left by an operation of this process that failed).
static HELD: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(|| Mutex::new(HashSet::new()));

/// The registry of held locks. A panic elsewhere while it was held leaves a set that is still
/// whole (inserts and removes are single calls), so a poisoned lock is taken as it is.
fn held() -> std::sync::MutexGuard<'static, HashSet<String>> {
    HELD.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockRecord {
    pub token: String,
    pub holder: String,
    pub host: String,
    pub pid: u32,
    pub since: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    pub operation: String,
}

/// A held lock; call [`Lease::release`] when done.
#[derive(Debug)]
pub struct Lease {
    key: String,
    token: String,
}

pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown-host".into())
}

fn process_alive(pid: u32) -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    // A killed process can linger as a zombie (state Z) until its parent reaps it, or be
    // dying (X): neither will ever release the lock, so neither counts as alive.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !matches!(
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.trim_start().chars().next()),
            Some('Z' | 'X' | 'x')
        ),
        Err(_) => false,
    }
}

fn is_stale(rec: &LockRecord, now: DateTime<Utc>) -> bool {
    if rec.expires <= now {
        return true;
    }
    if rec.host != hostname() {
        return false;
    }
    if rec.pid == std::process::id() {
        return !held().contains(&rec.token);
    }
    !process_alive(rec.pid)
}

fn headers() -> Headers {
    Headers {
        content_type: "application/json".into(),
        cache_control: "no-store".into(),
    }
}

/// The error for a lock held by a live holder: who, where, since when, doing what.
fn locked(ex: LockRecord) -> Error {
    Error::Locked {
        holder: format!("{} on {} (pid {})", ex.holder, ex.host, ex.pid),
        since: ex.since.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        operation: ex.operation,
    }
}

/// Fails with who holds the lock when a live holder has it (a run still at work). An
/// unfinished operation recorded in the state is only "unfinished" when no one is at work on
/// it; while its holder lives, everyone else is told to wait, never to resume or revert.
pub async fn refuse_if_held(ctx: &Context) -> Result<()> {
    match current(ctx).await? {
        Some(rec) if !is_stale(&rec, Utc::now()) && !held().contains(&rec.token) => {
            Err(locked(rec))
        }
        _ => Ok(()),
    }
}

/// Takes the lock for `operation`, or says who holds it.
pub async fn acquire(ctx: &Context, operation: &str) -> Result<Lease> {
    let key = ctx.layout.lock_key();
    let now = Utc::now();
    let rec = LockRecord {
        token: new_id(),
        holder: ctx.actor.clone(),
        host: hostname(),
        pid: std::process::id(),
        since: now,
        expires: now + LEASE,
        operation: operation.to_string(),
    };
    let body = Bytes::from(super::records::to_json(&rec, "the lock")?);
    for _ in 0..3 {
        match ctx
            .store
            .put(&key, body.clone(), &headers(), &Condition::IfAbsent)
            .await
        {
            Ok(_) => return Ok(Lease::granted(key, rec.token)),
            Err(StoreError::PreconditionFailed { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        let Some(obj) = ctx.store.get(&key).await? else {
            continue;
        };
        let existing: Option<LockRecord> = serde_json::from_slice(&obj.body).ok();
        match existing {
            Some(ex) if !is_stale(&ex, now) => return Err(locked(ex)),
            _ => {
                tracing::warn!(key, "taking over a stale lock");
                match ctx
                    .store
                    .put(
                        &key,
                        body.clone(),
                        &headers(),
                        &Condition::IfMatch(obj.meta.etag),
                    )
                    .await
                {
                    Ok(_) => return Ok(Lease::granted(key, rec.token)),
                    Err(StoreError::PreconditionFailed { .. }) => continue,
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    Err(Error::Conflict)
}

/// Who holds the lock now, if anyone (for `shipdeck unlock` and status lines).
pub async fn current(ctx: &Context) -> Result<Option<LockRecord>> {
    Ok(match ctx.store.get(&ctx.layout.lock_key()).await? {
        Some(obj) => serde_json::from_slice(&obj.body).ok(),
        None => None,
    })
}

/// Whether the lock `rec` is stale now: its lease expired or its holder, a process on this
/// machine, no longer runs (the next change takes it over).
pub fn stale(rec: &LockRecord) -> bool {
    is_stale(rec, Utc::now())
}

/// Removes the lock if it is stale (a manager killed before it recorded anything), so that
/// colleagues on other machines are not kept waiting for its lease. Returns what was removed.
pub async fn clear_stale(ctx: &Context) -> Result<Option<LockRecord>> {
    match current(ctx).await? {
        Some(rec) if stale(&rec) => {
            ctx.store.delete(&ctx.layout.lock_key()).await?;
            Ok(Some(rec))
        }
        _ => Ok(None),
    }
}

/// Removes the lock whoever holds it (`shipdeck unlock`).
pub async fn force_unlock(ctx: &Context) -> Result<Option<LockRecord>> {
    let cur = current(ctx).await?;
    ctx.store.delete(&ctx.layout.lock_key()).await?;
    Ok(cur)
}

impl Lease {
    /// Records a lock this process now holds.
    fn granted(key: String, token: String) -> Lease {
        held().insert(token.clone());
        Lease { key, token }
    }

    /// Releases the lock if it is still ours. Failures are logged: an unreleased lock goes stale.
    pub async fn release(self, ctx: &Context) {
        held().remove(&self.token);
        match ctx.store.get(&self.key).await {
            Ok(Some(obj)) => {
                let ours = serde_json::from_slice::<LockRecord>(&obj.body)
                    .is_ok_and(|r| r.token == self.token);
                if ours && let Err(e) = ctx.store.delete(&self.key).await {
                    tracing::warn!(error = %e, "could not release the lock; it will go stale");
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "could not read the lock to release it"),
        }
    }
}
