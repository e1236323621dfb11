//! The feed's state in SQLite, per profile and owner (its ETag, the newest event seen,
//! GitHub's poll interval), and what a poll brought: the events of tracked projects, recorded,
//! and the projects whose default branch moved, marked for a read of their head.

use super::Tracked;
use crate::error::Result;
use crate::ids::{AccountId, ProjectId};
use crate::store::Store;
use codemyspec_github::{Event, FeedPoll};
use std::collections::HashMap;

/// The feed as the last poll left it.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub(super) struct FeedState {
    pub etag: Option<String>,
    pub last_event_id: Option<String>,
    pub poll_interval: Option<i64>,
    pub polled_at: Option<String>,
}

impl FeedState {
    /// Whether GitHub's `X-Poll-Interval` (at least a minute when it sent none) has passed
    /// since the last poll.
    pub fn due(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        let Some(at) =
            self.polled_at.as_deref().and_then(|t| t.parse::<chrono::DateTime<chrono::Utc>>().ok())
        else {
            return true;
        };
        now >= at + chrono::Duration::seconds(self.poll_interval.unwrap_or(60))
    }
}

pub(super) async fn load(store: &Store, actor: &AccountId, owner: &str) -> Result<FeedState> {
    Ok(sqlx::query_as(
        "SELECT etag, last_event_id, poll_interval, polled_at FROM activity_feeds \
         WHERE account_id = ? AND owner = ?",
    )
    .bind(actor)
    .bind(owner)
    .fetch_optional(store.pool())
    .await?
    .unwrap_or_default())
}

/// What recording a poll found.
#[derive(Debug, Default)]
pub(super) struct Recorded {
    /// Events of tracked projects written.
    pub events: u32,
    /// A repository was made, renamed or deleted: only the listing can say what exists.
    pub needs_listing: bool,
}

/// Whether `event` is about a repository's existence or name (which the listing judges).
fn about_existence(event: &Event) -> bool {
    match event.kind.as_str() {
        "CreateEvent" => event.payload["ref_type"] == "repository",
        "RepositoryEvent" => true,
        _ => false,
    }
}

/// Whether `event` moved `branch` (a push to it, or its creation).
fn moved(event: &Event, branch: &str) -> bool {
    let full = format!("refs/heads/{branch}");
    match event.kind.as_str() {
        "PushEvent" => event.payload["ref"] == full.as_str(),
        "CreateEvent" | "DeleteEvent" => {
            event.payload["ref_type"] == "branch" && event.payload["ref"] == branch
        }
        _ => false,
    }
}

/// In one transaction: the events of tracked projects, their heads marked stale where the
/// default branch moved (all of them after a gap: what was missed is unknown), and the feed's
/// new ETag and newest event. A 304 only notes when it was polled.
pub(super) async fn record(
    store: &Store,
    actor: &AccountId,
    owner: &str,
    poll: &FeedPoll,
    tracked: &[Tracked],
) -> Result<Recorded> {
    let by_repo: HashMap<i64, Vec<&Tracked>> = tracked.iter().fold(HashMap::new(), |mut m, t| {
        m.entry(t.repo_id).or_default().push(t);
        m
    });
    let mut out = Recorded::default();
    let mut tx = store.write().await?;
    let now = store.now();
    for event in poll.events.iter().rev() {
        out.needs_listing |= about_existence(event);
        let Some(projects) = by_repo.get(&(event.repo.id as i64)) else { continue };
        let recorded = matches!(
            event.kind.as_str(),
            "PushEvent" | "CreateEvent" | "DeleteEvent" | "RepositoryEvent"
        );
        for p in projects {
            if recorded {
                let p_str = |k: &str| event.payload[k].as_str().map(str::to_owned);
                let detail = p_str("action").or_else(|| p_str("ref_type"));
                let done = sqlx::query(
                    "INSERT OR IGNORE INTO activity_events (account_id, event_id, project_id, kind, actor, \
                     ref, before_sha, head_sha, detail, happened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(actor)
                .bind(&event.id)
                .bind(p.project_id)
                .bind(&event.kind)
                .bind(&event.actor.login)
                .bind(p_str("ref"))
                .bind(p_str("before"))
                .bind(p_str("head"))
                .bind(detail)
                .bind(event.created_at.as_deref())
                .execute(&mut *tx)
                .await?;
                out.events += done.rows_affected() as u32;
            }
            if moved(event, &p.branch) {
                mark_stale(&mut tx, &p.project_id, &p.branch).await?;
            }
        }
    }
    if poll.gap {
        for p in tracked {
            mark_stale(&mut tx, &p.project_id, &p.branch).await?;
        }
    }
    sqlx::query(
        "INSERT INTO activity_feeds (account_id, owner, etag, last_event_id, poll_interval, polled_at) \
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, owner) DO UPDATE SET \
         etag = excluded.etag, last_event_id = excluded.last_event_id, \
         poll_interval = coalesce(excluded.poll_interval, activity_feeds.poll_interval), \
         polled_at = excluded.polled_at",
    )
    .bind(actor)
    .bind(owner)
    .bind(poll.etag.as_deref())
    .bind(poll.newest.as_deref())
    .bind(poll.poll_interval.map(|s| s as i64))
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(out)
}

async fn mark_stale(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    project_id: &ProjectId,
    branch: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO project_heads (project_id, branch, stale) VALUES (?, ?, 1) \
         ON CONFLICT (project_id) DO UPDATE SET stale = 1, branch = excluded.branch",
    )
    .bind(project_id)
    .bind(branch)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The events recorded for a project, newest first (what the next slice's stage rules read).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct ActivityEvent {
    pub event_id: String,
    pub kind: String,
    pub actor: String,
    #[sqlx(rename = "ref")]
    #[serde(rename = "ref")]
    pub git_ref: Option<String>,
    pub before_sha: Option<String>,
    pub head_sha: Option<String>,
    pub detail: Option<String>,
    pub happened_at: Option<String>,
}

pub(super) async fn events_of(
    store: &Store,
    project_id: &ProjectId,
    limit: i64,
) -> Result<Vec<ActivityEvent>> {
    Ok(sqlx::query_as(
        "SELECT event_id, kind, actor, ref, before_sha, head_sha, detail, happened_at \
         FROM activity_events WHERE project_id = ? ORDER BY CAST(event_id AS INTEGER) DESC, event_id DESC LIMIT ?",
    )
    .bind(project_id)
    .bind(limit)
    .fetch_all(store.pool())
    .await?)
}
