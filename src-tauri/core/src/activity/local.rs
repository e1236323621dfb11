//! The project's working copy on this machine (the setup's folder, `origin` at the code
//! repository): fetching GitHub's branch into `refs/remotes/origin/{branch}`, counting the
//! commits of GitHub's head it does not have, and Pull — a fast-forward only. A diverged
//! branch or uncommitted changes in the way are reported and the working copy is left as it
//! was: merging, rebasing or resetting is the person's call, never the app's.
//!
//! All through libgit2; the token goes only through its credential callback, and only when
//! `origin` is on the host it was kept for.

use crate::error::PullReason;
use crate::git::{offer_token, remote_error};
use crate::secret::Secret;
use git2::build::CheckoutBuilder;
use git2::{CheckoutNotificationType, FetchOptions, Oid, RemoteCallbacks, Repository};
use serde::Serialize;
use std::path::Path;
use tokio_util::sync::CancellationToken;

/// What Pull did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Pulled {
    /// The working copy's head before and after.
    pub from: String,
    pub to: String,
    /// Commits it brought (0: it had them all).
    pub commits: u32,
}

/// Why a fetch or Pull did not happen, in the person's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub reason: PullReason,
    pub message: String,
}

fn refused(reason: PullReason, message: impl Into<String>) -> Refused {
    Refused { reason, message: message.into() }
}

fn open(dir: &Path) -> Result<Repository, Refused> {
    Repository::open(dir).map_err(|e| {
        refused(
            PullReason::NoWorkingCopy,
            format!("{} is not a git working copy ({})", dir.display(), e.message()),
        )
    })
}

/// `git fetch origin {branch}`: GitHub's branch into `refs/remotes/origin/{branch}`. The
/// token goes to `origin` only when it is on `token_host`.
pub fn fetch(
    dir: &Path,
    branch: &str,
    token_host: &str,
    token: Option<&Secret>,
) -> Result<Oid, Refused> {
    let repo = open(dir)?;
    fetch_in(&repo, branch, token_host, token)
}

fn fetch_in(
    repo: &Repository,
    branch: &str,
    token_host: &str,
    token: Option<&Secret>,
) -> Result<Oid, Refused> {
    let mut remote = repo.find_remote("origin").map_err(|_| {
        refused(PullReason::NoWorkingCopy, "the working copy has no `origin` remote")
    })?;
    let url = remote.url().unwrap_or_default().to_owned();
    let token = token.filter(|_| crate::secrets::host_of(&url).as_deref() == Some(token_host));
    let cancel = CancellationToken::new();
    let mut callbacks = RemoteCallbacks::new();
    offer_token(&mut callbacks, &url, token, &cancel);
    let mut options = FetchOptions::new();
    options.remote_callbacks(callbacks);
    let spec = format!("+refs/heads/{branch}:refs/remotes/origin/{branch}");
    remote
        .fetch(&[spec.as_str()], Some(&mut options), None)
        .map_err(|e| refused(PullReason::Unavailable, remote_error(&url, &e).to_string()))?;
    repo.refname_to_id(&format!("refs/remotes/origin/{branch}")).map_err(|_| {
        refused(PullReason::Unavailable, format!("GitHub has no branch {branch} in {url}"))
    })
}

/// How many commits of `head` (GitHub's head) the working copy's HEAD does not have; `None`
/// when it cannot tell (no working copy, or `head` was not fetched here).
pub fn behind(dir: &Path, head: &str) -> Option<u32> {
    let repo = Repository::open(dir).ok()?;
    let theirs = repo.find_commit(Oid::from_str(head).ok()?).ok()?.id();
    let ours = repo.head().ok()?.peel_to_commit().ok()?.id();
    count(&repo, theirs, ours)
}

/// Commits reachable from `from` and not from `not`.
fn count(repo: &Repository, from: Oid, not: Oid) -> Option<u32> {
    let mut walk = repo.revwalk().ok()?;
    walk.push(from).ok()?;
    walk.hide(not).ok()?;
    Some(walk.count() as u32)
}

/// Whether the working copy holds the commit `sha` already.
pub fn has(dir: &Path, sha: &str) -> bool {
    let Ok(repo) = Repository::open(dir) else { return false };
    Oid::from_str(sha).is_ok_and(|oid| repo.find_commit(oid).is_ok())
}

/// "1 commit", "3 commits".
fn commits_text(n: u32) -> String {
    format!("{n} commit{}", if n == 1 { "" } else { "s" })
}

/// Pull: fetch `branch`, then fast-forward the working copy to it, or say why not.
pub fn pull(
    dir: &Path,
    branch: &str,
    token_host: &str,
    token: Option<&Secret>,
) -> Result<Pulled, Refused> {
    let repo = open(dir)?;
    let head = repo.head().map_err(|e| {
        refused(
            PullReason::NoWorkingCopy,
            format!("the working copy has no commit yet ({})", e.message()),
        )
    })?;
    let local_ref = format!("refs/heads/{branch}");
    if head.name().ok() != Some(local_ref.as_str()) {
        let on = head.shorthand().ok().unwrap_or("a detached HEAD");
        return Err(refused(
            PullReason::NoWorkingCopy,
            format!("the working copy is on {on}, not {branch}: switch to {branch} (git switch {branch}), then Pull"),
        ));
    }
    let ours =
        head.peel_to_commit().map_err(|e| refused(PullReason::NoWorkingCopy, e.message()))?.id();
    let theirs = fetch_in(&repo, branch, token_host, token)?;
    if ours == theirs || repo.graph_descendant_of(ours, theirs).unwrap_or(false) {
        let ahead = count(&repo, ours, theirs).unwrap_or(0);
        if ahead > 0 {
            tracing::info!(ahead, "pull: the working copy is ahead of GitHub; nothing to bring");
        }
        return Ok(Pulled { from: ours.to_string(), to: ours.to_string(), commits: 0 });
    }
    let commits = count(&repo, theirs, ours).unwrap_or(0);
    if !repo.graph_descendant_of(theirs, ours).unwrap_or(false) {
        let mine = count(&repo, ours, theirs).unwrap_or(0);
        return Err(refused(
            PullReason::Diverged,
            format!(
                "the working copy and GitHub have diverged: {} here {} not on GitHub and {} on GitHub {} not here. \
                 Nothing was changed; merge or rebase them yourself (git pull --rebase origin {branch}), then push",
                commits_text(mine),
                if mine == 1 { "is" } else { "are" },
                commits_text(commits),
                if commits == 1 { "is" } else { "are" }
            ),
        ));
    }
    // The files first, safely (a file changed here that the pull would write stops it),
    // then the branch: a refused checkout leaves the branch where it was.
    let target =
        repo.find_commit(theirs).map_err(|e| refused(PullReason::Unavailable, e.message()))?;
    let mut in_the_way = Vec::new();
    let done = {
        let mut checkout = CheckoutBuilder::new();
        checkout.safe().notify_on(CheckoutNotificationType::CONFLICT).notify(|_, path, _, _, _| {
            if let Some(p) = path {
                in_the_way.push(p.display().to_string());
            }
            true
        });
        repo.checkout_tree(target.as_object(), Some(&mut checkout))
    };
    if let Err(e) = done {
        if e.code() == git2::ErrorCode::Conflict || !in_the_way.is_empty() {
            in_the_way.sort();
            return Err(refused(
                PullReason::Uncommitted,
                format!(
                    "changes not committed here are in the way of the pull: {}. Nothing was changed; commit or stash them (git stash), then Pull",
                    in_the_way.join(", ")
                ),
            ));
        }
        return Err(refused(PullReason::Unavailable, format!("git checkout: {}", e.message())));
    }
    repo.reference(&local_ref, theirs, true, "pull: fast-forward").map_err(|e| {
        refused(PullReason::Unavailable, format!("git update-ref: {}", e.message()))
    })?;
    Ok(Pulled { from: ours.to_string(), to: theirs.to_string(), commits })
}
