//! CodeMySpec Desktop's shell: the Tauri window over `codemyspec-core`. It owns the window,
//! the tray, notifications, the typed commands and events (tauri-specta) and the app state;
//! it never writes SQL. See `docs/ARCHITECTURE.md`.

mod background;
#[cfg(feature = "bench")]
mod bench;
#[macro_use]
mod command_names;
mod commands;
mod events;
mod notify;
mod rendering;
mod script_engine;
mod state;
mod tray;
mod window;

pub use command_names::COMMANDS;
pub use state::AppState;
pub use window::show_main;
use window::{grant_commands, quit_on_signals};

use codemyspec_core::secrets::Keyring;
use codemyspec_core::{store, Store};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tauri::{Manager, RunEvent, Runtime, WindowEvent};

/// The specta builder's command list, from the one table in `command_names.rs`.
macro_rules! collect_app_commands {
    ($($module:ident :: $command:ident),* $(,)?) => {
        tauri_specta::collect_commands![$(commands::$module::$command),*]
    };
}

/// The first line of `ui/src/bindings.ts`.
pub const BINDINGS_HEADER: &str =
    "// Generated from the Rust commands by `make bindings`. Do not edit.";

/// Writes the window's TypeScript bindings to `path` (`make bindings` writes
/// `ui/src/bindings.ts`; a test and `make check-bindings` compare a fresh copy with it).
pub fn write_bindings(path: &std::path::Path) -> Result<(), String> {
    let exporter = specta_typescript::Typescript::default().header(BINDINGS_HEADER);
    specta_builder::<tauri::Wry>().export(exporter, path).map_err(|e| e.to_string())
}

/// Every command and event the window may use; `ui/src/bindings.ts` is generated from this.
pub fn specta_builder<R: Runtime>() -> tauri_specta::Builder<R> {
    tauri_specta::Builder::<R>::new().commands(app_commands!(collect_app_commands)).events(
        tauri_specta::collect_events![
            events::ProjectUpdated,
            events::ProjectError,
            events::JobChanged,
            events::OpenProject,
            events::ProjectRemoved,
            events::Resync,
            events::SpecChanged
        ],
    )
}

/// The data dir: `--data-dir DIR` (or `--data-dir=DIR`), else `CODEMYSPEC_DATA_DIR`, else the
/// OS app-data dir — the same rule as the CLI's, so both open one database.
fn data_dir(args: impl IntoIterator<Item = String>) -> Result<PathBuf, codemyspec_core::Error> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let value = if arg == "--data-dir" {
            args.next()
        } else {
            arg.strip_prefix("--data-dir=").map(str::to_owned)
        };
        match value {
            Some(dir) if !dir.trim().is_empty() => return Ok(PathBuf::from(dir)),
            Some(_) | None if arg.starts_with("--data-dir") => {
                return Err(codemyspec_core::Error::invalid(
                    "data-dir",
                    "--data-dir needs a folder",
                ))
            }
            _ => {}
        }
    }
    store::default_data_dir()
}

/// The store opened at the start, or the process ends saying why.
fn opened(
    opening: tauri::async_runtime::JoinHandle<Result<Store, codemyspec_core::Error>>,
) -> Store {
    let err = match tauri::async_runtime::block_on(opening) {
        Ok(Ok(store)) => return store,
        Ok(Err(err)) => err.to_string(),
        Err(err) => err.to_string(),
    };
    eprintln!("codemyspec: cannot open the database: {err}");
    std::process::exit(1);
}

pub fn run() {
    let started = std::time::Instant::now();
    rendering::choose();
    script_engine::choose();
    // What happens goes to a daily file in the OS log folder (Settings shows where).
    let _log = match codemyspec_logging::log_dir().map(|dir| codemyspec_logging::to_files(&dir)) {
        Some(Ok(guard)) => Some(guard),
        Some(Err(e)) => {
            eprintln!("codemyspec: no log file: {e}");
            None
        }
        None => None,
    };
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "CodeMySpec starts");
    let builder = specta_builder::<tauri::Wry>();
    let dir = data_dir(std::env::args().skip(1));
    // A login start must open the same data dir: given when it is not the default.
    let login_dir = match (&dir, store::default_data_dir()) {
        (Ok(dir), Ok(default)) if *dir != default => Some(dir.clone()),
        _ => None,
    };
    let in_tray = std::env::args().any(|a| a == background::IN_TRAY);
    // The database opens beside the window's making (it took ~10 ms of the main thread before
    // it in a release build); `setup` waits for it.
    let opening = tauri::async_runtime::spawn(async move {
        let store = Store::open(&dir?).await?;
        tracing::info!(ms = started.elapsed().as_millis() as u64, "database open");
        Ok(store)
    });
    let app = tauri::Builder::default()
        // A second launch focuses the first window instead of starting another app.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| show_main(app)))
        // Size and position are kept, not whether the window was shown: a window closed to
        // the tray must come back at the next start.
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(
                    tauri_plugin_window_state::StateFlags::all()
                        - tauri_plugin_window_state::StateFlags::VISIBLE,
                )
                .build(),
        )
        .plugin(background::autostart_plugin(login_dir.as_deref()))
        // The native folder chooser beside the workspace folder field.
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler({
            let typed = builder.invoke_handler();
            #[cfg(feature = "bench")]
            let typed = {
                // Benchmark builds also answer the event flood.
                let flood = |invoke: tauri::ipc::Invoke| -> bool {
                    let handle: fn(tauri::ipc::Invoke) -> bool =
                        tauri::generate_handler![bench::emit_test_events];
                    handle(invoke)
                };
                move |invoke: tauri::ipc::Invoke| {
                    if invoke.message.command() == "emit_test_events" {
                        flood(invoke)
                    } else {
                        typed(invoke)
                    }
                }
            };
            typed
        })
        .setup(move |app| {
            tracing::info!(ms = started.elapsed().as_millis() as u64, "start phase: setup");
            app.manage(AppState::new(opened(opening), Arc::new(Keyring)));
            builder.mount_events(app);
            grant_commands(app.handle())?;
            tracing::info!(
                ms = started.elapsed().as_millis() as u64,
                "start phase: commands granted"
            );
            let state = app.state::<AppState>();
            // The runner starts beside the first paint, not before it: its start (the lock,
            // rescuing orphans, settling, pruning) took ~300 ms of the main thread in a debug
            // build, and the webview navigates only once this closure returns.
            state.runner_starting();
            let start = tauri::async_runtime::spawn({
                let app = app.handle().clone();
                async move {
                    let state = app.state::<AppState>();
                    let runs = state.start_runner().await.unwrap_or_else(|e| {
                        // The poller below tries again every few seconds and says why.
                        tracing::error!("cannot start the job runner: {e}");
                        false
                    });
                    state.runner_settled();
                    tracing::info!(
                        ms = started.elapsed().as_millis() as u64,
                        "start phase: runner"
                    );
                    if !runs {
                        events::spawn_poller(app.clone());
                    }
                    state.refresh_tray();
                }
            });
            state.set_runner_start(start);
            // The tray after `setup` returns, on the main thread's next turn: its build (the
            // menu and the indicator's D-Bus registration) took ~6 ms of the main thread
            // before the page could navigate; now it runs while WebKit starts its web process.
            let handle = app.handle().clone();
            app.handle().run_on_main_thread(move || {
                if let Err(e) = tray::build(&handle) {
                    tracing::error!("cannot make the tray icon: {e}");
                    // Started at login in the tray, the window waits for the tray's Open: with
                    // no tray, it is shown instead of leaving the app running unseen.
                    show_main(&handle);
                }
                handle.state::<AppState>().refresh_tray();
                tracing::info!(ms = started.elapsed().as_millis() as u64, "start phase: tray");
            })?;
            events::spawn_bridge(app.handle().clone());
            events::spawn_spec_watch(app.handle().clone());
            quit_on_signals(app.handle().clone());
            state.set_shell(Arc::new(background::AppShell(app.handle().clone())));
            background::spawn_notices(app.handle().clone());
            background::sync_start_at_login(app.handle());
            background::resolve_tools(app.handle());
            if in_tray {
                // Started at login: the work goes on; the window waits for the tray's Open.
                if let Some(window) = app.get_webview_window("main") {
                    let _ = window.hide();
                }
            }
            tracing::info!(
                ms = started.elapsed().as_millis() as u64,
                "set up: runner, events (the tray comes next)"
            );
            Ok(())
        })
        // When the page starts and finishes loading, against the process start: what comes
        // before the first paint (docs/BENCHMARKS.md, "Start").
        .on_page_load(move |_webview, payload| {
            let phase = match payload.event() {
                tauri::webview::PageLoadEvent::Started => "start phase: page load started",
                tauri::webview::PageLoadEvent::Finished => "start phase: page load finished",
            };
            tracing::info!(ms = started.elapsed().as_millis() as u64, "{phase}");
        })
        .on_window_event(|window, event| {
            // Closing the window keeps the app in the tray (keep_in_tray, or setups running).
            if let WindowEvent::CloseRequested { api, .. } = event {
                api.prevent_close();
                background::close_requested(window);
            }
        })
        .build(tauri::generate_context!())
        .expect("error while building tauri application");
    tracing::info!(
        ms = started.elapsed().as_millis() as u64,
        "start phase: built, event loop next"
    );
    app.run(|app, event| {
        // The last window went away (not a Quit from the tray): while setups run, stay in the
        // tray; the tray's Open makes the window again.
        if let RunEvent::ExitRequested { code: None, api, .. } = &event {
            if app.state::<AppState>().running_setups.load(Ordering::SeqCst) > 0 {
                api.prevent_exit();
            }
        }
        if let RunEvent::Exit = event {
            let state = app.state::<AppState>();
            tauri::async_runtime::block_on(async {
                state.stop_runner().await;
                // Every write is committed by now; closing the pool can wait forever on a
                // connection a background task still holds, so it gets a few seconds.
                let close = state.store.close();
                if tokio::time::timeout(std::time::Duration::from_secs(3), close).await.is_err() {
                    tracing::warn!("the database pool did not close in 3 s; exiting anyway");
                }
            });
        }
    });
}

#[cfg(test)]
mod tests;
