//! The main window: what it may call, bringing it back, and quitting on a signal.

use crate::command_names::COMMANDS;
use tauri::{AppHandle, Manager, Runtime};

/// Grants the main window exactly the app's commands (and event listening), nothing else.
pub(crate) fn grant_commands<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let mut capability = tauri::ipc::CapabilityBuilder::new("main-window")
        .window("main")
        .permission("core:event:default")
        // The workspace folder's Browse button opens the native folder chooser; nothing else
        // of the dialog plugin (no save dialog, no message boxes) is granted.
        .permission("dialog:allow-open");
    #[cfg(feature = "bench")]
    {
        capability = capability.permission("allow-emit-test-events");
    }
    for command in COMMANDS {
        capability = capability.permission(format!("allow-{}", command.replace('_', "-")));
    }
    app.add_capability(capability)
}

/// Brings the main window to the front (tray, notification, second launch), making it
/// again if it was closed while the app stayed in the tray.
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    let window = match app.get_webview_window("main") {
        Some(window) => Some(window),
        None => app
            .config()
            .app
            .windows
            .iter()
            .find(|w| w.label == "main")
            .and_then(|config| tauri::WebviewWindowBuilder::from_config(app, config).ok())
            .and_then(|builder| builder.build().ok()),
    };
    if let Some(window) = window {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// SIGTERM (a logout, `kill`), SIGINT and SIGHUP quit the app as the tray's Quit does: the
/// runner stops the running step's process group and records the attempt as interrupted
/// (it does not count), then the app exits.
pub(crate) fn quit_on_signals<R: Runtime>(app: AppHandle<R>) {
    #[cfg(unix)]
    tauri::async_runtime::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
            signal(SignalKind::hangup()),
        ) else {
            return;
        };
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
            _ = hup.recv() => "SIGHUP",
        };
        tracing::info!("{name}: quitting");
        app.exit(0);
    });
    #[cfg(not(unix))]
    let _ = app;
}
