//! A project's team (issue 18): its members on this machine beside the people GitHub says
//! can reach its code repository, their GitHub permission read as our roles (admin → owner,
//! maintain/write → member, triage/read → viewer). Inviting someone by GitHub login, changing
//! their role and removing them go to GitHub first — to both of the project's repositories
//! there — and then to the membership of the local profile that signed in as that login, if
//! any, in one transaction ([`changes`]). The acting profile's own token for the GitHub host
//! does it, so GitHub decides what that person may do; its refusals are
//! [`Error::GitHub`] with a [`GitHubReason`] and the field they are about.

mod changes;
mod on_github;

pub use changes::{invite, remove, set_role, Outcome, RepositoryChange, TeamChange};

use crate::access::Role;
pub use crate::error::GitHubReason;
use crate::error::{Error, Result};
use crate::ids::{AccountId, ProjectId};
use crate::memberships::{self, Member};
use crate::projects::{self, Project};
use crate::secrets::SecretStore;
use crate::store::Store;
use codemyspec_github::{Collaborator, Invitation, Permission};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// GitHub's base role as ours: admin → owner, maintain or write → member, triage or read →
/// viewer (the mapping; a person with no base role GitHub names can at least read).
pub fn role_for(permission: Option<Permission>) -> Role {
    match permission {
        Some(Permission::Admin) => Role::Owner,
        Some(Permission::Maintain | Permission::Write) => Role::Member,
        Some(Permission::Triage | Permission::Read) | None => Role::Viewer,
    }
}

/// Our role as the permission GitHub grants for it: owner and admin → admin, member → write
/// (`push`), viewer → read (`pull`).
pub fn permission_for(role: Role) -> Permission {
    match role {
        Role::Owner | Role::Admin => Permission::Admin,
        Role::Member => Permission::Write,
        Role::Viewer => Permission::Read,
    }
}

/// What a project's members page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Team {
    /// The local profiles that are members, as [`memberships::list`] has them.
    pub members: Vec<Member>,
    /// The people GitHub says can reach the code repository, when GitHub could be asked.
    pub github: Option<GitHubTeam>,
    /// Why GitHub's people are not shown, when they are not.
    pub absent: Option<Absence>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GitHubTeam {
    /// The code repository whose people these are (`owner/name`).
    pub repository: String,
    /// Every repository of the project on the GitHub host, code first: an invitation, a
    /// role change or a removal goes to each.
    pub repositories: Vec<String>,
    pub people: Vec<GitHubPerson>,
    /// Whether the acting profile's token is an admin of every one of them, as changes need.
    pub can_manage: bool,
    /// The code repository belongs to a personal account: GitHub gives its collaborators
    /// write access only (member), whatever is asked.
    pub personal: bool,
}

/// One person GitHub lists for the code repository, or one invited to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GitHubPerson {
    pub login: String,
    /// Their GitHub permission as our role.
    pub role: Role,
    /// GitHub's own name for it (`role_name`, or the invitation's permission).
    pub github_role: String,
    /// Invited, not accepted yet.
    pub invited: bool,
    /// The local profile that signed in to GitHub as this login, if any.
    pub account_id: Option<String>,
    pub email: Option<String>,
}

/// Why GitHub's side is missing from the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Absence {
    pub reason: GitHubReason,
    pub message: String,
}

/// The project's members and, beside them, its people on GitHub — or why those are not
/// shown (no GitHub repository, not signed in, no access, GitHub unreachable). Only a
/// failure on this machine (the project not visible, the database) is an error.
pub async fn overview(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    project_id: &ProjectId,
) -> Result<Team> {
    let members = memberships::list(store, actor, project_id).await?;
    let project = projects::get(store, actor, project_id).await?;
    let (github, absent) = match github_side(store, secrets, actor, &project).await {
        Ok(side) => (Some(side), None),
        Err(Error::GitHub { reason, message, .. }) => (None, Some(Absence { reason, message })),
        // A wrong API setting or no keyring: GitHub cannot be asked; the message says why.
        Err(e @ (Error::ApiNotOfHost(_) | Error::Unavailable { .. })) => {
            (None, Some(Absence { reason: GitHubReason::Unavailable, message: e.to_string() }))
        }
        Err(e) => return Err(e),
    };
    Ok(Team { members, github, absent })
}

async fn github_side(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    project: &Project,
) -> Result<GitHubTeam> {
    let gh = on_github::connect(store, secrets, actor, project, "login").await?;
    let code = gh.code();
    let held = gh.access(code, "login").await?;
    let personal = held.personal();
    let mut can_manage = held.permissions.admin;
    // The docs repository only decides whether changes are possible (they go to both): one
    // the token cannot see, or that is not there yet, does not hide the code repository's people.
    for target in &gh.repos[1..] {
        let docs = gh.client.repo_access(&target.owner, &target.name).await;
        can_manage &= matches!(docs, Ok(Some(a)) if a.permissions.admin);
    }
    let collaborators = gh.client.collaborators(&code.owner, &code.name).await.map_err(|e| {
        let e = on_github::refused(e, "login", &on_github::full(code));
        match e {
            Error::GitHub { reason: GitHubReason::NotAdmin, field, message } => Error::GitHub {
                reason: GitHubReason::NoAccess,
                field,
                message: format!(
                    "GitHub shows who can reach {} only to people with write access there: {message}",
                    on_github::full(code)
                ),
            },
            e => e,
        }
    })?;
    // Pending invitations are an admin's to see.
    let invitations = if can_manage {
        gh.client
            .invitations(&code.owner, &code.name)
            .await
            .map_err(|e| on_github::refused(e, "login", &on_github::full(code)))?
    } else {
        Vec::new()
    };
    let profiles = linked_profiles(store).await?;
    Ok(GitHubTeam {
        repository: on_github::full(code),
        repositories: gh.repos.iter().map(on_github::full).collect(),
        people: people(collaborators, invitations, &profiles),
        can_manage,
        personal,
    })
}

/// Every local profile's GitHub login (lowercase, as GitHub compares them): id and email.
async fn linked_profiles(store: &Store) -> Result<HashMap<String, (String, String)>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, email, github_login FROM accounts WHERE github_login IS NOT NULL \
         ORDER BY inserted_at",
    )
    .fetch_all(store.pool())
    .await?;
    let mut out = HashMap::new();
    for (id, email, login) in rows {
        out.entry(login.to_lowercase()).or_insert((id, email));
    }
    Ok(out)
}

/// Collaborators, then invitees who are not collaborators yet; strongest role first.
fn people(
    collaborators: Vec<Collaborator>,
    invitations: Vec<Invitation>,
    profiles: &HashMap<String, (String, String)>,
) -> Vec<GitHubPerson> {
    let person = |login: String, permission: Option<Permission>, github_role: String, invited| {
        let profile = profiles.get(&login.to_lowercase());
        GitHubPerson {
            role: role_for(permission),
            github_role,
            invited,
            account_id: profile.map(|p| p.0.clone()),
            email: profile.map(|p| p.1.clone()),
            login,
        }
    };
    let mut out: Vec<GitHubPerson> = collaborators
        .into_iter()
        .map(|c| {
            let permission = c.permission();
            let name = c
                .role_name
                .clone()
                .or(permission.map(|p| p.as_role_name().to_owned()))
                .unwrap_or_default();
            person(c.login, permission, name, false)
        })
        .collect();
    for invitation in invitations {
        let Some(invitee) = invitation.invitee else { continue };
        if invitation.expired == Some(true)
            || out.iter().any(|p| p.login.eq_ignore_ascii_case(&invitee.login))
        {
            continue;
        }
        let permission = Permission::from_name(&invitation.permissions);
        out.push(person(invitee.login, permission, invitation.permissions, true));
    }
    out.sort_by(|a, b| {
        b.role
            .cmp(&a.role)
            .then(a.invited.cmp(&b.invited))
            .then_with(|| a.login.to_lowercase().cmp(&b.login.to_lowercase()))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn githubs_permissions_read_as_our_roles_and_back() {
        assert_eq!(role_for(Some(Permission::Admin)), Role::Owner);
        assert_eq!(role_for(Some(Permission::Maintain)), Role::Member);
        assert_eq!(role_for(Some(Permission::Write)), Role::Member);
        assert_eq!(role_for(Some(Permission::Triage)), Role::Viewer);
        assert_eq!(role_for(Some(Permission::Read)), Role::Viewer);
        assert_eq!(role_for(None), Role::Viewer);
        assert_eq!(permission_for(Role::Owner), Permission::Admin);
        assert_eq!(permission_for(Role::Admin), Permission::Admin);
        assert_eq!(permission_for(Role::Member), Permission::Write);
        assert_eq!(permission_for(Role::Viewer), Permission::Read);
        // Each of our roles survives the way to GitHub and back, but admin, which GitHub
        // knows only as its admin: our owner.
        for role in [Role::Viewer, Role::Member, Role::Owner] {
            assert_eq!(role_for(Some(permission_for(role))), role);
        }
    }

    #[test]
    fn invitees_follow_collaborators_and_profiles_are_found_by_login_whatever_its_case() {
        let collaborator = |login: &str, role: &str| Collaborator {
            login: login.into(),
            id: 1,
            role_name: Some(role.into()),
            permissions: Default::default(),
        };
        let invitation = |login: &str, permissions: &str| Invitation {
            id: 9,
            invitee: Some(codemyspec_github::Login { login: login.into() }),
            permissions: permissions.into(),
            expired: None,
        };
        let profiles =
            HashMap::from([("bob".to_owned(), ("id-bob".to_owned(), "bob@x.org".to_owned()))]);
        let out = people(
            vec![
                collaborator("zed", "read"),
                collaborator("Bob", "write"),
                collaborator("ada", "admin"),
            ],
            vec![invitation("cy", "admin"), invitation("zed", "write")],
            &profiles,
        );
        let seen: Vec<(&str, Role, bool)> =
            out.iter().map(|p| (p.login.as_str(), p.role, p.invited)).collect();
        assert_eq!(
            seen,
            [
                ("ada", Role::Owner, false),
                ("cy", Role::Owner, true),
                ("Bob", Role::Member, false),
                ("zed", Role::Viewer, false),
            ]
        );
        assert_eq!(out[2].email.as_deref(), Some("bob@x.org"));
        assert_eq!(out[0].account_id, None);
    }
}
