//! App-wide settings kept in the database: the ones a person sets ([`Setting`]: the GitHub
//! host and API, the workspace folder, …) and the core's own (the last account that acted,
//! the CLI's default `--as`). A person's values are validated; the core's are not theirs
//! to set.

use crate::error::{Error, Result};
use crate::store::Store;
use crate::text_enum::text_enum;
use crate::validate::RepoHost;

text_enum! {
    /// A setting a person may set (`codemyspec config set`, the window's Settings).
    pub enum Setting ("setting") {
        GithubHost = "github_host",
        WorkspaceDir = "workspace_dir",
        GithubApiUrl = "github_api_url",
        GithubClientId = "github_client_id",
        SyncInterval = "sync_interval_secs",
        DocsSyncTimeout = "docs_sync_timeout_secs",
        KeepInTray = "keep_in_tray",
        StartAtLogin = "start_at_login",
        ToolsPath = "tools_path",
        DepCacheMaxMb = "dep_cache_max_mb",
    }
}

impl Setting {
    /// What it holds, and its default.
    pub fn about(self) -> &'static str {
        match self {
            Setting::GithubHost => "the GitHub host repository URLs point at (default github.com)",
            Setting::WorkspaceDir => "where set-up projects are kept (default: a CodeMySpec folder in your documents or home folder)",
            Setting::GithubApiUrl => "the GitHub REST API of github_host, the only place its token goes (default: https://api.github.com, or https://HOST/api/v3)",
            Setting::GithubClientId => "the OAuth App client id that `github login --device` signs in with",
            Setting::SyncInterval => "seconds between GitHub org syncs (default 300; at least 30)",
            Setting::DocsSyncTimeout => "seconds a docs sync may take before it stops and retries later (default 120; 1 to 3600)",
            Setting::KeepInTray => "closing the window keeps the app running in the tray, with the queue, the heartbeat and the docs sync (true or false; default true)",
            Setting::StartAtLogin => "the app starts, in the tray, when you log in (true or false; default false)",
            Setting::ToolsPath => "folders searched first for mix, elixir and the other programs setups run, separated by ':' (default: PATH, or your login shell's PATH when mix is not on it)",
            Setting::DepCacheMaxMb => "megabytes the cache of compiled Mix dependencies may hold before the least recently used go (default 2048; 64 to 1048576)",
        }
    }
}

/// A yes/no setting's value: the stored one, else its default (only [`Setting::KeepInTray`]
/// defaults to yes).
pub async fn flag(store: &Store, key: Setting) -> Result<bool> {
    Ok(match get(store, key).await?.as_deref() {
        Some(v) => v == "true",
        None => matches!(key, Setting::KeepInTray),
    })
}

/// Marks a one-time notice (the first close to the tray, say) as given; true only for the
/// call that marks it, so that it is given once even with several processes.
pub async fn first_time(store: &Store, notice: &str) -> Result<bool> {
    let key = format!("{ONCE_PREFIX}{notice}");
    let mut tx = store.write().await?;
    let done = sqlx::query("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)")
        .bind(&key)
        .bind(store.now())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

/// The prefix of the core's keys that remember one-time notices.
const ONCE_PREFIX: &str = "once.";

/// The core's own key for the last account that acted.
pub(crate) const LAST_ACCOUNT: &str = "last_account";

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
    match get(store, Setting::WorkspaceDir).await? {
        Some(dir) => Ok(std::path::PathBuf::from(dir)),
        None => default_workspace_dir().ok_or_else(|| {
            Error::invalid(
                "workspace_dir",
                "this system reports no home folder: set one with `codemyspec config set workspace_dir /abs/path`",
            )
        }),
    }
}

/// A person's setting; None when it is at its default.
pub async fn get(store: &Store, key: Setting) -> Result<Option<String>> {
    read(store, key.as_str()).await
}

pub(crate) async fn read(store: &Store, key: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
        .bind(key)
        .fetch_optional(store.pool())
        .await?)
}

/// Sets a user-facing setting after validating it; an empty value resets it to its default.
pub async fn set(store: &Store, key: Setting, value: &str) -> Result<()> {
    let value = match key {
        _ if value.trim().is_empty() => None,
        Setting::GithubHost => {
            let host = github_host("value", value)?;
            // The API set before must still be this host's, or its token would follow it.
            if let Some(api) = get(store, Setting::GithubApiUrl).await? {
                codemyspec_github::token_host(&api, &host)?;
            }
            Some(host)
        }
        Setting::GithubApiUrl => {
            let api = github_api_url("value", value)?;
            codemyspec_github::token_host(&api, store.repo_host().await?.as_str())?;
            Some(api)
        }
        Setting::GithubClientId => Some(github_client_id("value", value)?),
        Setting::SyncInterval => match value.trim().parse::<i64>() {
            Ok(n) if (30..=86_400).contains(&n) => Some(n.to_string()),
            _ => return Err(Error::invalid("value", "the sync interval is 30 to 86400 seconds")),
        },
        Setting::DocsSyncTimeout => match value.trim().parse::<u64>() {
            Ok(n) if (1..=3600).contains(&n) => Some(n.to_string()),
            _ => return Err(Error::invalid("value", "the docs sync timeout is 1 to 3600 seconds")),
        },
        Setting::KeepInTray | Setting::StartAtLogin => match value.trim() {
            "true" | "on" | "yes" => Some("true".to_owned()),
            "false" | "off" | "no" => Some("false".to_owned()),
            _ => return Err(Error::invalid("value", "use true or false")),
        },
        Setting::ToolsPath => Some(tools_path(value)?),
        Setting::DepCacheMaxMb => match value.trim().parse::<u64>() {
            Ok(n) if (64..=1_048_576).contains(&n) => Some(n.to_string()),
            _ => {
                return Err(Error::invalid(
                    "value",
                    "the dependency cache size is 64 to 1048576 megabytes",
                ))
            }
        },
        Setting::WorkspaceDir => {
            let dir = std::path::Path::new(value.trim());
            if !dir.is_absolute() {
                return Err(Error::invalid(
                    "value",
                    "the workspace folder must be an absolute path",
                ));
            }
            Some(dir.display().to_string())
        }
    };
    put(store, key.as_str(), value.as_deref()).await
}

/// Where GitHub is, as the window's Settings sets it: the host, its API address and the
/// device flow's client id, each "" for its default.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct GitHubSettings {
    pub github_host: String,
    pub github_api_url: String,
    pub github_client_id: String,
}

/// Sets the three GitHub settings together, by the rules of [`set`]: each value checked on
/// its own, then the API address against the host (so a move to an Enterprise host and its
/// API is one step, not two that each refuse the other's old value). Every invalid value is
/// reported on its own field; nothing is written unless all are valid.
pub async fn set_github(store: &Store, new: &GitHubSettings) -> Result<()> {
    let blank = |v: &str| v.trim().is_empty();
    let mut errors = Vec::new();
    let mut keep = |r: Result<String>| match r {
        Ok(v) => Some(v),
        Err(e) => {
            errors.extend(e.to_view().fields);
            None
        }
    };
    let host = if blank(&new.github_host) {
        Some(RepoHost::default().as_str().to_owned())
    } else {
        keep(github_host("github_host", &new.github_host))
    };
    let api = (!blank(&new.github_api_url))
        .then(|| keep(github_api_url("github_api_url", &new.github_api_url)));
    let client_id = (!blank(&new.github_client_id))
        .then(|| keep(github_client_id("github_client_id", &new.github_client_id)));
    if let (Some(host), Some(Some(api))) = (&host, &api) {
        if let Err(e) = codemyspec_github::token_host(api, host) {
            errors.extend(Error::from(e).to_view().fields);
        }
    }
    if !errors.is_empty() {
        return Err(Error::InvalidFields { errors });
    }
    let mut tx = store.write().await?;
    for (key, value) in [
        (Setting::GithubHost, host.filter(|_| !blank(&new.github_host))),
        (Setting::GithubApiUrl, api.flatten()),
        (Setting::GithubClientId, client_id.flatten()),
    ] {
        match value {
            Some(v) => {
                sqlx::query(
                    "INSERT INTO settings (key, value) VALUES (?, ?) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .bind(key.as_str())
                .bind(v)
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM settings WHERE key = ?")
                    .bind(key.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// A `github_host` value: the repository URL rules' host.
fn github_host(field: &str, value: &str) -> Result<String> {
    Ok(RepoHost::new(field, value)?.as_str().to_owned())
}

/// A `github_api_url` value: an https URL (plain http only on loopback, for a stand-in).
fn github_api_url(field: &str, value: &str) -> Result<String> {
    codemyspec_github::check_api_url(value).map_err(|e| Error::invalid(field, e.to_string()))
}

/// A `github_client_id` value: GitHub's client ids are letters, digits, `.`, `_` and `-`.
fn github_client_id(field: &str, value: &str) -> Result<String> {
    let id = value.trim();
    if id.len() > 100
        || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
    {
        return Err(Error::invalid(field, "a client id is letters, digits, . _ and -"));
    }
    Ok(id.to_owned())
}

/// A `tools_path` value: existing folders given by absolute paths, separated as in `PATH`.
/// A folder that does not exist is refused now rather than silently skipped at every setup.
fn tools_path(value: &str) -> Result<String> {
    let mut dirs = Vec::new();
    for dir in std::env::split_paths(value.trim()) {
        if dir.as_os_str().is_empty() {
            continue;
        }
        if !dir.is_absolute() {
            return Err(Error::invalid(
                "value",
                format!("{} is not an absolute path: tools_path holds folders like /home/you/.asdf/shims", dir.display()),
            ));
        }
        if !dir.is_dir() {
            return Err(Error::invalid("value", format!("{} is not a folder", dir.display())));
        }
        dirs.push(dir);
    }
    if dirs.is_empty() {
        return Err(Error::invalid("value", "tools_path names no folder"));
    }
    let joined = std::env::join_paths(&dirs)
        .map_err(|e| Error::invalid("value", format!("a folder cannot be in a path list: {e}")))?;
    Ok(joined.to_string_lossy().into_owned())
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
