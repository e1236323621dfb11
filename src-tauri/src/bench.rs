//! Built only with the `bench` feature (`make bench`): a command that publishes `n` updates of
//! the acting profile's first project through the core broadcaster, so that the benchmark
//! can count how many reach the window and how fast.

use crate::AppState;
use codemyspec_core::{projects, ErrorView};
use tauri::State;

#[tauri::command]
pub async fn emit_test_events(state: State<'_, AppState>, n: u32) -> Result<u32, ErrorView> {
    let actor = state.actor().await?;
    let project = projects::list(&state.store, &actor)
        .await?
        .into_iter()
        .next()
        .ok_or(ErrorView::from(codemyspec_core::Error::not_found("project")))?;
    let events = state.events.clone();
    std::thread::spawn(move || {
        for i in 0..n {
            let mut p = project.clone();
            p.updated_at = format!("bench-{i}");
            events.broadcast_project_update(&p);
            if i % 256 == 255 {
                // Give the bridge a moment, as real setups do between statuses.
                std::thread::yield_now();
            }
        }
    });
    Ok(n)
}
