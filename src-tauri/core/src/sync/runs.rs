//! The record of the heartbeat's runs (`sync_runs`): one row per run, with what it cost, what
//! it changed and the rate budget it saw; and the ETags kept for the next run (`sync_pages`).

use super::reconcile::Changes;
use crate::error::Result;
use crate::store::Store;
use crate::AccountId;
use codemyspec_github::{PageCache, RateBudget};
use serde::Serialize;

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

pub(super) async fn start_run(store: &Store, actor: &AccountId, owner: &str) -> Result<i64> {
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

pub(super) struct Ending<'a> {
    pub status: &'a str,
    pub requests: u32,
    pub not_modified: u32,
    pub changes: Option<&'a Changes>,
    pub rate: Option<RateBudget>,
    pub error: Option<String>,
}

pub(super) async fn finish_run(store: &Store, id: i64, end: Ending<'_>) -> Result<SyncRun> {
    let mut tx = store.write().await?;
    let run = record_end(&mut tx, store, id, end).await?;
    tx.commit().await?;
    Ok(run)
}

/// Writes how run `id` ended, in the caller's transaction.
pub(super) async fn record_end(
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
pub async fn runs(store: &Store, actor: &AccountId, limit: i64) -> Result<Vec<SyncRun>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {RUN_COLUMNS} FROM sync_runs WHERE account_id = ? ORDER BY id DESC LIMIT ?"
    )))
    .bind(actor)
    .bind(limit.clamp(1, 1000))
    .fetch_all(store.pool())
    .await?)
}

/// The rate budget the profile's last run saw, if it is still in its window.
pub(super) async fn last_budget(store: &Store, actor: &AccountId) -> Result<Option<RateBudget>> {
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

pub(super) async fn page_cache(store: &Store, actor: &AccountId, owner: &str) -> Result<PageCache> {
    let text: Option<String> =
        sqlx::query_scalar("SELECT pages FROM sync_pages WHERE account_id = ? AND owner = ?")
            .bind(actor)
            .bind(owner)
            .fetch_optional(store.pool())
            .await?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default())
}
