//! Reading jobs for people: lists, counts, a job's steps and logs, and its detail. A job about
//! a project is visible only to that project's members; a job for a profile and no project
//! (its org sync heartbeat) only to that profile; jobs about neither (maintenance) to
//! everyone.

use super::{Job, JobRow, JobState, StepOutcome, JOB_COLUMNS};
use crate::error::{Error, Result};
use crate::ids::{AccountId, ProjectId};
use crate::projects::SetupStatus;
use crate::store::Store;
use serde::Serialize;
use std::collections::BTreeMap;

/// The most log lines one read returns, and so the most a job's detail carries.
pub const MAX_LOG_LINES: i64 = 100_000;

/// How many log lines the window's job detail carries: the end of the log, which it then
/// follows as it grows.
pub const DETAIL_LOG_LINES: i64 = 1_000;

const VISIBLE: &str = "(CASE WHEN json_extract(args, '$.project_id') IS NOT NULL \
    THEN json_extract(args, '$.project_id') IN \
       (SELECT project_id FROM project_memberships WHERE user_id = ?1) \
    ELSE coalesce(json_extract(args, '$.actor_id') = ?1, 1) END)";

/// Which jobs to list; every part may be left out.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct JobFilter {
    pub state: Option<JobState>,
    /// One queue's jobs (`project_setup`, `docs_sync`, `github_sync`).
    pub queue: Option<String>,
    /// Text from the caller, parsed here: a bad id is an error on this field.
    pub project_id: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<u32>))]
    pub limit: Option<i64>,
}

/// Jobs the actor may see, newest first. A queue that does not exist or a project id that
/// is not an id is an `invalid_input` error on that field (an empty list would hide a typo).
pub async fn list(store: &Store, actor: &AccountId, filter: &JobFilter) -> Result<Vec<Job>> {
    let project_id =
        filter.project_id.as_deref().map(|p| ProjectId::parse("project_id", p)).transpose()?;
    if let Some(queue) = &filter.queue {
        let names: Vec<String> = super::queues(store).await?.into_iter().map(|q| q.name).collect();
        if !names.contains(queue) {
            return Err(Error::invalid(
                "queue",
                format!("there is no queue \"{queue}\"; the queues are {}", names.join(", ")),
            ));
        }
    }
    let rows: Vec<JobRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {JOB_COLUMNS} FROM jobs WHERE {VISIBLE} \
         AND (?2 IS NULL OR state = ?2) AND (?3 IS NULL OR queue = ?3) \
         AND (?4 IS NULL OR json_extract(args, '$.project_id') = ?4) \
         ORDER BY id DESC LIMIT ?5"
    )))
    .bind(actor)
    .bind(filter.state)
    .bind(&filter.queue)
    .bind(project_id)
    .bind(filter.limit.unwrap_or(200).clamp(1, 10_000))
    .fetch_all(store.pool())
    .await?;
    rows.into_iter().map(JobRow::into_job).collect()
}

/// The jobs the actor may see that changed (were inserted, moved state, noted their step)
/// after change number `after`, oldest change first, with the newest change number: a
/// window follows jobs another process runs by asking again with it.
pub async fn changed_after(
    store: &Store,
    actor: &AccountId,
    after: i64,
) -> Result<(Vec<Job>, i64)> {
    let newest: i64 = sqlx::query_scalar("SELECT coalesce(max(changed), 0) FROM jobs")
        .fetch_one(store.pool())
        .await?;
    let rows: Vec<JobRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {JOB_COLUMNS} FROM jobs WHERE {VISIBLE} AND changed > ?2 AND changed <= ?3 \
         ORDER BY changed LIMIT 1000"
    )))
    .bind(actor)
    .bind(after)
    .bind(newest)
    .fetch_all(store.pool())
    .await?;
    let jobs = rows.into_iter().map(JobRow::into_job).collect::<Result<Vec<_>>>()?;
    Ok((jobs, newest))
}

/// One job the actor may see.
pub async fn get(store: &Store, actor: &AccountId, id: i64) -> Result<Job> {
    sqlx::query_as::<_, JobRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {JOB_COLUMNS} FROM jobs WHERE {VISIBLE} AND id = ?2"
    )))
    .bind(actor)
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or(Error::not_found("job"))?
    .into_job()
}

/// How many visible jobs are in each state (every state is present).
pub async fn counts(store: &Store, actor: &AccountId) -> Result<BTreeMap<JobState, i64>> {
    let rows: Vec<(JobState, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT state, count(*) FROM jobs WHERE {VISIBLE} GROUP BY state"
    )))
    .bind(actor)
    .fetch_all(store.pool())
    .await?;
    let mut out: BTreeMap<JobState, i64> = JobState::ALL.iter().map(|s| (*s, 0)).collect();
    out.extend(rows);
    Ok(out)
}

/// How many jobs of `queue` execute now, whoever's: what quitting the process that runs the
/// queue would interrupt (the tray's count; closing the window keeps the app while any run).
pub async fn executing(store: &Store, queue: &str) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT count(*) FROM jobs WHERE queue = ? AND state = 'executing'")
        .bind(queue)
        .fetch_one(store.pool())
        .await?)
}

/// One step of one attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StepRecord {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub attempt: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub position: i64,
    /// The setup status the step stands for.
    pub status: SetupStatus,
    pub command: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub duration_ms: Option<i64>,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub exit_code: Option<i64>,
    /// None while it runs.
    pub outcome: Option<StepOutcome>,
}

/// Every step of every attempt of the job, in order.
pub async fn steps(store: &Store, actor: &AccountId, job_id: i64) -> Result<Vec<StepRecord>> {
    get(store, actor, job_id).await?;
    Ok(sqlx::query_as(
        "SELECT attempt, position, status, command, started_at, finished_at, duration_ms, \
         exit_code, outcome FROM job_steps WHERE job_id = ? ORDER BY attempt, position",
    )
    .bind(job_id)
    .fetch_all(store.pool())
    .await?)
}

/// One printed line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LogLine {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub attempt: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub position: i64,
    pub stream: String,
    pub line: String,
    pub at: String,
}

/// The job's log lines after line id `after` (0 for all), oldest first, at most `limit`
/// (and at most [`MAX_LOG_LINES`]).
pub async fn logs(
    store: &Store,
    actor: &AccountId,
    job_id: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<LogLine>> {
    get(store, actor, job_id).await?;
    Ok(sqlx::query_as(
        "SELECT id, attempt, position, stream, line, at FROM job_logs \
         WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?",
    )
    .bind(job_id)
    .bind(after)
    .bind(limit.clamp(1, MAX_LOG_LINES))
    .fetch_all(store.pool())
    .await?)
}

// A job as its page shows it: the job, every step of every attempt, and the end of its log.
// (No doc comment here: it would change the window's generated bindings.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct JobDetail {
    pub job: Job,
    pub steps: Vec<StepRecord>,
    /// The last 1,000 lines.
    pub log: Vec<LogLine>,
}

/// The detail of a job the actor may see: the job, its steps, and the last `log_lines` lines
/// of its log (at least one, at most [`MAX_LOG_LINES`]), oldest first. The window asks for
/// [`DETAIL_LOG_LINES`]; `codemyspec jobs show` for [`MAX_LOG_LINES`].
pub async fn detail(
    store: &Store,
    actor: &AccountId,
    id: i64,
    log_lines: i64,
) -> Result<JobDetail> {
    let job = get(store, actor, id).await?;
    let steps = steps(store, actor, id).await?;
    let log = sqlx::query_as(
        "SELECT id, attempt, position, stream, line, at FROM \
         (SELECT * FROM job_logs WHERE job_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
    )
    .bind(id)
    .bind(log_lines.clamp(1, MAX_LOG_LINES))
    .fetch_all(store.pool())
    .await?;
    Ok(JobDetail { job, steps, log })
}
