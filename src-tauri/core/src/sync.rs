//! The org sync (docs/DESIGN.md: GitHub and the org sync): the heartbeat lists every repository
//! of the profile's source-of-truth organization (or its own account) and reconciles the
//! projects with it **by repository id, never by name** ([`reconcile`]):
//! - a new repository becomes a project in stage `discovered` (a valid app name made from
//!   GitHub's, which is kept in `github_repo_name`); a repository a project of this data dir
//!   already names by URL (its code or docs repository) gets linked to it, not imported;
//! - a tracked repository the listing does not hold is asked after by id
//!   (`GET /repositories/{id}`): it may live in another owner, or have moved. A 404 moves an
//!   `initialized`-or-later project to `missing` (draft/estimated/provisioning ones are left
//!   alone); any other failure leaves it as it is;
//! - a renamed or moved one: the project's repository name and URL follow, and its history
//!   says so;
//! - a missing one that is back returns to the stage it had;
//! - without the noise (issue 18, [`discover`]): a docs repository joins its code
//!   repository's project ([`pairs`]), forks and archived repositories stay out unless the
//!   profile asks ([`filters`]), and so do the repositories it ignored ([`ignored`]).
//!
//! Only a complete listing (every page 200 or 304) may change anything: a failed page, a
//! rate limit or no network records the run as failed or skipped and changes nothing. Every
//! run is a row in `sync_runs` ([`runs`]).

mod discover;
mod filters;
mod ignored;
pub mod pairs;
mod reconcile;
mod runs;

pub use discover::app_name;
pub use filters::{filters, parse_flag, set_filter, SyncFilter, SyncFilters};
pub use ignored::{
    delete_and_ignore, full_name_of, ignore, ignored, unignore, IgnoredRepo, Ignoring,
    RemovedProject,
};
pub use reconcile::{Changes, Seen};
pub use runs::{runs, SyncRun};

use crate::error::{Error, Result};
use crate::events::Broadcaster;
use crate::github;
use crate::secrets::SecretStore;
use crate::store::Store;
use crate::validate;
use crate::AccountId;
use codemyspec_github::{ById, Client, GitHubError, PageCache, RateBudget};
use reconcile::{gone, reconcile_in, unlinked_elsewhere, unlisted};
use runs::{finish_run, last_budget, page_cache, record_end, start_run, Ending};
use serde::Serialize;
use std::collections::HashMap;
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
/// How a run skipped for want of a token begins its error.
const NOT_SIGNED_IN: &str = "not signed in to";
/// Background work never spends the rate budget below this fraction of the hourly limit.
pub const RATE_FLOOR: f64 = 0.2;

/// A profile setting.
pub async fn profile_setting(
    store: &Store,
    actor: &AccountId,
    key: &str,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT value FROM profile_settings WHERE account_id = ? AND key = ?")
        .bind(actor)
        .bind(key)
        .fetch_optional(store.pool())
        .await?)
}

/// Sets the profile's source-of-truth organization ("" = the user's own account).
pub async fn set_org(store: &Store, actor: &AccountId, org: &str) -> Result<()> {
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

/// Runs one sync for `actor` now, and records it.
pub async fn run_once(
    store: &Store,
    events: &Broadcaster,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
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
    let (at, token) = match found {
        Ok(found) => found,
        Err(e) => {
            finish_run(store, id, Ending { status: "failed", ..skipped(e.to_string()) }).await?;
            return Err(e);
        }
    };
    let Some(token) = token else {
        return finish_run(store, id, skipped(format!("{NOT_SIGNED_IN} {}", at.host))).await;
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
        Err(e) => return finish_run(store, id, listing_failed(&client, e)).await,
    };
    // Tracked repositories the listing does not hold are asked after by id: only GitHub's
    // answer about that repository may judge it.
    let ids = or_fail(store, id, &client, unlisted(store, actor, &listing.repos).await).await?;
    // Repositories that projects name by URL outside the listed owner are asked for by name.
    let named = unlinked_elsewhere(store, actor, &at.host, &listing.repos).await;
    let named = or_fail(store, id, &client, named).await?;
    let checks = check_unlisted(&client, &ids, &cache).await;
    let (found, asked) = find_named(&client, &named).await;
    let mut listed = listing.repos;
    listed.extend(found);
    let seen = Seen { listed, checked: checks.checked };
    let tally =
        (listing.requests + checks.requests + asked, listing.not_modified + checks.not_modified);
    let mut kept = listing.cache;
    kept.pages.extend(checks.cache.pages);
    let (changes, run) = record(store, actor, &owner, id, &seen, &kept, &client, tally).await?;
    broadcast(events, &changes);
    Ok(run)
}

/// The run's ending when GitHub's listing failed: offline or rate-limited is a skip, the
/// rest a failure.
fn listing_failed(client: &Client, e: GitHubError) -> Ending<'static> {
    let status = if matches!(e, GitHubError::Offline { .. } | GitHubError::RateLimited { .. }) {
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
            reset: until.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
        }),
        _ => client.budget(),
    };
    Ending { status, rate, ..skipped(e.to_string()) }
}

/// A run that ends before it asked GitHub anything (or that failed), with `error` as why.
fn skipped(error: String) -> Ending<'static> {
    Ending {
        status: "skipped",
        requests: 0,
        not_modified: 0,
        changes: None,
        rate: None,
        error: Some(error),
    }
}

/// `found`, or the run recorded as failed with its error.
async fn or_fail<T>(store: &Store, id: i64, client: &Client, found: Result<T>) -> Result<T> {
    match found {
        Ok(found) => Ok(found),
        Err(e) => {
            let failed =
                Ending { status: "failed", rate: client.budget(), ..skipped(e.to_string()) };
            finish_run(store, id, failed).await?;
            Err(e)
        }
    }
}

/// The reconciliation, the pages' ETags and the run's record: one transaction. A failure
/// records the run as failed. `tally` is (requests, not modified).
#[allow(clippy::too_many_arguments)] // one run's outcome: who, which run, what it saw and cost
async fn record(
    store: &Store,
    actor: &AccountId,
    owner: &str,
    id: i64,
    seen: &Seen,
    kept: &PageCache,
    client: &Client,
    tally: (u32, u32),
) -> Result<(Changes, SyncRun)> {
    let (requests, not_modified) = tally;
    let mut tx = store.write().await?;
    let done = async {
        let changes = reconcile_in(&mut tx, store, actor, seen).await?;
        // The person hears of it whichever process runs this (the app or a worker).
        for p in &changes.missing {
            crate::notices::record_missing(&mut tx, store, p, &gone(p)).await?;
        }
        let pages = serde_json::to_string(kept).map_err(|e| Error::Internal(e.to_string()))?;
        sqlx::query(
            "INSERT INTO sync_pages (account_id, owner, pages) VALUES (?, ?, ?) \
             ON CONFLICT (account_id, owner) DO UPDATE SET pages = excluded.pages",
        )
        .bind(actor)
        .bind(owner)
        .bind(pages)
        .execute(&mut *tx)
        .await?;
        let end = Ending {
            status: "ok",
            requests,
            not_modified,
            changes: Some(&changes),
            rate: client.budget(),
            error: None,
        };
        let run = record_end(&mut tx, store, id, end).await?;
        Ok::<_, Error>((changes, run))
    }
    .await;
    match done {
        Ok(done) => {
            tx.commit().await?;
            Ok(done)
        }
        Err(e) => {
            drop(tx);
            let failed = Ending {
                status: "failed",
                requests,
                not_modified,
                rate: client.budget(),
                ..skipped(e.to_string())
            };
            finish_run(store, id, failed).await?;
            Err(e)
        }
    }
}

/// The windows hear of the projects the run changed.
fn broadcast(events: &Broadcaster, changes: &Changes) {
    let updated = [&changes.discovered, &changes.renamed, &changes.reappeared, &changes.linked];
    for p in updated.into_iter().flatten() {
        events.broadcast_project_update(p);
    }
    for p in &changes.missing {
        events.broadcast_project_error(p, &gone(p));
    }
}

/// What asking after unlisted repositories by id found, and what it cost.
#[derive(Default)]
struct Checks {
    checked: HashMap<i64, Option<codemyspec_github::Repo>>,
    requests: u32,
    not_modified: u32,
    cache: PageCache,
}

/// Asks GitHub by id about each of `ids` (tracked repositories the listing did not hold):
/// 200 or 304 → it exists, 404 → gone. A 403 or a 5xx leaves that one unjudged; a rate limit,
/// no network, or a budget down to [`RATE_FLOOR`] stops the checks (the rest stay unjudged
/// until a later run).
async fn check_unlisted(client: &Client, ids: &[i64], before: &PageCache) -> Checks {
    let mut checks = Checks::default();
    for &id in ids {
        if client.budget().is_some_and(|b| !b.allows_background(RATE_FLOOR, SystemTime::now())) {
            tracing::info!(left = ids.len() - checks.checked.len(), "rate budget low: checks wait");
            break;
        }
        let Ok(github_id) = u64::try_from(id) else { continue };
        checks.requests += 1;
        match client.repo_by_id(github_id, before, &mut checks.cache).await {
            Ok(ById::Found { repo, fresh }) => {
                checks.not_modified += u32::from(!fresh);
                checks.checked.insert(id, Some(repo));
            }
            Ok(ById::Gone) => {
                checks.checked.insert(id, None);
            }
            Err(e @ (GitHubError::Offline { .. } | GitHubError::RateLimited { .. })) => {
                tracing::info!(repository = id, "checks stop: {e}");
                break;
            }
            Err(e) => tracing::warn!(repository = id, "cannot check the repository: {e}"),
        }
    }
    checks
}

/// Asks GitHub for each `owner/name` in `named`: the repositories found (none for a 404 or an
/// error, which leave the project as it is) and how many requests that took. A rate limit, no
/// network, or a budget down to [`RATE_FLOOR`] stops the asking.
async fn find_named(client: &Client, named: &[String]) -> (Vec<codemyspec_github::Repo>, u32) {
    let (mut found, mut asked) = (Vec::new(), 0);
    for full_name in named {
        if client.budget().is_some_and(|b| !b.allows_background(RATE_FLOOR, SystemTime::now())) {
            break;
        }
        let Some((owner, name)) = full_name.split_once('/') else { continue };
        asked += 1;
        match client.repo(owner, name).await {
            Ok(Some(repo)) => found.push(repo),
            Ok(None) => {}
            Err(e @ (GitHubError::Offline { .. } | GitHubError::RateLimited { .. })) => {
                tracing::info!(repository = %full_name, "asking by name stops: {e}");
                break;
            }
            Err(e) => tracing::warn!(repository = %full_name, "cannot read the repository: {e}"),
        }
    }
    (found, asked)
}

/// Reconciles the actor's projects with what a run saw, in one transaction.
pub async fn reconcile(store: &Store, actor: &AccountId, seen: &Seen) -> Result<Changes> {
    let mut tx = store.write().await?;
    let changes = reconcile_in(&mut tx, store, actor, seen).await?;
    tx.commit().await?;
    Ok(changes)
}

/// Seconds between heartbeats (the setting, or 300).
pub async fn interval(store: &Store) -> Result<i64> {
    Ok(crate::settings::get(store, crate::settings::Setting::SyncInterval)
        .await?
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(DEFAULT_INTERVAL))
}

/// A heartbeat for `actor`, due at `at` (now when none). The beat a running heartbeat queues
/// for its successor is unique among waiting ones only (its own job is running); a beat
/// scheduled from outside (`running_too`) also yields to a running one, which queues the next
/// itself, so that a runner that claims a beat just as it is scheduled does not beat twice.
fn heartbeat(
    actor: &AccountId,
    at: Option<chrono::DateTime<chrono::Utc>>,
    running_too: bool,
) -> crate::jobs::NewJob {
    use crate::jobs::JobState;
    let mut states = vec![JobState::Available, JobState::Scheduled, JobState::Retryable];
    if running_too {
        states.push(JobState::Executing);
    }
    crate::jobs::NewJob {
        queue: QUEUE.into(),
        worker: WORKER.into(),
        args: crate::jobs::Fields::from([("actor_id".to_owned(), actor.to_string())]),
        priority: 5,
        max_attempts: 3,
        scheduled_at: at,
        unique: Some(crate::jobs::Unique {
            key: format!("{WORKER}:{actor}"),
            period: chrono::Duration::days(3650),
            states,
        }),
    }
}

/// Signs `actor` in to GitHub with `token` (pasted, or from the device flow) and starts what
/// follows from it: the profile's heartbeat is scheduled and the queue woken, so a runner in
/// this process syncs at once. The one sign-in the window and the CLI call.
pub async fn sign_in(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    token: crate::secret::Secret,
) -> Result<github::SignIn> {
    let signed_in = github::login_with_token(store, secrets, actor, token).await?;
    schedule_heartbeats(store).await?;
    store.notify_jobs();
    Ok(signed_in)
}

/// Makes sure every signed-in profile (one with a GitHub login) has a heartbeat waiting;
/// the app and `codemyspec worker` call it when they take the runner, `github login` too.
pub async fn schedule_heartbeats(store: &Store) -> Result<usize> {
    let signed_in: Vec<AccountId> =
        sqlx::query_scalar("SELECT id FROM accounts WHERE github_login IS NOT NULL")
            .fetch_all(store.pool())
            .await?;
    let jobs: Vec<_> = signed_in.iter().map(|a| heartbeat(a, None, true)).collect();
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
    // A heartbeat that names no profile belongs to none: like a deleted one, it stops.
    let Some(actor) = run.job.actor_id() else { return Ok(()) };
    let signed_in: Option<Option<String>> =
        sqlx::query_scalar("SELECT github_login FROM accounts WHERE id = ?")
            .bind(actor)
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
    crate::jobs::insert(&run.store, heartbeat(&actor, Some(next), false)).await.map_err(fail)?;
    let done = done.map_err(|e| {
        // Recorded on this job; the next beat is already waiting, so no retry of this one.
        crate::runner::JobFailure::new(FailureClass::Step, e.to_string())
    })?;
    // The activity feed after the listing (issue 21); it waits out GitHub's poll interval.
    let trigger = crate::activity::Trigger::Heartbeat;
    if let Err(e) =
        crate::activity::poll(&run.store, &run.events, &secrets, &actor, trigger, true).await
    {
        tracing::warn!("the activity feed: {e}");
    }
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
    /// The last run could not list for want of a sign-in: no token, or GitHub refused it
    /// (401). The window offers to sign in again.
    pub needs_sign_in: bool,
}

pub async fn status(store: &Store, actor: &AccountId) -> Result<SyncStatus> {
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
    let last = recent.into_iter().next();
    // A run records its failure as text; these two are GitHub's refusal and the skip for a
    // missing token, each written by one place above (from the typed error's own words).
    let refused = GitHubError::Unauthorized.to_string();
    let needs_sign_in = last
        .as_ref()
        .and_then(|r| r.error.as_deref())
        .is_some_and(|e| e == refused || e.starts_with(NOT_SIGNED_IN));
    Ok(SyncStatus {
        org: profile_setting(store, actor, GITHUB_ORG).await?,
        needs_sign_in,
        last,
        next_at,
        offline_since,
        interval_secs: interval(store).await?,
    })
}
