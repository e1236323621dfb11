//! The outbox: what of a project's spec is not yet published to its docs repository. Every
//! change of a story, context, story link, component, dependency or design doc writes an
//! entry in the same transaction (triggers in `migrations/0006_outbox.sql`), so nothing can
//! change without being counted. The docs sync (`docs_sync`) empties it once it has published.

use crate::access::{self, Need};
use crate::error::Result;
use crate::ids::{AccountId, ProjectId};
use crate::store::Store;
use serde::Serialize;

/// How much of a project's spec waits to be published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Pending {
    /// Entities (stories, contexts, components: the files of the docs repository) changed
    /// since the last publish, each counted once however often it changed; a story link
    /// counts as its context, a dependency or a design doc as its component.
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub entities: i64,
    /// Changes recorded (creates, updates, deletes).
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub changes: i64,
}

/// The project's outbox size (the actor must see the project).
pub async fn pending(store: &Store, actor: &AccountId, project_id: &ProjectId) -> Result<Pending> {
    let mut conn = store.pool().acquire().await?;
    access::require(&mut *conn, actor, project_id, Need::Read).await?;
    let (entities, changes): (i64, i64) = sqlx::query_as(
        "SELECT count(DISTINCT coalesce(subject, entity_id)), count(*) FROM outbox WHERE project_id = ?",
    )
    .bind(project_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Pending { entities, changes })
}

/// The projects (of those `actor` belongs to) whose spec changed after `revision`, and the
/// newest revision seen: the window refreshes their lists. `i64::MAX` asks only for the
/// newest revision.
pub async fn changed_after(
    store: &Store,
    actor: &AccountId,
    revision: i64,
) -> Result<(Vec<ProjectId>, i64)> {
    let newest: i64 = sqlx::query_scalar("SELECT coalesce(max(revision), 0) FROM spec_revisions")
        .fetch_one(store.pool())
        .await?;
    if revision >= newest {
        return Ok((Vec::new(), newest));
    }
    let changed: Vec<ProjectId> = sqlx::query_scalar(
        "SELECT r.project_id FROM spec_revisions r JOIN project_memberships m \
         ON m.project_id = r.project_id AND m.user_id = ? WHERE r.revision > ? AND r.revision <= ? \
         ORDER BY r.revision",
    )
    .bind(actor)
    .bind(revision)
    .bind(newest)
    .fetch_all(store.pool())
    .await?;
    Ok((changed, newest))
}
