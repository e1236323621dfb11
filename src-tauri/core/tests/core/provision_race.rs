//! One repository, one project (issue 17): a repository the heartbeat discovered and a new
//! project then names, or one provisioning creates moments before the heartbeat lists it,
//! ends as one project — never a UNIQUE error retried three times. A repository a project
//! someone worked on stands for stops the setup with a conflict naming it.

use crate::provision::{on_github, quick, sign_out, signed_in, MINUTE};
use crate::support::as_set_up;
use codemyspec_core::jobs::{self, FailureClass, JobState};
use codemyspec_core::pipeline;
use codemyspec_core::projects::{self, Project, SetupStatus};
use codemyspec_core::secrets::{Keyring, SecretStore};
use codemyspec_core::sync;
use codemyspec_core::Stage;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn keyring() -> Arc<dyn SecretStore> {
    Arc::new(Keyring)
}

/// Ada's projects that stand for the repository with this GitHub id.
async fn standing_for(p: &crate::setup::Pipeline, id: u64) -> Vec<Project> {
    let all = projects::list(&p.f.store, &p.ada.id).await.unwrap();
    all.into_iter().filter(|x| x.github_repo_id == Some(id as i64)).collect()
}

#[tokio::test]
async fn a_repository_discovered_then_named_by_a_new_project_ends_as_one_project() {
    let (gh, p) = signed_in().await;
    p.recipe(&quick());
    sync::set_org(&p.f.store, &p.ada.id, "acme").await.unwrap();
    let id = gh.repo("acme", "storefront");
    let run = sync::run_once(&p.f.store, &p.events, &keyring(), &p.ada.id).await.unwrap();
    assert_eq!(run.discovered, 1, "{run:?}");
    assert_eq!(standing_for(&p, id).await[0].stage, Stage::Discovered);

    // Ada names the (empty) repository in a new project and sets it up.
    let url = format!("{}/acme/storefront", gh.url());
    let named = p.project("storefront_app", Some(url), None).await;
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &named.id).await.unwrap();
    let job = p.wait_job(&named, JobState::Completed, MINUTE).await;
    assert_eq!((job.attempt, job.errors.len()), (1, 0), "no retry: {:?}", job.errors);

    let one = standing_for(&p, id).await;
    assert_eq!(one.len(), 1, "{one:?}");
    assert_eq!((one[0].id, one[0].setup_status), (named.id, SetupStatus::Ready));
    assert_eq!(gh.commits("acme", "storefront"), 1, "pushed to the repository it adopted");
    let again = sync::run_once(&p.f.store, &p.events, &keyring(), &p.ada.id).await.unwrap();
    assert_eq!(again.discovered, 0, "nothing imported again: {again:?}");
    assert_eq!(standing_for(&p, id).await.len(), 1);
    sign_out(&gh, &p).await;
    p.runner.unwrap().stop().await;
}

#[tokio::test]
async fn a_repository_created_by_provisioning_just_before_the_heartbeat_lists_it_ends_as_one_project(
) {
    let (gh, p) = signed_in().await;
    p.recipe(&quick());
    sync::set_org(&p.f.store, &p.ada.id, "acme").await.unwrap();
    let project = on_github(&p, &gh, "fresh").await;
    // GitHub makes the code repository, but its answer to provisioning waits at this gate
    // while the heartbeat runs and lists the new repository.
    let create = "/orgs/acme/repos";
    gh.control("gate", json!({ "method": "POST", "path": create }));
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let started = Instant::now();
    loop {
        let log = gh.control("log", json!({}));
        let created = log
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["method"] == "POST" && r["path"] == create && r["status"] == "held");
        if created {
            break;
        }
        assert!(started.elapsed() < MINUTE, "provisioning never created the repository");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let beat = sync::run_once(&p.f.store, &p.events, &keyring(), &p.ada.id).await.unwrap();
    assert_eq!((beat.status.as_str(), beat.discovered), ("ok", 0), "{beat:?}");
    let linked = p.reload(&project).await;
    assert!(linked.github_repo_id.is_some(), "the heartbeat knew it by its URL: {linked:?}");
    assert_eq!(linked.setup_status, SetupStatus::CreatingRepositories, "still provisioning");
    gh.control("gate", json!({ "method": "POST", "path": create, "open": true }));

    let job = p.wait_job(&project, JobState::Completed, MINUTE).await;
    assert_eq!((job.attempt, job.errors.len()), (1, 0), "no retry: {:?}", job.errors);
    let all = projects::list(&p.f.store, &p.ada.id).await.unwrap();
    let names: Vec<&str> = all.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["fresh"], "one project, nothing discovered beside it");
    assert_eq!(all[0].github_repo_id, linked.github_repo_id);
    assert!(all[0].docs_repo_id.is_some());
    sign_out(&gh, &p).await;
    p.runner.unwrap().stop().await;
}

#[tokio::test]
async fn a_repository_a_worked_on_project_stands_for_stops_the_setup_with_a_conflict_naming_it() {
    let (gh, p) = signed_in().await;
    p.recipe(&quick());
    sync::set_org(&p.f.store, &p.ada.id, "acme").await.unwrap();
    let id = gh.repo("acme", "shop");
    sync::run_once(&p.f.store, &p.events, &keyring(), &p.ada.id).await.unwrap();
    let adopted = standing_for(&p, id).await.remove(0);
    as_set_up(&p.f.store, &adopted.id).await;

    let named = p.project("shop_again", Some(format!("{}/acme/shop", gh.url())), None).await;
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &named.id).await.unwrap();
    let job = p.wait_job(&named, JobState::Discarded, MINUTE).await;
    assert_eq!((job.attempt, job.errors[0].class), (1, FailureClass::Step), "{:?}", job.errors);
    let error = &job.errors[0].error;
    assert!(error.contains("already the code repository of project shop"), "{error}");
    let kept = projects::get(&p.f.store, &p.ada.id, &adopted.id).await.unwrap();
    assert_eq!((kept.stage, kept.github_repo_id), (Stage::Initialized, Some(id as i64)));
    let steps = jobs::steps(&p.f.store, &p.ada.id, job.id).await.unwrap();
    assert_eq!(steps.len(), 1, "stopped at provisioning: {steps:?}");
    sign_out(&gh, &p).await;
    p.runner.unwrap().stop().await;
}
