//! Built only with the `bench` feature (`make bench`): a command that sends `n` status events
//! for the acting profile's first project to the window, the way the bridge forwards the
//! broadcaster's `project_updated` (one typed event each), so that the benchmark can count
//! how many arrive and how fast: back to back, or one every `every_ms` (the soak's steady
//! 10 per second).

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
    every_ms: Option<u32>,
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
            if let Some(ms) = every_ms {
                std::thread::sleep(std::time::Duration::from_millis(u64::from(ms)));
            }
        }
    });
    Ok(n)
}
