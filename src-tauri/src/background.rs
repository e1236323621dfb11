//! Keeping the work going when the window closes: closing hides the window while the queue,
//! the heartbeat and the docs sync go on (`keep_in_tray`, default on; the first time says so
//! in a notification); starting at login in the tray (`start_at_login`, through the autostart
//! plugin); the notices of a sync — whichever process ran it — shown while the app runs.

use crate::{notify, AppState};
use codemyspec_core::notices::{self, Claimer};
use codemyspec_core::settings::{self, Setting};
use codemyspec_core::Error;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime, Window};
use tauri_plugin_autostart::ManagerExt;

/// The argument a login start passes: the app starts in the tray, without its window.
pub const IN_TRAY: &str = "--in-tray";

/// The one-time notice of the first close to the tray.
const FIRST_CLOSE: &str = "closed_to_tray";

/// The window's close button: with `keep_in_tray` (or while setups run) the window hides and
/// the app goes on in the tray; otherwise the window goes and, with it, the app (as before).
/// The close is always held first: the setting is read from the database, which the CLI may
/// have changed since.
pub fn close_requested<R: Runtime>(window: &Window<R>) {
    let window = window.clone();
    tauri::async_runtime::spawn(async move {
        let app = window.app_handle().clone();
        let state = app.state::<AppState>();
        let keep = settings::flag(&state.store, Setting::KeepInTray).await.unwrap_or(true);
        // Without a tray icon (it could not be made: logged at the start) a hidden window
        // could be opened again only by launching the app, so the window closes.
        let to_tray = keep || state.running_setups.load(Ordering::SeqCst) > 0;
        if to_tray && state.has_tray() {
            let _ = window.hide();
            tracing::info!("window closed: the app keeps running in the tray");
            if keep && settings::first_time(&state.store, FIRST_CLOSE).await.unwrap_or(false) {
                let quit_key = if cfg!(target_os = "macos") { "Cmd+Q" } else { "Ctrl+Q" };
                notify::plain(
                    &app,
                    "CodeMySpec is still running".into(),
                    format!(
                        "The setup queue, the GitHub heartbeat and the docs sync go on in the \
                         background. Open or quit it from the tray icon, or quit with {quit_key}."
                    ),
                );
            }
        } else {
            let _ = window.destroy();
        }
    });
}

/// The autostart plugin, with the arguments a login start gets: in the tray, on this data
/// dir when it was given (the login session does not have this session's variables).
/// Its JavaScript commands are not granted to the window: the window changes the login
/// start through `set_setting`, so the setting and the OS agree.
pub fn autostart_plugin<R: Runtime>(
    data_dir: Option<&std::path::Path>,
) -> tauri::plugin::TauriPlugin<R> {
    let mut args = vec![IN_TRAY.to_owned()];
    if let Some(dir) = data_dir {
        args.push(format!("--data-dir={}", dir.display()));
    }
    tauri_plugin_autostart::Builder::new().args(args).build()
}

/// Makes the OS's login start (Linux: `~/.config/autostart/CodeMySpec.desktop`) say what
/// `on` says.
pub fn apply_start_at_login<R: Runtime>(app: &AppHandle<R>, on: bool) -> Result<(), Error> {
    let launch = app.autolaunch();
    let now = launch.is_enabled().unwrap_or(false);
    let done = match (on, now) {
        (true, false) => launch.enable(),
        (false, true) => launch.disable(),
        _ => Ok(()),
    };
    done.map_err(|e| Error::Unavailable {
        message: format!("cannot change the start at login: {e}"),
    })
}

/// The app's [`crate::state::Shell`]: quit and the login start, through its handle.
pub struct AppShell<R: Runtime>(pub AppHandle<R>);

impl<R: Runtime> crate::state::Shell for AppShell<R> {
    fn quit(&self) {
        self.0.exit(0);
    }
    fn start_at_login(&self, on: bool) -> Result<(), Error> {
        apply_start_at_login(&self.0, on)
    }
}

/// At start: the OS's login start follows the setting (the CLI may have changed it).
pub fn sync_start_at_login<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        match settings::flag(&state.store, Setting::StartAtLogin).await {
            Ok(on) => {
                if let Err(e) = apply_start_at_login(&app, on) {
                    tracing::warn!("{e}");
                }
            }
            Err(e) => tracing::warn!("cannot read start_at_login: {e}"),
        }
    });
}

/// Shows the notices this window's profile is owed, whichever process ran the sync that
/// recorded them (this one or a `codemyspec worker`); a worker running beside it may claim
/// some first and show them itself. One that cannot be shown goes back for another process.
pub fn spawn_notices<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        loop {
            let mut wait = Duration::from_secs(2);
            let state = app.state::<AppState>();
            if let Ok(profile) = state.actor().await {
                match notices::claim(&state.store, Claimer::App { profile: &profile }).await {
                    Ok(claimed) => {
                        for notice in claimed {
                            if let Err(e) = notify::notice(&app, &notice).await {
                                tracing::warn!("cannot show a notification: {e}");
                                let _ = notices::release(&state.store, notice.id).await;
                                wait = Duration::from_secs(60);
                                break;
                            }
                        }
                    }
                    Err(e) => tracing::warn!("cannot read notices: {e}"),
                }
            }
            tokio::time::sleep(wait).await;
        }
    });
}

/// At start, in the background (a slow login shell must not hold the window up): where
/// steps find mix — `tools_path`, `PATH`, or the login shell's `PATH` when mix is not on it.
pub fn resolve_tools<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        match state.pipeline.resolve_tools(&state.store).await {
            Ok(path) => match path.find("mix") {
                Some((at, source)) => tracing::info!("mix: {} (from {source})", at.display()),
                None => tracing::info!("mix is not installed, or not where the app looks"),
            },
            Err(e) => tracing::warn!("cannot read tools_path: {e}"),
        }
    });
}
