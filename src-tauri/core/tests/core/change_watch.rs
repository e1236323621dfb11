use crate::support::*;
use chrono::Duration;
use codemyspec_core::change_watch::ChangeWatch;
use codemyspec_core::projects::{self, ProjectChanges};

fn described(text: &str) -> ProjectChanges {
    ProjectChanges { description: Some(text.into()), ..Default::default() }
}

#[tokio::test]
async fn a_change_committed_just_after_a_look_that_missed_it_is_still_told_once() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let eve = account(&f.store, "eve@example.com").await;
    let shop = project(&f.store, &ada, "shop").await;
    let blog = project(&f.store, &ada, "blog").await;
    let mut ids = ChangeWatch::starting(&f.store);
    let mut whole = ChangeWatch::starting(&f.store);
    f.clock.advance(Duration::seconds(1));
    assert!(ids.changed_ids(&f.store, &ada.id).await.unwrap().is_empty(), "made before the start");

    // A setup's status write, say: stamped inside its transaction, committed a moment later.
    let mut tx = f.store.write().await.unwrap();
    sqlx::query("UPDATE projects SET setup_status = 'compiling', updated_at = ? WHERE id = ?")
        .bind(f.store.now())
        .bind(shop.id)
        .execute(&mut *tx)
        .await
        .unwrap();
    f.clock.advance(Duration::milliseconds(3));
    assert!(ids.changed_ids(&f.store, &ada.id).await.unwrap().is_empty(), "not committed yet");
    assert!(whole.changed(&f.store, &ada.id).await.unwrap().is_empty());
    tx.commit().await.unwrap();

    f.clock.advance(Duration::seconds(1));
    assert_eq!(ids.changed_ids(&f.store, &ada.id).await.unwrap(), vec![shop.id], "stamped before");
    let told = whole.changed(&f.store, &ada.id).await.unwrap();
    assert_eq!(
        told.iter().map(|p| (p.id, p.setup_status)).collect::<Vec<_>>(),
        vec![(shop.id, projects::SetupStatus::Compiling)]
    );
    f.clock.advance(Duration::seconds(1));
    assert!(ids.changed_ids(&f.store, &ada.id).await.unwrap().is_empty(), "told once");
    assert!(whole.changed(&f.store, &ada.id).await.unwrap().is_empty(), "told once");

    // Another process (the CLI) changes the blog, then the shop again; eve's project is not ada's.
    let other =
        codemyspec_core::Store::open_with_clock(f.dir.path(), std::sync::Arc::new(f.clock.clone()))
            .await
            .unwrap();
    projects::update(&other, &ada.id, &blog.id, described("a blog")).await.unwrap();
    f.clock.advance(Duration::milliseconds(10));
    project(&other, &eve, "eves").await;
    projects::update(&other, &ada.id, &shop.id, described("a shop")).await.unwrap();
    f.clock.advance(Duration::seconds(1));
    let changed = ids.changed_ids(&f.store, &ada.id).await.unwrap();
    assert_eq!(changed, vec![blog.id, shop.id], "oldest change first, each once");
    let changed = whole.changed(&f.store, &ada.id).await.unwrap();
    assert_eq!(changed.iter().map(|p| p.id).collect::<Vec<_>>(), vec![blog.id, shop.id]);
    assert_eq!(changed[1].description.as_deref(), Some("a shop"));

    // Long after: a later change of a project told before is told again.
    f.clock.advance(Duration::seconds(60));
    assert!(ids.changed_ids(&f.store, &ada.id).await.unwrap().is_empty());
    projects::update(&other, &ada.id, &shop.id, described("the shop")).await.unwrap();
    f.clock.advance(Duration::seconds(1));
    assert_eq!(ids.changed_ids(&f.store, &ada.id).await.unwrap(), vec![shop.id]);
}

#[tokio::test]
async fn a_project_deleted_before_the_look_is_not_told_and_the_rest_are_read_whole() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let shop = project(&f.store, &ada, "shop").await;
    let blog = project(&f.store, &ada, "blog").await;
    let mut whole = ChangeWatch::starting(&f.store);
    f.clock.advance(Duration::seconds(1));
    projects::update(&f.store, &ada.id, &shop.id, described("a shop")).await.unwrap();
    projects::update(&f.store, &ada.id, &blog.id, described("a blog")).await.unwrap();
    projects::delete(&f.store, &ada.id, &shop.id).await.unwrap();
    f.clock.advance(Duration::seconds(1));
    let told = whole.changed(&f.store, &ada.id).await.unwrap();
    assert_eq!(told.iter().map(|p| p.id).collect::<Vec<_>>(), vec![blog.id]);
    assert_eq!(told[0].description.as_deref(), Some("a blog"));
}
