//! Talking to a remote: the token offered once, a failure sorted by what a retry could
//! change, what the remote holds, and the options of a fetch (or clone) that stops on cancel.

use super::{git_url, step, PublishError};
use crate::secret::Secret;
use git2::{Cred, CredentialType, ErrorClass, ErrorCode, FetchOptions, RemoteCallbacks};
use tokio_util::sync::CancellationToken;

/// Offers `token` once through the credential callback (a second request means it was
/// refused: answered with an error instead of looping), and stops when `cancel` fires.
/// The token is the one kept for `repo_url`'s host, and it goes to that host only: libgit2
/// follows an off-site redirect of the first request and then asks for credentials for the
/// new address, which gets none.
pub fn offer_token<'a>(
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
pub fn remote_error(repo_url: &str, e: &git2::Error) -> PublishError {
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

/// The options of a fetch or a clone from `repo_url`: the token offered once, and the
/// transfer stopped at libgit2's next progress callback once `cancel` fires.
pub fn fetch_options<'a>(
    repo_url: &str,
    token: Option<&'a Secret>,
    cancel: &'a CancellationToken,
) -> FetchOptions<'a> {
    let mut callbacks = RemoteCallbacks::new();
    offer_token(&mut callbacks, repo_url, token, cancel);
    callbacks.transfer_progress(|_| !cancel.is_cancelled());
    let mut options = FetchOptions::new();
    options.remote_callbacks(callbacks);
    options
}
