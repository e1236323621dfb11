//! Inviting, changing and removing a project's people on GitHub, then on this machine.
//!
//! Every check comes first — the acting profile manages the project here, the login is one
//! GitHub allows, the token is an admin of every repository of the project on GitHub, the
//! person exists there — so that a refusal changes nothing anywhere. Then each repository on
//! GitHub, code first; then, in one transaction, the membership of the local profiles that
//! signed in to GitHub as that login. GitHub's calls repeat safely (a `PUT` of the same
//! permission, a `PATCH`, a `DELETE`), so a failure midway (the network gone between the two
//! repositories) says what was done and the same action again finishes it; the local row is
//! written only once GitHub has done its part.

use super::on_github::{self, full, gh, refused, OnGitHub};
use super::{permission_for, GitHubReason};
use crate::access::{self, Need, Role};
use crate::error::{Error, Result};
use crate::ids::{AccountId, ProjectId};
use crate::memberships;
use crate::projects::{self, Project};
use crate::secrets::SecretStore;
use crate::store::Store;
use crate::text_enum::text_enum;
use crate::validate;
use codemyspec_github::{Added, Client, Permission};
use serde::Serialize;
use std::sync::Arc;

text_enum! {
    /// What a change did to one repository on GitHub.
    pub enum Outcome ("outcome") {
        /// Someone new was invited; they reach the repository once they accept.
        Invited = "invited",
        /// A pending invitation now asks for the new permission.
        InvitationChanged = "invitation_changed",
        /// A collaborator's permission changed.
        RoleChanged = "role_changed",
        Removed = "removed",
        /// An invitation not yet accepted was withdrawn.
        InvitationCancelled = "invitation_cancelled",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RepositoryChange {
    /// `owner/name`.
    pub repository: String,
    pub outcome: Outcome,
}

/// What an invitation, a role change or a removal did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TeamChange {
    pub login: String,
    /// The role given (none for a removal).
    pub role: Option<Role>,
    pub repositories: Vec<RepositoryChange>,
    /// The emails of the local profiles (signed in to GitHub as this login) whose membership
    /// of the project changed with it.
    pub profiles: Vec<String>,
}

/// Invites `login` on GitHub to every repository of the project with `role`'s permission
/// (or changes it, for someone already there); a local profile signed in as that login
/// becomes a member with that role (at most admin: the owner is the creator). Refusals are
/// at the field `login` (`role` when the role is what GitHub does not allow).
pub async fn invite(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    project_id: &ProjectId,
    login: &str,
    role: Role,
) -> Result<TeamChange> {
    grant(store, secrets, actor, project_id, login, role, "login").await
}

/// Changes the role of `login` on GitHub and on this machine, as [`invite`] does; refusals
/// are at the field `role`, but for an unknown login (`login`).
pub async fn set_role(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    project_id: &ProjectId,
    login: &str,
    role: Role,
) -> Result<TeamChange> {
    grant(store, secrets, actor, project_id, login, role, "role").await
}

async fn grant(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    project_id: &ProjectId,
    login: &str,
    role: Role,
    field: &str,
) -> Result<TeamChange> {
    let (project, login, linked) = prepare(store, actor, project_id, login).await?;
    let on = on_github::connect(store, secrets, actor, &project, field).await?;
    let wanted = permission_for(role);
    for (target, held) in on.repos.iter().zip(on.admin_everywhere(field).await?) {
        if !held.personal() {
            continue;
        }
        if held.owner.login.eq_ignore_ascii_case(&login) {
            return Err(gh(
                GitHubReason::Refused,
                "login",
                format!("{login} owns {} on GitHub: nobody can invite them to it", full(target)),
            ));
        }
        if wanted != Permission::Write {
            return Err(gh(
                GitHubReason::Refused,
                "role",
                format!(
                    "{} belongs to the personal account {}: GitHub gives everyone invited \
                     there write access, which is a member here; choose member (other roles \
                     need the repositories in an organization)",
                    full(target),
                    held.owner.login
                ),
            ));
        }
    }
    let known = on.client.user_named(&login).await.map_err(|e| refused(e, "login", &login))?;
    if known.is_none() {
        return Err(gh(
            GitHubReason::NoSuchUser,
            "login",
            format!("GitHub has no account named {login}"),
        ));
    }
    let mut done = Vec::new();
    for target in &on.repos {
        let outcome = put(&on.client, target, &login, wanted)
            .await
            .map_err(|e| midway(refused(e, field, &full(target)), field, &done))?;
        done.push(RepositoryChange { repository: full(target), outcome });
    }
    let profiles = local_grant(store, actor, &project, &linked, role)
        .await
        .map_err(|e| midway(e, field, &done))?;
    Ok(TeamChange { login, role: Some(role), repositories: done, profiles })
}

/// Removes `login` from every repository of the project on GitHub (their pending invitations
/// too), then the membership of the local profiles signed in as that login. Someone neither
/// on GitHub's list nor invited nor a linked member is `not_a_member`.
pub async fn remove(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    project_id: &ProjectId,
    login: &str,
) -> Result<TeamChange> {
    let (project, login, linked) = prepare(store, actor, project_id, login).await?;
    let on = on_github::connect(store, secrets, actor, &project, "login").await?;
    on.admin_everywhere("login").await?;
    let plan = where_they_are(&on, &login).await?;
    let members = linked_members(store, &project, &linked).await?;
    if plan.is_empty() && members.is_empty() {
        let repos: Vec<String> = on.repos.iter().map(full).collect();
        return Err(gh(
            GitHubReason::NotAMember,
            "login",
            format!(
                "nobody with the GitHub login {login} can reach {} or is invited there",
                repos.join(" or ")
            ),
        ));
    }
    let mut done = Vec::new();
    for (target, outcome) in plan {
        on.client
            .remove_collaborator(&target.owner, &target.name, &login)
            .await
            .map_err(|e| midway(refused(e, "login", &full(target)), "login", &done))?;
        done.push(RepositoryChange { repository: full(target), outcome });
    }
    let profiles = local_remove(store, actor, &project, &linked)
        .await
        .map_err(|e| midway(e, "login", &done))?;
    Ok(TeamChange { login, role: None, repositories: done, profiles })
}

/// The project (the actor must manage it), the login as GitHub allows it, and the local
/// profiles signed in to GitHub as that login (id, email). The owner's login is refused:
/// the owner keeps their role and cannot be removed, on GitHub as here.
async fn prepare(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
    login: &str,
) -> Result<(Project, String, Vec<(AccountId, String)>)> {
    let project = projects::get(store, actor, project_id).await?;
    access::require(store.pool(), actor, &project.id, Need::Manage).await?;
    let login = login.trim();
    if !validate::is_github_owner(login) {
        return Err(Error::invalid(
            "login",
            format!(
                "\"{login}\" is not a GitHub login (letters, digits and single hyphens, at most \
                 39 characters)"
            ),
        ));
    }
    let linked: Vec<(AccountId, String)> = sqlx::query_as(
        "SELECT id, email FROM accounts WHERE github_login = ? COLLATE NOCASE ORDER BY inserted_at",
    )
    .bind(login)
    .fetch_all(store.pool())
    .await?;
    if let Some((_, email)) = linked.iter().find(|(id, _)| *id == project.owner_id) {
        return Err(Error::conflict(
            Some("login"),
            format!(
                "{login} is the GitHub login of this project's owner ({email}): the owner keeps \
                 their role and cannot be removed"
            ),
        ));
    }
    Ok((project, login.to_owned(), linked))
}

/// One repository: a pending invitation gets the new permission; anyone else is invited,
/// or, already a collaborator, changed.
async fn put(
    client: &Client,
    target: &crate::pipeline::provision::Target,
    login: &str,
    wanted: Permission,
) -> codemyspec_github::Result<Outcome> {
    let pending = client.invitations(&target.owner, &target.name).await?;
    let theirs = pending
        .iter()
        .find(|i| i.invitee.as_ref().is_some_and(|u| u.login.eq_ignore_ascii_case(login)));
    if let Some(invitation) = theirs {
        client.update_invitation(&target.owner, &target.name, invitation.id, wanted).await?;
        return Ok(Outcome::InvitationChanged);
    }
    Ok(match client.add_collaborator(&target.owner, &target.name, login, wanted).await? {
        Added::Invited(_) => Outcome::Invited,
        Added::Updated => Outcome::RoleChanged,
    })
}

/// The repositories where `login` is a collaborator or invited, and what removing them is.
async fn where_they_are<'a>(
    on: &'a OnGitHub,
    login: &str,
) -> Result<Vec<(&'a crate::pipeline::provision::Target, Outcome)>> {
    let mut plan = Vec::new();
    for target in &on.repos {
        let failed = |e| refused(e, "login", &full(target));
        let people = on.client.collaborators(&target.owner, &target.name).await.map_err(failed)?;
        if people.iter().any(|c| c.login.eq_ignore_ascii_case(login)) {
            plan.push((target, Outcome::Removed));
            continue;
        }
        let pending = on.client.invitations(&target.owner, &target.name).await.map_err(failed)?;
        if pending
            .iter()
            .any(|i| i.invitee.as_ref().is_some_and(|u| u.login.eq_ignore_ascii_case(login)))
        {
            plan.push((target, Outcome::InvitationCancelled));
        }
    }
    Ok(plan)
}

/// The linked profiles that are members of the project now (the owner excluded).
async fn linked_members(
    store: &Store,
    project: &Project,
    linked: &[(AccountId, String)],
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for (id, email) in linked {
        let role: Option<Role> = sqlx::query_scalar(
            "SELECT role FROM project_memberships WHERE project_id = ? AND user_id = ?",
        )
        .bind(project.id)
        .bind(id)
        .fetch_optional(store.pool())
        .await?;
        if role.is_some_and(|r| r != Role::Owner) {
            out.push(email.clone());
        }
    }
    Ok(out)
}

/// The linked profiles' memberships get `role` (at most admin), in one transaction.
async fn local_grant(
    store: &Store,
    actor: &AccountId,
    project: &Project,
    linked: &[(AccountId, String)],
    role: Role,
) -> Result<Vec<String>> {
    let local = role.min(Role::Admin);
    let mut tx = store.write().await?;
    access::require(&mut *tx, actor, &project.id, Need::Manage).await?;
    let now = store.now();
    let mut emails = Vec::new();
    for (id, email) in linked {
        let current: Option<Role> = sqlx::query_scalar(
            "SELECT role FROM project_memberships WHERE project_id = ? AND user_id = ?",
        )
        .bind(project.id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        match current {
            // Refused before anything ran; never changed here.
            Some(Role::Owner) => continue,
            Some(r) if r == local => continue,
            Some(_) => memberships::update_role(&mut tx, &project.id, id, local, &now).await?,
            None => memberships::insert(&mut tx, &project.id, id, local, &now).await?,
        }
        emails.push(email.clone());
    }
    tx.commit().await?;
    Ok(emails)
}

/// The linked profiles leave the project, in one transaction.
async fn local_remove(
    store: &Store,
    actor: &AccountId,
    project: &Project,
    linked: &[(AccountId, String)],
) -> Result<Vec<String>> {
    let mut tx = store.write().await?;
    access::require(&mut *tx, actor, &project.id, Need::Manage).await?;
    let mut emails = Vec::new();
    for (id, email) in linked {
        let gone = sqlx::query(
            "DELETE FROM project_memberships WHERE project_id = ? AND user_id = ? AND role <> 'owner'",
        )
        .bind(project.id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if gone.rows_affected() > 0 {
            emails.push(email.clone());
        }
    }
    tx.commit().await?;
    Ok(emails)
}

/// A failure after some repositories were changed: the error says which, and that the same
/// action again finishes it (every step repeats safely).
fn midway(e: Error, field: &str, done: &[RepositoryChange]) -> Error {
    if done.is_empty() {
        return e;
    }
    let made: Vec<String> = done
        .iter()
        .map(|c| format!("{} {}", c.repository, c.outcome.as_str().replace('_', " ")))
        .collect();
    let (reason, field, message) = match e {
        Error::GitHub { reason, field, message } => (reason, field, message),
        other => (GitHubReason::Unavailable, field.to_owned(), other.to_string()),
    };
    Error::GitHub {
        reason,
        field,
        message: format!(
            "{message} — already done on GitHub: {}; do the same again to finish (it repeats \
             safely); nothing was changed on this machine",
            made.join(", ")
        ),
    }
}
