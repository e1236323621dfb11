//! The job runner: one per data dir (an OS file lock decides which process), claiming due
//! jobs of its queues up to each queue's concurrency and running them with the worker
//! registered for their `worker` name. A new job in this process wakes it at once; jobs
//! from other processes (the CLI next to the window) are seen at the next poll; a timer
//! wakes it for the next scheduled job. The process that takes the lock first rescues the
//! jobs a crashed runner left `executing`.

use crate::error::{Error, Result};
use crate::events::{Broadcaster, JobEvent};
use crate::jobs::{self, Backoff, FailureClass, Job};
use crate::pipeline::rescue;
use crate::store::Store;
use chrono::Duration as ChronoDuration;
use std::collections::HashMap;
use std::fs::File;
use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub const LOCK_FILE: &str = "runner.lock";

/// How an attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFailure {
    pub class: FailureClass,
    pub message: String,
}

impl JobFailure {
    pub fn new(class: FailureClass, message: impl Into<String>) -> Self {
        JobFailure { class, message: message.into() }
    }
}

/// What a worker gets: the job (already `executing`, its attempt counted), the store, the
/// broadcaster, and a token that fires when the job is cancelled or the runner stops
/// (`stopping` tells the two apart: it fires only when the runner stops).
#[derive(Debug, Clone)]
pub struct JobRun {
    pub job: Job,
    pub store: Store,
    pub events: Broadcaster,
    pub cancel: CancellationToken,
    pub stopping: CancellationToken,
}

pub type WorkerFuture = Pin<Box<dyn Future<Output = std::result::Result<(), JobFailure>> + Send>>;
pub type Worker = Arc<dyn Fn(JobRun) -> WorkerFuture + Send + Sync>;
/// A check a worker's kind of job needs after each attempt (and once at start), such as the
/// setup pipeline's repair of projects left showing a running setup.
pub type Settle = Arc<
    dyn Fn(Store, Broadcaster) -> Pin<Box<dyn Future<Output = Result<()>> + Send>> + Send + Sync,
>;

#[derive(Debug, Clone)]
pub struct RunnerConfig {
    pub queues: Vec<String>,
    /// How often to look for jobs inserted by other processes.
    pub poll: Duration,
    pub backoff: Backoff,
    /// Finished jobs older than this are pruned (at start and hourly).
    pub retention: ChronoDuration,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        RunnerConfig {
            queues: vec![
                crate::pipeline::QUEUE.to_owned(),
                crate::sync::QUEUE.to_owned(),
                crate::docs_sync::QUEUE.to_owned(),
            ],
            poll: Duration::from_millis(500),
            backoff: Backoff::default(),
            retention: ChronoDuration::days(14),
        }
    }
}

pub struct Runner {
    store: Store,
    events: Broadcaster,
    config: RunnerConfig,
    workers: HashMap<String, Worker>,
    settles: HashMap<String, Settle>,
}

/// A running runner. Dropping it does not stop it; call [`RunnerHandle::stop`].
pub struct RunnerHandle {
    store: Store,
    stop: CancellationToken,
    task: JoinHandle<()>,
    _lock: File,
}

impl Runner {
    pub fn new(store: &Store, events: &Broadcaster, config: RunnerConfig) -> Self {
        Runner {
            store: store.clone(),
            events: events.clone(),
            config,
            workers: HashMap::new(),
            settles: HashMap::new(),
        }
    }

    /// Registers the function that performs jobs of `worker`.
    pub fn worker<F, Fut>(mut self, name: &str, perform: F) -> Self
    where
        F: Fn(JobRun) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = std::result::Result<(), JobFailure>> + Send + 'static,
    {
        self.workers.insert(name.to_owned(), Arc::new(move |run| Box::pin(perform(run))));
        self
    }

    /// Runs `check` once when the runner starts and after each attempt of a `worker` job.
    pub fn after_each<F, Fut>(mut self, worker: &str, check: F) -> Self
    where
        F: Fn(Store, Broadcaster) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<()>> + Send + 'static,
    {
        self.settles.insert(worker.to_owned(), Arc::new(move |s, e| Box::pin(check(s, e))));
        self
    }

    /// Takes the data dir's runner lock, rescues orphaned jobs, prunes old ones and starts
    /// running. Fails with `unavailable` when another process holds the lock.
    pub async fn start(self) -> Result<RunnerHandle> {
        let lock = take_lock(self.store.data_dir())?;
        for job in jobs::rescue_orphans(&self.store).await? {
            clean_up_after(&job);
            self.events.publish_job(JobEvent::JobChanged { job: Box::new(job) });
        }
        for settle in self.settles.values() {
            settle(self.store.clone(), self.events.clone()).await?;
        }
        jobs::prune(&self.store, self.config.retention).await?;
        let stop = CancellationToken::new();
        let store = self.store.clone();
        let task = tokio::spawn(run_loop(self, stop.clone()));
        Ok(RunnerHandle { store, stop, task, _lock: lock })
    }
}

impl RunnerHandle {
    /// Look for due jobs now (after moving a test clock, say).
    pub fn wake(&self) {
        self.store.notify_jobs();
    }

    /// Stops claiming, stops running jobs (they go back to `retryable` for the next start)
    /// and waits for the loop to end.
    pub async fn stop(self) {
        self.stop.cancel();
        let _ = self.task.await;
    }
}

fn take_lock(data_dir: &std::path::Path) -> Result<File> {
    std::fs::create_dir_all(data_dir).map_err(|source| Error::Io {
        context: format!("cannot create {}", data_dir.display()),
        source,
    })?;
    let path = data_dir.join(LOCK_FILE);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|source| Error::Io {
            context: format!("cannot open {}", path.display()),
            source,
        })?;
    match file.try_lock() {
        Ok(()) => {
            let _ = file.set_len(0);
            let _ = write!(file, "{}", std::process::id());
            Ok(file)
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            Err(Error::Unavailable {
                message: format!(
                    "another process (pid {}) runs the jobs of this data dir; it will run this one",
                    holder.trim()
                ),
            })
        }
        Err(std::fs::TryLockError::Error(source)) => {
            Err(Error::Io { context: format!("cannot lock {}", path.display()), source })
        }
    }
}

/// Stops what a job that died mid-run left running: its step's process group while its
/// leader is provably the one the job started, or, once the leader is gone, the members
/// of its group provably started by that step ([`rescue`]). Its work dir stays: the job's
/// next attempt resumes in it.
fn clean_up_after(job: &Job) {
    let pgid = job.meta.get("pgid").and_then(|p| p.parse::<u32>().ok());
    let (Some(pgid), Some(identity)) = (pgid, job.meta.get("pgid_identity")) else { return };
    let recorded =
        rescue::Recorded { pgid, identity, mark: job.meta.get("pgid_mark").map(String::as_str) };
    let done = rescue::stop_leftovers(&recorded);
    if done.group_killed {
        tracing::info!(job = job.id, pgid, "killed the step left running by a dead runner");
    }
    if !done.killed.is_empty() {
        tracing::info!(
            job = job.id,
            pgid,
            "killed {:?}, left running by the step of a dead runner whose leader had exited",
            done.killed
        );
    }
    if !done.left_alone.is_empty() {
        tracing::warn!(
            job = job.id,
            pgid,
            "processes {:?} of group {pgid} are not provably the step we started; left alone",
            done.left_alone
        );
    }
}

struct Running {
    queue: String,
    cancel: CancellationToken,
}

async fn run_loop(runner: Runner, stop: CancellationToken) {
    let Runner { store, events, config, workers, settles } = runner;
    let mut running: HashMap<i64, Running> = HashMap::new();
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<i64>();
    let mut last_prune = std::time::Instant::now();
    loop {
        while let Ok(id) = done_rx.try_recv() {
            running.remove(&id);
        }
        if stop.is_cancelled() {
            break;
        }
        if let Err(e) = sync_cancellations(&store, &running).await {
            tracing::warn!("job runner: cannot read job states: {e}");
        }
        if let Err(e) =
            start_due(&store, &events, &config, (&workers, &settles), &mut running, &done_tx, &stop)
                .await
        {
            tracing::warn!("job runner: cannot start jobs: {e}");
        }
        if last_prune.elapsed() > Duration::from_secs(3600) {
            last_prune = std::time::Instant::now();
            let _ = jobs::prune(&store, config.retention).await;
        }
        let wait = match jobs::next_due(&store, &config.queues).await {
            Ok(Some(at)) => {
                (at - store.clock().now()).to_std().unwrap_or(Duration::ZERO).min(config.poll)
            }
            _ => config.poll,
        };
        tokio::select! {
            _ = stop.cancelled() => {}
            _ = store.jobs_changed() => {}
            Some(id) = done_rx.recv() => { running.remove(&id); }
            _ = tokio::time::sleep(wait.max(Duration::from_millis(5))) => {}
        }
    }
    // Stop: cancel what runs and wait for each attempt to be recorded.
    for r in running.values() {
        r.cancel.cancel();
    }
    while !running.is_empty() {
        match done_rx.recv().await {
            Some(id) => {
                running.remove(&id);
            }
            None => break,
        }
    }
}

/// Running jobs that are no longer `executing` in the database — cancelled by this process
/// or another, or cancelled and already retried — get their token fired.
async fn sync_cancellations(store: &Store, running: &HashMap<i64, Running>) -> Result<()> {
    if running.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = running.keys().copied().collect();
    let ids_json = serde_json::to_string(&ids).map_err(|e| Error::Internal(e.to_string()))?;
    let cancelled: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM jobs WHERE id IN (SELECT value FROM json_each(?)) AND state != 'executing'",
    )
    .bind(ids_json)
    .fetch_all(store.pool())
    .await?;
    for id in cancelled {
        if let Some(r) = running.get(&id) {
            r.cancel.cancel();
        }
    }
    Ok(())
}

async fn start_due(
    store: &Store,
    events: &Broadcaster,
    config: &RunnerConfig,
    (workers, settles): (&HashMap<String, Worker>, &HashMap<String, Settle>),
    running: &mut HashMap<i64, Running>,
    done: &mpsc::UnboundedSender<i64>,
    stop: &CancellationToken,
) -> Result<()> {
    let now = store.clock().now();
    for queue in &config.queues {
        let settings = jobs::queue(store, queue).await?;
        if settings.paused {
            continue;
        }
        let busy = running.values().filter(|r| &r.queue == queue).count() as i64;
        let free = settings.concurrency - busy;
        if free <= 0 {
            continue;
        }
        // Claiming writes; only do it when something is due.
        let due = jobs::next_due(store, std::slice::from_ref(queue)).await?;
        if due.is_none_or(|at| at > now) {
            continue;
        }
        let busy: Vec<i64> = running.keys().copied().collect();
        for job in jobs::claim_except(store, queue, free, &busy).await? {
            let cancel = stop.child_token();
            running.insert(job.id, Running { queue: queue.clone(), cancel: cancel.clone() });
            events.publish_job(JobEvent::JobChanged { job: Box::new(job.clone()) });
            let worker = workers.get(&job.worker).cloned();
            let run = JobRun {
                job,
                store: store.clone(),
                events: events.clone(),
                cancel,
                stopping: stop.clone(),
            };
            let settle = settles.get(&run.job.worker).cloned();
            tokio::spawn(execute(run, worker, settle, config.backoff, done.clone()));
        }
    }
    Ok(())
}

/// Runs one attempt and records how it ended.
async fn execute(
    run: JobRun,
    worker: Option<Worker>,
    settle: Option<Settle>,
    backoff: Backoff,
    done: mpsc::UnboundedSender<i64>,
) {
    let JobRun { job, store, events, cancel, stopping } = run.clone();
    let outcome = match worker {
        None => Err(JobFailure::new(
            FailureClass::Invalid,
            format!("no worker is registered for {}", job.worker),
        )),
        // A panicking worker fails its attempt, not the runner.
        Some(perform) => match tokio::spawn(perform(run)).await {
            Ok(result) => result,
            Err(e) => Err(JobFailure::new(
                FailureClass::Infrastructure,
                format!("the worker crashed: {e}"),
            )),
        },
    };
    let outcome = outcome.map_err(|failure| {
        if cancel.is_cancelled() && stopping.is_cancelled() {
            // The runner is stopping on request: the attempt is interrupted, not failed.
            JobFailure::new(FailureClass::Interrupted, failure.message)
        } else {
            failure
        }
    });
    match record_end(&store, job.id, &outcome, &backoff, &stopping).await {
        Ok(job) => {
            let _ = jobs::set_meta(
                &store,
                job.id,
                &[("pgid", None), ("pgid_identity", None), ("pgid_mark", None)],
            )
            .await;
            events.publish_job(JobEvent::JobChanged { job: Box::new(job) });
        }
        // Left executing: the next start rescues it (and the invariant repair follows).
        Err(e) => tracing::error!(job = job.id, "cannot record the end of the attempt: {e}"),
    }
    if let Some(settle) = settle {
        if let Err(e) = settle(store.clone(), events.clone()).await {
            tracing::warn!(job = job.id, "the check after the attempt failed: {e}");
        }
    }
    let _ = done.send(job.id);
    store.notify_jobs();
}

/// Records how an attempt ended. A busy database (another process holding the write lock
/// past the busy timeout) is waited out, with growing pauses, until the runner stops: a job
/// must not stay `executing` after its attempt ended.
async fn record_end(
    store: &Store,
    id: i64,
    outcome: &std::result::Result<(), JobFailure>,
    backoff: &Backoff,
    stopping: &CancellationToken,
) -> Result<Job> {
    let mut pause = Duration::from_millis(100);
    loop {
        let recorded = match outcome {
            Ok(()) => jobs::complete(store, id).await,
            Err(f) => jobs::fail(store, id, f.class, &f.message, backoff).await,
        };
        match recorded {
            Err(Error::Busy) if !stopping.is_cancelled() => {
                tracing::warn!(job = id, "the database is busy; recording the attempt again");
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = stopping.cancelled() => {}
                }
                pause = (pause * 2).min(Duration::from_secs(5));
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests;
