//! The spec's docs repository: where it stands, a sync now, and the clashes.

use super::Res;
use crate::AppState;
use codemyspec_core::docs_sync::{self, DocsConflict, DocsStatus, Resolution, SyncReport};
use codemyspec_core::EntityId;
use tauri::State;

/// The project's publish state: published, pending edits, offline, conflicts.
#[tauri::command]
#[specta::specta]
pub async fn docs_status(state: State<'_, AppState>, project_id: String) -> Res<DocsStatus> {
    let me = state.actor().await?;
    Ok(docs_sync::status(&state.store, &me, &super::project_id(&project_id)?).await?)
}

/// Syncs the project's spec with its docs repository now, and waits for it.
#[tauri::command]
#[specta::specta]
pub async fn docs_sync_now(state: State<'_, AppState>, project_id: String) -> Res<SyncReport> {
    let me = state.actor().await?;
    let cancel = tokio_util::sync::CancellationToken::new();
    Ok(docs_sync::sync_now(
        &state.store,
        &state.secrets,
        &me,
        &super::project_id(&project_id)?,
        &cancel,
    )
    .await?)
}

/// The clashes that wait for a choice, with both values.
#[tauri::command]
#[specta::specta]
pub async fn docs_conflicts(
    state: State<'_, AppState>,
    project_id: String,
) -> Res<Vec<DocsConflict>> {
    let me = state.actor().await?;
    Ok(docs_sync::conflicts(&state.store, &me, &super::project_id(&project_id)?).await?)
}

/// Settles the clashes on one entity; returns the ones left.
#[tauri::command]
#[specta::specta]
pub async fn docs_resolve(
    state: State<'_, AppState>,
    project_id: String,
    entity_id: String,
    choice: Resolution,
) -> Res<Vec<DocsConflict>> {
    let me = state.actor().await?;
    let (project_id, entity_id) =
        (super::project_id(&project_id)?, EntityId::parse("entity_id", &entity_id)?);
    Ok(docs_sync::resolve(&state.store, &me, &project_id, &entity_id, choice).await?)
}
