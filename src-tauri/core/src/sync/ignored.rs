//! Repositories a profile told the heartbeat to leave alone (issue 18): `codemyspec sync
//! ignore REPO`, the window's Ignore on a discovered project, or deleting a discovered project
//! and choosing to ignore it. An ignored repository is never imported again (nor its docs
//! repository) until the profile unignores it. Kept by GitHub's id, so a rename does not bring
//! it back; its name follows the listing.
//!
//! Ignoring stands for "this is noise": it deletes the `discovered` project that stood for the
//! repository only when that project is nothing but what the heartbeat imported. A project
//! someone worked on is deleted only by a delete (which asks whether to ignore it too).

use crate::access::{self, Need};
use crate::error::{Error, Result};
use crate::ids::{AccountId, ProjectId};
use crate::lifecycle::Stage;
use crate::projects::{self, Project};
use crate::store::Store;
use codemyspec_github::{PageCache, Repo};
use serde::Serialize;
use std::collections::HashMap;

/// A repository the profile's heartbeat leaves alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct IgnoredRepo {
    /// GitHub's id of the repository (it survives renames).
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub repo_id: i64,
    /// `owner/name` as GitHub last showed it.
    pub full_name: String,
    pub html_url: String,
    pub ignored_at: String,
}

/// The discovered project that stood for an ignored repository, deleted with the ignore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RemovedProject {
    pub id: ProjectId,
    pub name: String,
}

/// What ignoring did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Ignoring {
    pub ignored: IgnoredRepo,
    pub removed_project: Option<RemovedProject>,
}

const COLUMNS: &str = "repo_id, full_name, html_url, ignored_at";

/// `owner/name` of a repository URL (`https://HOST/OWNER/NAME`).
pub fn full_name_of(url: &str) -> Option<String> {
    let mut parts = url.split_once("://")?.1.split('/').skip(1);
    let (owner, name) = (parts.next()?, parts.next()?);
    let name = name.strip_suffix(".git").unwrap_or(name);
    (!owner.is_empty() && !name.is_empty()).then(|| format!("{owner}/{name}"))
}

/// What a person names a repository by: `OWNER/NAME` or its URL.
fn repo_named(raw: &str) -> Result<String> {
    let raw = raw.trim().trim_end_matches('/');
    let full = if raw.contains("://") {
        full_name_of(raw)
    } else {
        let raw = raw.strip_suffix(".git").unwrap_or(raw);
        match raw.split_once('/') {
            Some((o, n)) if !o.is_empty() && !n.is_empty() && !n.contains('/') => Some(raw.into()),
            _ => None,
        }
    };
    full.ok_or_else(|| {
        Error::invalid(
            "repo",
            format!("{raw:?} names no repository: use OWNER/NAME, its URL, or a discovered project's name"),
        )
    })
}

/// The profile's ignored repositories, by name.
pub async fn ignored(store: &Store, actor: &AccountId) -> Result<Vec<IgnoredRepo>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM sync_ignored WHERE account_id = ? ORDER BY full_name COLLATE NOCASE"
    )))
    .bind(actor)
    .fetch_all(store.pool())
    .await?)
}

/// The profile's ignored repositories as the run sees them (id → `owner/name`); a listed one
/// that GitHub shows under another name now gets its new name, in the caller's transaction.
pub(crate) async fn follow_names(
    tx: &mut sqlx::SqliteConnection,
    actor: &AccountId,
    listed: &[Repo],
) -> Result<HashMap<i64, String>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT repo_id, full_name, html_url FROM sync_ignored WHERE account_id = ?",
    )
    .bind(actor)
    .fetch_all(&mut *tx)
    .await?;
    let mut names: HashMap<i64, String> =
        rows.iter().map(|(id, name, _)| (*id, name.clone())).collect();
    // By id: a search of the rows for each listed repository grew with both (issue 22).
    let urls: HashMap<i64, (&String, &String)> =
        rows.iter().map(|(id, name, url)| (*id, (name, url))).collect();
    for repo in listed {
        let id = repo.id as i64;
        let Some(&(name, url)) = urls.get(&id) else { continue };
        if *name != repo.full_name || *url != repo.html_url {
            sqlx::query(
                "UPDATE sync_ignored SET full_name = ?, html_url = ? \
                 WHERE account_id = ? AND repo_id = ?",
            )
            .bind(&repo.full_name)
            .bind(&repo.html_url)
            .bind(actor)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            names.insert(id, repo.full_name.clone());
        }
    }
    Ok(names)
}

/// Ignores a repository: `target` is a discovered project (its name or id), or a repository
/// (`OWNER/NAME` or its URL) that is a discovered project's or in the profile's last listing.
/// A discovered project that stands for it goes (it must be untouched: see the module).
pub async fn ignore(store: &Store, actor: &AccountId, target: &str) -> Result<Ignoring> {
    let target = target.trim();
    if target.is_empty() {
        return Err(Error::invalid(
            "repo",
            "name the repository: OWNER/NAME, its URL, or a discovered project's name",
        ));
    }
    if !target.contains('/') {
        let p = projects::find(store, actor, target).await?;
        return ignore_project(store, actor, &p.id, true).await;
    }
    let full = repo_named(target)?;
    let same = |url: &Option<String>| {
        url.as_deref().and_then(full_name_of).is_some_and(|f| f.eq_ignore_ascii_case(&full))
    };
    let mine: Vec<Project> = projects::list(store, actor).await?;
    if let Some(p) = mine.iter().find(|p| same(&p.code_repo)) {
        return ignore_project(store, actor, &p.id, true).await;
    }
    if let Some(p) = mine.iter().find(|p| same(&p.docs_repo)) {
        return Err(Error::conflict(
            Some("repo"),
            format!(
                "{full} is the docs repository of project {}; ignore the project instead \
                 (`codemyspec sync ignore {}`)",
                p.name, p.name
            ),
        ));
    }
    let repo = listed(store, actor)
        .await?
        .into_iter()
        .find(|r| r.full_name.eq_ignore_ascii_case(&full))
        .ok_or(Error::not_found(
            "repository (none of that name in this profile's last GitHub listing; `codemyspec sync now` lists it)",
        ))?;
    let mut tx = store.write().await?;
    let ignored =
        record(&mut tx, store, actor, repo.id as i64, &repo.full_name, &repo.html_url).await?;
    tx.commit().await?;
    Ok(Ignoring { ignored, removed_project: None })
}

/// Deletes a discovered project, whatever was added to it, and ignores its repository: the
/// window's and the CLI's delete, when the person chose to ignore it too. The owner's call,
/// like any delete.
pub async fn delete_and_ignore(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
) -> Result<Ignoring> {
    ignore_project(store, actor, project_id, false).await
}

/// Ignores the repository a discovered project stands for and deletes the project, in one
/// transaction. `only_untouched`: refuse a project someone worked on.
async fn ignore_project(
    store: &Store,
    actor: &AccountId,
    project_id: &ProjectId,
    only_untouched: bool,
) -> Result<Ignoring> {
    let mut tx = store.write().await?;
    access::require(&mut *tx, actor, project_id, Need::Own).await?;
    let p = projects::fetch_visible(&mut *tx, actor, project_id).await?;
    if p.stage != Stage::Discovered {
        return Err(Error::conflict(
            Some("project"),
            format!(
                "project {} is {}: only a discovered project's repository can be ignored (the \
                 sync keeps following the repository of a project in use)",
                p.name, p.stage
            ),
        ));
    }
    let (Some(repo_id), Some(url)) = (p.github_repo_id, p.code_repo.clone()) else {
        return Err(Error::conflict(
            Some("project"),
            format!("project {} stands for no repository the sync found", p.name),
        ));
    };
    if p.setup_status.is_running() {
        return Err(Error::conflict(None, "a setup is running for this project; cancel it first"));
    }
    if only_untouched && !crate::pipeline::provision::is_placeholder(&mut tx, &p.id).await? {
        return Err(Error::conflict(
            Some("project"),
            format!(
                "project {} holds more than the sync imported (a description, a summary, spec, \
                 another docs repository or members); delete it, choosing to ignore its \
                 repository too, if it should go",
                p.name
            ),
        ));
    }
    let full = full_name_of(&url).unwrap_or_else(|| p.github_repo_name.clone().unwrap_or_default());
    sqlx::query("DELETE FROM projects WHERE id = ?").bind(p.id).execute(&mut *tx).await?;
    let ignored = record(&mut tx, store, actor, repo_id, &full, &url).await?;
    tx.commit().await?;
    projects::remove_docs_clone(store, &p.id);
    Ok(Ignoring { ignored, removed_project: Some(RemovedProject { id: p.id, name: p.name }) })
}

async fn record(
    tx: &mut sqlx::SqliteConnection,
    store: &Store,
    actor: &AccountId,
    repo_id: i64,
    full_name: &str,
    html_url: &str,
) -> Result<IgnoredRepo> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO sync_ignored (account_id, repo_id, full_name, html_url, ignored_at) \
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, repo_id) DO UPDATE \
         SET full_name = excluded.full_name, html_url = excluded.html_url RETURNING {COLUMNS}"
    )))
    .bind(actor)
    .bind(repo_id)
    .bind(full_name)
    .bind(html_url)
    .bind(store.now())
    .fetch_one(&mut *tx)
    .await?)
}

/// Lets the heartbeat import a repository again (its next run brings it back): `target` is
/// `OWNER/NAME`, its URL, or GitHub's id of it.
pub async fn unignore(store: &Store, actor: &AccountId, target: &str) -> Result<IgnoredRepo> {
    let target = target.trim();
    let mut tx = store.write().await?;
    let removed: Option<IgnoredRepo> = if let Ok(id) = target.parse::<i64>() {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "DELETE FROM sync_ignored WHERE account_id = ? AND repo_id = ? RETURNING {COLUMNS}"
        )))
        .bind(actor)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
    } else {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "DELETE FROM sync_ignored WHERE account_id = ? AND full_name = ? COLLATE NOCASE \
             RETURNING {COLUMNS}"
        )))
        .bind(actor)
        .bind(repo_named(target)?)
        .fetch_optional(&mut *tx)
        .await?
    };
    let removed = removed.ok_or(Error::not_found("ignored repository"))?;
    tx.commit().await?;
    Ok(removed)
}

/// Every repository the profile's last listings held (the pages the heartbeat keeps).
async fn listed(store: &Store, actor: &AccountId) -> Result<Vec<Repo>> {
    let pages: Vec<String> =
        sqlx::query_scalar("SELECT pages FROM sync_pages WHERE account_id = ?")
            .bind(actor)
            .fetch_all(store.pool())
            .await?;
    Ok(pages
        .iter()
        .filter_map(|text| serde_json::from_str::<PageCache>(text).ok())
        .flat_map(|cache| cache.pages.into_values().flat_map(|page| page.repos))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repository_is_named_by_owner_and_name_or_by_its_url() {
        assert_eq!(full_name_of("https://github.com/acme/shop").as_deref(), Some("acme/shop"));
        assert_eq!(
            full_name_of("http://127.0.0.1:4000/acme/shop.git").as_deref(),
            Some("acme/shop")
        );
        assert_eq!(full_name_of("https://github.com/acme"), None);
        assert_eq!(repo_named(" acme/shop ").unwrap(), "acme/shop");
        assert_eq!(repo_named("https://github.com/acme/shop/").unwrap(), "acme/shop");
        for bad in ["acme/", "/shop", "acme/shop/extra", "https://github.com/"] {
            assert_eq!(
                repo_named(bad).unwrap_err().code(),
                crate::error::Code::InvalidInput,
                "{bad}"
            );
        }
    }
}
