//! The docs sync's guarantees that a process test cannot time: a sync that died after its
//! push but before recording it makes no second commit; a remote that kept our commit but
//! lost our record of it is recognised. Real git over the local smart-HTTP server, the OS
//! keyring (run under `make test`'s D-Bus session).

use crate::support::*;
use codemyspec_core::docs_sync::{self, SyncReport};
use codemyspec_core::projects::{self, NewProject};
use codemyspec_core::secrets::{Keyring, SecretStore};
use codemyspec_core::stories::{self, NewStory, StoryChanges};
use codemyspec_core::Secret;
use codemyspec_tests::GitServer;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

async fn sync(
    f: &Fixture,
    secrets: &Arc<dyn SecretStore>,
    actor: &str,
    project: &str,
) -> SyncReport {
    docs_sync::run_once(&f.store, secrets, actor, project, &CancellationToken::new())
        .await
        .unwrap_or_else(|e| panic!("sync: {e}"))
}

async fn exec(f: &Fixture, sql: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(f.store.pool()).await.unwrap();
}

#[tokio::test]
async fn a_sync_that_died_after_its_push_makes_no_second_commit_and_loses_nothing() {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let secrets: Arc<dyn SecretStore> = Arc::new(Keyring);
    secrets.set(&ada.id, &git.host(), &Secret::new(&git.token)).expect("the OS keyring");
    let new = NewProject { name: "shop".into(), docs_repo: Some(url), ..Default::default() };
    let p = projects::create(&f.store, &ada.id, new).await.unwrap();
    let new =
        NewStory { title: "Checkout".into(), description: "Pay.".into(), ..Default::default() };
    let story = stories::create(&f.store, &ada.id, &p.id, new).await.unwrap();
    let first = sync(&f, &secrets, &ada.id, &p.id).await;
    assert!(first.commit.is_some());

    let changes = StoryChanges { title: Some("Checkout, pushed".into()), ..Default::default() };
    stories::update(&f.store, &ada.id, &story.id, story.version, changes).await.unwrap();
    // What the database holds before the sync records anything...
    exec(
        &f,
        "CREATE TABLE saved_entities AS SELECT * FROM docs_entities; \
         CREATE TABLE saved_outbox AS SELECT * FROM outbox; \
         CREATE TABLE saved_sync AS SELECT * FROM docs_sync;",
    )
    .await;
    let pushed = sync(&f, &secrets, &ada.id, &p.id).await;
    assert!(pushed.commit.is_some());
    assert_eq!(git.commits("acme", "shop_docs"), 2);
    // ...is what it holds when the process dies between the push and its record.
    exec(
        &f,
        "DELETE FROM docs_entities; INSERT INTO docs_entities SELECT * FROM saved_entities; \
         DELETE FROM outbox; INSERT INTO outbox SELECT * FROM saved_outbox; \
         DELETE FROM docs_sync; INSERT INTO docs_sync SELECT * FROM saved_sync;",
    )
    .await;
    assert_eq!(docs_sync::status(&f.store, &ada.id, &p.id).await.unwrap().outbox.entities, 1);

    let again = sync(&f, &secrets, &ada.id, &p.id).await;
    assert_eq!(again.commit, None, "its own commit is already there: {again:?}");
    assert_eq!(again.synced_commit, pushed.commit);
    assert_eq!(git.commits("acme", "shop_docs"), 2, "no duplicate commit");
    let status = docs_sync::status(&f.store, &ada.id, &p.id).await.unwrap();
    assert_eq!((status.outbox.entities, status.conflicts), (0, 0));
    let here = stories::get(&f.store, &ada.id, &story.id).await.unwrap();
    assert_eq!(here.title, "Checkout, pushed", "nothing lost or undone");
}
