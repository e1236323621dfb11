//! Setups and the job queue, and the live log channel.

use super::Res;
use crate::AppState;
use codemyspec_core::events::JobEvent;
use codemyspec_core::jobs::{
    self, Inserted, Job, JobDetail, JobFilter, JobState, LogLine, StepRecord, DETAIL_LOG_LINES,
    MAX_LOG_LINES,
};
use codemyspec_core::pipeline::{self, preflight};
use codemyspec_core::projects;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;
use tauri::ipc::Channel;
use tauri::State;

/// A project's setup as the timeline shows it: its newest job and that job's steps.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct SetupView {
    pub job: Job,
    pub steps: Vec<StepRecord>,
}

#[tauri::command]
#[specta::specta]
pub async fn setup_project(state: State<'_, AppState>, id: String) -> Res<Inserted> {
    let actor = state.actor().await?;
    Ok(pipeline::setup_project(&state.store, &state.events, &actor, &super::project_id(&id)?)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_setup(state: State<'_, AppState>, id: String) -> Res<Job> {
    let actor = state.actor().await?;
    Ok(pipeline::cancel_setup(&state.store, &state.events, &actor, &super::project_id(&id)?)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn retry_setup(state: State<'_, AppState>, id: String) -> Res<Job> {
    let actor = state.actor().await?;
    Ok(pipeline::retry_setup(&state.store, &state.events, &actor, &super::project_id(&id)?).await?)
}

/// The project's newest setup job with its steps, or nothing if it was never set up. Only
/// the setup queue: the project's docs syncs are jobs too, and have their own line.
#[tauri::command]
#[specta::specta]
pub async fn project_setup(state: State<'_, AppState>, id: String) -> Res<Option<SetupView>> {
    let actor = state.actor().await?;
    let filter = JobFilter {
        project_id: Some(id),
        queue: Some(pipeline::QUEUE.into()),
        limit: Some(1),
        ..Default::default()
    };
    match jobs::list(&state.store, &actor, &filter).await?.into_iter().next() {
        Some(job) => {
            let steps = jobs::steps(&state.store, &actor, job.id).await?;
            Ok(Some(SetupView { job, steps }))
        }
        None => Ok(None),
    }
}

/// What setting the project up needs, checked now.
#[tauri::command]
#[specta::specta]
pub async fn preflight(state: State<'_, AppState>, id: String) -> Res<Vec<preflight::Check>> {
    let actor = state.actor().await?;
    let project = projects::get(&state.store, &actor, &super::project_id(&id)?).await?;
    Ok(preflight::doctor(&state.store, &state.pipeline, &actor, Some(&project)).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn job_counts(state: State<'_, AppState>) -> Res<BTreeMap<JobState, u32>> {
    let actor = state.actor().await?;
    let counts = jobs::counts(&state.store, &actor).await?;
    Ok(counts.into_iter().map(|(k, v)| (k, u32::try_from(v).unwrap_or(u32::MAX))).collect())
}

#[tauri::command]
#[specta::specta]
pub async fn list_jobs(state: State<'_, AppState>, filter: JobFilter) -> Res<Vec<Job>> {
    let actor = state.actor().await?;
    Ok(jobs::list(&state.store, &actor, &filter).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn job_detail(state: State<'_, AppState>, id: u32) -> Res<JobDetail> {
    let actor = state.actor().await?;
    Ok(jobs::detail(&state.store, &actor, i64::from(id), DETAIL_LOG_LINES).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn cancel_job(state: State<'_, AppState>, id: u32) -> Res<Job> {
    let actor = state.actor().await?;
    Ok(pipeline::cancel_job(&state.store, &state.events, &actor, i64::from(id)).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn retry_job(state: State<'_, AppState>, id: u32) -> Res<Job> {
    let actor = state.actor().await?;
    Ok(pipeline::retry_job(&state.store, &state.events, &actor, i64::from(id)).await?)
}

/// Streams the job's log over `lines`: what is stored after line `after`, then new lines
/// as they come, in batches at most every 100 ms, until the job has finished. Lines and the
/// end of a job run by another process (a `codemyspec worker`) are read from the database
/// twice a second, so the stream ends there too.
#[tauri::command]
#[specta::specta]
pub async fn follow_job_log(
    state: State<'_, AppState>,
    id: u32,
    after: u32,
    lines: Channel<Vec<LogLine>>,
) -> Res<()> {
    let actor = state.actor().await?;
    let id = i64::from(id);
    // Subscribe first, then read the backlog: nothing falls between the two.
    let mut live = state.events.subscribe_to_jobs();
    let mut last = i64::from(after);
    let backlog = jobs::logs(&state.store, &actor, id, last, MAX_LOG_LINES).await?;
    if let Some(l) = backlog.last() {
        last = l.id;
    }
    if !backlog.is_empty() && lines.send(backlog).is_err() {
        return Ok(());
    }
    if jobs::get(&state.store, &actor, id).await?.state.is_final() {
        return Ok(()); // nothing more will come
    }
    let store = state.store.clone();
    tauri::async_runtime::spawn(async move {
        let mut batch: Vec<LogLine> = Vec::new();
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        let mut ticks: u64 = 0;
        loop {
            tokio::select! {
                event = live.recv() => match event {
                    Ok(JobEvent::Log { job_id, lines: new }) if job_id == id => {
                        batch.extend(new.into_iter().filter(|l| l.id > last));
                        if let Some(l) = batch.last() { last = l.id; }
                    }
                    Ok(JobEvent::JobChanged { job }) if job.id == id && job.state.is_final() => {
                        // Read what the end wrote, send it, and stop.
                        if let Ok(rest) = jobs::logs(&store, &actor, id, last, MAX_LOG_LINES).await {
                            batch.extend(rest);
                        }
                        let _ = lines.send(std::mem::take(&mut batch));
                        return;
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        // Fell behind the live stream: catch up from the database.
                        if let Ok(rest) = jobs::logs(&store, &actor, id, last, MAX_LOG_LINES).await {
                            if let Some(l) = rest.last() { last = l.id; }
                            batch.extend(rest);
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                    Ok(_) => {}
                },
                _ = tick.tick() => {
                    ticks += 1;
                    if ticks.is_multiple_of(5) {
                        // What the live stream cannot carry: another process's lines and end.
                        if let Ok(rest) = jobs::logs(&store, &actor, id, last, MAX_LOG_LINES).await {
                            if let Some(l) = rest.last() { last = l.id; }
                            batch.extend(rest);
                        }
                        let ended = jobs::get(&store, &actor, id).await.map(|j| j.state.is_final());
                        if !matches!(ended, Ok(false)) {
                            let _ = lines.send(std::mem::take(&mut batch));
                            return; // finished, or gone
                        }
                    }
                    if !batch.is_empty() && lines.send(std::mem::take(&mut batch)).is_err() {
                        return; // the window stopped listening
                    }
                }
            }
        }
    });
    Ok(())
}
