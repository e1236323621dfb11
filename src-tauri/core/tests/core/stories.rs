use crate::support::*;
use codemyspec_core::contexts::{self, ContextType, NewContext};
use codemyspec_core::stories::{self, NewStory, StoryChanges, StoryStatus};
use codemyspec_core::{Code, Error};

fn new_story(title: &str) -> NewStory {
    NewStory {
        title: title.into(),
        description: "As a buyer I want to pay".into(),
        acceptance_criteria: Some("- card accepted".into()),
    }
}

fn new_context(name: &str) -> NewContext {
    NewContext {
        name: name.into(),
        kind: ContextType::Domain,
        purpose: "Payments".into(),
        description: None,
    }
}

#[tokio::test]
async fn stories_are_created_listed_and_read() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let s = stories::create(&f.store, &ada.id, &p.id, new_story("Pay")).await.unwrap();
    assert_eq!((s.status, s.version, s.dirty, s.approved), (StoryStatus::Draft, 1, false, false));
    f.clock.advance(chrono::Duration::seconds(1));
    stories::create(&f.store, &ada.id, &p.id, new_story("Refund")).await.unwrap();
    let titles: Vec<String> = stories::list(&f.store, &ada.id, &p.id)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.title)
        .collect();
    assert_eq!(titles, ["Pay", "Refund"]);
    assert_eq!(stories::get(&f.store, &ada.id, &s.id).await.unwrap(), s);
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_overwrites_nothing() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let s = stories::create(&f.store, &ada.id, &p.id, new_story("Pay")).await.unwrap();
    let first = StoryChanges { title: Some("Pay by card".into()), ..Default::default() };
    let s2 = stories::update(&f.store, &ada.id, &s.id, 1, first).await.unwrap();
    assert_eq!((s2.title.as_str(), s2.version), ("Pay by card", 2));

    let before = snapshot(&f.store).await;
    let late = StoryChanges { title: Some("Pay by cash".into()), ..Default::default() };
    let err = stories::update(&f.store, &ada.id, &s.id, 1, late).await.unwrap_err();
    assert!(matches!(err, Error::StaleVersion { expected: 1, actual: 2, .. }), "{err:?}");
    assert_eq!((err.code(), err.field()), (Code::Conflict, Some("version")));
    assert_eq!(snapshot(&f.store).await, before);
    assert_eq!(stories::get(&f.store, &ada.id, &s.id).await.unwrap().title, "Pay by card");
}

#[tokio::test]
async fn editing_the_text_clears_approval_and_dirties_linked_contexts() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let s = stories::create(&f.store, &ada.id, &p.id, new_story("Pay")).await.unwrap();
    let linked = contexts::create(&f.store, &ada.id, &p.id, new_context("Payments")).await.unwrap();
    let other = contexts::create(&f.store, &ada.id, &p.id, new_context("Catalog")).await.unwrap();
    contexts::add_story(&f.store, &ada.id, &linked.id, &s.id).await.unwrap();
    contexts::clear_dirty(&f.store, &ada.id, &linked.id).await.unwrap();

    let s = stories::approve(&f.store, &ada.id, &s.id, s.version).await.unwrap();
    assert!(s.approved);
    // A status move is not a text edit: approval stays, contexts stay clean.
    let ready = StoryChanges { status: Some(StoryStatus::Ready), ..Default::default() };
    let s = stories::update(&f.store, &ada.id, &s.id, s.version, ready).await.unwrap();
    assert!(s.approved);
    assert!(!contexts::get(&f.store, &ada.id, &linked.id).await.unwrap().dirty);

    let edit =
        StoryChanges { acceptance_criteria: Some("- card and cash".into()), ..Default::default() };
    let s = stories::update(&f.store, &ada.id, &s.id, s.version, edit).await.unwrap();
    assert!(!s.approved);
    assert!(contexts::get(&f.store, &ada.id, &linked.id).await.unwrap().dirty);
    assert!(!contexts::get(&f.store, &ada.id, &other.id).await.unwrap().dirty);
}

#[tokio::test]
async fn the_status_follows_the_workflow() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let s = stories::create(&f.store, &ada.id, &p.id, new_story("Pay")).await.unwrap();
    let jump = StoryChanges { status: Some(StoryStatus::Implemented), ..Default::default() };
    let err = stories::update(&f.store, &ada.id, &s.id, s.version, jump).await.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::Conflict, Some("status")));
    let mut s = s;
    for status in [StoryStatus::Ready, StoryStatus::Implemented, StoryStatus::Draft] {
        let change = StoryChanges { status: Some(status), ..Default::default() };
        s = stories::update(&f.store, &ada.id, &s.id, s.version, change).await.unwrap();
        assert_eq!(s.status, status);
    }
}

/// The window offers exactly the moves the core's update accepts, from every status.
#[tokio::test]
async fn the_offered_status_moves_are_exactly_the_ones_an_update_accepts() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let to_reach = |status| match status {
        StoryStatus::Draft => vec![],
        StoryStatus::Ready => vec![StoryStatus::Ready],
        StoryStatus::Implemented => vec![StoryStatus::Ready, StoryStatus::Implemented],
    };
    for &from in StoryStatus::ALL {
        let moves = from.moves();
        assert_eq!(moves.iter().map(|m| m.status).collect::<Vec<_>>(), StoryStatus::ALL);
        for m in moves {
            let mut s = stories::create(&f.store, &ada.id, &p.id, new_story("Pay")).await.unwrap();
            for step in to_reach(from) {
                let change = StoryChanges { status: Some(step), ..Default::default() };
                s = stories::update(&f.store, &ada.id, &s.id, s.version, change).await.unwrap();
            }
            let change = StoryChanges { status: Some(m.status), ..Default::default() };
            let result = stories::update(&f.store, &ada.id, &s.id, s.version, change).await;
            assert_eq!(result.is_ok(), m.allowed, "{from:?} -> {:?}", m.status);
        }
    }
}

#[tokio::test]
async fn dirty_marks_leave_the_version_alone_and_approval_needs_it() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let s = stories::create(&f.store, &ada.id, &p.id, new_story("Pay")).await.unwrap();
    let dirty = stories::mark_dirty(&f.store, &ada.id, &s.id).await.unwrap();
    assert_eq!((dirty.dirty, dirty.version), (true, 1));
    assert!(!stories::clear_dirty(&f.store, &ada.id, &s.id).await.unwrap().dirty);
    let err = stories::approve(&f.store, &ada.id, &s.id, 7).await.unwrap_err();
    assert_eq!(err.code(), Code::Conflict);
    let approved = stories::approve(&f.store, &ada.id, &s.id, 1).await.unwrap();
    assert_eq!((approved.approved, approved.version), (true, 2));
}

#[tokio::test]
async fn deleting_a_story_unlinks_it_and_dirties_its_contexts() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let s = stories::create(&f.store, &ada.id, &p.id, new_story("Pay")).await.unwrap();
    let c = contexts::create(&f.store, &ada.id, &p.id, new_context("Payments")).await.unwrap();
    contexts::add_story(&f.store, &ada.id, &c.id, &s.id).await.unwrap();
    contexts::clear_dirty(&f.store, &ada.id, &c.id).await.unwrap();
    stories::delete(&f.store, &ada.id, &s.id).await.unwrap();
    assert!(contexts::list_stories(&f.store, &ada.id, &c.id).await.unwrap().is_empty());
    assert!(contexts::get(&f.store, &ada.id, &c.id).await.unwrap().dirty);
    assert_eq!(stories::get(&f.store, &ada.id, &s.id).await.unwrap_err().code(), Code::NotFound);
}
