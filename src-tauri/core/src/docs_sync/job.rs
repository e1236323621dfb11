//! The docs sync as a job: one waiting sync per project, queued after edits (debounced), at
//! start and on the interval by the outbox watcher, and run by the app's or a worker's runner.

use super::*;
use crate::ids::{AccountId, ProjectId};
fn job(
    project_id: &ProjectId,
    actor: &AccountId,
    at: Option<chrono::DateTime<chrono::Utc>>,
) -> NewJob {
    NewJob {
        queue: QUEUE.into(),
        worker: WORKER.into(),
        args: JobArgs::from([
            ("project_id".to_owned(), project_id.to_string()),
            ("actor_id".to_owned(), actor.to_string()),
        ]),
        priority: 3,
        max_attempts: 20,
        scheduled_at: at,
        // One waiting sync per project: edits made meanwhile are in the outbox it reads.
        unique: Some(Unique {
            key: format!("{WORKER}:{project_id}"),
            period: chrono::Duration::days(3650),
            states: vec![JobState::Available, JobState::Scheduled, JobState::Retryable],
        }),
    }
}

/// Queues a sync of the project `delay_secs` from now. One already waiting is the sync:
/// its start moves to `delay_secs` from now (a burst of edits is one sync, run once the
/// burst pauses), at most [`MAX_DEBOUNCE_SECS`] after it was first queued.
pub async fn schedule(
    store: &Store,
    project_id: &ProjectId,
    actor: &AccountId,
    delay_secs: i64,
) -> Result<()> {
    let at = store.clock().now() + chrono::Duration::seconds(delay_secs);
    debounced(store, vec![job(project_id, actor, Some(at))]).await?;
    Ok(())
}

async fn debounced(store: &Store, jobs: Vec<NewJob>) -> Result<()> {
    let max_wait = chrono::Duration::seconds(MAX_DEBOUNCE_SECS);
    crate::jobs::insert_all_debounced(store, jobs, max_wait).await?;
    Ok(())
}

/// Queues a sync for every project that publishes to a docs repository (set up, or synced
/// before) — all of them (`all`: at start and on the heartbeat, to pull others' edits) or
/// those with unpublished edits. Returns how many were queued.
pub async fn schedule_projects(store: &Store, all: bool, delay_secs: i64) -> Result<usize> {
    let rows: Vec<(ProjectId, AccountId)> = sqlx::query_as(
        "SELECT p.id, p.owner_id FROM projects p WHERE p.docs_repo IS NOT NULL \
         AND (p.setup_complete = 1 OR EXISTS (SELECT 1 FROM docs_sync s WHERE s.project_id = p.id \
              AND s.synced_commit IS NOT NULL)) \
         AND (?1 OR EXISTS (SELECT 1 FROM outbox o WHERE o.project_id = p.id))",
    )
    .bind(all)
    .fetch_all(store.pool())
    .await?;
    let at = store.clock().now() + chrono::Duration::seconds(delay_secs);
    let jobs: Vec<NewJob> = rows.iter().map(|(p, a)| job(p, a, Some(at))).collect();
    let n = jobs.len();
    if n > 0 {
        debounced(store, jobs).await?;
    }
    Ok(n)
}

/// Watches the outbox while the app or a worker runs: at start and every `interval_secs`,
/// a sync of every project (others' edits come in); after edits, a debounced sync of the
/// projects that have some. Ends when `stop` fires.
pub async fn watch(store: Store, interval_secs: u64, stop: CancellationToken) {
    let mut last_seen: Option<i64> = None;
    let mut last_all = std::time::Instant::now();
    let mut first = true;
    loop {
        let due_all = first || last_all.elapsed().as_secs() >= interval_secs;
        // The spec revision only grows (outbox ids are reused once a sync empties the outbox).
        let max: std::result::Result<i64, sqlx::Error> =
            sqlx::query_scalar("SELECT coalesce(max(revision), 0) FROM spec_revisions")
                .fetch_one(store.pool())
                .await;
        let result = match max {
            Ok(max) if due_all => {
                last_seen = Some(max);
                last_all = std::time::Instant::now();
                schedule_projects(&store, true, 0).await
            }
            Ok(max) if last_seen != Some(max) => {
                last_seen = Some(max);
                schedule_projects(&store, false, DEBOUNCE_SECS).await
            }
            Ok(_) => Ok(0),
            Err(e) => Err(e.into()),
        };
        match result {
            Ok(n) if n > 0 => store.notify_jobs(),
            Ok(_) => {}
            Err(e) => tracing::warn!("cannot queue docs syncs: {e}"),
        }
        first = false;
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
        }
    }
}

/// The runner's worker: one sync. A sync that cannot reach the repository, or is refused,
/// is retried with backoff (the edits wait in the outbox); one that cannot start at all
/// (no docs repository) is not.
pub async fn perform(
    run: JobRun,
    secrets: Arc<dyn SecretStore>,
) -> std::result::Result<(), JobFailure> {
    // The job's arguments are text: a project id that is not one is a step failure, like a
    // project that does not exist.
    let raw = run.job.args.get("project_id").map(String::as_str).unwrap_or_default();
    let project_id = ProjectId::parse("project_id", raw)
        .map_err(|e| JobFailure::new(FailureClass::Step, e.to_string()))?;
    let actor = run.job.actor_id().ok_or_else(|| {
        JobFailure::new(FailureClass::Step, "the sync names no profile to act as")
    })?;
    let done = tokio::select! {
        r = run_once(&run.store, &secrets, &actor, &project_id, &run.cancel) => r,
        _ = run.cancel.cancelled() => {
            return Err(JobFailure::new(FailureClass::Cancelled, "cancelled"));
        }
    };
    match done {
        Ok(report) => {
            tracing::info!(
                project = %project_id,
                published = report.published,
                imported = report.imported,
                "docs sync"
            );
            Ok(())
        }
        Err(SyncError::Remote(PublishError::Cancelled)) => {
            Err(JobFailure::new(FailureClass::Cancelled, "cancelled"))
        }
        Err(SyncError::Store(
            e @ (Error::InvalidInput { .. }
            | Error::InvalidFields { .. }
            | Error::NotFound { .. }
            | Error::Forbidden { .. }),
        )) => Err(JobFailure::new(FailureClass::Step, e.to_string())),
        Err(e) => Err(JobFailure::new(FailureClass::Infrastructure, e.to_string())),
    }
}
