//! The setup pipeline with real parts: Debian's `elixir`/`mix`, libgit2 pushing over smart
//! HTTP to a local server that demands the token, the OS keyring (run under a D-Bus session
//! with gnome-keyring, as `make test` does).

use crate::recipe::recipe;
use crate::support::*;
use codemyspec_core::accounts::Account;
use codemyspec_core::events::{Broadcaster, ProjectEvent};
use codemyspec_core::jobs::{self, FailureClass, Job, JobState, StepOutcome};
use codemyspec_core::pipeline::{self, process, PipelineConfig};
use codemyspec_core::projects::{self, Framework, NewProject, Project, SetupStatus};
use codemyspec_core::runner::{Runner, RunnerConfig, RunnerHandle};
use codemyspec_core::secrets::{Keyring, SecretStore};
use codemyspec_core::settings::Setting;
use codemyspec_core::stories::{self, NewStory};
use codemyspec_core::{Code, Secret, Stage};
use codemyspec_tests::GitServer;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Pipeline {
    pub f: Fixture,
    pub events: Broadcaster,
    pub runner: Option<RunnerHandle>,
    pub ada: Account,
}

pub fn fast_runner() -> RunnerConfig {
    let backoff = jobs::Backoff {
        base: chrono::Duration::seconds(20),
        max: chrono::Duration::hours(1),
        jitter: 0.0,
    };
    RunnerConfig { poll: Duration::from_millis(100), backoff, ..Default::default() }
}

impl Pipeline {
    pub async fn start(config: PipelineConfig) -> Pipeline {
        let f = fixture().await;
        let events = Broadcaster::new();
        let ada = account(&f.store, "ada@example.com").await;
        let config = Arc::new(config);
        // The app's workers, as the app and `codemyspec worker` register them.
        let runner =
            pipeline::register_workers(Runner::new(&f.store, &events, fast_runner()), config)
                .start()
                .await
                .unwrap();
        // Set-up projects land in the test's own folder, not the user's home.
        let workspace = f.dir.path().join("workspace");
        codemyspec_core::settings::set(
            &f.store,
            Setting::WorkspaceDir,
            &workspace.display().to_string(),
        )
        .await
        .unwrap();
        Pipeline { f, events, runner: Some(runner), ada }
    }

    pub async fn project(
        &self,
        name: &str,
        code_repo: Option<String>,
        docs_repo: Option<String>,
    ) -> Project {
        let new = NewProject {
            name: name.into(),
            framework: Some(Framework::Elixir),
            code_repo,
            docs_repo,
            ..Default::default()
        };
        projects::create(&self.f.store, &self.ada.id, new).await.unwrap()
    }

    pub fn recipe(&self, text: &str) {
        let dir = self.f.dir.path().join("recipes");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("elixir.toml"), text).unwrap();
    }

    /// Waits for the project's newest setup job to reach `state`.
    pub async fn wait_job(&self, project: &Project, state: JobState, timeout: Duration) -> Job {
        self.wait_job_where(project, state, timeout, |_| true).await
    }

    /// Waits for the project's newest setup job to reach `state` and satisfy `extra`.
    pub async fn wait_job_where(
        &self,
        project: &Project,
        state: JobState,
        timeout: Duration,
        extra: impl Fn(&Job) -> bool,
    ) -> Job {
        let started = Instant::now();
        loop {
            let filter =
                jobs::JobFilter { project_id: Some(project.id.to_string()), ..Default::default() };
            let list = jobs::list(&self.f.store, &self.ada.id, &filter).await.unwrap();
            if let Some(job) = list.first().filter(|j| j.state == state && extra(j)) {
                return job.clone();
            }
            let now = list.first().map(|j| j.state.to_string()).unwrap_or_default();
            assert!(
                started.elapsed() < timeout,
                "setup job still {now} after {timeout:?} (waiting for {state})"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn reload(&self, project: &Project) -> Project {
        projects::get(&self.f.store, &self.ada.id, &project.id).await.unwrap()
    }

    pub fn wake(&self) {
        if let Some(r) = &self.runner {
            r.wake();
        }
    }
}

fn statuses(
    sub: &mut tokio::sync::broadcast::Receiver<ProjectEvent>,
) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    while let Ok(e) = sub.try_recv() {
        let error = match &e {
            ProjectEvent::ProjectError { error, .. } => Some(error.clone()),
            ProjectEvent::ProjectUpdated { .. } => None,
        };
        out.push((e.project().setup_status.to_string(), error));
    }
    out
}

const MINUTE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn an_elixir_project_is_set_up_for_real_and_pushed_with_the_token() {
    let git = GitServer::start();
    let keyring = Keyring;
    let p = Pipeline::start(PipelineConfig::new(Arc::new(Keyring))).await;
    keyring
        .set(&p.ada.id, &git.host(), &Secret::new(git.token.clone()))
        .expect("the OS keyring (run under make test)");
    let project = p
        .project("shop", Some(git.repo("acme", "shop")), Some(git.repo("acme", "shop_docs")))
        .await;
    stories::create(
        &p.f.store,
        &p.ada.id,
        &project.id,
        NewStory {
            title: "Pay by card".into(),
            description: "As a buyer…".into(),
            acceptance_criteria: None,
        },
    )
    .await
    .unwrap();
    let mut sub = p.events.subscribe_to_project(&project.id);

    let queued =
        pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    assert!(!queued.conflict);
    assert_eq!(
        (queued.job.queue.as_str(), queued.job.priority, queued.job.max_attempts),
        ("project_setup", 1, 3)
    );
    let job = p.wait_job(&project, JobState::Completed, 3 * MINUTE).await;
    assert_eq!(job.attempt, 1);

    let done = p.reload(&project).await;
    assert_eq!(
        (done.setup_status, done.stage, done.setup_complete),
        (SetupStatus::Ready, Stage::Initialized, true)
    );
    let seen: Vec<String> = statuses(&mut sub).into_iter().map(|(s, _)| s).collect();
    assert_eq!(
        seen,
        [
            "setup_queued",
            "creating_repositories",
            "initializing",
            "deps_installing",
            "compiling",
            "testing",
            "committing",
            "ready"
        ]
    );

    let code = git.files("acme", "shop");
    for f in ["mix.exs", "lib/shop.ex", "test/shop_test.exs", ".gitignore"] {
        assert!(code.contains(&f.to_owned()), "{f} in {code:?}");
    }
    assert!(!code.iter().any(|f| f.starts_with("_build/")), "ignored files are not pushed");
    let docs = git.files("acme", "shop_docs");
    assert!(
        docs.contains(&"README.md".to_owned())
            && docs.iter().any(|f| {
                // stories/<two hex of the id>/pay-by-card-<id start>.md
                let parts: Vec<&str> = f.split('/').collect();
                parts.len() == 3 && parts[0] == "stories" && parts[2].starts_with("pay-by-card-")
            }),
        "{docs:?}"
    );

    let steps = jobs::steps(&p.f.store, &p.ada.id, job.id).await.unwrap();
    let summary: Vec<(&str, Option<i64>, Option<&str>)> = steps
        .iter()
        .map(|s| (s.status.as_str(), s.exit_code, s.outcome.map(StepOutcome::as_str)))
        .collect();
    // The git server is not the configured GitHub: provisioning has nothing to create.
    assert_eq!(summary[0], ("creating_repositories", None, Some("ok")));
    assert_eq!(summary[1], ("initializing", Some(0), Some("ok")));
    assert_eq!(summary.len(), 6);
    assert!(steps.iter().all(|s| s.duration_ms.is_some() && s.finished_at.is_some()));
    let logs = jobs::logs(&p.f.store, &p.ada.id, job.id, 0, 10_000).await.unwrap();
    assert!(logs.iter().any(|l| l.line.contains("creating mix.exs")), "mix new's output is kept");
    assert!(
        logs.iter()
            .any(|l| l.line.contains("tests, 0 failures") || l.line.contains("test, 0 failures")),
        "mix test's output is kept"
    );

    // The token is nowhere but the keyring.
    let everything = snapshot(&p.f.store).await;
    assert!(!everything.contains(&git.token), "the token reached the database");
    assert!(!logs.iter().any(|l| l.line.contains(&git.token)));
    keyring.delete(&p.ada.id, &git.host()).unwrap();
    p.runner.unwrap().stop().await;
}

#[tokio::test]
async fn a_project_with_no_repos_finishes_locally_and_is_kept_in_the_workspace() {
    let p = Pipeline::start(PipelineConfig::new(Arc::new(Keyring))).await;
    let workspace = tempfile::tempdir().unwrap();
    codemyspec_core::settings::set(
        &p.f.store,
        Setting::WorkspaceDir,
        &workspace.path().display().to_string(),
    )
    .await
    .unwrap();
    let project = p.project("local_app", None, None).await;
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    p.wait_job(&project, JobState::Completed, 2 * MINUTE).await;
    assert_eq!(p.reload(&project).await.setup_status, SetupStatus::Ready);
    let kept = workspace.path().join("local_app");
    assert!(kept.join("mix.exs").is_file() && kept.join(".git").is_dir(), "moved with its history");
    let work = p.f.dir.path().join("work");
    assert_eq!(std::fs::read_dir(&work).map(|d| d.count()).unwrap_or(0), 0, "the temp dir is gone");
    p.runner.unwrap().stop().await;
}

#[tokio::test]
async fn a_failing_step_is_discarded_after_one_attempt_with_its_output() {
    let p = Pipeline::start(PipelineConfig::new(Arc::new(Keyring))).await;
    p.recipe(
        &recipe("broken")
            .run("initializing", "mix", &["new", "{name}"])
            .timeout(120)
            .run(
                "compiling",
                "elixir",
                &["-e", r#"File.write!("lib/broken.ex", "defmodule Broken do\n  def oops(, do: 1\nend\n")"#],
            )
            .dir("{name}")
            .timeout(60)
            .run("compiling", "mix", &["compile"])
            .dir("{name}")
            .timeout(300)
            .toml(),
    );
    let project = p.project("broken_app", None, None).await;
    let mut sub = p.events.subscribe_to_project(&project.id);
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let job = p.wait_job(&project, JobState::Discarded, 2 * MINUTE).await;
    assert_eq!((job.attempt, job.errors.len(), job.errors[0].class), (1, 1, FailureClass::Step));
    assert!(
        job.errors[0].error.contains("`mix compile` failed (exit 1)"),
        "{}",
        job.errors[0].error
    );
    let failed = p.reload(&project).await;
    assert_eq!((failed.setup_status, failed.stage), (SetupStatus::Failed, Stage::Error));
    let seen = statuses(&mut sub);
    let (last_status, error) = seen.last().cloned().unwrap();
    assert_eq!(last_status, "failed");
    let error = error.expect("a project_error message");
    assert!(error.contains("lib/broken.ex"), "the step's output is in the error: {error}");
    p.runner.unwrap().stop().await;
}

#[tokio::test]
async fn an_unreachable_remote_is_retried_with_backoff_then_discarded_after_three() {
    let p = Pipeline::start(PipelineConfig::new(Arc::new(Keyring))).await;
    // Port 9 (discard) on loopback: nothing listens, the connection is refused.
    let project = p.project("lonely", Some("http://127.0.0.1:9/acme/lonely".into()), None).await;
    let mut sub = p.events.subscribe_to_project(&project.id);
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    for attempt in 1..=2 {
        let job = p
            .wait_job_where(&project, JobState::Retryable, 2 * MINUTE, |j| j.attempt == attempt)
            .await;
        assert_eq!(job.errors.last().map(|e| e.class), Some(FailureClass::Infrastructure));
        let waiting = p.reload(&project).await;
        assert_eq!(waiting.setup_status, SetupStatus::SetupQueued, "waiting for the retry");
        assert!(waiting.setup_error.as_deref().unwrap_or_default().contains("retrying"));
        // Backoff doubles: 20 s, then 40 s — on the injected clock.
        f_advance(&p, 20 * (1 << (attempt - 1)));
    }
    let job = p.wait_job(&project, JobState::Discarded, 2 * MINUTE).await;
    assert_eq!((job.attempt, job.errors.len()), (3, 3));
    assert!(job.errors.iter().all(|e| e.error.contains("127.0.0.1:9")), "{:?}", job.errors);
    let failed = p.reload(&project).await;
    assert_eq!((failed.setup_status, failed.stage), (SetupStatus::Failed, Stage::Error));
    assert!(statuses(&mut sub).last().is_some_and(|(s, e)| s == "failed" && e.is_some()));
    p.runner.unwrap().stop().await;
}

fn f_advance(p: &Pipeline, seconds: i64) {
    p.f.clock.advance(chrono::Duration::seconds(seconds));
    p.wake();
}

#[tokio::test]
async fn cancelling_during_a_long_step_kills_its_whole_process_group() {
    let p = Pipeline::start(PipelineConfig::new(Arc::new(Keyring))).await;
    p.recipe(&recipe("slow").sh("compiling", "sleep 300 & sleep 300 & wait").timeout(600).toml());
    let project = p.project("slow_app", None, None).await;
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    let job = p.wait_job(&project, JobState::Executing, MINUTE).await;
    let started = Instant::now();
    let pgid = loop {
        let job = jobs::get(&p.f.store, &p.ada.id, job.id).await.unwrap();
        if let Some(pgid) = job.meta.get("pgid").and_then(|v| v.parse::<u32>().ok()) {
            break pgid;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the step never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(process::group_alive(pgid));
    let cancelled =
        pipeline::cancel_setup(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    assert_eq!(cancelled.state, JobState::Cancelled);
    let started = Instant::now();
    while process::group_alive(pgid) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "processes of group {pgid} survived the cancel"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let project = p.reload(&project).await;
    assert_eq!(
        (project.setup_status, project.setup_error.as_deref()),
        (SetupStatus::Failed, Some("cancelled"))
    );
    assert_eq!(project.stage, Stage::Error);
    // The original design's answers (docs/DESIGN.md): already finished, and nothing to cancel.
    let again =
        pipeline::cancel_setup(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap_err();
    assert_eq!(again.code(), Code::AlreadyCompleted);
    let other = p.project("never_set_up", None, None).await;
    let none =
        pipeline::cancel_setup(&p.f.store, &p.events, &p.ada.id, &other.id).await.unwrap_err();
    assert_eq!(none.code(), Code::NotFound);
    // And a manual retry brings it back into provisioning.
    p.recipe("name = \"quick\"\n[[steps]]\nstatus = \"compiling\"\nprogram = \"true\"\ntimeout_secs = 5\non_failure = \"step\"\n");
    pipeline::retry_setup(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    assert_eq!(p.reload(&project).await.stage, Stage::Provisioning);
    p.wait_job(&project, JobState::Completed, MINUTE).await;
    assert_eq!(p.reload(&project).await.setup_status, SetupStatus::Ready);
    p.runner.unwrap().stop().await;
}

#[tokio::test]
async fn a_hundred_concurrent_setups_of_one_project_make_one_job() {
    let f = fixture().await;
    let events = Broadcaster::new();
    let ada = account(&f.store, "ada@example.com").await;
    let project = project(&f.store, &ada, "busy").await;
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let (store, events, actor, id) = (f.store.clone(), events.clone(), ada.id, project.id);
            tokio::spawn(async move { pipeline::setup_project(&store, &events, &actor, &id).await })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    let mut fresh = 0;
    for t in tasks {
        let inserted = t.await.unwrap().unwrap();
        ids.insert(inserted.job.id);
        fresh += usize::from(!inserted.conflict);
    }
    assert_eq!((ids.len(), fresh), (1, 1));
    let rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM jobs").fetch_one(f.store.pool()).await.unwrap();
    assert_eq!(rows, 1);
    let project = projects::get(&f.store, &ada.id, &project.id).await.unwrap();
    assert_eq!(
        (project.setup_status, project.stage),
        (SetupStatus::SetupQueued, Stage::Provisioning)
    );
}

#[tokio::test]
async fn the_phoenix_recipe_runs_exactly_these_commands() {
    // hex.pm is unreachable here, so the real phx.new cannot run: a stand-in `mix` records
    // every call and makes the files the next steps need.
    let bin = tempfile::tempdir().unwrap();
    let calls = bin.path().join("calls.log");
    let mix = bin.path().join("mix");
    std::fs::write(
        &mix,
        format!(
            "#!/bin/sh\necho \"$(basename \"$PWD\") | $*\" >> {calls}\n\
             if [ \"$1\" = phx.new ]; then mkdir -p \"$2/lib\" && echo 'defmodule X do end' > \"$2/lib/x.ex\"; fi\n",
            calls = calls.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&mix, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let mix_home = tempfile::tempdir().unwrap();
    for archive in ["hex-2.1.1", "phx_new-1.7.14"] {
        std::fs::create_dir_all(mix_home.path().join("archives").join(archive)).unwrap();
    }
    let mut config = PipelineConfig::new(Arc::new(Keyring));
    config.extra_path = vec![bin.path().to_owned()];
    config.mix_home = Some(mix_home.path().to_owned());
    // The Hex repository the preflight asks for: something listening where hex.config says.
    let hex_repo = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hex_home = tempfile::tempdir().unwrap();
    let url = format!("http://{}", hex_repo.local_addr().unwrap());
    let hex_config = format!("{{'$repos',#{{<<\"hexpm\">> => #{{url => <<\"{url}\">>}}}}}}.\n");
    std::fs::write(hex_home.path().join("hex.config"), hex_config).unwrap();
    config.hex_home = Some(hex_home.path().to_owned());
    let p = Pipeline::start(config).await;
    let new = NewProject {
        name: "my_shop".into(),
        framework: Some(Framework::Phoenix),
        ..Default::default()
    };
    let project = projects::create(&p.f.store, &p.ada.id, new).await.unwrap();
    pipeline::setup_project(&p.f.store, &p.events, &p.ada.id, &project.id).await.unwrap();
    p.wait_job(&project, JobState::Completed, MINUTE).await;
    let log = std::fs::read_to_string(&calls).unwrap();
    let work_dir = |line: &str| line.split(" | ").next().unwrap_or_default().starts_with("job-");
    let lines: Vec<String> = log
        .lines()
        .map(|l| {
            if work_dir(l) {
                l.replacen(l.split(" | ").next().unwrap_or_default(), "<work>", 1)
            } else {
                l.to_owned()
            }
        })
        .collect();
    assert_eq!(
        lines,
        [
            "<work> | phx.new my_shop --module MyShop --database sqlite3 --no-install",
            "my_shop | deps.get",
            "my_shop | phx.gen.auth Accounts User users --live",
            "my_shop | deps.get",
            "my_shop | compile",
            "my_shop | test",
        ]
    );
    p.runner.unwrap().stop().await;
}
