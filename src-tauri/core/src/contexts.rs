//! Bounded contexts (`CodeMySpec.Architecture` of the original design, docs/DESIGN.md) and their
//! links to stories. Edits are optimistic like stories'. Editing a context clears its approval and
//! marks its components, and every component depending on them, dirty.

use crate::access::{self, Need, Owned};
use crate::dependencies;
use crate::error::{Error, Result};
use crate::ids::ProjectId;
use crate::ids::StoryId;
use crate::ids::{AccountId, ContextId};
use crate::store::{new_id, unique_as_conflict, Store};
use crate::stories::{self, check_version, Story};
use crate::text_enum::text_enum;
use crate::validate;
use serde::Serialize;

text_enum! {
    pub enum ContextType ("context type") {
        Domain = "domain",
        Coordination = "coordination",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Context {
    pub id: ContextId,
    pub project_id: ProjectId,
    pub name: String,
    #[serde(rename = "type")]
    #[sqlx(rename = "type")]
    pub kind: ContextType,
    pub purpose: String,
    pub description: Option<String>,
    pub approved: bool,
    pub dirty: bool,
    // Exported to TypeScript as `number`: versions and GitHub ids stay far below 2^53.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub version: i64,
    pub inserted_at: String,
    pub updated_at: String,
}

const COLUMNS: &str = "id, project_id, name, type, purpose, description, approved, dirty, \
                       version, inserted_at, updated_at";

/// A new context; left out: a `domain` context with an empty purpose and description.
#[derive(Debug, Clone, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct NewContext {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ContextType,
    pub purpose: String,
    pub description: Option<String>,
}

/// `None` leaves a field alone.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ContextChanges {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<ContextType>,
    pub purpose: Option<String>,
    pub description: Option<String>,
}

impl Default for NewContext {
    fn default() -> Self {
        NewContext {
            name: String::new(),
            kind: ContextType::Domain,
            purpose: String::new(),
            description: None,
        }
    }
}

const DUPLICATE: &str = "this project already has a context with this name";

pub async fn create(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
    new: NewContext,
) -> Result<Context> {
    let mut checks = validate::Checks::new();
    let name = checks.check(validate::module_alias("name", &new.name));
    let purpose = checks.check(validate::required_line("purpose", &new.purpose, 1000));
    let description =
        checks.check(validate::optional_text("description", new.description.as_deref()));
    checks.finish()?;
    let (name, purpose) = (name.unwrap_or_default(), purpose.unwrap_or_default());
    let description = description.unwrap_or_default();
    let id = ContextId::new();
    let now = store.now();
    let mut tx = store.write().await?;
    access::require(&mut *tx, actor, project_id, Need::Write).await?;
    sqlx::query(
        "INSERT INTO contexts (id, project_id, name, type, purpose, description, inserted_at, \
         updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(project_id)
    .bind(&name)
    .bind(new.kind)
    .bind(&purpose)
    .bind(&description)
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "name", DUPLICATE))?;
    tx.commit().await?;
    fetch(store.pool(), &id).await
}

async fn fetch<'e, E: sqlx::SqliteExecutor<'e>>(exec: E, id: &ContextId) -> Result<Context> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM contexts WHERE id = ?")))
        .bind(id)
        .fetch_optional(exec)
        .await?
        .ok_or(Error::not_found("context"))
}

pub async fn get(store: &Store, actor: &AccountId, id: &ContextId) -> Result<Context> {
    access::require_owner_of(store.pool(), actor, Owned::Context, id, Need::Read).await?;
    fetch(store.pool(), id).await
}

/// A context of the project by its name (`Payments`).
pub async fn get_by_name(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
    name: &str,
) -> Result<Context> {
    access::require(store.pool(), actor, project_id, Need::Read).await?;
    crate::store::by_name(store, "contexts", COLUMNS, project_id, name, "context").await
}

pub async fn list(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
) -> Result<Vec<Context>> {
    access::require(store.pool(), actor, project_id, Need::Read).await?;
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM contexts WHERE project_id = ? ORDER BY name"
    )))
    .bind(project_id)
    .fetch_all(store.pool())
    .await?)
}

/// The original design's `update_context/2` (docs/DESIGN.md), optimistic on `version`.
pub async fn update(
    store: &Store,
    actor: &AccountId,
    id: &ContextId,
    version: i64,
    changes: ContextChanges,
) -> Result<Context> {
    let mut tx = store.write().await?;
    access::require_owner_of(&mut *tx, actor, Owned::Context, id, Need::Write).await?;
    let mut c = fetch(&mut *tx, id).await?;
    check_version("context", version, c.version)?;
    let before = c.clone();
    let mut checks = validate::Checks::new();
    if let Some(name) = changes.name.and_then(|n| checks.check(validate::module_alias("name", &n)))
    {
        c.name = name;
    }
    if let Some(kind) = changes.kind {
        c.kind = kind;
    }
    if let Some(purpose) =
        changes.purpose.and_then(|p| checks.check(validate::required_line("purpose", &p, 1000)))
    {
        c.purpose = purpose;
    }
    if let Some(description) = changes
        .description
        .and_then(|d| checks.check(validate::optional_text("description", Some(&d))))
    {
        c.description = description;
    }
    checks.finish()?;
    if c == before {
        return Ok(c);
    }
    sqlx::query(
        "UPDATE contexts SET name = ?, type = ?, purpose = ?, description = ?, approved = 0, \
         version = version + 1, updated_at = ? WHERE id = ?",
    )
    .bind(&c.name)
    .bind(c.kind)
    .bind(&c.purpose)
    .bind(&c.description)
    .bind(store.now())
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "name", DUPLICATE))?;
    dependencies::context_changed(&mut tx, store, id).await?;
    let c = fetch(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(c)
}

/// The architect signs the context off, at the version they read.
pub async fn approve(
    store: &Store,
    actor: &AccountId,
    id: &ContextId,
    version: i64,
) -> Result<Context> {
    let mut tx = store.write().await?;
    access::require_owner_of(&mut *tx, actor, Owned::Context, id, Need::Write).await?;
    check_version("context", version, fetch(&mut *tx, id).await?.version)?;
    sqlx::query(
        "UPDATE contexts SET approved = 1, version = version + 1, updated_at = ? WHERE id = ?",
    )
    .bind(store.now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let c = fetch(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(c)
}

/// The context has been regenerated from its stories: clear its dirty mark.
pub async fn clear_dirty(store: &Store, actor: &AccountId, id: &ContextId) -> Result<Context> {
    let mut tx = store.write().await?;
    access::require_owner_of(&mut *tx, actor, Owned::Context, id, Need::Write).await?;
    sqlx::query("UPDATE contexts SET dirty = 0 WHERE id = ?").bind(id).execute(&mut *tx).await?;
    let c = fetch(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(c)
}

/// Deletes a context and its story links; its components stay, without a context.
pub async fn delete(store: &Store, actor: &AccountId, id: &ContextId) -> Result<()> {
    let mut tx = store.write().await?;
    access::require_owner_of(&mut *tx, actor, Owned::Context, id, Need::Write).await?;
    dependencies::context_changed(&mut tx, store, id).await?;
    sqlx::query("DELETE FROM contexts WHERE id = ?").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The original design's `add_story_to_context/2` (docs/DESIGN.md). Both must be in one project;
/// linking twice is a no-op. The context becomes dirty: its stories changed.
pub async fn add_story(
    store: &Store,
    actor: &AccountId,
    context_id: &ContextId,
    story_id: &StoryId,
) -> Result<()> {
    let mut tx = store.write().await?;
    let project_id =
        access::require_owner_of(&mut *tx, actor, Owned::Context, context_id, Need::Write).await?;
    let story_project: Option<ProjectId> =
        sqlx::query_scalar("SELECT project_id FROM stories WHERE id = ?")
            .bind(story_id)
            .fetch_optional(&mut *tx)
            .await?;
    match story_project {
        Some(p) if p == project_id => {}
        Some(_) => return Err(Error::invalid("story_id", "that story belongs to another project")),
        None => return Err(Error::invalid("story_id", "that story does not exist")),
    }
    let now = store.now();
    let added = sqlx::query(
        "INSERT INTO context_stories (id, context_id, story_id, inserted_at, updated_at) \
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (context_id, story_id) DO NOTHING",
    )
    .bind(new_id())
    .bind(context_id)
    .bind(story_id)
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if added > 0 {
        sqlx::query("UPDATE contexts SET dirty = 1 WHERE id = ?")
            .bind(context_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn remove_story(
    store: &Store,
    actor: &AccountId,
    context_id: &ContextId,
    story_id: &StoryId,
) -> Result<()> {
    let mut tx = store.write().await?;
    access::require_owner_of(&mut *tx, actor, Owned::Context, context_id, Need::Write).await?;
    let gone = sqlx::query("DELETE FROM context_stories WHERE context_id = ? AND story_id = ?")
        .bind(context_id)
        .bind(story_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if gone == 0 {
        return Err(Error::not_found("story link"));
    }
    sqlx::query("UPDATE contexts SET dirty = 1 WHERE id = ?")
        .bind(context_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The original design's `list_stories_for_context/1` (docs/DESIGN.md).
pub async fn list_stories(
    store: &Store,
    actor: &AccountId,
    context_id: &ContextId,
) -> Result<Vec<Story>> {
    access::require_owner_of(store.pool(), actor, Owned::Context, context_id, Need::Read).await?;
    stories::query_where(
        store.pool(),
        "id IN (SELECT story_id FROM context_stories WHERE context_id = ?)",
        context_id,
    )
    .await
}
