//! Reconciling the profile's projects with what one heartbeat saw, in one transaction, by
//! repository id, never by name. What a run saw is the complete listing of the profile's own
//! owner and GitHub's answer for each tracked repository that listing did not hold
//! ([`Seen`]); a repository neither listed nor answered for is not judged at all.

use crate::error::Result;
use crate::ids::{AccountId, ProjectId};
use crate::lifecycle::{self, Stage, Trigger};
use crate::projects::{self, Project};
use crate::store::Store;
use codemyspec_github::Repo;
use std::collections::{HashMap, HashSet};

/// What one run of the heartbeat knows about repositories.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// The complete listing of the profile's owner (its `github_org`, or its own account).
    pub listed: Vec<Repo>,
    /// GitHub's answer to `GET /repositories/{id}` for tracked repositories the listing did
    /// not hold: `Some` it exists (maybe renamed or moved), `None` a 404.
    pub checked: HashMap<i64, Option<Repo>>,
}

/// What one reconciliation changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub discovered: Vec<Project>,
    pub missing: Vec<Project>,
    pub renamed: Vec<Project>,
    pub reappeared: Vec<Project>,
    /// Projects that named a listed repository by URL before its id was recorded: the id is
    /// now theirs (nothing was imported for it).
    pub linked: Vec<Project>,
}

/// What reconciling did to one project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Change {
    Discovered,
    Missing,
    Renamed,
    Reappeared,
    Linked,
}

/// Why a project went missing.
pub(crate) fn gone(p: &Project) -> String {
    gone_text(p.github_repo_name.as_deref(), &p.name)
}

fn gone_text(repo_name: Option<&str>, name: &str) -> String {
    format!("its repository {} is gone from GitHub", repo_name.unwrap_or(name))
}

/// The owner part of a repository URL (`https://HOST/OWNER/REPO`).
fn url_owner(url: &str) -> Option<&str> {
    url.split_once("://")?.1.split('/').nth(1)
}

/// The actor's projects whose repository a run must ask GitHub about by id: tracked, in a
/// stage that can go missing (or missing already), and not in the listing.
pub(crate) async fn unlisted(
    store: &Store,
    actor: &AccountId,
    listed: &[Repo],
) -> Result<Vec<i64>> {
    let listed: HashSet<i64> = listed.iter().map(|r| r.id as i64).collect();
    let tracked: Vec<(i64, Stage)> = sqlx::query_as(
        "SELECT DISTINCT p.github_repo_id, p.stage FROM projects p \
         JOIN project_memberships m ON m.project_id = p.id \
         WHERE m.user_id = ? AND p.github_repo_id IS NOT NULL ORDER BY p.github_repo_id",
    )
    .bind(actor)
    .fetch_all(store.pool())
    .await?;
    Ok(tracked
        .into_iter()
        .filter(|(id, stage)| !listed.contains(id) && judged(*stage))
        .map(|(id, _)| id)
        .collect())
}

/// `owner/name` of each judged project that names its code repository by a URL on `host`
/// whose id is not recorded yet and that the listing does not hold: a project pointed at a
/// repository in another owner than the one listed (after it went missing, say). The run
/// asks GitHub for these by name, so they are linked (and come back) like listed ones.
pub(crate) async fn unlinked_elsewhere(
    store: &Store,
    actor: &AccountId,
    host: &str,
    listed: &[Repo],
) -> Result<Vec<String>> {
    let listed: HashSet<String> = listed.iter().map(|r| r.html_url.to_ascii_lowercase()).collect();
    let named: Vec<(String, Stage)> = sqlx::query_as(
        "SELECT DISTINCT p.code_repo, p.stage FROM projects p \
         JOIN project_memberships m ON m.project_id = p.id \
         WHERE m.user_id = ? AND p.github_repo_id IS NULL AND p.code_repo IS NOT NULL \
         ORDER BY p.code_repo",
    )
    .bind(actor)
    .fetch_all(store.pool())
    .await?;
    let on_host = |url: &str| {
        url.split_once("://")
            .and_then(|(_, rest)| rest.split('/').next())
            .is_some_and(|h| h.eq_ignore_ascii_case(host))
    };
    Ok(named
        .into_iter()
        .filter(|(url, stage)| judged(*stage) && on_host(url))
        .filter(|(url, _)| !listed.contains(&url.to_ascii_lowercase()))
        .filter_map(|(url, _)| super::ignored::full_name_of(&url))
        .collect())
}

/// Whether a project in this stage is judged present or missing.
fn judged(stage: Stage) -> bool {
    stage == Stage::Missing || lifecycle::check(stage, Stage::Missing, Trigger::Sync, &[]).is_ok()
}

/// What the reconcile reads of a project of the data dir: the columns it judges by and nothing
/// else, and whether it is one of the actor's.
#[derive(Debug, Clone, serde::Deserialize)]
pub(super) struct Row {
    pub(super) id: ProjectId,
    pub(super) name: String,
    pub(super) stage: Stage,
    pub(super) code_repo: Option<String>,
    pub(super) docs_repo: Option<String>,
    pub(super) github_repo_id: Option<i64>,
    pub(super) docs_repo_id: Option<i64>,
    pub(super) github_repo_name: Option<String>,
    /// The actor is a member (what it sees); the others are other profiles' projects, which
    /// still hold their repositories.
    pub(super) mine: bool,
}

/// Every project of the data dir, as [`Row`]s, in one read: one JSON array built by SQLite
/// (10,000 rows decoded one by one through sqlx cost several times more; issue 22), in the
/// table's order.
async fn rows(tx: &mut sqlx::SqliteConnection, actor: &AccountId) -> Result<Vec<Row>> {
    let packed: String = sqlx::query_scalar(
        "SELECT json_group_array(json_array(p.id, p.name, p.stage, p.code_repo, p.docs_repo, \
         p.github_repo_id, p.docs_repo_id, p.github_repo_name, \
         iif(m.user_id IS NULL, json('false'), json('true')))) \
         FROM projects p LEFT JOIN project_memberships m \
         ON m.project_id = p.id AND m.user_id = ?",
    )
    .bind(actor)
    .fetch_one(&mut *tx)
    .await?;
    serde_json::from_str(&packed)
        .map_err(|e| crate::Error::Internal(format!("cannot read the projects to reconcile: {e}")))
}

/// Reconciles the actor's projects with what the run saw, in the caller's transaction.
pub(crate) async fn reconcile_in(
    tx: &mut sqlx::SqliteConnection,
    store: &Store,
    actor: &AccountId,
    seen: &Seen,
) -> Result<Changes> {
    let mut all = rows(tx, actor).await?;
    let listed: HashMap<i64, &Repo> = seen.listed.iter().map(|r| (r.id as i64, r)).collect();
    // The repository with this id as GitHub shows it now, if the run saw it.
    let present = |id: i64| {
        listed.get(&id).copied().or_else(|| seen.checked.get(&id).and_then(Option::as_ref))
    };
    let mut touched: Vec<(ProjectId, Change)> = Vec::new();
    // Each change is made to the row too: discovering reads the rows as they are now.
    for p in all.iter_mut().filter(|p| p.mine) {
        if let Some(repo) = p.docs_repo_id.and_then(present) {
            if p.docs_repo.as_deref() != Some(repo.html_url.as_str()) {
                sqlx::query("UPDATE projects SET docs_repo = ?, updated_at = ? WHERE id = ?")
                    .bind(&repo.html_url)
                    .bind(store.now())
                    .bind(p.id)
                    .execute(&mut *tx)
                    .await?;
                p.docs_repo = Some(repo.html_url.clone());
            }
        }
        let Some(code) = p.github_repo_id else { continue };
        // Only GitHub's 404 for this very id says it is gone.
        let gone_now = matches!(seen.checked.get(&code), Some(None));
        if let Some(repo) = present(code) {
            touched.extend(follow(tx, store, p, repo).await?);
        } else if gone_now && judged(p.stage) && p.stage != Stage::Missing {
            let reason = gone_text(p.github_repo_name.as_deref(), &p.name);
            lifecycle::apply(tx, store, &p.id, Stage::Missing, &reason, Trigger::Sync, None)
                .await?;
            p.stage = Stage::Missing;
            touched.push((p.id, Change::Missing));
        }
    }
    // Reported by project id, as they were when the actor's projects were read in that order
    // (stable: a project that came back and was renamed keeps that order).
    touched.sort_by_key(|a| a.0);
    touched.extend(super::discover::discover(tx, store, actor, &all, &seen.listed).await?);
    let mut changes = Changes::default();
    for (id, change) in touched {
        // A docs repository's own placeholder may have given way to its pair in this run.
        let p = match projects::fetch_any(&mut *tx, &id).await {
            Ok(p) => p,
            Err(crate::Error::NotFound { .. }) => continue,
            Err(e) => return Err(e),
        };
        match change {
            Change::Discovered => changes.discovered.push(p),
            Change::Missing => changes.missing.push(p),
            Change::Renamed => changes.renamed.push(p),
            Change::Reappeared => changes.reappeared.push(p),
            Change::Linked => changes.linked.push(p),
        }
    }
    Ok(changes)
}

/// A missing project whose repository GitHub shows again (or that was pointed at another
/// repository GitHub shows) goes back to the stage it left, which it returns.
pub(super) async fn come_back(
    tx: &mut sqlx::SqliteConnection,
    store: &Store,
    project_id: &ProjectId,
    reason: &str,
) -> Result<Stage> {
    let back = lifecycle::stage_returns(&mut *tx, project_id).await?;
    let back = back.last().copied().unwrap_or(Stage::Initialized);
    lifecycle::apply(tx, store, project_id, back, reason, Trigger::Sync, None).await?;
    Ok(back)
}

/// A tracked repository GitHub shows: a missing project comes back, and a rename or a move to
/// another owner is followed (in `p` too).
async fn follow(
    tx: &mut sqlx::SqliteConnection,
    store: &Store,
    p: &mut Row,
    repo: &Repo,
) -> Result<Vec<(ProjectId, Change)>> {
    let mut out = Vec::new();
    if p.stage == Stage::Missing {
        p.stage =
            come_back(tx, store, &p.id, &format!("{} is back on GitHub", repo.full_name)).await?;
        out.push((p.id, Change::Reappeared));
    }
    let old_owner = p.code_repo.as_deref().and_then(url_owner);
    let moved = old_owner.is_some_and(|o| !o.eq_ignore_ascii_case(&repo.owner.login));
    if p.github_repo_name.as_deref() != Some(repo.name.as_str()) || moved {
        let old = p.github_repo_name.clone().unwrap_or_else(|| p.name.clone());
        sqlx::query(
            "UPDATE projects SET github_repo_name = ?, code_repo = ?, updated_at = ? WHERE id = ?",
        )
        .bind(&repo.name)
        .bind(&repo.html_url)
        .bind(store.now())
        .bind(p.id)
        .execute(&mut *tx)
        .await?;
        let reason = match old_owner.filter(|_| moved) {
            Some(from) => format!("moved on GitHub: {from}/{old} → {}", repo.full_name),
            None => format!("renamed on GitHub: {old} → {}", repo.name),
        };
        lifecycle::note(tx, store, &p.id, &reason, Trigger::Sync).await?;
        p.github_repo_name = Some(repo.name.clone());
        p.code_repo = Some(repo.html_url.clone());
        out.push((p.id, Change::Renamed));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_of_a_repository_is_read_from_its_url() {
        assert_eq!(url_owner("https://github.com/acme/shop"), Some("acme"));
        assert_eq!(url_owner("http://127.0.0.1:4000/globex/blog"), Some("globex"));
        assert_eq!(url_owner("not a url"), None);
    }
}
