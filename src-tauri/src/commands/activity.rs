//! What GitHub shows of a project (issue 21): its last change on GitHub, with how many
//! commits this machine's working copy lacks, and Pull (fast-forward only).

use super::Res;
use crate::AppState;
use codemyspec_core::activity::{self, LastChange, Pulled};
use tauri::State;

/// The project's last change on GitHub, when its head was read.
#[tauri::command]
#[specta::specta]
pub async fn project_last_change(
    state: State<'_, AppState>,
    project_id: String,
) -> Res<Option<LastChange>> {
    let me = state.actor().await?;
    Ok(activity::last_change(&state.store, &me, &super::project_id(&project_id)?).await?)
}

/// Pull: GitHub's default branch into the project's working copy, fast-forward only.
#[tauri::command]
#[specta::specta]
pub async fn pull_project(state: State<'_, AppState>, project_id: String) -> Res<Pulled> {
    let me = state.actor().await?;
    Ok(activity::pull(&state.store, &state.secrets, &me, &super::project_id(&project_id)?).await?)
}
