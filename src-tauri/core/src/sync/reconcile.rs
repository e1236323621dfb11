//! Reconciling the profile's projects with what one heartbeat saw, in one transaction, by
//! repository id, never by name. What a run saw is the complete listing of the profile's own
//! owner and GitHub's answer for each tracked repository that listing did not hold
//! ([`Seen`]); a repository neither listed nor answered for is not judged at all.

use crate::error::Result;
use crate::lifecycle::{self, Stage, Trigger};
use crate::projects::{self, Project};
use crate::store::{new_id, Store};
use crate::validate;
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
enum Change {
    Discovered,
    Missing,
    Renamed,
    Reappeared,
    Linked,
}

/// Why a project went missing.
pub(crate) fn gone(p: &Project) -> String {
    format!(
        "its repository {} is gone from GitHub",
        p.github_repo_name.as_deref().unwrap_or(&p.name)
    )
}

/// The owner part of a repository URL (`https://HOST/OWNER/REPO`).
fn url_owner(url: &str) -> Option<&str> {
    url.split_once("://")?.1.split('/').nth(1)
}

/// A valid app name made from a repository name: lowercase, `_` for anything else, a
/// letter first, not a reserved or taken name, and free among the actor's projects.
pub fn app_name(repo: &str, taken: &HashSet<String>) -> String {
    let mut name: String = repo
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect();
    while name.contains("__") {
        name = name.replace("__", "_");
    }
    let mut name = name.trim_matches('_').to_owned();
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name = format!("repo_{name}");
    }
    name.truncate(56);
    let name = name.trim_end_matches('_').to_owned();
    let usable = |n: &str| validate::project_name("name", n).is_ok() && !taken.contains(n);
    if usable(&name) {
        return name;
    }
    (2..)
        .map(|i| format!("{name}_{i}"))
        .find(|n| usable(n))
        .unwrap_or_else(|| format!("repo_{}", new_id().replace('-', "_")))
}

/// The actor's projects whose repository a run must ask GitHub about by id: tracked, in a
/// stage that can go missing (or missing already), and not in the listing.
pub(crate) async fn unlisted(store: &Store, actor: &str, listed: &[Repo]) -> Result<Vec<i64>> {
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

/// Whether a project in this stage is judged present or missing.
fn judged(stage: Stage) -> bool {
    stage == Stage::Missing || lifecycle::check(stage, Stage::Missing, Trigger::Sync, &[]).is_ok()
}

/// Reconciles the actor's projects with what the run saw, in the caller's transaction.
pub(crate) async fn reconcile_in(
    tx: &mut sqlx::SqliteConnection,
    store: &Store,
    actor: &str,
    seen: &Seen,
) -> Result<Changes> {
    let mine: Vec<Project> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM projects p JOIN project_memberships m ON m.project_id = p.id \
         WHERE m.user_id = ?",
        projects::COLUMNS
    )))
    .bind(actor)
    .fetch_all(&mut *tx)
    .await?;
    let listed: HashMap<i64, &Repo> = seen.listed.iter().map(|r| (r.id as i64, r)).collect();
    // The repository with this id as GitHub shows it now, if the run saw it.
    let present = |id: i64| {
        listed.get(&id).copied().or_else(|| seen.checked.get(&id).and_then(Option::as_ref))
    };
    let mut touched: Vec<(String, Change)> = Vec::new();
    for p in &mine {
        if let Some(repo) = p.docs_repo_id.and_then(present) {
            if p.docs_repo.as_deref() != Some(repo.html_url.as_str()) {
                sqlx::query("UPDATE projects SET docs_repo = ?, updated_at = ? WHERE id = ?")
                    .bind(&repo.html_url)
                    .bind(store.now())
                    .bind(&p.id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let Some(code) = p.github_repo_id else { continue };
        // Only GitHub's 404 for this very id says it is gone.
        let gone_now = matches!(seen.checked.get(&code), Some(None));
        if let Some(repo) = present(code) {
            touched.extend(follow(tx, store, p, repo).await?);
        } else if gone_now && judged(p.stage) && p.stage != Stage::Missing {
            lifecycle::apply(tx, store, &p.id, Stage::Missing, &gone(p), Trigger::Sync, None)
                .await?;
            touched.push((p.id.clone(), Change::Missing));
        }
    }
    touched.extend(discover(tx, store, actor, &mine, &seen.listed).await?);
    let mut changes = Changes::default();
    for (id, change) in touched {
        let p = projects::fetch_any(&mut *tx, &id).await?;
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

/// A tracked repository GitHub shows: a missing project comes back, and a rename or a move to
/// another owner is followed.
async fn follow(
    tx: &mut sqlx::SqliteConnection,
    store: &Store,
    p: &Project,
    repo: &Repo,
) -> Result<Vec<(String, Change)>> {
    let mut out = Vec::new();
    if p.stage == Stage::Missing {
        let back = lifecycle::stage_returns(&mut *tx, &p.id).await?;
        let back = back.last().copied().unwrap_or(Stage::Initialized);
        let reason = format!("{} is back on GitHub", repo.full_name);
        lifecycle::apply(tx, store, &p.id, back, &reason, Trigger::Sync, None).await?;
        out.push((p.id.clone(), Change::Reappeared));
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
        .bind(&p.id)
        .execute(&mut *tx)
        .await?;
        let reason = match old_owner.filter(|_| moved) {
            Some(from) => format!("moved on GitHub: {from}/{old} → {}", repo.full_name),
            None => format!("renamed on GitHub: {old} → {}", repo.name),
        };
        lifecycle::note(tx, store, &p.id, &reason, Trigger::Sync).await?;
        out.push((p.id.clone(), Change::Renamed));
    }
    Ok(out)
}

/// Listed repositories no project stands for yet: a project of this data dir that names one
/// by URL (its code or docs repository, the id not recorded yet — provisioning created it
/// moments ago, or will adopt it) gets its id; any other becomes a `discovered` project.
async fn discover(
    tx: &mut sqlx::SqliteConnection,
    store: &Store,
    actor: &str,
    mine: &[Project],
    listed: &[Repo],
) -> Result<Vec<(String, Change)>> {
    // A repository id belongs to one project of the data dir, whichever profile's.
    let known: HashSet<i64> = sqlx::query_scalar(
        "SELECT github_repo_id FROM projects WHERE github_repo_id IS NOT NULL \
         UNION SELECT docs_repo_id FROM projects WHERE docs_repo_id IS NOT NULL",
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let mut by_url: HashMap<String, (String, &'static str)> = HashMap::new();
    let unlinked: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT id, CASE WHEN github_repo_id IS NULL THEN code_repo END, \
         CASE WHEN docs_repo_id IS NULL THEN docs_repo END FROM projects \
         WHERE (github_repo_id IS NULL AND code_repo IS NOT NULL) \
            OR (docs_repo_id IS NULL AND docs_repo IS NOT NULL)",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (id, code, docs) in unlinked {
        if let Some(url) = code {
            by_url.insert(url.to_ascii_lowercase(), (id.clone(), "code"));
        }
        if let Some(url) = docs {
            by_url.insert(url.to_ascii_lowercase(), (id, "docs"));
        }
    }
    let mut names: HashSet<String> = mine.iter().map(|p| p.name.clone()).collect();
    let mut out = Vec::new();
    for repo in listed {
        let id = repo.id as i64;
        if known.contains(&id) {
            continue;
        }
        if let Some((project_id, kind)) = by_url.get(&repo.html_url.to_ascii_lowercase()) {
            let sql = if *kind == "code" {
                "UPDATE projects SET github_repo_id = ?1, github_repo_name = ?2, updated_at = ?3 \
                 WHERE id = ?4 AND github_repo_id IS NULL"
            } else {
                "UPDATE projects SET docs_repo_id = ?1, updated_at = ?3 \
                 WHERE id = ?4 AND docs_repo_id IS NULL"
            };
            sqlx::query(sql)
                .bind(id)
                .bind(&repo.name)
                .bind(store.now())
                .bind(project_id)
                .execute(&mut *tx)
                .await?;
            if mine.iter().any(|p| &p.id == project_id) {
                out.push((project_id.clone(), Change::Linked));
            }
            continue;
        }
        let name = app_name(&repo.name, &names);
        names.insert(name.clone());
        let project_id = new_id();
        let now = store.now();
        sqlx::query(
            "INSERT INTO projects (id, name, module_name, framework, database, code_repo, \
             github_repo_id, github_repo_name, stage, owner_id, inserted_at, updated_at) \
             VALUES (?, ?, ?, 'unknown', 'sqlite3', ?, ?, ?, 'discovered', ?, ?, ?)",
        )
        .bind(&project_id)
        .bind(&name)
        .bind(validate::module_name(&name))
        .bind(&repo.html_url)
        .bind(id)
        .bind(&repo.name)
        .bind(actor)
        .bind(&now)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        crate::memberships::insert(tx, &project_id, actor, crate::Role::Owner, &now).await?;
        out.push((project_id, Change::Discovered));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repository_name_becomes_a_valid_free_app_name() {
        let none = HashSet::new();
        assert_eq!(app_name("Hello-World", &none), "hello_world");
        assert_eq!(app_name("my.site--v2", &none), "my_site_v2");
        assert_eq!(app_name("2048", &none), "repo_2048");
        assert_eq!(app_name("server", &none), "server_2", "reserved by Phoenix");
        let taken: HashSet<String> = ["shop".to_owned(), "shop_2".to_owned()].into();
        assert_eq!(app_name("Shop", &taken), "shop_3");
        for raw in ["---", "Ünïcödé", "a", &"x".repeat(100)] {
            let n = app_name(raw, &none);
            assert!(validate::project_name("name", &n).is_ok(), "{raw} → {n}");
        }
    }

    #[test]
    fn the_owner_of_a_repository_is_read_from_its_url() {
        assert_eq!(url_owner("https://github.com/acme/shop"), Some("acme"));
        assert_eq!(url_owner("http://127.0.0.1:4000/globex/blog"), Some("globex"));
        assert_eq!(url_owner("not a url"), None);
    }
}
