//! Local profiles (docs/DESIGN.md: The domain): create, look up, sign in. Passwords are hashed with
//! argon2id; a sign-in gives the same error for an unknown email and a wrong password, and
//! repeated failures for one email lock it for a while — unknown emails included, so a lockout
//! does not reveal which emails have a profile.

use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::store::{unique_as_conflict, Store};
use crate::AccountId;
use crate::{clock, settings, validate};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Argon2, PasswordVerifier};
use chrono::Duration;
use serde::Serialize;
use std::sync::OnceLock;

/// Failed sign-ins in a row before an email is locked.
pub const MAX_FAILED_SIGN_INS: i64 = 5;
/// How long a lockout lasts.
pub const LOCKOUT_MINUTES: i64 = 15;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Account {
    pub id: AccountId,
    pub email: String,
    pub name: Option<String>,
    pub github_login: Option<String>,
    pub inserted_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: String,
    pub password: Secret,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AccountChanges {
    pub name: Option<String>,
    /// `Some("")` clears it.
    pub github_login: Option<String>,
}

const COLUMNS: &str = "id, email, name, github_login, inserted_at, updated_at";

pub async fn create(store: &Store, new: NewAccount) -> Result<Account> {
    let mut checks = validate::Checks::new();
    let email = checks.check(validate::email("email", &new.email));
    checks.check(validate::password("password", new.password.expose()));
    let name = checks.check(validate::optional_text("name", new.name.as_deref())).flatten();
    if let Some(n) = &name {
        checks.check(validate::required_line("name", n, validate::TITLE_MAX));
    }
    checks.finish()?;
    let email = email.unwrap_or_default();
    let hashed = hash_password(new.password).await?;
    let now = store.now();
    let account = Account {
        id: AccountId::new(),
        email,
        name: name.map(|n| n.trim().to_owned()),
        github_login: None,
        inserted_at: now.clone(),
        updated_at: now,
    };
    let mut tx = store.write().await?;
    sqlx::query(
        "INSERT INTO accounts (id, email, hashed_password, name, inserted_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(account.id)
    .bind(&account.email)
    .bind(&hashed)
    .bind(&account.name)
    .bind(&account.inserted_at)
    .bind(&account.updated_at)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_as_conflict(e, "email", "a profile with this email already exists"))?;
    tx.commit().await?;
    Ok(account)
}

pub async fn get(store: &Store, id: &AccountId) -> Result<Account> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM accounts WHERE id = ?")))
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(Error::not_found("account"))
}

/// Looks an account up by email, ignoring case.
pub async fn get_by_email(store: &Store, email: &str) -> Result<Account> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts WHERE email = ? COLLATE NOCASE"
    )))
    .bind(email.trim())
    .fetch_optional(store.pool())
    .await?
    .ok_or(Error::not_found("account"))
}

pub async fn list(store: &Store) -> Result<Vec<Account>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts ORDER BY email COLLATE NOCASE"
    )))
    .fetch_all(store.pool())
    .await?)
}

/// A GitHub login by GitHub's rules: letters, digits and single hyphens, at most 39, neither
/// starting nor ending with a hyphen.
fn github_login(login: &str) -> Result<String> {
    let login = login.trim();
    if !validate::is_github_owner(login) {
        return Err(Error::invalid(
            "github_login",
            "a GitHub login is letters, digits and single hyphens (at most 39), not starting or ending with a hyphen",
        ));
    }
    Ok(login.to_owned())
}

pub async fn update(store: &Store, id: &AccountId, changes: AccountChanges) -> Result<Account> {
    let current = get(store, id).await?;
    let name = match changes.name {
        Some(n) if n.trim().is_empty() => None,
        Some(n) => Some(validate::required_line("name", &n, validate::TITLE_MAX)?),
        None => current.name,
    };
    let github_login = match changes.github_login {
        Some(l) if l.trim().is_empty() => None,
        Some(l) => Some(github_login(&l)?),
        None => current.github_login,
    };
    let now = store.now();
    let mut tx = store.write().await?;
    sqlx::query("UPDATE accounts SET name = ?, github_login = ?, updated_at = ? WHERE id = ?")
        .bind(&name)
        .bind(&github_login)
        .bind(&now)
        .bind(current.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    get(store, &current.id).await
}

/// Signs in. Wrong password and unknown email give the same [`Error::InvalidCredentials`];
/// after [`MAX_FAILED_SIGN_INS`] failures in a row the email is [`Error::Locked`] for
/// [`LOCKOUT_MINUTES`], even for the right password.
pub async fn authenticate(store: &Store, email: &str, password: &Secret) -> Result<Account> {
    let key = email.trim().to_lowercase();
    let now = store.clock().now();
    let locked_until: Option<String> =
        sqlx::query_scalar("SELECT locked_until FROM login_throttle WHERE email = ?")
            .bind(&key)
            .fetch_optional(store.pool())
            .await?
            .flatten();
    if let Some(until) = locked_until.as_deref().and_then(clock::parse_ts) {
        if until > now {
            return Err(Error::Locked { until: clock::format_ts(until) });
        }
    }

    let found: Option<(AccountId, String)> =
        sqlx::query_as("SELECT id, hashed_password FROM accounts WHERE email = ? COLLATE NOCASE")
            .bind(email.trim())
            .fetch_optional(store.pool())
            .await?;
    // Verify against a dummy hash for unknown emails so both paths cost the same.
    let (id, hash) = match found {
        Some((id, hash)) => (Some(id), hash),
        None => (None, dummy_hash().to_owned()),
    };
    let ok = verify_password(password.clone(), hash).await? && id.is_some();

    let mut tx = store.write().await?;
    if ok {
        sqlx::query("DELETE FROM login_throttle WHERE email = ?")
            .bind(&key)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let id: AccountId = id.ok_or(Error::InvalidCredentials)?;
        settings::put(store, settings::LAST_ACCOUNT, Some(&id.to_string())).await?;
        return get(store, &id).await;
    }
    let failures: i64 = sqlx::query_scalar(
        "INSERT INTO login_throttle (email, failures) VALUES (?, 1) \
         ON CONFLICT (email) DO UPDATE SET failures = failures + 1 RETURNING failures",
    )
    .bind(&key)
    .fetch_one(&mut *tx)
    .await?;
    if failures >= MAX_FAILED_SIGN_INS {
        let until = clock::format_ts(now + Duration::minutes(LOCKOUT_MINUTES));
        sqlx::query("UPDATE login_throttle SET failures = 0, locked_until = ? WHERE email = ?")
            .bind(&until)
            .bind(&key)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Err(Error::Locked { until });
    }
    tx.commit().await?;
    Err(Error::InvalidCredentials)
}

async fn hash_password(password: Secret) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| Error::Internal(format!("password hashing task failed: {e}")))?
}

async fn verify_password(password: Secret, hash: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash)
            .map_err(|e| Error::Internal(format!("stored password hash is invalid: {e}")))?;
        Ok(Argon2::default().verify_password(password.expose().as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(|e| Error::Internal(format!("password check task failed: {e}")))?
}

fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"no account has this password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// The account that acts when none is named explicitly: `email` if given (it becomes the
/// last-used one), else the last account that acted, else the only account there is.
pub async fn current(store: &Store, email: Option<&str>) -> Result<Account> {
    if let Some(email) = email {
        let account = get_by_email(store, email).await?;
        settings::put(store, settings::LAST_ACCOUNT, Some(&account.id.to_string())).await?;
        return Ok(account);
    }
    let last = settings::read(store, settings::LAST_ACCOUNT).await?;
    if let Some(id) = last.and_then(|raw| raw.parse::<AccountId>().ok()) {
        if let Ok(account) = get(store, &id).await {
            return Ok(account);
        }
    }
    let mut all = list(store).await?;
    match all.len() {
        0 => Err(Error::NoProfile),
        1 => Ok(all.remove(0)),
        _ => Err(Error::invalid(
            "as",
            "there are several profiles; name one (--as EMAIL) or sign in",
        )),
    }
}
