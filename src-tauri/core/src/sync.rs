//! The org sync (seed 003 "Sync Logic", DESIGN.md §8): the heartbeat lists every repository
//! of the profile's source-of-truth organization (or its own account) and reconciles the
//! projects with it **by repository id, never by name**:
//! - a new repository becomes a project in stage `discovered` (a valid app name made from
//!   GitHub's, which is kept in `github_repo_name`); a known project's docs repository is
//!   matched to it, not imported;
//! - a tracked repository that is gone moves an `initialized`-or-later project to `missing`;
//!   draft/estimated/provisioning ones are left alone;
//! - a renamed one: the project's repository name and URL follow, and its history says so;
//! - a missing one that is back returns to the stage it had.
//!
//! Only a complete listing (every page 200 or 304) may mark anything missing: a failed page,
//! a rate limit or no network records the run as failed or skipped and changes nothing.
//! Every run is a row in `sync_runs`.

use crate::error::{Error, Result};
use crate::events::Broadcaster;
use crate::github;
use crate::lifecycle::{self, Stage, Trigger};
use crate::projects::{self, Project};
use crate::secrets::SecretStore;
use crate::store::{new_id, Store};
use crate::validate;
use codemyspec_github::{Client, GitHubError, PageCache, RateBudget, Repo};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::SystemTime;

/// The heartbeat's queue and worker.
pub const QUEUE: &str = "github_sync";
pub const WORKER: &str = "OrgSync";
/// Seconds between heartbeats unless `Setting::SyncInterval` says otherwise (±10 % jitter).
const DEFAULT_INTERVAL: i64 = 300;

/// The profile setting naming the source-of-truth organization ("" or none: the user's own
/// account).
pub const GITHUB_ORG: &str = "github_org";
/// Background work never spends the rate budget below this fraction of the hourly limit.
pub const RATE_FLOOR: f64 = 0.2;

/// One run of the sync, as `codemyspec sync runs` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncRun {
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub id: i64,
    pub owner: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// `running`, `ok`, `failed` or `skipped` (offline, not signed in, rate budget low).
    pub status: String,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub requests: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub not_modified: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub discovered: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub missing: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub renamed: i64,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub reappeared: i64,
    #[cfg_attr(feature = "specta", specta(type = Option<i32>))]
    pub rate_remaining: Option<i64>,
    pub error: Option<String>,
}

const RUN_COLUMNS: &str = "id, owner, started_at, finished_at, status, requests, not_modified, \
    discovered, missing, renamed, reappeared, rate_remaining, error";

/// What one reconciliation changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub discovered: Vec<Project>,
    pub missing: Vec<Project>,
    pub renamed: Vec<Project>,
    pub reappeared: Vec<Project>,
}

/// A profile setting.
pub async fn profile_setting(store: &Store, actor: &str, key: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT value FROM profile_settings WHERE account_id = ? AND key = ?")
        .bind(actor)
        .bind(key)
        .fetch_optional(store.pool())
        .await?)
}

/// Sets the profile's source-of-truth organization ("" = the user's own account).
pub async fn set_org(store: &Store, actor: &str, org: &str) -> Result<()> {
    let org = org.trim();
    if !org.is_empty() && !validate::is_github_owner(org) {
        return Err(Error::invalid(
            "value",
            "a GitHub organization is letters, digits and single hyphens (at most 39)",
        ));
    }
    let mut tx = store.write().await?;
    if org.is_empty() {
        sqlx::query("DELETE FROM profile_settings WHERE account_id = ? AND key = ?")
            .bind(actor)
            .bind(GITHUB_ORG)
            .execute(&mut *tx)
            .await?;
    } else {
        sqlx::query(
            "INSERT INTO profile_settings (account_id, key, value) VALUES (?, ?, ?) \
             ON CONFLICT (account_id, key) DO UPDATE SET value = excluded.value",
        )
        .bind(actor)
        .bind(GITHUB_ORG)
        .bind(org)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
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

async fn start_run(store: &Store, actor: &str, owner: &str) -> Result<i64> {
    let mut tx = store.write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sync_runs (account_id, owner, started_at) VALUES (?, ?, ?) RETURNING id",
    )
    .bind(actor)
    .bind(owner)
    .bind(store.now())
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

struct Ending<'a> {
    status: &'a str,
    requests: u32,
    not_modified: u32,
    changes: Option<&'a Changes>,
    rate: Option<RateBudget>,
    error: Option<String>,
}

async fn finish_run(store: &Store, id: i64, end: Ending<'_>) -> Result<SyncRun> {
    let mut tx = store.write().await?;
    let run = record_end(&mut tx, store, id, end).await?;
    tx.commit().await?;
    Ok(run)
}

/// Writes how run `id` ended, in the caller's transaction.
async fn record_end(
    conn: &mut sqlx::SqliteConnection,
    store: &Store,
    id: i64,
    end: Ending<'_>,
) -> Result<SyncRun> {
    let count = |f: fn(&Changes) -> usize| end.changes.map(|c| f(c) as i64).unwrap_or(0);
    sqlx::query(
        "UPDATE sync_runs SET finished_at = ?, status = ?, requests = ?, not_modified = ?, \
         discovered = ?, missing = ?, renamed = ?, reappeared = ?, rate_remaining = ?, \
         rate_limit = ?, rate_reset = ?, error = ? WHERE id = ?",
    )
    .bind(store.now())
    .bind(end.status)
    .bind(i64::from(end.requests))
    .bind(i64::from(end.not_modified))
    .bind(count(|c| c.discovered.len()))
    .bind(count(|c| c.missing.len()))
    .bind(count(|c| c.renamed.len()))
    .bind(count(|c| c.reappeared.len()))
    .bind(end.rate.map(|r| r.remaining as i64))
    .bind(end.rate.map(|r| r.limit as i64))
    .bind(end.rate.map(|r| r.reset as i64))
    .bind(&end.error)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    fetch_run(conn, id).await
}

async fn fetch_run(conn: &mut sqlx::SqliteConnection, id: i64) -> Result<SyncRun> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {RUN_COLUMNS} FROM sync_runs WHERE id = ?"
    )))
    .bind(id)
    .fetch_one(conn)
    .await?)
}

/// The profile's runs, newest first.
pub async fn runs(store: &Store, actor: &str, limit: i64) -> Result<Vec<SyncRun>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {RUN_COLUMNS} FROM sync_runs WHERE account_id = ? ORDER BY id DESC LIMIT ?"
    )))
    .bind(actor)
    .bind(limit.clamp(1, 1000))
    .fetch_all(store.pool())
    .await?)
}

/// The rate budget the profile's last run saw, if it is still in its window.
async fn last_budget(store: &Store, actor: &str) -> Result<Option<RateBudget>> {
    let row: Option<(Option<i64>, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT rate_limit, rate_remaining, rate_reset FROM sync_runs \
         WHERE account_id = ? AND rate_limit IS NOT NULL ORDER BY id DESC LIMIT 1",
    )
    .bind(actor)
    .fetch_optional(store.pool())
    .await?;
    Ok(match row {
        Some((Some(limit), Some(remaining), Some(reset))) => Some(RateBudget {
            limit: limit as u64,
            remaining: remaining as u64,
            reset: reset as u64,
        }),
        _ => None,
    })
}

async fn page_cache(store: &Store, actor: &str, owner: &str) -> Result<PageCache> {
    let text: Option<String> =
        sqlx::query_scalar("SELECT pages FROM sync_pages WHERE account_id = ? AND owner = ?")
            .bind(actor)
            .bind(owner)
            .fetch_optional(store.pool())
            .await?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default())
}

/// Runs one sync for `actor` now, and records it.
pub async fn run_once(
    store: &Store,
    events: &Broadcaster,
    secrets: &Arc<dyn SecretStore>,
    actor: &str,
) -> Result<SyncRun> {
    let org = profile_setting(store, actor, GITHUB_ORG).await?.filter(|o| !o.is_empty());
    // Where the token would go, checked before the token is even read: an API that is not
    // the GitHub host's own fails the run with nothing sent.
    let found = async {
        let at = github::endpoints(store).await?;
        let token = crate::secrets::token(secrets, actor, &at.host).await?;
        Ok::<_, Error>((at, token))
    }
    .await;
    let account = crate::accounts::get(store, actor).await?;
    let owner =
        org.clone().or(account.github_login.clone()).unwrap_or_else(|| "(not signed in)".into());
    let id = start_run(store, actor, &owner).await?;
    let skipped = |error: String| Ending {
        status: "skipped",
        requests: 0,
        not_modified: 0,
        changes: None,
        rate: None,
        error: Some(error),
    };
    let (at, token) = match found {
        Ok(found) => found,
        Err(e) => {
            finish_run(store, id, Ending { status: "failed", ..skipped(e.to_string()) }).await?;
            return Err(e);
        }
    };
    let Some(token) = token else {
        return finish_run(store, id, skipped(format!("not signed in to {}", at.host))).await;
    };
    if let Some(budget) = last_budget(store, actor).await? {
        if !budget.allows_background(RATE_FLOOR, SystemTime::now()) {
            let why = format!(
                "the rate budget is low ({} of {} left); waiting for it to reset",
                budget.remaining, budget.limit
            );
            return finish_run(store, id, Ending { rate: Some(budget), ..skipped(why) }).await;
        }
    }
    let client = Client::new(&at.api, Some(token.expose())).map_err(github::error)?;
    let cache = page_cache(store, actor, &owner).await?;
    let listing = match client.list_repos(org.as_deref(), &cache).await {
        Ok(listing) => listing,
        Err(e) => {
            let status =
                if matches!(e, GitHubError::Offline { .. } | GitHubError::RateLimited { .. }) {
                    "skipped"
                } else {
                    "failed"
                };
            // A primary or secondary limit pauses the heartbeat until it lifts: the budget
            // is recorded as spent until then, so the next runs skip without a request.
            let rate = match &e {
                GitHubError::RateLimited { until, .. } => Some(RateBudget {
                    limit: client.budget().map(|b| b.limit).unwrap_or(5000),
                    remaining: 0,
                    reset: until
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_secs())
                        .unwrap_or(0),
                }),
                _ => client.budget(),
            };
            let ending = Ending { status, rate, ..skipped(e.to_string()) };
            return finish_run(store, id, ending).await;
        }
    };
    // The reconciliation, the pages' ETags and the run's record: one transaction.
    let mut tx = store.write().await?;
    let done = async {
        let changes = reconcile_in(&mut tx, store, actor, &listing.repos).await?;
        let pages =
            serde_json::to_string(&listing.cache).map_err(|e| Error::Internal(e.to_string()))?;
        sqlx::query(
            "INSERT INTO sync_pages (account_id, owner, pages) VALUES (?, ?, ?) \
             ON CONFLICT (account_id, owner) DO UPDATE SET pages = excluded.pages",
        )
        .bind(actor)
        .bind(&owner)
        .bind(pages)
        .execute(&mut *tx)
        .await?;
        let end = Ending {
            status: "ok",
            requests: listing.requests,
            not_modified: listing.not_modified,
            changes: Some(&changes),
            rate: client.budget(),
            error: None,
        };
        let run = record_end(&mut tx, store, id, end).await?;
        Ok::<_, Error>((changes, run))
    }
    .await;
    let (changes, run) = match done {
        Ok(done) => {
            tx.commit().await?;
            done
        }
        Err(e) => {
            drop(tx);
            let failed = Ending {
                status: "failed",
                requests: listing.requests,
                not_modified: listing.not_modified,
                rate: client.budget(),
                ..skipped(e.to_string())
            };
            finish_run(store, id, failed).await?;
            return Err(e);
        }
    };
    for p in changes.discovered.iter().chain(&changes.renamed).chain(&changes.reappeared) {
        events.broadcast_project_update(p);
    }
    for p in &changes.missing {
        events.broadcast_project_error(p, &gone(p));
    }
    Ok(run)
}

/// Why a project went missing.
fn gone(p: &Project) -> String {
    format!(
        "its repository {} is gone from GitHub",
        p.github_repo_name.as_deref().unwrap_or(&p.name)
    )
}

/// What reconciling did to one project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Discovered,
    Missing,
    Renamed,
    Reappeared,
}

/// Reconciles the actor's projects with a complete listing, in one transaction.
pub async fn reconcile(store: &Store, actor: &str, repos: &[Repo]) -> Result<Changes> {
    let mut tx = store.write().await?;
    let changes = reconcile_in(&mut tx, store, actor, repos).await?;
    tx.commit().await?;
    Ok(changes)
}

async fn reconcile_in(
    tx: &mut sqlx::SqliteConnection,
    store: &Store,
    actor: &str,
    repos: &[Repo],
) -> Result<Changes> {
    let by_id: HashMap<i64, &Repo> = repos.iter().map(|r| (r.id as i64, r)).collect();
    let mine: Vec<Project> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM projects p JOIN project_memberships m ON m.project_id = p.id \
         WHERE m.user_id = ?",
        projects::COLUMNS
    )))
    .bind(actor)
    .fetch_all(&mut *tx)
    .await?;
    // Repositories any project of this data dir already stands for (another profile's too: a
    // repository id belongs to one project) are never imported again.
    let known: HashSet<i64> = sqlx::query_scalar(
        "SELECT github_repo_id FROM projects WHERE github_repo_id IS NOT NULL \
         UNION SELECT docs_repo_id FROM projects WHERE docs_repo_id IS NOT NULL",
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let mut names: HashSet<String> = mine.iter().map(|p| p.name.clone()).collect();
    let docs_urls: HashMap<String, &Project> = mine
        .iter()
        .filter(|p| p.docs_repo_id.is_none())
        .filter_map(|p| p.docs_repo.as_ref().map(|u| (u.to_ascii_lowercase(), p)))
        .collect();
    let mut touched: Vec<(String, Change)> = Vec::new();
    for p in &mine {
        if let Some(repo) = p.docs_repo_id.and_then(|docs| by_id.get(&docs)) {
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
        match by_id.get(&code) {
            Some(repo) => {
                if p.stage == Stage::Missing {
                    let back = lifecycle::stage_returns(&mut *tx, &p.id).await?;
                    let back = back.last().copied().unwrap_or(Stage::Initialized);
                    let reason = format!("{} is back on GitHub", repo.full_name);
                    lifecycle::apply(tx, store, &p.id, back, &reason, Trigger::Sync, None).await?;
                    touched.push((p.id.clone(), Change::Reappeared));
                }
                if p.github_repo_name.as_deref() != Some(repo.name.as_str()) {
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
                    let reason = format!("renamed on GitHub: {old} → {}", repo.name);
                    lifecycle::note(tx, store, &p.id, &reason, Trigger::Sync).await?;
                    touched.push((p.id.clone(), Change::Renamed));
                }
            }
            None if lifecycle::check(p.stage, Stage::Missing, Trigger::Sync, &[]).is_ok() => {
                lifecycle::apply(tx, store, &p.id, Stage::Missing, &gone(p), Trigger::Sync, None)
                    .await?;
                touched.push((p.id.clone(), Change::Missing));
            }
            None => {}
        }
    }
    for repo in repos {
        let id = repo.id as i64;
        if known.contains(&id) {
            continue;
        }
        // A known project's docs repository (by its URL, the id not recorded yet).
        if let Some(p) = docs_urls.get(&repo.html_url.to_ascii_lowercase()) {
            sqlx::query("UPDATE projects SET docs_repo_id = ?, updated_at = ? WHERE id = ?")
                .bind(id)
                .bind(store.now())
                .bind(&p.id)
                .execute(&mut *tx)
                .await?;
            continue;
        }
        let name = app_name(&repo.name, &names);
        names.insert(name.clone());
        let project_id = new_id();
        let now = store.now();
        sqlx::query(
            "INSERT INTO projects (id, name, module_name, framework, database, code_repo, \
             github_repo_id, github_repo_name, stage, owner_id, inserted_at, updated_at) \
             VALUES (?, ?, ?, 'phoenix', 'sqlite3', ?, ?, ?, 'discovered', ?, ?, ?)",
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
        touched.push((project_id, Change::Discovered));
    }
    let mut changes = Changes::default();
    for (id, change) in touched {
        let p = projects::fetch_any(&mut *tx, &id).await?;
        match change {
            Change::Discovered => changes.discovered.push(p),
            Change::Missing => changes.missing.push(p),
            Change::Renamed => changes.renamed.push(p),
            Change::Reappeared => changes.reappeared.push(p),
        }
    }
    Ok(changes)
}

/// Seconds between heartbeats (the setting, or 300).
pub async fn interval(store: &Store) -> Result<i64> {
    Ok(crate::settings::get(store, crate::settings::Setting::SyncInterval)
        .await?
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(DEFAULT_INTERVAL))
}

fn heartbeat(actor: &str, at: Option<chrono::DateTime<chrono::Utc>>) -> crate::jobs::NewJob {
    crate::jobs::NewJob {
        queue: QUEUE.into(),
        worker: WORKER.into(),
        args: crate::jobs::Fields::from([("actor_id".to_owned(), actor.to_owned())]),
        priority: 5,
        max_attempts: 3,
        scheduled_at: at,
        // One waiting heartbeat per profile; a running one does not block the next.
        unique: Some(crate::jobs::Unique {
            key: format!("{WORKER}:{actor}"),
            period: chrono::Duration::days(3650),
            states: vec![
                crate::jobs::JobState::Available,
                crate::jobs::JobState::Scheduled,
                crate::jobs::JobState::Retryable,
            ],
        }),
    }
}

/// Makes sure every signed-in profile (one with a GitHub login) has a heartbeat waiting;
/// the app and `codemyspec worker` call it when they take the runner, `github login` too.
pub async fn schedule_heartbeats(store: &Store) -> Result<usize> {
    let signed_in: Vec<String> =
        sqlx::query_scalar("SELECT id FROM accounts WHERE github_login IS NOT NULL")
            .fetch_all(store.pool())
            .await?;
    let jobs: Vec<_> = signed_in.iter().map(|a| heartbeat(a, None)).collect();
    let n = jobs.len();
    if n > 0 {
        crate::jobs::insert_all(store, jobs).await?;
    }
    Ok(n)
}

/// One heartbeat: a sync for the job's profile, then the next heartbeat after the interval
/// (±10 % jitter, so that profiles and machines do not beat together).
pub async fn perform(
    run: crate::runner::JobRun,
    secrets: Arc<dyn SecretStore>,
) -> std::result::Result<(), crate::runner::JobFailure> {
    use crate::jobs::FailureClass;
    use rand::Rng;
    let fail =
        |e: Error| crate::runner::JobFailure::new(FailureClass::Infrastructure, e.to_string());
    let actor = run.job.args.get("actor_id").cloned().unwrap_or_default();
    let signed_in: Option<Option<String>> =
        sqlx::query_scalar("SELECT github_login FROM accounts WHERE id = ?")
            .bind(&actor)
            .fetch_optional(run.store.pool())
            .await
            .map_err(|e| fail(e.into()))?;
    // A profile that was deleted or signed out gets no more heartbeats.
    if !matches!(signed_in, Some(Some(_))) {
        return Ok(());
    }
    let done = tokio::select! {
        r = run_once(&run.store, &run.events, &secrets, &actor) => r,
        _ = run.cancel.cancelled() => {
            return Err(crate::runner::JobFailure::new(FailureClass::Cancelled, "cancelled"));
        }
    };
    // The next beat is due whatever became of this one: a run that failed (the database was
    // busy, say) must not stop the heartbeat.
    let every = interval(&run.store).await.map_err(fail)?.max(30) as f64;
    let jitter = rand::thread_rng().gen_range(-0.1..=0.1) * every;
    let next = run.store.clock().now()
        + chrono::Duration::milliseconds(((every + jitter) * 1000.0) as i64);
    crate::jobs::insert(&run.store, heartbeat(&actor, Some(next))).await.map_err(fail)?;
    let done = done.map_err(|e| {
        // Recorded on this job; the next beat is already waiting, so no retry of this one.
        crate::runner::JobFailure::new(FailureClass::Step, e.to_string())
    })?;
    tracing::info!(run = done.id, status = done.status, "org sync");
    Ok(())
}

/// What `codemyspec sync status` and the window's sync line show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncStatus {
    /// The organization synced, or none for the signed-in user's own account.
    pub org: Option<String>,
    pub last: Option<SyncRun>,
    /// When the next heartbeat is due, if one is waiting.
    pub next_at: Option<String>,
    /// Since when every run was skipped for want of a network, if the last one was.
    pub offline_since: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub interval_secs: i64,
}

pub async fn status(store: &Store, actor: &str) -> Result<SyncStatus> {
    let recent = runs(store, actor, 200).await?;
    let offline = |r: &SyncRun| {
        r.status == "skipped" && r.error.as_deref().is_some_and(|e| e.contains("cannot be reached"))
    };
    let offline_since =
        recent.iter().take_while(|r| offline(r)).last().map(|r| r.started_at.clone());
    let next_at: Option<String> = sqlx::query_scalar(
        "SELECT min(scheduled_at) FROM jobs WHERE worker = ? AND json_extract(args, '$.actor_id') = ? \
         AND state IN ('available', 'scheduled', 'retryable')",
    )
    .bind(WORKER)
    .bind(actor)
    .fetch_one(store.pool())
    .await?;
    Ok(SyncStatus {
        org: profile_setting(store, actor, GITHUB_ORG).await?,
        last: recent.into_iter().next(),
        next_at,
        offline_since,
        interval_secs: interval(store).await?,
    })
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
