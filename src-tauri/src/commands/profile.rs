//! Local profiles and app settings.

use super::Res;
use crate::AppState;
use codemyspec_core::accounts::{self, Account, AccountChanges, NewAccount};
use codemyspec_core::github::{self, SignIn};
use codemyspec_core::jobs::{self, Queue};
use codemyspec_core::settings::Setting;
use codemyspec_core::sync::{self, SyncRun, SyncStatus};
use codemyspec_core::{settings, settings_view, Error, ErrorView, Secret};
use serde::{Deserialize, Serialize};
use tauri::State;

#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct ProfileState {
    /// Who acts now: the last profile used, or the only one.
    pub current: Option<Account>,
    pub profiles: Vec<Account>,
}

#[derive(Debug, Clone, Deserialize, specta::Type)]
pub struct NewProfileInput {
    pub email: String,
    pub name: Option<String>,
    pub password: String,
}

/// The core's settings overview, and what only this window knows.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct AppSettings {
    #[serde(flatten)]
    pub overview: settings_view::Overview,
    /// Whether this window's process runs the data dir's jobs (else another one does).
    pub runs_jobs: bool,
    /// Where the app's log files are, if this system has a folder for them.
    pub log_dir: Option<String>,
}

#[tauri::command]
#[specta::specta]
pub async fn profile_state(state: State<'_, AppState>) -> Res<ProfileState> {
    let profiles = accounts::list(&state.store).await?;
    let current = match accounts::current(&state.store, None).await {
        Ok(a) => Some(a),
        Err(Error::NoProfile | Error::InvalidInput { .. } | Error::InvalidFields { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    Ok(ProfileState { current, profiles })
}

/// The first run's profile (or another one); it becomes the acting profile.
#[tauri::command]
#[specta::specta]
pub async fn create_profile(state: State<'_, AppState>, input: NewProfileInput) -> Res<Account> {
    let new =
        NewAccount { email: input.email, name: input.name, password: Secret::new(input.password) };
    let account = accounts::create(&state.store, new).await?;
    Ok(accounts::current(&state.store, Some(&account.email)).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn sign_in(state: State<'_, AppState>, email: String, password: String) -> Res<Account> {
    Ok(accounts::authenticate(&state.store, &email, &Secret::new(password)).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn update_profile(
    state: State<'_, AppState>,
    name: Option<String>,
    github_login: Option<String>,
) -> Res<Account> {
    let me = state.actor().await?;
    Ok(accounts::update(&state.store, &me, AccountChanges { name, github_login }).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn app_settings(state: State<'_, AppState>) -> Res<AppSettings> {
    let actor = state.actor().await.ok();
    Ok(AppSettings {
        overview: settings_view::overview(&state.store, &state.secrets, actor.as_ref()).await?,
        runs_jobs: state.runs_jobs_settled().await,
        log_dir: codemyspec_logging::log_dir().map(|d| d.display().to_string()),
    })
}

/// Opens the folder of the app's log files in the file manager.
#[tauri::command]
#[specta::specta]
pub async fn open_log_folder() -> Res<()> {
    let dir = codemyspec_logging::log_dir().ok_or_else(|| Error::Unavailable {
        message: "this system reports no folder for logs".into(),
    })?;
    super::opened(tauri_plugin_opener::open_path(&dir, None::<&str>), &dir.display().to_string())
}

/// A failure the window met (a command that failed unexpectedly, a script error): written to
/// the app's log, so that it holds what the person saw.
#[tauri::command]
#[specta::specta]
pub async fn log_ui_error(context: String, message: String) -> Res<()> {
    let clip = |s: &str| s.chars().take(2000).collect::<String>();
    tracing::warn!(context = clip(&context), "window: {}", clip(&message));
    Ok(())
}

/// One of the settings a person may set ("" resets it to its default).
#[tauri::command]
#[specta::specta]
pub async fn set_setting(state: State<'_, AppState>, key: Setting, value: String) -> Res<()> {
    let before = settings::get(&state.store, key).await?;
    settings::set(&state.store, key, &value).await?;
    match key {
        // The OS's login start follows at once; if it cannot, the setting stays as it was.
        Setting::StartAtLogin => {
            let on = settings::flag(&state.store, key).await?;
            if let Err(e) = state.shell().start_at_login(on) {
                settings::set(&state.store, key, before.as_deref().unwrap_or("")).await?;
                return Err(e.into());
            }
        }
        // Steps find their programs there from the next setup; checks show it at once.
        Setting::ToolsPath => {
            state.pipeline.resolve_tools(&state.store).await?;
        }
        _ => {}
    }
    Ok(())
}

/// Quits the app as the tray's Quit does (Ctrl/Cmd+Q in the window): running steps are
/// stopped and their jobs go back to the queue, then the app exits.
#[tauri::command]
#[specta::specta]
pub async fn quit_app(state: State<'_, AppState>) -> Res<()> {
    tracing::info!("Quit from the window");
    state.shell().quit();
    Ok(())
}

/// Signs the profile in to GitHub with a pasted token: checked with `GET /user`, then kept
/// in the OS keyring for this profile and host. A refused token is stored nowhere.
#[tauri::command]
#[specta::specta]
pub async fn set_github_token(state: State<'_, AppState>, token: String) -> Res<SignIn> {
    let me = state.actor().await?;
    let token = Secret::new(token.trim());
    Ok(codemyspec_core::sync::sign_in(&state.store, &state.secrets, &me, token).await?)
}

/// The org sync's state for the window's sync line.
#[tauri::command]
#[specta::specta]
pub async fn sync_status(state: State<'_, AppState>) -> Res<SyncStatus> {
    let me = state.actor().await?;
    Ok(sync::status(&state.store, &me).await?)
}

/// Syncs with GitHub now (the listing, then the activity feed) and returns the listing's run.
#[tauri::command]
#[specta::specta]
pub async fn sync_now(state: State<'_, AppState>) -> Res<SyncRun> {
    let me = state.actor().await?;
    let run = sync::run_once(&state.store, &state.events, &state.secrets, &me).await?;
    // Then the activity feed (issue 21): the heads that moved reach the project pages.
    let person = codemyspec_core::activity::Trigger::Person;
    let polled = codemyspec_core::activity::poll(
        &state.store,
        &state.events,
        &state.secrets,
        &me,
        person,
        true,
    )
    .await?;
    tracing::info!(status = %polled.status, heads = polled.heads_changed, "activity feed");
    Ok(run)
}

/// Signs the profile out of GitHub: its token leaves the OS keyring.
#[tauri::command]
#[specta::specta]
pub async fn delete_github_token(state: State<'_, AppState>) -> Res<()> {
    let me = state.actor().await?;
    Ok(github::logout(&state.store, &state.secrets, &me).await?)
}

/// What the window shows for the device flow: the code to enter and where.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct DeviceCodeView {
    pub user_code: String,
    pub verification_uri: String,
    pub expires_in: u32,
}

/// Starts the OAuth device flow (needs `github_client_id`): the code to show. Then
/// `github_device_wait` waits for the user to enter it on GitHub.
#[tauri::command]
#[specta::specta]
pub async fn github_device_start(state: State<'_, AppState>) -> Res<DeviceCodeView> {
    let (flow, code) = github::device_start(&state.store).await?;
    let view = DeviceCodeView {
        user_code: code.user_code.clone(),
        verification_uri: code.verification_uri.clone(),
        expires_in: u32::try_from(code.expires_in).unwrap_or(u32::MAX),
    };
    *state.device.lock().unwrap_or_else(|e| e.into_inner()) = Some((flow, code));
    Ok(view)
}

/// Waits until the device code was entered (or refused, or expired), then signs the profile
/// in with the token GitHub gave.
#[tauri::command]
#[specta::specta]
pub async fn github_device_wait(state: State<'_, AppState>) -> Res<SignIn> {
    let me = state.actor().await?;
    let pending = state.device.lock().unwrap_or_else(|e| e.into_inner()).take();
    let (flow, code) = pending.ok_or_else(|| {
        ErrorView::from(Error::invalid("device", "start the device sign-in first"))
    })?;
    let token = flow.wait_for_token(&code).await.map_err(github::error)?;
    Ok(codemyspec_core::sync::sign_in(&state.store, &state.secrets, &me, Secret::new(token))
        .await?)
}

/// The profile's GitHub sign-in: login, host, scopes, rate budget (asks GitHub).
#[tauri::command]
#[specta::specta]
pub async fn github_status(state: State<'_, AppState>) -> Res<SignIn> {
    let me = state.actor().await?;
    Ok(github::status(&state.store, &state.secrets, &me).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_queue_paused(state: State<'_, AppState>, paused: bool) -> Res<Queue> {
    let queue = jobs::set_paused(&state.store, codemyspec_core::pipeline::QUEUE, paused).await?;
    state.refresh_tray();
    Ok(queue)
}

#[tauri::command]
#[specta::specta]
pub async fn set_queue_concurrency(state: State<'_, AppState>, concurrency: u32) -> Res<Queue> {
    Ok(jobs::set_concurrency(
        &state.store,
        codemyspec_core::pipeline::QUEUE,
        i64::from(concurrency),
    )
    .await?)
}
