//! Reaching a project's repositories on GitHub as the acting profile: where they are (the
//! project's URLs on the configured GitHub host), the profile's own token for that host
//! (never another's, never to another host: `github::endpoints`), and GitHub's failures as
//! [`Error::GitHub`] at the field they concern.

use super::GitHubReason;
use crate::error::{Error, Result};
use crate::github;
use crate::pipeline::provision::{targets, Target};
use crate::projects::Project;
use crate::repo_kind::RepoKind;
use crate::secrets::SecretStore;
use crate::store::Store;
use crate::AccountId;
use codemyspec_github::{Client, GitHubError, RepoAccess};
use std::sync::Arc;

/// The acting profile's client and the project's repositories on the GitHub host, code
/// first.
pub(super) struct OnGitHub {
    pub client: Client,
    pub repos: Vec<Target>,
}

pub(super) fn gh(reason: GitHubReason, field: &str, message: impl Into<String>) -> Error {
    Error::GitHub { reason, field: field.to_owned(), message: message.into() }
}

/// `owner/name`.
pub(super) fn full(target: &Target) -> String {
    format!("{}/{}", target.owner, target.name)
}

/// Connects as `actor` to the project's repositories on GitHub. No code repository there is
/// `no_repository`; no token for the host is `not_signed_in`.
pub(super) async fn connect(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    project: &Project,
    field: &str,
) -> Result<OnGitHub> {
    let at = github::endpoints(store).await?;
    let mut repos = targets(project, &at);
    repos.sort_by_key(|t| t.kind != RepoKind::Code);
    if repos.first().is_none_or(|t| t.kind != RepoKind::Code) {
        let why = match &project.code_repo {
            None => "this project has no code repository".to_owned(),
            Some(url) => format!("its code repository {url} is not on {}", at.host),
        };
        return Err(gh(
            GitHubReason::NoRepository,
            field,
            format!("{why}: its people on GitHub are those of a code repository on {}", at.host),
        ));
    }
    let token = crate::secrets::token(secrets, actor, &at.host).await?.ok_or_else(|| {
        gh(
            GitHubReason::NotSignedIn,
            field,
            format!(
                "sign in to GitHub ({}) to see and change who can reach the repositories: \
                 `codemyspec github login`, or Settings → GitHub",
                at.host
            ),
        )
    })?;
    let client = Client::new(&at.api, Some(token.expose())).map_err(github::error)?;
    Ok(OnGitHub { client, repos })
}

impl OnGitHub {
    pub fn code(&self) -> &Target {
        &self.repos[0]
    }

    /// The repository as the token sees it; one it cannot see is `no_access`.
    pub async fn access(&self, target: &Target, field: &str) -> Result<RepoAccess> {
        self.client
            .repo_access(&target.owner, &target.name)
            .await
            .map_err(|e| refused(e, field, &full(target)))?
            .ok_or_else(|| {
                gh(
                    GitHubReason::NoAccess,
                    field,
                    format!(
                        "{} was not found on GitHub, or your GitHub account cannot see it (a \
                         project's setup creates its repositories)",
                        full(target)
                    ),
                )
            })
    }

    /// Checks, before anything changes, that the token is an admin of every repository (so
    /// that a change is not made on one and refused on the other); returns how each is held.
    pub async fn admin_everywhere(&self, field: &str) -> Result<Vec<RepoAccess>> {
        let mut out = Vec::new();
        for target in &self.repos {
            let access = self.access(target, field).await?;
            if !access.permissions.admin {
                return Err(gh(
                    GitHubReason::NotAdmin,
                    field,
                    format!(
                        "only an admin of {} on GitHub can invite, change or remove people \
                         there, and your GitHub account is not one",
                        full(target)
                    ),
                ));
            }
            out.push(access);
        }
        Ok(out)
    }
}

/// A GitHub failure about `repo` as the error shown at `field`.
pub(super) fn refused(e: GitHubError, field: &str, repo: &str) -> Error {
    match e {
        GitHubError::Unauthorized => gh(
            GitHubReason::NotSignedIn,
            field,
            "GitHub refused your token (401 Bad credentials): sign in again",
        ),
        GitHubError::Forbidden { message } => {
            gh(GitHubReason::NotAdmin, field, format!("GitHub refused this on {repo}: {message}"))
        }
        GitHubError::NotFound { .. } => gh(
            GitHubReason::NoAccess,
            field,
            format!("{repo} was not found on GitHub, or your GitHub account cannot see it"),
        ),
        GitHubError::Invalid { message } => {
            gh(GitHubReason::Refused, field, format!("GitHub refused this on {repo}: {message}"))
        }
        e @ GitHubError::NameExists { .. } => gh(GitHubReason::Refused, field, e.to_string()),
        e @ (GitHubError::RateLimited { .. }
        | GitHubError::Server { .. }
        | GitHubError::Offline { .. }
        | GitHubError::Other { .. }) => gh(GitHubReason::Unavailable, field, e.to_string()),
    }
}
