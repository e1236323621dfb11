//! Following the actor's projects as they change, by whatever process (the window's watch of
//! the CLI's writes, or of the process that runs the jobs).
//!
//! A change's `updated_at` is stamped inside its transaction, before the commit. A look that
//! asked for "changed after the last look" could miss a change stamped just before that look
//! and committed just after it, and never tell it (a setup's last status, say, left showing
//! the step before). So each look goes back [`OVERLAP`] before the last one and skips the
//! changes it has already told: each change is told once, none is lost to that race.

use crate::clock::format_ts;
use crate::error::Result;
use crate::ids::{AccountId, ProjectId};
use crate::projects::{Project, COLUMNS};
use crate::store::Store;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// How far each look goes back before the last one: longer than a write can take from its
/// stamp to its commit. A write stamped before it waits for SQLite's write lock can wait the
/// store's busy timeout (10 s) at most; a transaction begun with `Store::write` holds the
/// lock before it stamps.
pub const OVERLAP: Duration = Duration::seconds(15);

/// The actor (the second parameter) is a member of the project `p`. A look reads the projects
/// changed since its start on `projects_updated_at_index` (a few), then checks each one's
/// membership, rather than reading all of the actor's memberships to find them.
const MEMBER: &str = "EXISTS (SELECT 1 FROM project_memberships m \
    WHERE m.project_id = p.id AND m.user_id = ?)";

/// What a watch has seen: where its next look starts, and the changes it told that a look
/// could still return (each project's last told stamp).
#[derive(Debug)]
pub struct ChangeWatch {
    /// The time of the last look (or of the watch's start).
    last_look: DateTime<Utc>,
    /// Nothing before this is told: the watch's start.
    start: DateTime<Utc>,
    told: HashMap<ProjectId, String>,
}

impl ChangeWatch {
    /// A watch of changes from now on.
    pub fn starting(store: &Store) -> Self {
        let now = store.clock().now();
        Self { last_look: now, start: now, told: HashMap::new() }
    }

    /// The ids of the actor's projects changed since the last look and not told yet, oldest
    /// change first.
    pub async fn changed_ids(
        &mut self,
        store: &Store,
        actor: &AccountId,
    ) -> Result<Vec<ProjectId>> {
        let (from, now) = self.window(store);
        let rows: Vec<(ProjectId, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT p.id, p.updated_at FROM projects p WHERE p.updated_at > ? AND {MEMBER} \
             ORDER BY p.updated_at"
        )))
        .bind(&from)
        .bind(actor)
        .fetch_all(store.pool())
        .await?;
        let ids = rows.into_iter().filter_map(|(id, at)| self.untold(id, at).then_some(id));
        let ids = ids.collect();
        self.looked(now);
        Ok(ids)
    }

    /// The actor's projects changed since the last look and not told yet, oldest change first.
    pub async fn changed(&mut self, store: &Store, actor: &AccountId) -> Result<Vec<Project>> {
        let (from, now) = self.window(store);
        let rows: Vec<Project> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM projects p WHERE p.updated_at > ? AND {MEMBER} \
             ORDER BY p.updated_at"
        )))
        .bind(&from)
        .bind(actor)
        .fetch_all(store.pool())
        .await?;
        let projects = rows.into_iter().filter(|p| self.untold(p.id, p.updated_at.clone()));
        let projects = projects.collect();
        self.looked(now);
        Ok(projects)
    }

    /// Where this look starts (as stored text) and the time it is taken at.
    fn window(&self, store: &Store) -> (String, DateTime<Utc>) {
        (self.look_from(), store.clock().now())
    }

    /// Where the next look starts: [`OVERLAP`] before the last one, never before the start.
    fn look_from(&self) -> String {
        format_ts((self.last_look - OVERLAP).max(self.start))
    }

    /// Whether this stamp of the project is new to the watch; it is told from now on.
    fn untold(&mut self, id: ProjectId, at: String) -> bool {
        if self.told.get(&id) == Some(&at) {
            return false;
        }
        self.told.insert(id, at);
        true
    }

    /// After a look: stamps no later look can return are forgotten.
    fn looked(&mut self, now: DateTime<Utc>) {
        self.last_look = now;
        let next_from = self.look_from();
        self.told.retain(|_, at| *at > next_from);
    }
}
