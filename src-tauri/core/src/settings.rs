//! App-wide settings kept in the database: the GitHub host, and the last account that acted
//! (the CLI's default `--as`). Unknown keys are refused, known ones validated.

use crate::error::{Error, Result};
use crate::store::Store;
use crate::validate::RepoHost;

pub const GITHUB_HOST: &str = "github_host";
pub const LAST_ACCOUNT: &str = "last_account";
pub const WORKSPACE_DIR: &str = "workspace_dir";
pub const GITHUB_API_URL: &str = "github_api_url";
pub const GITHUB_CLIENT_ID: &str = "github_client_id";

/// The keys a user may set, with what each holds.
pub const USER_KEYS: &[(&str, &str)] = &[
    (GITHUB_HOST, "the GitHub host repository URLs point at (default github.com)"),
    (WORKSPACE_DIR, "where set-up projects are kept (default: a CodeMySpec folder in your documents or home folder)"),
    (GITHUB_API_URL, "the GitHub REST API (default: from github_host; https://api.github.com, or https://HOST/api/v3)"),
    (GITHUB_CLIENT_ID, "the OAuth App client id that `github login --device` signs in with"),
    (crate::sync::SYNC_INTERVAL, "seconds between GitHub org syncs (default 300; at least 30)"),
];

/// The folder a set-up project is kept in when `workspace_dir` is not set: `CodeMySpec` in
/// the user's documents folder when there is one, else in the home folder.
pub fn default_workspace_dir() -> Option<std::path::PathBuf> {
    dirs::document_dir()
        .filter(|d| d.is_dir())
        .or_else(dirs::home_dir)
        .map(|d| d.join("CodeMySpec"))
}

/// The folder set-up projects are kept in: the setting, else [`default_workspace_dir`].
pub async fn workspace_dir(store: &Store) -> Result<std::path::PathBuf> {
    match get(store, WORKSPACE_DIR).await? {
        Some(dir) => Ok(std::path::PathBuf::from(dir)),
        None => default_workspace_dir().ok_or_else(|| {
            Error::invalid(
                "workspace_dir",
                "this system reports no home folder: set one with `codemyspec config set workspace_dir /abs/path`",
            )
        }),
    }
}

pub async fn get(store: &Store, key: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
        .bind(key)
        .fetch_optional(store.pool())
        .await?)
}

/// Sets a user-facing setting after validating it; an empty value resets it to its default.
pub async fn set(store: &Store, key: &str, value: &str) -> Result<()> {
    let value = match key {
        GITHUB_HOST if value.trim().is_empty() => None,
        GITHUB_HOST => Some(RepoHost::new("value", value)?.as_str().to_owned()),
        GITHUB_API_URL | GITHUB_CLIENT_ID if value.trim().is_empty() => None,
        GITHUB_API_URL => Some(
            codemyspec_github::check_api_url(value)
                .map_err(|e| Error::invalid("value", e.to_string()))?,
        ),
        GITHUB_CLIENT_ID => {
            let id = value.trim();
            if id.len() > 100
                || !id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
            {
                return Err(Error::invalid("value", "a client id is letters, digits, . _ and -"));
            }
            Some(id.to_owned())
        }
        crate::sync::SYNC_INTERVAL if value.trim().is_empty() => None,
        crate::sync::SYNC_INTERVAL => match value.trim().parse::<i64>() {
            Ok(n) if (30..=86_400).contains(&n) => Some(n.to_string()),
            _ => return Err(Error::invalid("value", "the sync interval is 30 to 86400 seconds")),
        },
        WORKSPACE_DIR if value.trim().is_empty() => None,
        WORKSPACE_DIR => {
            let dir = std::path::Path::new(value.trim());
            if !dir.is_absolute() {
                return Err(Error::invalid(
                    "value",
                    "the workspace folder must be an absolute path",
                ));
            }
            Some(dir.display().to_string())
        }
        _ => {
            let known: Vec<&str> = USER_KEYS.iter().map(|(k, _)| *k).collect();
            return Err(Error::invalid(
                "key",
                format!("unknown setting \"{key}\"; known settings: {}", known.join(", ")),
            ));
        }
    };
    put(store, key, value.as_deref()).await
}

/// Writes a setting without user-facing validation (for the core's own keys).
pub(crate) async fn put(store: &Store, key: &str, value: Option<&str>) -> Result<()> {
    let mut tx = store.write().await?;
    match value {
        Some(v) => {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES (?, ?) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(v)
            .execute(&mut *tx)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM settings WHERE key = ?").bind(key).execute(&mut *tx).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
