//! A teammate's machine (issue 18): a project whose code exists is set up by cloning it —
//! two data dirs against the GitHub stand-in, real git and Debian's real `mix`. A sets a
//! project up (generated and pushed); B signs in, syncs, and sets it up on B's machine; the
//! folder each leaves is a working copy that `git pull`/`git push` use as they are.

use crate::provision::{signed_in, MINUTE, TOKEN};
use crate::recipe::recipe;
use crate::setup::Pipeline;
use codemyspec_core::jobs::{self, JobState};
use codemyspec_core::pipeline::{self, PipelineConfig};
use codemyspec_core::projects::{self, Framework, Project, ProjectChanges, SetupStatus};
use codemyspec_core::secrets::{Keyring, SecretStore};
use codemyspec_core::stories::{self, NewStory, StoryChanges};
use codemyspec_core::{docs_sync, settings, sync, Secret, Stage};
use codemyspec_tests::{GitHubStandIn, GitServer};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

const BOB_TOKEN: &str = "ghp_clone_bob";

/// Another machine: its own data dir, signed in to the same GitHub as `bob-gh`.
async fn machine_b(gh: &GitHubStandIn) -> Pipeline {
    gh.user("bob-gh", BOB_TOKEN);
    let p = Pipeline::start(PipelineConfig::new(Arc::new(Keyring))).await;
    settings::set(&p.f.store, settings::Setting::GithubApiUrl, &gh.url()).await.unwrap();
    Keyring
        .set(&p.ada.id, &format!("127.0.0.1:{}", gh.port), &Secret::new(BOB_TOKEN))
        .expect("the OS keyring (run under make test)");
    p
}

/// `git ARGS…` in `dir` with the person's own credentials (a credential helper), as from a
/// terminal; returns its output.
fn git(dir: &Path, token: &str, args: &[&str]) -> String {
    let helper = format!("!f() {{ echo username=x-access-token; echo password={token}; }}; f");
    let out = Command::new("git")
        .args(["-c", &format!("credential.helper={helper}")])
        .args(["-c", "user.name=Bob", "-c", "user.email=bob@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

async fn discovered(p: &Pipeline, name: &str) -> Project {
    let secrets: Arc<dyn SecretStore> = Arc::new(Keyring);
    sync::set_org(&p.f.store, &p.ada.id, "acme").await.unwrap();
    sync::run_once(&p.f.store, &p.events, &secrets, &p.ada.id).await.unwrap();
    let all = projects::list(&p.f.store, &p.ada.id).await.unwrap();
    all.into_iter()
        .find(|q| q.github_repo_name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("the heartbeat did not bring {name} in"))
}

/// The project's newest setup job once it has ended, however it ended.
async fn settled(p: &Pipeline, project: &Project) -> jobs::Job {
    let started = std::time::Instant::now();
    loop {
        let filter =
            jobs::JobFilter { project_id: Some(project.id.to_string()), ..Default::default() };
        let list = jobs::list(&p.f.store, &p.ada.id, &filter).await.unwrap();
        if let Some(job) = list.first().filter(|j| {
            matches!(j.state, JobState::Completed | JobState::Discarded | JobState::Cancelled)
        }) {
            return job.clone();
        }
        assert!(started.elapsed() < MINUTE, "the setup job did not end: {:?}", list.first());
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

async fn steps(p: &Pipeline, job: i64) -> Vec<SetupStatus> {
    let steps = jobs::steps(&p.f.store, &p.ada.id, job).await.unwrap();
    let last = steps.iter().map(|s| s.attempt).max().unwrap_or(1);
    steps.into_iter().filter(|s| s.attempt == last).map(|s| s.status).collect()
}

#[tokio::test]
async fn a_teammate_sets_up_an_existing_project_and_ends_ready_with_its_code_origin_and_spec() {
    let (gh, a) = signed_in().await;
    let code = format!("{}/acme/shop", gh.url());
    let docs = format!("{}/acme/shop_docs", gh.url());
    let shop = a.project("shop", Some(code.clone()), Some(docs.clone())).await;
    let new =
        NewStory { title: "Checkout".into(), description: "Pay.".into(), ..Default::default() };
    let story = stories::create(&a.f.store, &a.ada.id, &shop.id, new).await.unwrap();
    pipeline::setup_project(&a.f.store, &a.events, &a.ada.id, &shop.id).await.unwrap();
    let job = a.wait_job(&shop, JobState::Completed, 5 * MINUTE).await;
    assert_eq!(job.meta.get("path").map(String::as_str), Some("generate"));
    let a_dir = a.reload(&shop).await.local_path.expect("A's folder");
    let a_dir = Path::new(&a_dir);
    assert_eq!(git(a_dir, TOKEN, &["remote", "get-url", "origin"]), format!("{code}.git"));
    assert_eq!(git(a_dir, TOKEN, &["rev-parse", "--abbrev-ref", "main@{upstream}"]), "origin/main");
    assert_eq!(gh.commits("acme", "shop"), 1);

    // B: signed in, the heartbeat brings the repository in, pointed at its docs repository.
    let b = machine_b(&gh).await;
    let found = discovered(&b, "shop").await;
    assert_eq!((found.stage, found.framework), (Stage::Discovered, Framework::Unknown));
    let found = if found.docs_repo.is_none() {
        let changes = ProjectChanges { docs_repo: Some(docs.clone()), ..Default::default() };
        projects::update(&b.f.store, &b.ada.id, &found.id, changes).await.unwrap()
    } else {
        found
    };
    let checks = pipeline::preflight::doctor(
        &b.f.store,
        &PipelineConfig::new(Arc::new(Keyring)),
        &b.ada.id,
        Some(&found),
    )
    .await
    .unwrap();
    let path = checks.iter().find(|c| c.name == "setup path").expect("the path is shown first");
    assert!(path.ok && path.detail.starts_with("clone:"), "{path:?}");
    pipeline::setup_project(&b.f.store, &b.events, &b.ada.id, &found.id).await.unwrap();
    let job = b.wait_job(&found, JobState::Completed, 5 * MINUTE).await;
    assert_eq!(job.meta.get("path").map(String::as_str), Some("clone"), "recorded on the job");
    assert_eq!(
        steps(&b, job.id).await,
        [
            SetupStatus::CheckingAccess,
            SetupStatus::Cloning,
            SetupStatus::ImportingSpec,
            SetupStatus::DepsInstalling,
            SetupStatus::Compiling,
            SetupStatus::Testing
        ]
    );
    let ready = b.reload(&found).await;
    assert_eq!(ready.setup_status, SetupStatus::Ready, "{:?}", ready.setup_error);
    assert_eq!(ready.stage, Stage::Initialized);
    assert_eq!(ready.framework, Framework::Elixir, "read from its mix.exs");
    assert_eq!(gh.commits("acme", "shop"), 1, "nothing is pushed by a clone");
    let b_dir = ready.local_path.expect("B's folder");
    let b_dir = Path::new(&b_dir);
    assert!(b_dir.join("lib/shop.ex").is_file(), "A's code is on B's machine");
    let origin = git(b_dir, BOB_TOKEN, &["remote", "get-url", "origin"]);
    assert_eq!(origin, format!("{code}.git"), "no credentials in the URL");
    assert_eq!(
        git(b_dir, BOB_TOKEN, &["rev-parse", "--abbrev-ref", "main@{upstream}"]),
        "origin/main"
    );
    let here = stories::list(&b.f.store, &b.ada.id, &found.id).await.unwrap();
    assert_eq!(here.iter().map(|s| s.title.as_str()).collect::<Vec<_>>(), ["Checkout"]);

    // B edits the story; A receives it through the docs repository.
    let cancel = CancellationToken::new();
    let b_story = &here[0];
    let changes = StoryChanges { title: Some("Checkout, by B".into()), ..Default::default() };
    stories::update(&b.f.store, &b.ada.id, &b_story.id, b_story.version, changes).await.unwrap();
    let secrets: Arc<dyn SecretStore> = Arc::new(Keyring);
    docs_sync::run_once(&b.f.store, &secrets, &b.ada.id, &found.id, &cancel).await.unwrap();
    docs_sync::run_once(&a.f.store, &secrets, &a.ada.id, &shop.id, &cancel).await.unwrap();
    let on_a = stories::get(&a.f.store, &a.ada.id, &story.id).await.unwrap();
    assert_eq!(on_a.title, "Checkout, by B");

    // From a terminal, with the person's own credentials: push from B, pull on A.
    std::fs::write(b_dir.join("NOTES.md"), "by B\n").unwrap();
    git(b_dir, BOB_TOKEN, &["add", "NOTES.md"]);
    git(b_dir, BOB_TOKEN, &["commit", "-qm", "Notes"]);
    git(b_dir, BOB_TOKEN, &["push", "-q"]);
    assert_eq!(gh.commits("acme", "shop"), 2);
    git(a_dir, TOKEN, &["pull", "-q", "--ff-only"]);
    assert!(a_dir.join("NOTES.md").is_file());
    a.runner.unwrap().stop().await;
    b.runner.unwrap().stop().await;
}

/// A recipe for the clone path that checks the clone instead of running mix (the repository
/// is not a mix project).
/// Checks access, clones, imports the spec and runs `git status` in the clone: a clone in seconds.
fn quick_clone_recipe() -> String {
    recipe("clone")
        .act("checking_access", "check_access")
        .timeout(60)
        .act("cloning", "clone")
        .dir("{name}")
        .set("rerun_in_place", false)
        .act("importing_spec", "import_spec")
        .timeout(60)
        .run("compiling", "git", &["status", "--short"])
        .dir("{name}")
        .toml()
}

fn quick_clone(p: &Pipeline) {
    let dir = p.f.dir.path().join("recipes");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("clone.toml"), quick_clone_recipe()).unwrap();
}

#[tokio::test]
async fn a_discovered_project_without_a_docs_repository_is_cloned_with_a_warning() {
    let (gh, p) = signed_in().await;
    quick_clone(&p);
    gh.repo("acme", "tool");
    gh.foreign_commit("acme", "tool");
    let found = discovered(&p, "tool").await;
    assert_eq!(found.docs_repo, None);
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &found.id).await.unwrap();
    let job = p.wait_job(&found, JobState::Completed, MINUTE).await;
    let ready = p.reload(&found).await;
    assert_eq!((ready.setup_status, ready.stage), (SetupStatus::Ready, Stage::Initialized));
    let note = ready.setup_error.unwrap_or_default();
    assert!(note.contains("no docs repository"), "the warning is shown with ready: {note}");
    let logs = jobs::logs(&p.f.store, &p.ada.id, job.id, 0, 10_000).await.unwrap();
    assert!(logs.iter().any(|l| l.line.starts_with("warning: the project has no docs repository")));
    assert!(Path::new(&ready.local_path.unwrap()).join(".git").is_dir());
    p.runner.unwrap().stop().await;
}

#[tokio::test]
async fn a_cancel_during_the_clone_leaves_nothing_half_done_and_a_retry_clones_it_whole() {
    let mut server = GitServer::start_with_fetch_delay(30);
    let url = server.repo("acme", "slow");
    let seed = tempfile::tempdir().unwrap();
    git(seed.path(), &server.token, &["init", "-q", "-b", "main"]);
    std::fs::write(seed.path().join("README.md"), "slow\n").unwrap();
    git(seed.path(), &server.token, &["add", "README.md"]);
    git(seed.path(), &server.token, &["commit", "-qm", "first"]);
    git(seed.path(), &server.token, &["push", "-q", &format!("{url}.git"), "main"]);
    let p = Pipeline::start(PipelineConfig::new(Arc::new(Keyring))).await;
    quick_clone(&p);
    Keyring.set(&p.ada.id, &server.host(), &Secret::new(&server.token)).unwrap();
    let project = p.project("slow", Some(url.clone()), None).await;
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let job = p.wait_job_where(&project, JobState::Executing, MINUTE, |_| true).await;
    // Inside the clone: the server holds the pack.
    let started = std::time::Instant::now();
    while p.reload(&project).await.setup_status != SetupStatus::Cloning {
        assert!(started.elapsed() < MINUTE, "the setup never reached the clone");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    pipeline::cancel_setup(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    p.wait_job(&project, JobState::Cancelled, MINUTE).await;
    let cancelled = p.reload(&project).await;
    assert_eq!(cancelled.setup_status, SetupStatus::Failed, "not stuck in cloning");
    assert_eq!(cancelled.local_path, None);
    let half = jobs::work_dir(&p.f.store, job.id).join("slow");
    // The clone thread notices at libgit2's next callback once the pack comes: wait for it.
    server.restart();
    let started = std::time::Instant::now();
    while half.exists() && started.elapsed() < MINUTE {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!half.exists(), "no half-made clone is left in the work dir");
    let workspace = p.f.dir.path().join("workspace");
    assert!(!workspace.join("slow").exists(), "nothing reached the workspace");

    pipeline::retry_setup(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let done = settled(&p, &project).await;
    assert_eq!(done.state, JobState::Completed, "the retry: {:?}", done.errors);
    let ready = p.reload(&project).await;
    assert_eq!(ready.setup_status, SetupStatus::Ready, "{:?}", ready.setup_error);
    let folder = ready.local_path.unwrap();
    assert_eq!(std::fs::read_to_string(Path::new(&folder).join("README.md")).unwrap(), "slow\n");
    p.runner.unwrap().stop().await;
}
