//! The end of a sync whose push went through (or that had nothing to push): its merge
//! becomes the base, its conflicts and problems are recorded, the outbox entries it covered
//! go, and the synced commit moves — one transaction.

use super::merge::{Base, Prepared};
use super::*;
use crate::ids::ProjectId;

/// The push went through (or there was nothing to push): the merge becomes the base.
pub(super) async fn finish(
    store: &Store,
    project_id: &ProjectId,
    p: Prepared,
    merges: u32,
) -> Result<SyncReport> {
    let now = store.now();
    let mut tx = store.write().await?;
    let points_at: Option<String> =
        sqlx::query_scalar("SELECT docs_repo FROM projects WHERE id = ?")
            .bind(project_id)
            .fetch_optional(&mut *tx)
            .await?
            .flatten();
    if points_at.as_deref() != Some(p.url.as_str()) {
        // The project was pointed at another repository meanwhile: what this merge learnt
        // belongs to the old one. The outbox stays; the next sync publishes to the new one.
        return Ok(SyncReport {
            commit: p.commit,
            synced_commit: None,
            published: p.published,
            imported: p.imported,
            added: p.added,
            conflicts: 0,
            problems: p.problems,
            merges,
        });
    }
    record_bases(&mut tx, project_id, p.replace_bases, &p.bases).await?;
    let new_conflicts = record_conflicts(&mut tx, project_id, &now, &p.conflicts).await?;
    record_problems(&mut tx, project_id, &now, &p.checked_paths, &p.problems).await?;
    sqlx::query("DELETE FROM outbox WHERE project_id = ? AND id <= ?")
        .bind(project_id)
        .bind(p.outbox_max)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO docs_sync (project_id, synced_commit, synced_at, attempted_at, error, offline, \
         repo_url, added) VALUES (?1, ?2, ?3, ?3, NULL, 0, ?4, ?5) ON CONFLICT (project_id) DO UPDATE \
         SET synced_commit = ?2, synced_at = ?3, attempted_at = ?3, error = NULL, offline = 0, \
         repo_url = ?4, added = ?5",
    )
    .bind(project_id)
    .bind(&p.head)
    .bind(&now)
    .bind(&p.url)
    .bind(i64::from(p.added))
    .execute(&mut *tx)
    .await?;
    crate::notices::record_conflicts(&mut tx, store, project_id, new_conflicts).await?;
    let open: i64 = sqlx::query_scalar("SELECT count(*) FROM docs_conflicts WHERE project_id = ?")
        .bind(project_id)
        .fetch_one(&mut *tx)
        .await?;
    let problems = all_problems(&mut tx, project_id).await?;
    tx.commit().await?;
    Ok(SyncReport {
        commit: p.commit,
        synced_commit: p.head,
        published: p.published,
        imported: p.imported,
        added: p.added,
        conflicts: open as u32,
        problems,
        merges,
    })
}

/// The merge's bases become the synced ones (all of them replaced when `replace`).
async fn record_bases(
    conn: &mut SqliteConnection,
    project_id: &ProjectId,
    replace: bool,
    bases: &[(String, Option<Base>)],
) -> Result<()> {
    if replace {
        sqlx::query("DELETE FROM docs_entities WHERE project_id = ?")
            .bind(project_id)
            .execute(&mut *conn)
            .await?;
    }
    for (id, base) in bases {
        match base {
            Some(b) => {
                sqlx::query(
                    "INSERT INTO docs_entities (project_id, entity_id, kind, path, version, fields) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (project_id, entity_id) DO UPDATE \
                     SET kind = ?3, path = ?4, version = ?5, fields = ?6",
                )
                .bind(project_id)
                .bind(id)
                .bind(b.kind.as_str())
                .bind(&b.path)
                .bind(b.version)
                .bind(serde_json::to_string(&b.fields).unwrap_or_default())
                .execute(&mut *conn)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM docs_entities WHERE project_id = ? AND entity_id = ?")
                    .bind(project_id)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    Ok(())
}

/// The clashes the merge changed, each entity's replaced as a whole; returns how many are
/// new (a field already in conflict is not news).
async fn record_conflicts(
    conn: &mut SqliteConnection,
    project_id: &ProjectId,
    now: &str,
    conflicts: &[(String, Vec<ConflictRow>)],
) -> Result<usize> {
    let mut new_conflicts = 0;
    for (id, rows) in conflicts {
        // A field already in conflict is not news; one that was not is (a notice below).
        let known: Vec<ConflictField> = sqlx::query_scalar(
            "SELECT field FROM docs_conflicts WHERE project_id = ? AND entity_id = ?",
        )
        .bind(project_id)
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        new_conflicts += rows.iter().filter(|r| !known.contains(&r.field)).count();
        sqlx::query("DELETE FROM docs_conflicts WHERE project_id = ? AND entity_id = ?")
            .bind(project_id)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        for row in rows {
            sqlx::query(
                "INSERT INTO docs_conflicts (project_id, entity_id, kind, field, label, base, theirs, at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(project_id)
            .bind(id)
            .bind(row.kind.as_str())
            .bind(&row.field)
            .bind(&row.label)
            .bind(row.base.to_string())
            .bind(row.theirs.to_string())
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(new_conflicts)
}

/// The files read this time lose their old problems; the problems found are recorded.
async fn record_problems(
    conn: &mut SqliteConnection,
    project_id: &ProjectId,
    now: &str,
    checked: &[String],
    problems: &[Problem],
) -> Result<()> {
    for path in checked {
        sqlx::query("DELETE FROM docs_problems WHERE project_id = ? AND path = ?")
            .bind(project_id)
            .bind(path)
            .execute(&mut *conn)
            .await?;
    }
    for problem in problems {
        sqlx::query(
            "INSERT INTO docs_problems (project_id, path, message, at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (project_id, path) DO UPDATE SET message = ?3, at = ?4",
        )
        .bind(project_id)
        .bind(&problem.path)
        .bind(&problem.message)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(super) async fn all_problems(
    conn: &mut SqliteConnection,
    project_id: &ProjectId,
) -> Result<Vec<Problem>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT path, message FROM docs_problems WHERE project_id = ? ORDER BY path",
    )
    .bind(project_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(path, message)| Problem { path, message }).collect())
}
