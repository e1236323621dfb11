//! Notifications that reach the person whichever process ran the sync: a project gone
//! missing and new docs conflicts are recorded with the change, and claimed by exactly one
//! process (the app for its own profile's projects, a worker for all). Real SQLite, the
//! GitHub stand-in, real git over the local smart-HTTP server, the OS keyring (run under
//! `make test`'s D-Bus session).

use crate::support::*;
use crate::sync::World;
use codemyspec_core::docs_sync;
use codemyspec_core::notices::{self, Claimer};
use codemyspec_core::projects::{self, NewProject};
use codemyspec_core::secrets::{Keyring, SecretStore};
use codemyspec_core::stories::{self, NewStory, StoryChanges};
use codemyspec_core::AccountId;
use codemyspec_core::ProjectId;
use codemyspec_core::Secret;
use codemyspec_core::StoryId;
use codemyspec_tests::GitServer;
use serde_json::json;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn a_project_gone_from_github_is_notified_once_by_one_process_and_only_to_its_people() {
    let w = World::new().await;
    w.gh.repo("acme", "shop");
    w.sync().await;
    let shop = w.named("shop").await;
    as_set_up(&w.f.store, &shop.id).await;
    assert_eq!(notices::claim(&w.f.store, Claimer::Worker).await.unwrap(), vec![]);

    w.gh.control("hide", json!({ "owner": "acme", "name": "shop", "hidden": true }));
    assert_eq!(w.sync().await.missing, 1);
    // Another profile's window never sees it.
    let bob = account(&w.f.store, "bob@example.com").await;
    assert_eq!(
        notices::claim(&w.f.store, Claimer::App { profile: &bob.id }).await.unwrap(),
        vec![]
    );
    // Ada's window claims it; a worker running beside it does not show it again.
    let shown = notices::claim(&w.f.store, Claimer::App { profile: &w.ada.id }).await.unwrap();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0].summary, "shop is missing on GitHub");
    assert!(shown[0].body.contains("gone from GitHub"), "{}", shown[0].body);
    assert_eq!(notices::claim(&w.f.store, Claimer::Worker).await.unwrap(), vec![]);

    // Put back (that process could not show it): the next process gets it.
    notices::release(&w.f.store, shown[0].id).await.unwrap();
    let again = notices::claim(&w.f.store, Claimer::Worker).await.unwrap();
    assert_eq!(again.iter().map(|n| n.id).collect::<Vec<_>>(), vec![shown[0].id]);

    // Still gone at the next heartbeat: not news.
    w.sync().await;
    assert_eq!(notices::claim(&w.f.store, Claimer::Worker).await.unwrap(), vec![]);
}

/// A data dir ("machine") with a profile whose token reaches `git`, and a project `shop`
/// publishing to `url`.
async fn machine(git: &GitServer, email: &str, url: &str) -> (Fixture, AccountId, ProjectId) {
    let f = fixture().await;
    let who = account(&f.store, email).await;
    let secrets: Arc<dyn SecretStore> = Arc::new(Keyring);
    secrets.set(&who.id, &git.host(), &Secret::new(&git.token)).expect("the OS keyring");
    let new =
        NewProject { name: "shop".into(), docs_repo: Some(url.to_owned()), ..Default::default() };
    let p = projects::create(&f.store, &who.id, new).await.unwrap();
    (f, who.id, p.id)
}

async fn sync(f: &Fixture, actor: &AccountId, project: &ProjectId) -> docs_sync::SyncReport {
    let secrets: Arc<dyn SecretStore> = Arc::new(Keyring);
    docs_sync::run_once(&f.store, &secrets, actor, project, &CancellationToken::new())
        .await
        .unwrap_or_else(|e| panic!("sync: {e}"))
}

async fn retitle(f: &Fixture, actor: &AccountId, story: &StoryId, title: &str) {
    let s = stories::get(&f.store, actor, story).await.unwrap();
    let changes = StoryChanges { title: Some(title.into()), ..Default::default() };
    stories::update(&f.store, actor, story, s.version, changes).await.unwrap();
}

#[tokio::test]
async fn new_docs_conflicts_are_notified_once_and_a_conflict_already_known_is_not_news() {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let (a, ada, a_shop) = machine(&git, "ada@example.com", &url).await;
    let new =
        NewStory { title: "Checkout".into(), description: "Pay.".into(), ..Default::default() };
    let story = stories::create(&a.store, &ada, &a_shop, new).await.unwrap().id;
    sync(&a, &ada, &a_shop).await;
    let (b, bob, b_shop) = machine(&git, "bob@example.com", &url).await;
    assert_eq!(sync(&b, &bob, &b_shop).await.imported, 1);

    retitle(&a, &ada, &story, "Checkout (A)").await;
    retitle(&b, &bob, &story, "Checkout (B)").await;
    sync(&a, &ada, &a_shop).await;
    let clash = sync(&b, &bob, &b_shop).await;
    assert_eq!(clash.conflicts, 1, "{clash:?}");
    let shown = notices::claim(&b.store, Claimer::Worker).await.unwrap();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0].summary, "A docs conflict in shop");
    assert!(shown[0].body.contains("codemyspec docs conflicts -p shop"), "{}", shown[0].body);
    assert_eq!(notices::claim(&a.store, Claimer::Worker).await.unwrap(), vec![], "A had none");

    // The same conflict at the next sync, still open: no second notice.
    retitle(&a, &ada, &story, "Checkout (A, again)").await;
    sync(&a, &ada, &a_shop).await;
    assert_eq!(sync(&b, &bob, &b_shop).await.conflicts, 1);
    assert_eq!(notices::claim(&b.store, Claimer::App { profile: &bob }).await.unwrap(), vec![]);
}
