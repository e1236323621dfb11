//! Who may do what to a project. Every read and write of a project's data names the acting
//! account: without a membership the project does not exist for it (`not_found`); with a
//! membership whose role is too weak it gets `forbidden`.

use crate::error::{Error, Result};
use crate::ids::{AccountId, ProjectId};
use crate::text_enum::text_enum;

text_enum! {
    /// A member's role, weakest first.
    pub enum Role ("role") {
        Viewer = "viewer",
        Member = "member",
        Admin = "admin",
        Owner = "owner",
    }
}

/// What an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// See the project and its spec.
    Read,
    /// Edit the spec (stories, contexts, components, docs, sessions) and move stages.
    Write,
    /// Change project settings, run setups, manage members.
    Manage,
    /// Delete the project.
    Own,
}

impl Need {
    fn min_role(self) -> Role {
        match self {
            Need::Read => Role::Viewer,
            Need::Write => Role::Member,
            Need::Manage => Role::Admin,
            Need::Own => Role::Owner,
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Need::Read => "view",
            Need::Write => "edit",
            Need::Manage => "manage",
            Need::Own => "delete",
        }
    }
}

/// The actor's role in the project, or `not_found` when the actor is not a member (or the
/// project does not exist: the two are indistinguishable on purpose).
pub(crate) async fn role<'e, E>(exec: E, actor: &AccountId, project_id: &ProjectId) -> Result<Role>
where
    E: sqlx::SqliteExecutor<'e>,
{
    sqlx::query_scalar("SELECT role FROM project_memberships WHERE project_id = ? AND user_id = ?")
        .bind(project_id)
        .bind(actor)
        .fetch_optional(exec)
        .await?
        .ok_or(Error::not_found("project"))
}

/// Checks that the actor may do `need` to the project; returns its role.
pub(crate) async fn require<'e, E>(
    exec: E,
    actor: &AccountId,
    project_id: &ProjectId,
    need: Need,
) -> Result<Role>
where
    E: sqlx::SqliteExecutor<'e>,
{
    let role = role(exec, actor, project_id).await?;
    if role < need.min_role() {
        return Err(Error::forbidden(format!(
            "your role in this project is {role}; to {} it you need to be {} or above",
            need.verb(),
            need.min_role()
        )));
    }
    Ok(role)
}

/// The original design's `user_has_access?/2` (docs/DESIGN.md): is the account the owner or a
/// member of the project?
pub async fn user_has_access(
    store: &crate::Store,
    account_id: &AccountId,
    project_id: &ProjectId,
) -> Result<bool> {
    match role(store.pool(), account_id, project_id).await {
        Ok(_) => Ok(true),
        Err(Error::NotFound { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Rows that belong to a project, found by their own id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owned {
    Story,
    Context,
    Component,
    Session,
}

impl Owned {
    fn entity(self) -> &'static str {
        match self {
            Owned::Story => "story",
            Owned::Context => "context",
            Owned::Component => "component",
            Owned::Session => "session",
        }
    }

    fn lookup(self) -> &'static str {
        match self {
            Owned::Story => "SELECT t.project_id, m.role FROM stories t LEFT JOIN project_memberships m ON m.project_id = t.project_id AND m.user_id = ? WHERE t.id = ?",
            Owned::Context => "SELECT t.project_id, m.role FROM contexts t LEFT JOIN project_memberships m ON m.project_id = t.project_id AND m.user_id = ? WHERE t.id = ?",
            Owned::Component => "SELECT t.project_id, m.role FROM components t LEFT JOIN project_memberships m ON m.project_id = t.project_id AND m.user_id = ? WHERE t.id = ?",
            Owned::Session => "SELECT t.project_id, m.role FROM sessions t LEFT JOIN project_memberships m ON m.project_id = t.project_id AND m.user_id = ? WHERE t.id = ?",
        }
    }
}

/// Checks that the actor may do `need` to the project that owns row `id` (an id parsed at the
/// boundary); returns that project's id. A row in a project the actor cannot see is
/// `not_found`, exactly like a row that does not exist.
pub(crate) async fn require_owner_of<'e, E, I>(
    exec: E,
    actor: &AccountId,
    kind: Owned,
    id: &I,
    need: Need,
) -> Result<ProjectId>
where
    E: sqlx::SqliteExecutor<'e>,
    I: for<'q> sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Sync,
{
    let found: Option<(ProjectId, Option<Role>)> =
        sqlx::query_as(kind.lookup()).bind(actor).bind(id).fetch_optional(exec).await?;
    let (project_id, role) = match found {
        Some((project_id, Some(role))) => (project_id, role),
        _ => return Err(Error::not_found(kind.entity())),
    };
    if role < need.min_role() {
        return Err(Error::forbidden(format!(
            "your role in this project is {role}; to {} its {} you need to be {} or above",
            need.verb(),
            kind.entity(),
            need.min_role()
        )));
    }
    Ok(project_id)
}
