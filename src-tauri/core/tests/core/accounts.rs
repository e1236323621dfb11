use crate::support::*;
use chrono::Duration;
use codemyspec_core::accounts::{self, AccountChanges, NewAccount};
use codemyspec_core::{Code, Error, Secret};

#[tokio::test]
async fn accounts_are_found_by_id_and_by_email_ignoring_case() {
    let f = fixture().await;
    let ada = account(&f.store, "Ada@Example.com").await;
    assert_eq!(accounts::get(&f.store, &ada.id).await.unwrap(), ada);
    assert_eq!(accounts::get_by_email(&f.store, "ada@EXAMPLE.com").await.unwrap(), ada);
    let err = accounts::get_by_email(&f.store, "bob@example.com").await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
}

#[tokio::test]
async fn an_email_is_unique_whatever_its_case() {
    let f = fixture().await;
    account(&f.store, "ada@example.com").await;
    let err = accounts::create(
        &f.store,
        NewAccount { email: "ADA@example.com".into(), password: Secret::new(PASSWORD), name: None },
    )
    .await
    .unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::Conflict, Some("email")));
    assert_eq!(accounts::list(&f.store).await.unwrap().len(), 1);
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_hashes() {
    let f = fixture().await;
    account(&f.store, "ada@example.com").await;
    let stored: String = sqlx::query_scalar("SELECT hashed_password FROM accounts")
        .fetch_one(f.store.pool())
        .await
        .unwrap();
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    assert!(!stored.contains(PASSWORD));
}

#[tokio::test]
async fn short_passwords_and_bad_emails_are_refused() {
    let f = fixture().await;
    let short = NewAccount { email: "a@b.co".into(), password: Secret::new("short"), name: None };
    let err = accounts::create(&f.store, short).await.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::InvalidInput, Some("password")));
    let bad =
        NewAccount { email: "not-an-email".into(), password: Secret::new(PASSWORD), name: None };
    let err = accounts::create(&f.store, bad).await.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::InvalidInput, Some("email")));
}

#[tokio::test]
async fn sign_in_gives_one_error_for_unknown_email_and_wrong_password() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let ok =
        accounts::authenticate(&f.store, "ADA@example.com", &Secret::new(PASSWORD)).await.unwrap();
    assert_eq!(ok.id, ada.id);
    let wrong =
        accounts::authenticate(&f.store, "ada@example.com", &Secret::new("nope nope")).await;
    let unknown = accounts::authenticate(&f.store, "bob@example.com", &Secret::new(PASSWORD)).await;
    let (wrong, unknown) = (wrong.unwrap_err(), unknown.unwrap_err());
    assert!(matches!(wrong, Error::InvalidCredentials));
    assert_eq!(wrong.to_view(), unknown.to_view());
    assert_eq!(wrong.code(), Code::Unauthenticated);
}

#[tokio::test]
async fn repeated_failures_lock_the_email_for_a_while() {
    let f = fixture().await;
    account(&f.store, "ada@example.com").await;
    let wrong = Secret::new("wrong password");
    for attempt in 1..accounts::MAX_FAILED_SIGN_INS {
        let err = accounts::authenticate(&f.store, "ada@example.com", &wrong).await.unwrap_err();
        assert_eq!(err.code(), Code::Unauthenticated, "attempt {attempt}");
    }
    let err = accounts::authenticate(&f.store, "ada@example.com", &wrong).await.unwrap_err();
    assert_eq!(err.code(), Code::Locked);
    // Locked even with the right password.
    let err = accounts::authenticate(&f.store, "ada@example.com", &Secret::new(PASSWORD))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Locked);
    assert!(err.to_string().contains("2026-01-01T00:15:00"), "{err}");

    f.clock.advance(Duration::minutes(accounts::LOCKOUT_MINUTES) + Duration::seconds(1));
    accounts::authenticate(&f.store, "ada@example.com", &Secret::new(PASSWORD)).await.unwrap();
}

#[tokio::test]
async fn unknown_emails_lock_too_so_a_lockout_reveals_nothing() {
    let f = fixture().await;
    let wrong = Secret::new("wrong password");
    let mut last = None;
    for _ in 0..accounts::MAX_FAILED_SIGN_INS {
        last =
            Some(accounts::authenticate(&f.store, "ghost@example.com", &wrong).await.unwrap_err());
    }
    assert_eq!(last.map(|e| e.code()), Some(Code::Locked));
}

#[tokio::test]
async fn the_current_profile_is_the_named_the_last_used_or_the_only_one() {
    let f = fixture().await;
    let err = accounts::current(&f.store, None).await.unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    let ada = account(&f.store, "ada@example.com").await;
    assert_eq!(accounts::current(&f.store, None).await.unwrap().id, ada.id);
    let bob = account(&f.store, "bob@example.com").await;
    let err = accounts::current(&f.store, None).await.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::InvalidInput, Some("as")));
    assert_eq!(accounts::current(&f.store, Some("BOB@example.com")).await.unwrap().id, bob.id);
    assert_eq!(accounts::current(&f.store, None).await.unwrap().id, bob.id, "last used");
}

#[tokio::test]
async fn a_profile_can_be_renamed_and_linked_to_github() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let changes = AccountChanges { name: Some("Ada L.".into()), github_login: Some("ada".into()) };
    let ada = accounts::update(&f.store, &ada.id, changes).await.unwrap();
    assert_eq!((ada.name.as_deref(), ada.github_login.as_deref()), (Some("Ada L."), Some("ada")));
    let cleared = AccountChanges { name: None, github_login: Some(String::new()) };
    let ada = accounts::update(&f.store, &ada.id, cleared).await.unwrap();
    assert_eq!((ada.name.as_deref(), ada.github_login), (Some("Ada L."), None));
}

#[tokio::test]
async fn a_malformed_github_login_is_refused_under_its_field_and_the_profile_keeps_its_own() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let changes = AccountChanges { name: None, github_login: Some("ada-gh".into()) };
    accounts::update(&f.store, &ada.id, changes).await.unwrap();
    let too_long = "a".repeat(40);
    for bad in ["-ada", "ada-", "ada--gh", "ada gh", "ada_gh", "adà", too_long.as_str()] {
        let changes = AccountChanges { name: None, github_login: Some(bad.into()) };
        let err = accounts::update(&f.store, &ada.id, changes).await.unwrap_err();
        assert_eq!((err.code(), err.field()), (Code::InvalidInput, Some("github_login")), "{bad}");
    }
    let kept = accounts::get(&f.store, &ada.id).await.unwrap();
    assert_eq!(kept.github_login.as_deref(), Some("ada-gh"));
    let longest = "a1-".repeat(13);
    let ok = longest.trim_end_matches('-');
    let changes = AccountChanges { name: None, github_login: Some(ok.into()) };
    let ada = accounts::update(&f.store, &ada.id, changes).await.unwrap();
    assert_eq!(ada.github_login.as_deref(), Some(ok));
}
