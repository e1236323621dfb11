//! Desktop notifications that must reach the person whichever process ran the sync that
//! called for them (the app or `codemyspec worker`): a project gone missing on GitHub, new
//! docs conflicts. Each is written in the transaction that made the change, and shown by
//! whichever running process claims it first — once, even with both running. A process that
//! cannot show it (no notification service) puts it back for another.

use crate::error::Result;
use crate::ids::{AccountId, ProjectId};
use crate::projects::Project;
use crate::store::Store;
use serde::Serialize;
use sqlx::SqliteConnection;

/// A notice waiting to be shown, or just claimed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Notice {
    pub id: i64,
    pub project_id: ProjectId,
    /// `missing`, `docs_conflicts` or `incident`.
    pub kind: String,
    pub summary: String,
    pub body: String,
}

/// Who shows the notices it claims: the window's profile sees only its projects', a
/// worker (no window, every profile's jobs) all of them.
#[derive(Debug, Clone, Copy)]
pub enum Claimer<'a> {
    App { profile: &'a AccountId },
    Worker,
}

/// Notices older than this are dropped unshown: a week-old "missing" is news no more.
const FRESH_HOURS: i64 = 24;

/// A project the org sync has just marked missing.
pub(crate) async fn record_missing(
    conn: &mut SqliteConnection,
    store: &Store,
    project: &Project,
    why: &str,
) -> Result<()> {
    let summary = format!("{} is missing on GitHub", project.name);
    record(conn, store, &project.id, "missing", &summary, why).await
}

/// A failing check on the default branch of an active project (crate::stage_rules).
pub(crate) async fn record_incident(
    conn: &mut SqliteConnection,
    store: &Store,
    project: &Project,
    why: &str,
) -> Result<()> {
    let summary = format!("{}: checks are failing on GitHub", project.name);
    let body = format!(
        "{}. The project is in error until they pass again; see `codemyspec stage why {}`.",
        why.trim_start_matches("GitHub: "),
        project.name
    );
    record(conn, store, &project.id, "incident", &summary, &body).await
}

/// `new` conflicts a docs sync of `project_id` has just recorded (none: nothing).
pub(crate) async fn record_conflicts(
    conn: &mut SqliteConnection,
    store: &Store,
    project_id: &ProjectId,
    new: usize,
) -> Result<()> {
    if new == 0 {
        return Ok(());
    }
    let name: String = sqlx::query_scalar("SELECT name FROM projects WHERE id = ?")
        .bind(project_id)
        .fetch_one(&mut *conn)
        .await?;
    let summary = match new {
        1 => format!("A docs conflict in {name}"),
        n => format!("{n} docs conflicts in {name}"),
    };
    let body = format!(
        "Someone else changed the same fields: both values are kept. Choose in the project's \
         Docs tab, or with `codemyspec docs conflicts -p {name}`."
    );
    record(conn, store, project_id, "docs_conflicts", &summary, &body).await
}

async fn record(
    conn: &mut SqliteConnection,
    store: &Store,
    project_id: &ProjectId,
    kind: &str,
    summary: &str,
    body: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO notices (project_id, kind, summary, body, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(project_id)
    .bind(kind)
    .bind(summary)
    .bind(body)
    .bind(store.now())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Claims the notices waiting for `claimer` (marks them shown by it) and returns them,
/// oldest first; no other process gets them. Stale ones are dropped on the way.
pub async fn claim(store: &Store, claimer: Claimer<'_>) -> Result<Vec<Notice>> {
    let now = store.now();
    let stale = crate::clock::format_ts(store.clock().now() - chrono::Duration::hours(FRESH_HOURS));
    let mut tx = store.write().await?;
    sqlx::query("DELETE FROM notices WHERE created_at < ?").bind(&stale).execute(&mut *tx).await?;
    let (by, profile) = match claimer {
        Claimer::App { profile } => ("app", Some(profile)),
        Claimer::Worker => ("worker", None),
    };
    let mut claimed: Vec<Notice> = sqlx::query_as(
        "UPDATE notices SET shown_at = ?1, shown_by = ?2 WHERE shown_at IS NULL AND (?3 IS NULL \
         OR project_id IN (SELECT project_id FROM project_memberships WHERE user_id = ?3)) \
         RETURNING id, project_id, kind, summary, body",
    )
    .bind(&now)
    .bind(by)
    .bind(profile)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    claimed.sort_by_key(|n| n.id);
    Ok(claimed)
}

/// Puts a claimed notice back (this process could not show it): another may.
pub async fn release(store: &Store, id: i64) -> Result<()> {
    let mut tx = store.write().await?;
    sqlx::query("UPDATE notices SET shown_at = NULL, shown_by = NULL WHERE id = ?")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
