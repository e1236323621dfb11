//! Following the actor's projects as they change, by whatever process (the window's watch of
//! the CLI's writes, or of the process that runs the jobs).
//!
//! A change's `updated_at` is stamped inside its transaction, before the commit. A look that
//! asked for "changed after the last look" could miss a change stamped just before that look
//! and committed just after it, and never tell it (a setup's last status, say, left showing
//! the step before). So each look goes back [`OVERLAP`] before the last one and skips the
//! changes it has already told: each change is told once, none is lost to that race.

use crate::clock::format_ts;
use crate::error::{Code, Result};
use crate::ids::{AccountId, ProjectId};
use crate::projects::{self, Project};
use crate::store::Store;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// How far each look goes back before the last one: longer than a write can take from its
/// stamp to its commit. Some writes stamp before they begin (`projects::create`), and then
/// wait for a pooled connection (sqlx's acquire timeout, 30 s) and for SQLite's write lock
/// (the busy timeout, 10 s). A look reads only the ids and stamps of what changed in this
/// window, on an index, so a wide one costs little.
pub const OVERLAP: Duration = Duration::seconds(45);

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
        let (untold, now) = self.untold(store, actor).await?;
        let ids = untold.iter().map(|(id, _)| *id).collect();
        self.told(untold, now);
        Ok(ids)
    }

    /// The actor's projects changed since the last look and not told yet, oldest change first;
    /// only those are read whole.
    pub async fn changed(&mut self, store: &Store, actor: &AccountId) -> Result<Vec<Project>> {
        let (untold, now) = self.untold(store, actor).await?;
        let mut projects = Vec::with_capacity(untold.len());
        for (id, _) in &untold {
            match projects::fetch_any(store.pool(), id).await {
                Ok(project) => projects.push(project),
                // Deleted since: its removal is told apart (`projects::removed_after`).
                Err(e) if e.code() == Code::NotFound => {}
                // Nothing of this look is told: the next one asks again.
                Err(e) => return Err(e),
            }
        }
        self.told(untold, now);
        Ok(projects)
    }

    /// The ids and stamps changed in this look's window and not told yet, and the look's time.
    async fn untold(
        &self,
        store: &Store,
        actor: &AccountId,
    ) -> Result<(Vec<(ProjectId, String)>, DateTime<Utc>)> {
        let (from, now) = self.window(store);
        let rows: Vec<(ProjectId, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT p.id, p.updated_at FROM projects p WHERE p.updated_at > ? AND {MEMBER} \
             ORDER BY p.updated_at"
        )))
        .bind(&from)
        .bind(actor)
        .fetch_all(store.pool())
        .await?;
        let untold = rows.into_iter().filter(|(id, at)| self.told.get(id) != Some(at));
        Ok((untold.collect(), now))
    }

    /// Where this look starts (as stored text) and the time it is taken at.
    fn window(&self, store: &Store) -> (String, DateTime<Utc>) {
        (self.look_from(), store.clock().now())
    }

    /// Where the next look starts: [`OVERLAP`] before the last one, never before the start.
    fn look_from(&self) -> String {
        format_ts((self.last_look - OVERLAP).max(self.start))
    }

    /// After a look: what it told is remembered, and stamps no later look can return are
    /// forgotten.
    fn told(&mut self, told: Vec<(ProjectId, String)>, now: DateTime<Utc>) {
        self.told.extend(told);
        self.last_look = now;
        let next_from = self.look_from();
        self.told.retain(|_, at| *at > next_from);
    }
}
