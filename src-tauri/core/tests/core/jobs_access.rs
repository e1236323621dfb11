//! Who may cancel and retry a job (issue 17): the role of the action the job stands for —
//! setting the project up for a setup job, syncing its docs for a docs sync — and nobody
//! outside the project.

use crate::support::*;
use codemyspec_core::events::Broadcaster;
use codemyspec_core::jobs::{self, JobFilter, JobState};
use codemyspec_core::projects::{self, NewProject, SetupStatus};
use codemyspec_core::{docs_sync, lifecycle, memberships, pipeline, Code, Role};

#[tokio::test]
async fn cancelling_or_retrying_a_job_needs_the_role_of_the_action_it_stands_for() {
    let f = fixture().await;
    let events = Broadcaster::new();
    let ada = account(&f.store, "ada@example.com").await;
    let (viewer, member, admin, outsider) = (
        account(&f.store, "vic@example.com").await,
        account(&f.store, "meg@example.com").await,
        account(&f.store, "adam@example.com").await,
        account(&f.store, "eve@example.com").await,
    );
    let project = projects::create(
        &f.store,
        &ada.id,
        NewProject {
            name: "shop".into(),
            docs_repo: Some("https://github.com/acme/shop_docs".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    for (who, role) in [(&viewer, Role::Viewer), (&member, Role::Member), (&admin, Role::Admin)] {
        memberships::add(&f.store, &ada.id, &project.id, &who.id, role).await.unwrap();
    }
    let code = |r: codemyspec_core::Result<jobs::Job>| r.map(|j| j.state).map_err(|e| e.code());

    // A setup: starting one needs an admin, and so do its cancel and retry.
    let setup = pipeline::setup_project(&f.store, &events, &ada.id, &project.id).await.unwrap().job;
    for who in [&viewer, &member] {
        assert!(jobs::get(&f.store, &who.id, setup.id).await.is_ok(), "members see it");
        let refused = pipeline::cancel_job(&f.store, &events, &who.id, setup.id).await;
        assert_eq!(code(refused), Err(Code::Forbidden));
    }
    let hidden = pipeline::cancel_job(&f.store, &events, &outsider.id, setup.id).await;
    assert_eq!(code(hidden), Err(Code::NotFound), "outside the project it does not exist");
    assert_eq!(jobs::get(&f.store, &ada.id, setup.id).await.unwrap().state, JobState::Available);
    let queued = projects::get(&f.store, &ada.id, &project.id).await.unwrap();
    assert_eq!(queued.setup_status, SetupStatus::SetupQueued, "the refusals changed nothing");

    let cancelled = pipeline::cancel_job(&f.store, &events, &admin.id, setup.id).await;
    assert_eq!(code(cancelled), Ok(JobState::Cancelled));
    let refused = pipeline::retry_job(&f.store, &events, &member.id, setup.id).await;
    assert_eq!(code(refused), Err(Code::Forbidden));
    let retried = pipeline::retry_job(&f.store, &events, &admin.id, setup.id).await;
    assert_eq!(code(retried), Ok(JobState::Available));

    // A docs sync: running one needs a member (an editor of the spec).
    docs_sync::schedule(&f.store, &project.id, &ada.id, 0).await.unwrap();
    let filter = JobFilter { queue: Some(docs_sync::QUEUE.into()), ..Default::default() };
    let sync = jobs::list(&f.store, &ada.id, &filter).await.unwrap().remove(0);
    let refused = pipeline::cancel_job(&f.store, &events, &viewer.id, sync.id).await;
    assert_eq!(code(refused), Err(Code::Forbidden));
    let cancelled = pipeline::cancel_job(&f.store, &events, &member.id, sync.id).await;
    assert_eq!(code(cancelled), Ok(JobState::Cancelled));
    let refused = pipeline::retry_job(&f.store, &events, &viewer.id, sync.id).await;
    assert_eq!(code(refused), Err(Code::Forbidden));
    let hidden = pipeline::retry_job(&f.store, &events, &outsider.id, sync.id).await;
    assert_eq!(code(hidden), Err(Code::NotFound));
    let retried = pipeline::retry_job(&f.store, &events, &member.id, sync.id).await;
    assert_eq!(code(retried), Ok(JobState::Available));
}

#[tokio::test]
async fn a_setup_the_person_cancelled_reads_setup_cancelled_in_the_stage_history() {
    let f = fixture().await;
    let events = Broadcaster::new();
    let ada = account(&f.store, "ada@example.com").await;
    let project = project(&f.store, &ada, "shop").await;
    pipeline::setup_project(&f.store, &events, &ada.id, &project.id).await.unwrap();
    pipeline::cancel_setup(&f.store, &events, &ada.id, &project.id).await.unwrap();

    let after = projects::get(&f.store, &ada.id, &project.id).await.unwrap();
    assert_eq!(after.setup_error.as_deref(), Some(pipeline::CANCELLED));
    let history = lifecycle::history(&f.store, &ada.id, &project.id).await.unwrap();
    let last = history.last().expect("a history line");
    assert_eq!(last.reason, "setup cancelled", "{history:?}");
    assert!(history.iter().all(|t| t.reason != "setup failed"), "{history:?}");
}

#[tokio::test]
async fn the_job_list_filters_by_queue_state_and_project_and_refuses_an_unknown_queue() {
    let f = fixture().await;
    let events = Broadcaster::new();
    let ada = account(&f.store, "ada@example.com").await;
    let shop = project(&f.store, &ada, "shop").await;
    let blog = project(&f.store, &ada, "blog").await;
    let setup = pipeline::setup_project(&f.store, &events, &ada.id, &shop.id).await.unwrap().job;
    for p in [&shop, &blog] {
        docs_sync::schedule(&f.store, &p.id, &ada.id, 0).await.unwrap();
    }
    let ids = |jobs: Vec<jobs::Job>| jobs.into_iter().map(|j| j.id).collect::<Vec<_>>();
    let list = |filter: JobFilter| {
        let store = f.store.clone();
        let actor = ada.id;
        async move { jobs::list(&store, &actor, &filter).await }
    };

    let setups = list(JobFilter { queue: Some(pipeline::QUEUE.into()), ..Default::default() });
    assert_eq!(ids(setups.await.unwrap()), vec![setup.id]);
    let shop_syncs = JobFilter {
        queue: Some(docs_sync::QUEUE.into()),
        project_id: Some(shop.id.to_string()),
        ..Default::default()
    };
    let shop_syncs = list(shop_syncs).await.unwrap();
    assert_eq!(shop_syncs.len(), 1);
    assert_eq!(shop_syncs[0].project_id(), Some(shop.id.to_string().as_str()));
    let shop_all = list(JobFilter { project_id: Some(shop.id.to_string()), ..Default::default() });
    assert_eq!(shop_all.await.unwrap().len(), 2, "its setup and its docs sync");
    let available =
        list(JobFilter { state: Some(JobState::Available), ..Default::default() }).await.unwrap();
    assert_eq!(available.len(), 3);
    let cancelled = JobFilter { state: Some(JobState::Cancelled), ..Default::default() };
    assert!(list(cancelled).await.unwrap().is_empty());

    let typo = list(JobFilter { queue: Some("docs-sync".into()), ..Default::default() }).await;
    let err = typo.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::InvalidInput, Some("queue")));
    assert!(err.to_string().contains("docs_sync"), "names the queues there are: {err}");
    let bad = list(JobFilter { project_id: Some("shop".into()), ..Default::default() }).await;
    let err = bad.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::InvalidInput, Some("project_id")));
}
