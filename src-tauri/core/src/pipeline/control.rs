//! Cancelling and retrying a job by its id, as a person does from the job queue: a job
//! stands for an action, and cancelling or retrying it needs the role that action needs —
//! setting a project up (`admin`) for a setup job, syncing its docs (`member`) for a docs
//! sync. A profile's org-sync heartbeat is that profile's alone: to others it does not exist.

use super::{cancel_setup, latest_job, retry_setup, WORKER};
use crate::access::{self, Need};
use crate::error::{Error, Result};
use crate::events::Broadcaster;
use crate::ids::{AccountId, ProjectId};
use crate::jobs::{self, Job};
use crate::store::Store;

/// What a person must be allowed to do to the job's project to cancel or retry the job: what
/// starting it needs.
fn need(job: &Job) -> Need {
    match job.worker.as_str() {
        // `setup_project`, `cancel_setup` and `retry_setup` need to manage the project.
        WORKER => Need::Manage,
        // `docs sync` (the CLI's and the window's Sync now) needs to edit the spec.
        crate::docs_sync::WORKER => Need::Write,
        // Any other job about a project: what changing the project's settings needs.
        _ => Need::Manage,
    }
}

/// Checks that `actor` may cancel or retry `job` (one it can see).
async fn require_control(store: &Store, actor: &AccountId, job: &Job) -> Result<()> {
    match (job.project_id(), job.actor_id()) {
        (Some(raw), _) => {
            let project_id = ProjectId::parse("project_id", raw)?;
            access::require(store.pool(), actor, &project_id, need(job)).await.map(|_| ())
        }
        // Another profile's job about no project (its org sync): it does not exist for them.
        (None, Some(owner)) if owner != *actor => Err(Error::not_found("job")),
        _ => Ok(()),
    }
}

/// The project of a setup job: such a job is cancelled and retried through its setup, so
/// that the project follows.
fn setup_of(job: &Job) -> Option<ProjectId> {
    // The core writes a setup job's arguments: text that is not an id is no project's.
    (job.worker == WORKER).then(|| job.project_id()).flatten().and_then(|p| p.parse().ok())
}

/// The project's newest setup job, when `job` is an earlier one (it is superseded).
async fn newer_setup(store: &Store, project_id: &ProjectId, job: &Job) -> Result<Option<i64>> {
    let mut conn = store.pool().acquire().await?;
    let latest = latest_job(&mut conn, project_id).await?;
    Ok((latest.id != job.id).then_some(latest.id))
}

/// Retries a discarded or cancelled job (a setup job through [`retry_setup`]). An earlier
/// setup job of a project that has been set up again since cannot be retried.
pub async fn retry_job(
    store: &Store,
    events: &Broadcaster,
    actor: &AccountId,
    job_id: i64,
) -> Result<Job> {
    let job = jobs::get(store, actor, job_id).await?;
    require_control(store, actor, &job).await?;
    match setup_of(&job) {
        Some(project_id) => match newer_setup(store, &project_id, &job).await? {
            Some(newest) => Err(Error::conflict(
                Some("job_id"),
                format!(
                    "job {job_id} is an earlier setup of this project; job {newest} is its newest"
                ),
            )),
            None => retry_setup(store, events, actor, &project_id).await,
        },
        None => jobs::retry(store, job_id).await,
    }
}

/// Cancels a job (a setup job through [`cancel_setup`]; an earlier setup job of the project
/// is cancelled on its own, never its newest one in its place).
pub async fn cancel_job(
    store: &Store,
    events: &Broadcaster,
    actor: &AccountId,
    job_id: i64,
) -> Result<Job> {
    let job = jobs::get(store, actor, job_id).await?;
    require_control(store, actor, &job).await?;
    match setup_of(&job) {
        Some(project_id) if newer_setup(store, &project_id, &job).await?.is_none() => {
            cancel_setup(store, events, actor, &project_id).await
        }
        _ => jobs::cancel(store, job_id).await,
    }
}
