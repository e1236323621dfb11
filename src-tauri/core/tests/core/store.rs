use crate::support::*;
use codemyspec_core::{projects, Store};

#[tokio::test]
async fn the_database_is_one_wal_file_with_foreign_keys_and_migrations_applied() {
    let f = fixture().await;
    assert!(f.dir.path().join(codemyspec_core::store::DB_FILE).is_file());
    let mode: String =
        sqlx::query_scalar("PRAGMA journal_mode").fetch_one(f.store.pool()).await.unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 =
        sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(f.store.pool()).await.unwrap();
    assert_eq!(fk, 1);
    let busy: i64 =
        sqlx::query_scalar("PRAGMA busy_timeout").fetch_one(f.store.pool()).await.unwrap();
    assert!(busy >= 5000, "busy_timeout {busy}");
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(f.store.pool())
        .await
        .unwrap();
    assert!(applied >= 1);
}

#[tokio::test]
async fn data_survives_closing_and_reopening_the_file() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    f.store.close().await;
    let reopened = Store::open(f.dir.path()).await.unwrap();
    assert_eq!(projects::get(&reopened, &ada.id, &p.id).await.unwrap(), p);
}

#[tokio::test]
async fn concurrent_writers_wait_for_each_other_instead_of_failing() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let store = f.store.clone();
        let actor = ada.id.clone();
        tasks.push(tokio::spawn(async move {
            let new = projects::NewProject { name: format!("p{i}"), ..Default::default() };
            projects::create(&store, &actor, new).await
        }));
    }
    for t in tasks {
        t.await.unwrap().expect("no SQLITE_BUSY under BEGIN IMMEDIATE");
    }
    assert_eq!(projects::list(&f.store, &ada.id).await.unwrap().len(), 40);
}
