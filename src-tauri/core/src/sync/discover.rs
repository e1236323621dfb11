//! Listed repositories no project stands for yet. A project of this data dir that names one by
//! URL (its code or docs repository, the id not recorded yet — provisioning created it moments
//! ago, or will adopt it) gets its id; the rest become `discovered` projects, without the
//! noise (issue 18):
//! - a docs repository ([`super::pairs`]) joins its code repository's project, never a
//!   project of its own;
//! - forks and archived repositories stay out unless the profile asks ([`super::filters`]);
//! - a repository the profile ignored stays out ([`super::ignored`]).

use super::filters::{self, SyncFilters};
use super::ignored;
use super::pairs::{code_name_of, code_url_of};
use super::reconcile::{Change, Row};
use crate::error::Result;
use crate::ids::{AccountId, ProjectId};
use crate::lifecycle::Stage;
use crate::repo_kind::RepoKind;
use crate::store::{new_id, Store};
use crate::validate;
use codemyspec_github::Repo;
use std::collections::{HashMap, HashSet};

/// What the data dir's projects hold: a repository id stands for one project of the data dir,
/// whichever profile's. Built from the rows the reconcile read (no second read).
struct Held<'a> {
    by_code_id: HashMap<i64, &'a Row>,
    docs_ids: HashSet<i64>,
}

impl<'a> Held<'a> {
    fn of(rows: &'a [Row]) -> Held<'a> {
        let mut held = Held { by_code_id: HashMap::new(), docs_ids: HashSet::new() };
        for h in rows.iter().filter(|r| r.code_repo.is_some() || r.docs_repo_id.is_some()) {
            held.docs_ids.extend(h.docs_repo_id);
            if let Some(id) = h.github_repo_id {
                held.by_code_id.insert(id, h);
            }
        }
        held
    }

    /// The projects holding a code repository, by its URL (lowercase): only wanted where a
    /// listed repository is new to the data dir, so not built for an unchanged listing.
    fn by_code_url(rows: &'a [Row]) -> HashMap<String, &'a Row> {
        let urls =
            rows.iter().filter_map(|h| Some((h.code_repo.as_ref()?.to_ascii_lowercase(), h)));
        urls.collect()
    }

    fn knows(&self, id: i64) -> bool {
        self.by_code_id.contains_key(&id) || self.docs_ids.contains(&id)
    }
}

/// Where a listed docs repository belongs.
enum Home<'a> {
    /// With a code repository imported in this run (its id).
    WithNew(i64),
    /// With the project that holds its code repository.
    With(&'a Row),
    /// Nowhere: its code repository is ignored, filtered out, or stands for a project that
    /// is not this docs repository's to join.
    Nowhere,
    /// Its name says docs, but no code repository stands beside it: a repository like any.
    Unpaired,
}

/// The `owner/name` key of a repository, as GitHub compares them (without regard to case).
fn key(owner: &str, name: &str) -> String {
    format!("{owner}/{name}").to_ascii_lowercase()
}

/// Imports or links the listed repositories no project stands for, in the caller's
/// transaction.
pub(crate) async fn discover(
    tx: &mut sqlx::SqliteConnection,
    store: &Store,
    actor: &AccountId,
    all: &[Row],
    listed: &[Repo],
) -> Result<Vec<(ProjectId, Change)>> {
    let held = Held::of(all);
    let filters: SyncFilters = filters::read(&mut *tx, actor).await?;
    let ignored = ignored::follow_names(tx, actor, listed).await?;
    let ignored_names: HashSet<String> = ignored.values().map(|i| i.to_ascii_lowercase()).collect();
    let mut out = Vec::new();
    let (fresh, strays) = sort_listed(tx, store, all, &held, listed, &mut out).await?;
    if fresh.is_empty() && strays.is_empty() {
        return Ok(out); // the steady state: every listed repository is held
    }
    let by_code_url = Held::by_code_url(all);
    let by_name: HashMap<String, &Repo> =
        listed.iter().map(|r| (key(&r.owner.login, &r.name), r)).collect();
    let fresh_ids: HashSet<i64> = fresh.iter().map(|r| r.id as i64).collect();
    let stays_out = |r: &Repo| ignored.contains_key(&(r.id as i64)) || !filters.imports(r);
    let home = |docs: &Repo| -> Home<'_> {
        let Some(stem) = code_name_of(&docs.name) else { return Home::Unpaired };
        let partner = key(&docs.owner.login, stem);
        if ignored.contains_key(&(docs.id as i64)) || ignored_names.contains(&partner) {
            return Home::Nowhere;
        }
        if let Some(code) = by_name.get(&partner).filter(|c| c.id != docs.id) {
            let id = code.id as i64;
            if fresh_ids.contains(&id) {
                return if stays_out(code) { Home::Nowhere } else { Home::WithNew(id) };
            }
            return match held.by_code_id.get(&id) {
                Some(h) => Home::With(h),
                // Linked by URL to a project in this run (or someone's docs): taken.
                None => Home::Nowhere,
            };
        }
        let url = code_url_of(&docs.html_url).map(|u| u.to_ascii_lowercase());
        match url.and_then(|u| by_code_url.get(&u)) {
            Some(h) => Home::With(h),
            None => Home::Unpaired,
        }
    };
    // Each code repository gets one docs repository: the first listed.
    let mut docs_of_new: HashMap<i64, (&Repo, Option<ProjectId>)> = HashMap::new();
    let mut paired: HashSet<i64> = HashSet::new();
    let mut docs_given: HashSet<ProjectId> = HashSet::new();
    let docs_named =
        fresh.iter().map(|r| (*r, None)).chain(strays.iter().map(|(r, q)| (*r, Some(*q))));
    for (docs, stray_of) in docs_named {
        let id = docs.id as i64;
        match home(docs) {
            Home::Unpaired => continue,
            Home::Nowhere => {}
            Home::WithNew(code) => {
                docs_of_new.entry(code).or_insert((docs, stray_of));
            }
            Home::With(h) if h.stage == Stage::Discovered && h.docs_repo.is_none() => {
                if Some(&h.id) != stray_of.as_ref()
                    && !docs_given.contains(&h.id)
                    && give_way(tx, stray_of.as_ref()).await?
                {
                    docs_given.insert(h.id);
                    attach(tx, store, &h.id, docs).await?;
                    if h.mine {
                        out.push((h.id, Change::Linked));
                    }
                }
            }
            // A project someone works on keeps the docs repository it names.
            Home::With(_) => {}
        }
        paired.insert(id);
    }
    let pairing = Pairing { paired, docs_of_new };
    out.extend(import_fresh(tx, store, actor, all, &fresh, &pairing, stays_out).await?);
    Ok(out)
}

/// How the run's docs repositories were placed: each one placed (with a project, or left
/// out), and the docs repository each new code repository gets, with the stray it replaces.
struct Pairing<'r> {
    paired: HashSet<i64>,
    docs_of_new: HashMap<i64, (&'r Repo, Option<ProjectId>)>,
}

/// Imports each fresh repository that is no placed docs repository and that the filters let
/// in, with its docs repository, under an app name free among the actor's projects.
async fn import_fresh(
    tx: &mut sqlx::SqliteConnection,
    store: &Store,
    actor: &AccountId,
    all: &[Row],
    fresh: &[&Repo],
    pairing: &Pairing<'_>,
    stays_out: impl Fn(&Repo) -> bool,
) -> Result<Vec<(ProjectId, Change)>> {
    let mut out = Vec::new();
    let mut names: HashSet<String> =
        all.iter().filter(|p| p.mine).map(|p| p.name.clone()).collect();
    for repo in fresh {
        if pairing.paired.contains(&(repo.id as i64)) || stays_out(repo) {
            continue;
        }
        let mut docs = None;
        if let Some((d, stray_of)) = pairing.docs_of_new.get(&(repo.id as i64)) {
            if give_way(tx, stray_of.as_ref()).await? {
                docs = Some(*d);
            }
        }
        let name = app_name(&repo.name, &names);
        names.insert(name.clone());
        let project_id = import(tx, store, actor, repo, &name, docs).await?;
        out.push((project_id, Change::Discovered));
    }
    Ok(out)
}

/// Sorts the listing: repositories nobody holds (`fresh`), and docs-named ones a `discovered`
/// project holds as its code (`strays`: imported on their own before this rule, or before
/// their code repository appeared). One a project names by URL is linked on the way.
async fn sort_listed<'r>(
    tx: &mut sqlx::SqliteConnection,
    store: &Store,
    all: &[Row],
    held: &Held<'_>,
    listed: &'r [Repo],
    out: &mut Vec<(ProjectId, Change)>,
) -> Result<(Vec<&'r Repo>, Vec<(&'r Repo, ProjectId)>)> {
    let by_url = unlinked_urls(all);
    let mut fresh: Vec<&Repo> = Vec::new();
    let mut strays: Vec<(&Repo, ProjectId)> = Vec::new();
    for repo in listed {
        let id = repo.id as i64;
        if let Some(h) = held.by_code_id.get(&id) {
            if h.stage == Stage::Discovered && code_name_of(&repo.name).is_some() {
                strays.push((repo, h.id));
            }
            continue;
        }
        if held.knows(id) {
            continue;
        }
        if let Some((project_id, kind)) = by_url.get(&repo.html_url.to_ascii_lowercase()) {
            link(tx, store, repo, project_id, *kind).await?;
            match all.iter().find(|p| p.mine && &p.id == project_id) {
                // A missing project the person pointed at another repository: GitHub shows
                // that one, so the project is back (not one heartbeat later).
                Some(p) if *kind == RepoKind::Code && p.stage == Stage::Missing => {
                    let reason = format!("pointed at {}, which is on GitHub", repo.full_name);
                    super::reconcile::come_back(tx, store, project_id, &reason).await?;
                    out.push((*project_id, Change::Reappeared));
                }
                Some(_) => out.push((*project_id, Change::Linked)),
                None => {}
            }
            continue;
        }
        fresh.push(repo);
    }
    Ok((fresh, strays))
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

/// URLs that projects name before the repository's id is recorded: URL → (project, which).
fn unlinked_urls(all: &[Row]) -> HashMap<String, (ProjectId, RepoKind)> {
    let mut by_url = HashMap::new();
    for p in all {
        if let (None, Some(url)) = (p.github_repo_id, &p.code_repo) {
            by_url.insert(url.to_ascii_lowercase(), (p.id, RepoKind::Code));
        }
        if let (None, Some(url)) = (p.docs_repo_id, &p.docs_repo) {
            by_url.insert(url.to_ascii_lowercase(), (p.id, RepoKind::Docs));
        }
    }
    by_url
}

/// Records a listed repository's id on the project that names it by URL.
async fn link(
    tx: &mut sqlx::SqliteConnection,
    store: &Store,
    repo: &Repo,
    project_id: &ProjectId,
    kind: RepoKind,
) -> Result<()> {
    let sql = if kind == RepoKind::Code {
        "UPDATE projects SET github_repo_id = ?1, github_repo_name = ?2, updated_at = ?3 \
         WHERE id = ?4 AND github_repo_id IS NULL"
    } else {
        "UPDATE projects SET docs_repo_id = ?1, updated_at = ?3 \
         WHERE id = ?4 AND docs_repo_id IS NULL"
    };
    sqlx::query(sql)
        .bind(repo.id as i64)
        .bind(&repo.name)
        .bind(store.now())
        .bind(project_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// A docs repository joins the discovered project of its code repository.
async fn attach(
    tx: &mut sqlx::SqliteConnection,
    store: &Store,
    project_id: &ProjectId,
    docs: &Repo,
) -> Result<()> {
    sqlx::query(
        "UPDATE projects SET docs_repo = ?, docs_repo_id = ?, updated_at = ? \
         WHERE id = ? AND docs_repo IS NULL",
    )
    .bind(&docs.html_url)
    .bind(docs.id as i64)
    .bind(store.now())
    .bind(project_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A `discovered` project that stood for a docs repository on its own gives way to the pair
/// when nobody worked on it (the rule provisioning follows): whether the docs repository is
/// free now (none held it, or its placeholder is gone). One someone worked on stays as it is,
/// with the repository.
async fn give_way(tx: &mut sqlx::SqliteConnection, stray: Option<&ProjectId>) -> Result<bool> {
    let Some(stray) = stray else { return Ok(true) };
    if !crate::pipeline::provision::is_placeholder(tx, stray).await? {
        return Ok(false);
    }
    tracing::info!(placeholder = %stray, "a docs repository joins its code repository's project");
    sqlx::query("DELETE FROM projects WHERE id = ?").bind(stray).execute(&mut *tx).await?;
    Ok(true)
}

/// A `discovered` project for a listed repository (and its docs repository, if listed), the
/// actor its owner. Its framework is `unknown` until a setup clones it and reads its `mix.exs`.
async fn import(
    tx: &mut sqlx::SqliteConnection,
    store: &Store,
    actor: &AccountId,
    repo: &Repo,
    name: &str,
    docs: Option<&Repo>,
) -> Result<ProjectId> {
    let project_id = ProjectId::new();
    let now = store.now();
    sqlx::query(
        "INSERT INTO projects (id, name, module_name, framework, database, code_repo, \
         github_repo_id, github_repo_name, docs_repo, docs_repo_id, stage, owner_id, \
         inserted_at, updated_at) \
         VALUES (?, ?, ?, 'unknown', 'sqlite3', ?, ?, ?, ?, ?, 'discovered', ?, ?, ?)",
    )
    .bind(project_id)
    .bind(name)
    .bind(validate::module_name(name))
    .bind(&repo.html_url)
    .bind(repo.id as i64)
    .bind(&repo.name)
    .bind(docs.map(|d| &d.html_url))
    .bind(docs.map(|d| d.id as i64))
    .bind(actor)
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    crate::memberships::insert(tx, &project_id, actor, crate::Role::Owner, &now).await?;
    Ok(project_id)
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
}
