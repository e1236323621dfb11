//! The org sync's noise filters and ignored repositories (issue 18): what the profile's
//! heartbeat imports, and the repositories it leaves alone.

use super::Res;
use crate::AppState;
use codemyspec_core::sync::{self, IgnoredRepo, Ignoring, SyncFilter, SyncFilters};
use tauri::State;

/// Whether the profile's sync imports forks and archived repositories.
#[tauri::command]
#[specta::specta]
pub async fn sync_filters(state: State<'_, AppState>) -> Res<SyncFilters> {
    let me = state.actor().await?;
    Ok(sync::filters(&state.store, &me).await?)
}

/// Sets one of the profile's filters.
#[tauri::command]
#[specta::specta]
pub async fn set_sync_filter(
    state: State<'_, AppState>,
    filter: SyncFilter,
    on: bool,
) -> Res<SyncFilters> {
    let me = state.actor().await?;
    sync::set_filter(&state.store, &me, filter, on).await?;
    Ok(sync::filters(&state.store, &me).await?)
}

/// The repositories the profile's sync leaves alone.
#[tauri::command]
#[specta::specta]
pub async fn ignored_repositories(state: State<'_, AppState>) -> Res<Vec<IgnoredRepo>> {
    let me = state.actor().await?;
    Ok(sync::ignored(&state.store, &me).await?)
}

/// Ignores a repository (a discovered project's id, or `OWNER/NAME`): its untouched
/// discovered project goes.
#[tauri::command]
#[specta::specta]
pub async fn ignore_repository(state: State<'_, AppState>, target: String) -> Res<Ignoring> {
    let me = state.actor().await?;
    Ok(sync::ignore(&state.store, &me, &target).await?)
}

/// Lets the sync import an ignored repository again: `target` is its GitHub id (as text:
/// ids outgrow 32 bits) or `OWNER/NAME`.
#[tauri::command]
#[specta::specta]
pub async fn unignore_repository(state: State<'_, AppState>, target: String) -> Res<IgnoredRepo> {
    let me = state.actor().await?;
    Ok(sync::unignore(&state.store, &me, &target).await?)
}

/// Deletes a discovered project and ignores its repository (the delete's "and ignore").
#[tauri::command]
#[specta::specta]
pub async fn delete_and_ignore_project(state: State<'_, AppState>, id: String) -> Res<Ignoring> {
    let me = state.actor().await?;
    Ok(sync::delete_and_ignore(&state.store, &me, &super::project_id(&id)?).await?)
}
