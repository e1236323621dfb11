//! A project's members and their roles (docs/DESIGN.md: The domain): the owner and admins add
//! and remove members and change their roles; nobody is made owner, and the owner cannot be
//! removed. Their people on GitHub are the `team` module's.

use crate::access::{self, Need, Role};
use crate::error::{Error, Result};
use crate::ids::{AccountId, ProjectId};
use crate::store::{new_id, unique_as_conflict, Store};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Member {
    pub id: String,
    pub project_id: ProjectId,
    pub user_id: AccountId,
    pub email: String,
    pub name: Option<String>,
    pub role: Role,
    pub inserted_at: String,
}

/// The original design's `add_member/3` (docs/DESIGN.md). Admins and the owner add members; nobody
/// is made owner.
pub async fn add(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
    account_id: &AccountId,
    role: Role,
) -> Result<Member> {
    if role == Role::Owner {
        return Err(Error::invalid(
            "role",
            "a project has one owner, its creator; add an admin instead",
        ));
    }
    let mut tx = store.write().await?;
    access::require(&mut *tx, actor, project_id, Need::Manage).await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM accounts WHERE id = ?")
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        return Err(Error::not_found("account"));
    }
    insert(&mut tx, project_id, account_id, role, &store.now()).await?;
    tx.commit().await?;
    member(store, actor, project_id, account_id).await
}

pub async fn remove(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
    account_id: &AccountId,
) -> Result<()> {
    let mut tx = store.write().await?;
    access::require(&mut *tx, actor, project_id, Need::Manage).await?;
    let owner_stays = "the owner cannot be removed from their project";
    changeable_role(&mut tx, project_id, account_id, owner_stays).await?;
    sqlx::query("DELETE FROM project_memberships WHERE project_id = ? AND user_id = ?")
        .bind(project_id)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes a member's role. Admins and the owner do it; nobody is made owner and the
/// owner's role does not change.
pub async fn set_role(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
    account_id: &AccountId,
    role: Role,
) -> Result<Member> {
    if role == Role::Owner {
        return Err(Error::invalid(
            "role",
            "a project has one owner, its creator; make them an admin instead",
        ));
    }
    let mut tx = store.write().await?;
    access::require(&mut *tx, actor, project_id, Need::Manage).await?;
    let owner_stays = "the owner's role stays owner: they created the project";
    changeable_role(&mut tx, project_id, account_id, owner_stays).await?;
    update_role(&mut tx, project_id, account_id, role, &store.now()).await?;
    tx.commit().await?;
    member(store, actor, project_id, account_id).await
}

/// The member `account_id` of the project, as `list` shows them.
async fn member(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
    account_id: &AccountId,
) -> Result<Member> {
    list(store, actor, project_id)
        .await?
        .into_iter()
        .find(|m| m.user_id == *account_id)
        .ok_or(Error::not_found("member"))
}

/// A member's role that may change; not found, or `owner_stays` for the project's owner.
async fn changeable_role(
    tx: &mut sqlx::SqliteConnection,
    project_id: &ProjectId,
    account_id: &AccountId,
    owner_stays: &str,
) -> Result<Role> {
    let role: Option<Role> = sqlx::query_scalar(
        "SELECT role FROM project_memberships WHERE project_id = ? AND user_id = ?",
    )
    .bind(project_id)
    .bind(account_id)
    .fetch_optional(&mut *tx)
    .await?;
    match role {
        None => Err(Error::not_found("member")),
        Some(Role::Owner) => Err(Error::forbidden(owner_stays)),
        Some(role) => Ok(role),
    }
}

pub async fn list(store: &Store, actor: &AccountId, project_id: &ProjectId) -> Result<Vec<Member>> {
    access::require(store.pool(), actor, project_id, Need::Read).await?;
    Ok(sqlx::query_as(
        "SELECT m.id, m.project_id, m.user_id, a.email, a.name, m.role, m.inserted_at \
         FROM project_memberships m JOIN accounts a ON a.id = m.user_id \
         WHERE m.project_id = ? ORDER BY m.role = 'owner' DESC, a.email COLLATE NOCASE",
    )
    .bind(project_id)
    .fetch_all(store.pool())
    .await?)
}

/// The membership row itself (a project's creation makes its owner one).
pub(crate) async fn insert(
    conn: &mut sqlx::SqliteConnection,
    project_id: &ProjectId,
    user_id: &AccountId,
    role: Role,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO project_memberships (id, project_id, user_id, role, inserted_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(new_id())
    .bind(project_id)
    .bind(user_id)
    .bind(role)
    .bind(now)
    .bind(now)
    .execute(conn)
    .await
    .map_err(|e| unique_as_conflict(e, "account", "this account is already a member"))?;
    Ok(())
}

/// A membership row's new role.
pub(crate) async fn update_role(
    conn: &mut sqlx::SqliteConnection,
    project_id: &ProjectId,
    user_id: &AccountId,
    role: Role,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE project_memberships SET role = ?, updated_at = ? WHERE project_id = ? AND user_id = ?",
    )
    .bind(role)
    .bind(now)
    .bind(project_id)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
}
