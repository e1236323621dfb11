//! Git, through libgit2 (git2): one commit of everything the generated `.gitignore` allows,
//! on `main`, pushed to the project's repository. A token reaches git only through the
//! credential callback — never in a URL, an argument, an environment variable or a log.

use crate::secret::Secret;
use git2::{
    Cred, CredentialType, ErrorClass, ErrorCode, IndexAddOption, PushOptions, RemoteCallbacks,
    Repository, Signature,
};
use std::path::Path;
use tokio_util::sync::CancellationToken;

/// Why a publish failed, by what a retry could change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishError {
    /// A retry will not help (refused token, rejected push, a broken tree).
    Step(String),
    /// It may work later (network, remote unreachable).
    Infrastructure(String),
    /// The remote's `main` has commits ours does not (someone pushed first, or someone
    /// else's history): not a fast-forward, nothing was overwritten.
    Behind(String),
    /// The job was cancelled or its runner stopped: nothing more was sent.
    Cancelled,
}

impl PublishError {
    /// The job failure it is: a step's, the infrastructure's (retried), or a cancel.
    pub fn failure(self) -> crate::runner::JobFailure {
        use crate::jobs::FailureClass;
        use crate::runner::JobFailure;
        match self {
            PublishError::Step(m) | PublishError::Behind(m) => {
                JobFailure::new(FailureClass::Step, m)
            }
            PublishError::Infrastructure(m) => JobFailure::new(FailureClass::Infrastructure, m),
            PublishError::Cancelled => JobFailure::new(FailureClass::Cancelled, "cancelled"),
        }
    }
}

impl std::fmt::Display for PublishError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PublishError::Step(m) | PublishError::Infrastructure(m) | PublishError::Behind(m) => {
                f.write_str(m)
            }
            PublishError::Cancelled => f.write_str("cancelled"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Author {
    pub name: String,
    pub email: String,
}

fn step(context: &str, e: git2::Error) -> PublishError {
    PublishError::Step(format!("{context}: {}", e.message()))
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

/// The URL git pushes to: the repository URL with `.git`.
pub fn git_url(repo_url: &str) -> String {
    format!("{}.git", repo_url.trim_end_matches('/').trim_end_matches(".git"))
}

/// Pushes `main` to `repo_url`. The token, if any, is offered once through the credential
/// callback; a second request means it was refused, and is answered with an error instead
/// of looping (libgit2 would ask forever). Pushing a commit the remote already has is a
/// success; a remote `main` with commits that are not in ours is refused (never
/// force-pushed). `cancel` is checked by libgit2's callbacks: a cancelled push stops before
/// it sends its pack.
pub fn push_main(
    dir: &Path,
    repo_url: &str,
    token: Option<&Secret>,
    cancel: &CancellationToken,
) -> Result<(), PublishError> {
    push_main_over(dir, repo_url, token, cancel, None)
}

/// [`push_main`], but when the remote's `main` is exactly `own` — a commit this same job
/// pushed in an earlier attempt that started over — it is replaced (the only force-push
/// there is: over our own commit, checked just before, never over anyone else's).
pub fn push_main_over(
    dir: &Path,
    repo_url: &str,
    token: Option<&Secret>,
    cancel: &CancellationToken,
    own: Option<&str>,
) -> Result<(), PublishError> {
    match push_refspec(dir, repo_url, token, cancel, "refs/heads/main:refs/heads/main") {
        Err(PublishError::Behind(m)) if own.is_some() => {
            let own = own.unwrap_or_default();
            if remote_state(repo_url, token)? != RemoteState::Main(own.to_owned()) {
                return Err(PublishError::Behind(m));
            }
            push_refspec(dir, repo_url, token, cancel, "+refs/heads/main:refs/heads/main")
        }
        other => other,
    }
}

fn push_refspec(
    dir: &Path,
    repo_url: &str,
    token: Option<&Secret>,
    cancel: &CancellationToken,
    refspec: &str,
) -> Result<(), PublishError> {
    if cancel.is_cancelled() {
        return Err(PublishError::Cancelled);
    }
    let repo = Repository::open(dir).map_err(|e| step("git open", e))?;
    let url = git_url(repo_url);
    let mut remote = repo.remote_anonymous(&url).map_err(|e| step("git remote", e))?;
    let mut refused: Option<String> = None;
    let stop = || git2::Error::new(ErrorCode::User, ErrorClass::Callback, "cancelled");
    let mut callbacks = RemoteCallbacks::new();
    offer_token(&mut callbacks, repo_url, token, cancel);
    // The last moment before the pack is sent.
    callbacks.push_negotiation(|_updates| if cancel.is_cancelled() { Err(stop()) } else { Ok(()) });
    callbacks.pack_progress(|_stage, _current, _total| {});
    callbacks.push_update_reference(|reference, status| {
        if let Some(message) = status {
            refused = Some(format!("{reference}: {message}"));
        }
        Ok(())
    });
    let mut options = PushOptions::new();
    options.remote_callbacks(callbacks);
    let pushed = remote.push(&[refspec], Some(&mut options));
    drop(options);
    let foreign = || {
        PublishError::Behind(format!(
            "{repo_url} already has commits on main that this setup did not make; nothing was \
             overwritten (CodeMySpec never force-pushes). Empty that repository or point the \
             project at another one, then set it up again"
        ))
    };
    if let Err(e) = pushed {
        return Err(if cancel.is_cancelled() {
            PublishError::Cancelled
        } else if e.code() == ErrorCode::NotFastForward {
            foreign()
        } else {
            remote_error(repo_url, &e)
        });
    }
    if let Some(why) = refused {
        if why.contains("fast-forward") || why.contains("fetch first") {
            return Err(foreign());
        }
        // Another push updated the branch at the same moment (the server's compare-and-swap
        // of the ref failed): the remote moved on, as with a non-fast-forward.
        if why.contains("failed to update ref") || why.contains("cannot lock ref") {
            return Err(PublishError::Behind(format!(
                "{url} refused the push of {why}: someone pushed at the same moment"
            )));
        }
        return Err(PublishError::Step(format!("{url} refused the push of {why}")));
    }
    Ok(())
}

/// Offers `token` once through the credential callback (a second request means it was
/// refused: answered with an error instead of looping), and stops when `cancel` fires.
/// The token is the one kept for `repo_url`'s host, and it goes to that host only: libgit2
/// follows an off-site redirect of the first request and then asks for credentials for the
/// new address, which gets none.
pub(crate) fn offer_token<'a>(
    callbacks: &mut RemoteCallbacks<'a>,
    repo_url: &str,
    token: Option<&'a Secret>,
    cancel: &'a CancellationToken,
) {
    let home = crate::secrets::host_of(repo_url);
    let mut asked = 0;
    callbacks.credentials(move |url, _user, allowed| {
        asked += 1;
        if cancel.is_cancelled() {
            return Err(git2::Error::new(ErrorCode::User, ErrorClass::Callback, "cancelled"));
        }
        let there = crate::secrets::host_of(url);
        match token {
            Some(_) if home.is_none() || there != home => Err(git2::Error::new(
                ErrorCode::Auth,
                ErrorClass::Http,
                format!(
                    "{url} asks for credentials, and the token kept for {} goes to that host only",
                    home.as_deref().unwrap_or("the repository's host")
                ),
            )),
            Some(token) if asked == 1 && allowed.contains(CredentialType::USER_PASS_PLAINTEXT) => {
                Cred::userpass_plaintext("x-access-token", token.expose())
            }
            Some(_) => {
                Err(git2::Error::new(ErrorCode::Auth, ErrorClass::Http, "the token was refused"))
            }
            None => Err(git2::Error::new(
                ErrorCode::Auth,
                ErrorClass::Http,
                "the remote asks for credentials and no token is set",
            )),
        }
    });
}

/// A remote operation's failure, by what a retry could change.
pub(crate) fn remote_error(repo_url: &str, e: &git2::Error) -> PublishError {
    let url = git_url(repo_url);
    let host = crate::secrets::host_of(repo_url).unwrap_or_default();
    if e.code() == ErrorCode::Auth {
        PublishError::Step(format!(
            "{url}: {} (sign in with `codemyspec github login`, or set a token for {host} with `codemyspec token set`)",
            e.message()
        ))
    } else if e.class() == ErrorClass::Http && e.message().contains("404") {
        PublishError::Step(format!(
            "{repo_url} does not exist (HTTP 404): create the repository on {host}, or check \
             the URL and that the token may see it, then retry"
        ))
    } else if matches!(
        e.class(),
        ErrorClass::Net | ErrorClass::Os | ErrorClass::Ssl | ErrorClass::Http | ErrorClass::Ssh
    ) {
        PublishError::Infrastructure(format!("{url}: {}", e.message()))
    } else {
        PublishError::Step(format!("{url}: {}", e.message()))
    }
}

/// What a remote repository holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoteState {
    /// No commits at all.
    Empty,
    /// `main` at this commit.
    Main(String),
    /// Branches or tags, but no `main`.
    Other,
}

/// Asks the remote what it holds (`git ls-remote`), with the token offered once.
pub fn remote_state(repo_url: &str, token: Option<&Secret>) -> Result<RemoteState, PublishError> {
    let url = git_url(repo_url);
    let mut remote =
        git2::Remote::create_detached(url.as_str()).map_err(|e| step("git remote", e))?;
    let never = CancellationToken::new();
    let mut callbacks = RemoteCallbacks::new();
    offer_token(&mut callbacks, repo_url, token, &never);
    let connection = remote
        .connect_auth(git2::Direction::Fetch, Some(callbacks), None)
        .map_err(|e| remote_error(repo_url, &e))?;
    let heads = connection.list().map_err(|e| remote_error(repo_url, &e))?;
    if let Some(main) = heads.iter().find(|h| h.name() == "refs/heads/main") {
        return Ok(RemoteState::Main(main.oid().to_string()));
    }
    Ok(if heads.iter().any(|h| h.name().starts_with("refs/")) {
        RemoteState::Other
    } else {
        RemoteState::Empty
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn git_urls_end_in_dot_git_once() {
        assert_eq!(git_url("https://github.com/a/b"), "https://github.com/a/b.git");
        assert_eq!(git_url("https://github.com/a/b.git"), "https://github.com/a/b.git");
    }
}
