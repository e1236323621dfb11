//! Design docs: one markdown document per component, versioned and approved like stories.
//! Saving a new text clears the approval and marks the component's dependents dirty.

use crate::access::{self, Need, Owned};
use crate::dependencies;
use crate::error::{Error, Result};
use crate::store::{new_id, Store};
use crate::stories::check_version;
use crate::validate;
use crate::{AccountId, ComponentId};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DesignDoc {
    pub id: String,
    pub component_id: ComponentId,
    pub content: String,
    pub approved: bool,
    // Exported to TypeScript as `number`: versions and GitHub ids stay far below 2^53.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub version: i64,
    pub inserted_at: String,
    pub updated_at: String,
}

async fn fetch<'e, E: sqlx::SqliteExecutor<'e>>(
    exec: E,
    component_id: &ComponentId,
) -> Result<Option<DesignDoc>> {
    Ok(sqlx::query_as(
        "SELECT id, component_id, content, approved, version, inserted_at, updated_at \
         FROM design_docs WHERE component_id = ?",
    )
    .bind(component_id)
    .fetch_optional(exec)
    .await?)
}

/// The component's design doc.
pub async fn get(
    store: &Store,
    actor: &AccountId,
    component_id: &ComponentId,
) -> Result<DesignDoc> {
    access::require_owner_of(store.pool(), actor, Owned::Component, component_id, Need::Read)
        .await?;
    fetch(store.pool(), component_id).await?.ok_or(Error::not_found("design doc"))
}

/// Writes the component's design doc. `version` is the version the writer read, or `None`
/// when they saw no doc: creating over an existing doc, or saving over a newer version, is
/// a conflict and overwrites nothing.
pub async fn save(
    store: &Store,
    actor: &AccountId,
    component_id: &ComponentId,
    version: Option<i64>,
    content: &str,
) -> Result<DesignDoc> {
    let content = validate::text("content", content)?;
    let mut tx = store.write().await?;
    access::require_owner_of(&mut *tx, actor, Owned::Component, component_id, Need::Write).await?;
    let now = store.now();
    match (fetch(&mut *tx, component_id).await?, version) {
        (None, None) => {
            sqlx::query(
                "INSERT INTO design_docs (id, component_id, content, inserted_at, updated_at) \
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(new_id())
            .bind(component_id)
            .bind(&content)
            .bind(&now)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        (None, Some(_)) => return Err(Error::not_found("design doc")),
        (Some(doc), None) => {
            return Err(Error::StaleVersion {
                entity: "design doc",
                expected: 0,
                actual: doc.version,
            })
        }
        (Some(doc), Some(v)) => {
            check_version("design doc", v, doc.version)?;
            if doc.content == content {
                return Ok(doc);
            }
            sqlx::query(
                "UPDATE design_docs SET content = ?, approved = 0, version = version + 1, \
                 updated_at = ? WHERE id = ?",
            )
            .bind(&content)
            .bind(&now)
            .bind(&doc.id)
            .execute(&mut *tx)
            .await?;
        }
    }
    dependencies::component_changed(&mut tx, store, component_id).await?;
    let doc = fetch(&mut *tx, component_id).await?.ok_or(Error::not_found("design doc"))?;
    tx.commit().await?;
    Ok(doc)
}

/// Approves the design doc at the version the approver read.
pub async fn approve(
    store: &Store,
    actor: &AccountId,
    component_id: &ComponentId,
    version: i64,
) -> Result<DesignDoc> {
    let mut tx = store.write().await?;
    access::require_owner_of(&mut *tx, actor, Owned::Component, component_id, Need::Write).await?;
    let doc = fetch(&mut *tx, component_id).await?.ok_or(Error::not_found("design doc"))?;
    check_version("design doc", version, doc.version)?;
    sqlx::query(
        "UPDATE design_docs SET approved = 1, version = version + 1, updated_at = ? WHERE id = ?",
    )
    .bind(store.now())
    .bind(&doc.id)
    .execute(&mut *tx)
    .await?;
    let doc = fetch(&mut *tx, component_id).await?.ok_or(Error::not_found("design doc"))?;
    tx.commit().await?;
    Ok(doc)
}
