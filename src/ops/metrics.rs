//! `metrics publish`: the runbook's CloudWatch metrics from the CDN's logs, each complete
//! five-minute bucket sent once. The shared watermark in the release store (beside the
//! history) is claimed with a precondition before anything is sent, so two managers or a CI
//! job running at once never both send a bucket; a run that stops part way moves the watermark
//! back to the last bucket it completed and says so.

use super::Context;
use super::records::{load_state, put_if, read_history, to_json};
use super::traffic::{LogSource, read_window};
use crate::domain::metrics::{self, Plan, WATERMARK_SCHEMA, Watermark};
use crate::domain::traffic::Timeline;
use crate::error::{Error, RecordError, Result};
use crate::metrics::{MAX_PER_CALL, MetricsSink};
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::path::Path;

/// Where the metrics go.
pub struct Target<'a> {
    pub sink: &'a dyn MetricsSink,
    pub region: String,
    pub namespace: String,
}

/// What a publish did (or, with `--dry-run`, would do).
#[derive(Debug, Clone, Serialize)]
pub struct Published {
    pub service: String,
    pub namespace: String,
    pub dry_run: bool,
    /// The watermark before this run: buckets before it were published already.
    pub previously_until: Option<DateTime<Utc>>,
    /// Where the logs stop being complete (the start of the newest hour).
    pub complete_until: Option<DateTime<Utc>>,
    pub plan: Plan,
    /// `PutMetricData` calls made.
    pub calls: usize,
}

impl Published {
    /// Data points sent (or to send).
    pub fn data_points(&self) -> usize {
        self.plan.data.len()
    }
}

async fn read_watermark(ctx: &Context) -> Result<(Watermark, Option<String>)> {
    let key = ctx.layout.metrics_watermark_key();
    match ctx.store.get(&key).await? {
        None => Ok((
            Watermark {
                schema: WATERMARK_SCHEMA,
                ..Watermark::default()
            },
            None,
        )),
        Some(obj) => {
            let w: Watermark =
                serde_json::from_slice(&obj.body).map_err(|e| RecordError::StateDamaged {
                    key: key.clone(),
                    store: ctx.store.describe(),
                    reason: e.to_string(),
                })?;
            Ok((w, Some(obj.meta.etag)))
        }
    }
}

/// Writes the watermark if it is still the one `etag` names; the new ETag.
async fn write_watermark(ctx: &Context, w: &Watermark, etag: Option<&str>) -> Result<String> {
    let body = to_json(w, "the metrics watermark")?;
    match put_if(ctx, &ctx.layout.metrics_watermark_key(), body, etag).await {
        Ok(etag) => Ok(etag),
        Err(StoreError::PreconditionFailed { .. }) => Err(Error::MetricsRace),
        Err(e) => Err(e.into()),
    }
}

/// Publishes the complete buckets since `since` that the watermark has not seen.
pub async fn publish(
    ctx: &Context,
    logs: &LogSource,
    cache: &Path,
    target: &Target<'_>,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<Published> {
    let (mut mark, etag) = read_watermark(ctx).await?;
    let key = Watermark::key(&target.region, &target.namespace);
    let previously = mark.published_until.get(&key).copied();
    let read_from = previously.map_or(since, |p| p.max(since));
    let window = read_window(ctx, logs, cache, read_from.min(now), now, &|_, _| {}).await?;
    let history = read_history(ctx, None).await?;
    let (state, _) = load_state(ctx).await?;
    let aliases: Vec<String> = state.core.aliases.keys().map(|a| a.to_string()).collect();
    let complete = window.agg.complete_until();
    let plan = metrics::plan(
        &window.agg,
        &Timeline::from_history(&history),
        &aliases,
        since,
        previously,
        complete,
        now,
    );
    let mut out = Published {
        service: target.sink.describe(),
        namespace: target.namespace.clone(),
        dry_run,
        previously_until: previously,
        complete_until: complete,
        plan,
        calls: 0,
    };
    let Some(until) = out.plan.until.filter(|_| !dry_run) else {
        return Ok(out);
    };
    // Claim the buckets first: a second publisher now starts after them, or fails its claim.
    mark.schema = WATERMARK_SCHEMA;
    mark.published_until.insert(key.clone(), until);
    let etag = write_watermark(ctx, &mark, etag.as_deref()).await?;
    let first = out.plan.from.unwrap_or(until);
    let mut sent_until = first;
    for (batch, completes) in metrics::batches(&out.plan.data, MAX_PER_CALL) {
        if let Err(e) = target.sink.put(&target.namespace, batch).await {
            // Give back the buckets not sent, so the next run sends them (nothing sent: the
            // watermark is what it was).
            match (sent_until > first, previously) {
                (true, _) => mark.published_until.insert(key.clone(), sent_until),
                (false, Some(p)) => mark.published_until.insert(key.clone(), p),
                (false, None) => mark.published_until.remove(&key),
            };
            write_watermark(ctx, &mark, Some(&etag)).await?;
            return Err(Error::MetricsStopped {
                sent_until: previously
                    .map_or(sent_until, |p| p.max(sent_until))
                    .to_rfc3339(),
                source: e,
            });
        }
        out.calls += 1;
        sent_until = completes;
    }
    Ok(out)
}
