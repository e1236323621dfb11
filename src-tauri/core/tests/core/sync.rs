//! The org sync against the local GitHub stand-in, with the OS keyring (run under
//! `make test`'s D-Bus session): discovery over Link pages, free 304 re-syncs, renames,
//! deletions and reappearances by id, and every way a run can fail changing nothing.

use crate::support::*;
use codemyspec_core::events::Broadcaster;
use codemyspec_core::lifecycle;
use codemyspec_core::projects::{self, NewProject, Project};
use codemyspec_core::secrets::{Keyring, SecretStore};
use codemyspec_core::sync::{self, SyncRun};
use codemyspec_core::{settings, Secret, Stage};
use codemyspec_tests::GitHubStandIn;
use serde_json::json;
use std::sync::Arc;

pub(crate) const TOKEN: &str = "ghp_sync_ada";

pub(crate) struct World {
    pub gh: GitHubStandIn,
    pub f: Fixture,
    pub ada: codemyspec_core::accounts::Account,
    pub events: Broadcaster,
    pub secrets: Arc<dyn SecretStore>,
}

impl World {
    pub async fn new() -> World {
        let gh = GitHubStandIn::start();
        gh.user("ada-gh", TOKEN);
        gh.org("acme");
        let f = fixture().await;
        let ada = account(&f.store, "ada@example.com").await;
        settings::set(&f.store, settings::Setting::GithubApiUrl, &gh.url()).await.unwrap();
        sync::set_org(&f.store, &ada.id, "acme").await.unwrap();
        let secrets: Arc<dyn SecretStore> = Arc::new(Keyring);
        secrets
            .set(&ada.id, &format!("127.0.0.1:{}", gh.port), &Secret::new(TOKEN))
            .expect("the OS keyring (run under make test)");
        World { gh, f, ada, events: Broadcaster::new(), secrets }
    }

    pub async fn sync(&self) -> SyncRun {
        sync::run_once(&self.f.store, &self.events, &self.secrets, &self.ada.id).await.unwrap()
    }

    pub async fn projects(&self) -> Vec<Project> {
        projects::list(&self.f.store, &self.ada.id).await.unwrap()
    }

    pub async fn named(&self, github_name: &str) -> Project {
        self.projects()
            .await
            .into_iter()
            .find(|p| p.github_repo_name.as_deref() == Some(github_name))
            .unwrap_or_else(|| panic!("a project for {github_name}"))
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = self.secrets.delete(&self.ada.id, &format!("127.0.0.1:{}", self.gh.port));
    }
}

#[tokio::test]
async fn new_repositories_over_three_pages_are_discovered_and_an_unchanged_resync_is_free() {
    let w = World::new().await;
    for i in 0..249 {
        w.gh.repo("acme", &format!("Repo-{i:03}"));
    }
    // A local project whose docs repository is in the org: matched, not imported.
    let local = projects::create(
        &w.f.store,
        &w.ada.id,
        NewProject {
            name: "shop".into(),
            docs_repo: Some(format!("{}/acme/shop_docs", w.gh.url())),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let docs_id = w.gh.repo("acme", "shop_docs");

    let first = w.sync().await;
    assert_eq!(
        (first.status.as_str(), first.requests, first.not_modified),
        ("ok", 3, 0),
        "{first:?}"
    );
    assert_eq!(first.discovered, 249);
    let all = w.projects().await;
    assert_eq!(all.len(), 250);
    let discovered = w.named("Repo-007").await;
    assert_eq!((discovered.name.as_str(), discovered.stage), ("repo_007", Stage::Discovered));
    assert!(discovered.code_repo.unwrap().ends_with("/acme/Repo-007"), "URL from GitHub's answer");
    let shop = projects::get(&w.f.store, &w.ada.id, &local.id).await.unwrap();
    assert_eq!(shop.docs_repo_id, Some(docs_id as i64), "matched by its URL, then known by id");

    let again = w.sync().await;
    assert_eq!((again.requests, again.not_modified, again.discovered), (3, 3, 0), "{again:?}");
    assert_eq!(again.rate_remaining, first.rate_remaining, "304s cost no rate budget");
    assert_eq!(w.projects().await.len(), 250);
}

#[tokio::test]
async fn renames_deletions_and_returns_are_followed_by_id() {
    let w = World::new().await;
    w.gh.repo("acme", "shop");
    w.gh.repo("acme", "blog");
    w.gh.repo("acme", "draft_one");
    w.sync().await;
    // Ada adopts shop and blog; draft_one stays discovered.
    for name in ["shop", "blog"] {
        let p = w.named(name).await;
        as_set_up(&w.f.store, &p.id).await;
    }

    w.gh.control("rename", json!({ "owner": "acme", "name": "shop", "new_name": "storefront" }));
    w.gh.control("hide", json!({ "owner": "acme", "name": "blog", "hidden": true }));
    w.gh.control("hide", json!({ "owner": "acme", "name": "draft_one", "hidden": true }));
    let run = w.sync().await;
    assert_eq!((run.renamed, run.missing, run.discovered), (1, 1, 0), "{run:?}");
    let shop = w.named("storefront").await;
    assert_eq!(shop.name, "shop", "the app keeps its name");
    assert!(shop.code_repo.as_deref().unwrap().ends_with("/acme/storefront"));
    let history = lifecycle::history(&w.f.store, &w.ada.id, &shop.id).await.unwrap();
    assert!(history.iter().any(|t| t.reason.contains("renamed on GitHub: shop → storefront")));
    assert_eq!(w.named("blog").await.stage, Stage::Missing);
    assert_eq!(
        w.named("draft_one").await.stage,
        Stage::Discovered,
        "only initialized or later go missing"
    );

    w.gh.control("hide", json!({ "owner": "acme", "name": "blog", "hidden": false }));
    let back = w.sync().await;
    assert_eq!(back.reappeared, 1, "{back:?}");
    assert_eq!(w.named("blog").await.stage, Stage::Initialized, "back to the stage it had");
}

#[tokio::test]
async fn a_failed_page_no_network_or_a_low_budget_changes_nothing() {
    let w = World::new().await;
    for i in 0..150 {
        w.gh.repo("acme", &format!("r{i}"));
    }
    w.sync().await;
    let adopted = w.named("r5").await;
    as_set_up(&w.f.store, &adopted.id).await;
    w.gh.control("hide", json!({ "owner": "acme", "name": "r5", "hidden": true }));

    // A 502 on page 2: the listing is incomplete, so nothing may be marked missing.
    w.gh.control(
        "fail",
        json!({ "path": "/orgs/acme/repos", "query": "page=2", "status": 502, "body": "" }),
    );
    let failed = w.sync().await;
    assert_eq!(failed.status, "failed", "{failed:?}");
    assert!(failed.error.as_deref().unwrap().contains("502"));
    assert_eq!(failed.missing, 0);
    assert_eq!(w.named("r5").await.stage, Stage::Initialized);

    // A complete listing without it, and GitHub's 404 for its id: missing.
    let complete = w.sync().await;
    assert_eq!((complete.status.as_str(), complete.missing), ("ok", 1), "{complete:?}");
    assert_eq!(w.named("r5").await.stage, Stage::Missing, "a complete listing and a 404 mark it");

    // A low rate budget: background work waits for the reset.
    w.gh.control("rate", json!({ "token": TOKEN, "remaining": 100 }));
    let spent = w.sync().await;
    assert_eq!(spent.status, "ok", "the run that learns the budget still runs: {spent:?}");
    let floor = w.sync().await;
    assert_eq!(floor.status, "skipped");
    assert!(floor.error.as_deref().unwrap().contains("rate budget is low"), "{floor:?}");
    assert_eq!(floor.requests, 0, "nothing spent");
}

#[tokio::test]
async fn a_secondary_rate_limit_pauses_the_sync_until_it_lifts() {
    let w = World::new().await;
    w.gh.repo("acme", "shop");
    let body = json!({ "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", "status": "429" });
    w.gh.control("fail", json!({ "path": "/orgs/acme/repos", "status": 429, "headers": { "retry-after": "120" }, "body": body }));
    let limited = w.sync().await;
    assert_eq!(limited.status, "skipped");
    assert!(limited.error.as_deref().unwrap().contains("rate limit"), "{limited:?}");
    assert_eq!(limited.rate_remaining, Some(0), "{limited:?}");
    // The next run does not ask GitHub at all until the limit lifts.
    let paused = w.sync().await;
    assert_eq!((paused.status.as_str(), paused.requests), ("skipped", 0), "{paused:?}");
    let log = w.gh.control("log", json!({}));
    let listings = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"].as_str().unwrap().starts_with("/orgs/acme/repos"))
        .count();
    assert_eq!(listings, 1, "one request, the limited one");
}

#[tokio::test]
async fn offline_or_signed_out_the_run_is_skipped_and_says_why() {
    let mut w = World::new().await;
    w.gh.repo("acme", "shop");
    w.secrets.delete(&w.ada.id, &format!("127.0.0.1:{}", w.gh.port)).unwrap();
    let signed_out = w.sync().await;
    assert_eq!(signed_out.status, "skipped");
    assert!(signed_out.error.as_deref().unwrap().contains("not signed in"), "{signed_out:?}");
    w.secrets.set(&w.ada.id, &format!("127.0.0.1:{}", w.gh.port), &Secret::new(TOKEN)).unwrap();
    w.gh.stop(); // GitHub cannot be reached
    let offline = w.sync().await;
    assert_eq!(offline.status, "skipped");
    assert!(offline.error.as_deref().unwrap().contains("cannot be reached"), "{offline:?}");
    assert!(w.projects().await.is_empty(), "nothing imported");
    let runs = sync::runs(&w.f.store, &w.ada.id, 10).await.unwrap();
    assert_eq!(runs.len(), 2);
}

#[tokio::test]
async fn two_profiles_syncing_one_org_import_each_repository_once() {
    let w = World::new().await;
    w.gh.repo("acme", "shared");
    w.sync().await;
    let bob = account(&w.f.store, "bob@example.com").await;
    w.gh.user("bob-gh", "ghp_sync_bob");
    sync::set_org(&w.f.store, &bob.id, "acme").await.unwrap();
    w.secrets
        .set(&bob.id, &format!("127.0.0.1:{}", w.gh.port), &Secret::new("ghp_sync_bob"))
        .unwrap();
    let run = sync::run_once(&w.f.store, &w.events, &w.secrets, &bob.id).await.unwrap();
    assert_eq!(
        (run.status.as_str(), run.discovered),
        ("ok", 0),
        "it is Ada's project already: {run:?}"
    );
    w.secrets.delete(&bob.id, &format!("127.0.0.1:{}", w.gh.port)).unwrap();
}

#[tokio::test]
async fn a_runner_starting_while_a_heartbeat_runs_queues_no_second_beat() {
    let w = World::new().await;
    codemyspec_core::github::login_with_token(
        &w.f.store,
        &w.secrets,
        &w.ada.id,
        Secret::new(TOKEN),
    )
    .await
    .unwrap();
    assert_eq!(sync::schedule_heartbeats(&w.f.store).await.unwrap(), 1);
    let running = codemyspec_core::jobs::claim(&w.f.store, sync::QUEUE, 10).await.unwrap();
    assert_eq!(running.len(), 1, "a runner took the beat");
    // Another runner (the app, a worker) starts and schedules heartbeats meanwhile.
    sync::schedule_heartbeats(&w.f.store).await.unwrap();
    let due = codemyspec_core::jobs::claim(&w.f.store, sync::QUEUE, 10).await.unwrap();
    assert_eq!(due, [], "the running beat queues the next one itself");
}

#[tokio::test]
async fn a_missing_project_pointed_at_another_repository_is_back_at_the_next_heartbeat() {
    let w = World::new().await;
    w.gh.repo("acme", "blog");
    w.sync().await;
    let blog = w.named("blog").await;
    as_set_up(&w.f.store, &blog.id).await;
    w.gh.control("hide", json!({ "owner": "acme", "name": "blog", "hidden": true }));
    assert_eq!(w.sync().await.missing, 1);

    // The person made a new repository and points the project at it in the edit form.
    w.gh.repo("acme", "blog-2026");
    let url = format!("{}/acme/blog-2026", w.gh.url());
    let changes = projects::ProjectChanges { code_repo: Some(url.clone()), ..Default::default() };
    projects::update(&w.f.store, &w.ada.id, &blog.id, changes).await.unwrap();
    let still = projects::get(&w.f.store, &w.ada.id, &blog.id).await.unwrap();
    assert_eq!(still.stage, Stage::Missing, "nothing is known of the new repository yet");

    let run = w.sync().await;
    assert_eq!((run.reappeared, run.discovered), (1, 0), "{run:?}");
    let back = projects::get(&w.f.store, &w.ada.id, &blog.id).await.unwrap();
    assert_eq!(back.stage, Stage::Initialized, "back to the stage it left");
    assert_eq!(back.github_repo_name.as_deref(), Some("blog-2026"));
    let history = lifecycle::history(&w.f.store, &w.ada.id, &blog.id).await.unwrap();
    assert!(history.iter().any(|t| t.reason.contains("pointed at acme/blog-2026")), "{history:?}");
}
