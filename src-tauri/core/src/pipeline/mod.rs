//! The setup pipeline (docs/DESIGN.md: The setup pipeline): `setup_project` queues a `ProjectSetup`
//! job; the runner runs the project's recipe step by step in a temp dir; every status change goes
//! to the database first and then to the broadcaster (docs/DESIGN.md: Events).

pub mod clone;
mod control;
pub mod depcache;
pub mod docs;
pub mod lines;
pub mod login_shell;
pub mod logs;
pub mod machine;
pub mod path;
pub mod preflight;
pub mod process;
pub mod provision;
pub mod publish;
pub mod recipe;
pub mod rescue;
pub mod toolchain;
pub mod tools;
mod tree;
mod worker;

pub(crate) use worker::author;

use crate::access::{self, Need};
use crate::error::{Error, Result};
use crate::events::Broadcaster;
use crate::ids::{AccountId, ProjectId};
use crate::jobs::{self, Fields, Inserted, Job, JobState, NewJob, Unique};
use crate::lifecycle::{self, Stage, Trigger};
use crate::projects::{self, Project, SetupStatus};
use crate::secrets::SecretStore;
use crate::store::Store;
use chrono::Duration;
use sqlx::SqliteConnection;
use std::path::PathBuf;
use std::sync::Arc;

pub use control::{cancel_job, retry_job};
pub use worker::perform;

pub const QUEUE: &str = "project_setup";
pub const WORKER: &str = "ProjectSetup";

/// What the pipeline needs besides the store and the broadcaster.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    pub secrets: Arc<dyn SecretStore>,
    /// Put before `PATH` when steps run (a test's stand-in `mix`, say).
    pub extra_path: Vec<PathBuf>,
    /// `MIX_HOME` for steps and the archive checks (default: mix's own, `~/.mix`).
    pub mix_home: Option<PathBuf>,
    /// `HEX_HOME` for steps and the Hex repository check (default: Hex's own, `~/.hex`).
    pub hex_home: Option<PathBuf>,
    /// The folders steps search, as [`PipelineConfig::resolve_tools`] last found them.
    resolved: Arc<std::sync::Mutex<Option<tools::SearchPath>>>,
}

impl PipelineConfig {
    pub fn new(secrets: Arc<dyn SecretStore>) -> Self {
        PipelineConfig {
            secrets,
            extra_path: Vec::new(),
            mix_home: None,
            hex_home: None,
            resolved: Arc::default(),
        }
    }

    /// Decides where steps find their programs: the `tools_path` setting, else this
    /// process's `PATH` — with the login shell's first when `mix` is not on it (read once per
    /// process, [`login_shell::path_once`]). Called when the app or a worker starts, before
    /// every setup and every check, so a changed setting counts from the next one.
    pub async fn resolve_tools(&self, store: &Store) -> Result<tools::SearchPath> {
        let setting = crate::settings::get(store, crate::settings::Setting::ToolsPath).await?;
        let process = std::env::var_os("PATH").unwrap_or_default();
        let login = match &setting {
            Some(_) => None,
            None => {
                let plain = tools::SearchPath::build(&self.extra_path, None, None, &process);
                match plain.find("mix") {
                    Some(_) => None,
                    None => login_shell::path_once().await,
                }
            }
        };
        let path = tools::SearchPath::build(
            &self.extra_path,
            setting.as_deref().map(std::ffi::OsStr::new),
            login.as_deref(),
            &process,
        );
        *self.resolved.lock().unwrap_or_else(|e| e.into_inner()) = Some(path.clone());
        Ok(path)
    }

    /// The folders steps search: as last resolved, else the test stand-ins and `PATH`.
    pub fn search_path(&self) -> tools::SearchPath {
        let resolved = self.resolved.lock().unwrap_or_else(|e| e.into_inner()).clone();
        resolved.unwrap_or_else(|| {
            let process = std::env::var_os("PATH").unwrap_or_default();
            tools::SearchPath::build(&self.extra_path, None, None, &process)
        })
    }

    /// The whole environment steps get: a few of the app's variables (see
    /// [`process::STEP_ENV`]), the configured `PATH` and `MIX_HOME`.
    pub fn step_env(&self) -> Vec<(String, std::ffi::OsString)> {
        let mut env = vec![("PATH".to_owned(), self.path())];
        if let Some(home) = &self.mix_home {
            env.push(("MIX_HOME".to_owned(), home.clone().into_os_string()));
        }
        if let Some(home) = &self.hex_home {
            env.push(("HEX_HOME".to_owned(), home.clone().into_os_string()));
        }
        process::step_environment(env)
    }

    /// The `PATH` steps run with.
    pub fn path(&self) -> std::ffi::OsString {
        self.search_path().join()
    }
}

/// The app's workers on a runner: the setup pipeline, the org sync heartbeat and the docs
/// sync (all with the OS keyring of `config`). The app and `codemyspec worker` run the same ones.
pub fn register_workers(
    runner: crate::runner::Runner,
    config: Arc<PipelineConfig>,
) -> crate::runner::Runner {
    let secrets = config.secrets.clone();
    let docs_secrets = config.secrets.clone();
    runner
        .worker(WORKER, move |run| perform(run, config.clone()))
        .after_each(WORKER, |store, events| async move {
            repair_stalled(&store, &events).await.map(|_| ())
        })
        .worker(crate::sync::WORKER, move |run| crate::sync::perform(run, secrets.clone()))
        .worker(crate::docs_sync::WORKER, move |run| {
            crate::docs_sync::perform(run, docs_secrets.clone())
        })
}

fn setup_unique(project_id: &ProjectId) -> Unique {
    Unique {
        key: format!("{WORKER}:{project_id}"),
        period: Duration::seconds(300),
        // Retryable too: leaving it out lets a duplicate in while a job waits for its retry.
        states: vec![
            JobState::Available,
            JobState::Scheduled,
            JobState::Executing,
            JobState::Retryable,
        ],
    }
}

/// Moves the project into provisioning for a (re)started setup, from wherever it may.
async fn enter_provisioning(
    conn: &mut SqliteConnection,
    store: &Store,
    project: &Project,
    actor: &AccountId,
) -> Result<()> {
    let returns = lifecycle::stage_returns(&mut *conn, &project.id).await?;
    match project.stage {
        Stage::Provisioning => Ok(()),
        Stage::Draft | Stage::Estimated | Stage::Discovered => {
            lifecycle::apply(
                conn,
                store,
                &project.id,
                Stage::Provisioning,
                "setup queued",
                Trigger::Setup,
                Some(actor),
            )
            .await
        }
        Stage::Error if returns.last() == Some(&Stage::Provisioning) => {
            lifecycle::apply(
                conn,
                store,
                &project.id,
                Stage::Provisioning,
                "setup retried",
                Trigger::Setup,
                Some(actor),
            )
            .await
        }
        other => Err(Error::conflict(
            Some("stage"),
            format!("a {other} project is past provisioning; its setup is done"),
        )),
    }
}

/// The original design's `setup_project/1` (docs/DESIGN.md): queues the setup job (queue
/// `project_setup`, priority 1, 3 attempts, unique per project for 300 s). The project becomes
/// `setup_queued` and moves to `provisioning`. A second call while a setup is queued or running
/// returns the same job with `conflict: true`.
pub async fn setup_project(
    store: &Store,
    events: &Broadcaster,
    actor: &AccountId,
    project_id: &ProjectId,
) -> Result<Inserted> {
    let mut tx = store.write().await?;
    access::require(&mut *tx, actor, project_id, Need::Manage).await?;
    let unique = setup_unique(project_id);
    if let Some(job) = jobs::find_unique(&mut tx, store, &unique).await? {
        return Ok(Inserted { job, conflict: true });
    }
    let project = projects::fetch_any(&mut *tx, project_id).await?;
    if !matches!(project.setup_status, SetupStatus::Created | SetupStatus::Failed) {
        return Err(Error::conflict(
            Some("setup_status"),
            format!(
                "this project's setup is {}; only a new or failed project is set up",
                project.setup_status
            ),
        ));
    }
    enter_provisioning(&mut tx, store, &project, actor).await?;
    let args = Fields::from([
        ("project_id".into(), project_id.to_string()),
        ("actor_id".into(), actor.to_string()),
    ]);
    let new = NewJob {
        queue: QUEUE.into(),
        worker: WORKER.into(),
        args,
        priority: 1,
        max_attempts: 3,
        scheduled_at: None,
        unique: Some(unique),
    };
    let earlier = setup_job_ids(&mut tx, project_id).await?;
    let inserted = jobs::insert_in(&mut tx, store, new).await?;
    write_status(&mut tx, store, project_id, SetupStatus::SetupQueued, None).await?;
    let project = projects::fetch_any(&mut *tx, project_id).await?;
    tx.commit().await?;
    // Setting up again starts afresh: earlier setups' kept work dirs go.
    for id in earlier {
        jobs::remove_work_dir(store, id);
    }
    events.broadcast_project_update(&project);
    store.notify_jobs();
    Ok(inserted)
}

async fn setup_job_ids(conn: &mut SqliteConnection, project_id: &ProjectId) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM jobs WHERE worker = ? AND json_extract(args, '$.project_id') = ?",
    )
    .bind(WORKER)
    .bind(project_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// The error a project gets when its setup stopped with no job left to finish it.
pub const STALLED: &str = "the setup was interrupted in its last attempt (the process running it stopped); set it up again or retry";

/// The setup status invariant (docs/DESIGN.md: State machines), enforced: a project shows a running
/// setup status only while a live setup job (available, scheduled, executing, retryable) exists for
/// it. Every project that breaks it — its job was discarded by a rescue, a runner died between
/// writes — is marked `failed` with [`STALLED`] (stage `error`), from where retry and setting up
/// again work. The runner calls this at start and after every setup attempt ([`register_workers`]).
/// Returns the projects
/// repaired.
pub async fn repair_stalled(store: &Store, events: &Broadcaster) -> Result<Vec<Project>> {
    const STALLED_SQL: &str = "SELECT p.id FROM projects p \
        WHERE p.setup_status NOT IN ('created', 'ready', 'failed') AND NOT EXISTS ( \
            SELECT 1 FROM jobs j WHERE j.worker = ? \
            AND json_extract(j.args, '$.project_id') = p.id \
            AND j.state IN ('available', 'scheduled', 'executing', 'retryable'))";
    let candidates: Vec<ProjectId> =
        sqlx::query_scalar(STALLED_SQL).bind(WORKER).fetch_all(store.pool()).await?;
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let mut repaired = Vec::new();
    let mut tx = store.write().await?;
    // Checked again under the write lock: a setup queued meanwhile is not stalled.
    let still: Vec<ProjectId> =
        sqlx::query_scalar(STALLED_SQL).bind(WORKER).fetch_all(&mut *tx).await?;
    for id in still {
        repaired.push(fail_project(&mut tx, store, &id, STALLED).await?);
    }
    tx.commit().await?;
    for project in &repaired {
        tracing::warn!(project = %project.id, "repaired a setup left running with no job");
        events.broadcast_project_error(project, STALLED);
    }
    Ok(repaired)
}

/// The newest setup job of a project.
async fn latest_job(conn: &mut SqliteConnection, project_id: &ProjectId) -> Result<Job> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM jobs WHERE worker = ? AND json_extract(args, '$.project_id') = ? ORDER BY id DESC LIMIT 1",
    )
    .bind(WORKER)
    .bind(project_id)
    .fetch_optional(&mut *conn)
    .await?;
    jobs::fetch(conn, id.ok_or(Error::not_found("setup"))?).await
}

/// The original design's `cancel_setup/1` (docs/DESIGN.md): `not_found` when the project has no
/// setup, `already_completed` when it finished; otherwise the job is cancelled (a running step's
/// process group is killed by its runner) and the project is `failed` with the error
/// `"cancelled"`.
pub async fn cancel_setup(
    store: &Store,
    events: &Broadcaster,
    actor: &AccountId,
    project_id: &ProjectId,
) -> Result<Job> {
    let mut tx = store.write().await?;
    access::require(&mut *tx, actor, project_id, Need::Manage).await?;
    let job = latest_job(&mut tx, project_id).await?;
    let job = jobs::cancel_in(&mut tx, store, job.id).await?;
    let project = fail_project(&mut tx, store, project_id, CANCELLED).await?;
    tx.commit().await?;
    events.broadcast_project_error(&project, "cancelled");
    store.notify_jobs();
    Ok(job)
}

/// Runs a failed or cancelled setup's job again (Oban's `retry_job`).
pub async fn retry_setup(
    store: &Store,
    events: &Broadcaster,
    actor: &AccountId,
    project_id: &ProjectId,
) -> Result<Job> {
    let mut tx = store.write().await?;
    access::require(&mut *tx, actor, project_id, Need::Manage).await?;
    let job = latest_job(&mut tx, project_id).await?;
    let project = projects::fetch_any(&mut *tx, project_id).await?;
    if project.setup_status != SetupStatus::Failed {
        return Err(Error::conflict(
            Some("setup_status"),
            format!("this setup is {}, not failed", project.setup_status),
        ));
    }
    let job = jobs::retry_in(&mut tx, store, job.id).await?;
    enter_provisioning(&mut tx, store, &project, actor).await?;
    write_status(&mut tx, store, project_id, SetupStatus::SetupQueued, None).await?;
    let project = projects::fetch_any(&mut *tx, project_id).await?;
    tx.commit().await?;
    events.broadcast_project_update(&project);
    store.notify_jobs();
    Ok(job)
}

async fn write_status(
    conn: &mut SqliteConnection,
    store: &Store,
    project_id: &ProjectId,
    status: SetupStatus,
    error: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "UPDATE projects SET setup_status = ?, setup_error = ?, updated_at = ? WHERE id = ?",
    )
    .bind(status)
    .bind(error)
    .bind(store.now())
    .bind(project_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The setup error of a setup a person cancelled (`cancel_setup`): not a failure to them.
pub const CANCELLED: &str = "cancelled";

/// The setup failed for good (or was cancelled): `failed` with the error, and the stage
/// moves to `error` with a history line that says which.
async fn fail_project(
    conn: &mut SqliteConnection,
    store: &Store,
    project_id: &ProjectId,
    error: &str,
) -> Result<Project> {
    write_status(conn, store, project_id, SetupStatus::Failed, Some(error)).await?;
    let project = projects::fetch_any(&mut *conn, project_id).await?;
    if project.stage == Stage::Provisioning {
        lifecycle::apply(
            conn,
            store,
            project_id,
            Stage::Error,
            if error == CANCELLED { "setup cancelled" } else { "setup failed" },
            Trigger::Setup,
            None,
        )
        .await?;
    }
    projects::fetch_any(&mut *conn, project_id).await
}
