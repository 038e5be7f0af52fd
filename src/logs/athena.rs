//! Amazon Athena (aws-sdk-athena), for `traffic --engine athena`: start a query in a workgroup,
//! poll it to its end with progress, and page through its results — with Shipdeck's bounded
//! waits and one sentence per failure.

use super::QueryError;
use crate::adapters::aws::{AwsSettings, Service, explain, sdk_config};
use aws_sdk_athena::types::{QueryExecutionContext, QueryExecutionState, ResultConfiguration};
use std::time::{Duration, Instant};

/// The engine's name in sentences.
const ENGINE: &str = "Athena";

/// How long a query may run before Shipdeck stops waiting for it.
pub const QUERY_LIMIT: Duration = Duration::from_secs(15 * 60);

pub struct Athena {
    client: aws_sdk_athena::Client,
    settings: AwsSettings,
}

/// Athena with its database, workgroup and output: the engine `traffic --engine athena` uses.
pub struct AthenaEngine {
    pub athena: Athena,
    pub target: Target,
}

#[async_trait::async_trait]
impl super::QueryEngine for AthenaEngine {
    fn describe(&self) -> String {
        format!(
            "Athena (database {}, workgroup {})",
            self.target.database, self.target.workgroup
        )
    }

    async fn run(
        &self,
        sql: &str,
        progress: &super::QueryProgress,
    ) -> Result<super::Rows, QueryError> {
        self.athena.run(sql, &self.target, progress).await
    }
}

/// Where a query runs.
#[derive(Debug, Clone)]
pub struct Target {
    pub database: String,
    pub workgroup: String,
    /// `s3://bucket/prefix/` for results, when the workgroup does not set one.
    pub output: Option<String>,
}

impl Athena {
    pub async fn connect(settings: AwsSettings) -> Athena {
        let sdk = sdk_config(&settings).await;
        let mut b = aws_sdk_athena::config::Builder::from(&sdk);
        if let Some(ep) = &settings.endpoint {
            b = b.endpoint_url(ep);
        }
        Athena {
            client: aws_sdk_athena::Client::from_conf(b.build()),
            settings,
        }
    }

    fn fail<E>(
        &self,
        what: &'static str,
        e: aws_sdk_athena::error::SdkError<E, aws_sdk_athena::config::http::HttpResponse>,
    ) -> QueryError
    where
        E: aws_sdk_athena::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        QueryError::Call {
            engine: ENGINE,
            what,
            reason: explain(&e, &self.settings, Service::Athena),
            source: Some(std::sync::Arc::new(e)),
        }
    }

    /// Runs `sql`; `progress` hears the query's state and seconds waited. Returns the result
    /// rows (header row left out), each cell as text.
    pub async fn run(
        &self,
        sql: &str,
        target: &Target,
        progress: &super::QueryProgress,
    ) -> Result<super::Rows, QueryError> {
        let mut req = self
            .client
            .start_query_execution()
            .query_string(sql)
            .work_group(&target.workgroup)
            .query_execution_context(
                QueryExecutionContext::builder()
                    .database(&target.database)
                    .build(),
            );
        if let Some(out) = &target.output {
            req = req
                .result_configuration(ResultConfiguration::builder().output_location(out).build());
        }
        let started = req
            .send()
            .await
            .map_err(|e| self.fail("start the query", e))?;
        let id = started
            .query_execution_id()
            .ok_or(QueryError::NoId { engine: ENGINE })?
            .to_string();
        let start = Instant::now();
        let mut delay = Duration::from_millis(300);
        loop {
            let q = self
                .client
                .get_query_execution()
                .query_execution_id(&id)
                .send()
                .await
                .map_err(|e| self.fail("report on the query", e))?;
            let status = q.query_execution().and_then(|x| x.status());
            let state = status.and_then(|s| s.state()).cloned();
            progress(
                state.as_ref().map_or("UNKNOWN", |s| s.as_str()),
                start.elapsed().as_secs(),
            );
            match state {
                Some(QueryExecutionState::Succeeded) => break,
                Some(QueryExecutionState::Failed | QueryExecutionState::Cancelled) => {
                    let why = status
                        .and_then(|s| s.state_change_reason())
                        .unwrap_or("no reason given");
                    let word = state.as_ref().map_or("", |s| s.as_str());
                    return Err(QueryError::Ended {
                        engine: ENGINE,
                        id,
                        state: word.to_string(),
                        why: why.to_string(),
                    });
                }
                _ if start.elapsed() > QUERY_LIMIT => {
                    return Err(QueryError::TooLong {
                        engine: ENGINE,
                        id,
                        minutes: QUERY_LIMIT.as_secs() / 60,
                    });
                }
                _ => {}
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(5));
        }
        let mut rows = Vec::new();
        let mut token: Option<String> = None;
        let mut first_page = true;
        loop {
            let page = self
                .client
                .get_query_results()
                .query_execution_id(&id)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| self.fail("return the query's results", e))?;
            let set = page.result_set();
            for (i, r) in set.map(|s| s.rows()).unwrap_or_default().iter().enumerate() {
                // The first row of the first page is the header.
                if first_page && i == 0 {
                    continue;
                }
                rows.push(
                    r.data()
                        .iter()
                        .map(|d| d.var_char_value().map(str::to_string))
                        .collect(),
                );
            }
            first_page = false;
            token = page.next_token().map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        Ok(rows)
    }
}
