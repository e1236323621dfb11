//! GitHub set up from the window (issue 19): the host, its API address and the client id
//! saved together by the CLI's rules, the owners a profile may sync as GitHub lists them, and
//! a token GitHub refuses read as refused (the OS keyring: run under `make test`'s session).

use crate::support::*;
use crate::sync::{World, TOKEN};
use codemyspec_core::settings::{self, GitHubSettings, Setting};
use codemyspec_core::{github, settings_view, sync, Code};
use serde_json::json;

fn github_settings(host: &str, api: &str, client_id: &str) -> GitHubSettings {
    GitHubSettings {
        github_host: host.into(),
        github_api_url: api.into(),
        github_client_id: client_id.into(),
    }
}

#[tokio::test]
async fn each_bad_github_setting_is_refused_on_its_own_field_and_nothing_is_written() {
    let f = fixture().await;
    let before = settings_view::values(&f.store, None).await.unwrap();
    let err = settings::set_github(&f.store, &github_settings("not a host!", "ftp://x", "bad id!"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::InvalidInput);
    let fields: Vec<String> = err.to_view().fields.into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["github_host", "github_api_url", "github_client_id"]);

    // The API address must be the host's own, as `config set` says.
    let err = settings::set_github(
        &f.store,
        &github_settings("ghe.example.com", "https://api.github.com", ""),
    )
    .await
    .unwrap_err();
    let view = err.to_view();
    assert_eq!(view.fields.len(), 1);
    assert_eq!(view.fields[0].field, "github_api_url");
    assert!(view.fields[0].message.contains("ghe.example.com"), "{}", view.fields[0].message);
    assert_eq!(settings_view::values(&f.store, None).await.unwrap().len(), before.len());
    assert_eq!(settings::get(&f.store, Setting::GithubHost).await.unwrap(), None);
}

#[tokio::test]
async fn an_enterprise_host_and_its_api_are_saved_in_one_step_and_blank_means_the_default() {
    let f = fixture().await;
    // With the CLI this move takes two steps in the right order; here it is one.
    settings::set(&f.store, Setting::GithubApiUrl, "https://api.github.com").await.unwrap();
    settings::set_github(
        &f.store,
        &github_settings("ghe.example.com", "https://ghe.example.com/api/v3", "Iv1.abc-123"),
    )
    .await
    .unwrap();
    let get = |key| {
        let store = f.store.clone();
        async move { settings::get(&store, key).await.unwrap() }
    };
    assert_eq!(get(Setting::GithubHost).await.as_deref(), Some("ghe.example.com"));
    assert_eq!(get(Setting::GithubApiUrl).await.as_deref(), Some("https://ghe.example.com/api/v3"));
    assert_eq!(get(Setting::GithubClientId).await.as_deref(), Some("Iv1.abc-123"));

    settings::set_github(&f.store, &github_settings("", "", "")).await.unwrap();
    for key in [Setting::GithubHost, Setting::GithubApiUrl, Setting::GithubClientId] {
        assert_eq!(get(key).await, None, "{key}");
    }
}

#[tokio::test]
async fn the_profile_chooses_among_its_account_and_the_organizations_github_lists_for_it() {
    let w = World::new().await;
    w.gh.control("orgs", json!({ "login": "globex", "members": ["ada-gh"] }));
    w.gh.control("orgs", json!({ "login": "initech", "members": ["someone-else"] }));
    let owners = github::owners(&w.f.store, &w.secrets, &w.ada.id).await.unwrap();
    let listed: Vec<(&str, bool)> =
        owners.iter().map(|o| (o.login.as_str(), o.is_account)).collect();
    assert_eq!(listed, [("ada-gh", true), ("globex", false)]);

    w.gh.control("revoke", json!({ "token": TOKEN }));
    let err = github::owners(&w.f.store, &w.secrets, &w.ada.id).await.unwrap_err();
    assert_eq!(err.field(), Some("token"));
}

#[tokio::test]
async fn a_token_github_refuses_reads_refused_and_the_sync_asks_to_sign_in_again() {
    let mut w = World::new().await;
    let fine = github::status(&w.f.store, &w.secrets, &w.ada.id).await.unwrap();
    assert_eq!((fine.login.as_deref(), fine.refused), (Some("ada-gh"), false));
    assert!(w.sync().await.error.is_none());
    assert!(!sync::status(&w.f.store, &w.ada.id).await.unwrap().needs_sign_in);

    w.gh.control("revoke", json!({ "token": TOKEN }));
    let refused = github::status(&w.f.store, &w.secrets, &w.ada.id).await.unwrap();
    assert!(refused.refused && refused.token_set && refused.login.is_none(), "{refused:?}");
    w.sync().await;
    assert!(sync::status(&w.f.store, &w.ada.id).await.unwrap().needs_sign_in);

    // Offline is not refused: nothing to sign in again for.
    w.gh.stop();
    let offline = github::status(&w.f.store, &w.secrets, &w.ada.id).await.unwrap();
    assert!(!offline.refused && offline.problem.is_some(), "{offline:?}");
}
