//! Built only with the `bench` feature (`make bench`): a command that sends `n` status events
//! for the acting profile's first project to the window, the way the bridge forwards the
//! broadcaster's `project_updated` (one typed event each, back to back), so that the
//! benchmark can count how many arrive and how fast.

use crate::events::ProjectUpdated;
use crate::AppState;
use codemyspec_core::{projects, ErrorView};
use tauri::{AppHandle, State};
use tauri_specta::Event;

#[tauri::command]
pub async fn emit_test_events(
    app: AppHandle,
    state: State<'_, AppState>,
    n: u32,
) -> Result<u32, ErrorView> {
    let actor = state.actor().await?;
    let project = projects::list(&state.store, &actor)
        .await?
        .into_iter()
        .next()
        .ok_or(ErrorView::from(codemyspec_core::Error::not_found("project")))?;
    std::thread::spawn(move || {
        for i in 0..n {
            let mut p = project.clone();
            p.updated_at = format!("bench-{i}");
            let _ = ProjectUpdated { project: p }.emit(&app);
        }
    });
    Ok(n)
}
