//! What the commands share: the store, the broadcaster, the keyring, and this process's
//! background work (the core's runner, heartbeats and docs watcher).

use codemyspec_core::background::{self, Background};
use codemyspec_core::events::Broadcaster;
use codemyspec_core::pipeline::PipelineConfig;
use codemyspec_core::secrets::SecretStore;
use codemyspec_core::{accounts, AccountId, ErrorView, Store};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What the app itself does on a command's behalf (its handle is generic over the runtime,
/// the commands are not): quitting, and the OS's login start.
pub trait Shell: Send + Sync {
    /// Quits as the tray's Quit does.
    fn quit(&self);
    /// Makes the OS start the app at login, or not.
    fn start_at_login(&self, on: bool) -> Result<(), codemyspec_core::Error>;
}

/// Before the app is set up: nothing to quit, no login start to change.
struct NoShell;

impl Shell for NoShell {
    fn quit(&self) {}
    fn start_at_login(&self, _: bool) -> Result<(), codemyspec_core::Error> {
        Err(codemyspec_core::Error::Unavailable { message: "the app is not set up yet".into() })
    }
}

/// What the commands share.
pub struct AppState {
    pub store: Store,
    pub events: Broadcaster,
    pub secrets: Arc<dyn SecretStore>,
    pub pipeline: Arc<PipelineConfig>,
    /// This process's background work, while it holds the data dir's runner lock.
    background: Mutex<Option<Background>>,
    runs_jobs: AtomicBool,
    /// The runner's start at launch, which goes on beside the first paint (lib.rs).
    runner_start: Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
    /// Whether no runner start is under way (then `runs_jobs` says what the last one found).
    runner_settled: tokio::sync::watch::Sender<bool>,
    /// Executing setups, as the tray last counted them (decides what closing the window does).
    pub running_setups: AtomicUsize,
    tray: Mutex<Option<tokio::sync::mpsc::UnboundedSender<()>>>,
    /// A device-flow sign-in waiting for its code to be entered.
    pub device: Mutex<Option<(codemyspec_github::DeviceFlow, codemyspec_github::DeviceCode)>>,
    shell: std::sync::OnceLock<Arc<dyn Shell>>,
}

impl AppState {
    pub fn new(store: Store, secrets: Arc<dyn SecretStore>) -> Self {
        AppState {
            pipeline: Arc::new(PipelineConfig::new(secrets.clone())),
            store,
            events: Broadcaster::new(),
            secrets,
            background: Mutex::new(None),
            runs_jobs: AtomicBool::new(false),
            runner_start: Mutex::new(None),
            runner_settled: tokio::sync::watch::Sender::new(true),
            running_setups: AtomicUsize::new(0),
            tray: Mutex::new(None),
            device: Mutex::new(None),
            shell: std::sync::OnceLock::new(),
        }
    }

    /// Set once, when the app is set up.
    pub fn set_shell(&self, shell: Arc<dyn Shell>) {
        let _ = self.shell.set(shell);
    }

    pub fn shell(&self) -> Arc<dyn Shell> {
        self.shell.get().cloned().unwrap_or_else(|| Arc::new(NoShell))
    }

    /// The acting profile's id (the last one used, or the only one).
    pub async fn actor(&self) -> Result<AccountId, ErrorView> {
        Ok(accounts::current(&self.store, None).await?.id)
    }

    pub fn runs_jobs(&self) -> bool {
        self.runs_jobs.load(Ordering::SeqCst)
    }

    /// [`Self::runs_jobs`] once the launch's runner start is over (what the window shows must
    /// not depend on whether it asked a few milliseconds too early); at once when no start is
    /// under way (none was begun, as in the shell's tests, or it is over).
    pub async fn runs_jobs_settled(&self) -> bool {
        let mut settled = self.runner_settled.subscribe();
        let _ = settled.wait_for(|done| *done).await;
        self.runs_jobs()
    }

    /// The launch's runner start, running in the background; [`Self::stop_runner`] waits
    /// for it before stopping what it started.
    pub(crate) fn set_runner_start(&self, start: tauri::async_runtime::JoinHandle<()>) {
        *self.runner_start.lock().unwrap_or_else(|e| e.into_inner()) = Some(start);
    }

    /// The launch's runner start begins: [`Self::runs_jobs_settled`] waits for it.
    pub(crate) fn runner_starting(&self) {
        self.runner_settled.send_replace(false);
    }

    /// The launch's runner start is over, whatever it found.
    pub(crate) fn runner_settled(&self) {
        self.runner_settled.send_replace(true);
    }

    /// Starts this process's job runner; `false` when another process already runs the
    /// data dir's jobs (this one then only watches).
    pub async fn start_runner(&self) -> Result<bool, codemyspec_core::Error> {
        match background::start(&self.store, &self.events, self.pipeline.clone()).await {
            Ok(work) => {
                *self.background.lock().unwrap_or_else(|e| e.into_inner()) = Some(work);
                self.runs_jobs.store(true, Ordering::SeqCst);
                Ok(true)
            }
            Err(codemyspec_core::Error::Unavailable { message }) => {
                tracing::info!("{message}");
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Stops the background work: running steps are interrupted and go back to the queue.
    pub async fn stop_runner(&self) {
        let start = self.runner_start.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(start) = start {
            let _ = start.await;
        }
        let work = self.background.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(work) = work {
            work.stop().await;
        }
    }

    pub(crate) fn set_tray_refresher(&self, tx: tokio::sync::mpsc::UnboundedSender<()>) {
        *self.tray.lock().unwrap_or_else(|e| e.into_inner()) = Some(tx);
    }

    /// Whether the tray icon was made (it is made just after the window: `run`).
    pub fn has_tray(&self) -> bool {
        self.tray.lock().unwrap_or_else(|e| e.into_inner()).is_some()
    }

    /// Asks the tray to recount running setups (no-op without a tray).
    pub fn refresh_tray(&self) {
        if let Some(tx) = self.tray.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            let _ = tx.send(());
        }
    }
}
