//! Core events as typed window events. The broadcaster's `project_updated` and
//! `project_error` become [`ProjectUpdated`] and [`ProjectError`], job state changes become
//! [`JobChanged`]; step logs go over a channel instead (see `follow_job_log`). When another
//! process runs the jobs, changes reach this process only through the database, so a
//! poller turns what changed into the same events.

use crate::{notify, AppState};
use codemyspec_core::events::{JobEvent, ProjectEvent};
use codemyspec_core::jobs::Job;
use codemyspec_core::projects::{self, Project};
use serde::Serialize;
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime};
use tauri_specta::Event;
use tokio::sync::broadcast::error::RecvError;

/// A project changed (seed 001's `project_updated`), with the whole project.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct ProjectUpdated {
    pub project: Project,
}

/// A project's setup failed (seed 001's `project_error`).
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct ProjectError {
    pub project: Project,
    pub error: String,
}

/// A job changed state.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct JobChanged {
    pub job: Job,
}

/// Show this project (a notification or the tray asked for it).
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct OpenProject {
    pub project_id: String,
}

/// Events were missed (the window fell behind): reload what is shown.
#[derive(Debug, Clone, Serialize, specta::Type, Event)]
pub struct Resync {}

fn emit<R: Runtime, E: Event + Serialize + Clone>(app: &AppHandle<R>, event: E) {
    if let Err(e) = event.emit(app) {
        tracing::warn!("cannot emit {}: {e}", E::NAME);
    }
}

/// Forwards this process's broadcaster to the window, and raises notifications for setups
/// that end.
pub fn spawn_bridge<R: Runtime>(app: AppHandle<R>) {
    let state = app.state::<AppState>();
    let mut projects = state.events.subscribe_to_all_projects();
    let mut jobs = state.events.subscribe_to_jobs();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match projects.recv().await {
                Ok(ProjectEvent::ProjectUpdated { project }) => {
                    if project.setup_status == projects::SetupStatus::Ready {
                        notify::setup_ended(&handle, &project, None);
                    }
                    emit(&handle, ProjectUpdated { project });
                }
                Ok(ProjectEvent::ProjectError { project, error }) => {
                    notify::setup_ended(&handle, &project, Some(&error));
                    emit(&handle, ProjectError { project, error });
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
                    app.state::<AppState>().refresh_tray();
                    emit(&app, JobChanged { job: *job });
                }
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => emit(&app, Resync {}),
                Err(RecvError::Closed) => return,
            }
        }
    });
}

/// While another process runs the jobs: every second, the projects that changed since the
/// last look become events (and notifications), as if they had happened here.
pub fn spawn_poller<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let mut since = app.state::<AppState>().store.now();
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let state = app.state::<AppState>();
            let Ok(actor) = state.actor().await else { continue };
            let now = state.store.now();
            match projects::updated_since(&state.store, &actor, &since).await {
                Ok(changed) => {
                    for project in changed {
                        state.events.broadcast_project_update(&project);
                    }
                    state.refresh_tray();
                    since = now;
                }
                Err(e) => tracing::warn!("cannot read project changes: {e}"),
            }
        }
    });
}
