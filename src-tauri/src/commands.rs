//! The typed commands the window calls. Each is thin: resolve the acting profile, make one
//! core call, and turn a core error into its `{code, field?, message}` view.

use crate::AppState;
use codemyspec_core::projects::{self, Project};
use codemyspec_core::ErrorView;
use tauri::State;

/// The projects of the current profile, by name.
#[tauri::command]
#[specta::specta]
pub async fn list_projects(state: State<'_, AppState>) -> Result<Vec<Project>, ErrorView> {
    let actor = state.actor().await?;
    Ok(projects::list(&state.store, &actor).await?)
}
