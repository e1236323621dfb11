//! Pushing `main`: never forced, except over this same job's own earlier commit.

use super::{git_url, offer_token, remote_error, remote_state, step, PublishError, RemoteState};
use crate::secret::Secret;
use git2::{ErrorClass, ErrorCode, PushOptions, RemoteCallbacks, Repository};
use std::path::Path;
use tokio_util::sync::CancellationToken;

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
