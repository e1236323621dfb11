//! Agent sessions (`CodeMySpec.Sessions` of the original design, docs/DESIGN.md): a unit of work on
//! a component, a context or the project, moving pending → in_progress → complete | failed and no
//! other way.

use crate::access::{self, Need, Owned};
use crate::error::{Error, Result};
use crate::ids::{AccountId, EntityId, ProjectId, SessionId};
use crate::store::Store;
use crate::text_enum::text_enum;
use serde::Serialize;

text_enum! {
    pub enum SessionType ("session type") {
        Design = "design",
        Test = "test",
        Implementation = "implementation",
        Setup = "setup",
    }
}

text_enum! {
    pub enum TargetType ("target type") {
        Component = "component",
        Context = "context",
        Project = "project",
    }
}

text_enum! {
    pub enum SessionStatus ("session status") {
        Pending = "pending",
        InProgress = "in_progress",
        Complete = "complete",
        Failed = "failed",
    }
}

impl SessionStatus {
    pub fn next(self) -> &'static [SessionStatus] {
        use SessionStatus::*;
        match self {
            Pending => &[InProgress],
            InProgress => &[Complete, Failed],
            Complete | Failed => &[],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Session {
    pub id: SessionId,
    pub project_id: ProjectId,
    pub session_type: SessionType,
    pub target_type: TargetType,
    pub target_id: EntityId,
    pub status: SessionStatus,
    pub inserted_at: String,
    pub updated_at: String,
}

const COLUMNS: &str =
    "id, project_id, session_type, target_type, target_id, status, inserted_at, updated_at";

#[derive(Debug, Clone)]
pub struct NewSession {
    pub session_type: SessionType,
    pub target_type: TargetType,
    /// The target's id; for a `project` target, the project's own id (or none).
    pub target_id: Option<EntityId>,
}

pub async fn create(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
    new: NewSession,
) -> Result<Session> {
    let target_id = match (new.target_type, new.target_id) {
        (_, Some(id)) => id,
        (TargetType::Project, None) => EntityId::from(*project_id),
        (kind, None) => {
            return Err(Error::invalid(
                "target_id",
                format!("name the {kind} the session is about"),
            ))
        }
    };
    let mut tx = store.write().await?;
    access::require(&mut *tx, actor, project_id, Need::Write).await?;
    let target_project: Option<ProjectId> = match new.target_type {
        TargetType::Project => (target_id == EntityId::from(*project_id)).then_some(*project_id),
        TargetType::Component => {
            sqlx::query_scalar("SELECT project_id FROM components WHERE id = ?")
                .bind(target_id)
                .fetch_optional(&mut *tx)
                .await?
        }
        TargetType::Context => {
            sqlx::query_scalar("SELECT project_id FROM contexts WHERE id = ?")
                .bind(target_id)
                .fetch_optional(&mut *tx)
                .await?
        }
    };
    if target_project.as_ref() != Some(project_id) {
        return Err(Error::invalid(
            "target_id",
            format!("the target must be a {} of this project", new.target_type),
        ));
    }
    let id = SessionId::new();
    let now = store.now();
    sqlx::query(
        "INSERT INTO sessions (id, project_id, session_type, target_type, target_id, \
         inserted_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(project_id)
    .bind(new.session_type)
    .bind(new.target_type)
    .bind(target_id)
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    let s = fetch(&mut *tx, &id).await?;
    tx.commit().await?;
    Ok(s)
}

async fn fetch<'e, E: sqlx::SqliteExecutor<'e>>(exec: E, id: &SessionId) -> Result<Session> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM sessions WHERE id = ?")))
        .bind(id)
        .fetch_optional(exec)
        .await?
        .ok_or(Error::not_found("session"))
}

pub async fn get(store: &Store, actor: &AccountId, id: &SessionId) -> Result<Session> {
    access::require_owner_of(store.pool(), actor, Owned::Session, id, Need::Read).await?;
    fetch(store.pool(), id).await
}

pub async fn list(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
) -> Result<Vec<Session>> {
    list_where(store, actor, project_id, false).await
}

/// The original design's `list_active_sessions/1` (docs/DESIGN.md): pending and in-progress
/// sessions.
pub async fn list_active(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
) -> Result<Vec<Session>> {
    list_where(store, actor, project_id, true).await
}

async fn list_where(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
    active_only: bool,
) -> Result<Vec<Session>> {
    access::require(store.pool(), actor, project_id, Need::Read).await?;
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sessions WHERE project_id = ? \
         AND (? = 0 OR status IN ('pending', 'in_progress')) ORDER BY inserted_at, id"
    )))
    .bind(project_id)
    .bind(active_only)
    .fetch_all(store.pool())
    .await?)
}

/// The original design's `update_status/2` (docs/DESIGN.md); only pending → in_progress → complete
/// | failed.
pub async fn update_status(
    store: &Store,
    actor: &AccountId,
    id: &SessionId,
    to: SessionStatus,
) -> Result<Session> {
    let mut tx = store.write().await?;
    access::require_owner_of(&mut *tx, actor, Owned::Session, id, Need::Write).await?;
    let s = fetch(&mut *tx, id).await?;
    if !s.status.next().contains(&to) {
        let allowed: Vec<&str> = s.status.next().iter().map(|n| n.as_str()).collect();
        let list =
            if allowed.is_empty() { "none, it is finished".into() } else { allowed.join(", ") };
        return Err(Error::conflict(
            Some("status"),
            format!("a {} session cannot become {to}; allowed: {list}", s.status),
        ));
    }
    sqlx::query("UPDATE sessions SET status = ?, updated_at = ? WHERE id = ?")
        .bind(to)
        .bind(store.now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let s = fetch(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(s)
}
