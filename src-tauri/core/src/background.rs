//! The background work of the process that holds a data dir: the job runner with every
//! worker (setups, heartbeats, docs syncs), the heartbeats of the signed-in profiles, and the
//! docs watcher that turns edits into debounced docs syncs, and the look at GitHub's events
//! feed every minute (issue 21: a push shows within a minute, at no rate cost while nothing
//! happens). The desktop app and `codemyspec worker` start it here, so both run the same work
//! at the same interval.

use crate::error::Result;
use crate::events::Broadcaster;
use crate::pipeline::{self, PipelineConfig};
use crate::runner::{Runner, RunnerConfig, RunnerHandle};
use crate::store::Store;
use crate::AccountId;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// The shortest pause between two full docs syncs of every project, whatever the setting.
const MIN_WATCH_SECS: i64 = 30;

/// How often the events feed of each signed-in profile is looked at. GitHub asks for 60 s
/// (`X-Poll-Interval`); a look before the interval it last gave has passed asks nothing
/// ([`crate::activity::poll`]), and an unchanged feed is a 304, free of the rate budget.
const FOLLOW_SECS: u64 = 60;

/// What [`start`] started; [`Background::stop`] ends all of it.
pub struct Background {
    runner: RunnerHandle,
    watching: CancellationToken,
    watcher: tokio::task::JoinHandle<()>,
    follower: tokio::task::JoinHandle<()>,
}

/// Takes the data dir's runner lock and starts the work. Fails with `unavailable` when
/// another process already runs this data dir's jobs (that process does the work then).
pub async fn start(
    store: &Store,
    events: &Broadcaster,
    config: Arc<PipelineConfig>,
) -> Result<Background> {
    let secrets = config.secrets.clone();
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
    let every = std::time::Duration::from_secs(FOLLOW_SECS);
    let follower = tokio::spawn(follow_github(
        store.clone(),
        events.clone(),
        secrets,
        every,
        watching.clone(),
    ));
    Ok(Background { runner, watching, watcher, follower })
}

/// Every `every` ([`FOLLOW_SECS`] in the app and the worker) until `stop`, the events feed of
/// each profile signed in to GitHub. The first look is one interval after the start (the
/// heartbeat lists and polls at the start already). A gap is left to the heartbeat's listing,
/// as the heartbeat's own poll does.
pub async fn follow_github(
    store: Store,
    events: Broadcaster,
    secrets: Arc<dyn crate::secrets::SecretStore>,
    every: std::time::Duration,
    stop: CancellationToken,
) {
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
        let signed_in: Vec<AccountId> =
            match sqlx::query_scalar("SELECT id FROM accounts WHERE github_login IS NOT NULL")
                .fetch_all(store.pool())
                .await
            {
                Ok(ids) => ids,
                Err(e) => {
                    tracing::warn!("cannot list the profiles to follow GitHub for: {e}");
                    continue;
                }
            };
        for actor in signed_in {
            let trigger = crate::activity::Trigger::Heartbeat;
            let poll = crate::activity::poll(&store, &events, &secrets, &actor, trigger, true);
            tokio::select! {
                _ = stop.cancelled() => return,
                done = poll => if let Err(e) = done {
                    tracing::warn!("the activity feed: {e}");
                }
            }
        }
    }
}

impl Background {
    /// Stops the watcher and the runner: running steps are stopped and their jobs go back to
    /// the queue for the next start.
    pub async fn stop(self) {
        self.watching.cancel();
        let _ = self.watcher.await;
        let _ = self.follower.await;
        self.runner.stop().await;
    }
}
