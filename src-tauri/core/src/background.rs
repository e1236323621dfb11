//! The background work of the process that holds a data dir: the job runner with every
//! worker (setups, heartbeats, docs syncs), the heartbeats of the signed-in profiles, and the
//! docs watcher that turns edits into debounced docs syncs. The desktop app and `codemyspec
//! worker` start it here, so both run the same work at the same interval.

use crate::error::Result;
use crate::events::Broadcaster;
use crate::pipeline::{self, PipelineConfig};
use crate::runner::{Runner, RunnerConfig, RunnerHandle};
use crate::store::Store;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// The shortest pause between two full docs syncs of every project, whatever the setting.
const MIN_WATCH_SECS: i64 = 30;

/// What [`start`] started; [`Background::stop`] ends all of it.
pub struct Background {
    runner: RunnerHandle,
    watching: CancellationToken,
    watcher: tokio::task::JoinHandle<()>,
}

/// Takes the data dir's runner lock and starts the work. Fails with `unavailable` when
/// another process already runs this data dir's jobs (that process does the work then).
pub async fn start(
    store: &Store,
    events: &Broadcaster,
    config: Arc<PipelineConfig>,
) -> Result<Background> {
    let runner =
        pipeline::register_workers(Runner::new(store, events, RunnerConfig::default()), config)
            .start()
            .await?;
    let rest = async {
        crate::sync::schedule_heartbeats(store).await?;
        // The docs watcher follows the heartbeat's interval: others' edits come in as often.
        crate::sync::interval(store).await.map(|secs| secs.max(MIN_WATCH_SECS) as u64)
    };
    let interval = match rest.await {
        Ok(interval) => interval,
        Err(e) => {
            runner.stop().await;
            return Err(e);
        }
    };
    let watching = CancellationToken::new();
    let watcher = tokio::spawn(crate::docs_sync::watch(store.clone(), interval, watching.clone()));
    Ok(Background { runner, watching, watcher })
}

impl Background {
    /// Stops the watcher and the runner: running steps are stopped and their jobs go back to
    /// the queue for the next start.
    pub async fn stop(self) {
        self.watching.cancel();
        let _ = self.watcher.await;
        self.runner.stop().await;
    }
}
