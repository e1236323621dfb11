//! What the clients show about the settings, assembled from the layers below: the table of
//! `codemyspec config list` (the app-wide settings and the acting profile's own) and the
//! window's Settings overview (with the token's status and the setup queue).

use crate::error::Result;
use crate::jobs::Queue;
use crate::secrets::{self, SecretStore, TokenStatus};
use crate::settings::{default_workspace_dir, flag, get, Setting};
use crate::store::Store;
use crate::AccountId;
use std::sync::Arc;

/// Every setting a person may set, with its value (None: the default) and what it holds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SettingValue {
    pub key: String,
    pub value: Option<String>,
    pub about: &'static str,
}

/// The settings table of `codemyspec config list`: the app-wide ones, then the acting
/// profile's own (its organization, and whether its sync imports forks and archived
/// repositories), when a profile acts.
pub async fn values(store: &Store, actor: Option<&AccountId>) -> Result<Vec<SettingValue>> {
    let mut rows = Vec::new();
    for key in Setting::ALL {
        let value = get(store, *key).await?;
        rows.push(SettingValue { key: key.as_str().to_owned(), value, about: key.about() });
    }
    if let Some(actor) = actor {
        rows.push(SettingValue {
            key: crate::sync::GITHUB_ORG.to_owned(),
            value: crate::sync::profile_setting(store, actor, crate::sync::GITHUB_ORG).await?,
            about: "this profile's source-of-truth GitHub organization (default: your own account)",
        });
        let filters = crate::sync::filters(store, actor).await?;
        for (key, on) in [
            (crate::sync::SyncFilter::IncludeForks, filters.include_forks),
            (crate::sync::SyncFilter::IncludeArchived, filters.include_archived),
        ] {
            let value = on.then(|| "true".to_owned());
            rows.push(SettingValue { key: key.as_str().to_owned(), value, about: key.about() });
        }
    }
    Ok(rows)
}

/// What the window's Settings shows: the settings in force, the profile's token status and
/// the setup queue.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Overview {
    /// The GitHub host repository URLs point at (the setting or its default).
    pub github_host: String,
    /// `github_api_url` as set; None: the host's own API.
    pub github_api_url: Option<String>,
    /// The API address in force when `github_api_url` is not set.
    pub default_github_api_url: String,
    /// The OAuth App client id the device flow signs in with; None: not set (no device flow).
    pub github_client_id: Option<String>,
    pub workspace_dir: Option<String>,
    /// Where set-up projects go while `workspace_dir` is not set.
    pub default_workspace_dir: Option<String>,
    /// Whether the acting profile has a token for the GitHub host in the OS keyring (never the
    /// token), or why the keyring cannot say.
    pub token: TokenStatus,
    pub queue: Queue,
    pub data_dir: String,
    /// Closing the window keeps the app in the tray (the setting or its default, on).
    pub keep_in_tray: bool,
    /// The app starts in the tray at login (the setting or its default, off).
    pub start_at_login: bool,
    /// Folders searched first for the programs setups run; None: PATH (or the login shell's).
    pub tools_path: Option<String>,
}

/// The [`Overview`] for `actor` (None: no profile yet, so no token).
pub async fn overview(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: Option<&AccountId>,
) -> Result<Overview> {
    // The keyring's host alone: Settings must open even when github_api_url is wrong, so that
    // it can be put right there.
    let host = crate::github::token_host(store).await?;
    Ok(Overview {
        github_host: store.repo_host().await?.as_str().to_owned(),
        github_api_url: get(store, Setting::GithubApiUrl).await?,
        default_github_api_url: codemyspec_github::api_url_for_host(
            store.repo_host().await?.as_str(),
        ),
        github_client_id: get(store, Setting::GithubClientId).await?,
        workspace_dir: get(store, Setting::WorkspaceDir).await?,
        default_workspace_dir: default_workspace_dir().map(|d| d.display().to_string()),
        token: match actor {
            Some(actor) => secrets::token_status(secrets, actor, &host).await,
            None => TokenStatus { host: host.clone(), set: false, problem: None },
        },
        queue: crate::jobs::queue(store, crate::pipeline::QUEUE).await?,
        data_dir: store.data_dir().display().to_string(),
        keep_in_tray: flag(store, Setting::KeepInTray).await?,
        start_at_login: flag(store, Setting::StartAtLogin).await?,
        tools_path: get(store, Setting::ToolsPath).await?,
    })
}
