//! The docs sync (docs/DOCS_SYNC.md): a project's spec and its docs repository kept in step,
//! with git as the way several machines share one spec. One sync fetches the repository,
//! merges three-way per entity and per field against the last synced commit (the base),
//! writes what came from elsewhere into the database, commits what changed here with a
//! message that lists the edits, and pushes; a push that lost a race fetches and merges
//! again. Clashes wait in `docs_conflicts` with both values kept; unreadable files wait in
//! `docs_problems`. Its cost follows the change: the outbox says which entities changed
//! here, a tree diff which files changed there, and the commit is built from blobs.

mod decide;
mod field;
mod job;
mod layout;
pub mod local;
mod merge;
mod record;
mod remote;
mod repo;
mod state;

pub use field::ConflictField;
pub use job::{perform, schedule, schedule_projects, watch};
pub use state::{conflicts, resolve, status, DocsConflict, DocsStatus, PublishState, Resolution};

use decide::{label, ConflictRow, Decision};
use merge::prepare;
use record::{all_problems, finish};
use remote::{History, RemoteSide};

use crate::error::{Error, Result};
use crate::git::{Author, PublishError};
use crate::ids::{AccountId, ProjectId};
use crate::jobs::{FailureClass, Fields as JobArgs, JobState, NewJob, Unique};
use crate::projects::Project;
use crate::runner::{JobFailure, JobRun};
use crate::secrets::SecretStore;
use crate::store::Store;
use crate::{access, outbox};
use codemyspec_specdocs::merge::{merge, Clash};
use codemyspec_specdocs::{canonical, parse, path_for, render, Doc, Fields, Kind};
use serde::Serialize;
use serde_json::Value;
use sqlx::SqliteConnection;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

pub const WORKER: &str = "DocsSync";
pub const QUEUE: &str = "docs_sync";
/// How long after an edit its sync starts; each edit before then moves the start again, so
/// edits in a burst publish together, in one sync.
pub const DEBOUNCE_SECS: i64 = 10;
/// The longest a waiting sync is put off by edits that keep coming: they still publish.
pub const MAX_DEBOUNCE_SECS: i64 = 60;
/// Pushes that lose a race before the sync gives up for this attempt.
const RACES: usize = 5;

/// A remote file the sync could not read or import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Problem {
    pub path: String,
    pub message: String,
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncReport {
    /// The commit this sync made and pushed, if it had anything to publish.
    pub commit: Option<String>,
    /// The commit both sides now agree on.
    pub synced_commit: Option<String>,
    /// Entities whose files this sync wrote or removed.
    pub published: u32,
    /// Entities changed here from the repository.
    pub imported: u32,
    /// Entities new here from files people added by hand (without an id): "2 added on GitHub".
    pub added: u32,
    /// Clashes waiting for a choice after this sync.
    pub conflicts: u32,
    pub problems: Vec<Problem>,
    /// Merges made: more than one when a push lost a race.
    pub merges: u32,
}

/// Why a sync did not finish.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{0}")]
    Remote(PublishError),
    #[error(transparent)]
    Store(#[from] Error),
}

impl SyncError {
    /// The network or the remote (not this machine's data): the edits wait and the job
    /// retries.
    pub fn is_offline(&self) -> bool {
        matches!(self, SyncError::Remote(PublishError::Infrastructure(_)))
    }
}

impl SyncError {
    /// The error a person sees, `pending` being the edits that wait: offline says so and
    /// that nothing is lost.
    fn into_error(self, pending: i64) -> Error {
        match self {
            SyncError::Store(e) => e,
            SyncError::Remote(PublishError::Infrastructure(m)) => Error::Unavailable {
                message: format!(
                    "offline — {pending} edits not published: {m}. They are kept and published at the next sync"
                ),
            },
            SyncError::Remote(PublishError::Cancelled) => {
                Error::Unavailable { message: "the sync was cancelled; nothing was lost".into() }
            }
            SyncError::Remote(PublishError::Step(m) | PublishError::Behind(m)) => {
                Error::Conflict { field: Some("docs_repo".into()), message: m }
            }
        }
    }
}

impl From<sqlx::Error> for SyncError {
    fn from(e: sqlx::Error) -> Self {
        SyncError::Store(e.into())
    }
}

impl From<PublishError> for SyncError {
    fn from(e: PublishError) -> Self {
        SyncError::Remote(e)
    }
}

fn kind_of(name: &str) -> Result<Kind> {
    Kind::parse_name(name).ok_or_else(|| Error::Internal(format!("unknown entity kind {name}")))
}

/// The setup pushed the docs repository's first tree (`commit`, holding `published`): that
/// is the sync's first synced commit, and each entity's base. One transaction.
pub(crate) async fn record_setup(
    store: &Store,
    project_id: &ProjectId,
    url: &str,
    commit: &str,
    published: &[crate::docs_readme::Published],
) -> Result<()> {
    let now = store.now();
    let mut tx = store.write().await?;
    crate::projects::forget_docs_sync(&mut tx, project_id).await?;
    for p in published {
        sqlx::query(
            "INSERT INTO docs_entities (project_id, entity_id, kind, path, version, fields) \
             VALUES (?, ?, ?, ?, 1, ?)",
        )
        .bind(project_id)
        .bind(&p.id)
        .bind(p.kind.as_str())
        .bind(&p.path)
        .bind(serde_json::to_string(&p.fields).unwrap_or_default())
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "INSERT INTO docs_sync (project_id, synced_commit, synced_at, attempted_at, repo_url) \
         VALUES (?1, ?2, ?3, ?3, ?4)",
    )
    .bind(project_id)
    .bind(commit)
    .bind(&now)
    .bind(url)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One sync of one project, as `actor` (whose token the remote gets). Two syncs of the same
/// project never overlap: the second waits for the first (a lock file beside the clone).
pub async fn run_once(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    project_id: &ProjectId,
    cancel: &CancellationToken,
) -> std::result::Result<SyncReport, SyncError> {
    let project = crate::projects::get(store, actor, project_id).await?;
    access::require(store.pool(), actor, &project.id, access::Need::Write).await?;
    let Some(url) = project.docs_repo.clone() else {
        return Err(Error::invalid(
            "docs_repo",
            "this project has no docs repository; set one (codemyspec project update --docs-repo URL) or set the project up",
        )
        .into());
    };
    // Past the deadline the sync is told to stop; one that does not stop at once (git
    // waiting on a remote that does not answer) is abandoned, which frees its lock. Either
    // way it fails as offline, so the job retries with backoff.
    let secs = deadline(store).await?;
    let stop = cancel.child_token();
    let run = sync_locked(store, secrets, actor, &project, &url, &stop);
    tokio::pin!(run);
    let result = tokio::select! {
        done = &mut run => done,
        _ = tokio::time::sleep(std::time::Duration::from_secs(secs)) => {
            stop.cancel();
            match tokio::time::timeout(GRACE, &mut run).await {
                Ok(Ok(report)) => Ok(report),
                Ok(Err(_)) | Err(_) => Err(PublishError::Infrastructure(format!(
                    "{url}: the sync took longer than {secs} s and was stopped; it will try again"
                ))
                .into()),
            }
        }
    };
    if let Err(e) = &result {
        record_failure(store, &project.id, e).await;
    }
    result
}

/// [`run_once`] for a person waiting on it (the CLI's `docs sync`, the window's Sync now): a
/// failure is the error they see, and offline says how many edits wait.
pub async fn sync_now(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    project_id: &ProjectId,
    cancel: &CancellationToken,
) -> Result<SyncReport> {
    match run_once(store, secrets, actor, project_id, cancel).await {
        Ok(report) => Ok(report),
        Err(e) => {
            let pending =
                outbox::pending(store, actor, project_id).await.map(|p| p.entities).unwrap_or(0);
            Err(e.into_error(pending))
        }
    }
}

/// How long a sync may take unless `docs_sync_timeout_secs` says otherwise.
pub const DEFAULT_TIMEOUT_SECS: u64 = 120;
/// After the deadline, how long the sync gets to stop by itself before it is abandoned.
const GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// The sync's overall deadline (`docs_sync_timeout_secs`).
async fn deadline(store: &Store) -> Result<u64> {
    Ok(crate::settings::get(store, crate::settings::Setting::DocsSyncTimeout)
        .await?
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(DEFAULT_TIMEOUT_SECS))
}

async fn sync_locked(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    project: &Project,
    url: &str,
    cancel: &CancellationToken,
) -> std::result::Result<SyncReport, SyncError> {
    let dir = store.docs_clone_dir(&project.id);
    let lock = lock_clone(dir.with_extension("lock")).await?;
    forget_other_clone(store, project, url, &dir).await?;
    let host = crate::secrets::host_of(url).unwrap_or_default();
    let token = crate::secrets::token(secrets, actor, &host).await?;
    let author = crate::pipeline::author(store, project).await;
    let mut merges = 0;
    // Entities made from hand-made files are written here at the merge that reads them; a
    // merge again after a lost race finds them already here, so the count adds up.
    let mut added = 0;
    let report = loop {
        if merges >= RACES {
            return Err(PublishError::Infrastructure(format!(
                "{url}: the remote kept moving ({RACES} pushes lost a race); the sync will try again"
            ))
            .into());
        }
        merges += 1;
        let head = {
            let (d, u, t, c) = (dir.clone(), url.to_owned(), token.clone(), cancel.clone());
            tokio::task::spawn_blocking(move || repo::fetch(&d, &u, t.as_ref(), &c))
                .await
                .map_err(|e| Error::Internal(format!("git task failed: {e}")))??
        };
        // A remote still in the flat layout is moved first, in a commit of its own that the
        // merge reads like a teammate's (its files elsewhere) and the push carries.
        let (head, moved) = {
            let (d, a) = (dir.clone(), author.clone());
            tokio::task::spawn_blocking(move || move_layout(&d, head, &a))
                .await
                .map_err(|e| Error::Internal(format!("git task failed: {e}")))??
        };
        let mut prepared = prepare(store, project, url, &dir, head.clone(), &author).await?;
        added += prepared.added;
        prepared.added = added;
        if moved && prepared.commit.is_none() {
            // The move alone: it is this sync's commit, pushed and recorded as synced.
            prepared.commit = head;
        }
        if prepared.commit.is_some() {
            let (d, u, t, c) = (dir.clone(), url.to_owned(), token.clone(), cancel.clone());
            let pushed = tokio::task::spawn_blocking(move || repo::push(&d, &u, t.as_ref(), &c))
                .await
                .map_err(|e| Error::Internal(format!("git task failed: {e}")))?;
            match pushed {
                Ok(()) => {}
                Err(PublishError::Behind(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        break finish(store, &project.id, prepared, merges as u32).await?;
    };
    drop(lock);
    Ok(report)
}

/// `head` with the move to the sub-folder layout on top when it is still flat
/// ([`layout`]); whether a move was committed.
fn move_layout(
    dir: &std::path::Path,
    head: Option<String>,
    author: &Author,
) -> std::result::Result<(Option<String>, bool), PublishError> {
    let Some(head) = head else { return Ok((None, false)) };
    let git = repo::open(dir)?;
    let moves = layout::moves(&git, &head)?;
    if moves.is_empty() {
        return Ok((Some(head), false));
    }
    tracing::info!(files = moves.len(), "docs sync: moving the flat layout into sub-folders");
    Ok((Some(layout::commit(&git, &head, &moves, author)?), true))
}

/// Takes the clone's lock file (waiting for another sync of the project to end): the lock
/// holds while the file is open.
async fn lock_clone(lock_path: std::path::PathBuf) -> Result<std::fs::File> {
    tokio::task::spawn_blocking(move || -> Result<std::fs::File> {
        if let Some(parent) = lock_path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                context: format!("cannot create {}", parent.display()),
                source,
            })?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|source| Error::Io {
                context: format!("cannot open {}", lock_path.display()),
                source,
            })?;
        file.lock().map_err(|source| Error::Io {
            context: format!("cannot lock {}", lock_path.display()),
            source,
        })?;
        Ok(file)
    })
    .await
    .map_err(|e| Error::Internal(format!("lock task failed: {e}")))?
}

/// Removes the clone when it was made from another repository than `url`.
async fn forget_other_clone(
    store: &Store,
    project: &Project,
    url: &str,
    dir: &std::path::Path,
) -> Result<()> {
    // The clone belongs to the repository it was made from.
    let made_for: Option<String> =
        sqlx::query_scalar("SELECT repo_url FROM docs_sync WHERE project_id = ?")
            .bind(project.id)
            .fetch_optional(store.pool())
            .await?
            .flatten();
    if made_for.as_deref() != Some(url) && dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|source| Error::Io {
            context: format!("cannot remove the old clone {}", dir.display()),
            source,
        })?;
    }
    Ok(())
}

async fn record_failure(store: &Store, project_id: &ProjectId, e: &SyncError) {
    let now = store.now();
    let written = sqlx::query(
        "INSERT INTO docs_sync (project_id, attempted_at, error, offline) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (project_id) DO UPDATE SET attempted_at = ?2, error = ?3, offline = ?4",
    )
    .bind(project_id)
    .bind(&now)
    .bind(e.to_string())
    .bind(e.is_offline())
    .execute(store.pool())
    .await;
    if let Err(w) = written {
        tracing::warn!(project = %project_id, "cannot record the docs sync failure: {w}");
    }
}
