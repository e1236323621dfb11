//! What GitHub shows, followed at no rate cost (issue 21; docs/ARCHITECTURE.md, "The activity
//! feed"). Polling is the only channel a desktop app has, so the cheapest source is polled and
//! the rest derived from it:
//! - the **feed** ([`feed`]): the organization's events as the signed-in user sees them
//!   (`GET /users/{me}/events/orgs/{org}`), or the user's own (`GET /users/{me}/events`),
//!   asked with its ETag — an unchanged feed is a 304, free of the rate budget — and no more
//!   often than GitHub's `X-Poll-Interval` for the heartbeat. Pushes, branch creations and
//!   deletions and repository events of tracked projects are recorded; a gap (the last seen
//!   event no longer in the feed) or a repository made, renamed or deleted falls back to the
//!   heartbeat's listing ([`crate::sync::run_once`]), the source of truth for existence;
//! - **per project** ([`heads`]), only when the feed said its default branch moved: its head
//!   commit (who, when, title) with the commit's own ETag, and GitHub's branch fetched into
//!   the working copy here, so that "N commits on GitHub you do not have here" is counted
//!   locally;
//! - **the stage rules' evidence** ([`evidence`]), for a head that moved or checks still
//!   running: the paths the rules name, the head's checks, the pushed branches it contains;
//!   [`crate::stage_rules::follow`] moves the project by it;
//! - **Pull** ([`local`]): fetch and fast-forward only.
//!
//! Offline, rate-limited or a feed that answers 5xx: nothing is written (the ETag and the last
//! seen event stay), so the next poll catches up.

mod evidence;
mod feed;
mod heads;
mod local;

pub use feed::ActivityEvent;
pub use heads::LastChange;
pub use local::Pulled;

use crate::error::{Error, PullReason, Result};
use crate::events::Broadcaster;
use crate::ids::{AccountId, ProjectId};
use crate::secrets::SecretStore;
use crate::store::Store;
use crate::{github, projects, sync};
use codemyspec_github::{Client, FeedOf, GitHubError, PageCache};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// Who asked for the poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The heartbeat: it waits out GitHub's `X-Poll-Interval`.
    Heartbeat,
    /// A person (Sync now, `codemyspec sync now`): one conditional request, whenever asked.
    Person,
}

/// What one poll did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ActivityRun {
    /// The organization (or account) whose feed it is.
    pub owner: String,
    /// `ok`, `unchanged` (304), `waited` (the poll interval has not passed), `skipped`
    /// (not signed in, offline, rate-limited) or `failed` (GitHub answered an error).
    pub status: String,
    pub requests: u32,
    /// Answers that were 304 (free of the rate budget).
    pub not_modified: u32,
    /// Events of tracked projects recorded.
    pub events: u32,
    /// The feed had a gap: the listing was the fallback and every head was asked after.
    pub gap: bool,
    /// The heartbeat's listing ran for this poll (a gap, or a repository made, renamed or
    /// deleted).
    pub listed: bool,
    /// Projects whose head on GitHub changed.
    pub heads_changed: u32,
    pub error: Option<String>,
}

impl ActivityRun {
    /// A poll that has asked nothing yet (and stays `skipped` if it cannot).
    fn skipped(owner: Option<String>) -> Self {
        ActivityRun {
            owner: owner.unwrap_or_default(),
            status: "skipped".into(),
            requests: 0,
            not_modified: 0,
            events: 0,
            gap: false,
            listed: false,
            heads_changed: 0,
            error: None,
        }
    }

    /// The feed could not be read: offline or rate-limited is a skip, anything else a failure.
    fn feed_failed(&mut self, e: &GitHubError) {
        let skipped = matches!(e, GitHubError::Offline { .. } | GitHubError::RateLimited { .. });
        self.status = if skipped { "skipped" } else { "failed" }.into();
        self.requests = 1;
        self.error = Some(e.to_string());
    }
}

/// A tracked project, as the feed and the reads need it.
#[derive(Debug, Clone)]
pub(crate) struct Tracked {
    pub project_id: ProjectId,
    pub repo_id: i64,
    /// `owner/name` on GitHub now.
    pub full_name: String,
    /// The default branch (`main` until a listing said otherwise).
    pub branch: String,
    pub local_path: Option<std::path::PathBuf>,
    /// Set up (initialized or later): its head is read. A discovered project nobody works on
    /// yet only has its events recorded, so that an organization of thousands of repositories
    /// does not cost a request each.
    pub followed: bool,
}

/// The stages whose projects' heads are not read.
const NOT_FOLLOWED: &[&str] = &["draft", "estimated", "provisioning", "discovered", "missing"];

/// A project row as [`tracked`] reads it.
#[derive(sqlx::FromRow)]
struct Row {
    id: ProjectId,
    github_repo_id: i64,
    code_repo: Option<String>,
    local_path: Option<String>,
    stage: String,
}

/// The actor's projects with a code repository on GitHub, named and branched as the last
/// listing saw them.
async fn tracked(store: &Store, actor: &AccountId, owner: &str) -> Result<Vec<Tracked>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT p.id, p.github_repo_id, p.code_repo, p.local_path, p.stage FROM projects p \
         JOIN project_memberships m ON m.project_id = p.id \
         WHERE m.user_id = ? AND p.github_repo_id IS NOT NULL ORDER BY p.inserted_at, p.id",
    )
    .bind(actor)
    .fetch_all(store.pool())
    .await?;
    let pages: Option<String> =
        sqlx::query_scalar("SELECT pages FROM sync_pages WHERE account_id = ? AND owner = ?")
            .bind(actor)
            .bind(owner)
            .fetch_optional(store.pool())
            .await?;
    let cache: PageCache = pages.and_then(|p| serde_json::from_str(&p).ok()).unwrap_or_default();
    let listed: HashMap<i64, (String, Option<String>)> = cache
        .pages
        .values()
        .flat_map(|page| page.repos.iter())
        .map(|r| (r.id as i64, (r.full_name.clone(), r.default_branch.clone())))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let (full_name, branch) = match listed.get(&row.github_repo_id) {
                Some((name, branch)) => (name.clone(), branch.clone()),
                None => (row.code_repo.as_deref().and_then(sync::full_name_of)?, None),
            };
            Some(Tracked {
                project_id: row.id,
                repo_id: row.github_repo_id,
                full_name,
                branch: branch.unwrap_or_else(|| "main".into()),
                local_path: row.local_path.map(std::path::PathBuf::from),
                followed: !NOT_FOLLOWED.contains(&row.stage.as_str()),
            })
        })
        .collect())
}

/// Polls the feed of the actor's organization (or account) once and acts on it. `listed`:
/// the caller has just run the heartbeat's listing, so a gap does not run it again.
pub async fn poll(
    store: &Store,
    events: &Broadcaster,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    trigger: Trigger,
    listed: bool,
) -> Result<ActivityRun> {
    let org =
        sync::profile_setting(store, actor, sync::GITHUB_ORG).await?.filter(|o| !o.is_empty());
    let account = crate::accounts::get(store, actor).await?;
    let mut run = ActivityRun::skipped(org.clone().or(account.github_login.clone()));
    let Some(me) = account.github_login.clone() else {
        run.error = Some("not signed in to GitHub".into());
        return Ok(run);
    };
    // Where the token would go is checked before it is read (as the listing does).
    let at = github::endpoints(store).await?;
    let Some(token) = crate::secrets::token(secrets, actor, &at.host).await? else {
        run.error = Some(format!("not signed in to {}", at.host));
        return Ok(run);
    };
    let state = feed::load(store, actor, &run.owner).await?;
    if trigger == Trigger::Heartbeat && !state.due(store.clock().now()) {
        run.status = "waited".into();
        return Ok(run);
    }
    let client = Client::new(&at.api, Some(token.expose())).map_err(github::error)?;
    let of = match &org {
        Some(org) => FeedOf::Org { org, me: &me },
        None => FeedOf::User { me: &me },
    };
    let polled = match client
        .poll_events(&of, state.etag.as_deref(), state.last_event_id.as_deref())
        .await
    {
        Ok(polled) => polled,
        Err(e) => {
            // Nothing is written: the ETag and the last seen event stay for the next poll.
            run.feed_failed(&e);
            return Ok(run);
        }
    };
    run.requests = polled.requests;
    run.not_modified = u32::from(polled.not_modified);
    run.gap = polled.gap;
    let mut projects = tracked(store, actor, &run.owner).await?;
    let recorded = feed::record(store, actor, &run.owner, &polled, &projects).await?;
    run.events = recorded.events;
    if (polled.gap || recorded.needs_listing) && !listed {
        let listing = sync::run_once(store, events, secrets, actor).await?;
        run.listed = true;
        tracing::info!(run = listing.id, status = listing.status, "the feed's fallback listing");
        projects = tracked(store, actor, &run.owner).await?;
    }
    let reads = heads::read_stale(store, &client, &projects, &at.host, &token).await?;
    run.requests += reads.requests;
    run.not_modified += reads.not_modified;
    run.heads_changed = reads.changed.len() as u32;
    // The stage rules' evidence, for heads that moved and checks still running.
    let followed = evidence::read_and_follow(store, &client, &projects, &reads.changed).await?;
    run.requests += followed.requests;
    run.status = if polled.not_modified { "unchanged" } else { "ok" }.into();
    for id in &reads.changed {
        if let Ok(p) = projects::get(store, actor, id).await {
            events.broadcast_project_update(&p);
        }
    }
    evidence::announce(store, events, actor, &followed.moved).await;
    Ok(run)
}

/// The project's last change on GitHub (none until its head was read).
pub async fn last_change(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
) -> Result<Option<LastChange>> {
    let project = projects::get(store, actor, project_id).await?;
    heads::last_change(store, &project.id, project.local_path.as_deref()).await
}

/// The events the feed recorded for the project, newest first.
pub async fn project_events(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
    limit: i64,
) -> Result<Vec<ActivityEvent>> {
    let project = projects::get(store, actor, project_id).await?;
    feed::events_of(store, &project.id, limit).await
}

/// Pull: GitHub's default branch into the project's working copy on this machine, by
/// fast-forward only (`git fetch` + `git merge --ff-only`). A diverged working copy or
/// uncommitted changes in the way are a [`Error::Pull`] saying what to do; nothing is
/// merged, reset or lost.
pub async fn pull(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    project_id: &ProjectId,
) -> Result<Pulled> {
    let project = projects::get(store, actor, project_id).await?;
    let Some(dir) = project.local_path.clone() else {
        return Err(Error::Pull {
            reason: PullReason::NoWorkingCopy,
            message: format!(
                "{} has no working copy on this machine: set it up here first",
                project.name
            ),
        });
    };
    let org =
        sync::profile_setting(store, actor, sync::GITHUB_ORG).await?.filter(|o| !o.is_empty());
    let owner = org.or(crate::accounts::get(store, actor).await?.github_login).unwrap_or_default();
    let branch = tracked(store, actor, &owner)
        .await?
        .into_iter()
        .find(|t| t.project_id == project.id)
        .map(|t| t.branch)
        .unwrap_or_else(|| "main".into());
    let at = github::endpoints(store).await?;
    let token = crate::secrets::token(secrets, actor, &at.host).await?;
    let host = at.host.clone();
    let pulled = tokio::task::spawn_blocking(move || {
        local::pull(std::path::Path::new(&dir), &branch, &host, token.as_ref())
    })
    .await
    .map_err(|e| Error::Internal(format!("the pull did not finish: {e}")))?
    .map_err(|r| Error::Pull { reason: r.reason, message: r.message })?;
    Ok(pulled)
}
