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
        let actor = ada.id;
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

#[cfg(unix)]
#[tokio::test]
async fn the_data_dir_and_database_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("nested/data");
    let store = Store::open(&data).await.unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700, "data dir");
    let db = data.join(codemyspec_core::store::DB_FILE);
    assert_eq!(mode(&db), 0o600, "database");
    store.close().await;
    // An existing, too open data dir is narrowed when it is opened.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    Store::open(&data).await.unwrap();
    assert_eq!((mode(&data), mode(&db)), (0o700, 0o600));
}
