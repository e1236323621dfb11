//! Per project, only when the feed said its default branch moved (or nothing was read yet):
//! the head commit as GitHub shows it (`GET /repos/{o}/{r}/commits/{branch}` with the ETag
//! kept for it), stored on the project; and, where the project has a working copy on this
//! machine, GitHub's branch fetched into it, so that what it lacks can be counted locally
//! (git costs no REST rate budget, and a working copy with commits of its own is counted
//! right, which the compare API cannot do for commits GitHub never saw).

use super::{local, Tracked};
use crate::error::Result;
use crate::ids::ProjectId;
use crate::secret::Secret;
use crate::store::Store;
use crate::sync::RATE_FLOOR;
use codemyspec_github::{Client, GitHubError, Read};
use serde::Serialize;
use std::path::PathBuf;
use std::time::SystemTime;

/// What the heads' reads cost and found.
#[derive(Debug, Default)]
pub(super) struct Reads {
    pub requests: u32,
    pub not_modified: u32,
    /// Projects whose head changed.
    pub changed: Vec<ProjectId>,
}

#[derive(sqlx::FromRow)]
struct Before {
    branch: String,
    etag: Option<String>,
    sha: Option<String>,
    stale: bool,
}

/// Reads the head of each followed project (set up) that is stale or was never read. A rate limit, no
/// network or a budget down to [`RATE_FLOOR`] stops the reads (the rest stay stale for the
/// next poll); a 5xx or 403 leaves that one stale.
pub(super) async fn read_stale(
    store: &Store,
    client: &Client,
    tracked: &[Tracked],
    token_host: &str,
    token: &Secret,
) -> Result<Reads> {
    let mut reads = Reads::default();
    for p in tracked.iter().filter(|p| p.followed) {
        let before: Option<Before> = sqlx::query_as(
            "SELECT branch, etag, sha, stale FROM project_heads WHERE project_id = ?",
        )
        .bind(p.project_id)
        .fetch_optional(store.pool())
        .await?;
        // The ETag and the head are the default branch's: another branch is read afresh.
        let before = before.filter(|b| b.branch == p.branch);
        if before.as_ref().is_some_and(|b| !b.stale) {
            continue;
        }
        if client.budget().is_some_and(|b| !b.allows_background(RATE_FLOOR, SystemTime::now())) {
            break;
        }
        let etag = before.as_ref().and_then(|b| b.etag.clone());
        reads.requests += 1;
        let answer = match client.head_commit(&p.full_name, &p.branch, etag.as_deref()).await {
            Ok(answer) => answer,
            Err(e @ (GitHubError::Offline { .. } | GitHubError::RateLimited { .. })) => {
                tracing::info!(project = %p.project_id, "head reads stop: {e}");
                break;
            }
            Err(e) => {
                tracing::warn!(project = %p.project_id, "cannot read the head: {e}");
                continue;
            }
        };
        let sha = keep(store, p, answer, before, &mut reads).await?;
        if let (Some(sha), Some(dir)) = (sha, p.local_path.clone()) {
            fetch_if_missing(dir, sha, p.branch.clone(), token_host, token).await;
        }
    }
    Ok(reads)
}

/// Keeps what a head read answered (the read time on a 304, the head and its ETag when fresh,
/// nothing when the branch is empty or gone) and notes a head that changed; returns the head.
async fn keep(
    store: &Store,
    p: &Tracked,
    answer: Read<codemyspec_github::HeadCommit>,
    before: Option<Before>,
    reads: &mut Reads,
) -> Result<Option<String>> {
    let mut tx = store.write().await?;
    let sha = match answer {
        Read::NotModified => {
            reads.not_modified += 1;
            sqlx::query("UPDATE project_heads SET stale = 0, read_at = ? WHERE project_id = ?")
                .bind(store.now())
                .bind(p.project_id)
                .execute(&mut *tx)
                .await?;
            before.and_then(|b| b.sha)
        }
        Read::Fresh { value, etag } => {
            if before.as_ref().and_then(|b| b.sha.as_deref()) != Some(value.sha.as_str()) {
                reads.changed.push(p.project_id);
            }
            sqlx::query(
                "INSERT INTO project_heads (project_id, branch, etag, sha, author_login, author_name, \
                 committed_at, title, stale, read_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?) \
                 ON CONFLICT (project_id) DO UPDATE SET branch = excluded.branch, etag = excluded.etag, \
                 sha = excluded.sha, author_login = excluded.author_login, author_name = excluded.author_name, \
                 committed_at = excluded.committed_at, title = excluded.title, stale = 0, read_at = excluded.read_at",
            )
            .bind(p.project_id)
            .bind(&p.branch)
            .bind(etag)
            .bind(&value.sha)
            .bind(&value.author_login)
            .bind(&value.author_name)
            .bind(&value.date)
            .bind(&value.title)
            .bind(store.now())
            .execute(&mut *tx)
            .await?;
            Some(value.sha)
        }
        Read::Nothing => {
            sqlx::query(
                "INSERT INTO project_heads (project_id, branch, stale, read_at) VALUES (?, ?, 0, ?) \
                 ON CONFLICT (project_id) DO UPDATE SET etag = NULL, sha = NULL, author_login = NULL, \
                 author_name = NULL, committed_at = NULL, title = NULL, stale = 0, read_at = excluded.read_at",
            )
            .bind(p.project_id)
            .bind(&p.branch)
            .bind(store.now())
            .execute(&mut *tx)
            .await?;
            None
        }
    };
    tx.commit().await?;
    Ok(sha)
}

/// Fetches GitHub's branch into the working copy when it lacks GitHub's head; a failure is
/// logged (the count stays unknown until a later poll or Pull).
async fn fetch_if_missing(dir: PathBuf, sha: String, branch: String, host: &str, token: &Secret) {
    let (host, token) = (host.to_owned(), token.clone());
    let done = tokio::task::spawn_blocking(move || {
        if !dir.is_dir() || local::has(&dir, &sha) {
            return Ok(());
        }
        local::fetch(&dir, &branch, &host, Some(&token)).map(|_| ())
    })
    .await;
    match done {
        Ok(Err(e)) => {
            tracing::warn!("cannot fetch GitHub's head into the working copy: {}", e.message)
        }
        Err(e) => tracing::warn!("the fetch did not finish: {e}"),
        Ok(Ok(())) => {}
    }
}

/// "Last change on GitHub": the default branch's head as GitHub last showed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LastChange {
    pub branch: String,
    pub sha: String,
    /// The GitHub login the commit is credited to, else the name in the commit.
    pub who: String,
    /// The author's date (ISO 8601, UTC).
    pub when: String,
    /// The commit message's first line.
    pub title: String,
    /// Commits of GitHub's head this machine's working copy does not have; none when the
    /// project has no working copy here or the head was not fetched into it yet.
    pub behind: Option<u32>,
}

#[derive(sqlx::FromRow)]
struct HeadRow {
    branch: String,
    sha: Option<String>,
    author_login: Option<String>,
    author_name: Option<String>,
    committed_at: Option<String>,
    title: Option<String>,
}

/// The project's last change on GitHub, if one was read.
pub(super) async fn last_change(
    store: &Store,
    project_id: &ProjectId,
    local_path: Option<&str>,
) -> Result<Option<LastChange>> {
    let row: Option<HeadRow> = sqlx::query_as(
        "SELECT branch, sha, author_login, author_name, committed_at, title FROM project_heads \
         WHERE project_id = ?",
    )
    .bind(project_id)
    .fetch_optional(store.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let Some(sha) = row.sha else { return Ok(None) };
    let behind = match local_path {
        Some(dir) => {
            let (dir, sha) = (PathBuf::from(dir), sha.clone());
            tokio::task::spawn_blocking(move || local::behind(&dir, &sha)).await.ok().flatten()
        }
        None => None,
    };
    Ok(Some(LastChange {
        branch: row.branch,
        sha,
        who: row.author_login.or(row.author_name).unwrap_or_else(|| "someone".into()),
        when: row.committed_at.unwrap_or_default(),
        title: row.title.unwrap_or_default(),
        behind,
    }))
}
