//! GitHub's failures, by what the caller does next.

use std::time::SystemTime;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GitHubError {
    /// 401: the token is wrong, expired or revoked.
    #[error("GitHub refused the token (401 Bad credentials): sign in again")]
    Unauthorized,
    /// 403 without a rate limit: the token may not do this (a missing scope, an org policy).
    #[error("GitHub forbids this (403): {message}")]
    Forbidden { message: String },
    /// 404: the organization, user or repository does not exist or is not visible.
    #[error("{what} was not found on GitHub (404), or the token cannot see it")]
    NotFound { what: String },
    /// 422 `name already exists on this account`.
    #[error("a repository named {name} already exists on {owner}")]
    NameExists { owner: String, name: String },
    /// Any other 422.
    #[error("GitHub refused the request (422): {message}")]
    Invalid { message: String },
    /// A primary (403/429 with `x-ratelimit-remaining: 0`) or secondary limit (403/429 with
    /// `retry-after`, or saying so): nothing more until `until`.
    #[error("GitHub's {kind} rate limit is reached; waiting until it resets")]
    RateLimited { kind: &'static str, until: SystemTime },
    /// 5xx: GitHub had a problem; try again later.
    #[error("GitHub answered {status}; try again later")]
    Server { status: u16 },
    /// No answer: no network, the host is unreachable, a timeout.
    #[error("GitHub cannot be reached ({message})")]
    Offline { message: String },
    /// An answer we could not read, or a bad setting.
    #[error("{message}")]
    Other { message: String },
}

impl GitHubError {
    /// A stable code for the error (for the CLI's JSON and the window).
    pub fn code(&self) -> &'static str {
        match self {
            GitHubError::Unauthorized => "github_unauthorized",
            GitHubError::Forbidden { .. } => "github_forbidden",
            GitHubError::NotFound { .. } => "github_not_found",
            GitHubError::NameExists { .. } => "github_name_exists",
            GitHubError::Invalid { .. } => "github_invalid",
            GitHubError::RateLimited { .. } => "github_rate_limited",
            GitHubError::Server { .. } => "github_server_error",
            GitHubError::Offline { .. } => "github_offline",
            GitHubError::Other { .. } => "github_error",
        }
    }

    /// Whether the same request may work later without anyone changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            GitHubError::RateLimited { .. }
                | GitHubError::Server { .. }
                | GitHubError::Offline { .. }
        )
    }
}

pub type Result<T> = std::result::Result<T, GitHubError>;
