//! User stories (`CodeMySpec.Stories` of the original design, docs/DESIGN.md). Edits are
//! optimistic: each takes the version the caller read, and a stale one is a conflict that
//! overwrites nothing. Editing a story's text clears its approval and marks the contexts it is
//! linked to dirty.

use crate::access::{self, Need, Owned};
use crate::error::{Error, Result};
use crate::ids::StoryId;
use crate::ids::{AccountId, ProjectId};
use crate::store::Store;
use crate::text_enum::text_enum;
use crate::validate;
use serde::Serialize;

text_enum! {
    pub enum StoryStatus ("story status") {
        Draft = "draft",
        Ready = "ready",
        Implemented = "implemented",
    }
}

impl StoryStatus {
    /// The workflow draft → ready → implemented, and back to draft to reopen.
    pub fn can_move_to(self, to: StoryStatus) -> bool {
        use StoryStatus::*;
        self == to || matches!((self, to), (Draft, Ready) | (Ready, Implemented) | (_, Draft))
    }

    /// Every status in workflow order, each saying whether a story in this one may move there:
    /// the window's status choice, so that the rule is written only here.
    pub fn moves(self) -> Vec<StatusMove> {
        Self::ALL
            .iter()
            .map(|&to| StatusMove { status: to, allowed: self.can_move_to(to) })
            .collect()
    }
}

/// A status a story could be given, and whether its current status allows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StatusMove {
    pub status: StoryStatus,
    pub allowed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Story {
    pub id: StoryId,
    pub project_id: ProjectId,
    pub title: String,
    pub description: String,
    pub acceptance_criteria: Option<String>,
    pub status: StoryStatus,
    pub dirty: bool,
    pub approved: bool,
    // Exported to TypeScript as `number`: versions and GitHub ids stay far below 2^53.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub version: i64,
    pub inserted_at: String,
    pub updated_at: String,
}

const COLUMNS: &str = "id, project_id, title, description, acceptance_criteria, status, dirty, \
                       approved, version, inserted_at, updated_at";

/// A new story; what is left out is empty (and a missing title is refused).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct NewStory {
    pub title: String,
    pub description: String,
    pub acceptance_criteria: Option<String>,
}

/// `None` leaves a field alone; `acceptance_criteria: Some("")` clears them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct StoryChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub acceptance_criteria: Option<String>,
    pub status: Option<StoryStatus>,
}

pub async fn create(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
    new: NewStory,
) -> Result<Story> {
    let mut checks = validate::Checks::new();
    let title = checks.check(validate::required_line("title", &new.title, validate::TITLE_MAX));
    let description = checks.check(validate::text("description", &new.description));
    let criteria = checks
        .check(validate::optional_text("acceptance_criteria", new.acceptance_criteria.as_deref()));
    checks.finish()?;
    let (title, description) = (title.unwrap_or_default(), description.unwrap_or_default());
    let criteria = criteria.unwrap_or_default();
    let id = StoryId::new();
    let now = store.now();
    let mut tx = store.write().await?;
    access::require(&mut *tx, actor, project_id, Need::Write).await?;
    sqlx::query(
        "INSERT INTO stories (id, project_id, title, description, acceptance_criteria, \
         inserted_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(project_id)
    .bind(&title)
    .bind(&description)
    .bind(&criteria)
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    fetch(store.pool(), &id).await
}

pub(crate) async fn fetch<'e, E: sqlx::SqliteExecutor<'e>>(exec: E, id: &StoryId) -> Result<Story> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM stories WHERE id = ?")))
        .bind(id)
        .fetch_optional(exec)
        .await?
        .ok_or(Error::not_found("story"))
}

pub async fn get(store: &Store, actor: &AccountId, id: &StoryId) -> Result<Story> {
    access::require_owner_of(store.pool(), actor, Owned::Story, id, Need::Read).await?;
    fetch(store.pool(), id).await
}

pub async fn list(store: &Store, actor: &AccountId, project_id: &ProjectId) -> Result<Vec<Story>> {
    access::require(store.pool(), actor, project_id, Need::Read).await?;
    query_where(store.pool(), "project_id = ?", project_id).await
}

/// Stories matching a fixed condition with one bound parameter, oldest first.
pub(crate) async fn query_where<'e, E, P>(
    exec: E,
    condition: &'static str,
    param: P,
) -> Result<Vec<Story>>
where
    E: sqlx::SqliteExecutor<'e>,
    P: for<'q> sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send,
{
    crate::store::rows_where(exec, "stories", COLUMNS, condition, "inserted_at, id", param).await
}

/// Fails with [`Error::StaleVersion`] unless the row is still at `expected`.
pub(crate) fn check_version(entity: &'static str, expected: i64, actual: i64) -> Result<()> {
    if expected != actual {
        return Err(Error::StaleVersion { entity, expected, actual });
    }
    Ok(())
}

/// The original design's `update_story/2` (docs/DESIGN.md), made optimistic: `version` is the
/// version the caller read.
pub async fn update(
    store: &Store,
    actor: &AccountId,
    id: &StoryId,
    version: i64,
    changes: StoryChanges,
) -> Result<Story> {
    let mut tx = store.write().await?;
    access::require_owner_of(&mut *tx, actor, Owned::Story, id, Need::Write).await?;
    let mut story = fetch(&mut *tx, id).await?;
    check_version("story", version, story.version)?;
    let before =
        (story.title.clone(), story.description.clone(), story.acceptance_criteria.clone());
    let mut checks = validate::Checks::new();
    if let Some(title) = changes
        .title
        .and_then(|t| checks.check(validate::required_line("title", &t, validate::TITLE_MAX)))
    {
        story.title = title;
    }
    if let Some(description) =
        changes.description.and_then(|d| checks.check(validate::text("description", &d)))
    {
        story.description = description;
    }
    if let Some(criteria) = changes
        .acceptance_criteria
        .and_then(|c| checks.check(validate::optional_text("acceptance_criteria", Some(&c))))
    {
        story.acceptance_criteria = criteria;
    }
    checks.finish()?;
    if let Some(status) = changes.status {
        if !story.status.can_move_to(status) {
            return Err(Error::conflict(
                Some("status"),
                format!("a {} story cannot become {status}", story.status),
            ));
        }
        story.status = status;
    }
    let text_changed = before
        != (story.title.clone(), story.description.clone(), story.acceptance_criteria.clone());
    if text_changed {
        story.approved = false;
        sqlx::query(
            "UPDATE contexts SET dirty = 1 WHERE dirty = 0 AND id IN \
             (SELECT context_id FROM context_stories WHERE story_id = ?)",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "UPDATE stories SET title = ?, description = ?, acceptance_criteria = ?, status = ?, \
         approved = ?, version = version + 1, updated_at = ? WHERE id = ?",
    )
    .bind(&story.title)
    .bind(&story.description)
    .bind(&story.acceptance_criteria)
    .bind(story.status)
    .bind(story.approved)
    .bind(store.now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let story = fetch(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(story)
}

/// The original design's `approve/1` (docs/DESIGN.md), at the version the approver read. Approval
/// is a decision about the text the approver saw, so it needs that version and counts as a change.
pub async fn approve(
    store: &Store,
    actor: &AccountId,
    id: &StoryId,
    version: i64,
) -> Result<Story> {
    let mut tx = store.write().await?;
    access::require_owner_of(&mut *tx, actor, Owned::Story, id, Need::Write).await?;
    check_version("story", version, fetch(&mut *tx, id).await?.version)?;
    sqlx::query(
        "UPDATE stories SET approved = 1, version = version + 1, updated_at = ? WHERE id = ?",
    )
    .bind(store.now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let story = fetch(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(story)
}

/// The original design's `mark_dirty/1` (docs/DESIGN.md): the story needs regenerating.
pub async fn mark_dirty(store: &Store, actor: &AccountId, id: &StoryId) -> Result<Story> {
    set_dirty(store, actor, id, true).await
}

/// The story has been regenerated: clear its dirty mark.
pub async fn clear_dirty(store: &Store, actor: &AccountId, id: &StoryId) -> Result<Story> {
    set_dirty(store, actor, id, false).await
}

/// Dirty marks are derived state: they leave the version alone, so they never make a
/// concurrent editor's version stale.
async fn set_dirty(store: &Store, actor: &AccountId, id: &StoryId, dirty: bool) -> Result<Story> {
    let mut tx = store.write().await?;
    access::require_owner_of(&mut *tx, actor, Owned::Story, id, Need::Write).await?;
    sqlx::query("UPDATE stories SET dirty = ? WHERE id = ?")
        .bind(dirty)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let story = fetch(&mut *tx, id).await?;
    tx.commit().await?;
    Ok(story)
}

/// Deletes a story and its context links; the contexts it was linked to become dirty.
pub async fn delete(store: &Store, actor: &AccountId, id: &StoryId) -> Result<()> {
    let mut tx = store.write().await?;
    access::require_owner_of(&mut *tx, actor, Owned::Story, id, Need::Write).await?;
    sqlx::query(
        "UPDATE contexts SET dirty = 1 WHERE id IN \
         (SELECT context_id FROM context_stories WHERE story_id = ?)",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM stories WHERE id = ?").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}
