//! What the heartbeat imports (issue 18): forks and archived repositories stay out of a
//! profile's projects unless that profile asks for them (`config set sync_include_forks
//! true`, `sync_include_archived`; the same in the window's Settings). Per profile, like
//! `github_org`: each profile syncs its own owner, with its own idea of noise. They decide
//! what is imported as `discovered` only: a project that names a fork by URL, or one whose
//! repository is archived later, is followed as before.

use crate::error::{Error, Result};
use crate::store::Store;
use crate::text_enum::text_enum;
use crate::AccountId;
use codemyspec_github::Repo;
use serde::Serialize;

text_enum! {
    /// A profile's choice of what else the heartbeat imports.
    pub enum SyncFilter ("sync filter") {
        IncludeForks = "sync_include_forks",
        IncludeArchived = "sync_include_archived",
    }
}

impl SyncFilter {
    /// What it decides, and its default.
    pub fn about(self) -> &'static str {
        match self {
            SyncFilter::IncludeForks => {
                "this profile's sync imports forks too (true or false; default false)"
            }
            SyncFilter::IncludeArchived => {
                "this profile's sync imports archived repositories too (true or false; default false)"
            }
        }
    }
}

/// A profile's filters: what its heartbeat imports besides plain repositories.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SyncFilters {
    pub include_forks: bool,
    pub include_archived: bool,
}

impl SyncFilters {
    /// Whether a listed repository no project stands for becomes a `discovered` project.
    pub fn imports(&self, repo: &Repo) -> bool {
        (!repo.fork || self.include_forks) && (!repo.archived || self.include_archived)
    }
}

/// The profile's filters (a profile that never chose has the defaults: neither).
pub(crate) async fn read<'e, E: sqlx::SqliteExecutor<'e>>(
    exec: E,
    actor: &AccountId,
) -> Result<SyncFilters> {
    let on: Vec<String> = sqlx::query_scalar(
        "SELECT key FROM profile_settings WHERE account_id = ? AND key IN (?, ?) \
         AND value = 'true'",
    )
    .bind(actor)
    .bind(SyncFilter::IncludeForks.as_str())
    .bind(SyncFilter::IncludeArchived.as_str())
    .fetch_all(exec)
    .await?;
    let has = |f: SyncFilter| on.iter().any(|k| k == f.as_str());
    Ok(SyncFilters {
        include_forks: has(SyncFilter::IncludeForks),
        include_archived: has(SyncFilter::IncludeArchived),
    })
}

/// The acting profile's filters.
pub async fn filters(store: &Store, actor: &AccountId) -> Result<SyncFilters> {
    read(store.pool(), actor).await
}

/// A filter's value as a person types it: true/false (yes/no, on/off, 1/0); "" is the
/// default (false).
pub fn parse_flag(filter: SyncFilter, raw: &str) -> Result<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Ok(true),
        "false" | "no" | "off" | "0" | "" => Ok(false),
        _ => Err(Error::invalid("value", format!("{filter} is true or false, not {raw:?}"))),
    }
}

/// Sets one of the profile's filters.
pub async fn set_filter(
    store: &Store,
    actor: &AccountId,
    filter: SyncFilter,
    on: bool,
) -> Result<()> {
    let mut tx = store.write().await?;
    if on {
        sqlx::query(
            "INSERT INTO profile_settings (account_id, key, value) VALUES (?, ?, 'true') \
             ON CONFLICT (account_id, key) DO UPDATE SET value = excluded.value",
        )
        .bind(actor)
        .bind(filter.as_str())
        .execute(&mut *tx)
        .await?;
    } else {
        // Off is the default: nothing kept.
        sqlx::query("DELETE FROM profile_settings WHERE account_id = ? AND key = ?")
            .bind(actor)
            .bind(filter.as_str())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(fork: bool, archived: bool) -> Repo {
        serde_json::from_value(serde_json::json!({
            "id": 1, "name": "r", "full_name": "acme/r", "owner": { "login": "acme" },
            "private": true, "html_url": "https://github.com/acme/r",
            "fork": fork, "archived": archived
        }))
        .unwrap()
    }

    #[test]
    fn forks_and_archived_repositories_are_imported_only_when_asked() {
        let none = SyncFilters::default();
        assert!(none.imports(&repo(false, false)));
        assert!(!none.imports(&repo(true, false)));
        assert!(!none.imports(&repo(false, true)));
        let forks = SyncFilters { include_forks: true, include_archived: false };
        assert!(forks.imports(&repo(true, false)));
        assert!(!forks.imports(&repo(true, true)), "an archived fork needs both");
        let both = SyncFilters { include_forks: true, include_archived: true };
        assert!(both.imports(&repo(true, true)));
    }

    #[test]
    fn a_filter_is_true_or_false_and_says_so_otherwise() {
        let f = SyncFilter::IncludeForks;
        assert!(parse_flag(f, " TRUE ").unwrap());
        assert!(parse_flag(f, "on").unwrap());
        assert!(!parse_flag(f, "no").unwrap());
        assert!(!parse_flag(f, "").unwrap(), "empty resets to the default");
        let err = parse_flag(f, "maybe").unwrap_err();
        assert_eq!(err.code(), crate::error::Code::InvalidInput);
        assert!(err.to_string().contains("sync_include_forks is true or false"), "{err}");
    }
}
