//! Components (`CodeMySpec.Components` of the original design, docs/DESIGN.md): the modules a
//! project is made of, each with a relative file path, completion flags, an optional context, and a
//! dirty mark set when something it depends on changes (see [`crate::dependencies`]).

use crate::access::{self, Need, Owned};
use crate::dependencies;
use crate::error::{Error, Result};
use crate::ids::{AccountId, ProjectId};
use crate::ids::{ComponentId, ContextId};
use crate::store::{unique_as_conflict, Store};
use crate::text_enum::text_enum;
use crate::validate;
use serde::Serialize;
use sqlx::SqliteConnection;

text_enum! {
    pub enum ComponentType ("component type") {
        Context = "context",
        Schema = "schema",
        Controller = "controller",
        Liveview = "liveview",
        Genserver = "genserver",
        Task = "task",
        Other = "other",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Component {
    pub id: ComponentId,
    pub project_id: ProjectId,
    pub context_id: Option<ContextId>,
    pub name: String,
    #[serde(rename = "type")]
    #[sqlx(rename = "type")]
    pub kind: ComponentType,
    pub file_path: String,
    pub description: Option<String>,
    pub docs_complete: bool,
    pub code_complete: bool,
    pub tests_complete: bool,
    pub dirty: bool,
    pub inserted_at: String,
    pub updated_at: String,
}

const COLUMNS: &str = concat!(
    "id, project_id, context_id, name, type, file_path, description, \
    docs_complete, code_complete, tests_complete, ",
    crate::dirty::is_dirty!(),
    " AS dirty, inserted_at, updated_at"
);

/// A new component; left out: an `other` component with no context or description.
#[derive(Debug, Clone, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct NewComponent {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ComponentType,
    pub file_path: String,
    pub description: Option<String>,
    pub context_id: Option<String>,
}

impl Default for NewComponent {
    fn default() -> Self {
        NewComponent {
            name: String::new(),
            kind: ComponentType::Other,
            file_path: String::new(),
            description: None,
            context_id: None,
        }
    }
}

/// `None` leaves a field alone; `description: Some("")` and `context_id: Some("")` clear.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ComponentChanges {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<ComponentType>,
    pub file_path: Option<String>,
    pub description: Option<String>,
    pub context_id: Option<String>,
}

/// The original design's `status_map` (docs/DESIGN.md): the completion flags to set; `None` leaves
/// one alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusFlags {
    pub docs_complete: Option<bool>,
    pub code_complete: Option<bool>,
    pub tests_complete: Option<bool>,
}

/// Checks that a context id belongs to the project.
async fn context_in_project(
    conn: &mut SqliteConnection,
    project_id: &ProjectId,
    raw: &str,
) -> Result<ContextId> {
    let id = ContextId::parse("context_id", raw)?;
    let found: Option<ProjectId> =
        sqlx::query_scalar("SELECT project_id FROM contexts WHERE id = ?")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    match found {
        Some(p) if p == *project_id => Ok(id),
        Some(_) => Err(Error::invalid("context_id", "that context belongs to another project")),
        None => Err(Error::invalid("context_id", "that context does not exist")),
    }
}

pub async fn create(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
    new: NewComponent,
) -> Result<Component> {
    let mut checks = validate::Checks::new();
    let name = checks.check(validate::module_alias("name", &new.name));
    let file_path = checks.check(validate::file_path("file_path", &new.file_path));
    let description =
        checks.check(validate::optional_text("description", new.description.as_deref()));
    checks.finish()?;
    let (name, file_path) = (name.unwrap_or_default(), file_path.unwrap_or_default());
    let description = description.unwrap_or_default();
    let id = ComponentId::new();
    let now = store.now();
    let mut tx = store.write().await?;
    access::require(&mut *tx, actor, project_id, Need::Write).await?;
    let context_id = match new.context_id.as_deref().filter(|c| !c.trim().is_empty()) {
        Some(raw) => Some(context_in_project(&mut tx, project_id, raw).await?),
        None => None,
    };
    sqlx::query(
        "INSERT INTO components (id, project_id, context_id, name, type, file_path, description, \
         inserted_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(project_id)
    .bind(context_id)
    .bind(&name)
    .bind(new.kind)
    .bind(&file_path)
    .bind(&description)
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        unique_as_conflict(e, "name", "this project already has a component with this name")
    })?;
    tx.commit().await?;
    fetch(store.pool(), &id).await
}

pub(crate) async fn fetch<'e, E: sqlx::SqliteExecutor<'e>>(
    exec: E,
    id: &ComponentId,
) -> Result<Component> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM components WHERE id = ?")))
        .bind(id)
        .fetch_optional(exec)
        .await?
        .ok_or(Error::not_found("component"))
}

/// Components matching a fixed condition with one bound parameter, by name.
pub(crate) async fn query_where<'e, E, P>(
    exec: E,
    condition: &'static str,
    param: P,
) -> Result<Vec<Component>>
where
    E: sqlx::SqliteExecutor<'e>,
    P: for<'q> sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send,
{
    crate::store::rows_where(exec, "components", COLUMNS, condition, "name, id", param).await
}

pub async fn get(store: &Store, actor: &AccountId, id: &ComponentId) -> Result<Component> {
    access::require_owner_of(store.pool(), actor, Owned::Component, id, Need::Read).await?;
    fetch(store.pool(), id).await
}

/// A component of the project by its name (`Accounts.User`).
pub async fn get_by_name(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
    name: &str,
) -> Result<Component> {
    access::require(store.pool(), actor, project_id, Need::Read).await?;
    crate::store::by_name(store, "components", COLUMNS, project_id, name, "component").await
}

pub async fn list(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
) -> Result<Vec<Component>> {
    access::require(store.pool(), actor, project_id, Need::Read).await?;
    query_where(store.pool(), "project_id = ?", project_id).await
}

/// The original design's `update_component/2` (docs/DESIGN.md). Every component that depends on
/// this one, transitively, becomes dirty.
pub async fn update(
    store: &Store,
    actor: &AccountId,
    id: &ComponentId,
    changes: ComponentChanges,
) -> Result<Component> {
    let mut tx = store.write().await?;
    let project_id =
        access::require_owner_of(&mut *tx, actor, Owned::Component, id, Need::Write).await?;
    let mut c = fetch(&mut *tx, id).await?;
    let mut checks = validate::Checks::new();
    if let Some(name) = changes.name.and_then(|n| checks.check(validate::module_alias("name", &n)))
    {
        c.name = name;
    }
    if let Some(kind) = changes.kind {
        c.kind = kind;
    }
    if let Some(path) =
        changes.file_path.and_then(|p| checks.check(validate::file_path("file_path", &p)))
    {
        c.file_path = path;
    }
    if let Some(description) = changes
        .description
        .and_then(|d| checks.check(validate::optional_text("description", Some(&d))))
    {
        c.description = description;
    }
    checks.finish()?;
    if let Some(context) = changes.context_id {
        c.context_id = match context.trim() {
            "" => None,
            raw => Some(context_in_project(&mut tx, &project_id, raw).await?),
        };
    }
    sqlx::query(
        "UPDATE components SET name = ?, type = ?, file_path = ?, description = ?, context_id = ?, \
         updated_at = ? WHERE id = ?",
    )
    .bind(&c.name)
    .bind(c.kind)
    .bind(&c.file_path)
    .bind(&c.description)
    .bind(c.context_id)
    .bind(store.now())
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "name", "this project already has a component with this name"))?;
    dependencies::component_changed(&mut tx, store, id).await?;
    let c = fetch(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(c)
}

/// The original design's `update_status/2` (docs/DESIGN.md): sets completion flags. Progress is not
/// a change to what the component is, so nothing else becomes dirty.
pub async fn update_status(
    store: &Store,
    actor: &AccountId,
    id: &ComponentId,
    flags: StatusFlags,
) -> Result<Component> {
    let mut tx = store.write().await?;
    access::require_owner_of(&mut *tx, actor, Owned::Component, id, Need::Write).await?;
    let c = fetch(&mut *tx, id).await?;
    sqlx::query(
        "UPDATE components SET docs_complete = ?, code_complete = ?, tests_complete = ?, \
         updated_at = ? WHERE id = ?",
    )
    .bind(flags.docs_complete.unwrap_or(c.docs_complete))
    .bind(flags.code_complete.unwrap_or(c.code_complete))
    .bind(flags.tests_complete.unwrap_or(c.tests_complete))
    .bind(store.now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let c = fetch(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(c)
}

/// The component has been regenerated: clear its dirty mark.
pub async fn clear_dirty(store: &Store, actor: &AccountId, id: &ComponentId) -> Result<Component> {
    let mut tx = store.write().await?;
    access::require_owner_of(&mut *tx, actor, Owned::Component, id, Need::Write).await?;
    let seq: i64 = sqlx::query_scalar("SELECT seq FROM components WHERE id = ?")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    crate::dirty::clear(&mut tx, seq).await?;
    let c = fetch(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(c)
}

/// Deletes a component with its design doc and edges; what depended on it becomes dirty.
pub async fn delete(store: &Store, actor: &AccountId, id: &ComponentId) -> Result<()> {
    let mut tx = store.write().await?;
    access::require_owner_of(&mut *tx, actor, Owned::Component, id, Need::Write).await?;
    dependencies::component_changed(&mut tx, store, id).await?;
    sqlx::query("DELETE FROM components WHERE id = ?").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}
