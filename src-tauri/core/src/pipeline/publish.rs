//! The setup's publish: one commit of everything the generated `.gitignore` allows, on
//! `main`, pushed to the project's repository through [`crate::git`] (which the docs sync
//! pushes through as well). A failed publish is the job failure [`failure`] makes of it.

use crate::git::step;
pub use crate::git::{
    git_url, push_main, push_main_over, remote_state, Author, PublishError, RemoteState,
};
use git2::{IndexAddOption, Repository, Signature};
use std::path::Path;

/// The job failure a publish error is: a step's, the infrastructure's (retried), or a cancel.
pub fn failure(e: PublishError) -> crate::runner::JobFailure {
    use crate::jobs::FailureClass;
    use crate::runner::JobFailure;
    match e {
        PublishError::Step(m) | PublishError::Behind(m) => JobFailure::new(FailureClass::Step, m),
        PublishError::Infrastructure(m) => JobFailure::new(FailureClass::Infrastructure, m),
        PublishError::Cancelled => JobFailure::new(FailureClass::Cancelled, "cancelled"),
    }
}

/// Makes `dir` a repository on `main` (if it is not one) and commits everything not
/// ignored. Returns the commit id. When `main` already holds exactly this tree (a retry
/// after a partial publish), that commit is returned and no new one is made, so that a
/// remote that already has it is already up to date.
pub fn commit_all(dir: &Path, author: &Author, message: &str) -> Result<String, PublishError> {
    let repo = match Repository::open(dir) {
        Ok(repo) => repo,
        Err(_) => {
            let mut opts = git2::RepositoryInitOptions::new();
            opts.initial_head("main");
            Repository::init_opts(dir, &opts).map_err(|e| step("git init", e))?
        }
    };
    let mut index = repo.index().map_err(|e| step("git index", e))?;
    index.add_all(["*"], IndexAddOption::DEFAULT, None).map_err(|e| step("git add", e))?;
    index.write().map_err(|e| step("git add", e))?;
    let tree_id = index.write_tree().map_err(|e| step("git write-tree", e))?;
    let tree = repo.find_tree(tree_id).map_err(|e| step("git write-tree", e))?;
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    if let Some(head) = parent.as_ref().filter(|c| c.tree_id() == tree_id) {
        return Ok(head.id().to_string());
    }
    let sig = Signature::now(&author.name, &author.email).map_err(|e| step("commit author", e))?;
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    let oid = repo
        .commit(Some("refs/heads/main"), &sig, &sig, message, &tree, &parents)
        .map_err(|e| step("git commit", e))?;
    repo.set_head("refs/heads/main").map_err(|e| step("git checkout main", e))?;
    Ok(oid.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_util::sync::CancellationToken;

    fn author() -> Author {
        Author { name: "Ada".into(), email: "ada@example.com".into() }
    }

    /// A bare repository `acme/NAME.git` under `remote`: its path and its project URL.
    fn bare_repo(remote: &Path, name: &str) -> (std::path::PathBuf, String) {
        let path = remote.join(format!("acme/{name}.git"));
        Repository::init_bare(&path).unwrap();
        (path, format!("file://{}", remote.join("acme").join(name).display()))
    }

    #[test]
    fn a_tree_is_committed_on_main_without_what_gitignore_excludes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".gitignore"), "/_build\n").unwrap();
        std::fs::create_dir(dir.path().join("_build")).unwrap();
        std::fs::write(dir.path().join("_build/x.beam"), "bin").unwrap();
        std::fs::create_dir(dir.path().join("lib")).unwrap();
        std::fs::write(dir.path().join("lib/app.ex"), "defmodule App do end\n").unwrap();
        let id = commit_all(dir.path(), &author(), "Initial commit").unwrap();
        let repo = Repository::open(dir.path()).unwrap();
        let head = repo.head().unwrap();
        assert_eq!(head.name().ok(), Some("refs/heads/main"));
        let commit = head.peel_to_commit().unwrap();
        assert_eq!(commit.id().to_string(), id);
        assert_eq!(commit.author().email().ok(), Some("ada@example.com"));
        let tree = commit.tree().unwrap();
        assert!(tree.get_path(Path::new("lib/app.ex")).is_ok());
        assert!(tree.get_path(Path::new(".gitignore")).is_ok());
        assert!(tree.get_path(Path::new("_build/x.beam")).is_err(), "ignored files stay out");
    }

    #[test]
    fn pushing_to_a_bare_repository_and_to_nowhere() {
        let work = tempfile::tempdir().unwrap();
        std::fs::write(work.path().join("README.md"), "hi\n").unwrap();
        commit_all(work.path(), &author(), "first").unwrap();
        let remote = tempfile::tempdir().unwrap();
        let (bare, url) = bare_repo(remote.path(), "shop");
        let go = CancellationToken::new();
        push_main(work.path(), &url, None, &go).unwrap();
        let pushed = Repository::open_bare(&bare).unwrap();
        let main = pushed.find_reference("refs/heads/main").unwrap().peel_to_commit().unwrap();
        assert_eq!(main.message().ok(), Some("first"));

        let err = push_main(work.path(), "http://127.0.0.1:9/acme/gone", None, &go).unwrap_err();
        assert!(matches!(err, PublishError::Infrastructure(_)), "{err:?}");
    }

    #[test]
    fn publishing_twice_is_one_commit_and_a_foreign_main_is_never_overwritten() {
        let work = tempfile::tempdir().unwrap();
        std::fs::write(work.path().join("README.md"), "hi\n").unwrap();
        let first = commit_all(work.path(), &author(), "first").unwrap();
        let again = commit_all(work.path(), &author(), "first").unwrap();
        assert_eq!(first, again, "the same tree is the same commit");
        let remote = tempfile::tempdir().unwrap();
        let (bare, url) = bare_repo(remote.path(), "shop");
        let go = CancellationToken::new();
        push_main(work.path(), &url, None, &go).unwrap();
        push_main(work.path(), &url, None, &go).expect("the remote has it: up to date");

        // Somebody else's history on main: refused with the repository named, not forced.
        let other = tempfile::tempdir().unwrap();
        std::fs::write(other.path().join("theirs.txt"), "theirs\n").unwrap();
        let theirs = commit_all(other.path(), &author(), "theirs").unwrap();
        let (bare2, url2) = bare_repo(remote.path(), "taken");
        push_main(other.path(), &url2, None, &go).unwrap();
        let err = push_main(work.path(), &url2, None, &go).unwrap_err();
        assert!(
            matches!(&err, PublishError::Behind(m) if m.contains("acme/taken") && m.contains("did not make")),
            "{err:?}"
        );
        let main = Repository::open_bare(&bare2).unwrap().refname_to_id("refs/heads/main").unwrap();
        assert_eq!(main.to_string(), theirs, "their main is untouched");
        // Saying "replace my own commit" does not help when the remote holds someone else's.
        let err = push_main_over(work.path(), &url2, None, &go, Some(&first)).unwrap_err();
        assert!(matches!(&err, PublishError::Behind(m) if m.contains("did not make")), "{err:?}");
        let main = Repository::open_bare(&bare2).unwrap().refname_to_id("refs/heads/main").unwrap();
        assert_eq!(main.to_string(), theirs, "still untouched");
        // Over its own earlier commit, a new root replaces it.
        push_main_over(work.path(), &url2, None, &go, Some(&theirs)).unwrap();
        let main = Repository::open_bare(&bare2).unwrap().refname_to_id("refs/heads/main").unwrap();
        assert_eq!(main.to_string(), first, "replaced, because it was ours");

        let cancelled = CancellationToken::new();
        cancelled.cancel();
        std::fs::write(work.path().join("more.txt"), "more\n").unwrap();
        commit_all(work.path(), &author(), "second").unwrap();
        let err = push_main(work.path(), &url, None, &cancelled).unwrap_err();
        assert_eq!(err, PublishError::Cancelled);
        let main = Repository::open_bare(&bare).unwrap().refname_to_id("refs/heads/main").unwrap();
        assert_eq!(main.to_string(), first, "a cancelled push sends nothing");
    }
}
