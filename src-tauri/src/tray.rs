//! The tray icon: open the window, how many setups run, pause or resume the setup queue, quit.
//! It stays when the window is closed while setups run.

use crate::AppState;
use codemyspec_core::jobs;
use codemyspec_core::pipeline;
use std::sync::atomic::Ordering;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};

pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open CodeMySpec", true, None::<&str>)?;
    let running = MenuItem::with_id(app, "running", "No setups running", false, None::<&str>)?;
    let pause = MenuItem::with_id(app, "pause", "Pause setups", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &open,
            &PredefinedMenuItem::separator(app)?,
            &running,
            &pause,
            &PredefinedMenuItem::separator(app)?,
            &quit,
        ],
    )?;
    let mut tray = TrayIconBuilder::with_id("main")
        .menu(&menu)
        .tooltip("CodeMySpec")
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => crate::show_main(app),
            "pause" => {
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    let state = app.state::<AppState>();
                    if let Ok(q) = jobs::queue(&state.store, pipeline::QUEUE).await {
                        let _ = jobs::set_paused(&state.store, pipeline::QUEUE, !q.paused).await;
                    }
                    state.refresh_tray();
                });
            }
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;

    // Refresh the labels whenever the state asks for it.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    app.state::<AppState>().set_tray_refresher(tx);
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        while rx.recv().await.is_some() {
            while rx.try_recv().is_ok() {} // coalesce a burst into one refresh
            let state = app.state::<AppState>();
            // Setups only: a heartbeat or a docs sync running is no reason to stay open.
            let executing = jobs::executing(&state.store, pipeline::QUEUE).await.unwrap_or(0);
            state.running_setups.store(executing.max(0) as usize, Ordering::SeqCst);
            let paused =
                jobs::queue(&state.store, pipeline::QUEUE).await.map(|q| q.paused).unwrap_or(false);
            let label = match executing {
                0 => "No setups running".to_owned(),
                1 => "1 setup running".to_owned(),
                n => format!("{n} setups running"),
            };
            let _ = running.set_text(label);
            let _ = pause.set_text(if paused { "Resume setups" } else { "Pause setups" });
        }
    });
    Ok(())
}
