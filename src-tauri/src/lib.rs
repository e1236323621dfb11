//! CodeMySpec Desktop's shell: the Tauri window over `codemyspec-core`. It owns the window,
//! the tray, notifications, the typed commands and events (tauri-specta) and the app state;
//! it never writes SQL. See `docs/ARCHITECTURE.md`.

#[cfg(feature = "bench")]
mod bench;
mod command_names;
mod commands;
mod events;
mod notify;
mod rendering;
mod tray;

pub use command_names::COMMANDS;

use codemyspec_core::events::Broadcaster;
use codemyspec_core::pipeline::{self, PipelineConfig};
use codemyspec_core::runner::{Runner, RunnerConfig, RunnerHandle};
use codemyspec_core::secrets::{Keyring, SecretStore};
use codemyspec_core::{accounts, store, ErrorView, Store};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, Manager, RunEvent, Runtime, WindowEvent};

/// What the commands share.
pub struct AppState {
    pub store: Store,
    pub events: Broadcaster,
    pub secrets: Arc<dyn SecretStore>,
    pub pipeline: Arc<PipelineConfig>,
    runner: Mutex<Option<RunnerHandle>>,
    runs_jobs: AtomicBool,
    /// Executing setups, as the tray last counted them (decides what closing the window does).
    pub running_setups: AtomicUsize,
    tray: Mutex<Option<tokio::sync::mpsc::UnboundedSender<()>>>,
    /// A device-flow sign-in waiting for its code to be entered.
    pub device: Mutex<Option<(codemyspec_github::DeviceFlow, codemyspec_github::DeviceCode)>>,
    /// Stops the docs-sync watcher this process runs with its runner.
    docs_watch: Mutex<Option<tokio_util::sync::CancellationToken>>,
}

impl AppState {
    pub fn new(store: Store, secrets: Arc<dyn SecretStore>) -> Self {
        AppState {
            pipeline: Arc::new(PipelineConfig::new(secrets.clone())),
            store,
            events: Broadcaster::new(),
            secrets,
            runner: Mutex::new(None),
            runs_jobs: AtomicBool::new(false),
            running_setups: AtomicUsize::new(0),
            tray: Mutex::new(None),
            device: Mutex::new(None),
            docs_watch: Mutex::new(None),
        }
    }

    /// The acting profile's id (the last one used, or the only one).
    pub async fn actor(&self) -> Result<String, ErrorView> {
        Ok(accounts::current(&self.store, None).await?.id)
    }

    pub fn runs_jobs(&self) -> bool {
        self.runs_jobs.load(Ordering::SeqCst)
    }

    /// Starts this process's job runner; `false` when another process already runs the
    /// data dir's jobs (this one then only watches).
    pub async fn start_runner(&self) -> Result<bool, codemyspec_core::Error> {
        let runner = Runner::new(&self.store, &self.events, RunnerConfig::default());
        let started = pipeline::register_workers(runner, self.pipeline.clone()).start().await;
        match started {
            Ok(handle) => {
                *self.runner.lock().unwrap_or_else(|e| e.into_inner()) = Some(handle);
                self.runs_jobs.store(true, Ordering::SeqCst);
                codemyspec_core::sync::schedule_heartbeats(&self.store).await?;
                // Edits reach the docs repository from here (debounced), and others' come in.
                let interval = codemyspec_core::sync::interval(&self.store).await?.max(30) as u64;
                let stop = tokio_util::sync::CancellationToken::new();
                tauri::async_runtime::spawn(codemyspec_core::docs_sync::watch(
                    self.store.clone(),
                    interval,
                    stop.clone(),
                ));
                *self.docs_watch.lock().unwrap_or_else(|e| e.into_inner()) = Some(stop);
                Ok(true)
            }
            Err(codemyspec_core::Error::Unavailable { message }) => {
                tracing::info!("{message}");
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Stops the runner: running steps are interrupted and go back to the queue.
    pub async fn stop_runner(&self) {
        if let Some(stop) = self.docs_watch.lock().unwrap_or_else(|e| e.into_inner()).take() {
            stop.cancel();
        }
        let handle = self.runner.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(handle) = handle {
            handle.stop().await;
        }
    }

    fn set_tray_refresher(&self, tx: tokio::sync::mpsc::UnboundedSender<()>) {
        *self.tray.lock().unwrap_or_else(|e| e.into_inner()) = Some(tx);
    }

    /// Asks the tray to recount running setups (no-op without a tray).
    pub fn refresh_tray(&self) {
        if let Some(tx) = self.tray.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            let _ = tx.send(());
        }
    }
}

/// Every command and event the window may use; `ui/src/bindings.ts` is generated from this.
pub fn specta_builder<R: Runtime>() -> tauri_specta::Builder<R> {
    use commands::{
        components as c, docs as d, jobs as j, profile as p, projects as pr, spec as s,
    };
    tauri_specta::Builder::<R>::new()
        .commands(tauri_specta::collect_commands![
            p::profile_state,
            p::create_profile,
            p::sign_in,
            p::update_profile,
            p::app_settings,
            p::set_setting,
            p::set_github_token,
            p::delete_github_token,
            p::github_status,
            p::github_device_start,
            p::github_device_wait,
            p::sync_status,
            p::sync_now,
            p::open_log_folder,
            p::log_ui_error,
            d::docs_status,
            d::docs_sync_now,
            d::docs_conflicts,
            d::docs_resolve,
            p::set_queue_paused,
            p::set_queue_concurrency,
            pr::list_projects,
            pr::get_project,
            pr::create_project,
            pr::open_url,
            pr::open_project_folder,
            pr::update_project,
            pr::delete_project,
            pr::allowed_transitions,
            pr::transition_project,
            pr::stage_history,
            pr::list_members,
            pr::add_member,
            pr::remove_member,
            j::setup_project,
            j::cancel_setup,
            j::retry_setup,
            j::project_setup,
            j::preflight,
            j::job_counts,
            j::list_jobs,
            j::job_detail,
            j::cancel_job,
            j::retry_job,
            j::follow_job_log,
            s::list_stories,
            s::get_story,
            s::create_story,
            s::update_story,
            s::approve_story,
            s::set_story_dirty,
            s::delete_story,
            s::list_contexts,
            s::create_context,
            s::update_context,
            s::approve_context,
            s::clear_context_dirty,
            s::delete_context,
            s::link_story,
            s::unlink_story,
            s::context_stories,
            c::list_components,
            c::create_component,
            c::update_component,
            c::set_component_status,
            c::clear_component_dirty,
            c::delete_component,
            c::add_dependency,
            c::remove_dependency,
            c::dependency_graph,
            c::get_design_doc,
            c::save_design_doc,
            c::approve_design_doc,
            c::list_sessions,
            c::create_session,
            c::update_session_status,
        ])
        .events(tauri_specta::collect_events![
            events::ProjectUpdated,
            events::ProjectError,
            events::JobChanged,
            events::OpenProject,
            events::Resync,
            events::SpecChanged
        ])
}

/// Grants the main window exactly the app's commands (and event listening), nothing else.
fn grant_commands<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let mut capability = tauri::ipc::CapabilityBuilder::new("main-window")
        .window("main")
        .permission("core:event:default");
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

/// SIGTERM (a logout, `kill`), SIGINT and SIGHUP quit the app as the tray's Quit does: the
/// runner stops the running step's process group and records the attempt as interrupted
/// (it does not count), then the app exits.
fn quit_on_signals<R: Runtime>(app: AppHandle<R>) {
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

pub fn run() {
    rendering::choose();
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
    let opened = data_dir(std::env::args().skip(1))
        .and_then(|dir| tauri::async_runtime::block_on(Store::open(&dir)));
    let store = match opened {
        Ok(store) => store,
        Err(err) => {
            eprintln!("codemyspec: cannot open the database: {err}");
            std::process::exit(1);
        }
    };
    let app = tauri::Builder::default()
        // A second launch focuses the first window instead of starting another app.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| show_main(app)))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .manage(AppState::new(store, Arc::new(Keyring)))
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
            builder.mount_events(app);
            grant_commands(app.handle())?;
            let state = app.state::<AppState>();
            let runs = tauri::async_runtime::block_on(state.start_runner())?;
            tray::build(app.handle())?;
            events::spawn_bridge(app.handle().clone());
            events::spawn_spec_watch(app.handle().clone());
            if !runs {
                events::spawn_poller(app.handle().clone());
            }
            state.refresh_tray();
            quit_on_signals(app.handle().clone());
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window while setups run keeps the app in the tray.
            if let WindowEvent::CloseRequested { api, .. } = event {
                let state = window.state::<AppState>();
                if state.running_setups.load(Ordering::SeqCst) > 0 {
                    api.prevent_close();
                    let _ = window.hide();
                }
            }
        })
        .build(tauri::generate_context!())
        .expect("error while building tauri application");
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
