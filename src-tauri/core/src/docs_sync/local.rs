//! The local side of the docs sync: a spec entity read from the database as the record its
//! file holds, and a merged record written back. Writes are plain rows inside the sync's
//! transaction (the outbox triggers record them like any edit); imported values pass the
//! same checks as an edit, and a story whose text changes loses its approval and marks its
//! contexts dirty, exactly as a local edit does.

use crate::error::Result;
use crate::ids::ProjectId;
use codemyspec_specdocs::{canonical, Fields, Kind};
use serde_json::{json, Value};
use sqlx::SqliteConnection;

mod write;
pub use write::{write, write_links};

/// The entity as its file would hold it, or `None` when it does not exist in `project_id`.
pub async fn read(
    conn: &mut SqliteConnection,
    project_id: &ProjectId,
    kind: Kind,
    id: &str,
) -> Result<Option<Fields>> {
    let fields = match kind {
        Kind::Story => read_story(conn, project_id, id).await?,
        Kind::Context => read_context(conn, project_id, id).await?,
        Kind::Component => read_component(conn, project_id, id).await?,
    };
    Ok(fields.map(|f| canonical(kind, f)))
}

/// The row `sql` reads for one entity of a project (`?1` its id, `?2` the project's).
pub(super) async fn row_of<T>(
    conn: &mut SqliteConnection,
    sql: &'static str,
    project_id: &ProjectId,
    id: &str,
) -> Result<Option<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    Ok(sqlx::query_as(sql).bind(id).bind(project_id).fetch_optional(&mut *conn).await?)
}

/// A story's columns that its file holds.
#[derive(sqlx::FromRow)]
struct StoryRow {
    title: String,
    description: String,
    acceptance_criteria: Option<String>,
    status: String,
    approved: bool,
}

async fn read_story(
    conn: &mut SqliteConnection,
    project_id: &ProjectId,
    id: &str,
) -> Result<Option<Fields>> {
    let sql = "SELECT title, description, acceptance_criteria, status, approved FROM stories \
               WHERE id = ?1 AND project_id = ?2";
    let row: Option<StoryRow> = row_of(conn, sql, project_id, id).await?;
    Ok(row.map(|s| {
        Fields::from([
            ("title".into(), json!(s.title)),
            ("status".into(), json!(s.status)),
            ("approved".into(), json!(s.approved)),
            ("description".into(), json!(s.description)),
            ("acceptance_criteria".into(), json!(s.acceptance_criteria)),
        ])
    }))
}

/// A bounded context's columns that its file holds.
#[derive(sqlx::FromRow)]
struct ContextRow {
    name: String,
    #[sqlx(rename = "type")]
    kind: String,
    purpose: String,
    description: Option<String>,
    approved: bool,
}

async fn read_context(
    conn: &mut SqliteConnection,
    project_id: &ProjectId,
    id: &str,
) -> Result<Option<Fields>> {
    let sql = "SELECT name, type, purpose, description, approved FROM contexts \
               WHERE id = ?1 AND project_id = ?2";
    let row: Option<ContextRow> = row_of(conn, sql, project_id, id).await?;
    let Some(c) = row else {
        return Ok(None);
    };
    let stories: Vec<String> =
        sqlx::query_scalar("SELECT story_id FROM context_stories WHERE context_id = ?")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(Some(Fields::from([
        ("name".into(), json!(c.name)),
        ("type".into(), json!(c.kind)),
        ("purpose".into(), json!(c.purpose)),
        ("approved".into(), json!(c.approved)),
        ("stories".into(), json!(stories)),
        ("description".into(), json!(c.description)),
    ])))
}

/// A component's columns that its file holds (`seq` finds its dependencies).
#[derive(sqlx::FromRow)]
struct ComponentRow {
    seq: i64,
    name: String,
    #[sqlx(rename = "type")]
    kind: String,
    file_path: String,
    description: Option<String>,
    context_id: Option<String>,
    docs_complete: bool,
    code_complete: bool,
    tests_complete: bool,
}

/// A component's design doc as its file holds it.
#[derive(sqlx::FromRow)]
struct DesignRow {
    content: String,
    approved: bool,
}

async fn read_component(
    conn: &mut SqliteConnection,
    project_id: &ProjectId,
    id: &str,
) -> Result<Option<Fields>> {
    let sql = "SELECT seq, name, type, file_path, description, context_id, docs_complete, \
               code_complete, tests_complete FROM components WHERE id = ?1 AND project_id = ?2";
    let row: Option<ComponentRow> = row_of(conn, sql, project_id, id).await?;
    let Some(c) = row else {
        return Ok(None);
    };
    let depends_on: Vec<String> = sqlx::query_scalar(
        "SELECT c.id FROM component_dependencies d JOIN components c \
         ON c.seq = d.depends_on_seq WHERE d.component_seq = ?",
    )
    .bind(c.seq)
    .fetch_all(&mut *conn)
    .await?;
    let design: Option<DesignRow> =
        sqlx::query_as("SELECT content, approved FROM design_docs WHERE component_id = ?")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(Some(Fields::from([
        ("name".into(), json!(c.name)),
        ("type".into(), json!(c.kind)),
        ("file_path".into(), json!(c.file_path)),
        ("context".into(), json!(c.context_id)),
        ("docs_complete".into(), json!(c.docs_complete)),
        ("code_complete".into(), json!(c.code_complete)),
        ("tests_complete".into(), json!(c.tests_complete)),
        ("depends_on".into(), json!(depends_on)),
        ("design_approved".into(), json!(design.as_ref().is_some_and(|d| d.approved))),
        ("description".into(), json!(c.description)),
        ("design".into(), json!(design.map(|d| d.content))),
    ])))
}

/// Every entity of the project, by kind and id (the setup's first docs tree).
pub async fn read_all(
    conn: &mut SqliteConnection,
    project_id: &ProjectId,
) -> Result<Vec<(Kind, String, Fields)>> {
    let mut out = Vec::new();
    for (kind, table) in
        [(Kind::Story, "stories"), (Kind::Context, "contexts"), (Kind::Component, "components")]
    {
        let ids: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM {table} WHERE project_id = ? ORDER BY inserted_at, id"
        )))
        .bind(project_id)
        .fetch_all(&mut *conn)
        .await?;
        for id in ids {
            if let Some(fields) = read(conn, project_id, kind, &id).await? {
                out.push((kind, id, fields));
            }
        }
    }
    Ok(out)
}

pub(super) fn text<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.get(name).and_then(Value::as_str).unwrap_or_default()
}

pub(super) fn opt<'a>(f: &'a Fields, name: &str) -> Option<&'a str> {
    f.get(name).and_then(Value::as_str)
}

pub(super) fn flag(f: &Fields, name: &str) -> bool {
    f.get(name).and_then(Value::as_bool).unwrap_or(false)
}

pub(super) fn ids(f: &Fields, name: &str) -> Vec<String> {
    f.get(name)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}
