//! Who can reach a repository (GitHub's collaborators and their pending invitations), and
//! changing that: `GET /repos/{owner}/{repo}/collaborators` and `/invitations` over `Link`
//! pages, `PUT` and `DELETE /repos/{owner}/{repo}/collaborators/{username}`, `PATCH
//! /repos/{owner}/{repo}/invitations/{id}`, and `GET /users/{username}` to tell an unknown
//! login from a repository the token cannot see (both are a 404 elsewhere).

use crate::client::{failure, next_link, Client};
use crate::error::{GitHubError, Result};
use http::header::HeaderMap;
use serde::{Deserialize, Serialize};

/// A repository permission as GitHub names it, weakest first (its base roles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Read,
    Triage,
    Write,
    Maintain,
    Admin,
}

impl Permission {
    /// The name `PUT …/collaborators/{username}` takes (`pull`, `push`, …).
    pub fn for_put(self) -> &'static str {
        match self {
            Permission::Read => "pull",
            Permission::Triage => "triage",
            Permission::Write => "push",
            Permission::Maintain => "maintain",
            Permission::Admin => "admin",
        }
    }

    /// The name a collaborator's `role_name` and an invitation's `permissions` use.
    pub fn as_role_name(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Triage => "triage",
            Permission::Write => "write",
            Permission::Maintain => "maintain",
            Permission::Admin => "admin",
        }
    }

    /// A base role name (`read`, `write`, …; `pull`/`push` too); `None` for anything else,
    /// such as an organization's custom role.
    pub fn from_name(name: &str) -> Option<Permission> {
        Some(match name {
            "read" | "pull" => Permission::Read,
            "triage" => Permission::Triage,
            "write" | "push" => Permission::Write,
            "maintain" => Permission::Maintain,
            "admin" => Permission::Admin,
            _ => return None,
        })
    }
}

/// The `permissions` hash of a collaborator: the base role's permissions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grants {
    #[serde(default)]
    pub pull: bool,
    #[serde(default)]
    pub triage: bool,
    #[serde(default)]
    pub push: bool,
    #[serde(default)]
    pub maintain: bool,
    #[serde(default)]
    pub admin: bool,
}

impl Grants {
    /// The strongest base role these permissions make.
    pub fn permission(&self) -> Option<Permission> {
        [
            (self.admin, Permission::Admin),
            (self.maintain, Permission::Maintain),
            (self.push, Permission::Write),
            (self.triage, Permission::Triage),
            (self.pull, Permission::Read),
        ]
        .into_iter()
        .find_map(|(has, p)| has.then_some(p))
    }
}

/// A person GitHub says can reach a repository (`collaborator`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collaborator {
    pub login: String,
    pub id: u64,
    /// The highest role from every source (repository, teams, organization); may be an
    /// organization's custom role.
    #[serde(default)]
    pub role_name: Option<String>,
    #[serde(default)]
    pub permissions: Grants,
}

impl Collaborator {
    /// Their base role: `role_name` when it is one, else what `permissions` grant.
    pub fn permission(&self) -> Option<Permission> {
        self.role_name.as_deref().and_then(Permission::from_name).or(self.permissions.permission())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Login {
    pub login: String,
}

/// A pending invitation to a repository (`repository-invitation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub id: u64,
    /// Null when the invitee's account is gone.
    #[serde(default)]
    pub invitee: Option<Login>,
    /// `read`, `triage`, `write`, `maintain` or `admin`.
    pub permissions: String,
    #[serde(default)]
    pub expired: Option<bool>,
}

/// What `PUT …/collaborators/{username}` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    /// 201: they were invited (or their pending invitation stands).
    Invited(Invitation),
    /// 204: they already were a collaborator; their permission is now the one asked for.
    Updated,
}

/// A repository as the token sees it: who owns it and what the token may do there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoAccess {
    pub full_name: String,
    pub owner: OwnerKind,
    #[serde(default)]
    pub permissions: Grants,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerKind {
    pub login: String,
    /// `User` or `Organization`.
    #[serde(rename = "type", default)]
    pub kind: String,
}

impl RepoAccess {
    /// A personal account's repository: its collaborators all have write access (GitHub
    /// takes a `permission` only on an organization's repositories).
    pub fn personal(&self) -> bool {
        self.owner.kind == "User"
    }
}

impl Client {
    /// `GET /repos/{owner}/{repo}` read for who owns it and the token's own permissions;
    /// `None` when it does not exist or the token cannot see it.
    pub async fn repo_access(&self, owner: &str, repo: &str) -> Result<Option<RepoAccess>> {
        let answer = self
            .send(http::Method::GET, &format!("/repos/{owner}/{repo}"), None, HeaderMap::new())
            .await?;
        match answer.status.as_u16() {
            200 => answer.json("GET /repos").map(Some),
            404 => Ok(None),
            _ => Err(failure(&answer, &format!("{owner}/{repo}"))),
        }
    }

    /// `GET /users/{username}`: whether the login is a GitHub account (`None`: no such user).
    pub async fn user_named(&self, login: &str) -> Result<Option<Login>> {
        let answer = self
            .send(http::Method::GET, &format!("/users/{login}"), None, HeaderMap::new())
            .await?;
        match answer.status.as_u16() {
            200 => answer.json("GET /users").map(Some),
            404 => Ok(None),
            _ => Err(failure(&answer, &format!("the user {login}"))),
        }
    }

    /// Everyone GitHub says can reach the repository, 100 a page. Needs push access.
    pub async fn collaborators(&self, owner: &str, repo: &str) -> Result<Vec<Collaborator>> {
        self.every_page(&format!("/repos/{owner}/{repo}/collaborators?per_page=100"), owner, repo)
            .await
    }

    /// The repository's pending invitations, 100 a page. Needs admin rights.
    pub async fn invitations(&self, owner: &str, repo: &str) -> Result<Vec<Invitation>> {
        self.every_page(&format!("/repos/{owner}/{repo}/invitations?per_page=100"), owner, repo)
            .await
    }

    /// Invites `login` with `permission`, or changes a collaborator's permission to it.
    pub async fn add_collaborator(
        &self,
        owner: &str,
        repo: &str,
        login: &str,
        permission: Permission,
    ) -> Result<Added> {
        let body = serde_json::json!({ "permission": permission.for_put() });
        let path = format!("/repos/{owner}/{repo}/collaborators/{login}");
        let answer = self.send(http::Method::PUT, &path, Some(&body), HeaderMap::new()).await?;
        match answer.status.as_u16() {
            201 => answer.json("PUT collaborators").map(Added::Invited),
            204 => Ok(Added::Updated),
            _ => Err(failure(&answer, &format!("{login} on {owner}/{repo}"))),
        }
    }

    /// Changes a pending invitation's permission.
    pub async fn update_invitation(
        &self,
        owner: &str,
        repo: &str,
        id: u64,
        permission: Permission,
    ) -> Result<Invitation> {
        let body = serde_json::json!({ "permissions": permission.as_role_name() });
        let path = format!("/repos/{owner}/{repo}/invitations/{id}");
        let answer = self.send(http::Method::PATCH, &path, Some(&body), HeaderMap::new()).await?;
        match answer.status.as_u16() {
            200 => answer.json("PATCH invitations"),
            _ => Err(failure(&answer, &format!("the invitation {id} to {owner}/{repo}"))),
        }
    }

    /// Removes `login` from the repository; GitHub also cancels their pending invitations.
    /// Someone who was not a collaborator is no error (the answer is 204 either way).
    pub async fn remove_collaborator(&self, owner: &str, repo: &str, login: &str) -> Result<()> {
        let path = format!("/repos/{owner}/{repo}/collaborators/{login}");
        let answer = self.send(http::Method::DELETE, &path, None, HeaderMap::new()).await?;
        match answer.status.as_u16() {
            204 => Ok(()),
            _ => Err(failure(&answer, &format!("{login} on {owner}/{repo}"))),
        }
    }

    /// Every item of a listing, following `Link: rel="next"`. A page that fails fails the
    /// whole listing: a partial list of people must not be taken for the whole.
    async fn every_page<T: for<'de> Deserialize<'de>>(
        &self,
        first: &str,
        owner: &str,
        repo: &str,
    ) -> Result<Vec<T>> {
        let mut url = self.url(first);
        let mut items = Vec::new();
        let mut seen = std::collections::HashSet::new();
        loop {
            if !seen.insert(url.clone()) {
                return Err(GitHubError::Other {
                    message: format!("the pages of {owner}/{repo} link in a circle at {url}"),
                });
            }
            let answer = self.send(http::Method::GET, &url, None, HeaderMap::new()).await?;
            if answer.status.as_u16() != 200 {
                return Err(failure(&answer, &format!("{owner}/{repo}")));
            }
            let page: Vec<T> = answer.json("a page of people")?;
            items.extend(page);
            match answer.header("link").and_then(next_link) {
                Some(next) => url = next,
                None => return Ok(items),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_collaborators_base_role_comes_from_role_name_else_from_the_permissions_hash() {
        let example: Vec<Collaborator> = serde_json::from_str(include_str!(
            "../../../tests/support/github-api/list-collaborators.200.json"
        ))
        .unwrap();
        assert_eq!(example[0].login, "octocat");
        assert_eq!(example[0].permission(), Some(Permission::Write));
        let custom = Collaborator {
            login: "x".into(),
            id: 1,
            role_name: Some("security-auditor".into()),
            permissions: Grants { pull: true, triage: true, ..Grants::default() },
        };
        assert_eq!(custom.permission(), Some(Permission::Triage));
        let nothing = Collaborator {
            login: "y".into(),
            id: 2,
            role_name: None,
            permissions: Grants::default(),
        };
        assert_eq!(nothing.permission(), None);
    }

    #[test]
    fn a_permission_has_one_name_for_put_and_another_for_roles_and_invitations() {
        for p in [
            Permission::Read,
            Permission::Triage,
            Permission::Write,
            Permission::Maintain,
            Permission::Admin,
        ] {
            assert_eq!(Permission::from_name(p.for_put()), Some(p));
            assert_eq!(Permission::from_name(p.as_role_name()), Some(p));
        }
        assert_eq!(Permission::Write.for_put(), "push");
        assert_eq!(Permission::Read.as_role_name(), "read");
        let invitations: Vec<Invitation> = serde_json::from_str(include_str!(
            "../../../tests/support/github-api/list-invitations.200.json"
        ))
        .unwrap();
        assert_eq!(invitations[0].invitee.as_ref().unwrap().login, "octocat");
        assert_eq!(Permission::from_name(&invitations[0].permissions), Some(Permission::Write));
    }
}
