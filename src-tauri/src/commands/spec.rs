//! Stories and bounded contexts.

use super::Res;
use crate::AppState;
use codemyspec_core::contexts::{self, Context, ContextChanges, NewContext};
use codemyspec_core::stories::{self, NewStory, StatusMove, Story, StoryChanges, StoryStatus};
use codemyspec_core::ContextId;
use codemyspec_core::StoryId;
use tauri::State;

#[tauri::command]
#[specta::specta]
pub async fn list_stories(state: State<'_, AppState>, project_id: String) -> Res<Vec<Story>> {
    let actor = state.actor().await?;
    Ok(stories::list(&state.store, &actor, &super::project_id(&project_id)?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_story(state: State<'_, AppState>, id: String) -> Res<Story> {
    let actor = state.actor().await?;
    Ok(stories::get(&state.store, &actor, &StoryId::parse("story_id", &id)?).await?)
}

/// The statuses a story in `from` may be given (all of them, in order, each marked).
#[tauri::command]
#[specta::specta]
pub async fn story_status_moves(from: StoryStatus) -> Res<Vec<StatusMove>> {
    Ok(from.moves())
}

#[tauri::command]
#[specta::specta]
pub async fn create_story(
    state: State<'_, AppState>,
    project_id: String,
    input: NewStory,
) -> Res<Story> {
    let actor = state.actor().await?;
    Ok(stories::create(&state.store, &actor, &super::project_id(&project_id)?, input).await?)
}

/// An edit based on `version` (the version the editor read): a newer one is a conflict.
#[tauri::command]
#[specta::specta]
pub async fn update_story(
    state: State<'_, AppState>,
    id: String,
    version: u32,
    input: StoryChanges,
) -> Res<Story> {
    let actor = state.actor().await?;
    Ok(stories::update(
        &state.store,
        &actor,
        &StoryId::parse("story_id", &id)?,
        i64::from(version),
        input,
    )
    .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn approve_story(state: State<'_, AppState>, id: String, version: u32) -> Res<Story> {
    let actor = state.actor().await?;
    Ok(stories::approve(
        &state.store,
        &actor,
        &StoryId::parse("story_id", &id)?,
        i64::from(version),
    )
    .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_story_dirty(state: State<'_, AppState>, id: String, dirty: bool) -> Res<Story> {
    let actor = state.actor().await?;
    Ok(if dirty {
        stories::mark_dirty(&state.store, &actor, &StoryId::parse("story_id", &id)?).await?
    } else {
        stories::clear_dirty(&state.store, &actor, &StoryId::parse("story_id", &id)?).await?
    })
}

#[tauri::command]
#[specta::specta]
pub async fn delete_story(state: State<'_, AppState>, id: String) -> Res<()> {
    let actor = state.actor().await?;
    Ok(stories::delete(&state.store, &actor, &StoryId::parse("story_id", &id)?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn list_contexts(state: State<'_, AppState>, project_id: String) -> Res<Vec<Context>> {
    let actor = state.actor().await?;
    Ok(contexts::list(&state.store, &actor, &super::project_id(&project_id)?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_context(
    state: State<'_, AppState>,
    project_id: String,
    input: NewContext,
) -> Res<Context> {
    let actor = state.actor().await?;
    Ok(contexts::create(&state.store, &actor, &super::project_id(&project_id)?, input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn update_context(
    state: State<'_, AppState>,
    id: String,
    version: u32,
    input: ContextChanges,
) -> Res<Context> {
    let actor = state.actor().await?;
    Ok(contexts::update(
        &state.store,
        &actor,
        &ContextId::parse("context_id", &id)?,
        i64::from(version),
        input,
    )
    .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn approve_context(state: State<'_, AppState>, id: String, version: u32) -> Res<Context> {
    let actor = state.actor().await?;
    Ok(contexts::approve(
        &state.store,
        &actor,
        &ContextId::parse("context_id", &id)?,
        i64::from(version),
    )
    .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn clear_context_dirty(state: State<'_, AppState>, id: String) -> Res<Context> {
    let actor = state.actor().await?;
    Ok(contexts::clear_dirty(&state.store, &actor, &ContextId::parse("context_id", &id)?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn delete_context(state: State<'_, AppState>, id: String) -> Res<()> {
    let actor = state.actor().await?;
    Ok(contexts::delete(&state.store, &actor, &ContextId::parse("context_id", &id)?).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn link_story(
    state: State<'_, AppState>,
    context_id: String,
    story_id: String,
) -> Res<()> {
    let actor = state.actor().await?;
    Ok(contexts::add_story(
        &state.store,
        &actor,
        &ContextId::parse("context_id", &context_id)?,
        &StoryId::parse("story_id", &story_id)?,
    )
    .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn unlink_story(
    state: State<'_, AppState>,
    context_id: String,
    story_id: String,
) -> Res<()> {
    let actor = state.actor().await?;
    Ok(contexts::remove_story(
        &state.store,
        &actor,
        &ContextId::parse("context_id", &context_id)?,
        &StoryId::parse("story_id", &story_id)?,
    )
    .await?)
}

#[tauri::command]
#[specta::specta]
pub async fn context_stories(state: State<'_, AppState>, context_id: String) -> Res<Vec<Story>> {
    let actor = state.actor().await?;
    Ok(contexts::list_stories(&state.store, &actor, &ContextId::parse("context_id", &context_id)?)
        .await?)
}
