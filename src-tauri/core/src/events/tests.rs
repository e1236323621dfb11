use super::*;
use crate::ids::ProjectId;
use crate::lifecycle::Stage;
use crate::projects::{Database, Framework, SetupStatus};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

/// Project id number `n`, readable in a failure.
fn p(n: u128) -> ProjectId {
    format!("00000000-0000-4000-8000-{n:012x}").parse().unwrap()
}

fn project(id: &ProjectId, status: SetupStatus) -> Project {
    Project {
        id: *id,
        name: "my_app".into(),
        module_name: "MyApp".into(),
        description: None,
        framework: Framework::Elixir,
        database: Database::Sqlite3,
        code_repo: None,
        docs_repo: None,
        github_repo_id: None,
        docs_repo_id: None,
        github_repo_name: None,
        stage: Stage::Provisioning,
        setup_status: status,
        setup_error: None,
        executive_summary: None,
        executive_summary_approved: false,
        setup_complete: false,
        context_mapping_approved: false,
        public_repos: false,
        local_path: None,
        owner_id: crate::AccountId::new(),
        inserted_at: "2026-01-01T00:00:00.000000Z".into(),
        updated_at: "2026-01-01T00:00:00.000000Z".into(),
    }
}

#[test]
fn topics_are_named_as_the_seed_says() {
    assert_eq!(project_topic(&p(0xabc)), "projects:00000000-0000-4000-8000-000000000abc");
    assert_eq!(ALL_PROJECTS, "projects:*");
}

#[test]
fn messages_carry_the_full_project_in_the_seed_shape() {
    let update = ProjectEvent::ProjectUpdated { project: project(&p(1), SetupStatus::Compiling) };
    let json = serde_json::to_value(&update).unwrap();
    assert_eq!(json["event"], "project_updated");
    assert_eq!(json["project"]["setup_status"], "compiling");
    assert_eq!(json["project"]["module_name"], "MyApp");
    let error = ProjectEvent::ProjectError {
        project: project(&p(1), SetupStatus::Failed),
        error: "Mix deps.get failed".into(),
    };
    let json = serde_json::to_value(&error).unwrap();
    assert_eq!(
        (json["event"].as_str(), json["error"].as_str()),
        (Some("project_error"), Some("Mix deps.get failed"))
    );
}

#[tokio::test]
async fn a_project_topic_gets_its_own_updates_in_order_and_the_wildcard_gets_all() {
    let b = Broadcaster::new();
    let mut one = b.subscribe_to_project(&p(1));
    let mut all = b.subscribe_to_all_projects();
    let statuses = [
        SetupStatus::SetupQueued,
        SetupStatus::Initializing,
        SetupStatus::Compiling,
        SetupStatus::Ready,
    ];
    for s in statuses {
        b.broadcast_project_update(&project(&p(1), s));
        b.broadcast_project_update(&project(&p(2), s));
    }
    b.broadcast_project_error(&project(&p(1), SetupStatus::Failed), "boom");
    let mut seen = Vec::new();
    while let Ok(e) = one.try_recv() {
        seen.push(e.project().setup_status);
    }
    assert_eq!(seen, [statuses.as_slice(), &[SetupStatus::Failed]].concat());
    let mut count = 0;
    while all.try_recv().is_ok() {
        count += 1;
    }
    assert_eq!(count, 9);
}

#[tokio::test]
async fn a_slow_subscriber_never_blocks_the_publisher_and_keeps_the_order() {
    let b = Broadcaster::new();
    let mut slow = b.subscribe_to_project(&p(1));
    let n = TOPIC_CAPACITY * 3;
    let started = std::time::Instant::now();
    for i in 0..n {
        let mut p = project(&p(1), SetupStatus::Compiling);
        p.updated_at = format!("{i:08}");
        b.broadcast_project_update(&p);
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "publishing did not wait");
    match slow.recv().await {
        Err(RecvError::Lagged(missed)) => assert_eq!(missed as usize, n - TOPIC_CAPACITY),
        other => panic!("expected a lag notice, got {other:?}"),
    }
    let mut last = None;
    while let Ok(e) = slow.try_recv() {
        let at = e.project().updated_at.clone();
        assert!(last.as_ref().is_none_or(|l| l < &at), "in order");
        last = Some(at);
    }
    assert_eq!(last.as_deref(), Some(format!("{:08}", n - 1).as_str()));
}

#[tokio::test]
async fn unsubscribing_or_vanishing_stops_delivery_without_errors() {
    let b = Broadcaster::new();
    let sub = b.subscribe_to_project(&p(1));
    b.unsubscribe(sub);
    b.broadcast_project_update(&project(&p(1), SetupStatus::Ready)); // nobody listens: fine
    let mut later = b.subscribe_to_project(&p(1));
    assert!(matches!(later.try_recv(), Err(TryRecvError::Empty)), "no replay of old messages");
    b.broadcast_project_update(&project(&p(1), SetupStatus::Ready));
    assert!(later.try_recv().is_ok());
}
