//! The client against the local GitHub stand-in: GitHub's payloads, headers and failures.

use codemyspec_github::{Client, DeviceCode, DeviceFlow, DevicePoll, GitHubError, PageCache};
use codemyspec_tests::GitHubStandIn;
use serde_json::json;
use std::time::{Duration, SystemTime};

const TOKEN: &str = "ghp_standin_ada";

fn signed_in() -> (GitHubStandIn, Client) {
    let gh = GitHubStandIn::start();
    gh.user("ada", TOKEN);
    let client = Client::new(&gh.url(), Some(TOKEN)).unwrap();
    (gh, client)
}

#[tokio::test]
async fn a_token_is_checked_with_get_user_and_its_scopes_and_budget_are_kept() {
    let (gh, client) = signed_in();
    let user = client.user().await.unwrap();
    assert_eq!(user.login, "ada");
    assert_eq!(client.scopes(), Some(vec!["repo".to_owned(), "read:org".to_owned()]));
    let budget = client.budget().expect("X-RateLimit-* is kept");
    assert_eq!((budget.limit, budget.remaining), (5000, 4999));

    let refused = Client::new(&gh.url(), Some("ghp_wrong")).unwrap().user().await.unwrap_err();
    assert_eq!(refused, GitHubError::Unauthorized);
    assert_eq!(refused.code(), "github_unauthorized");
}

#[tokio::test]
async fn three_pages_are_followed_by_link_and_an_unchanged_listing_is_all_304_and_free() {
    let (gh, client) = signed_in();
    gh.org("acme");
    for i in 0..250 {
        gh.repo("acme", &format!("repo_{i:03}"));
    }
    let first = client.list_repos(Some("acme"), &PageCache::default()).await.unwrap();
    assert_eq!((first.repos.len(), first.requests, first.not_modified), (250, 3, 0));
    let ids: std::collections::HashSet<u64> = first.repos.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 250, "every repository once");
    let before = client.budget().unwrap().remaining;

    let again = client.list_repos(Some("acme"), &first.cache).await.unwrap();
    assert_eq!((again.repos.len(), again.requests, again.not_modified), (250, 3, 3));
    assert_eq!(client.budget().unwrap().remaining, before, "304s cost nothing");
    assert_eq!(again.repos, first.repos);

    // A new repository changes the last page only.
    gh.repo("acme", "repo_new");
    let third = client.list_repos(Some("acme"), &again.cache).await.unwrap();
    assert_eq!((third.repos.len(), third.not_modified), (251, 2));
}

#[tokio::test]
async fn a_page_failing_in_the_middle_fails_the_whole_listing() {
    let (gh, client) = signed_in();
    gh.org("acme");
    for i in 0..150 {
        gh.repo("acme", &format!("r{i}"));
    }
    gh.control(
        "fail",
        json!({ "path": "/orgs/acme/repos", "query": "page=2", "status": 502, "body": "" }),
    );
    let err = client.list_repos(Some("acme"), &PageCache::default()).await.unwrap_err();
    assert_eq!(err, GitHubError::Server { status: 502 });
    assert!(err.is_transient());
}

#[tokio::test]
async fn rate_limits_say_until_when() {
    let (gh, client) = signed_in();
    gh.org("acme");
    // Primary: the budget is spent.
    gh.control("rate", json!({ "token": TOKEN, "remaining": 0 }));
    match client.list_repos(Some("acme"), &PageCache::default()).await.unwrap_err() {
        GitHubError::RateLimited { kind: "primary", until } => assert!(until > SystemTime::now()),
        other => panic!("{other:?}"),
    }
    gh.control("rate", json!({ "token": TOKEN, "remaining": 100 }));
    // Secondary: 429 (or 403) with Retry-After.
    let body = json!({ "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", "status": "429" });
    gh.control("fail", json!({ "path": "/user", "status": 429, "headers": { "retry-after": "30", "x-ratelimit-remaining": "99" }, "body": body }));
    match client.user().await.unwrap_err() {
        GitHubError::RateLimited { kind: "secondary", until } => {
            let wait = until.duration_since(SystemTime::now()).unwrap();
            assert!(wait > Duration::from_secs(25) && wait <= Duration::from_secs(30), "{wait:?}");
        }
        other => panic!("{other:?}"),
    }
    gh.control("fail", json!({ "path": "/user", "status": 403, "headers": { "x-ratelimit-remaining": "99" }, "body": body }));
    assert!(matches!(
        client.user().await.unwrap_err(),
        GitHubError::RateLimited { kind: "secondary", .. }
    ));
}

#[tokio::test]
async fn a_repository_is_created_once_and_a_taken_name_is_told_apart() {
    let (gh, client) = signed_in();
    gh.org("acme");
    let repo = client.create_repo(Some("acme"), "shop", true).await.unwrap();
    assert_eq!((repo.full_name.as_str(), repo.private), ("acme/shop", true));
    assert_eq!(
        repo.clone_url.as_deref(),
        Some(format!("{}/acme/shop.git", gh.url()).as_str()),
        "from the answer"
    );
    let taken = client.create_repo(Some("acme"), "shop", true).await.unwrap_err();
    assert_eq!(taken, GitHubError::NameExists { owner: "acme".into(), name: "shop".into() });
    let invalid = client.create_repo(Some("acme"), "", true).await.unwrap_err();
    assert!(matches!(invalid, GitHubError::Invalid { .. }), "{invalid:?}");
    let mine = client.create_repo(None, "mine", false).await.unwrap();
    assert_eq!(mine.owner.login, "ada");
    let nowhere = client.create_repo(Some("no_such_org"), "x", true).await.unwrap_err();
    assert!(matches!(nowhere, GitHubError::NotFound { .. }), "{nowhere:?}");
}

#[tokio::test]
async fn a_renamed_repository_is_found_by_its_old_name_with_the_same_id() {
    let (gh, client) = signed_in();
    gh.org("acme");
    let id = gh.repo("acme", "old_name");
    gh.control("rename", json!({ "owner": "acme", "name": "old_name", "new_name": "new_name" }));
    let repo = client.repo("acme", "old_name").await.unwrap().expect("the 301 is followed");
    assert_eq!((repo.id, repo.name.as_str()), (id, "new_name"));
    assert_eq!(client.repo("acme", "never_there").await.unwrap(), None);
}

#[tokio::test]
async fn no_server_is_offline() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener); // nothing listens there now: connection refused
    let client = Client::new(&format!("http://127.0.0.1:{port}"), Some(TOKEN)).unwrap();
    let err = client.user().await.unwrap_err();
    assert!(matches!(err, GitHubError::Offline { .. }), "{err:?}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn the_device_flow_handles_its_four_answers() {
    let gh = GitHubStandIn::start();
    let flow = DeviceFlow::new(&gh.url(), "Iv1.standin").unwrap();
    gh.control("device", json!({ "answers": ["authorization_pending", "slow_down", "ok"], "token": "gho_from_device", "interval": 1 }));
    let code = flow.start("repo read:org").await.unwrap();
    assert_eq!(code.user_code, "WDJB-MJHT");
    assert_eq!(code.verification_uri, format!("{}/login/device", gh.url()));
    assert_eq!(flow.poll(&code).await.unwrap(), DevicePoll::Pending);
    assert_eq!(flow.poll(&code).await.unwrap(), DevicePoll::SlowDown { interval: 6 });
    assert_eq!(flow.poll(&code).await.unwrap(), DevicePoll::Token("gho_from_device".into()));
    gh.control("device", json!({ "answers": ["expired_token"], "interval": 1 }));
    assert_eq!(flow.poll(&code).await.unwrap(), DevicePoll::Expired);
    gh.control("device", json!({ "answers": ["access_denied"], "interval": 1 }));
    let denied =
        flow.wait_for_token(&DeviceCode { interval: 1, ..code.clone() }).await.unwrap_err();
    assert!(denied.to_string().contains("refused"), "{denied}");
    assert!(DeviceFlow::new(&gh.url(), " ").is_err(), "a client id is needed");
}

#[tokio::test]
async fn a_repository_asked_after_by_id_follows_renames_and_moves_and_an_unchanged_one_is_a_free_304(
) {
    use codemyspec_github::ById;
    let (gh, client) = signed_in();
    gh.org("acme");
    gh.org("globex");
    let id = gh.repo("acme", "shop");
    let mut cache = PageCache::default();
    let first = client.repo_by_id(id, &PageCache::default(), &mut cache).await.unwrap();
    let ById::Found { repo, fresh: true } = first else { panic!("{first:?}") };
    assert_eq!(repo.full_name, "acme/shop");
    let before = client.budget().unwrap().remaining;
    let mut kept = PageCache::default();
    let again = client.repo_by_id(id, &cache, &mut kept).await.unwrap();
    assert_eq!(again, ById::Found { repo, fresh: false });
    assert_eq!(client.budget().unwrap().remaining, before, "a 304 costs nothing");
    assert_eq!(kept, cache, "the ETag is kept for the next check");

    gh.control("rename", json!({ "owner": "acme", "name": "shop", "new_name": "store" }));
    gh.control("transfer", json!({ "owner": "acme", "name": "store", "new_owner": "globex" }));
    let moved = client.repo_by_id(id, &kept, &mut PageCache::default()).await.unwrap();
    let ById::Found { repo, fresh: true } = moved else { panic!("{moved:?}") };
    assert_eq!((repo.id, repo.full_name.as_str()), (id, "globex/store"));

    // A failure says nothing about the repository, and keeps what was known.
    let path = format!("/repositories/{id}");
    gh.control("fail", json!({ "path": path, "status": 503, "body": "" }));
    let mut after = PageCache::default();
    let failed = client.repo_by_id(id, &kept, &mut after).await.unwrap_err();
    assert_eq!(failed, GitHubError::Server { status: 503 });
    assert_eq!(after, kept);

    gh.control("delete", json!({ "owner": "globex", "name": "store" }));
    let mut after = PageCache::default();
    assert_eq!(client.repo_by_id(id, &kept, &mut after).await.unwrap(), ById::Gone);
    assert!(after.pages.is_empty(), "nothing kept for a repository that is gone");
}

#[tokio::test]
async fn the_users_organizations_are_listed_over_pages_and_only_theirs() {
    let (gh, client) = signed_in();
    for i in 0..105 {
        gh.control("orgs", json!({ "login": format!("org-{i:03}"), "members": ["ada"] }));
    }
    gh.control("orgs", json!({ "login": "strangers", "members": ["bob"] }));
    let orgs = client.orgs().await.unwrap();
    let logins: Vec<&str> = orgs.iter().map(|o| o.login.as_str()).collect();
    assert_eq!(logins.len(), 105, "two pages followed by Link");
    assert_eq!((logins[0], logins[104]), ("org-000", "org-104"));
    assert!(!logins.contains(&"strangers"), "an organization ada is not in is not hers");

    gh.control("revoke", json!({ "token": TOKEN }));
    assert_eq!(client.orgs().await.unwrap_err(), GitHubError::Unauthorized);
}
