//! Projects, members and the lifecycle.

use super::Res;
use crate::AppState;
use codemyspec_core::lifecycle::{self, Move, StageTransition};
use codemyspec_core::memberships::{self, Member};
use codemyspec_core::projects::{self, NewProject, Project, ProjectChanges, ProjectRow};
use codemyspec_core::{accounts, stage_rules, Role, Stage};
use tauri::State;

/// The project list as the window shows it: each project's row (`projects::list_rows`), not
/// the whole project — a page that needs the whole project opens it (`get_project`).
#[tauri::command]
#[specta::specta]
pub async fn list_projects(state: State<'_, AppState>) -> Res<Vec<ProjectRow>> {
    let actor = state.actor().await?;
    Ok(projects::list_rows(&state.store, &actor).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_project(state: State<'_, AppState>, id: String) -> Res<Project> {
    let actor = state.actor().await?;
    Ok(projects::get(&state.store, &actor, &super::project_id(&id)?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_project(state: State<'_, AppState>, input: NewProject) -> Res<Project> {
    let actor = state.actor().await?;
    Ok(projects::create(&state.store, &actor, input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn update_project(
    state: State<'_, AppState>,
    id: String,
    changes: ProjectChanges,
) -> Res<Project> {
    let actor = state.actor().await?;
    let project = projects::update(&state.store, &actor, &super::project_id(&id)?, changes).await?;
    state.events.broadcast_project_update(&project);
    Ok(project)
}

#[tauri::command]
#[specta::specta]
pub async fn delete_project(state: State<'_, AppState>, id: String) -> Res<()> {
    let actor = state.actor().await?;
    Ok(projects::delete(&state.store, &actor, &super::project_id(&id)?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn allowed_transitions(state: State<'_, AppState>, id: String) -> Res<Vec<Move>> {
    let actor = state.actor().await?;
    Ok(lifecycle::allowed_transitions(&state.store, &actor, &super::project_id(&id)?).await?)
}

/// Which rule would move the project next from what GitHub shows, and what is missing.
#[tauri::command]
#[specta::specta]
pub async fn stage_why(state: State<'_, AppState>, id: String) -> Res<stage_rules::Why> {
    let actor = state.actor().await?;
    Ok(stage_rules::why(&state.store, &actor, &super::project_id(&id)?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn transition_project(
    state: State<'_, AppState>,
    id: String,
    to: Stage,
    reason: String,
) -> Res<Project> {
    let actor = state.actor().await?;
    let project =
        lifecycle::transition(&state.store, &actor, &super::project_id(&id)?, to, &reason).await?;
    state.events.broadcast_project_update(&project);
    Ok(project)
}

#[tauri::command]
#[specta::specta]
pub async fn stage_history(state: State<'_, AppState>, id: String) -> Res<Vec<StageTransition>> {
    let actor = state.actor().await?;
    Ok(lifecycle::history(&state.store, &actor, &super::project_id(&id)?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_members(state: State<'_, AppState>, id: String) -> Res<Vec<Member>> {
    let actor = state.actor().await?;
    Ok(memberships::list(&state.store, &actor, &super::project_id(&id)?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn add_member(
    state: State<'_, AppState>,
    id: String,
    email: String,
    role: Role,
) -> Res<Member> {
    let actor = state.actor().await?;
    let account = accounts::get_by_email(&state.store, &email).await?;
    Ok(memberships::add(&state.store, &actor, &super::project_id(&id)?, &account.id, role).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn remove_member(state: State<'_, AppState>, id: String, account_id: String) -> Res<()> {
    let actor = state.actor().await?;
    Ok(memberships::remove(
        &state.store,
        &actor,
        &super::project_id(&id)?,
        &super::account_id(&account_id)?,
    )
    .await?)
}

/// Opens a repository's page on the GitHub host in the browser (https GitHub pages only).
#[tauri::command]
#[specta::specta]
pub async fn open_url(state: State<'_, AppState>, url: String) -> Res<()> {
    let url = codemyspec_core::links::web_url(&state.store, &url).await?;
    super::opened(tauri_plugin_opener::open_url(url, None::<&str>), "the browser")
}

/// Opens a set-up project's folder (inside the workspace folder only) in the file manager.
#[tauri::command]
#[specta::specta]
pub async fn open_project_folder(state: State<'_, AppState>, project_id: String) -> Res<()> {
    let actor = state.actor().await?;
    let path = codemyspec_core::links::project_folder(
        &state.store,
        &actor,
        &super::project_id(&project_id)?,
    )
    .await?;
    super::opened(tauri_plugin_opener::open_path(path, None::<&str>), "the folder")
}
