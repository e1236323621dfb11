use crate::support::*;
use codemyspec_core::components::{self, ComponentType, NewComponent};
use codemyspec_core::sessions::{self, NewSession, SessionStatus, SessionType, TargetType};
use codemyspec_core::{Code, EntityId};

#[tokio::test]
async fn a_session_moves_pending_in_progress_then_complete_or_failed_only() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let new = NewSession {
        session_type: SessionType::Design,
        target_type: TargetType::Project,
        target_id: None,
    };
    let s = sessions::create(&f.store, &ada.id, &p.id, new).await.unwrap();
    assert_eq!((s.status, s.target_id), (SessionStatus::Pending, EntityId::from(p.id)));

    let err = sessions::update_status(&f.store, &ada.id, &s.id, SessionStatus::Complete)
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::Conflict, Some("status")));
    assert!(err.to_string().contains("allowed: in_progress"), "{err}");
    let s =
        sessions::update_status(&f.store, &ada.id, &s.id, SessionStatus::InProgress).await.unwrap();
    assert_eq!(sessions::list_active(&f.store, &ada.id, &p.id).await.unwrap(), vec![s.clone()]);
    let s = sessions::update_status(&f.store, &ada.id, &s.id, SessionStatus::Failed).await.unwrap();
    let err = sessions::update_status(&f.store, &ada.id, &s.id, SessionStatus::InProgress)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("finished"), "{err}");
    assert!(sessions::list_active(&f.store, &ada.id, &p.id).await.unwrap().is_empty());
    assert_eq!(sessions::list(&f.store, &ada.id, &p.id).await.unwrap(), vec![s]);
}

#[tokio::test]
async fn a_session_targets_something_in_its_own_project() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let q = project(&f.store, &ada, "my_blog").await;
    let new_c = NewComponent {
        name: "Blog".into(),
        kind: ComponentType::Context,
        file_path: "lib/blog.ex".into(),
        description: None,
        context_id: None,
    };
    let foreign = components::create(&f.store, &ada.id, &q.id, new_c).await.unwrap();
    let before = snapshot(&f.store).await;
    for (target_type, target_id) in [
        (TargetType::Component, EntityId::from(foreign.id)),
        (TargetType::Context, EntityId::from(foreign.id)),
        (TargetType::Project, EntityId::from(q.id)),
    ] {
        let target_id = Some(target_id);
        let new = NewSession { session_type: SessionType::Test, target_type, target_id };
        let err = sessions::create(&f.store, &ada.id, &p.id, new).await.unwrap_err();
        assert_eq!(
            (err.code(), err.field()),
            (Code::InvalidInput, Some("target_id")),
            "{target_type}"
        );
    }
    assert_eq!(snapshot(&f.store).await, before);
    let ok = NewSession {
        session_type: SessionType::Test,
        target_type: TargetType::Component,
        target_id: Some(foreign.id.into()),
    };
    sessions::create(&f.store, &ada.id, &q.id, ok).await.unwrap();
}
