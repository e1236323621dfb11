//! Provisioning against the local GitHub stand-in (its REST API and its git endpoint), with
//! the OS keyring: a setup creates the repositories before any mix step, adopts empty ones,
//! refuses ones with someone else's commits, and a retry resumes at the push.

use crate::recipe::{recipe, APP_README};
use crate::setup::Pipeline;
use codemyspec_core::jobs::{self, FailureClass, JobState, StepOutcome};
use codemyspec_core::pipeline::{self, PipelineConfig};
use codemyspec_core::projects::{Project, SetupStatus};
use codemyspec_core::secrets::{Keyring, SecretStore};
use codemyspec_core::{settings, Secret};
use codemyspec_tests::GitHubStandIn;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

pub(crate) const MINUTE: Duration = Duration::from_secs(60);
pub(crate) const TOKEN: &str = "ghp_provision_ada";

/// The stand-in with Ada signed in (her token in the keyring) and an org `acme`.
pub(crate) async fn signed_in() -> (GitHubStandIn, Pipeline) {
    let gh = GitHubStandIn::start();
    gh.user("ada-gh", TOKEN);
    gh.org("acme");
    let p = Pipeline::start(PipelineConfig::new(Arc::new(Keyring))).await;
    settings::set(&p.f.store, settings::Setting::GithubApiUrl, &gh.url()).await.unwrap();
    Keyring
        .set(&p.ada.id, &format!("127.0.0.1:{}", gh.port), &Secret::new(TOKEN))
        .expect("the OS keyring (run under make test)");
    (gh, p)
}

pub(crate) async fn sign_out(gh: &GitHubStandIn, p: &Pipeline) {
    Keyring.delete(&p.ada.id, &format!("127.0.0.1:{}", gh.port)).unwrap();
}

pub(crate) async fn on_github(p: &Pipeline, gh: &GitHubStandIn, name: &str) -> Project {
    let code = format!("{}/acme/{name}", gh.url());
    let docs = format!("{}/acme/{name}_docs", gh.url());
    p.project(name, Some(code), Some(docs)).await
}

/// Creates the repositories, makes `app/README.md` and publishes it: a setup in seconds.
pub(crate) fn quick() -> String {
    recipe("quick")
        .act("creating_repositories", "provision")
        .timeout(60)
        .sh("initializing", APP_README)
        .act("committing", "publish")
        .dir("app")
        .toml()
}

#[tokio::test]
async fn a_setup_creates_both_repositories_on_github_before_any_mix_step_and_pushes_to_them() {
    let (gh, p) = signed_in().await;
    let project = on_github(&p, &gh, "made_here").await;
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let job = p.wait_job(&project, JobState::Completed, 3 * MINUTE).await;
    let steps = jobs::steps(&p.f.store, &p.ada.id, job.id).await.unwrap();
    assert_eq!(steps[0].status, SetupStatus::CreatingRepositories, "first, before mix");
    assert_eq!(steps[1].status, SetupStatus::Initializing);
    let logs = jobs::logs(&p.f.store, &p.ada.id, job.id, 0, 10_000).await.unwrap();
    for created in ["created acme/made_here (private)", "created acme/made_here_docs (private)"] {
        assert!(logs.iter().any(|l| l.line.starts_with(created)), "{created}");
    }
    assert_eq!(gh.commits("acme", "made_here"), 1, "the code was pushed to the new repository");
    let done = jobs::get(&p.f.store, &p.ada.id, job.id).await.unwrap();
    assert_eq!(
        done.meta.get("clone_code").map(String::as_str),
        Some(format!("{}/acme/made_here.git", gh.url()).as_str()),
        "pushed to the clone URL GitHub answered with"
    );
    assert_eq!(gh.commits("acme", "made_here_docs"), 1);
    let ready = p.reload(&project).await;
    assert_eq!(ready.setup_status, SetupStatus::Ready);
    let ids = gh.control("log", json!({}));
    assert!(ids
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["method"] == "POST" && r["path"] == "/orgs/acme/repos"));
    assert!(ready.github_repo_id.is_some() && ready.docs_repo_id.is_some(), "{ready:?}");
    assert_ne!(ready.github_repo_id, ready.docs_repo_id);
    assert_eq!(ready.github_repo_name.as_deref(), Some("made_here"));
    sign_out(&gh, &p).await;
    p.runner.unwrap().stop().await;
}

#[tokio::test]
async fn an_empty_repository_is_adopted_and_one_with_someone_elses_commits_is_refused_before_anything_runs(
) {
    let (gh, p) = signed_in().await;
    p.recipe(&quick());
    let code_id = gh.repo("acme", "taken");
    gh.repo("acme", "taken_docs");
    gh.foreign_commit("acme", "taken_docs");
    let project = on_github(&p, &gh, "taken").await;
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let job = p.wait_job(&project, JobState::Discarded, MINUTE).await;
    assert_eq!((job.attempt, job.errors[0].class), (1, FailureClass::Step));
    let error = &job.errors[0].error;
    assert!(error.contains("acme/taken_docs") && error.contains("did not make"), "{error}");
    let steps = jobs::steps(&p.f.store, &p.ada.id, job.id).await.unwrap();
    assert_eq!(steps.len(), 1, "nothing ran after the refusal: {steps:?}");
    assert_eq!(gh.commits("acme", "taken"), 0, "nothing was pushed");
    assert_eq!(gh.commits("acme", "taken_docs"), 1, "their commit is untouched");
    let failed = p.reload(&project).await;
    assert_eq!(
        failed.github_repo_id,
        Some(code_id as i64),
        "the empty code repository was adopted"
    );

    // A repository the account may only read is refused too, saying so.
    refuses_a_read_only_repository(&gh, &p).await;

    // Without a sign-in, the setup says what to do.
    sign_out(&gh, &p).await;
    let other = on_github(&p, &gh, "unsigned").await;
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &other.id).await.unwrap();
    let job = p.wait_job(&other, JobState::Discarded, MINUTE).await;
    assert!(job.errors[0].error.contains("codemyspec github login"), "{}", job.errors[0].error);
    p.runner.unwrap().stop().await;
}

/// A repository the signed-in account may only read is refused, saying so.
async fn refuses_a_read_only_repository(gh: &GitHubStandIn, p: &Pipeline) {
    gh.repo("acme", "locked");
    gh.control("readonly", json!({ "owner": "acme", "name": "locked" }));
    let project = p.project("locked", Some(format!("{}/acme/locked", gh.url())), None).await;
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let job = p.wait_job(&project, JobState::Discarded, MINUTE).await;
    assert!(job.errors[0].error.contains("may not push to"), "{}", job.errors[0].error);
}

#[tokio::test]
async fn a_retry_after_the_docs_push_failed_resumes_at_the_push_and_ends_ready_with_one_commit() {
    let (gh, p) = signed_in().await;
    p.recipe(&quick());
    let project = on_github(&p, &gh, "retried").await;
    // The docs push breaks once (GitHub answers 500 to its first request).
    gh.control(
        "fail",
        json!({ "path": "/acme/retried_docs.git/info/refs", "query": "git-receive-pack", "status": 500, "times": 1 }),
    );
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let job = p.wait_job_where(&project, JobState::Retryable, MINUTE, |j| j.attempt == 1).await;
    assert_eq!(job.errors[0].class, FailureClass::Infrastructure, "{:?}", job.errors);
    assert_eq!(gh.commits("acme", "retried"), 1, "the code went before the docs failed");
    p.f.clock.advance(chrono::Duration::seconds(20));
    p.wake();
    let job = p.wait_job(&project, JobState::Completed, MINUTE).await;
    assert_eq!(job.attempt, 2);
    let steps = jobs::steps(&p.f.store, &p.ada.id, job.id).await.unwrap();
    let second: Vec<(&str, Option<&str>)> = steps
        .iter()
        .filter(|s| s.attempt == 2)
        .map(|s| (s.status.as_str(), s.outcome.map(StepOutcome::as_str)))
        .collect();
    assert_eq!(
        second,
        [
            ("creating_repositories", Some("reused")),
            ("initializing", Some("reused")),
            ("committing", Some("ok"))
        ]
    );
    assert_eq!(gh.commits("acme", "retried"), 1, "one commit, not a second root");
    assert_eq!(gh.commits("acme", "retried_docs"), 1);
    sign_out(&gh, &p).await;
    p.runner.unwrap().stop().await;
}

#[tokio::test]
async fn a_project_can_ask_for_public_repositories() {
    let (gh, p) = signed_in().await;
    p.recipe(&quick());
    let new = codemyspec_core::projects::NewProject {
        name: "open_source".into(),
        framework: Some(codemyspec_core::projects::Framework::Elixir),
        code_repo: Some(format!("{}/acme/open_source", gh.url())),
        public_repos: true,
        ..Default::default()
    };
    let project = codemyspec_core::projects::create(&p.f.store, &p.ada.id, new).await.unwrap();
    assert!(project.public_repos);
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let job = p.wait_job(&project, JobState::Completed, MINUTE).await;
    let logs = jobs::logs(&p.f.store, &p.ada.id, job.id, 0, 1000).await.unwrap();
    assert!(logs.iter().any(|l| l.line.starts_with("created acme/open_source (public)")));
    sign_out(&gh, &p).await;
    p.runner.unwrap().stop().await;
}

#[tokio::test]
async fn a_retry_that_starts_over_after_its_code_was_pushed_replaces_only_its_own_commit() {
    let (gh, p) = signed_in().await;
    p.recipe(&quick());
    let project = on_github(&p, &gh, "again").await;
    gh.control(
        "fail",
        json!({ "path": "/acme/again_docs.git/info/refs", "query": "git-receive-pack", "status": 500, "times": 1 }),
    );
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let job = p.wait_job_where(&project, JobState::Retryable, MINUTE, |j| j.attempt == 1).await;
    assert_eq!(gh.commits("acme", "again"), 1, "the code went before the docs failed");
    // The kept work dir is lost (someone cleaned the data dir): the next attempt starts over
    // and makes a new commit where the remote holds this job's earlier one.
    std::fs::remove_dir_all(jobs::work_dir(&p.f.store, job.id)).unwrap();
    p.f.clock.advance(chrono::Duration::seconds(20));
    p.wake();
    let job = p.wait_job(&project, JobState::Completed, MINUTE).await;
    assert_eq!(job.attempt, 2);
    let steps = jobs::steps(&p.f.store, &p.ada.id, job.id).await.unwrap();
    assert!(
        steps.iter().filter(|s| s.attempt == 2).all(|s| s.outcome == Some(StepOutcome::Ok)),
        "started over: {steps:?}"
    );
    let logs = jobs::logs(&p.f.store, &p.ada.id, job.id, 0, 10_000).await.unwrap();
    assert!(logs.iter().any(|l| l.line.contains("acme/again already holds this setup's commit")));
    assert_eq!(gh.commits("acme", "again"), 1, "its own earlier commit was replaced, not stacked");
    assert_eq!(gh.commits("acme", "again_docs"), 1);
    sign_out(&gh, &p).await;
    p.runner.unwrap().stop().await;
}
