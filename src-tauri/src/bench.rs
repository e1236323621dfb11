//! Built only with the `bench` feature (`make bench`): a command that sends `n` status events
//! for the acting profile's first project to the window, the way the bridge forwards the
//! broadcaster's `project_updated` (one typed notice each), so that the benchmark can count
//! how many arrive and how fast: back to back, or one every `every_ms` (the soak's steady
//! 10 per second). Each notice follows a change of the project's `updated_at` in the
//! database, as a setup's status updates do, so the window reads a changed project each time;
//! `kind` `"same"` sends the notices without the change (docs/BENCHMARKS.md).

use crate::events::ProjectUpdated;
use crate::AppState;
use codemyspec_core::{projects, ErrorView};
use tauri::{AppHandle, State};
use tauri_specta::Event;

/// Which events the flood sends (`SOAK_EVENT` in tests/e2e/bench.mjs); another word is
/// refused by the command's argument check instead of running the default.
#[derive(Clone, Copy, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flood {
    /// The project's `updated_at` changes before each notice, as a setup's status updates do.
    #[default]
    Changing,
    /// The notices alone: the project the window reads stays the same.
    Same,
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
    let project = projects::list_rows(&state.store, &actor)
        .await?
        .into_iter()
        .next()
        .ok_or(ErrorView::from(codemyspec_core::Error::not_found("project")))?;
    let kind = kind.unwrap_or_default();
    let store = state.store.clone();
    tauri::async_runtime::spawn(async move {
        let event = ProjectUpdated { project_id: project.id };
        for _ in 0..n {
            if matches!(kind, Flood::Changing) {
                let changed = sqlx::query("UPDATE projects SET updated_at = ? WHERE id = ?")
                    .bind(store.now())
                    .bind(project.id)
                    .execute(store.pool())
                    .await;
                if let Err(e) = changed {
                    tracing::warn!("bench: cannot change the project: {e}");
                }
            }
            let _ = event.emit(&app);
            if let Some(ms) = every_ms {
                tokio::time::sleep(std::time::Duration::from_millis(u64::from(ms))).await;
            }
        }
    });
    Ok(n)
}
