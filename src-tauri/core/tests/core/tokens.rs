//! Tokens go only where they belong, on git's side (issue 17): the clone URL GitHub answers
//! with gets the token only when it is on the token's own host, and a repository host that
//! redirects elsewhere does not take the token along. Against the local GitHub stand-in and
//! recording servers, with the OS keyring (run under tests/with-session.sh).

use crate::provision::{on_github, quick, sign_out, signed_in, TOKEN};
use codemyspec_core::jobs::{FailureClass, JobState};
use codemyspec_core::pipeline::{self, publish};
use codemyspec_core::Secret;
use codemyspec_tests::Recorder;
use serde_json::json;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn a_clone_url_github_answers_on_another_host_never_gets_the_token() {
    let (gh, p) = signed_in().await;
    p.recipe(&quick());
    // GitHub's answer names a clone URL on another host than the one the token is kept for.
    let elsewhere = Recorder::http("127.0.0.1");
    gh.control("clone_base", json!({ "base": elsewhere.url() }));
    let project = on_github(&p, &gh, "cloned_elsewhere").await;
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let job = p.wait_job(&project, JobState::Discarded, Duration::from_secs(60)).await;

    assert!(!elsewhere.requests().is_empty(), "git did go to the clone URL");
    assert!(elsewhere.carrying(TOKEN).is_empty(), "{:?}", elsewhere.carrying(TOKEN));
    let error = &job.errors[0].error;
    let clone = format!("{}/acme/cloned_elsewhere.git", elsewhere.url());
    assert!(error.contains(&clone) && error.contains("is not sent there"), "{error}");
    assert!(error.contains(&format!("127.0.0.1:{}", gh.port)), "names the token's host: {error}");
    assert_eq!(job.errors[0].class, FailureClass::Step, "not retried: {:?}", job.errors);
    assert_eq!(gh.commits("acme", "cloned_elsewhere"), 0, "nothing was pushed");

    // A repository that exists already is looked at through its clone URL: no token there
    // either.
    gh.repo("acme", "existing");
    let seen = elsewhere.requests().len();
    let project = on_github(&p, &gh, "existing").await;
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let job = p.wait_job(&project, JobState::Discarded, Duration::from_secs(60)).await;
    assert!(elsewhere.requests().len() > seen, "git asked the clone URL what it holds");
    assert!(elsewhere.carrying(TOKEN).is_empty(), "{:?}", elsewhere.carrying(TOKEN));
    let error = &job.errors[0].error;
    let clone = format!("{}/acme/existing.git", elsewhere.url());
    assert!(error.contains(&clone) && error.contains("is not sent there"), "{error}");
    sign_out(&gh, &p).await;
    p.runner.unwrap().stop().await;
}

#[tokio::test]
async fn a_repository_host_redirecting_elsewhere_does_not_take_the_token_along() {
    let elsewhere = Recorder::http("127.0.0.1");
    let moved = Recorder::redirecting("127.0.0.1", &elsewhere.url());
    // The token kept for the repository's own host.
    let token = Secret::new("ghp_kept_for_the_first_host");
    let url = format!("{}/acme/shop", moved.url());
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("README.md"), "hello\n").unwrap();
    let author = publish::Author { name: "Ada".into(), email: "ada@example.com".into() };
    publish::commit_all(work.path(), &author, "first").unwrap();

    let (u, t) = (url.clone(), token.clone());
    let asked =
        tokio::task::spawn_blocking(move || publish::remote_state(&u, Some(&t))).await.unwrap();
    let (d, u, t) = (work.path().to_owned(), url.clone(), token.clone());
    let pushed = tokio::task::spawn_blocking(move || {
        publish::push_main(&d, &u, Some(&t), &CancellationToken::new())
    })
    .await
    .unwrap();

    assert!(!elsewhere.requests().is_empty(), "git followed the redirect");
    assert!(elsewhere.carrying(token.expose()).is_empty(), "{:?}", elsewhere.requests());
    assert!(moved.carrying(token.expose()).is_empty(), "{:?}", moved.requests());
    let refused = [asked.unwrap_err().to_string(), pushed.unwrap_err().to_string()];
    for e in &refused {
        assert!(e.contains("goes to that host only") && e.contains(&moved.host()), "{e}");
    }
}
