//! Git, through libgit2 (git2), for both of its users: the setup pipeline (its first commit,
//! the pushes, the clone path) and the docs sync (its bare clone, fetched, and its pushes).
//! Here: the error a git operation ends in, the URL git talks to, the token offered through
//! the credential callback, the remote's state, the fetch options and the pushes of `main`.
//! A token reaches git only through the credential callback — never in a URL, an argument,
//! an environment variable or a log.

mod push;
mod remote;

pub use push::{push_main, push_main_over};
pub use remote::{fetch_options, offer_token, remote_error, remote_state, RemoteState};

/// Why a git operation against a remote failed, by what a retry could change.
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

/// Who a commit is by.
#[derive(Debug, Clone)]
pub struct Author {
    pub name: String,
    pub email: String,
}

/// A local git step that failed (`context` names it the way git's command would).
pub fn step(context: &str, e: git2::Error) -> PublishError {
    PublishError::Step(format!("{context}: {}", e.message()))
}

/// The URL git talks to: the repository URL with `.git`.
pub fn git_url(repo_url: &str) -> String {
    format!("{}.git", repo_url.trim_end_matches('/').trim_end_matches(".git"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_urls_end_in_dot_git_once() {
        assert_eq!(git_url("https://github.com/a/b"), "https://github.com/a/b.git");
        assert_eq!(git_url("https://github.com/a/b.git"), "https://github.com/a/b.git");
    }
}
