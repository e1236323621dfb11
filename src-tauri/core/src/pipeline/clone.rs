//! The git side of a working copy (issue 18): cloning a project's code repository for the
//! clone path, and making a generated project's folder a normal working copy after its push.
//! Either way the folder a setup leaves has `origin` at the code repository's URL (no
//! credentials in it: tokens only ever go through libgit2's credential callback) and `main`
//! tracking `origin/main`, so that `git pull` and `git push` work from a terminal with the
//! person's own git credentials.

use crate::git::{fetch_options, git_url, remote_error, step, PublishError};
use crate::secret::Secret;
use git2::build::RepoBuilder;
use git2::{BranchType, Repository};
use std::path::Path;
use tokio_util::sync::CancellationToken;

/// Clones `repo_url` into `into` (which must not exist yet) and returns the commit checked
/// out. A cancel stops the transfer at libgit2's next progress callback; what was written of
/// `into` is then removed, so a cancelled or failed clone leaves nothing half-made.
pub fn clone(
    repo_url: &str,
    into: &Path,
    token: Option<&Secret>,
    cancel: &CancellationToken,
) -> Result<String, PublishError> {
    // A clone that finished after the cancel is not kept either.
    let result = clone_into(repo_url, into, token, cancel).and_then(|head| {
        if cancel.is_cancelled() {
            Err(PublishError::Cancelled)
        } else {
            Ok(head)
        }
    });
    if result.is_err() && into.exists() {
        let _ = std::fs::remove_dir_all(into);
    }
    result
}

fn clone_into(
    repo_url: &str,
    into: &Path,
    token: Option<&Secret>,
    cancel: &CancellationToken,
) -> Result<String, PublishError> {
    if cancel.is_cancelled() {
        return Err(PublishError::Cancelled);
    }
    let fetch = fetch_options(repo_url, token, cancel);
    let url = git_url(repo_url);
    let repo = RepoBuilder::new().fetch_options(fetch).clone(&url, into).map_err(|e| {
        if cancel.is_cancelled() {
            PublishError::Cancelled
        } else {
            remote_error(repo_url, &e)
        }
    })?;
    if repo.head().is_err() {
        // The remote's HEAD names a branch it does not have (a bare repository made with
        // `master` as HEAD and `main` pushed): check its `main` out.
        check_out_main(&repo)?;
    }
    let head = repo.head().map_err(|e| step("git clone: the repository has no branch", e))?;
    let commit = head.peel_to_commit().map_err(|e| step("git clone", e))?;
    Ok(commit.id().to_string())
}

fn check_out_main(repo: &Repository) -> Result<(), PublishError> {
    let remote_main = repo.find_reference("refs/remotes/origin/main").map_err(|e| {
        step("git clone: the repository's HEAD names no branch and it has no main", e)
    })?;
    let commit = remote_main.peel_to_commit().map_err(|e| step("git clone", e))?;
    let mut branch = repo.branch("main", &commit, true).map_err(|e| step("git branch", e))?;
    branch.set_upstream(Some("origin/main")).map_err(|e| step("git branch --set-upstream", e))?;
    repo.set_head("refs/heads/main").map_err(|e| step("git checkout main", e))?;
    repo.checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
        .map_err(|e| step("git checkout main", e))
}

/// Makes `dir`'s repository a normal working copy of `repo_url` after its `main` was pushed
/// there: `origin` is the repository's URL, `refs/remotes/origin/main` is what was pushed,
/// and `main` tracks it.
pub fn track_origin(dir: &Path, repo_url: &str) -> Result<(), PublishError> {
    let repo = Repository::open(dir).map_err(|e| step("git open", e))?;
    let url = git_url(repo_url);
    match repo.find_remote("origin") {
        Ok(_) => repo.remote_set_url("origin", &url).map_err(|e| step("git remote set-url", e))?,
        Err(_) => {
            repo.remote("origin", &url).map_err(|e| step("git remote add", e))?;
        }
    }
    let main = repo.refname_to_id("refs/heads/main").map_err(|e| step("git rev-parse main", e))?;
    repo.reference("refs/remotes/origin/main", main, true, "pushed by the setup")
        .map_err(|e| step("git update-ref", e))?;
    let mut branch =
        repo.find_branch("main", BranchType::Local).map_err(|e| step("git branch", e))?;
    branch.set_upstream(Some("origin/main")).map_err(|e| step("git branch --set-upstream", e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::publish::{commit_all, push_main, Author};

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = std::process::Command::new("git").args(args).current_dir(dir).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    #[test]
    fn a_generated_folder_and_a_clone_both_track_origin_main_with_no_credentials_in_it() {
        let root = tempfile::tempdir().unwrap();
        let bare = root.path().join("acme/shop.git");
        Repository::init_bare(&bare).unwrap();
        let url = format!("file://{}", bare.display()).trim_end_matches(".git").to_owned();
        let made = root.path().join("made");
        std::fs::create_dir_all(&made).unwrap();
        std::fs::write(made.join("mix.exs"), "defmodule Shop.MixProject do\nend\n").unwrap();
        let author = Author { name: "Ada".into(), email: "ada@example.com".into() };
        commit_all(&made, &author, "first").unwrap();
        push_main(&made, &url, None, &CancellationToken::new()).unwrap();
        track_origin(&made, &url).unwrap();
        assert_eq!(git(&made, &["remote", "get-url", "origin"]), format!("{url}.git"));
        assert_eq!(git(&made, &["rev-parse", "--abbrev-ref", "main@{upstream}"]), "origin/main");
        assert_eq!(git(&made, &["status", "-sb"]).lines().next(), Some("## main...origin/main"));

        let cloned = root.path().join("cloned");
        let head = clone(&url, &cloned, None, &CancellationToken::new()).unwrap();
        assert_eq!(head, git(&made, &["rev-parse", "HEAD"]));
        assert_eq!(git(&cloned, &["remote", "get-url", "origin"]), format!("{url}.git"));
        assert_eq!(git(&cloned, &["rev-parse", "--abbrev-ref", "main@{upstream}"]), "origin/main");
        assert!(cloned.join("mix.exs").is_file());
    }

    #[test]
    fn a_cancelled_clone_leaves_no_folder() {
        let root = tempfile::tempdir().unwrap();
        let into = root.path().join("never");
        let cancel = CancellationToken::new();
        cancel.cancel();
        let e = clone("file:///nowhere/shop", &into, None, &cancel).unwrap_err();
        assert!(matches!(e, PublishError::Cancelled), "{e}");
        assert!(!into.exists());
    }
}
