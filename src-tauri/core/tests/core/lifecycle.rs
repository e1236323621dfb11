use crate::support::*;
use codemyspec_core::lifecycle::{self, Move};
use codemyspec_core::{memberships, Code, Error, Role, Stage, Trigger};

fn user(to: Stage) -> Move {
    Move { to, trigger: Trigger::User }
}

#[tokio::test]
async fn a_project_walks_the_chain_and_every_move_is_recorded() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    assert_eq!(
        lifecycle::allowed_transitions(&f.store, &ada.id, &p.id).await.unwrap(),
        vec![user(Stage::Estimated), user(Stage::Archived)]
    );
    let p = lifecycle::transition(&f.store, &ada.id, &p.id, Stage::Estimated, "spec generated")
        .await
        .unwrap();
    assert_eq!(p.stage, Stage::Estimated);
    let p =
        lifecycle::transition(&f.store, &ada.id, &p.id, Stage::Archived, "on hold").await.unwrap();
    let p =
        lifecycle::transition(&f.store, &ada.id, &p.id, Stage::Estimated, "back on").await.unwrap();
    assert_eq!(p.stage, Stage::Estimated);

    let history = lifecycle::history(&f.store, &ada.id, &p.id).await.unwrap();
    let moves: Vec<(Stage, Stage, &str)> =
        history.iter().map(|t| (t.from_stage, t.to_stage, t.reason.as_str())).collect();
    assert_eq!(
        moves,
        vec![
            (Stage::Draft, Stage::Estimated, "spec generated"),
            (Stage::Estimated, Stage::Archived, "on hold"),
            (Stage::Archived, Stage::Estimated, "back on"),
        ]
    );
    assert!(history.iter().all(|t| t.trigger == Trigger::User && t.actor_id == Some(ada.id)));
}

#[tokio::test]
async fn an_illegal_move_is_refused_naming_the_allowed_ones_and_changes_nothing() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let before = snapshot(&f.store).await;
    let err = lifecycle::transition(&f.store, &ada.id, &p.id, Stage::Active, "ship it")
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::Conflict, Some("to")));
    match &err {
        Error::IllegalTransition { allowed, .. } => {
            assert_eq!(allowed, &[Stage::Estimated, Stage::Archived])
        }
        other => panic!("expected IllegalTransition, got {other:?}"),
    }
    let err = lifecycle::transition(&f.store, &ada.id, &p.id, Stage::Provisioning, "x")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("only the setup pipeline"), "{err}");
    let err =
        lifecycle::transition(&f.store, &ada.id, &p.id, Stage::Estimated, "  ").await.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::InvalidInput, Some("reason")));
    assert_eq!(snapshot(&f.store).await, before);
}

#[tokio::test]
async fn an_error_returns_to_the_stage_it_came_from_even_through_archived() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    // Jump to implementing as if the setup and design had run.
    sqlx::query("UPDATE projects SET stage = 'implementing' WHERE id = ?")
        .bind(p.id)
        .execute(f.store.pool())
        .await
        .unwrap();
    let go = |to, why| lifecycle::transition(&f.store, &ada.id, &p.id, to, why);
    assert_eq!(go(Stage::Error, "build broke").await.unwrap().stage, Stage::Error);
    assert_eq!(go(Stage::Archived, "parked").await.unwrap().stage, Stage::Archived);
    let allowed = lifecycle::allowed_transitions(&f.store, &ada.id, &p.id).await.unwrap();
    assert_eq!(allowed, vec![user(Stage::Error)]);
    assert_eq!(go(Stage::Error, "unparked").await.unwrap().stage, Stage::Error);
    let allowed = lifecycle::allowed_transitions(&f.store, &ada.id, &p.id).await.unwrap();
    assert_eq!(allowed, vec![user(Stage::Implementing), user(Stage::Archived)]);
    assert_eq!(go(Stage::Implementing, "fixed").await.unwrap().stage, Stage::Implementing);
}

#[tokio::test]
async fn moving_stages_needs_write_access() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let vic = account(&f.store, "vic@example.com").await;
    let eve = account(&f.store, "eve@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    memberships::add(&f.store, &ada.id, &p.id, &vic.id, Role::Viewer).await.unwrap();
    let err =
        lifecycle::transition(&f.store, &vic.id, &p.id, Stage::Estimated, "x").await.unwrap_err();
    assert_eq!(err.code(), Code::Forbidden);
    let err =
        lifecycle::transition(&f.store, &eve.id, &p.id, Stage::Estimated, "x").await.unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert_eq!(
        lifecycle::history(&f.store, &eve.id, &p.id).await.unwrap_err().code(),
        Code::NotFound
    );
    assert!(lifecycle::history(&f.store, &vic.id, &p.id).await.unwrap().is_empty());
}
