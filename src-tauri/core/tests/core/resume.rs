//! Setups that nothing can wedge (docs/PIPELINE.md "Interruption, resume and rescue"): a
//! retry resumes in the kept work dir, publishing is idempotent, a cancel is honoured while
//! a push hangs, the tree reaches a workspace on another filesystem (and is the project's
//! folder there even when its original cannot be removed), steps get a minimal
//! environment, and stage moves cannot contradict a running setup. Real `mix`, real git
//! over smart HTTP, the OS keyring (run under `make test`'s D-Bus session).

use crate::recipe::{recipe, APP_README};
use crate::setup::Pipeline;
use codemyspec_core::jobs::{self, FailureClass, JobState, StepOutcome};
use codemyspec_core::lifecycle;
use codemyspec_core::pipeline::{self, PipelineConfig};
use codemyspec_core::projects::SetupStatus;
use codemyspec_core::secrets::{Keyring, SecretStore};
use codemyspec_core::settings::Setting;
use codemyspec_core::{Code, Secret, Stage};
use codemyspec_tests::GitServer;
use std::sync::Arc;
use std::time::{Duration, Instant};

const MINUTE: Duration = Duration::from_secs(60);

/// The profile's token for the git server, in the OS keyring.
fn keyring_token(p: &Pipeline, git: &GitServer) {
    Keyring
        .set(&p.ada.id, &git.host(), &Secret::new(git.token.clone()))
        .expect("the OS keyring (run under make test)");
}

#[tokio::test]
async fn a_retry_after_a_partial_publish_resumes_at_the_push_and_the_remote_holds_one_commit() {
    let git = GitServer::start();
    let p = Pipeline::start(PipelineConfig::new(Arc::new(Keyring))).await;
    keyring_token(&p, &git);
    let code = git.repo("acme", "halfway");
    // The docs repository does not exist yet: its push answers 404.
    let docs = format!("http://{}/acme/halfway_docs", git.host());
    let project = p.project("halfway", Some(code), Some(docs)).await;
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();

    // A missing repository is the user's to fix, not a network hiccup: one attempt.
    let job = p.wait_job(&project, JobState::Discarded, 3 * MINUTE).await;
    assert_eq!((job.attempt, job.errors[0].class), (1, FailureClass::Step));
    let failed = p.reload(&project).await;
    assert_eq!((failed.setup_status, failed.stage), (SetupStatus::Failed, Stage::Error));
    let error = failed.setup_error.unwrap_or_default();
    assert!(error.contains("acme/halfway_docs") && error.contains("404"), "{error}");
    assert_eq!(git.commits("acme", "halfway"), 1, "the code was pushed before the docs failed");

    // The user creates it and retries: the steps mix already did are reused.
    git.repo("acme", "halfway_docs");
    pipeline::retry_setup(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let job = p.wait_job(&project, JobState::Completed, 3 * MINUTE).await;
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
            ("deps_installing", Some("reused")),
            ("compiling", Some("reused")),
            ("testing", Some("reused")),
            ("committing", Some("ok")),
        ]
    );
    assert_eq!(git.commits("acme", "halfway"), 1, "the same commit, not a second root");
    assert!(git.files("acme", "halfway_docs").contains(&"README.md".to_owned()));
    let ready = p.reload(&project).await;
    assert_eq!((ready.setup_status, ready.stage), (SetupStatus::Ready, Stage::Initialized));
    let kept = std::path::PathBuf::from(ready.local_path.expect("a ready project has a folder"));
    assert!(kept.join("mix.exs").is_file(), "{}", kept.display());
    assert!(!jobs::work_dir(&p.f.store, job.id).exists(), "the work dir is cleared");
    Keyring.delete(&p.ada.id, &git.host()).unwrap();
    p.runner.unwrap().stop().await;
}

/// Makes `app/README.md` and publishes it.
fn publish_only() -> String {
    recipe("tiny").sh("initializing", APP_README).act("committing", "publish").dir("app").toml()
}

#[tokio::test]
async fn cancelling_while_the_push_hangs_ends_cancelled_at_once_and_pushes_nothing() {
    let git = GitServer::start_with_push_delay(4);
    let p = Pipeline::start(PipelineConfig::new(Arc::new(Keyring))).await;
    keyring_token(&p, &git);
    p.recipe(&publish_only());
    let project = p.project("stalled_push", Some(git.repo("acme", "stalled_push")), None).await;
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let started = Instant::now();
    let job = loop {
        let job = p.wait_job(&project, JobState::Executing, MINUTE).await;
        let logs = jobs::logs(&p.f.store, &p.ada.id, job.id, 0, 1000).await.unwrap();
        if logs.iter().any(|l| l.line.starts_with("pushing main")) {
            break job;
        }
        assert!(started.elapsed() < MINUTE, "the push never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    pipeline::cancel_setup(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    // The step ends as cancelled while the server still holds the push.
    let ended = loop {
        let steps = jobs::steps(&p.f.store, &p.ada.id, job.id).await.unwrap();
        if let Some(outcome) = steps.last().and_then(|s| s.outcome) {
            break outcome;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(ended, StepOutcome::Cancelled);
    let job = jobs::get(&p.f.store, &p.ada.id, job.id).await.unwrap();
    assert_eq!(job.state, JobState::Cancelled);
    assert!(
        job.errors.iter().all(|e| e.class == FailureClass::Cancelled),
        "cancelled, not an internal error: {:?}",
        job.errors
    );
    let project = p.reload(&project).await;
    assert_eq!(
        (project.setup_status, project.setup_error.as_deref(), project.stage),
        (SetupStatus::Failed, Some("cancelled"), Stage::Error)
    );
    // Once the server has answered (4 s), nothing reached it: the push stopped before its pack.
    while started.elapsed() < Duration::from_secs(7) {
        assert_eq!(git.commits("acme", "stalled_push"), 0, "a cancelled push sent its commit");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Keyring.delete(&p.ada.id, &git.host()).unwrap();
    p.runner.unwrap().stop().await;
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_workspace_on_another_filesystem_gets_the_project_copied_and_the_setup_is_ready() {
    use std::os::unix::fs::MetadataExt;
    let p = Pipeline::start(PipelineConfig::new(Arc::new(Keyring))).await;
    // /dev/shm is a tmpfs; the data dir is on disk.
    let workspace = tempfile::tempdir_in("/dev/shm").expect("a tmpfs at /dev/shm");
    let (disk, tmpfs) = (
        std::fs::metadata(p.f.dir.path()).unwrap().dev(),
        std::fs::metadata(workspace.path()).unwrap().dev(),
    );
    assert_ne!(disk, tmpfs, "the test needs two filesystems");
    codemyspec_core::settings::set(
        &p.f.store,
        Setting::WorkspaceDir,
        &workspace.path().display().to_string(),
    )
    .await
    .unwrap();
    p.recipe(&publish_only());
    let project = p.project("far_away", None, None).await;
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let job = p.wait_job(&project, JobState::Completed, MINUTE).await;
    let ready = p.reload(&project).await;
    assert_eq!(ready.setup_status, SetupStatus::Ready);
    let kept = workspace.path().join("far_away");
    assert_eq!(ready.local_path.as_deref(), Some(kept.to_str().unwrap()));
    assert_eq!(std::fs::read_to_string(kept.join("README.md")).unwrap(), "hello\n");
    assert!(kept.join(".git").is_dir(), "with its history");
    assert!(!jobs::work_dir(&p.f.store, job.id).exists(), "the original is removed after the copy");
    p.runner.unwrap().stop().await;
}

/// Lets a test's folder be removed again: undoes what made the original unremovable.
#[cfg(target_os = "linux")]
struct Removable(std::path::PathBuf);

#[cfg(target_os = "linux")]
impl Drop for Removable {
    fn drop(&mut self) {
        let locked = self.0.join("locked");
        let _ = std::process::Command::new("chattr").arg("-i").arg(locked.join("file")).status();
        let _ = std::process::Command::new("chmod").arg("0755").arg(&locked).status();
    }
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_copy_to_another_filesystem_whose_original_cannot_be_removed_is_the_projects_folder_and_the_message_names_it(
) {
    use std::os::unix::fs::MetadataExt;
    let p = Pipeline::start(PipelineConfig::new(Arc::new(Keyring))).await;
    // /dev/shm is a tmpfs; the data dir is on disk: the tree is copied, then removed.
    let workspace = tempfile::tempdir_in("/dev/shm").expect("a tmpfs at /dev/shm");
    let (disk, tmpfs) = (
        std::fs::metadata(p.f.dir.path()).unwrap().dev(),
        std::fs::metadata(workspace.path()).unwrap().dev(),
    );
    assert_ne!(disk, tmpfs, "the test needs two filesystems");
    codemyspec_core::settings::set(
        &p.f.store,
        Setting::WorkspaceDir,
        &workspace.path().display().to_string(),
    )
    .await
    .unwrap();
    // The step makes a file nobody may remove: immutable (`chattr +i`, which stops root
    // too), or in a read-only folder where chattr is not allowed (which stops anyone else).
    p.recipe(
        &recipe("stuck_original")
            .sh(
                "initializing",
                "mkdir -p app/locked && echo hello > app/README.md && echo mine > app/locked/file && (chattr +i app/locked/file 2>/dev/null || chmod 0555 app/locked)",
            )
            .run("compiling", "true", &[])
            .dir("app")
            .toml(),
    );
    let project = p.project("two_places", None, None).await;
    let queued =
        pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let original = jobs::work_dir(&p.f.store, queued.job.id).join("app");
    let _removable = Removable(original.clone());
    p.wait_job(&project, JobState::Completed, MINUTE).await;
    assert!(original.join("locked/file").exists(), "the original could not be removed");

    // The whole copy is the project's folder, and the message names it (and the leftover).
    let copy = workspace.path().join("two_places");
    let ready = p.reload(&project).await;
    assert_eq!((ready.setup_status, ready.stage), (SetupStatus::Ready, Stage::Initialized));
    assert_eq!(ready.local_path.as_deref(), Some(copy.to_str().unwrap()));
    let message = ready.setup_error.unwrap_or_default();
    assert!(message.contains(&copy.display().to_string()), "names the copy: {message}");
    assert!(message.contains("its folder from now on"), "{message}");
    assert!(message.contains(&original.display().to_string()), "names the leftover: {message}");
    assert_eq!(std::fs::read_to_string(copy.join("README.md")).unwrap(), "hello\n");
    assert_eq!(std::fs::read_to_string(copy.join("locked/file")).unwrap(), "mine\n");
    p.runner.unwrap().stop().await;
}

#[tokio::test]
async fn steps_get_a_minimal_environment_without_the_sessions_secrets() {
    // The session this test runs in (make test's) has a D-Bus session bus: the keyring.
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "run under tests/with-session.sh"
    );
    let p = Pipeline::start(PipelineConfig::new(Arc::new(Keyring))).await;
    p.recipe(
        "name = \"env\"\n[[steps]]\nstatus = \"compiling\"\nprogram = \"env\"\ntimeout_secs = 30\non_failure = \"step\"\n",
    );
    let project = p.project("envy", None, None).await;
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let job = p.wait_job(&project, JobState::Completed, MINUTE).await;
    let logs = jobs::logs(&p.f.store, &p.ada.id, job.id, 0, 1000).await.unwrap();
    let names: Vec<&str> =
        logs.iter().filter_map(|l| l.line.split_once('=').map(|(k, _)| k)).collect();
    assert!(names.contains(&"PATH") && names.contains(&"HOME"), "{names:?}");
    for secret in
        ["DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL", "SSH_AUTH_SOCK", "GITHUB_TOKEN"]
    {
        assert!(!names.contains(&secret), "{secret} reached a step: {names:?}");
    }
    // Besides the documented list, the step's run mark, by which a rescue knows its children.
    assert!(names.contains(&pipeline::rescue::STEP_MARK), "{names:?}");
    for name in names.iter().filter(|n| **n != pipeline::rescue::STEP_MARK) {
        assert!(pipeline::process::STEP_ENV.contains(name), "{name} is not in the documented list");
    }
    p.runner.unwrap().stop().await;
}

#[tokio::test]
async fn a_stage_move_during_a_setup_is_refused_and_a_failed_setup_returns_only_by_setting_up() {
    let p = Pipeline::start(PipelineConfig::new(Arc::new(Keyring))).await;
    jobs::set_paused(&p.f.store, pipeline::QUEUE, true).await.unwrap();
    let project = p.project("moving", None, None).await;
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    for to in [Stage::Archived, Stage::Error] {
        let err = lifecycle::transition(&p.f.store, &p.ada.id, &project.id, to, "tidy up")
            .await
            .unwrap_err();
        assert_eq!(err.code(), Code::Conflict, "{to}");
        assert!(err.to_string().contains("cancel it first"), "{err}");
    }
    assert_eq!(p.reload(&project).await.stage, Stage::Provisioning);
    pipeline::cancel_setup(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let err =
        lifecycle::transition(&p.f.store, &p.ada.id, &project.id, Stage::Provisioning, "again")
            .await
            .unwrap_err();
    assert!(
        matches!(err, codemyspec_core::Error::IllegalTransition { .. })
            && err.to_string().contains("setup pipeline"),
        "{err}"
    );
    assert_eq!(p.reload(&project).await.stage, Stage::Error);
    // Setting up again does it.
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    assert_eq!(p.reload(&project).await.stage, Stage::Provisioning);
    p.runner.unwrap().stop().await;
}

#[tokio::test]
async fn cancelling_an_earlier_setup_job_leaves_the_newest_alone() {
    let p = Pipeline::start(PipelineConfig::new(Arc::new(Keyring))).await;
    jobs::set_paused(&p.f.store, pipeline::QUEUE, true).await.unwrap();
    let project = p.project("twice_set_up", None, None).await;
    let first =
        pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    pipeline::cancel_setup(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let newest =
        pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    assert_ne!(first.job.id, newest.job.id);
    let err =
        pipeline::cancel_job(&p.f.store, &p.events, &p.ada.id, first.job.id).await.unwrap_err();
    assert_eq!(err.code(), Code::AlreadyCompleted, "{err}");
    let err =
        pipeline::retry_job(&p.f.store, &p.events, &p.ada.id, first.job.id).await.unwrap_err();
    assert!(err.to_string().contains(&format!("job {} is its newest", newest.job.id)), "{err}");
    let job = jobs::get(&p.f.store, &p.ada.id, newest.job.id).await.unwrap();
    assert_eq!(job.state, JobState::Available, "the newest setup still waits");
    assert_eq!(p.reload(&project).await.setup_status, SetupStatus::SetupQueued);
    p.runner.unwrap().stop().await;
}

#[tokio::test]
async fn a_project_that_cannot_reach_the_workspace_is_not_ready_and_its_tree_is_kept_where_the_error_says(
) {
    let p = Pipeline::start(PipelineConfig::new(Arc::new(Keyring))).await;
    let blocked = p.f.dir.path().join("blocked");
    codemyspec_core::settings::set(
        &p.f.store,
        Setting::WorkspaceDir,
        &blocked.display().to_string(),
    )
    .await
    .unwrap();
    // The preflight finds the folder writable; then, mid-setup, it becomes a plain file (a
    // disk unmounted, a folder replaced): the move at the end cannot happen.
    let script = format!(
        "mkdir -p app && echo hello > app/README.md && rm -rf '{ws}' && touch '{ws}'",
        ws = blocked.display()
    );
    p.recipe(
        &recipe("blocked")
            .sh("initializing", &script)
            .run("compiling", "true", &[])
            .dir("app")
            .toml(),
    );
    let project = p.project("nowhere_to_go", None, None).await;
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let job = p.wait_job(&project, JobState::Discarded, MINUTE).await;
    let failed = p.reload(&project).await;
    assert_eq!((failed.setup_status, failed.stage), (SetupStatus::Failed, Stage::Error));
    assert_eq!(failed.local_path, None, "not ready, no folder claimed");
    let error = failed.setup_error.unwrap_or_default();
    let kept = jobs::work_dir(&p.f.store, job.id).join("app");
    assert!(error.contains(&kept.display().to_string()), "the error names where it is: {error}");
    assert_eq!(std::fs::read_to_string(kept.join("README.md")).unwrap(), "hello\n", "nothing lost");
    p.runner.unwrap().stop().await;
}
