//! The local side of the docs sync: a spec entity read from the database as the record its
//! file holds, and a merged record written back. Writes are plain rows inside the sync's
//! transaction (the outbox triggers record them like any edit); imported values pass the
//! same checks as an edit, and a story whose text changes loses its approval and marks its
//! contexts dirty, exactly as a local edit does.

use crate::error::Result;
use codemyspec_specdocs::{canonical, Fields, Kind};
use serde_json::{json, Value};
use sqlx::SqliteConnection;

mod write;
pub use write::{write, write_links};

type Row5 = (String, String, Option<String>, String, bool);

/// The entity as its file would hold it, or `None` when it does not exist in `project_id`.
pub async fn read(
    conn: &mut SqliteConnection,
    project_id: &str,
    kind: Kind,
    id: &str,
) -> Result<Option<Fields>> {
    let fields = match kind {
        Kind::Story => {
            let row: Option<Row5> = sqlx::query_as(
                "SELECT title, description, acceptance_criteria, status, approved FROM stories \
                 WHERE id = ? AND project_id = ?",
            )
            .bind(id)
            .bind(project_id)
            .fetch_optional(&mut *conn)
            .await?;
            let Some((title, description, criteria, status, approved)) = row else {
                return Ok(None);
            };
            Fields::from([
                ("title".into(), json!(title)),
                ("status".into(), json!(status)),
                ("approved".into(), json!(approved)),
                ("description".into(), json!(description)),
                ("acceptance_criteria".into(), json!(criteria)),
            ])
        }
        Kind::Context => {
            let row: Option<(String, String, String, Option<String>, bool)> = sqlx::query_as(
                "SELECT name, type, purpose, description, approved FROM contexts \
                 WHERE id = ? AND project_id = ?",
            )
            .bind(id)
            .bind(project_id)
            .fetch_optional(&mut *conn)
            .await?;
            let Some((name, kind, purpose, description, approved)) = row else {
                return Ok(None);
            };
            let stories: Vec<String> =
                sqlx::query_scalar("SELECT story_id FROM context_stories WHERE context_id = ?")
                    .bind(id)
                    .fetch_all(&mut *conn)
                    .await?;
            Fields::from([
                ("name".into(), json!(name)),
                ("type".into(), json!(kind)),
                ("purpose".into(), json!(purpose)),
                ("approved".into(), json!(approved)),
                ("stories".into(), json!(stories)),
                ("description".into(), json!(description)),
            ])
        }
        Kind::Component => {
            type Row =
                (i64, String, String, String, Option<String>, Option<String>, bool, bool, bool);
            let row: Option<Row> = sqlx::query_as(
                "SELECT seq, name, type, file_path, description, context_id, docs_complete, \
                 code_complete, tests_complete FROM components WHERE id = ? AND project_id = ?",
            )
            .bind(id)
            .bind(project_id)
            .fetch_optional(&mut *conn)
            .await?;
            let Some((seq, name, kind, file_path, description, context, docs, code, tests)) = row
            else {
                return Ok(None);
            };
            let depends_on: Vec<String> = sqlx::query_scalar(
                "SELECT c.id FROM component_dependencies d JOIN components c \
                 ON c.seq = d.depends_on_seq WHERE d.component_seq = ?",
            )
            .bind(seq)
            .fetch_all(&mut *conn)
            .await?;
            let design: Option<(String, bool)> =
                sqlx::query_as("SELECT content, approved FROM design_docs WHERE component_id = ?")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
            Fields::from([
                ("name".into(), json!(name)),
                ("type".into(), json!(kind)),
                ("file_path".into(), json!(file_path)),
                ("context".into(), json!(context)),
                ("docs_complete".into(), json!(docs)),
                ("code_complete".into(), json!(code)),
                ("tests_complete".into(), json!(tests)),
                ("depends_on".into(), json!(depends_on)),
                ("design_approved".into(), json!(design.as_ref().is_some_and(|d| d.1))),
                ("description".into(), json!(description)),
                ("design".into(), json!(design.map(|d| d.0))),
            ])
        }
    };
    Ok(Some(canonical(kind, fields)))
}

/// Every entity of the project, by kind and id (the setup's first docs tree).
pub async fn read_all(
    conn: &mut SqliteConnection,
    project_id: &str,
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
