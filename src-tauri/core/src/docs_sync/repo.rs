//! The docs repository's git side, through libgit2: a bare clone per project under the data
//! dir (`docs/<project id>.git`), fetched before each sync; the files that changed between
//! two commits; a commit built straight from blobs (no working tree, so its cost follows the
//! change, not the spec's size); and the push, which never forces.

use crate::git::{self, step, Author, PublishError};
use crate::secret::Secret;
use codemyspec_specdocs::Kind;
use git2::build::TreeUpdateBuilder;
use git2::{Delta, DiffOptions, FileMode, Oid, Repository, Signature};
use std::path::Path;
use tokio_util::sync::CancellationToken;

const REMOTE_MAIN: &str = "refs/remotes/origin/main";

/// Opens the project's bare clone, creating it when it is missing.
pub fn open(dir: &Path) -> Result<Repository, PublishError> {
    match Repository::open_bare(dir) {
        Ok(repo) => Ok(repo),
        Err(_) => {
            let mut opts = git2::RepositoryInitOptions::new();
            opts.bare(true).initial_head("main");
            Repository::init_opts(dir, &opts).map_err(|e| step("git init", e))
        }
    }
}

/// Fetches the remote's branches; returns its `main`, or `None` when it has none (an empty
/// repository).
pub fn fetch(
    dir: &Path,
    repo_url: &str,
    token: Option<&Secret>,
    cancel: &CancellationToken,
) -> Result<Option<String>, PublishError> {
    let repo = open(dir)?;
    if let Ok(mut old) = repo.find_reference(REMOTE_MAIN) {
        old.delete().map_err(|e| step("git update-ref", e))?;
    }
    let url = git::git_url(repo_url);
    let mut remote = repo.remote_anonymous(&url).map_err(|e| step("git remote", e))?;
    let mut options = git::fetch_options(repo_url, token, cancel);
    let fetched = remote.fetch(&["+refs/heads/*:refs/remotes/origin/*"], Some(&mut options), None);
    drop(options);
    if let Err(e) = fetched {
        return Err(if cancel.is_cancelled() {
            PublishError::Cancelled
        } else {
            git::remote_error(repo_url, &e)
        });
    }
    Ok(repo.refname_to_id(REMOTE_MAIN).ok().map(|oid| oid.to_string()))
}

/// A spec file that changed between two commits.
#[derive(Debug, Clone)]
pub struct Changed {
    pub path: String,
    pub kind: Kind,
    /// Its new content, `None` when it was deleted.
    pub blob: Option<Oid>,
}

fn commit_tree<'r>(repo: &'r Repository, commit: &str) -> Result<git2::Tree<'r>, PublishError> {
    let oid = Oid::from_str(commit).map_err(|e| step("commit id", e))?;
    repo.find_commit(oid).and_then(|c| c.tree()).map_err(|e| step("git read commit", e))
}

/// Whether `head` is `synced` or a descendant of it: the remote's history continues from
/// what this machine last synced. A force-push, a repository recreated, or a synced commit
/// the clone does not have is not (docs/DOCS_SYNC.md, "What may delete").
pub fn descends(repo: &Repository, head: &str, synced: &str) -> bool {
    let (Ok(head), Ok(synced)) = (Oid::from_str(head), Oid::from_str(synced)) else {
        return false;
    };
    if repo.find_commit(synced).is_err() || repo.find_commit(head).is_err() {
        return false;
    }
    head == synced || repo.graph_descendant_of(head, synced).unwrap_or(false)
}

/// The spec files that differ between `from` (none: the empty tree) and `to`.
pub fn changed(
    repo: &Repository,
    from: Option<&str>,
    to: &str,
) -> Result<Vec<Changed>, PublishError> {
    let old = from.map(|c| commit_tree(repo, c)).transpose()?;
    let new = commit_tree(repo, to)?;
    let mut opts = DiffOptions::new();
    for kind in Kind::ALL {
        opts.pathspec(kind.dir());
    }
    let diff = repo
        .diff_tree_to_tree(old.as_ref(), Some(&new), Some(&mut opts))
        .map_err(|e| step("git diff", e))?;
    let mut out = Vec::new();
    for delta in diff.deltas() {
        let gone = matches!(delta.status(), Delta::Deleted);
        let file = if gone { delta.old_file() } else { delta.new_file() };
        let Some(path) = file.path().and_then(|p| p.to_str()) else { continue };
        let Some(kind) = Kind::of_path(path) else { continue };
        out.push(Changed { path: path.to_owned(), kind, blob: (!gone).then(|| file.id()) });
    }
    Ok(out)
}

/// Every spec file of a commit.
pub fn all_files(repo: &Repository, commit: &str) -> Result<Vec<Changed>, PublishError> {
    changed(repo, None, commit)
}

/// The blob at `path` in `commit`, if there is one there.
pub fn blob_at(repo: &Repository, commit: &str, path: &str) -> Option<Oid> {
    let tree = commit_tree(repo, commit).ok()?;
    let entry = tree.get_path(Path::new(path)).ok()?;
    Some(entry.id())
}

/// A blob's size in bytes, read from its header (the content is not loaded).
pub fn size(repo: &Repository, blob: Oid) -> Result<usize, PublishError> {
    let odb = repo.odb().map_err(|e| step("git odb", e))?;
    let (size, _) = odb.read_header(blob).map_err(|e| step("git read blob", e))?;
    Ok(size)
}

/// A blob's text (invalid UTF-8 is replaced, and then fails to parse where it matters).
pub fn text(repo: &Repository, blob: Oid) -> Result<String, PublishError> {
    let blob = repo.find_blob(blob).map_err(|e| step("git read blob", e))?;
    Ok(String::from_utf8_lossy(blob.content()).into_owned())
}

/// Commits `writes` (path → new content, `None` to remove) on top of `parent`, and points
/// the clone's `main` at it. Returns `None` when the tree would not change: no empty commit
/// is ever made. The README (its overview kept current) goes with the commit when given.
pub fn commit(
    repo: &Repository,
    parent: Option<&str>,
    writes: &[(String, Option<String>)],
    readme: Option<&str>,
    author: &Author,
    message: &str,
) -> Result<Option<String>, PublishError> {
    let parent = parent
        .map(|c| {
            let oid = Oid::from_str(c).map_err(|e| step("commit id", e))?;
            repo.find_commit(oid).map_err(|e| step("git read commit", e))
        })
        .transpose()?;
    let base = match &parent {
        Some(p) => p.tree().map_err(|e| step("git read tree", e))?,
        None => {
            let empty = repo
                .treebuilder(None)
                .and_then(|b| b.write())
                .map_err(|e| step("git write-tree", e))?;
            repo.find_tree(empty).map_err(|e| step("git write-tree", e))?
        }
    };
    let mut update = TreeUpdateBuilder::new();
    // The README's overview follows what the commit holds; the same text is the same blob,
    // so an unchanged overview leaves the tree as it is.
    if let Some(readme) = readme {
        let blob = repo.blob(readme.as_bytes()).map_err(|e| step("git hash-object", e))?;
        update.upsert("README.md", blob, FileMode::Blob);
    }
    for (path, content) in writes {
        match content {
            Some(text) => {
                let blob = repo.blob(text.as_bytes()).map_err(|e| step("git hash-object", e))?;
                update.upsert(path.as_str(), blob, FileMode::Blob);
            }
            None => {
                update.remove(path.as_str());
            }
        }
    }
    let tree_id = update.create_updated(repo, &base).map_err(|e| step("git write-tree", e))?;
    if parent.is_some() && tree_id == base.id() {
        return Ok(None);
    }
    let tree = repo.find_tree(tree_id).map_err(|e| step("git write-tree", e))?;
    let sig = Signature::now(&author.name, &author.email).map_err(|e| step("commit author", e))?;
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    let oid = repo
        .commit(None, &sig, &sig, message, &tree, &parents)
        .map_err(|e| step("git commit", e))?;
    repo.reference("refs/heads/main", oid, true, "docs sync")
        .map_err(|e| step("git update-ref", e))?;
    Ok(Some(oid.to_string()))
}

/// Pushes the clone's `main`; a remote that moved on is [`PublishError::Behind`] (the sync
/// fetches and merges again).
pub fn push(
    dir: &Path,
    repo_url: &str,
    token: Option<&Secret>,
    cancel: &CancellationToken,
) -> Result<(), PublishError> {
    git::push_main(dir, repo_url, token, cancel)
}

/// The blob a file had when it first appeared at `path` in `head`'s first-parent history
/// (the commit that added it, as far back as it was there without a break). Two machines
/// reading the same repository find the same blob, however many edits came since.
pub fn first_blob(repo: &Repository, head: &str, path: &str) -> Option<Oid> {
    let mut commit = repo.find_commit(Oid::from_str(head).ok()?).ok()?;
    let mut first = None;
    loop {
        match commit.tree().ok().and_then(|t| t.get_path(Path::new(path)).ok()) {
            Some(entry) => first = Some(entry.id()),
            None => return first,
        }
        match commit.parent(0) {
            Ok(parent) => commit = parent,
            Err(_) => return first,
        }
    }
}

/// The id of an entity a person added by hand (a file without an `id`): derived from the
/// file's path and its first blob, so every machine that imports that file before the id is
/// written into it makes the same entity (a name-based UUID, version 5's layout over SHA-1).
pub fn handmade_id(path: &str, first_blob: Oid) -> String {
    let seed = format!("codemyspec handmade\0{path}\0{first_blob}");
    let hash = Oid::hash_object(git2::ObjectType::Blob, seed.as_bytes()).unwrap_or(first_blob);
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash.as_bytes()[..16]);
    uuid::Builder::from_sha1_bytes(bytes).into_uuid().to_string()
}
