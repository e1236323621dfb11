//! A merged record written back into the database: an entity's own fields (inserted,
//! updated or deleted) and its links, with the same checks and the same consequences as a
//! local edit (approvals cleared, dirty marks).

use super::{flag, ids, opt, text};
use crate::components::ComponentType;
use crate::contexts::ContextType;
use crate::error::{Error, Result};
use crate::ids::ProjectId;
use crate::ids::{ComponentId, ContextId};
use crate::store::{new_id, Store};
use crate::stories::StoryStatus;
use crate::validate;
use codemyspec_specdocs::{Fields, Kind};
use sqlx::SqliteConnection;

/// Where and when an entity is written.
struct At<'a> {
    store: &'a Store,
    now: &'a str,
    project_id: &'a ProjectId,
    id: &'a str,
}

/// Writes an entity's own fields (not its links): inserts it, updates it, or deletes it
/// (`None`). `before` is what the database held, as [`super::read`] gave it.
#[allow(clippy::too_many_arguments)] // one entity's write: where, when, what, before and after
pub async fn write(
    conn: &mut SqliteConnection,
    store: &Store,
    now: &str,
    project_id: &ProjectId,
    kind: Kind,
    id: &str,
    before: Option<&Fields>,
    after: Option<&Fields>,
) -> Result<()> {
    let Some(f) = after else {
        return delete(conn, project_id, kind, id).await;
    };
    let at = At { store, now, project_id, id };
    match kind {
        Kind::Story => write_story(conn, &at, before, f).await,
        Kind::Context => write_context(conn, &at, before, f).await,
        Kind::Component => write_component(conn, &at, before, f).await,
    }
}

async fn write_story(
    conn: &mut SqliteConnection,
    at: &At<'_>,
    before: Option<&Fields>,
    f: &Fields,
) -> Result<()> {
    let title = validate::required_line("title", text(f, "title"), validate::TITLE_MAX)?;
    let description = validate::text("description", text(f, "description"))?;
    let criteria = validate::optional_text("acceptance_criteria", opt(f, "acceptance_criteria"))?;
    let status = StoryStatus::parse("status", text(f, "status"))?;
    let text_of = |f: &Fields| {
        (
            text(f, "title").to_owned(),
            text(f, "description").to_owned(),
            opt(f, "acceptance_criteria").map(str::to_owned),
        )
    };
    let text_changed = before.is_some_and(|b| text_of(b) != text_of(f));
    // A story whose text changed elsewhere is no longer the text that was approved.
    let approved = flag(f, "approved") && !text_changed;
    if before.is_some() {
        if text_changed {
            sqlx::query(
                "UPDATE contexts SET dirty = 1 WHERE dirty = 0 AND project_id = ? AND id IN \
                 (SELECT context_id FROM context_stories WHERE story_id = ?)",
            )
            .bind(at.project_id)
            .bind(at.id)
            .execute(&mut *conn)
            .await?;
        }
        sqlx::query(
            "UPDATE stories SET title = ?, description = ?, acceptance_criteria = ?, \
             status = ?, approved = ?, version = version + 1, updated_at = ? \
             WHERE id = ? AND project_id = ?",
        )
        .bind(&title)
        .bind(&description)
        .bind(&criteria)
        .bind(status)
        .bind(approved)
        .bind(at.now)
        .bind(at.id)
        .bind(at.project_id)
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query(
            "INSERT INTO stories (id, project_id, title, description, acceptance_criteria, \
             status, approved, inserted_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(at.id)
        .bind(at.project_id)
        .bind(&title)
        .bind(&description)
        .bind(&criteria)
        .bind(status)
        .bind(approved)
        .bind(at.now)
        .bind(at.now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn write_context(
    conn: &mut SqliteConnection,
    at: &At<'_>,
    before: Option<&Fields>,
    f: &Fields,
) -> Result<()> {
    let name = validate::module_alias("name", text(f, "name"))?;
    let kind = ContextType::parse("type", text(f, "type"))?;
    let purpose = validate::required_line("purpose", text(f, "purpose"), 1000)?;
    let description = validate::optional_text("description", opt(f, "description"))?;
    fn text_of(f: &Fields) -> (&str, &str, &str, Option<&str>) {
        (text(f, "name"), text(f, "type"), text(f, "purpose"), opt(f, "description"))
    }
    // A context whose text changed elsewhere is no longer what was approved, and what
    // was made from it is out of date, exactly as after a local edit.
    let text_changed = before.is_some_and(|b| text_of(b) != text_of(f));
    let approved = flag(f, "approved") && !text_changed;
    let sql = if before.is_some() {
        "UPDATE contexts SET name = ?1, type = ?2, purpose = ?3, description = ?4, \
         approved = ?5, version = version + 1, updated_at = ?6 WHERE id = ?7 AND project_id = ?8"
    } else {
        "INSERT INTO contexts (name, type, purpose, description, approved, updated_at, \
         id, project_id, inserted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?6)"
    };
    sqlx::query(sql)
        .bind(&name)
        .bind(kind)
        .bind(&purpose)
        .bind(&description)
        .bind(approved)
        .bind(at.now)
        .bind(at.id)
        .bind(at.project_id)
        .execute(&mut *conn)
        .await
        .map_err(|e| taken(e, "context", &name))?;
    if text_changed {
        crate::dependencies::context_changed(conn, at.store, &ContextId::parse("id", at.id)?)
            .await?;
    }
    Ok(())
}

async fn write_component(
    conn: &mut SqliteConnection,
    at: &At<'_>,
    before: Option<&Fields>,
    f: &Fields,
) -> Result<()> {
    let name = validate::module_alias("name", text(f, "name"))?;
    let kind = ComponentType::parse("type", text(f, "type"))?;
    let file_path = validate::file_path("file_path", text(f, "file_path"))?;
    let description = validate::optional_text("description", opt(f, "description"))?;
    // A context that is not here (deleted, or not yet imported) leaves it unassigned.
    let context: Option<String> = match opt(f, "context") {
        None => None,
        Some(c) => {
            sqlx::query_scalar("SELECT id FROM contexts WHERE id = ? AND project_id = ?")
                .bind(c)
                .bind(at.project_id)
                .fetch_optional(&mut *conn)
                .await?
        }
    };
    let sql = if before.is_some() {
        "UPDATE components SET name = ?1, type = ?2, file_path = ?3, description = ?4, \
         context_id = ?5, docs_complete = ?6, code_complete = ?7, tests_complete = ?8, \
         updated_at = ?9 WHERE id = ?10 AND project_id = ?11"
    } else {
        "INSERT INTO components (name, type, file_path, description, context_id, \
         docs_complete, code_complete, tests_complete, updated_at, id, project_id, \
         inserted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?9)"
    };
    sqlx::query(sql)
        .bind(&name)
        .bind(kind)
        .bind(&file_path)
        .bind(&description)
        .bind(&context)
        .bind(flag(f, "docs_complete"))
        .bind(flag(f, "code_complete"))
        .bind(flag(f, "tests_complete"))
        .bind(at.now)
        .bind(at.id)
        .bind(at.project_id)
        .execute(&mut *conn)
        .await
        .map_err(|e| taken(e, "component", &name))?;
    // What the component is (not its progress flags) changed elsewhere: what depends
    // on it is out of date, as after a local edit.
    type What<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, Option<&'a str>);
    fn what_of(f: &Fields) -> What<'_> {
        (
            text(f, "name"),
            text(f, "type"),
            text(f, "file_path"),
            opt(f, "description"),
            opt(f, "context"),
        )
    }
    let what_changed = before.is_some_and(|b| what_of(b) != what_of(f));
    let changed = write_design(conn, at, before, f).await? || what_changed;
    if changed {
        crate::dependencies::component_changed(conn, at.store, &ComponentId::parse("id", at.id)?)
            .await?;
    }
    Ok(())
}

/// A component's design doc as its file has it; returns whether the change makes what
/// depends on the component out of date.
async fn write_design(
    conn: &mut SqliteConnection,
    at: &At<'_>,
    before: Option<&Fields>,
    f: &Fields,
) -> Result<bool> {
    let mut changed = false;
    let design = validate::optional_text("design", opt(f, "design"))?;
    let had = before.and_then(|b| opt(b, "design")).map(str::to_owned);
    let had_approved = before.is_some_and(|b| flag(b, "design_approved"));
    // An approval that arrives with a changed text is not trusted: the text it was
    // given for is not the one here any more.
    let design_changed = before.is_some() && had != design;
    let approved = flag(f, "design_approved") && !design_changed;
    match design {
        None => {
            changed = had.is_some();
            sqlx::query("DELETE FROM design_docs WHERE component_id = ?")
                .bind(at.id)
                .execute(&mut *conn)
                .await?;
        }
        Some(content) if had.as_deref() != Some(content.as_str()) || had_approved != approved => {
            changed = design_changed;
            sqlx::query(
                "INSERT INTO design_docs (id, component_id, content, approved, inserted_at, \
                 updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (component_id) DO UPDATE \
                 SET content = excluded.content, approved = excluded.approved, \
                 version = version + 1, updated_at = excluded.updated_at",
            )
            .bind(new_id())
            .bind(at.id)
            .bind(&content)
            .bind(approved)
            .bind(at.now)
            .execute(&mut *conn)
            .await?;
        }
        Some(_) => {}
    }
    Ok(changed)
}

fn taken(e: sqlx::Error, what: &str, name: &str) -> Error {
    match &e {
        sqlx::Error::Database(d) if d.message().contains("UNIQUE") => {
            Error::conflict(Some("name"), format!("another {what} here is already called {name}"))
        }
        _ => e.into(),
    }
}

async fn delete(
    conn: &mut SqliteConnection,
    project_id: &ProjectId,
    kind: Kind,
    id: &str,
) -> Result<()> {
    let table = match kind {
        Kind::Story => {
            sqlx::query(
                "UPDATE contexts SET dirty = 1 WHERE project_id = ? AND id IN \
                 (SELECT context_id FROM context_stories WHERE story_id = ?)",
            )
            .bind(project_id)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            "stories"
        }
        Kind::Context => "contexts",
        Kind::Component => "components",
    };
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {table} WHERE id = ? AND project_id = ?"
    )))
    .bind(id)
    .bind(project_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Makes an entity's links (a context's stories, a component's dependencies) the set in
/// `after`, as far as the other ends exist here; the rest of the set waits for them.
#[allow(clippy::too_many_arguments)] // as `write`
pub async fn write_links(
    conn: &mut SqliteConnection,
    store: &Store,
    now: &str,
    project_id: &ProjectId,
    kind: Kind,
    id: &str,
    before: Option<&Fields>,
    after: &Fields,
) -> Result<()> {
    let field = match kind {
        Kind::Story => return Ok(()),
        Kind::Context => "stories",
        Kind::Component => "depends_on",
    };
    let want = ids(after, field);
    let had = before.map(|b| ids(b, field)).unwrap_or_default();
    if want == had {
        return Ok(());
    }
    let at = At { store, now, project_id, id };
    match kind {
        Kind::Context => link_stories(conn, &at, &had, &want, before.is_some()).await,
        Kind::Component | Kind::Story => {
            link_components(conn, &at, &had, &want, before.is_some()).await
        }
    }
}

/// A context's stories made `want` (from `had`); `relinked`: it existed before, so it is
/// out of date now.
async fn link_stories(
    conn: &mut SqliteConnection,
    at: &At<'_>,
    had: &[String],
    want: &[String],
    relinked: bool,
) -> Result<()> {
    for gone in had.iter().filter(|x| !want.contains(x)) {
        sqlx::query("DELETE FROM context_stories WHERE context_id = ? AND story_id = ?")
            .bind(at.id)
            .bind(gone)
            .execute(&mut *conn)
            .await?;
    }
    for new in want.iter().filter(|x| !had.contains(x)) {
        sqlx::query(
            "INSERT OR IGNORE INTO context_stories (id, context_id, story_id, inserted_at, \
             updated_at) SELECT ?1, ?2, id, ?3, ?3 FROM stories WHERE id = ?4 AND project_id = ?5",
        )
        .bind(new_id())
        .bind(at.id)
        .bind(at.now)
        .bind(new)
        .bind(at.project_id)
        .execute(&mut *conn)
        .await?;
    }
    if relinked {
        // Its stories changed elsewhere: regenerate it, as after a local link.
        sqlx::query("UPDATE contexts SET dirty = 1 WHERE id = ? AND project_id = ?")
            .bind(at.id)
            .bind(at.project_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A component's dependencies made `want` (from `had`); `relinked` as for a context.
async fn link_components(
    conn: &mut SqliteConnection,
    at: &At<'_>,
    had: &[String],
    want: &[String],
    relinked: bool,
) -> Result<()> {
    let seq: i64 = sqlx::query_scalar("SELECT seq FROM components WHERE id = ? AND project_id = ?")
        .bind(at.id)
        .bind(at.project_id)
        .fetch_one(&mut *conn)
        .await?;
    for gone in had.iter().filter(|x| !want.contains(x)) {
        sqlx::query(
            "DELETE FROM component_dependencies WHERE component_seq = ? AND depends_on_seq = \
             (SELECT seq FROM components WHERE id = ? AND project_id = ?)",
        )
        .bind(seq)
        .bind(gone)
        .bind(at.project_id)
        .execute(&mut *conn)
        .await?;
    }
    for new in want.iter().filter(|x| !had.contains(x)) {
        sqlx::query(
            "INSERT OR IGNORE INTO component_dependencies (id, project_id, component_seq, \
             depends_on_seq, inserted_at, updated_at) SELECT ?1, ?2, ?3, seq, ?4, ?4 \
             FROM components WHERE id = ?5 AND project_id = ?2 AND seq <> ?3",
        )
        .bind(new_id())
        .bind(at.project_id)
        .bind(seq)
        .bind(at.now)
        .bind(new)
        .execute(&mut *conn)
        .await?;
    }
    if relinked {
        // Its dependencies changed elsewhere: it and what depends on it are out of
        // date, as after a local edge.
        crate::dirty::mark(conn, &[seq]).await?;
        crate::dependencies::component_changed(conn, at.store, &ComponentId::parse("id", at.id)?)
            .await?;
    }
    Ok(())
}
