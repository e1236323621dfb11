//! Core events as typed window events. The broadcaster's `project_updated` and
//! `project_error` become [`ProjectUpdated`] and [`ProjectError`], job state changes become
//! [`JobChanged`]; step logs go over a channel instead (see `follow_job_log`). When another
//! process runs the jobs, changes reach this process only through the database, so a
//! poller turns what changed into the same events.

use crate::{notify, AppState};
use codemyspec_core::change_watch::ChangeWatch;
use codemyspec_core::events::{JobEvent, ProjectEvent};
use codemyspec_core::jobs::{self, Job, JobState};
use codemyspec_core::pipeline;
use codemyspec_core::projects::{self, Project, ProjectRow, SetupStatus};
use codemyspec_core::ProjectId;
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;
use tokio::sync::broadcast::error::RecvError;

/// A project changed (`project_updated` in docs/DESIGN.md): the window reads it again
/// (`get_project`). A notice with the id only, not the whole project: the window runs each
/// event as a script with its payload written in, and WebKit keeps each script it has not
/// seen before in its code cache; a notice is the same script for every change of one
/// project (docs/DECISIONS.md, "Project notices").
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct ProjectUpdated {
    pub project_id: ProjectId,
}

impl ProjectUpdated {
    pub fn of(project: &Project) -> Self {
        Self { project_id: project.id }
    }
}

/// A project's setup failed (`project_error` in docs/DESIGN.md).
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct ProjectError {
    pub project: Project,
    pub error: String,
}

/// A job changed: its state, a step's start or end (`job_changed` in docs/DESIGN.md). A notice
/// with what the window's listeners choose by — the job, its queue, its state and its project
/// — not the whole job: a page that shows the job reads it. As with [`ProjectUpdated`], each
/// change is then one of a few scripts WebKit has seen, not a new one each time (the job's
/// errors, meta and times made every payload new).
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct JobChanged {
    // Job ids stay far below 2^53: exported as `number`.
    #[specta(type = i32)]
    pub job_id: i64,
    pub queue: String,
    pub state: JobState,
    /// The project the job is about, when it is about one.
    pub project_id: Option<String>,
}

impl JobChanged {
    pub fn of(job: &Job) -> Self {
        Self {
            job_id: job.id,
            queue: job.queue.clone(),
            state: job.state,
            project_id: job.project_id().map(str::to_owned),
        }
    }
}

/// Show this project (a notification or the tray asked for it).
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct OpenProject {
    pub project_id: String,
}

/// A project's spec (stories, contexts, components, dependencies, design docs) changed —
/// here, in another process, or from its docs repository: reload its lists.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct SpecChanged {
    pub project_id: ProjectId,
}

/// A project left the profile's list — deleted, or its membership ended — here or in another
/// process (the CLI, a team change from the docs repository, the org sync): drop it.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct ProjectRemoved {
    pub project_id: ProjectId,
}

/// Events were missed (the window fell behind): reload what is shown.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct Resync {}

fn emit<R: Runtime, E: Event + Serialize + Clone>(app: &AppHandle<R>, event: E) {
    if let Err(e) = event.emit(app) {
        tracing::warn!("cannot emit {}: {e}", E::NAME);
    }
}

/// A desktop notification to raise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A setup ended: ready (no error) or failed.
    SetupEnded { error: Option<String> },
}

/// Remembers each project's last setup status, to tell a setup's end from any later update
/// of a project that is ready (or failed): a notification is raised once, on the
/// transition.
#[derive(Debug, Default)]
pub struct SetupEnds {
    last: HashMap<ProjectId, SetupStatus>,
}

impl SetupEnds {
    /// Starts from the statuses the projects have now (no notification for those).
    pub fn seeded(projects: &[ProjectRow]) -> Self {
        SetupEnds { last: projects.iter().map(|p| (p.id, p.setup_status)).collect() }
    }

    /// The desktop notification an event calls for, if any: a setup's end (once, on the
    /// transition). A project gone missing is not one of these: the org sync records a notice
    /// (`codemyspec_core::notices`) that whichever process runs shows, once.
    pub fn notice(&mut self, event: &ProjectEvent) -> Option<Notice> {
        let project = event.project();
        if project.setup_error.as_deref() == Some(pipeline::CANCELLED)
            && project.setup_status == SetupStatus::Failed
        {
            // The person cancelled it: they know, and it did not fail.
            self.ended(project);
            return None;
        }
        match event {
            ProjectEvent::ProjectError { .. }
                if project.stage == codemyspec_core::Stage::Missing =>
            {
                None
            }
            ProjectEvent::ProjectError { error, .. } => {
                self.ended(project).then(|| Notice::SetupEnded { error: Some(error.clone()) })
            }
            ProjectEvent::ProjectUpdated { .. } => self
                .ended(project)
                .then(|| Notice::SetupEnded { error: project.setup_error.clone() }),
        }
    }

    /// Whether `project` has just entered `ready` or `failed` (a cancel is a failure).
    pub fn ended(&mut self, project: &Project) -> bool {
        let before = self.last.insert(project.id, project.setup_status);
        matches!(project.setup_status, SetupStatus::Ready | SetupStatus::Failed)
            && before != Some(project.setup_status)
    }
}

/// Whether the window's profile may see the project (the runner runs every profile's
/// jobs of this data dir; a window shows only its own).
async fn visible(state: &AppState, project: &Project) -> bool {
    match state.actor().await {
        Ok(actor) => projects::get(&state.store, &actor, &project.id).await.is_ok(),
        Err(_) => false,
    }
}

/// The job as the window's profile sees it now; none when it may not see it.
async fn visible_job(state: &AppState, id: i64) -> Option<Job> {
    let actor = state.actor().await.ok()?;
    jobs::get(&state.store, &actor, id).await.ok()
}

/// Forwards this process's broadcaster to the window, and raises notifications for setups
/// that end. Events of projects the window's profile cannot see are not forwarded.
pub fn spawn_bridge<R: Runtime>(app: AppHandle<R>) {
    let state = app.state::<AppState>();
    let mut projects = state.events.subscribe_to_all_projects();
    let mut jobs = state.events.subscribe_to_jobs();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut ends = {
            let state = handle.state::<AppState>();
            match state.actor().await {
                Ok(actor) => SetupEnds::seeded(
                    &projects::list_rows(&state.store, &actor).await.unwrap_or_default(),
                ),
                Err(_) => SetupEnds::default(),
            }
        };
        loop {
            let event = projects.recv().await;
            let state = handle.state::<AppState>();
            match event {
                Ok(event) => {
                    if !visible(&state, event.project()).await {
                        continue;
                    }
                    match ends.notice(&event) {
                        Some(Notice::SetupEnded { error }) => {
                            notify::setup_ended(&handle, event.project(), error.as_deref())
                        }
                        None => {}
                    }
                    match event {
                        ProjectEvent::ProjectUpdated { project } => {
                            emit(&handle, ProjectUpdated::of(&project))
                        }
                        ProjectEvent::ProjectError { project, error } => {
                            emit(&handle, ProjectError { project, error })
                        }
                    }
                }
                Err(RecvError::Lagged(_)) => emit(&handle, Resync {}),
                Err(RecvError::Closed) => return,
            }
        }
    });
    tauri::async_runtime::spawn(async move {
        loop {
            match jobs.recv().await {
                Ok(JobEvent::JobChanged { job }) => {
                    let state = app.state::<AppState>();
                    state.refresh_tray();
                    if visible_job(&state, job.id).await.is_some() {
                        emit(&app, JobChanged::of(&job));
                    }
                }
                // A step's start or end changes what its job's timeline shows. A step can end
                // after its job did (a cancel is recorded first, the step's process killed
                // after), so its end is sent as its job, read now.
                Ok(
                    JobEvent::StepStarted { job_id, .. } | JobEvent::StepFinished { job_id, .. },
                ) => {
                    if let Some(job) = visible_job(&app.state::<AppState>(), job_id).await {
                        emit(&app, JobChanged::of(&job));
                    }
                }
                Ok(JobEvent::Log { .. }) => {}
                Err(RecvError::Lagged(_)) => emit(&app, Resync {}),
                Err(RecvError::Closed) => return,
            }
        }
    });
}

/// While another process runs the jobs: every second, the projects and jobs that changed
/// since the last look go through this process's broadcaster, as if they had happened here
/// (so the window gets the same events, notifications and log ends). Every few seconds it
/// tries to take the runner over, for when that process has stopped.
pub fn spawn_poller<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let mut changes = ChangeWatch::starting(&app.state::<AppState>().store);
        let mut job_seq = match app.state::<AppState>().actor().await {
            Ok(actor) => jobs::changed_after(&app.state::<AppState>().store, &actor, i64::MAX)
                .await
                .map(|(_, newest)| newest)
                .unwrap_or(0),
            Err(_) => 0,
        };
        let mut ticks: u64 = 0;
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            ticks += 1;
            let state = app.state::<AppState>();
            let Ok(actor) = state.actor().await else { continue };
            match changes.changed(&state.store, &actor).await {
                Ok(changed) => {
                    for project in changed {
                        state.events.broadcast_project_update(&project);
                    }
                    state.refresh_tray();
                }
                Err(e) => tracing::warn!("cannot read project changes: {e}"),
            }
            match jobs::changed_after(&state.store, &actor, job_seq).await {
                Ok((changed, newest)) => {
                    for job in changed {
                        state.events.publish_job(JobEvent::JobChanged { job: Box::new(job) });
                    }
                    job_seq = newest;
                }
                Err(e) => tracing::warn!("cannot read job changes: {e}"),
            }
            if ticks.is_multiple_of(5) {
                match state.start_runner().await {
                    Ok(true) => {
                        tracing::info!(
                            "the process that ran the jobs stopped; this app runs them now"
                        );
                        return;
                    }
                    Ok(false) => {}
                    Err(e) => tracing::warn!("cannot start the job runner: {e}"),
                }
            }
        }
    });
}

/// The profile's projects that left its list after removal number `after` (all of them
/// missed: one `Resync`), told to the window; the number to ask after next time.
async fn tell_removals<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    actor: &codemyspec_core::AccountId,
    after: Option<i64>,
) -> Option<i64> {
    let left = projects::removed_after(&state.store, actor, after.unwrap_or(i64::MAX))
        .await
        .map_err(|e| tracing::warn!("cannot read removed projects: {e}"))
        .ok()?;
    if left.missed || !left.projects.is_empty() {
        state.refresh_tray();
    }
    if left.missed {
        emit(app, Resync {});
    } else {
        for project_id in left.projects {
            emit(app, ProjectRemoved { project_id });
        }
    }
    Some(left.newest)
}

/// Every second, the projects whose spec changed (by whatever process) become
/// [`SpecChanged`] events: one query on an index (`outbox::changed_after`). While this
/// process runs the jobs (so [`spawn_poller`] does not), projects another process created or
/// changed — `codemyspec project create`, say — become [`ProjectUpdated`] events for the
/// window too (straight to the window: no notification comes of them). Projects that left
/// the profile's list, by whatever process, become [`ProjectRemoved`] events
/// (`projects::removed_after`), or one [`Resync`] when more left than are remembered.
pub fn spawn_spec_watch<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let mut seen: Option<i64> = None;
        // From now, whoever signs in later: a removal between a first sign-in and the
        // watch's next look is still told.
        let mut removals: Option<i64> =
            projects::newest_removal(&app.state::<AppState>().store).await.ok();
        let mut changes = ChangeWatch::starting(&app.state::<AppState>().store);
        loop {
            let state = app.state::<AppState>();
            if let Ok(actor) = state.actor().await {
                removals = tell_removals(&app, &state, &actor, removals).await.or(removals);
                if state.runs_jobs() {
                    match changes.changed_ids(&state.store, &actor).await {
                        Ok(changed) => {
                            for project_id in changed {
                                emit(&app, ProjectUpdated { project_id });
                            }
                        }
                        Err(e) => tracing::warn!("cannot read project changes: {e}"),
                    }
                }
                let after = seen.unwrap_or(i64::MAX);
                match codemyspec_core::outbox::changed_after(&state.store, &actor, after).await {
                    Ok((changed, newest)) => {
                        for project_id in changed {
                            emit(&app, SpecChanged { project_id });
                        }
                        seen = Some(newest);
                    }
                    Err(e) => tracing::warn!("cannot read spec changes: {e}"),
                }
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}
