//! Components, their dependencies, design docs, and agent sessions.

use super::Res;
use crate::AppState;
use codemyspec_core::components::{self, Component, ComponentChanges, NewComponent, StatusFlags};
use codemyspec_core::dependencies::{self, Dependency, Graph};
use codemyspec_core::design_docs::{self, DesignDoc};
use codemyspec_core::sessions::{
    self, NewSession, Session, SessionStatus, SessionType, TargetType,
};
use codemyspec_core::{ComponentId, EntityId, Error, SessionId};
use tauri::State;

/// A component's id from the window, parsed where it enters (a bad one is the typed error
/// on `field`).
fn component(field: &str, raw: &str) -> codemyspec_core::Result<ComponentId> {
    ComponentId::parse(field, raw)
}

#[tauri::command]
#[specta::specta]
pub async fn list_components(
    state: State<'_, AppState>,
    project_id: String,
) -> Res<Vec<Component>> {
    let actor = state.actor().await?;
    Ok(components::list(&state.store, &actor, &super::project_id(&project_id)?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_component(
    state: State<'_, AppState>,
    project_id: String,
    input: NewComponent,
) -> Res<Component> {
    let actor = state.actor().await?;
    Ok(components::create(&state.store, &actor, &super::project_id(&project_id)?, input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn update_component(
    state: State<'_, AppState>,
    id: String,
    input: ComponentChanges,
) -> Res<Component> {
    let actor = state.actor().await?;
    Ok(components::update(&state.store, &actor, &component("component_id", &id)?, input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_component_status(
    state: State<'_, AppState>,
    id: String,
    docs_complete: Option<bool>,
    code_complete: Option<bool>,
    tests_complete: Option<bool>,
) -> Res<Component> {
    let actor = state.actor().await?;
    let flags = StatusFlags { docs_complete, code_complete, tests_complete };
    Ok(components::update_status(&state.store, &actor, &component("component_id", &id)?, flags)
        .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn clear_component_dirty(state: State<'_, AppState>, id: String) -> Res<Component> {
    let actor = state.actor().await?;
    Ok(components::clear_dirty(&state.store, &actor, &component("component_id", &id)?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn delete_component(state: State<'_, AppState>, id: String) -> Res<()> {
    let actor = state.actor().await?;
    Ok(components::delete(&state.store, &actor, &component("component_id", &id)?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn add_dependency(
    state: State<'_, AppState>,
    id: String,
    depends_on_id: String,
) -> Res<Dependency> {
    let actor = state.actor().await?;
    let (from, to) = (component("component_id", &id)?, component("depends_on_id", &depends_on_id)?);
    Ok(dependencies::add(&state.store, &actor, &from, &to).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn remove_dependency(
    state: State<'_, AppState>,
    id: String,
    depends_on_id: String,
) -> Res<()> {
    let actor = state.actor().await?;
    let (from, to) = (component("component_id", &id)?, component("depends_on_id", &depends_on_id)?);
    Ok(dependencies::remove(&state.store, &actor, &from, &to).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn dependency_graph(state: State<'_, AppState>, project_id: String) -> Res<Graph> {
    let actor = state.actor().await?;
    Ok(dependencies::graph(&state.store, &actor, &super::project_id(&project_id)?).await?)
}

/// The component's design doc, or nothing if it has none yet.
#[tauri::command]
#[specta::specta]
pub async fn get_design_doc(
    state: State<'_, AppState>,
    component_id: String,
) -> Res<Option<DesignDoc>> {
    let actor = state.actor().await?;
    let id = component("component_id", &component_id)?;
    match design_docs::get(&state.store, &actor, &id).await {
        Ok(doc) => Ok(Some(doc)),
        Err(Error::NotFound { entity: "design doc" }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Writes the design doc; `version` is the one the editor read (none for a new doc).
#[tauri::command]
#[specta::specta]
pub async fn save_design_doc(
    state: State<'_, AppState>,
    component_id: String,
    version: Option<u32>,
    content: String,
) -> Res<DesignDoc> {
    let actor = state.actor().await?;
    Ok(design_docs::save(
        &state.store,
        &actor,
        &component("component_id", &component_id)?,
        version.map(i64::from),
        &content,
    )
    .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn approve_design_doc(
    state: State<'_, AppState>,
    component_id: String,
    version: u32,
) -> Res<DesignDoc> {
    let actor = state.actor().await?;
    Ok(design_docs::approve(
        &state.store,
        &actor,
        &component("component_id", &component_id)?,
        i64::from(version),
    )
    .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_sessions(state: State<'_, AppState>, project_id: String) -> Res<Vec<Session>> {
    let actor = state.actor().await?;
    Ok(sessions::list(&state.store, &actor, &super::project_id(&project_id)?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_session(
    state: State<'_, AppState>,
    project_id: String,
    session_type: SessionType,
    target_type: TargetType,
    target_id: String,
) -> Res<Session> {
    let actor = state.actor().await?;
    // None: the project itself (a `project` target may leave the id out).
    let target_id = match target_id.trim() {
        "" => None,
        raw => Some(EntityId::parse("target_id", raw)?),
    };
    let new = NewSession { session_type, target_type, target_id };
    Ok(sessions::create(&state.store, &actor, &super::project_id(&project_id)?, new).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn update_session_status(
    state: State<'_, AppState>,
    id: String,
    status: SessionStatus,
) -> Res<Session> {
    let actor = state.actor().await?;
    Ok(sessions::update_status(&state.store, &actor, &SessionId::parse("session_id", &id)?, status)
        .await?)
}
