//! The `ProjectSetup` worker: one attempt at setting a project up. It runs the recipe's
//! steps in the job's work dir, records each step (start, end, duration, exit code) and its
//! output, and moves the project's setup status along — database first, then the
//! broadcaster. A later attempt of the same job resumes: the steps an earlier attempt
//! finished in the kept work dir are reused, not run again (docs/PIPELINE.md).

use super::logs::{LogSink, Stream};
use super::path::{self, SetupPath};
use super::process::{self, StepCommand, StepEnd};
use super::publish::{self, Author, PublishError};
use super::recipe::{self, Action, Step, Work};
use super::tree::Kept;
use super::{
    depcache, docs, fail_project, preflight, provision, rescue, write_status, PipelineConfig,
};
use crate::accounts;
use crate::error::Error;
use crate::events::JobEvent;
use crate::ids::{AccountId, ProjectId};
use crate::jobs::{self, FailureClass, Job, JobState, StepOutcome};
use crate::lifecycle::{self, Stage, Trigger};
use crate::projects::{self, Project, SetupStatus};
use crate::repo_kind::RepoKind;
use crate::runner::{JobFailure, JobRun};
use crate::store::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

mod existing;

type Outcome = std::result::Result<(), JobFailure>;

fn internal(e: Error) -> JobFailure {
    let class = if matches!(e, Error::Busy | Error::Unavailable { .. }) {
        FailureClass::Infrastructure
    } else {
        FailureClass::Step
    };
    JobFailure::new(class, e.to_string())
}

/// One attempt of a `ProjectSetup` job.
pub async fn perform(run: JobRun, config: Arc<PipelineConfig>) -> Outcome {
    let job = run.job.clone();
    // The job's arguments are text: one that is not an id names no project that exists.
    let project_id = ProjectId::parse("project_id", job.project_id().unwrap_or_default());
    let found = match project_id {
        Ok(id) => projects::fetch_any(run.store.pool(), &id).await,
        Err(_) => Err(Error::not_found("project")),
    };
    let project = match found {
        Ok(p) => p,
        Err(Error::NotFound { .. }) => {
            return Err(JobFailure::new(FailureClass::Invalid, "the project no longer exists"))
        }
        Err(e) => return Err(internal(e)),
    };
    if !project.setup_status.is_running() {
        return Err(JobFailure::new(
            FailureClass::Invalid,
            format!("the project is {}, not waiting for a setup", project.setup_status),
        ));
    }
    // Where this attempt's steps find mix & co. (a tools_path set since the last counts).
    if let Err(e) = config.resolve_tools(&run.store).await {
        tracing::warn!("cannot read tools_path: {e}");
    }
    let mut attempt = Attempt {
        // A setup queued before jobs named their profile acts as the project's owner.
        actor: job.actor_id().unwrap_or(project.owner_id),
        run: &run,
        config: &config,
        project,
        position: 0,
        workdir: PathBuf::new(),
        path: SetupPath::Generate,
        warnings: std::sync::Mutex::new(Vec::new()),
        toolchain: tokio::sync::OnceCell::new(),
    };
    let result = attempt.go().await;
    if let Err(failure) = &result {
        attempt.report(failure).await;
    }
    result
}

struct Attempt<'a> {
    /// The profile that queued the setup.
    actor: AccountId,
    run: &'a JobRun,
    config: &'a PipelineConfig,
    project: Project,
    position: i64,
    workdir: PathBuf,
    /// Generate and push, or clone what exists (decided once per job, kept on its meta).
    path: SetupPath,
    /// What went wrong without failing the setup (a missing docs repository): shown with
    /// `ready`.
    warnings: std::sync::Mutex<Vec<String>>,
    /// Elixir and OTP as `elixir --version` said them (asked once, by the first `mix` step
    /// that may use the dependency cache).
    toolchain: tokio::sync::OnceCell<Option<super::toolchain::Versions>>,
}

impl Attempt<'_> {
    fn store(&self) -> &Store {
        &self.run.store
    }

    fn job(&self) -> &Job {
        &self.run.job
    }

    async fn go(&mut self) -> Outcome {
        let store = self.store().clone();
        let actor = self.actor;
        // Which way this setup goes: decided from the code repository once, then kept, so a
        // retry never changes course.
        let choice = match path::recorded(self.job()) {
            Some(choice) => choice,
            None => {
                let choice = path::decide(&self.config.secrets, &actor, &self.project).await?;
                path::record(&store, self.job(), &choice).await.map_err(internal)?;
                choice
            }
        };
        self.path = choice.path;
        let recipe =
            recipe::for_setup(store.data_dir(), &self.project, choice.path).map_err(internal)?;
        let checks = preflight::checks(&store, self.config, &actor, &self.project, &recipe).await;
        if let Some(problems) = preflight::problems(&checks) {
            return Err(JobFailure::new(FailureClass::Step, problems));
        }
        let workdir = jobs::work_dir(&store, self.job().id);
        let resume_at = self.resume_point(&recipe, &workdir).await.map_err(internal)?;
        if resume_at == 0 {
            remove_all(&workdir)?;
        }
        std::fs::create_dir_all(&workdir).map_err(|e| {
            JobFailure::new(
                FailureClass::Infrastructure,
                format!("cannot make the work dir {}: {e}", workdir.display()),
            )
        })?;
        self.workdir = workdir.clone();
        // Which recipe the kept work dir was made by: a retry resumes only with the same one.
        jobs::set_meta(&store, self.job().id, &[("recipe", Some(&recipe.name))])
            .await
            .map_err(internal)?;
        let mut tree = workdir.clone();
        for (i, step) in recipe.steps.iter().enumerate() {
            self.position += 1;
            tree = workdir.join(&step.dir);
            if i < resume_at {
                self.reuse_step(step).await.map_err(internal)?;
                continue;
            }
            self.set_status(step.status, None).await?;
            self.run_step(step, &tree).await?;
        }
        self.still_running().await?;
        let kept = super::tree::keep(&store, &tree, &self.project).await?;
        self.finish(&kept).await?;
        // The tree has moved; what is left (the docs tree) goes.
        jobs::remove_work_dir(&store, self.job().id);
        Ok(())
    }

    /// Where this attempt starts (0-based step index). An earlier attempt of this job that
    /// finished steps in the kept work dir is resumed after the last of them; a step that
    /// cannot run again in place (the generator) sends the attempt back to the start, as
    /// does a missing work dir or another recipe.
    async fn resume_point(&self, recipe: &recipe::Recipe, workdir: &Path) -> crate::Result<usize> {
        let same_recipe = self.job().meta.get("recipe") == Some(&recipe.name);
        if self.job().attempt <= 1 || !same_recipe || !workdir.is_dir() {
            return Ok(0);
        }
        // The newest outcome of each position in earlier attempts.
        let rows: Vec<(i64, StepOutcome)> = sqlx::query_as(
            "SELECT position, outcome FROM job_steps WHERE job_id = ? AND attempt < ? \
             AND outcome IS NOT NULL ORDER BY attempt",
        )
        .bind(self.job().id)
        .bind(self.job().attempt)
        .fetch_all(self.store().pool())
        .await?;
        let mut newest = std::collections::HashMap::new();
        for (position, outcome) in rows {
            newest.insert(position, outcome);
        }
        let done = |i: usize| newest.get(&(i as i64 + 1)).is_some_and(|o| o.is_done());
        let mut at = 0;
        while at < recipe.steps.len() && done(at) {
            at += 1;
        }
        if at < recipe.steps.len() && !recipe.steps[at].rerun_in_place {
            return Ok(0);
        }
        Ok(at)
    }

    /// A step an earlier attempt finished: recorded as `reused` in this attempt's timeline.
    async fn reuse_step(&self, step: &Step) -> crate::Result<()> {
        let store = self.store();
        let (job_id, attempt, position) = (self.job().id, self.job().attempt, self.position);
        let now = store.now();
        sqlx::query(
            "INSERT INTO job_steps (job_id, attempt, position, status, command, started_at, \
             finished_at, duration_ms, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)",
        )
        .bind(job_id)
        .bind(attempt)
        .bind(position)
        .bind(step.status)
        .bind(step.describe())
        .bind(&now)
        .bind(&now)
        .bind(StepOutcome::Reused)
        .execute(store.pool())
        .await?;
        self.run.events.publish_job(JobEvent::StepStarted {
            job_id,
            attempt,
            position,
            status: step.status,
            command: step.describe(),
        });
        self.run.events.publish_job(JobEvent::StepFinished {
            job_id,
            attempt,
            position,
            outcome: StepOutcome::Reused,
            exit_code: None,
            duration_ms: 0,
        });
        Ok(())
    }

    /// Fails (as cancelled) when the job is no longer executing: cancelled, or cancelled
    /// and retried.
    async fn still_running(&self) -> Outcome {
        let state = jobs::state(self.store().pool(), self.job().id).await.map_err(internal)?;
        self.executing(state)
    }

    /// `state` (read in the caller's transaction) is the job's own executing attempt.
    fn executing(&self, state: Option<JobState>) -> Outcome {
        if state != Some(JobState::Executing) || self.run.cancel.is_cancelled() {
            return Err(self.cancelled());
        }
        Ok(())
    }

    fn cancelled(&self) -> JobFailure {
        JobFailure::new(FailureClass::Cancelled, "cancelled")
    }

    /// How a stopped step is recorded: `interrupted` when the runner stopped, else
    /// `cancelled`.
    fn stopped_outcome(&self) -> StepOutcome {
        if self.run.stopping.is_cancelled() {
            StepOutcome::Interrupted
        } else {
            StepOutcome::Cancelled
        }
    }

    /// Moves the setup status; refuses (as cancelled) when the job is no longer running.
    async fn set_status(&mut self, status: SetupStatus, error: Option<&str>) -> Outcome {
        let store = self.store().clone();
        let mut tx = store.write().await.map_err(internal)?;
        self.executing(jobs::state(&mut *tx, self.job().id).await.map_err(internal)?)?;
        write_status(&mut tx, &store, &self.project.id, status, error).await.map_err(internal)?;
        self.project = projects::fetch_any(&mut *tx, &self.project.id).await.map_err(internal)?;
        tx.commit().await.map_err(|e| internal(e.into()))?;
        self.run.events.broadcast_project_update(&self.project);
        Ok(())
    }

    /// Runs one step: recorded as started, its work (a program or a built-in action), its
    /// failure written to its log, and recorded as ended with its outcome and duration.
    async fn run_step(&mut self, step: &Step, dir: &Path) -> Outcome {
        let command = step.describe();
        let started = Instant::now();
        self.record_step_start(step, &command).await?;
        let store = self.store().clone();
        let (job_id, attempt, position) = (self.job().id, self.job().attempt, self.position);
        let mut sink = LogSink::new(&store, &self.run.events, job_id, attempt, position);
        sink.note(format!("$ {command}")).await;
        let (outcome, exit_code, result) = self.do_step(step, dir, &mut sink).await;
        if let Err(f) = &result {
            sink.push(Stream::System, f.message.clone());
        }
        sink.finish().await;
        self.record_step_end(outcome, exit_code, started.elapsed().as_millis() as i64).await;
        result
    }

    /// The step's row (so the timeline shows it running) and its `StepStarted` event.
    async fn record_step_start(&self, step: &Step, command: &str) -> Outcome {
        let store = self.store();
        let (job_id, attempt, position) = (self.job().id, self.job().attempt, self.position);
        sqlx::query(
            "INSERT INTO job_steps (job_id, attempt, position, status, command, started_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(job_id)
        .bind(attempt)
        .bind(position)
        .bind(step.status)
        .bind(command)
        .bind(store.now())
        .execute(store.pool())
        .await
        .map_err(|e| internal(e.into()))?;
        self.run.events.publish_job(JobEvent::StepStarted {
            job_id,
            attempt,
            position,
            status: step.status,
            command: command.to_owned(),
        });
        Ok(())
    }

    /// The step's work: a program (with the dependency cache around a `mix` step) or an action.
    async fn do_step(
        &mut self,
        step: &Step,
        dir: &Path,
        sink: &mut LogSink,
    ) -> (StepOutcome, Option<i64>, Outcome) {
        match &step.work {
            Work::Run { program, args } => {
                let cmd = StepCommand {
                    program: program.clone(),
                    args: args.clone(),
                    dir: dir.to_owned(),
                    timeout: step.timeout,
                    env: self.config.step_env(),
                };
                let warm = self.build_of(program, args, dir).await;
                if let Some(of) = &warm {
                    self.seed(dir, of, sink).await;
                }
                let ran = self.run_program(&cmd, step, sink).await;
                if let (Some(of), Ok(())) = (&warm, &ran.2) {
                    self.keep_builds(dir, of, sink).await;
                }
                ran
            }
            Work::Act(Action::Publish) => {
                let work = async { self.publish_all(dir, sink).await.map_err(publish::failure) };
                self.act(step, work).await
            }
            Work::Act(Action::Provision) => self.act(step, self.provision(sink)).await,
            Work::Act(Action::CheckAccess) => self.act(step, self.check_access(sink)).await,
            Work::Act(Action::Clone) => self.act(step, self.clone_code(dir, sink)).await,
            Work::Act(Action::ImportSpec) => self.act(step, self.import_spec(sink)).await,
        }
    }

    /// The step's end on its row and as a `StepFinished` event. Best effort: the job's own
    /// outcome is what the runner records next.
    async fn record_step_end(
        &self,
        outcome: StepOutcome,
        exit_code: Option<i64>,
        duration_ms: i64,
    ) {
        let store = self.store();
        let (job_id, attempt, position) = (self.job().id, self.job().attempt, self.position);
        let _ = sqlx::query(
            "UPDATE job_steps SET finished_at = ?, duration_ms = ?, exit_code = ?, outcome = ? \
             WHERE job_id = ? AND attempt = ? AND position = ?",
        )
        .bind(store.now())
        .bind(duration_ms)
        .bind(exit_code)
        .bind(outcome)
        .bind(job_id)
        .bind(attempt)
        .bind(position)
        .execute(store.pool())
        .await;
        self.run.events.publish_job(JobEvent::StepFinished {
            job_id,
            attempt,
            position,
            outcome,
            exit_code,
            duration_ms,
        });
    }

    /// What a `mix` step in a folder with a `mix.lock` builds, for the dependency cache;
    /// `None` for other steps, before the first `deps.get`, or when Elixir does not answer.
    async fn build_of(
        &self,
        program: &str,
        args: &[String],
        dir: &Path,
    ) -> Option<depcache::lock::BuildOf> {
        // A project with nothing locked (no deps, or before the first `deps.get`) has nothing
        // to cache: no `elixir --version` for it.
        if program != "mix" || depcache::lock::read(dir).is_empty() {
            return None;
        }
        let path = self.config.path();
        let v = self
            .toolchain
            .get_or_init(|| async move { super::toolchain::versions(&path).await })
            .await
            .as_ref()?;
        Some(depcache::lock::BuildOf {
            elixir: v.elixir.to_string(),
            otp: v.otp.to_string(),
            env: depcache::env_of(args).to_owned(),
        })
    }

    /// Seeds the project from the dependency cache; a failure only costs a cold build.
    async fn seed(&self, dir: &Path, of: &depcache::lock::BuildOf, sink: &mut LogSink) {
        let cache = depcache::DepCache::new(self.store());
        match cache.seed(dir, of).await {
            Ok(s) => {
                if !s.rejected.is_empty() {
                    sink.note(format!(
                        "dependency cache: {} failed the checksum and will be built again: {}",
                        s.rejected.len(),
                        s.rejected.join(", ")
                    ))
                    .await;
                }
                if !s.seeded.is_empty() {
                    sink.note(format!(
                        "dependency cache: {} {} builds seeded: {}",
                        s.seeded.len(),
                        of.env,
                        s.seeded.join(", ")
                    ))
                    .await;
                }
            }
            Err(e) => sink.note(format!("dependency cache not used: {e}")).await,
        }
    }

    /// Keeps what a successful step built that the cache lacks.
    async fn keep_builds(&self, dir: &Path, of: &depcache::lock::BuildOf, sink: &mut LogSink) {
        match depcache::DepCache::new(self.store()).store_builds(dir, of).await {
            Ok(stored) if !stored.is_empty() => {
                sink.note(format!(
                    "dependency cache: {} {} builds stored for later setups",
                    stored.len(),
                    of.env
                ))
                .await
            }
            Ok(_) => {}
            Err(e) => sink.note(format!("dependency cache: nothing stored: {e}")).await,
        }
    }

    /// Runs a step's program in its own process group, recorded on the job (so a rescue after
    /// a crash can find and stop it), to its end.
    async fn run_program(
        &self,
        cmd: &StepCommand,
        step: &Step,
        sink: &mut LogSink,
    ) -> (StepOutcome, Option<i64>, Outcome) {
        let store = self.store().clone();
        let job_id = self.job().id;
        let mut command = cmd.clone();
        // Steps find programs on the configured PATH (a test's stand-in `mix` first).
        if let Some(found) = preflight::find_program(&cmd.program, &self.config.path()) {
            command.program = found.display().to_string();
        }
        // What the processes this step starts inherit: a rescue after a crash tells them by it.
        let mark = rescue::new_mark();
        command.env.push((rescue::STEP_MARK.to_owned(), mark.clone().into()));
        let end = process::run(&command, &self.run.cancel, sink, |pgid| {
            let store = store.clone();
            tokio::spawn(async move {
                let identity = process::identity(pgid);
                let _ = jobs::set_meta(
                    &store,
                    job_id,
                    &[
                        ("pgid", Some(&pgid.to_string())),
                        ("pgid_identity", identity.as_deref()),
                        ("pgid_mark", Some(&mark)),
                    ],
                )
                .await;
            });
        })
        .await;
        self.program_end(end, cmd, step, sink)
    }

    /// How a program's end reads on the step: its outcome, exit code and failure, the failure
    /// with the last lines of its output.
    fn program_end(
        &self,
        end: StepEnd,
        cmd: &StepCommand,
        step: &Step,
        sink: &LogSink,
    ) -> (StepOutcome, Option<i64>, Outcome) {
        let tail = || {
            let lines = sink.last_lines(12);
            if lines.is_empty() {
                String::new()
            } else {
                format!("\n{}", lines.join("\n"))
            }
        };
        let failed = |class, text: String| Err(JobFailure::new(class, text));
        match end {
            StepEnd::Exited(0) => (StepOutcome::Ok, Some(0), Ok(())),
            StepEnd::Exited(code) => (
                StepOutcome::Failed,
                Some(i64::from(code)),
                failed(
                    step.on_failure,
                    format!("`{}` failed (exit {code}){}", cmd.display(), tail()),
                ),
            ),
            StepEnd::Signalled => (
                StepOutcome::Failed,
                None,
                failed(
                    step.on_failure,
                    format!("`{}` was killed by a signal{}", cmd.display(), tail()),
                ),
            ),
            StepEnd::TimedOut => (
                StepOutcome::TimedOut,
                None,
                failed(
                    FailureClass::Infrastructure,
                    format!(
                        "`{}` timed out after {} s{}",
                        cmd.display(),
                        cmd.timeout.as_secs(),
                        tail()
                    ),
                ),
            ),
            StepEnd::Cancelled => (self.stopped_outcome(), None, Err(self.cancelled())),
            StepEnd::SpawnFailed(e) => (
                StepOutcome::Failed,
                None,
                failed(FailureClass::Step, format!("cannot run {}: {e}", cmd.program)),
            ),
        }
    }

    /// Runs a built-in action within its step's timeout; a cancel ends it at once (a push
    /// in flight stops at libgit2's next callback, before it sends anything).
    async fn act(
        &self,
        step: &Step,
        work: impl std::future::Future<Output = Outcome>,
    ) -> (StepOutcome, Option<i64>, Outcome) {
        let ended = tokio::select! {
            r = tokio::time::timeout(step.timeout, work) => r,
            _ = self.run.cancel.cancelled() => return (self.stopped_outcome(), None, Err(self.cancelled())),
        };
        match ended {
            Ok(Ok(())) => (StepOutcome::Ok, None, Ok(())),
            Ok(Err(f)) if f.class == FailureClass::Cancelled => {
                (self.stopped_outcome(), None, Err(f))
            }
            Ok(Err(f)) => (StepOutcome::Failed, None, Err(f)),
            Err(_) => (
                StepOutcome::TimedOut,
                None,
                Err(JobFailure::new(
                    FailureClass::Infrastructure,
                    format!("`{}` timed out after {} s", step.describe(), step.timeout.as_secs()),
                )),
            ),
        }
    }

    /// The GitHub repositories, created or adopted; what was done goes to the step's log.
    async fn provision(&self, sink: &mut LogSink) -> Outcome {
        let (store, actor) = (&self.run.store, self.actor);
        let lines =
            provision::provision(store, &self.config.secrets, &actor, &self.project, self.job())
                .await?;
        for line in lines {
            sink.note(line).await;
        }
        Ok(())
    }

    async fn publish_all(
        &self,
        dir: &Path,
        sink: &mut LogSink,
    ) -> std::result::Result<(), PublishError> {
        let store = self.store();
        let author = author(store, &self.project).await;
        let message = format!("Initial commit of {} (set up by CodeMySpec)", self.project.name);
        let (d, a, m) = (dir.to_owned(), author.clone(), message.clone());
        let commit = blocking(move || publish::commit_all(&d, &a, &m)).await?;
        sink.note(format!("committed {commit} on main")).await;
        if let Some(url) = &self.project.code_repo {
            let url = self.clone_url(RepoKind::Code).await.unwrap_or_else(|| url.clone());
            self.push(dir, &url, RepoKind::Code, sink).await?;
            self.note_pushed(RepoKind::Code, &commit).await;
            // The folder is a working copy of the code repository from now on.
            let (d, u) = (dir.to_owned(), self.project.code_repo.clone().unwrap_or(url));
            blocking(move || super::clone::track_origin(&d, &u)).await?;
            sink.note("origin is the code repository; main tracks origin/main").await;
        }
        if self.run.cancel.is_cancelled() {
            return Err(PublishError::Cancelled);
        }
        if let Some(url) = &self.project.docs_repo {
            let docs_dir = self.workdir.join(format!("{}-docs", self.project.name));
            let actor = self.actor;
            let published = docs::write_tree(store, &actor, &self.project, &docs_dir)
                .await
                .map_err(|e| PublishError::Step(format!("cannot write the docs tree: {e}")))?;
            let (d, m) = (docs_dir.clone(), format!("Initial spec of {}", self.project.name));
            let commit = blocking(move || publish::commit_all(&d, &author, &m)).await?;
            sink.note(format!("docs: {} files committed as {commit}", published.len() + 1)).await;
            let push_url = self.clone_url(RepoKind::Docs).await.unwrap_or_else(|| url.clone());
            self.push(&docs_dir, &push_url, RepoKind::Docs, sink).await?;
            self.note_pushed(RepoKind::Docs, &commit).await;
            // The docs sync starts from this commit: what was published is its base.
            crate::docs_sync::record_setup(store, &self.project.id, url, &commit, &published)
                .await
                .map_err(|e| PublishError::Infrastructure(e.to_string()))?;
        }
        Ok(())
    }

    async fn push(
        &self,
        dir: &Path,
        url: &str,
        kind: RepoKind,
        sink: &mut LogSink,
    ) -> std::result::Result<(), PublishError> {
        let host = crate::secrets::host_of(url).unwrap_or_default();
        // The pushes use the token of the profile that set the project up, the one kept for
        // the host pushed to (publish offers it to that host only).
        let token = crate::secrets::token(&self.config.secrets, &self.actor, &host)
            .await
            .map_err(|e| PublishError::Step(e.to_string()))?;
        // A clone URL GitHub gave on another host than the project's repository: the token
        // of the project's host does not go there.
        let home = self.project.repo(kind).and_then(|u| crate::secrets::host_of(u));
        let elsewhere = home.filter(|home| *home != host);
        if let Some(home) = &elsewhere {
            sink.note(provision::elsewhere(url, home, "it is pushed to without it")).await;
        }
        sink.note(format!("pushing main to {}", publish::git_url(url))).await;
        let (d, u, cancel) = (dir.to_owned(), url.to_owned(), self.run.cancel.clone());
        // What this job pushed there before, if an earlier attempt did (it may be replaced).
        let own = self.meta(&provision::pushed_key(kind)).await;
        // A cancel ends the step at once, even while the network hangs; the push thread
        // stops at libgit2's next callback, before it sends anything.
        let pushed = tokio::select! {
            pushed = blocking(move || publish::push_main_over(&d, &u, token.as_ref(), &cancel, own.as_deref())) => pushed,
            _ = self.run.cancel.cancelled() => return Err(PublishError::Cancelled),
        };
        match (pushed, &elsewhere) {
            (Err(PublishError::Step(m)), Some(home)) => {
                return Err(PublishError::Step(provision::elsewhere(url, home, m)))
            }
            (pushed, _) => pushed?,
        }
        sink.note("pushed (or already there)").await;
        Ok(())
    }

    /// The clone URL provisioning got from GitHub for the `kind` repository, if it ran.
    async fn clone_url(&self, kind: RepoKind) -> Option<String> {
        self.meta(&provision::clone_key(kind)).await
    }

    /// A value of the job's meta as it is now (earlier attempts and steps write it).
    async fn meta(&self, key: &str) -> Option<String> {
        let mut conn = self.store().pool().acquire().await.ok()?;
        let job = jobs::fetch(&mut conn, self.job().id).await.ok()?;
        job.meta.get(key).cloned()
    }

    /// Remembers the commit this job pushed to a repository: a retry's provisioning knows the
    /// repository holds this setup's own work, not someone else's.
    async fn note_pushed(&self, kind: RepoKind, commit: &str) {
        let key = provision::pushed_key(kind);
        if let Err(e) = jobs::set_meta(self.store(), self.job().id, &[(&key, Some(commit))]).await {
            tracing::warn!(job = self.job().id, "cannot note the pushed commit: {e}");
        }
    }

    /// The setup is done: `ready` (with the kept tree's note, if any, as its message),
    /// `setup_complete`, where the tree is, and the stage moves to `initialized` — unless the job was cancelled meanwhile (then nothing is written and
    /// the attempt ends cancelled; the tree stays where it was kept).
    async fn finish(&mut self, kept: &Kept) -> Outcome {
        let mut notes: Vec<String> = self.warnings.lock().map(|w| w.clone()).unwrap_or_default();
        notes.extend(kept.note.clone());
        let note = (!notes.is_empty()).then(|| notes.join("; "));
        let (note, kept) = (note.as_deref(), kept.path.as_path());
        let store = self.store().clone();
        let mut tx = store.write().await.map_err(internal)?;
        let state = jobs::state(&mut *tx, self.job().id).await.map_err(internal)?;
        let project = projects::fetch_any(&mut *tx, &self.project.id).await.map_err(internal)?;
        if state != Some(JobState::Executing) || !project.setup_status.is_running() {
            return Err(JobFailure::new(
                FailureClass::Cancelled,
                format!("cancelled; the generated project is kept in {}", kept.display()),
            ));
        }
        write_status(&mut tx, &store, &self.project.id, SetupStatus::Ready, note)
            .await
            .map_err(internal)?;
        sqlx::query("UPDATE projects SET setup_complete = 1, local_path = ? WHERE id = ?")
            .bind(kept.display().to_string())
            .bind(self.project.id)
            .execute(&mut *tx)
            .await
            .map_err(|e| internal(e.into()))?;
        if self.path == SetupPath::Clone {
            // What the code is, read from it: a Phoenix dependency makes it Phoenix.
            if let Ok(mix) = std::fs::read_to_string(kept.join("mix.exs")) {
                sqlx::query("UPDATE projects SET framework = ? WHERE id = ?")
                    .bind(projects::Framework::of_mix_exs(&mix))
                    .bind(self.project.id)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| internal(e.into()))?;
            }
        }
        if project.stage == Stage::Provisioning {
            let reason = format!("kept in {}", kept.display());
            lifecycle::apply(
                &mut tx,
                &store,
                &self.project.id,
                Stage::Initialized,
                &reason,
                Trigger::Setup,
                None,
            )
            .await
            .map_err(internal)?;
        }
        self.project = projects::fetch_any(&mut *tx, &self.project.id).await.map_err(internal)?;
        tx.commit().await.map_err(|e| internal(e.into()))?;
        self.run.events.broadcast_project_update(&self.project);
        Ok(())
    }

    /// After a failed attempt: the project shows whether a retry comes or the setup failed.
    async fn report(&mut self, failure: &JobFailure) {
        let store = self.store().clone();
        let interrupted = failure.class == FailureClass::Cancelled;
        let state = jobs::state(store.pool(), self.job().id).await.ok().flatten();
        if interrupted && state != Some(JobState::Executing) {
            return; // cancel_setup (and maybe a retry since) recorded it.
        }
        let retry = jobs::will_retry(self.job(), failure.class) || interrupted;
        let result: crate::Result<Project> = async {
            let mut tx = store.write().await?;
            let project = if retry {
                let next = if interrupted {
                    "interrupted; it resumes when the app runs again".to_owned()
                } else {
                    format!(
                        "attempt {} of {} failed; retrying: {}",
                        self.job().attempt,
                        self.job().max_attempts,
                        failure.message
                    )
                };
                write_status(
                    &mut tx,
                    &store,
                    &self.project.id,
                    SetupStatus::SetupQueued,
                    Some(&next),
                )
                .await?;
                projects::fetch_any(&mut *tx, &self.project.id).await?
            } else {
                fail_project(&mut tx, &store, &self.project.id, &failure.message).await?
            };
            tx.commit().await?;
            Ok(project)
        }
        .await;
        match result {
            Ok(project) if retry => self.run.events.broadcast_project_update(&project),
            Ok(project) => self.run.events.broadcast_project_error(&project, &failure.message),
            Err(e) => {
                tracing::error!(project = %self.project.id, "cannot record the failed setup: {e}")
            }
        }
    }
}

fn remove_all(dir: &Path) -> Outcome {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(JobFailure::new(
            FailureClass::Infrastructure,
            format!("cannot clear the work dir {}: {e}", dir.display()),
        )),
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::result::Result<T, PublishError> + Send + 'static,
) -> std::result::Result<T, PublishError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| PublishError::Infrastructure(format!("git task failed: {e}")))?
}

/// The commit author: the project owner's profile.
pub(crate) async fn author(store: &Store, project: &Project) -> Author {
    match accounts::get(store, &project.owner_id).await {
        Ok(a) => Author { name: a.name.clone().unwrap_or_else(|| a.email.clone()), email: a.email },
        Err(_) => Author { name: "CodeMySpec".into(), email: "codemyspec@localhost".into() },
    }
}
