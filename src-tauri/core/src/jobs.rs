//! The job queue (docs/DESIGN.md: Job semantics), Oban's model on the app's SQLite: jobs move
//! `available | scheduled → executing → completed`, `executing → retryable → executing`
//! while attempts remain, `→ discarded` when they are spent or the error is not worth a
//! retry, `→ cancelled` on request. This module is the data; [`crate::runner`] runs it.

use crate::clock::{format_ts, parse_ts};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::text_enum::text_enum;
use crate::AccountId;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;
use std::collections::BTreeMap;

mod queries;
#[cfg(test)]
mod tests;

pub use queries::{
    changed_after, counts, detail, executing, get, list, logs, steps, JobDetail, JobFilter,
    LogLine, StepRecord, DETAIL_LOG_LINES, MAX_LOG_LINES,
};

text_enum! {
    pub enum JobState ("job state") {
        Available = "available",
        Scheduled = "scheduled",
        Executing = "executing",
        Retryable = "retryable",
        Completed = "completed",
        Discarded = "discarded",
        Cancelled = "cancelled",
    }
}

impl JobState {
    /// Finished for good: nothing will run it again unless a person retries it.
    pub fn is_final(self) -> bool {
        matches!(self, JobState::Completed | JobState::Discarded | JobState::Cancelled)
    }
}

text_enum! {
    /// Why an attempt failed, which decides what happens next (docs/DESIGN.md: Job semantics).
    pub enum FailureClass ("failure class") {
        /// The work itself failed (a compile error, a failing test, a missing `mix`): a
        /// retry would fail the same way. Discarded.
        Step = "step",
        /// Something around the work failed (network, an unreachable remote, a timeout, a
        /// busy database): retried with backoff while attempts remain.
        Infrastructure = "infrastructure",
        /// The job cannot apply any more (its project is gone or in the wrong state).
        /// Discarded at once.
        Invalid = "invalid",
        /// A person cancelled it.
        Cancelled = "cancelled",
        /// Its process died while running it; found at the next start. Counts as an
        /// attempt.
        Orphaned = "orphaned",
        /// Its runner was stopped on request (Quit, SIGTERM, Ctrl-C): back in the queue at
        /// once, and the attempt is given back (Oban's snooze).
        Interrupted = "interrupted",
    }
}

text_enum! {
    /// How one step of one attempt ended (`job_steps.outcome`; none while it runs).
    pub enum StepOutcome ("step outcome") {
        /// Done: the program exited 0, or the built-in action finished.
        Ok = "ok",
        /// The program exited non-zero, was killed by a signal or could not start, or the
        /// action failed.
        Failed = "failed",
        /// It ran past its step's timeout and was stopped.
        TimedOut = "timed_out",
        /// A person cancelled the setup while it ran.
        Cancelled = "cancelled",
        /// Its runner was stopped (Quit, SIGTERM): a retry resumes here.
        Interrupted = "interrupted",
        /// An earlier attempt did it in the kept work dir; this attempt did not run it again.
        Reused = "reused",
    }
}

impl StepOutcome {
    /// Its work is there: a resumed attempt can start after it.
    pub fn is_done(self) -> bool {
        matches!(self, StepOutcome::Ok | StepOutcome::Reused)
    }
}

impl FailureClass {
    pub fn retries(self) -> bool {
        matches!(
            self,
            FailureClass::Infrastructure | FailureClass::Orphaned | FailureClass::Interrupted
        )
    }
}

/// One failed attempt, kept with the job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AttemptError {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub attempt: i64,
    pub at: String,
    pub class: FailureClass,
    pub error: String,
}

pub type Fields = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Job {
    // Job ids and counters stay far below 2^53: exported as `number`.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub state: JobState,
    pub queue: String,
    pub worker: String,
    pub args: Fields,
    pub meta: Fields,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub priority: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub attempt: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub max_attempts: i64,
    pub errors: Vec<AttemptError>,
    pub unique_key: Option<String>,
    pub inserted_at: String,
    pub scheduled_at: String,
    pub attempted_at: Option<String>,
    pub completed_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub discarded_at: Option<String>,
}

impl Job {
    /// The project a job is about, when it is about one.
    pub fn project_id(&self) -> Option<&str> {
        self.args.get("project_id").map(String::as_str)
    }

    /// The profile that queued the job, when it names one (text that is not an id names
    /// none: the core writes these arguments).
    pub fn actor_id(&self) -> Option<AccountId> {
        self.args.get("actor_id").and_then(|raw| raw.parse().ok())
    }
}

/// Uniqueness (Oban's `unique:`): no second job with the same key was inserted within
/// `period` while the first is in one of `states`.
#[derive(Debug, Clone)]
pub struct Unique {
    pub key: String,
    pub period: Duration,
    pub states: Vec<JobState>,
}

#[derive(Debug, Clone)]
pub struct NewJob {
    pub queue: String,
    pub worker: String,
    pub args: Fields,
    pub priority: i64,
    pub max_attempts: i64,
    /// Run no earlier than this (default: now).
    pub scheduled_at: Option<DateTime<Utc>>,
    pub unique: Option<Unique>,
}

/// The result of an insert: the job, and whether it was already there (a unique conflict).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Inserted {
    pub job: Job,
    pub conflict: bool,
}

/// How long to wait before the next attempt: exponential in the attempt number, capped,
/// with random jitter so that jobs failing together do not retry together.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
    /// Up to this fraction of the delay is added or taken away at random.
    pub jitter: f64,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { base: Duration::seconds(15), max: Duration::hours(1), jitter: 0.1 }
    }
}

impl Backoff {
    /// The delay after failed attempt number `attempt` (1-based).
    pub fn delay(&self, attempt: i64, rng: &mut impl Rng) -> Duration {
        let exp = attempt.clamp(1, 30) - 1;
        let raw = self.base.num_milliseconds().saturating_mul(1_i64 << exp);
        let capped = raw.min(self.max.num_milliseconds()) as f64;
        let spread = capped * self.jitter;
        let jittered = capped + if spread > 0.0 { rng.gen_range(-spread..=spread) } else { 0.0 };
        Duration::milliseconds(jittered.max(0.0) as i64)
    }
}

pub(crate) const JOB_COLUMNS: &str = "id, state, queue, worker, args, meta, priority, attempt, \
    max_attempts, errors, unique_key, inserted_at, scheduled_at, attempted_at, completed_at, \
    cancelled_at, discarded_at";

#[derive(sqlx::FromRow)]
pub(crate) struct JobRow {
    id: i64,
    state: JobState,
    queue: String,
    worker: String,
    args: String,
    meta: String,
    priority: i64,
    attempt: i64,
    max_attempts: i64,
    errors: String,
    unique_key: Option<String>,
    inserted_at: String,
    scheduled_at: String,
    attempted_at: Option<String>,
    completed_at: Option<String>,
    cancelled_at: Option<String>,
    discarded_at: Option<String>,
}

impl JobRow {
    pub(crate) fn into_job(self) -> Result<Job> {
        let bad = |what: &str, e: serde_json::Error| {
            Error::Internal(format!("job {} has unreadable {what}: {e}", self.id))
        };
        Ok(Job {
            args: serde_json::from_str(&self.args).map_err(|e| bad("args", e))?,
            meta: serde_json::from_str(&self.meta).map_err(|e| bad("meta", e))?,
            errors: serde_json::from_str(&self.errors).map_err(|e| bad("errors", e))?,
            id: self.id,
            state: self.state,
            queue: self.queue,
            worker: self.worker,
            priority: self.priority,
            attempt: self.attempt,
            max_attempts: self.max_attempts,
            unique_key: self.unique_key,
            inserted_at: self.inserted_at,
            scheduled_at: self.scheduled_at,
            attempted_at: self.attempted_at,
            completed_at: self.completed_at,
            cancelled_at: self.cancelled_at,
            discarded_at: self.discarded_at,
        })
    }
}

fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(format!("cannot encode: {e}")))
}

/// A job's state now (`None`: no such job).
pub(crate) async fn state<'e, E: sqlx::SqliteExecutor<'e>>(
    exec: E,
    id: i64,
) -> Result<Option<JobState>> {
    Ok(sqlx::query_scalar("SELECT state FROM jobs WHERE id = ?")
        .bind(id)
        .fetch_optional(exec)
        .await?)
}

pub(crate) async fn fetch(conn: &mut SqliteConnection, id: i64) -> Result<Job> {
    sqlx::query_as::<_, JobRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or(Error::not_found("job"))?
    .into_job()
}

/// Inserts a job, or returns the existing one when its unique key is taken.
pub async fn insert(store: &Store, new: NewJob) -> Result<Inserted> {
    let inserted = if new.unique.is_none() {
        // One statement is its own (write-locked) transaction: nothing to check first.
        let mut conn = store.pool().acquire().await?;
        write_new(&mut conn, store, new).await?
    } else {
        let mut tx = store.write().await?;
        let inserted = insert_in(&mut tx, store, new).await?;
        tx.commit().await?;
        inserted
    };
    store.notify_jobs();
    Ok(inserted)
}

/// Inserts many jobs in one transaction (Oban's `insert_all`); each keeps its uniqueness.
pub async fn insert_all(store: &Store, new: Vec<NewJob>) -> Result<Vec<Inserted>> {
    let mut tx = store.write().await?;
    let mut out = Vec::with_capacity(new.len());
    for job in new {
        out.push(insert_in(&mut tx, store, job).await?);
    }
    tx.commit().await?;
    store.notify_jobs();
    Ok(out)
}

/// [`insert_all`] as a trailing debounce (Oban's `unique` with `replace: [scheduled:
/// [:scheduled_at]]`): a job whose unique key is held by a job still `scheduled` moves that
/// job's start later, to this job's `scheduled_at`, but never past `max_wait` after the
/// waiting job was first queued, so that a burst of requests is one job, run once the burst
/// has paused, and a request that never pauses is still served.
pub async fn insert_all_debounced(
    store: &Store,
    new: Vec<NewJob>,
    max_wait: Duration,
) -> Result<Vec<Inserted>> {
    let mut tx = store.write().await?;
    let mut out = Vec::with_capacity(new.len());
    for job in new {
        let at = job.scheduled_at;
        let mut inserted = insert_in(&mut tx, store, job).await?;
        if let (true, JobState::Scheduled, Some(at)) = (inserted.conflict, inserted.job.state, at) {
            let first = parse_ts(&inserted.job.inserted_at).unwrap_or(at);
            let later = at.min(first + max_wait);
            if parse_ts(&inserted.job.scheduled_at).is_some_and(|s| later > s) {
                sqlx::query(
                    "UPDATE jobs SET scheduled_at = ? WHERE id = ? AND state = 'scheduled'",
                )
                .bind(format_ts(later))
                .bind(inserted.job.id)
                .execute(&mut *tx)
                .await?;
                inserted.job = fetch(&mut tx, inserted.job.id).await?;
            }
        }
        out.push(inserted);
    }
    tx.commit().await?;
    store.notify_jobs();
    Ok(out)
}

/// [`insert`] inside the caller's write transaction.
pub(crate) async fn insert_in(
    conn: &mut SqliteConnection,
    store: &Store,
    new: NewJob,
) -> Result<Inserted> {
    if let Some(unique) = &new.unique {
        if let Some(job) = find_unique(conn, store, unique).await? {
            return Ok(Inserted { job, conflict: true });
        }
    }
    write_new(conn, store, new).await
}

/// Checks and writes a new job (no uniqueness check), and returns it as stored.
async fn write_new(conn: &mut SqliteConnection, store: &Store, new: NewJob) -> Result<Inserted> {
    if !(0..=9).contains(&new.priority) {
        return Err(Error::invalid("priority", "priority must be 0 (first) to 9"));
    }
    if new.max_attempts < 1 {
        return Err(Error::invalid("max_attempts", "max_attempts must be at least 1"));
    }
    let now = store.clock().now();
    let at = new.scheduled_at.unwrap_or(now);
    let state = if at > now { JobState::Scheduled } else { JobState::Available };
    let (inserted_at, scheduled_at) = (format_ts(now), format_ts(at));
    let unique_key = new.unique.map(|u| u.key);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO jobs (state, queue, worker, args, priority, max_attempts, unique_key, \
         inserted_at, scheduled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(state)
    .bind(&new.queue)
    .bind(&new.worker)
    .bind(json(&new.args)?)
    .bind(new.priority)
    .bind(new.max_attempts)
    .bind(&unique_key)
    .bind(&inserted_at)
    .bind(&scheduled_at)
    .fetch_one(&mut *conn)
    .await?;
    let job = Job {
        id,
        state,
        queue: new.queue,
        worker: new.worker,
        args: new.args,
        meta: Fields::new(),
        priority: new.priority,
        attempt: 0,
        max_attempts: new.max_attempts,
        errors: Vec::new(),
        unique_key,
        inserted_at,
        scheduled_at,
        attempted_at: None,
        completed_at: None,
        cancelled_at: None,
        discarded_at: None,
    };
    Ok(Inserted { job, conflict: false })
}

/// The job holding a unique key now, if any.
pub(crate) async fn find_unique(
    conn: &mut SqliteConnection,
    store: &Store,
    unique: &Unique,
) -> Result<Option<Job>> {
    let cutoff = format_ts(store.clock().now() - unique.period);
    let existing: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM jobs WHERE unique_key = ? AND inserted_at >= ? \
         AND state IN (SELECT value FROM json_each(?)) ORDER BY id DESC LIMIT 1",
    )
    .bind(&unique.key)
    .bind(&cutoff)
    .bind(json(&unique.states)?)
    .fetch_optional(&mut *conn)
    .await?;
    match existing {
        Some(id) => Ok(Some(fetch(conn, id).await?)),
        None => Ok(None),
    }
}

/// Claims up to `limit` due jobs of `queue` in one statement, in (priority, scheduled_at,
/// id) order, moving them to `executing` and counting the attempt.
pub async fn claim(store: &Store, queue: &str, limit: i64) -> Result<Vec<Job>> {
    claim_except(store, queue, limit, &[]).await
}

/// [`claim`], passing over the jobs in `busy`: a job cancelled and retried while its
/// cancelled attempt is still winding down in this runner waits until that attempt is gone.
pub async fn claim_except(
    store: &Store,
    queue: &str,
    limit: i64,
    busy: &[i64],
) -> Result<Vec<Job>> {
    let now = store.now();
    let rows: Vec<JobRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "UPDATE jobs SET state = 'executing', attempt = attempt + 1, attempted_at = ?1 \
         WHERE id IN (SELECT id FROM jobs WHERE queue = ?2 \
             AND state IN ('available', 'scheduled', 'retryable') AND scheduled_at <= ?1 \
             AND id NOT IN (SELECT value FROM json_each(?4)) \
             ORDER BY priority, scheduled_at, id LIMIT ?3) \
         RETURNING {JOB_COLUMNS}"
    )))
    .bind(&now)
    .bind(queue)
    .bind(limit)
    .bind(json(&busy)?)
    .fetch_all(store.pool())
    .await?;
    let mut jobs = rows.into_iter().map(JobRow::into_job).collect::<Result<Vec<_>>>()?;
    jobs.sort_by_key(|j| (j.priority, j.scheduled_at.clone(), j.id));
    Ok(jobs)
}

/// When the next job of these queues is due, if any is waiting.
pub async fn next_due(store: &Store, queues: &[String]) -> Result<Option<DateTime<Utc>>> {
    let at: Option<String> = sqlx::query_scalar(
        "SELECT min(scheduled_at) FROM jobs WHERE queue IN (SELECT value FROM json_each(?)) \
         AND state IN ('available', 'scheduled', 'retryable')",
    )
    .bind(json(&queues)?)
    .fetch_one(store.pool())
    .await?;
    Ok(at.as_deref().and_then(parse_ts))
}

/// Would a failure of this class on this attempt be retried?
pub fn will_retry(job: &Job, class: FailureClass) -> bool {
    class == FailureClass::Interrupted || (class.retries() && job.attempt < job.max_attempts)
}

/// The attempt succeeded. A job cancelled meanwhile stays cancelled.
pub async fn complete(store: &Store, id: i64) -> Result<Job> {
    let mut tx = store.write().await?;
    sqlx::query("UPDATE jobs SET state = 'completed', completed_at = ? WHERE id = ? AND state = 'executing'")
        .bind(store.now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let job = fetch(&mut tx, id).await?;
    tx.commit().await?;
    Ok(job)
}

/// The attempt failed: the error is recorded, and the job becomes retryable (after
/// `backoff`) or discarded, by [`will_retry`]. A job cancelled meanwhile stays cancelled.
pub async fn fail(
    store: &Store,
    id: i64,
    class: FailureClass,
    error: &str,
    backoff: &Backoff,
) -> Result<Job> {
    let mut tx = store.write().await?;
    let job = fetch(&mut tx, id).await?;
    let now = store.clock().now();
    let mut errors = job.errors.clone();
    errors.push(AttemptError {
        attempt: job.attempt,
        at: format_ts(now),
        class,
        error: error.to_owned(),
    });
    if job.state != JobState::Executing {
        sqlx::query("UPDATE jobs SET errors = ? WHERE id = ?")
            .bind(json(&errors)?)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    } else if class == FailureClass::Interrupted {
        // Snoozed: due again now, and one more attempt so that this one is not spent.
        sqlx::query(
            "UPDATE jobs SET state = 'retryable', scheduled_at = ?, \
             max_attempts = max_attempts + 1, errors = ? WHERE id = ?",
        )
        .bind(format_ts(now))
        .bind(json(&errors)?)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    } else if will_retry(&job, class) {
        let delay = backoff.delay(job.attempt, &mut rand::thread_rng());
        sqlx::query(
            "UPDATE jobs SET state = 'retryable', scheduled_at = ?, errors = ? WHERE id = ?",
        )
        .bind(format_ts(now + delay))
        .bind(json(&errors)?)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query(
            "UPDATE jobs SET state = 'discarded', discarded_at = ?, errors = ? WHERE id = ?",
        )
        .bind(format_ts(now))
        .bind(json(&errors)?)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    let job = fetch(&mut tx, id).await?;
    tx.commit().await?;
    Ok(job)
}

/// Cancels a job that has not finished. A waiting job is cancelled at once; an executing
/// one is marked cancelled here and its runner kills the running step when it sees that.
pub async fn cancel(store: &Store, id: i64) -> Result<Job> {
    let mut tx = store.write().await?;
    let job = cancel_in(&mut tx, store, id).await?;
    tx.commit().await?;
    store.notify_jobs();
    Ok(job)
}

pub(crate) async fn cancel_in(conn: &mut SqliteConnection, store: &Store, id: i64) -> Result<Job> {
    let job = fetch(conn, id).await?;
    if job.state.is_final() {
        return Err(Error::AlreadyFinished { state: job.state.as_str() });
    }
    sqlx::query("UPDATE jobs SET state = 'cancelled', cancelled_at = ? WHERE id = ?")
        .bind(store.now())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    fetch(conn, id).await
}

/// Runs a discarded or cancelled job again (Oban's `retry_job`): available now, with one
/// more attempt allowed if it had spent them all.
pub async fn retry(store: &Store, id: i64) -> Result<Job> {
    let mut tx = store.write().await?;
    let job = retry_in(&mut tx, store, id).await?;
    tx.commit().await?;
    store.notify_jobs();
    Ok(job)
}

pub(crate) async fn retry_in(conn: &mut SqliteConnection, store: &Store, id: i64) -> Result<Job> {
    let job = fetch(conn, id).await?;
    if !matches!(job.state, JobState::Discarded | JobState::Cancelled) {
        return Err(Error::conflict(
            Some("state"),
            format!("only a discarded or cancelled job can be retried; this one is {}", job.state),
        ));
    }
    sqlx::query(
        "UPDATE jobs SET state = 'available', scheduled_at = ?, max_attempts = max(max_attempts, attempt + 1), \
         completed_at = NULL, cancelled_at = NULL, discarded_at = NULL WHERE id = ?",
    )
    .bind(store.now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    fetch(conn, id).await
}

/// Jobs left `executing` by a process that died. Called by the process that takes the
/// runner lock: each goes back to `retryable` (or `discarded` when out of attempts), with an
/// `orphaned` error. Returns them so that their leftovers can be cleaned up.
pub async fn rescue_orphans(store: &Store) -> Result<Vec<Job>> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM jobs WHERE state = 'executing'")
        .fetch_all(store.pool())
        .await?;
    let mut rescued = Vec::new();
    for id in ids {
        let error = "the process running this job stopped before it finished";
        rescued.push(fail(store, id, FailureClass::Orphaned, error, &Backoff::immediate()).await?);
    }
    Ok(rescued)
}

impl Backoff {
    /// No wait: a rescued job is picked up again right away.
    pub fn immediate() -> Backoff {
        Backoff { base: Duration::zero(), max: Duration::zero(), jitter: 0.0 }
    }
}

/// Merges `values` into the job's meta (the runner notes the work dir and step process).
pub async fn set_meta(store: &Store, id: i64, values: &[(&str, Option<&str>)]) -> Result<()> {
    let mut tx = store.write().await?;
    let mut meta = fetch(&mut tx, id).await?.meta;
    for (k, v) in values {
        match v {
            Some(v) => meta.insert((*k).to_owned(), (*v).to_owned()),
            None => meta.remove(*k),
        };
    }
    sqlx::query("UPDATE jobs SET meta = ? WHERE id = ?")
        .bind(json(&meta)?)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes finished jobs (with their steps and logs) that finished before `older_than`, and
/// their work dirs.
pub async fn prune(store: &Store, older_than: Duration) -> Result<u64> {
    let cutoff = format_ts(store.clock().now() - older_than);
    let mut tx = store.write().await?;
    let ids: Vec<i64> = sqlx::query_scalar(
        "DELETE FROM jobs WHERE (state = 'completed' AND completed_at < ?1) \
         OR (state = 'cancelled' AND cancelled_at < ?1) OR (state = 'discarded' AND discarded_at < ?1) \
         RETURNING id",
    )
    .bind(&cutoff)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    for id in &ids {
        remove_work_dir(store, *id);
    }
    Ok(ids.len() as u64)
}

/// The folder a job's attempts work in, `<data dir>/work/job-<id>`. It is derived from the
/// id, never read from the database, so that nothing outside the data dir's own work folder
/// is ever removed. It outlives a failed attempt (the next one resumes in it).
pub fn work_dir(store: &Store, id: i64) -> std::path::PathBuf {
    store.data_dir().join("work").join(format!("job-{id}"))
}

/// Removes a job's work dir, if it has one.
pub fn remove_work_dir(store: &Store, id: i64) {
    let dir = work_dir(store, id);
    if let Err(e) = std::fs::remove_dir_all(&dir) {
        if e.kind() != std::io::ErrorKind::NotFound {
            tracing::warn!(job = id, "cannot remove {}: {e}", dir.display());
        }
    }
}

/// A queue's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Queue {
    pub name: String,
    pub paused: bool,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub concurrency: i64,
}

pub async fn queue(store: &Store, name: &str) -> Result<Queue> {
    sqlx::query_as("SELECT name, paused, concurrency FROM queues WHERE name = ?")
        .bind(name)
        .fetch_optional(store.pool())
        .await?
        .ok_or(Error::not_found("queue"))
}

pub async fn queues(store: &Store) -> Result<Vec<Queue>> {
    Ok(sqlx::query_as("SELECT name, paused, concurrency FROM queues ORDER BY name")
        .fetch_all(store.pool())
        .await?)
}

/// Pauses or resumes a queue: a paused queue starts no job (running ones finish).
pub async fn set_paused(store: &Store, name: &str, paused: bool) -> Result<Queue> {
    store.notify_jobs();
    update_queue(store, name, "UPDATE queues SET paused = ? WHERE name = ?", i64::from(paused))
        .await
}

/// How many jobs of the queue run at once (1 to 64).
pub async fn set_concurrency(store: &Store, name: &str, concurrency: i64) -> Result<Queue> {
    if !(1..=64).contains(&concurrency) {
        return Err(Error::invalid("concurrency", "a queue runs 1 to 64 jobs at once"));
    }
    update_queue(store, name, "UPDATE queues SET concurrency = ? WHERE name = ?", concurrency).await
}

async fn update_queue(store: &Store, name: &str, sql: &'static str, value: i64) -> Result<Queue> {
    let mut tx = store.write().await?;
    let n = sqlx::query(sql).bind(value).bind(name).execute(&mut *tx).await?.rows_affected();
    if n == 0 {
        return Err(Error::not_found("queue"));
    }
    tx.commit().await?;
    queue(store, name).await
}
