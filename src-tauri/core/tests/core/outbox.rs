//! The outbox: every spec change is counted in the same transaction; a refused change and a
//! deleted project leave nothing behind.

use crate::support::*;
use codemyspec_core::components::{self, ComponentType, NewComponent};
use codemyspec_core::contexts::{self, ContextType, NewContext};
use codemyspec_core::stories::{self, NewStory, StoryChanges};
use codemyspec_core::{dependencies, design_docs, outbox, projects, Code};

#[tokio::test]
async fn every_kind_of_spec_change_is_in_the_outbox_and_a_refused_one_is_not() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "shop").await;
    let pending = || async { outbox::pending(&f.store, &ada.id, &p.id).await.unwrap() };
    assert_eq!((pending().await.entities, pending().await.changes), (0, 0));

    let new_story = NewStory {
        title: "Pay by card".into(),
        description: "As a buyer".into(),
        acceptance_criteria: None,
    };
    let story = stories::create(&f.store, &ada.id, &p.id, new_story).await.unwrap();
    let changes = StoryChanges { title: Some("Pay by card or cash".into()), ..Default::default() };
    stories::update(&f.store, &ada.id, &story.id, 1, changes.clone()).await.unwrap();
    assert_eq!(
        (pending().await.entities, pending().await.changes),
        (1, 2),
        "one story, two changes"
    );

    // A stale edit is refused and counts nothing.
    let stale = stories::update(&f.store, &ada.id, &story.id, 1, changes).await.unwrap_err();
    assert_eq!(stale.code(), Code::Conflict);
    assert_eq!(pending().await.changes, 2);

    let ctx = NewContext {
        name: "Payments".into(),
        kind: ContextType::Domain,
        purpose: "Take money".into(),
        description: None,
    };
    let context = contexts::create(&f.store, &ada.id, &p.id, ctx).await.unwrap();
    contexts::add_story(&f.store, &ada.id, &context.id, &story.id).await.unwrap();
    let component = |name: &str, file: &str| NewComponent {
        name: name.into(),
        kind: ComponentType::Schema,
        file_path: file.into(),
        description: None,
        context_id: None,
    };
    let a =
        components::create(&f.store, &ada.id, &p.id, component("Payments.Charge", "lib/charge.ex"))
            .await
            .unwrap();
    let b = components::create(&f.store, &ada.id, &p.id, component("Payments", "lib/payments.ex"))
        .await
        .unwrap();
    dependencies::add(&f.store, &ada.id, &b.id, &a.id).await.unwrap();
    design_docs::save(&f.store, &ada.id, &a.id, None, "# Charge\n").await.unwrap();
    // The files that change: the story, the context (its link), the 2 components (one's
    // dependency, the other's design doc).
    assert_eq!(pending().await.entities, 4);

    components::delete(&f.store, &ada.id, &a.id).await.unwrap();
    let after = pending().await;
    assert_eq!(after.entities, 4, "a delete of known entities adds changes, not entities");
    assert!(after.changes > 8, "{after:?}");

    // Another member's view counts the same; someone outside the project sees nothing.
    let eve = account(&f.store, "eve@example.com").await;
    assert_eq!(outbox::pending(&f.store, &eve.id, &p.id).await.unwrap_err().code(), Code::NotFound);

    // Deleting the project takes its outbox with it.
    projects::delete(&f.store, &ada.id, &p.id).await.unwrap();
    let left: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox").fetch_one(f.store.pool()).await.unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn every_spec_change_moves_its_project_past_the_revision_a_window_saw() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let eve = account(&f.store, "eve@example.com").await;
    let shop = project(&f.store, &ada, "shop").await;
    let blog = project(&f.store, &ada, "blog").await;
    let (none, start) = outbox::changed_after(&f.store, &ada.id, i64::MAX).await.unwrap();
    assert!(none.is_empty());
    let new = |title: &str| NewStory {
        title: title.into(),
        description: "d".into(),
        ..Default::default()
    };
    stories::create(&f.store, &ada.id, &shop.id, new("one")).await.unwrap();
    stories::create(&f.store, &ada.id, &blog.id, new("two")).await.unwrap();
    stories::create(&f.store, &ada.id, &shop.id, new("three")).await.unwrap();
    let (changed, newest) = outbox::changed_after(&f.store, &ada.id, start).await.unwrap();
    assert_eq!(changed, vec![blog.id, shop.id], "each once, newest last");
    assert!(newest > start);
    let (again, same) = outbox::changed_after(&f.store, &ada.id, newest).await.unwrap();
    assert_eq!((again.len(), same), (0, newest), "nothing new");
    let (theirs, _) = outbox::changed_after(&f.store, &eve.id, start).await.unwrap();
    assert!(theirs.is_empty(), "someone outside the projects hears nothing");
}
