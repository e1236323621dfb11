use crate::support::*;
use codemyspec_core::components::{self, ComponentType, NewComponent};
use codemyspec_core::contexts::{self, ContextChanges, ContextType, NewContext};
use codemyspec_core::stories::{self, NewStory};
use codemyspec_core::{dependencies, Code};

fn new_context(name: &str) -> NewContext {
    NewContext {
        name: name.into(),
        kind: ContextType::Domain,
        purpose: "Money".into(),
        description: None,
    }
}

fn new_component(name: &str, context_id: Option<&str>) -> NewComponent {
    NewComponent {
        name: name.into(),
        kind: ComponentType::Schema,
        file_path: format!("lib/my_shop/{}.ex", name.to_lowercase().replace('.', "/")),
        description: None,
        context_id: context_id.map(str::to_owned),
    }
}

#[tokio::test]
async fn contexts_have_unique_names_per_project() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let q = project(&f.store, &ada, "my_blog").await;
    contexts::create(&f.store, &ada.id, &p.id, new_context("Payments")).await.unwrap();
    contexts::create(&f.store, &ada.id, &q.id, new_context("Payments")).await.unwrap();
    let err =
        contexts::create(&f.store, &ada.id, &p.id, new_context("Payments")).await.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::Conflict, Some("name")));
    let err =
        contexts::create(&f.store, &ada.id, &p.id, new_context("payments")).await.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::InvalidInput, Some("name")));
    assert_eq!(contexts::list(&f.store, &ada.id, &p.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn editing_a_context_dirties_its_components_and_their_dependents() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let ctx = contexts::create(&f.store, &ada.id, &p.id, new_context("Payments")).await.unwrap();
    let inside = components::create(
        &f.store,
        &ada.id,
        &p.id,
        new_component("Payments.Charge", Some(&ctx.id.to_string())),
    )
    .await
    .unwrap();
    let user = components::create(&f.store, &ada.id, &p.id, new_component("Orders.Checkout", None))
        .await
        .unwrap();
    let far = components::create(&f.store, &ada.id, &p.id, new_component("Web.CheckoutLive", None))
        .await
        .unwrap();
    let apart = components::create(&f.store, &ada.id, &p.id, new_component("Catalog.Item", None))
        .await
        .unwrap();
    dependencies::add(&f.store, &ada.id, &user.id, &inside.id).await.unwrap();
    dependencies::add(&f.store, &ada.id, &far.id, &user.id).await.unwrap();
    sqlx::query("DELETE FROM component_dirty_ranges").execute(f.store.pool()).await.unwrap();

    let ctx = contexts::approve(&f.store, &ada.id, &ctx.id, ctx.version).await.unwrap();
    let change = ContextChanges { purpose: Some("Take money".into()), ..Default::default() };
    let ctx = contexts::update(&f.store, &ada.id, &ctx.id, ctx.version, change).await.unwrap();
    assert_eq!((ctx.version, ctx.approved), (3, false));
    for (c, dirty) in [(&inside, true), (&user, true), (&far, true), (&apart, false)] {
        assert_eq!(
            components::get(&f.store, &ada.id, &c.id).await.unwrap().dirty,
            dirty,
            "{}",
            c.name
        );
    }
    let stale = ContextChanges { purpose: Some("Lose money".into()), ..Default::default() };
    let err = contexts::update(&f.store, &ada.id, &ctx.id, 1, stale).await.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::Conflict, Some("version")));
}

#[tokio::test]
async fn stories_link_within_one_project_and_linking_twice_is_harmless() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let q = project(&f.store, &ada, "my_blog").await;
    let ctx = contexts::create(&f.store, &ada.id, &p.id, new_context("Payments")).await.unwrap();
    let story = |title: &str| NewStory { title: title.into(), ..Default::default() };
    let pay = stories::create(&f.store, &ada.id, &p.id, story("Pay")).await.unwrap();
    let post = stories::create(&f.store, &ada.id, &q.id, story("Post")).await.unwrap();
    contexts::add_story(&f.store, &ada.id, &ctx.id, &pay.id).await.unwrap();
    contexts::add_story(&f.store, &ada.id, &ctx.id, &pay.id).await.unwrap();
    let err = contexts::add_story(&f.store, &ada.id, &ctx.id, &post.id).await.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::InvalidInput, Some("story_id")));
    let linked = contexts::list_stories(&f.store, &ada.id, &ctx.id).await.unwrap();
    assert_eq!(linked.iter().map(|s| s.id).collect::<Vec<_>>(), [pay.id]);
    contexts::remove_story(&f.store, &ada.id, &ctx.id, &pay.id).await.unwrap();
    let err = contexts::remove_story(&f.store, &ada.id, &ctx.id, &pay.id).await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
}

#[tokio::test]
async fn deleting_a_context_keeps_its_components_without_a_context() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let ctx = contexts::create(&f.store, &ada.id, &p.id, new_context("Payments")).await.unwrap();
    let c = components::create(
        &f.store,
        &ada.id,
        &p.id,
        new_component("Payments.Charge", Some(&ctx.id.to_string())),
    )
    .await
    .unwrap();
    assert_eq!(c.context_id, Some(ctx.id));
    contexts::delete(&f.store, &ada.id, &ctx.id).await.unwrap();
    let c = components::get(&f.store, &ada.id, &c.id).await.unwrap();
    assert_eq!((c.context_id, c.dirty), (None, true));
}
