//! The docs sync (docs/DOCS_SYNC.md): a project's spec and its docs repository kept in step,
//! with git as the way several machines share one spec. One sync fetches the repository,
//! merges three-way per entity and per field against the last synced commit (the base),
//! writes what came from elsewhere into the database, commits what changed here with a
//! message that lists the edits, and pushes; a push that lost a race fetches and merges
//! again. Clashes wait in `docs_conflicts` with both values kept; unreadable files wait in
//! `docs_problems`. Its cost follows the change: the outbox says which entities changed
//! here, a tree diff which files changed there, and the commit is built from blobs.

pub mod local;
mod repo;

use crate::error::{Error, Result};
use crate::jobs::{FailureClass, Fields as JobArgs, JobState, NewJob, Unique};
use crate::pipeline::publish::{Author, PublishError};
use crate::projects::Project;
use crate::runner::{JobFailure, JobRun};
use crate::secrets::SecretStore;
use crate::store::Store;
use crate::{access, outbox, validate};
use codemyspec_specdocs::merge::{merge, Clash};
use codemyspec_specdocs::{canonical, parse, path_for, render, Doc, Fields, Kind};
use serde::Serialize;
use serde_json::Value;
use sqlx::SqliteConnection;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

pub const WORKER: &str = "DocsSync";
pub const QUEUE: &str = "docs_sync";
/// How long after an edit its sync starts: edits in a burst publish together.
pub const DEBOUNCE_SECS: i64 = 3;
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
    pub fn into_error(self, pending: i64) -> Error {
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

/// The bare clone of a project's docs repository.
pub fn clone_dir(store: &Store, project_id: &str) -> PathBuf {
    store.data_dir().join("docs").join(format!("{project_id}.git"))
}

/// One sync of one project, as `actor` (whose token the remote gets). Two syncs of the same
/// project never overlap: the second waits for the first (a lock file beside the clone).
pub async fn run_once(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &str,
    project_id: &str,
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
    let result = sync_locked(store, secrets, actor, &project, &url, cancel).await;
    if let Err(e) = &result {
        record_failure(store, &project.id, e).await;
    }
    result
}

async fn sync_locked(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &str,
    project: &Project,
    url: &str,
    cancel: &CancellationToken,
) -> std::result::Result<SyncReport, SyncError> {
    let dir = clone_dir(store, &project.id);
    let lock_path = dir.with_extension("lock");
    let lock = tokio::task::spawn_blocking(move || -> Result<std::fs::File> {
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
    .map_err(|e| Error::Internal(format!("lock task failed: {e}")))??;
    let host = crate::secrets::host_of(url).unwrap_or_default();
    let token = crate::secrets::token(secrets, actor, &host).await?;
    let author = crate::pipeline::author(store, project).await;
    let mut merges = 0;
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
        let prepared = prepare(store, project, &dir, head, &author).await?;
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

async fn record_failure(store: &Store, project_id: &str, e: &SyncError) {
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
        tracing::warn!(project = project_id, "cannot record the docs sync failure: {w}");
    }
}

/// An entity as the synced commit holds it.
#[derive(Debug, Clone, PartialEq)]
struct Base {
    kind: Kind,
    path: String,
    version: i64,
    fields: Fields,
}

/// A conflict row as stored.
#[derive(Debug, Clone, PartialEq)]
struct ConflictRow {
    kind: Kind,
    field: String,
    label: String,
    base: Value,
    theirs: Value,
}

/// What a merge decided, to be recorded once the push is through.
struct Prepared {
    commit: Option<String>,
    head: Option<String>,
    outbox_max: i64,
    bases: Vec<(String, Option<Base>)>,
    conflicts: Vec<(String, Vec<ConflictRow>)>,
    checked_paths: Vec<String>,
    problems: Vec<Problem>,
    published: u32,
    imported: u32,
}

async fn base_of(conn: &mut SqliteConnection, project_id: &str, id: &str) -> Result<Option<Base>> {
    let row: Option<(String, String, i64, String)> = sqlx::query_as(
        "SELECT kind, path, version, fields FROM docs_entities WHERE project_id = ? AND entity_id = ?",
    )
    .bind(project_id)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|(kind, path, version, fields)| {
        let kind = kind_of(&kind)?;
        let fields: Fields = serde_json::from_str(&fields)
            .map_err(|e| Error::Internal(format!("a stored merge base is not JSON: {e}")))?;
        Ok(Base { kind, path, version, fields })
    })
    .transpose()
}

/// The remote's side of this merge: the files that changed since the base, parsed.
struct RemoteSide {
    docs: HashMap<String, (Kind, String, Doc)>,
    deleted: BTreeSet<String>,
    problems: Vec<Problem>,
    checked: Vec<String>,
}

async fn remote_side(
    conn: &mut SqliteConnection,
    project_id: &str,
    dir: &std::path::Path,
    synced: Option<&str>,
    head: &str,
) -> std::result::Result<RemoteSide, SyncError> {
    // Owned (a `&Repository` is not `Send` across the awaits below).
    let git = repo::open(dir)?;
    let full = !synced.is_some_and(|s| repo::has_commit(&git, s));
    let mut files = if Some(head) == synced {
        Vec::new()
    } else if full {
        repo::all_files(&git, head)?
    } else {
        repo::changed(&git, synced, head)?
    };
    // Files that could not be read before are read again until they can.
    let earlier: Vec<String> =
        sqlx::query_scalar("SELECT path FROM docs_problems WHERE project_id = ?")
            .bind(project_id)
            .fetch_all(&mut *conn)
            .await?;
    for path in earlier {
        if files.iter().any(|f| f.path == path) {
            continue;
        }
        let blob = repo::file_at(&git, head, &path).map(|(oid, _)| oid);
        if let Some(kind) = Kind::of_path(&path) {
            files.push(repo::Changed { path, kind, blob });
        }
    }
    let mut side = RemoteSide {
        docs: HashMap::new(),
        deleted: BTreeSet::new(),
        problems: Vec::new(),
        checked: files.iter().map(|f| f.path.clone()).collect(),
    };
    let mut gone_paths = Vec::new();
    for file in &files {
        let Some(blob) = file.blob else {
            gone_paths.push(file.path.clone());
            continue;
        };
        let text = repo::text(&git, blob)?;
        match parse(file.kind, &text) {
            Ok(doc) => {
                if let Some((_, other, _)) = side.docs.get(&doc.id) {
                    side.problems.push(Problem {
                        path: file.path.clone(),
                        message: format!("its id {} is also the id of {other}", doc.id),
                    });
                    continue;
                }
                side.docs.insert(doc.id.clone(), (file.kind, file.path.clone(), doc));
            }
            Err(e) => {
                side.problems.push(Problem { path: file.path.clone(), message: e.to_string() })
            }
        }
    }
    let deleted_ids: Vec<String> = if full {
        // Without the base commit, every base entity whose file is not there was deleted.
        let all: Vec<String> =
            sqlx::query_scalar("SELECT entity_id FROM docs_entities WHERE project_id = ?")
                .bind(project_id)
                .fetch_all(&mut *conn)
                .await?;
        let unreadable: BTreeSet<&str> = side.problems.iter().map(|p| p.path.as_str()).collect();
        let mut out = Vec::new();
        for id in all {
            if side.docs.contains_key(&id) {
                continue;
            }
            let path: String = sqlx::query_scalar(
                "SELECT path FROM docs_entities WHERE project_id = ? AND entity_id = ?",
            )
            .bind(project_id)
            .bind(&id)
            .fetch_one(&mut *conn)
            .await?;
            if !unreadable.contains(path.as_str()) {
                out.push(id);
            }
        }
        out
    } else {
        let mut out = Vec::new();
        for path in gone_paths {
            let id: Option<String> = sqlx::query_scalar(
                "SELECT entity_id FROM docs_entities WHERE project_id = ? AND path = ?",
            )
            .bind(project_id)
            .bind(&path)
            .fetch_optional(&mut *conn)
            .await?;
            out.extend(id);
        }
        out
    };
    side.deleted = deleted_ids.into_iter().filter(|id| !side.docs.contains_key(id)).collect();
    Ok(side)
}

fn label(kind: Kind, fields: Option<&Fields>) -> String {
    fields
        .and_then(|f| f.get(kind.label_field()))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// One entity's merge, with the conflicts still open on it.
struct Decision {
    kind: Kind,
    local_before: Option<Fields>,
    local_after: Option<Fields>,
    repo: Option<Fields>,
    remote: Option<Fields>,
    conflicts: Vec<ConflictRow>,
    conflicts_changed: bool,
}

fn decide(
    kind: Kind,
    base: Option<&Fields>,
    local: Option<Fields>,
    remote: Option<Fields>,
    open: &[ConflictRow],
) -> Decision {
    let whole = open.iter().find(|c| c.field == "*");
    let name = label(kind, local.as_ref().or(remote.as_ref()).or(base));
    let row = |field: &str, base: Value, theirs: Value| ConflictRow {
        kind,
        field: field.to_owned(),
        label: name.clone(),
        base,
        theirs,
    };
    if whole.is_some() {
        // An edit against a delete waits for a choice: nothing local moves, the repository
        // follows the remote.
        let settled = local == remote;
        let theirs =
            remote.clone().map(|f| Value::Object(f.into_iter().collect())).unwrap_or(Value::Null);
        let conflicts = if settled {
            vec![]
        } else {
            vec![row("*", whole.map(|c| c.base.clone()).unwrap_or(Value::Null), theirs)]
        };
        return Decision {
            kind,
            local_before: local.clone(),
            local_after: local,
            repo: remote.clone(),
            remote,
            conflicts_changed: conflicts != open,
            conflicts,
        };
    }
    if !open.is_empty() && local.is_some() && remote.is_none() {
        // Deleted there while a clash on it waits here: an edit against a delete.
        let b = base.map(|f| Value::Object(f.clone().into_iter().collect())).unwrap_or(Value::Null);
        return Decision {
            kind,
            local_before: local.clone(),
            local_after: local,
            repo: None,
            remote: None,
            conflicts: vec![row("*", b, Value::Null)],
            conflicts_changed: true,
        };
    }
    // Fields in conflict count as unchanged here until the person chooses.
    let masked = local.clone().map(|mut l| {
        for c in open {
            if let Some(b) = base.and_then(|b| b.get(&c.field)) {
                l.insert(c.field.clone(), b.clone());
            }
        }
        l
    });
    let merged = merge(base, masked.as_ref(), remote.as_ref(), kind.set_fields());
    let mut local_after = merged.local.clone();
    let mut conflicts = Vec::new();
    if let (Some(after), Some(l)) = (local_after.as_mut(), local.as_ref()) {
        for c in open {
            let mine = l.get(&c.field).cloned().unwrap_or(Value::Null);
            let theirs =
                remote.as_ref().and_then(|r| r.get(&c.field)).cloned().unwrap_or(Value::Null);
            after.insert(c.field.clone(), mine.clone());
            if mine != theirs {
                conflicts.push(row(&c.field, c.base.clone(), theirs));
            }
        }
    }
    for clash in merged.clashes {
        match clash {
            Clash::Field { field, base, theirs } => conflicts.push(row(&field, base, theirs)),
            Clash::Entity { theirs } => {
                let b = base
                    .map(|f| Value::Object(f.clone().into_iter().collect()))
                    .unwrap_or(Value::Null);
                let t =
                    theirs.map(|f| Value::Object(f.into_iter().collect())).unwrap_or(Value::Null);
                conflicts.push(row("*", b, t));
            }
        }
    }
    Decision {
        kind,
        local_before: local,
        local_after,
        repo: merged.repo,
        remote,
        conflicts_changed: conflicts != open,
        conflicts,
    }
}

/// Merges, writes the database's side and builds the commit — one transaction. Nothing is
/// recorded as synced yet: that waits for the push ([`finish`]).
async fn prepare(
    store: &Store,
    project: &Project,
    dir: &std::path::Path,
    head: Option<String>,
    author: &Author,
) -> std::result::Result<Prepared, SyncError> {
    let pid = project.id.as_str();
    let now = store.now();
    let mut tx = store.write().await?;
    let synced: Option<String> =
        sqlx::query_scalar("SELECT synced_commit FROM docs_sync WHERE project_id = ?")
            .bind(pid)
            .fetch_optional(&mut *tx)
            .await?
            .flatten();
    let max_before: i64 =
        sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM outbox WHERE project_id = ?")
            .bind(pid)
            .fetch_one(&mut *tx)
            .await?;
    let git = repo::open(dir)?;
    // An empty remote (a new repository, or one emptied since) gets the whole spec again.
    let fresh = head.is_none();
    let mut candidates: BTreeMap<String, Kind> = BTreeMap::new();
    if fresh {
        for (kind, id, _) in local::read_all(&mut tx, pid).await? {
            candidates.insert(id, kind);
        }
    } else {
        let changed: Vec<(String, Option<String>, String)> = sqlx::query_as(
            "SELECT DISTINCT coalesce(subject, entity_id), subject, entity FROM outbox \
             WHERE project_id = ? AND id <= ?",
        )
        .bind(pid)
        .bind(max_before)
        .fetch_all(&mut *tx)
        .await?;
        for (id, _, entity) in changed {
            let kind = match entity.as_str() {
                "story" => Kind::Story,
                "context" | "context_story" => Kind::Context,
                _ => Kind::Component,
            };
            candidates.insert(id, kind);
        }
    }
    let mut open: HashMap<String, Vec<ConflictRow>> = HashMap::new();
    let rows: Vec<(String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT entity_id, kind, field, label, base, theirs FROM docs_conflicts WHERE project_id = ?",
    )
    .bind(pid)
    .fetch_all(&mut *tx)
    .await?;
    for (id, kind, field, label, base, theirs) in rows {
        let kind = kind_of(&kind)?;
        let json = |s: &str| serde_json::from_str(s).unwrap_or(Value::Null);
        candidates.insert(id.clone(), kind);
        open.entry(id).or_default().push(ConflictRow {
            kind,
            field,
            label,
            base: json(&base),
            theirs: json(&theirs),
        });
    }
    let side = match &head {
        Some(h) => remote_side(&mut tx, pid, dir, synced.as_deref(), h).await?,
        None => RemoteSide {
            docs: HashMap::new(),
            deleted: BTreeSet::new(),
            problems: vec![],
            checked: vec![],
        },
    };
    for (id, (kind, _, _)) in &side.docs {
        candidates.insert(id.clone(), *kind);
    }
    for id in &side.deleted {
        if let Some(b) = base_of(&mut tx, pid, id).await? {
            candidates.insert(id.clone(), b.kind);
        }
    }

    let mut problems = side.problems.clone();
    let mut decisions: Vec<(String, Option<Base>, Decision)> = Vec::new();
    for (id, kind) in candidates {
        let base = if fresh { None } else { base_of(&mut tx, pid, &id).await? };
        let kind = base.as_ref().map(|b| b.kind).unwrap_or(kind);
        if let Some((k, path, _)) = side.docs.get(&id) {
            if *k != kind {
                problems.push(Problem {
                    path: path.clone(),
                    message: format!(
                        "its id belongs to a {} elsewhere in the repository",
                        kind.as_str()
                    ),
                });
                continue;
            }
        }
        let local = local::read(&mut tx, pid, kind, &id).await?;
        let remote = match side.docs.get(&id) {
            Some((_, _, doc)) => Some(doc.fields.clone()),
            None if side.deleted.contains(&id) || fresh => None,
            None => base.as_ref().map(|b| b.fields.clone()),
        };
        let decision = decide(
            kind,
            base.as_ref().map(|b| &b.fields),
            local,
            remote,
            open.get(&id).map(Vec::as_slice).unwrap_or_default(),
        );
        decisions.push((id, base, decision));
    }

    // The database's side: entities first (stories, contexts, then components, which may
    // point at a context), then deletes, then the links between them.
    let mut failed: BTreeSet<String> = BTreeSet::new();
    let mut imported = 0u32;
    let path_of = |id: &str, base: &Option<Base>| {
        side.docs
            .get(id)
            .map(|(_, p, _)| p.clone())
            .or_else(|| base.as_ref().map(|b| b.path.clone()))
    };
    for pass in [Kind::Story, Kind::Context, Kind::Component] {
        for (id, base, d) in decisions.iter().filter(|(_, _, d)| d.kind == pass) {
            if d.local_after == d.local_before || d.local_after.is_none() {
                continue;
            }
            let written = local::write(
                &mut tx,
                &now,
                pid,
                d.kind,
                id,
                d.local_before.as_ref(),
                d.local_after.as_ref(),
            )
            .await;
            if let Err(e) = written {
                problems.push(Problem {
                    path: path_of(id, base).unwrap_or_else(|| id.clone()),
                    message: format!("not imported: {e}"),
                });
                failed.insert(id.clone());
            } else {
                imported += 1;
            }
        }
    }
    // A story whose text came from elsewhere lost its approval here: that is published too.
    for (id, _, d) in decisions.iter_mut() {
        if d.kind != Kind::Story || failed.contains(id) || d.local_after == d.local_before {
            continue;
        }
        let now_here = local::read(&mut tx, pid, d.kind, id).await?;
        let approved = |f: &Option<Fields>| f.as_ref().and_then(|f| f.get("approved")).cloned();
        if let (Some(a), Some(repo)) = (approved(&now_here), d.repo.as_mut()) {
            if approved(&d.local_after) != Some(a.clone()) {
                repo.insert("approved".into(), a);
            }
        }
        d.local_after = now_here;
    }
    for (id, _, d) in &decisions {
        if d.local_after.is_none() && d.local_before.is_some() {
            local::write(&mut tx, &now, pid, d.kind, id, d.local_before.as_ref(), None).await?;
            imported += 1;
        }
    }
    for (id, _, d) in &decisions {
        if let Some(after) = d.local_after.as_ref().filter(|_| !failed.contains(id)) {
            let before = if d.local_before.is_some() { d.local_before.as_ref() } else { None };
            local::write_links(&mut tx, &now, pid, d.kind, id, before, after).await?;
        }
    }

    // The repository's side.
    let mut writes: Vec<(String, Option<String>)> = Vec::new();
    let mut bases: Vec<(String, Option<Base>)> = Vec::new();
    let mut conflicts: Vec<(String, Vec<ConflictRow>)> = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    for (id, base, d) in &decisions {
        if failed.contains(id) {
            continue;
        }
        if d.conflicts_changed {
            conflicts.push((id.clone(), d.conflicts.clone()));
        }
        let remote_version =
            side.docs.get(id).map(|(_, _, doc)| doc.version).or(base.as_ref().map(|b| b.version));
        let known_path = path_of(id, base);
        let new_base = match &d.repo {
            None => None,
            Some(fields) => {
                let path = match &known_path {
                    Some(p) => p.clone(),
                    None => {
                        free_path(&mut tx, pid, d.kind, id, &label(d.kind, Some(fields))).await?
                    }
                };
                let changed = d.repo != d.remote;
                let version = remote_version.unwrap_or(0) + i64::from(changed);
                if changed {
                    let doc = Doc { id: id.clone(), version, fields: fields.clone() };
                    writes.push((path.clone(), Some(render(d.kind, &doc))));
                    lines.push(edit_line(d.kind, fields, d.remote.as_ref()));
                }
                Some(Base { kind: d.kind, path, version, fields: fields.clone() })
            }
        };
        if d.repo.is_none() && d.remote.is_some() {
            if let Some(p) = &known_path {
                writes.push((p.clone(), None));
                lines.push(format!(
                    "- {} \"{}\": deleted",
                    d.kind.as_str(),
                    label(d.kind, d.remote.as_ref())
                ));
            }
        }
        if new_base != *base || fresh {
            bases.push((id.clone(), new_base));
        }
    }
    let published = lines.len() as u32;
    let commit = if writes.is_empty() {
        None
    } else {
        let message = commit_message(&lines);
        let readme = format!(
            "# {} — specification\n\nOne file per story (`stories/`), bounded context (`contexts/`) and \
             component (`components/`), kept by CodeMySpec. Edit them here or in the app; \
             the front matter's `id` is what names an entity, not its file name.\n",
            project.module_name
        );
        repo::commit(&git, head.as_deref(), &writes, &readme, author, &message)?
    };
    let outbox_max: i64 =
        sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM outbox WHERE project_id = ?")
            .bind(pid)
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await.map_err(Error::from)?;
    Ok(Prepared {
        head: commit.clone().or(head),
        commit,
        outbox_max,
        bases,
        conflicts,
        checked_paths: side.checked,
        problems,
        published,
        imported,
    })
}

/// A path for a new entity's file that no other entity uses.
async fn free_path(
    conn: &mut SqliteConnection,
    project_id: &str,
    kind: Kind,
    id: &str,
    label: &str,
) -> Result<String> {
    let path = path_for(kind, id, label);
    let taken: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM docs_entities WHERE project_id = ? AND path = ? AND entity_id <> ?)",
    )
    .bind(project_id)
    .bind(&path)
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(if taken { path_for(kind, id, &format!("{label} {id}")) } else { path })
}

fn edit_line(kind: Kind, fields: &Fields, before: Option<&Fields>) -> String {
    let name = label(kind, Some(fields));
    match before {
        None => format!("- {} \"{name}\": new", kind.as_str()),
        Some(b) => {
            let changed: Vec<&str> = fields
                .iter()
                .filter(|(k, v)| b.get(k.as_str()) != Some(v))
                .map(|(k, _)| k.as_str())
                .collect();
            format!("- {} \"{name}\": {}", kind.as_str(), changed.join(", "))
        }
    }
}

fn commit_message(lines: &[String]) -> String {
    const SHOWN: usize = 100;
    let n = lines.len();
    let mut message =
        format!("Spec: {n} {} edited\n\n", if n == 1 { "entity" } else { "entities" });
    for line in lines.iter().take(SHOWN) {
        message.push_str(line);
        message.push('\n');
    }
    if n > SHOWN {
        message.push_str(&format!("- … and {} more\n", n - SHOWN));
    }
    message
}

/// The push went through (or there was nothing to push): the merge becomes the base.
async fn finish(store: &Store, project_id: &str, p: Prepared, merges: u32) -> Result<SyncReport> {
    let now = store.now();
    let mut tx = store.write().await?;
    for (id, base) in &p.bases {
        match base {
            Some(b) => {
                sqlx::query(
                    "INSERT INTO docs_entities (project_id, entity_id, kind, path, version, fields) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (project_id, entity_id) DO UPDATE \
                     SET kind = ?3, path = ?4, version = ?5, fields = ?6",
                )
                .bind(project_id)
                .bind(id)
                .bind(b.kind.as_str())
                .bind(&b.path)
                .bind(b.version)
                .bind(serde_json::to_string(&b.fields).unwrap_or_default())
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM docs_entities WHERE project_id = ? AND entity_id = ?")
                    .bind(project_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
    }
    for (id, rows) in &p.conflicts {
        sqlx::query("DELETE FROM docs_conflicts WHERE project_id = ? AND entity_id = ?")
            .bind(project_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for row in rows {
            sqlx::query(
                "INSERT INTO docs_conflicts (project_id, entity_id, kind, field, label, base, theirs, at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(project_id)
            .bind(id)
            .bind(row.kind.as_str())
            .bind(&row.field)
            .bind(&row.label)
            .bind(row.base.to_string())
            .bind(row.theirs.to_string())
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
    }
    for path in &p.checked_paths {
        sqlx::query("DELETE FROM docs_problems WHERE project_id = ? AND path = ?")
            .bind(project_id)
            .bind(path)
            .execute(&mut *tx)
            .await?;
    }
    for problem in &p.problems {
        sqlx::query(
            "INSERT INTO docs_problems (project_id, path, message, at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (project_id, path) DO UPDATE SET message = ?3, at = ?4",
        )
        .bind(project_id)
        .bind(&problem.path)
        .bind(&problem.message)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DELETE FROM outbox WHERE project_id = ? AND id <= ?")
        .bind(project_id)
        .bind(p.outbox_max)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO docs_sync (project_id, synced_commit, synced_at, attempted_at, error, offline) \
         VALUES (?1, ?2, ?3, ?3, NULL, 0) ON CONFLICT (project_id) DO UPDATE \
         SET synced_commit = ?2, synced_at = ?3, attempted_at = ?3, error = NULL, offline = 0",
    )
    .bind(project_id)
    .bind(&p.head)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    let open: i64 = sqlx::query_scalar("SELECT count(*) FROM docs_conflicts WHERE project_id = ?")
        .bind(project_id)
        .fetch_one(&mut *tx)
        .await?;
    let problems = all_problems(&mut tx, project_id).await?;
    tx.commit().await?;
    Ok(SyncReport {
        commit: p.commit,
        synced_commit: p.head,
        published: p.published,
        imported: p.imported,
        conflicts: open as u32,
        problems,
        merges,
    })
}

async fn all_problems(conn: &mut SqliteConnection, project_id: &str) -> Result<Vec<Problem>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT path, message FROM docs_problems WHERE project_id = ? ORDER BY path",
    )
    .bind(project_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(path, message)| Problem { path, message }).collect())
}

/// Where a project's spec stands with its docs repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PublishState {
    /// No docs repository yet.
    NoRepository,
    /// Everything here is in the repository.
    Published,
    /// Edits wait for the next sync.
    Pending,
    /// The last sync could not reach the repository; edits wait and it retries.
    Offline,
    /// The last sync failed for another reason (see `error`).
    Failing,
    /// Clashes wait for a choice.
    Conflicts,
}

/// What `codemyspec docs status` and the window's publish line show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DocsStatus {
    pub project: String,
    pub state: PublishState,
    pub docs_repo: Option<String>,
    pub outbox: outbox::Pending,
    pub synced_commit: Option<String>,
    pub synced_at: Option<String>,
    pub attempted_at: Option<String>,
    pub error: Option<String>,
    pub offline: bool,
    pub conflicts: u32,
    pub problems: Vec<Problem>,
}

pub async fn status(store: &Store, actor: &str, project_id: &str) -> Result<DocsStatus> {
    let pending = outbox::pending(store, actor, project_id).await?;
    let project = crate::projects::get(store, actor, project_id).await?;
    let mut conn = store.pool().acquire().await?;
    type Row = (Option<String>, Option<String>, Option<String>, Option<String>, bool);
    let row: Option<Row> = sqlx::query_as(
        "SELECT synced_commit, synced_at, attempted_at, error, offline FROM docs_sync WHERE project_id = ?",
    )
    .bind(&project.id)
    .fetch_optional(&mut *conn)
    .await?;
    let (synced_commit, synced_at, attempted_at, error, offline) =
        row.unwrap_or((None, None, None, None, false));
    let conflicts: i64 = sqlx::query_scalar(
        "SELECT count(DISTINCT entity_id) FROM docs_conflicts WHERE project_id = ?",
    )
    .bind(&project.id)
    .fetch_one(&mut *conn)
    .await?;
    let problems = all_problems(&mut conn, &project.id).await?;
    let state = if project.docs_repo.is_none() {
        PublishState::NoRepository
    } else if conflicts > 0 {
        PublishState::Conflicts
    } else if error.is_some() && offline {
        PublishState::Offline
    } else if error.is_some() {
        PublishState::Failing
    } else if pending.entities > 0 || synced_commit.is_none() {
        PublishState::Pending
    } else {
        PublishState::Published
    };
    Ok(DocsStatus {
        project: project.id,
        state,
        docs_repo: project.docs_repo,
        outbox: pending,
        synced_commit,
        synced_at,
        attempted_at,
        error,
        offline,
        conflicts: conflicts as u32,
        problems,
    })
}

/// A clash waiting for a choice, with both values as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DocsConflict {
    pub entity_id: String,
    /// `story`, `context` or `component`.
    pub kind: String,
    /// Its title or name.
    pub label: String,
    /// The field both sides changed, or `*` for an edit against a delete.
    pub field: String,
    /// The value here (`None`: deleted here).
    pub mine: Option<String>,
    /// The value in the repository (`None`: deleted there).
    pub theirs: Option<String>,
    /// The value both started from.
    pub base: Option<String>,
    pub at: String,
}

fn shown(kind: Kind, id: &str, value: &Value, whole: bool) -> Option<String> {
    match value {
        Value::Null => None,
        Value::Object(map) if whole => {
            let fields: Fields = map.clone().into_iter().collect();
            Some(render(kind, &Doc { id: id.to_owned(), version: 0, fields }))
        }
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => {
            Some(items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
        }
        other => Some(other.to_string()),
    }
}

pub async fn conflicts(store: &Store, actor: &str, project_id: &str) -> Result<Vec<DocsConflict>> {
    let project_id = validate::id("project_id", project_id)?;
    let mut conn = store.pool().acquire().await?;
    access::require(&mut *conn, actor, &project_id, access::Need::Read).await?;
    let rows: Vec<(String, String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT entity_id, kind, field, label, base, theirs, at FROM docs_conflicts \
         WHERE project_id = ? ORDER BY at, entity_id, field",
    )
    .bind(&project_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for (id, kind, field, label, base, theirs, at) in rows {
        let k = kind_of(&kind)?;
        let json = |s: &str| serde_json::from_str(s).unwrap_or(Value::Null);
        let whole = field == "*";
        let local = local::read(&mut conn, &project_id, k, &id).await?;
        let mine = match (&local, whole) {
            (None, _) => Value::Null,
            (Some(l), true) => Value::Object(l.clone().into_iter().collect()),
            (Some(l), false) => l.get(&field).cloned().unwrap_or(Value::Null),
        };
        out.push(DocsConflict {
            mine: shown(k, &id, &mine, whole),
            theirs: shown(k, &id, &json(&theirs), whole),
            base: shown(k, &id, &json(&base), whole),
            entity_id: id,
            kind,
            label,
            field,
            at,
        });
    }
    Ok(out)
}

/// How a person settles a clash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Keep this machine's values (they are published at the next sync).
    Mine,
    /// Take the repository's values.
    Theirs,
    /// An edited text for one field (`field` may be left out when only one clashes).
    Merged { field: Option<String>, text: String },
}

/// Settles the clashes on one entity and schedules a sync to publish the outcome.
pub async fn resolve(
    store: &Store,
    actor: &str,
    project_id: &str,
    entity_id: &str,
    choice: Resolution,
) -> Result<Vec<DocsConflict>> {
    let project_id = validate::id("project_id", project_id)?;
    let entity_id = validate::id("entity_id", entity_id)?;
    let now = store.now();
    let mut tx = store.write().await?;
    access::require(&mut *tx, actor, &project_id, access::Need::Write).await?;
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT kind, field, theirs FROM docs_conflicts WHERE project_id = ? AND entity_id = ?",
    )
    .bind(&project_id)
    .bind(&entity_id)
    .fetch_all(&mut *tx)
    .await?;
    let Some(kind) = rows.first().map(|r| kind_of(&r.0)).transpose()? else {
        return Err(Error::not_found("conflict"));
    };
    let local = local::read(&mut tx, &project_id, kind, &entity_id).await?;
    let json = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    let whole = rows.iter().find(|r| r.1 == "*").map(|r| json(&r.2));
    let mut settled: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
    match choice {
        Resolution::Mine => {
            // Counted as an edit here, so the next sync publishes it over theirs.
            sqlx::query(
                "INSERT INTO outbox (project_id, entity, entity_id, op, subject) VALUES (?1, ?2, ?3, ?4, ?3)",
            )
            .bind(&project_id)
            .bind(kind.as_str())
            .bind(&entity_id)
            .bind(if local.is_some() { "update" } else { "delete" })
            .execute(&mut *tx)
            .await?;
        }
        Resolution::Theirs => {
            let after = match whole {
                Some(Value::Object(map)) => Some(canonical(kind, map.into_iter().collect())),
                Some(_) => None,
                None => local.clone().map(|mut l| {
                    for (_, field, theirs) in &rows {
                        l.insert(field.clone(), json(theirs));
                    }
                    canonical(kind, l)
                }),
            };
            local::write(
                &mut tx,
                &now,
                &project_id,
                kind,
                &entity_id,
                local.as_ref(),
                after.as_ref(),
            )
            .await?;
            if let Some(after) = &after {
                local::write_links(
                    &mut tx,
                    &now,
                    &project_id,
                    kind,
                    &entity_id,
                    local.as_ref(),
                    after,
                )
                .await?;
            }
        }
        Resolution::Merged { field, text } => {
            if whole.is_some() {
                return Err(Error::invalid(
                    "keep",
                    "an edit against a delete is settled with mine or theirs, not an edited text",
                ));
            }
            let field = match field {
                Some(f) if settled.contains(&f) => f,
                Some(f) => {
                    return Err(Error::invalid("field", format!("{f} is not in conflict here")))
                }
                None if settled.len() == 1 => settled[0].clone(),
                None => {
                    return Err(Error::invalid(
                        "field",
                        format!("several fields clash here ({}); name one", settled.join(", ")),
                    ))
                }
            };
            if kind.set_fields().contains(&field.as_str()) {
                return Err(Error::invalid("field", format!("{field} is not a text")));
            }
            let mut after = local.clone().ok_or(Error::not_found(kind.as_str()))?;
            after.insert(field.clone(), Value::String(text));
            let after = canonical(kind, after);
            local::write(
                &mut tx,
                &now,
                &project_id,
                kind,
                &entity_id,
                local.as_ref(),
                Some(&after),
            )
            .await?;
            settled = vec![field];
        }
    }
    for field in &settled {
        sqlx::query(
            "DELETE FROM docs_conflicts WHERE project_id = ? AND entity_id = ? AND field = ?",
        )
        .bind(&project_id)
        .bind(&entity_id)
        .bind(field)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    let owner = crate::projects::get(store, actor, &project_id).await?.owner_id;
    schedule(store, &project_id, &owner, DEBOUNCE_SECS).await?;
    conflicts(store, actor, &project_id).await
}

fn job(project_id: &str, actor: &str, at: Option<chrono::DateTime<chrono::Utc>>) -> NewJob {
    NewJob {
        queue: QUEUE.into(),
        worker: WORKER.into(),
        args: JobArgs::from([
            ("project_id".to_owned(), project_id.to_owned()),
            ("actor_id".to_owned(), actor.to_owned()),
        ]),
        priority: 3,
        max_attempts: 20,
        scheduled_at: at,
        // One waiting sync per project: edits made meanwhile are in the outbox it reads.
        unique: Some(Unique {
            key: format!("{WORKER}:{project_id}"),
            period: chrono::Duration::days(3650),
            states: vec![JobState::Available, JobState::Scheduled, JobState::Retryable],
        }),
    }
}

/// Queues a sync of the project `delay_secs` from now, unless one is already waiting.
pub async fn schedule(store: &Store, project_id: &str, actor: &str, delay_secs: i64) -> Result<()> {
    let at = store.clock().now() + chrono::Duration::seconds(delay_secs);
    crate::jobs::insert(store, job(project_id, actor, Some(at))).await?;
    Ok(())
}

/// Queues a sync for every project that publishes to a docs repository (set up, or synced
/// before) — all of them (`all`: at start and on the heartbeat, to pull others' edits) or
/// those with unpublished edits. Returns how many were queued.
pub async fn schedule_projects(store: &Store, all: bool, delay_secs: i64) -> Result<usize> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT p.id, p.owner_id FROM projects p WHERE p.docs_repo IS NOT NULL \
         AND (p.setup_complete = 1 OR EXISTS (SELECT 1 FROM docs_sync s WHERE s.project_id = p.id \
              AND s.synced_commit IS NOT NULL)) \
         AND (?1 OR EXISTS (SELECT 1 FROM outbox o WHERE o.project_id = p.id))",
    )
    .bind(all)
    .fetch_all(store.pool())
    .await?;
    let at = store.clock().now() + chrono::Duration::seconds(delay_secs);
    let jobs: Vec<NewJob> = rows.iter().map(|(p, a)| job(p, a, Some(at))).collect();
    let n = jobs.len();
    if n > 0 {
        crate::jobs::insert_all(store, jobs).await?;
    }
    Ok(n)
}

/// Watches the outbox while the app or a worker runs: at start and every `interval_secs`,
/// a sync of every project (others' edits come in); after edits, a debounced sync of the
/// projects that have some. Ends when `stop` fires.
pub async fn watch(store: Store, interval_secs: u64, stop: CancellationToken) {
    let mut last_seen: Option<i64> = None;
    let mut last_all = std::time::Instant::now();
    let mut first = true;
    loop {
        let due_all = first || last_all.elapsed().as_secs() >= interval_secs;
        let max: std::result::Result<i64, sqlx::Error> =
            sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM outbox")
                .fetch_one(store.pool())
                .await;
        let result = match max {
            Ok(max) if due_all => {
                last_seen = Some(max);
                last_all = std::time::Instant::now();
                schedule_projects(&store, true, 0).await
            }
            Ok(max) if last_seen != Some(max) => {
                last_seen = Some(max);
                schedule_projects(&store, false, DEBOUNCE_SECS).await
            }
            Ok(_) => Ok(0),
            Err(e) => Err(e.into()),
        };
        match result {
            Ok(n) if n > 0 => store.notify_jobs(),
            Ok(_) => {}
            Err(e) => tracing::warn!("cannot queue docs syncs: {e}"),
        }
        first = false;
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
        }
    }
}

/// The runner's worker: one sync. A sync that cannot reach the repository, or is refused,
/// is retried with backoff (the edits wait in the outbox); one that cannot start at all
/// (no docs repository) is not.
pub async fn perform(
    run: JobRun,
    secrets: Arc<dyn SecretStore>,
) -> std::result::Result<(), JobFailure> {
    let project_id = run.job.args.get("project_id").cloned().unwrap_or_default();
    let actor = run.job.args.get("actor_id").cloned().unwrap_or_default();
    let done = tokio::select! {
        r = run_once(&run.store, &secrets, &actor, &project_id, &run.cancel) => r,
        _ = run.cancel.cancelled() => {
            return Err(JobFailure::new(FailureClass::Cancelled, "cancelled"));
        }
    };
    match done {
        Ok(report) => {
            tracing::info!(
                project = project_id,
                published = report.published,
                imported = report.imported,
                "docs sync"
            );
            Ok(())
        }
        Err(SyncError::Remote(PublishError::Cancelled)) => {
            Err(JobFailure::new(FailureClass::Cancelled, "cancelled"))
        }
        Err(SyncError::Store(
            e @ (Error::InvalidInput { .. } | Error::NotFound { .. } | Error::Forbidden { .. }),
        )) => Err(JobFailure::new(FailureClass::Step, e.to_string())),
        Err(e) => Err(JobFailure::new(FailureClass::Infrastructure, e.to_string())),
    }
}
