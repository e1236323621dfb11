//! The remote's side of one merge: how the remote's `main` relates to what this machine last
//! synced, and the spec files it holds that this merge must look at — parsed, or reported as
//! problems with their raw text kept for the conflict a local edit would make of them.

use super::*;
use crate::ids::ProjectId;

/// A docs file larger than this is a problem, reported with its path and never read.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// How the remote's `main` relates to the last synced commit: this decides what may delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum History {
    /// The remote has no `main` (a new repository, or one emptied since): the whole spec is
    /// published again; nothing is deleted here.
    Empty,
    /// Nothing was synced with this repository yet (a first sync, or a project pointed at
    /// another repository): every entity on either side is merged without a base.
    First,
    /// The remote's `main` is the synced commit or continues from it: only what changed since
    /// is read, and a file removed there deletes its entity here.
    Descends,
    /// The remote's `main` does not continue from the synced commit (a force-push, a
    /// repository recreated, a synced commit the clone does not have): every file is read and
    /// merged against the base, but nothing is deleted here; what the remote lacks is
    /// published again.
    Unrelated,
}

impl History {
    pub(super) fn of(git: &git2::Repository, head: Option<&str>, synced: Option<&str>) -> History {
        match (head, synced) {
            (None, _) => History::Empty,
            (Some(_), None) => History::First,
            (Some(h), Some(s)) if repo::descends(git, h, s) => History::Descends,
            (Some(_), Some(_)) => History::Unrelated,
        }
    }

    /// Whether the merge runs against the bases of the last synced commit.
    pub(super) fn has_base(self) -> bool {
        matches!(self, History::Descends | History::Unrelated)
    }
}

/// What the remote's `main` holds, as far as this merge needs it.
#[derive(Default)]
pub(super) struct RemoteSide {
    /// Readable spec files, by the id in their front matter: kind, path, content.
    pub(super) docs: HashMap<String, (Kind, String, Doc)>,
    /// Entities whose files were removed since the synced commit (only when it `Descends`).
    pub(super) deleted: BTreeSet<String>,
    pub(super) problems: Vec<Problem>,
    /// Unreadable files by path, with their text when it was small enough to read.
    pub(super) broken: HashMap<String, Option<String>>,
    /// Every spec file path on `main` that this merge listed (all of them unless it
    /// `Descends`), with the id it holds when it could be read.
    pub(super) paths: HashMap<String, Option<String>>,
    /// Files read this time: their old problems are settled by what this merge found.
    pub(super) checked: Vec<String>,
    /// Entities of files a person added without an id: their id is written into them.
    pub(super) handmade: BTreeSet<String>,
}

impl RemoteSide {
    fn problem(&mut self, path: &str, message: String, text: Option<String>) {
        self.problems.push(Problem { path: path.to_owned(), message });
        self.broken.insert(path.to_owned(), text);
        self.paths.insert(path.to_owned(), None);
    }
}

/// Reads the files this merge must look at: those changed since the synced commit when the
/// remote's history `Descends` from it, every file otherwise, and the files that could not be
/// read before (read again until they can).
pub(super) async fn read(
    conn: &mut SqliteConnection,
    project_id: &ProjectId,
    dir: &std::path::Path,
    history: History,
    synced: Option<&str>,
    head: Option<&str>,
) -> std::result::Result<RemoteSide, SyncError> {
    let Some(head) = head else { return Ok(RemoteSide::default()) };
    // Owned (a `&Repository` is not `Send` across the awaits below): the git work is done in
    // plain functions between them.
    let git = repo::open(dir)?;
    let earlier: Vec<String> =
        sqlx::query_scalar("SELECT path FROM docs_problems WHERE project_id = ?")
            .bind(project_id)
            .fetch_all(&mut *conn)
            .await?;
    let files = files_to_read(&git, history, synced, head, earlier)?;
    let mut side = RemoteSide {
        checked: files.iter().map(|f| f.path.clone()).collect(),
        ..RemoteSide::default()
    };
    let mut gone_paths = Vec::new();
    for file in &files {
        let Some(blob) = file.blob else {
            gone_paths.push(file.path.clone());
            continue;
        };
        let Some((fields, text)) = read_file(&git, file, blob, &mut side)? else { continue };
        // Where an entity's file was, a file without an id is that file with its id line
        // lost, not a new entity (which would delete the old one).
        let was = entity_at(conn, project_id, &file.path).await?;
        add_handmade(&git, head, file, blob, fields, text, was, &mut side);
    }
    if history == History::Descends {
        find_deleted(conn, project_id, gone_paths, &mut side).await?;
    }
    Ok(side)
}

/// The files to read: changed since `synced` (or all of them), with `earlier`'s problem
/// files added.
fn files_to_read(
    git: &git2::Repository,
    history: History,
    synced: Option<&str>,
    head: &str,
    earlier: Vec<String>,
) -> std::result::Result<Vec<repo::Changed>, PublishError> {
    let mut files = match history {
        History::Descends if Some(head) == synced => Vec::new(),
        History::Descends => repo::changed(git, synced, head)?,
        _ => repo::all_files(git, head)?,
    };
    for path in earlier {
        if files.iter().any(|f| f.path == path) {
            continue;
        }
        let blob = repo::blob_at(git, head, &path);
        if let Some(kind) = Kind::of_path(&path) {
            files.push(repo::Changed { path, kind, blob });
        }
    }
    Ok(files)
}

/// Reads one file into `side` (a doc, or a problem). A file a person added without an id
/// comes back, with its text, to be made an entity ([`add_handmade`]).
fn read_file(
    git: &git2::Repository,
    file: &repo::Changed,
    blob: git2::Oid,
    side: &mut RemoteSide,
) -> std::result::Result<Option<(Fields, String)>, PublishError> {
    let size = repo::size(git, blob)?;
    if size > MAX_FILE_BYTES {
        let message = format!(
            "it is {size} bytes, more than the {} KiB a spec file may have; it was not read",
            MAX_FILE_BYTES / 1024
        );
        side.problem(&file.path, message, None);
        return Ok(None);
    }
    let text = repo::text(git, blob)?;
    match parse(file.kind, &text) {
        Ok(doc) => {
            if let Some((_, other, _)) = side.docs.get(&doc.id) {
                let message = format!("its id {} is also the id of {other}", doc.id);
                side.problem(&file.path, message, Some(text));
                return Ok(None);
            }
            side.paths.insert(file.path.clone(), Some(doc.id.clone()));
            side.docs.insert(doc.id.clone(), (file.kind, file.path.clone(), doc));
        }
        Err(e) => match codemyspec_specdocs::parse_handmade(file.kind, &text) {
            // A file a person added without an id: a new entity (docs/DOCS_SYNC.md).
            Some(Ok(fields)) => return Ok(Some((fields, text))),
            Some(Err(why)) => side.problem(&file.path, why.to_string(), Some(text)),
            None => side.problem(&file.path, e.to_string(), Some(text)),
        },
    }
    Ok(None)
}

/// The entity whose file was at `path` in the synced commit, if any.
async fn entity_at(
    conn: &mut SqliteConnection,
    project_id: &ProjectId,
    path: &str,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT entity_id FROM docs_entities WHERE project_id = ? AND path = ?")
        .bind(project_id)
        .bind(path)
        .fetch_optional(&mut *conn)
        .await?)
}

/// A file without an id becomes an entity whose id every machine derives alike; unless an
/// entity's file was there (`was`): then it is that file with its id line lost.
#[allow(clippy::too_many_arguments)] // one file: where it is, what it holds, what was there
fn add_handmade(
    git: &git2::Repository,
    head: &str,
    file: &repo::Changed,
    blob: git2::Oid,
    fields: Fields,
    text: String,
    was: Option<String>,
    side: &mut RemoteSide,
) {
    if let Some(was) = was {
        let message = format!(
            "its front matter has no `id`: add back the line `id: {was}` (this is that {}'s \
             file; only a new file without an id is a new entity)",
            file.kind.as_str()
        );
        side.problem(&file.path, message, Some(text));
        return;
    }
    let first = repo::first_blob(git, head, &file.path).unwrap_or(blob);
    let id = repo::handmade_id(&file.path, first);
    if side.docs.contains_key(&id) {
        return;
    }
    side.paths.insert(file.path.clone(), Some(id.clone()));
    side.handmade.insert(id.clone());
    let doc = Doc { id: id.clone(), version: 0, fields };
    side.docs.insert(id, (file.kind, file.path.clone(), doc));
}

/// A file removed since the synced commit, or one that now holds another entity, takes its
/// entity away — unless that entity's file is elsewhere now (moved).
async fn find_deleted(
    conn: &mut SqliteConnection,
    project_id: &ProjectId,
    gone_paths: Vec<String>,
    side: &mut RemoteSide,
) -> Result<()> {
    let replaced = side.paths.iter().filter(|(_, id)| id.is_some()).map(|(p, _)| p.clone());
    for path in gone_paths.into_iter().chain(replaced.collect::<Vec<_>>()) {
        let id = entity_at(conn, project_id, &path).await?;
        if let Some(id) = id.filter(|id| !side.docs.contains_key(id)) {
            side.deleted.insert(id);
        }
    }
    Ok(())
}
