//! GitHub tokens, kept in the OS keyring only (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows), one per profile and GitHub host: a profile can neither use
//! nor replace another profile's token. With no keyring the app says so and
//! stores nothing: there is no plaintext fallback. Tokens leave this module only as
//! [`Secret`]s, and reach git only through its credential callback.

use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::store::APP_IDENTIFIER;
use crate::AccountId;
use std::sync::Arc;

/// Where tokens live. The keyring is the real one; the trait keeps the pipeline's tests able
/// to run where no keyring session exists, and is the seam for other stores later.
pub trait SecretStore: Send + Sync + std::fmt::Debug {
    /// The token of `profile` (an account id) for `host`.
    fn get(&self, profile: &AccountId, host: &str) -> Result<Option<Secret>>;
    fn set(&self, profile: &AccountId, host: &str, token: &Secret) -> Result<()>;
    fn delete(&self, profile: &AccountId, host: &str) -> Result<()>;
}

/// The OS keyring.
#[derive(Debug, Default, Clone, Copy)]
pub struct Keyring;

/// The keyring entry's user name: the profile and the host.
fn account(profile: &AccountId, host: &str) -> String {
    format!("github-token:{profile}@{}", host.to_ascii_lowercase())
}

fn unavailable(e: keyring::Error) -> Error {
    let why = match e {
        keyring::Error::NoDefaultStore
        | keyring::Error::PlatformFailure(_)
        | keyring::Error::NoStorageAccess(_) => {
            "the OS keyring is not available (on Linux: a Secret Service such as gnome-keyring \
             on a D-Bus session); the token was not stored anywhere"
                .to_owned()
        }
        other => format!("the OS keyring refused: {other}"),
    };
    Error::Unavailable { message: why }
}

impl SecretStore for Keyring {
    fn get(&self, profile: &AccountId, host: &str) -> Result<Option<Secret>> {
        let entry =
            keyring::Entry::new(APP_IDENTIFIER, &account(profile, host)).map_err(unavailable)?;
        match entry.get_password() {
            Ok(token) => Ok(Some(Secret::new(token))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn set(&self, profile: &AccountId, host: &str, token: &Secret) -> Result<()> {
        let token_ok = !token.expose().is_empty()
            && token.expose().len() <= 4096
            && !token.expose().chars().any(|c| c.is_whitespace() || c.is_control());
        if !token_ok {
            return Err(Error::invalid("token", "a token is one word of printable characters"));
        }
        let entry =
            keyring::Entry::new(APP_IDENTIFIER, &account(profile, host)).map_err(unavailable)?;
        entry.set_password(token.expose()).map_err(unavailable)
    }

    fn delete(&self, profile: &AccountId, host: &str) -> Result<()> {
        let entry =
            keyring::Entry::new(APP_IDENTIFIER, &account(profile, host)).map_err(unavailable)?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }
}

/// The keyring's calls, off the async runtime: they block on D-Bus or the platform service.
async fn off_runtime<T: Send + 'static>(
    secrets: &Arc<dyn SecretStore>,
    profile: &AccountId,
    host: &str,
    call: impl FnOnce(&dyn SecretStore, &AccountId, &str) -> Result<T> + Send + 'static,
) -> Result<T> {
    let (s, p, h) = (secrets.clone(), *profile, host.to_owned());
    tokio::task::spawn_blocking(move || call(s.as_ref(), &p, &h))
        .await
        .map_err(|e| Error::Internal(format!("the keyring call failed: {e}")))?
}

/// The token of `profile` for `host`.
pub async fn token(
    secrets: &Arc<dyn SecretStore>,
    profile: &AccountId,
    host: &str,
) -> Result<Option<Secret>> {
    off_runtime(secrets, profile, host, |s, p, h| s.get(p, h)).await
}

/// Keeps `token` for `profile` and `host` (unchecked: `github::login_with_token` checks a
/// GitHub token first).
pub async fn set_token(
    secrets: &Arc<dyn SecretStore>,
    profile: &AccountId,
    host: &str,
    token: Secret,
) -> Result<()> {
    off_runtime(secrets, profile, host, move |s, p, h| s.set(p, h, &token)).await
}

/// Removes the token of `profile` for `host`; none there is fine.
pub async fn delete_token(
    secrets: &Arc<dyn SecretStore>,
    profile: &AccountId,
    host: &str,
) -> Result<()> {
    off_runtime(secrets, profile, host, |s, p, h| s.delete(p, h)).await
}

/// Whether `profile` has a token for `host` (never the token), or why the keyring cannot
/// say.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TokenStatus {
    pub host: String,
    pub set: bool,
    /// Why the keyring cannot be used, when it cannot.
    pub problem: Option<String>,
}

pub async fn token_status(
    secrets: &Arc<dyn SecretStore>,
    profile: &AccountId,
    host: &str,
) -> TokenStatus {
    let (set, problem) = match token(secrets, profile, host).await {
        Ok(t) => (t.is_some(), None),
        Err(e) => (false, Some(e.to_string())),
    };
    TokenStatus { host: host.to_owned(), set, problem }
}

/// The host part of a repository URL (`github.com`, `127.0.0.1:8080`): tokens are per host.
/// None when there is none, or when the authority holds anything but a host and a port (a
/// user name: `https://github.com@elsewhere/` is not on github.com).
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split('/').next()?;
    let plain =
        host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    (!host.is_empty() && plain).then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_kept_per_profile_and_host() {
        assert_eq!(host_of("https://github.com/acme/shop"), Some("github.com".into()));
        assert_eq!(host_of("http://127.0.0.1:8080/acme/shop"), Some("127.0.0.1:8080".into()));
        assert_eq!(host_of("nope"), None);
        assert_eq!(host_of("https://github.com@evil.example/a/b"), None);
        assert_eq!(host_of("https://github.com?@evil.example/"), None);
        let (p1, p2) = (AccountId::new(), AccountId::new());
        assert_eq!(account(&p1, "GitHub.com"), format!("github-token:{p1}@github.com"));
        assert_ne!(account(&p1, "github.com"), account(&p2, "github.com"));
    }
}
