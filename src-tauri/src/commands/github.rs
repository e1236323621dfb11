//! GitHub set up from the window (issue 19): where GitHub is, the owner the profile syncs
//! (chosen among the ones GitHub lists), and the links the window hands to the browser.

use super::Res;
use crate::AppState;
use codemyspec_core::github::{self, OwnerChoice};
use codemyspec_core::settings::{self, GitHubSettings};
use codemyspec_core::{links, sync};
use tauri::State;

/// The owners the profile may sync, as GitHub lists them: its account, then its
/// organizations (`GET /user`, `GET /user/orgs`).
#[tauri::command]
#[specta::specta]
pub async fn github_owners(state: State<'_, AppState>) -> Res<Vec<OwnerChoice>> {
    let me = state.actor().await?;
    Ok(github::owners(&state.store, &state.secrets, &me).await?)
}

/// The GitHub host, its API address and the device flow's client id, saved together; each
/// invalid value is an error on its own field.
#[tauri::command]
#[specta::specta]
pub async fn set_github_settings(state: State<'_, AppState>, input: GitHubSettings) -> Res<()> {
    Ok(settings::set_github(&state.store, &input).await?)
}

/// The profile's source-of-truth organization ("" for its own account).
#[tauri::command]
#[specta::specta]
pub async fn set_github_org(state: State<'_, AppState>, org: String) -> Res<()> {
    let me = state.actor().await?;
    sync::set_org(&state.store, &me, &org).await.map_err(|e| match e {
        // The core names its input "value" (the CLI's `config set`); here it is the picker.
        codemyspec_core::Error::InvalidInput { message, .. } => {
            codemyspec_core::Error::invalid("github_org", message)
        }
        other => other,
    })?;
    Ok(())
}

/// Opens the device flow's verification page in the browser: only a page of the GitHub web
/// host the token is for.
#[tauri::command]
#[specta::specta]
pub async fn open_verification_page(state: State<'_, AppState>, url: String) -> Res<()> {
    let url = links::verification_url(&state.store, &url).await?;
    super::opened(tauri_plugin_opener::open_url(url, None::<&str>), "the browser")
}

/// Opens a link the person chose (and confirmed) in a markdown preview: http(s) only.
#[tauri::command]
#[specta::specta]
pub async fn open_external_link(url: String) -> Res<()> {
    let url = links::external_url(&url)?;
    super::opened(tauri_plugin_opener::open_url(url, None::<&str>), "the browser")
}
