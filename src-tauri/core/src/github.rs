//! Signing in to GitHub (docs/DESIGN.md: GitHub and the org sync): a token — pasted, or from the
//! OAuth device flow — is checked with `GET /user` before it is stored, in the OS keyring only, per
//! profile and host; the profile records its GitHub login. The API base is `github_api_url`,
//! derived from `github_host` by default, and a token goes only to its own host's API
//! ([`endpoints`]). The GitHub client itself is `codemyspec-github`.

use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::secrets::SecretStore;
use crate::settings;
use crate::store::Store;
use crate::AccountId;
use codemyspec_github::{api_url_for_host, Client, DeviceCode, DeviceFlow, GitHubError};
use serde::Serialize;
use std::sync::Arc;

/// Where GitHub is for this data dir.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Endpoints {
    /// The REST API base.
    pub api: String,
    /// The web host (the device flow's endpoints, the verification page).
    pub web: String,
    /// The git host tokens are kept for (repository URLs point at it).
    pub host: String,
}

/// `github_api_url` (or the default for `github_host`), the web host beside it, and the host
/// its tokens are for. A loopback API (a local stand-in) is its own web and git host. An API
/// that does not belong to `github_host` is [`Error::ApiNotOfHost`], naming both: whatever
/// wrote it (an older version, a hand edit of the database), the token of `github_host` is
/// never sent there. Every path that sends a token asks here first.
pub async fn endpoints(store: &Store) -> Result<Endpoints> {
    let (api, github_host) = configured(store).await?;
    let host = codemyspec_github::token_host(&api, &github_host)?;
    if host != github_host || api.starts_with("http://") {
        return Ok(Endpoints { web: api.clone(), api, host });
    }
    Ok(Endpoints { web: format!("https://{github_host}"), api, host })
}

/// The host the profile's GitHub token is kept for, for the keyring alone (storing,
/// removing, saying whether one is there): nothing is sent, so an API that does not belong
/// to `github_host` is no error here, and its host is `github_host`.
pub async fn token_host(store: &Store) -> Result<String> {
    let (api, github_host) = configured(store).await?;
    Ok(codemyspec_github::token_host(&api, &github_host).unwrap_or(github_host))
}

/// The API base in force and `github_host`.
async fn configured(store: &Store) -> Result<(String, String)> {
    let github_host = store.repo_host().await?.as_str().to_owned();
    let api = match settings::get(store, settings::Setting::GithubApiUrl).await? {
        Some(url) => url,
        None => api_url_for_host(&github_host),
    };
    Ok((api, github_host))
}

/// What the CLI's `github status` and the window's Settings show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SignIn {
    pub host: String,
    pub api_url: String,
    /// The GitHub login the token belongs to, when a token is stored and GitHub said so.
    pub login: Option<String>,
    pub token_set: bool,
    /// The token's scopes (`X-OAuth-Scopes`), where GitHub sends them (classic tokens).
    pub scopes: Option<Vec<String>>,
    pub rate: Option<Rate>,
    /// Why GitHub could not be asked (offline, the token was refused), when it could not.
    pub problem: Option<String>,
    /// GitHub refused the stored token (401): it was revoked or has expired, and the profile
    /// must sign in again. Not set when GitHub merely could not be reached.
    pub refused: bool,
}

/// The rate budget GitHub last reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Rate {
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub limit: u64,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub remaining: u64,
    /// UTC epoch seconds when it is full again.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub reset: u64,
}

/// A core error for a GitHub failure, with GitHub's words.
pub fn error(e: GitHubError) -> Error {
    match e {
        GitHubError::Unauthorized => Error::invalid(
            "token",
            "GitHub refused this token (401 Bad credentials); sign in again with a valid token",
        ),
        GitHubError::Forbidden { .. } => Error::Forbidden { message: e.to_string() },
        GitHubError::NotFound { .. } => Error::Unavailable { message: e.to_string() },
        GitHubError::NameExists { .. } => Error::conflict(Some("name"), e.to_string()),
        GitHubError::Invalid { .. } => Error::invalid("github", e.to_string()),
        GitHubError::RateLimited { .. }
        | GitHubError::Server { .. }
        | GitHubError::Offline { .. }
        | GitHubError::Other { .. } => Error::Unavailable { message: e.to_string() },
    }
}

/// Checks `token` with `GET /user` and, when GitHub accepts it, stores it for `actor` and the
/// GitHub host and records the login on the profile. A refused token is an error and is
/// stored nowhere.
pub async fn login_with_token(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    token: Secret,
) -> Result<SignIn> {
    let token_ok = !token.expose().is_empty()
        && token.expose().len() <= 4096
        && !token.expose().chars().any(|c| c.is_whitespace() || c.is_control());
    if !token_ok {
        return Err(Error::invalid("token", "a token is one word of printable characters"));
    }
    crate::accounts::get(store, actor).await?;
    let at = endpoints(store).await?;
    let client = Client::new(&at.api, Some(token.expose())).map_err(error)?;
    let user = client.user().await.map_err(error)?;
    crate::secrets::set_token(secrets, actor, &at.host, token).await?;
    let mut tx = store.write().await?;
    sqlx::query("UPDATE accounts SET github_login = ?, updated_at = ? WHERE id = ?")
        .bind(&user.login)
        .bind(store.now())
        .bind(actor)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(SignIn {
        host: at.host,
        api_url: at.api,
        login: Some(user.login),
        token_set: true,
        scopes: client.scopes(),
        rate: client.budget().map(|b| Rate {
            limit: b.limit,
            remaining: b.remaining,
            reset: b.reset,
        }),
        problem: None,
        refused: false,
    })
}

/// Starts the OAuth device flow (`github_client_id` is needed): the code and URL to show.
pub async fn device_start(store: &Store) -> Result<(DeviceFlow, DeviceCode)> {
    let client_id = settings::get(store, settings::Setting::GithubClientId).await?.ok_or_else(|| {
        // Said the same to the CLI and the window: each names its own way to set it.
        Error::invalid(
            "github_client_id",
            "signing in with a code needs the client id of an OAuth App (github_client_id); set it first",
        )
    })?;
    let at = endpoints(store).await?;
    let flow = DeviceFlow::new(&at.web, &client_id).map_err(error)?;
    let code = flow.start("repo read:org").await.map_err(error)?;
    Ok((flow, code))
}

/// The profile's sign-in now: its token asked about with `GET /user` (which also reports the
/// rate budget and scopes). Offline, it says so in `problem` and still answers.
pub async fn status(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
) -> Result<SignIn> {
    let at = endpoints(store).await?;
    let token = crate::secrets::token(secrets, actor, &at.host).await?;
    let mut out = SignIn {
        host: at.host.clone(),
        api_url: at.api.clone(),
        login: None,
        token_set: token.is_some(),
        scopes: None,
        rate: None,
        problem: None,
        refused: false,
    };
    let Some(token) = token else { return Ok(out) };
    let client = Client::new(&at.api, Some(token.expose())).map_err(error)?;
    match client.user().await {
        Ok(user) => out.login = Some(user.login),
        Err(e) => {
            out.refused = e == GitHubError::Unauthorized;
            out.problem = Some(e.to_string());
        }
    }
    out.scopes = client.scopes();
    out.rate =
        client.budget().map(|b| Rate { limit: b.limit, remaining: b.remaining, reset: b.reset });
    Ok(out)
}

/// Removes the profile's token for the GitHub host and forgets its login.
pub async fn logout(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
) -> Result<()> {
    let host = token_host(store).await?;
    crate::secrets::delete_token(secrets, actor, &host).await?;
    let mut tx = store.write().await?;
    sqlx::query("UPDATE accounts SET github_login = NULL, updated_at = ? WHERE id = ?")
        .bind(store.now())
        .bind(actor)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// An owner a profile may sync: the signed-in account itself or one of its organizations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OwnerChoice {
    pub login: String,
    /// The signed-in account itself (its value as `github_org` is "": no organization).
    pub is_account: bool,
}

/// The owners the profile may choose for its sync, as GitHub lists them: the account the
/// token belongs to (`GET /user`), then its organizations (`GET /user/orgs`). Not signed in,
/// or a refused token, is an error on `token`.
pub async fn owners(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
) -> Result<Vec<OwnerChoice>> {
    let at = endpoints(store).await?;
    let token = crate::secrets::token(secrets, actor, &at.host).await?.ok_or_else(|| {
        Error::invalid("token", format!("sign in to {} first to choose an organization", at.host))
    })?;
    let client = Client::new(&at.api, Some(token.expose())).map_err(error)?;
    let user = client.user().await.map_err(error)?;
    let orgs = client.orgs().await.map_err(error)?;
    let mut out = vec![OwnerChoice { login: user.login, is_account: true }];
    out.extend(orgs.into_iter().map(|o| OwnerChoice { login: o.login, is_account: false }));
    Ok(out)
}
