//! Built only with the `bench` feature (`make bench`): a command that sends `n` status events
//! for the acting profile's first project to the window, the way the bridge forwards the
//! broadcaster's `project_updated` (one typed event each), so that the benchmark can count
//! how many arrive and how fast: back to back, or one every `every_ms` (the soak's steady
//! 10 per second). `kind` takes the soak's events apart (docs/BENCHMARKS.md): `"same"` sends
//! one unchanged project each time (the same script evaluated in the window each time), and
//! `"unheard"` sends the changing project under an event the app does not listen to.

use crate::events::ProjectUpdated;
use crate::AppState;
use codemyspec_core::{projects, ErrorView};
use tauri::{AppHandle, Emitter, State};
use tauri_specta::Event;

/// Which events the flood sends (`SOAK_EVENT` in tests/e2e/bench.mjs); another word is
/// refused by the command's argument check instead of running the default.
#[derive(Clone, Copy, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flood {
    /// A new `updated_at` each time, as a setup's status updates come.
    #[default]
    Changing,
    /// One unchanged project each time.
    Same,
    /// The changing project under `bench-unheard`, which the app does not listen to.
    Unheard,
}

#[tauri::command]
pub async fn emit_test_events(
    app: AppHandle,
    state: State<'_, AppState>,
    n: u32,
    every_ms: Option<u32>,
    kind: Option<Flood>,
) -> Result<u32, ErrorView> {
    let actor = state.actor().await?;
    let project = projects::list(&state.store, &actor)
        .await?
        .into_iter()
        .next()
        .ok_or(ErrorView::from(codemyspec_core::Error::not_found("project")))?;
    let kind = kind.unwrap_or_default();
    std::thread::spawn(move || {
        for i in 0..n {
            let mut p = project.clone();
            if !matches!(kind, Flood::Same) {
                p.updated_at = format!("bench-{i}");
            }
            let event = ProjectUpdated { project: p };
            let _ = match kind {
                Flood::Unheard => app.emit("bench-unheard", event),
                Flood::Changing | Flood::Same => event.emit(&app),
            };
            if let Some(ms) = every_ms {
                std::thread::sleep(std::time::Duration::from_millis(u64::from(ms)));
            }
        }
    });
    Ok(n)
}
