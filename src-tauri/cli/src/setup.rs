//! `codemyspec setup` and `doctor`: running setups from a terminal.

use crate::Ctx;
use codemyspec_core::jobs::{self, Job, JobState, StepOutcome, StepRecord};
use codemyspec_core::pipeline::{self, preflight, PipelineConfig};
use codemyspec_core::runner::{Runner, RunnerConfig, RunnerHandle};
use codemyspec_core::secrets::Keyring;
use codemyspec_core::AccountId;
use codemyspec_core::{Error, Result};
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) fn pipeline_config() -> Arc<PipelineConfig> {
    Arc::new(PipelineConfig::new(Arc::new(Keyring)))
}

/// Starts this process's job runner for the data dir (fails if another process has it).
pub async fn start_runner(ctx: &Ctx) -> Result<RunnerHandle> {
    let config = pipeline_config();
    let runner = pipeline::register_workers(
        Runner::new(&ctx.store, &ctx.events, RunnerConfig::default()),
        config.clone(),
    )
    .start()
    .await?;
    // Where steps find mix (tools_path, PATH, or the login shell's PATH, read once here).
    config.resolve_tools(&ctx.store).await?;
    codemyspec_core::sync::schedule_heartbeats(&ctx.store).await?;
    Ok(runner)
}

/// `codemyspec setup PROJECT [--wait]`.
pub async fn setup(ctx: &Ctx, project: &str, wait: bool) -> Result<()> {
    let actor = ctx.actor().await?;
    let p = ctx.project(project).await?;
    let queued = pipeline::setup_project(&ctx.store, &ctx.events, &actor, &p.id).await?;
    if !wait {
        print_queued(ctx, &p.name, &queued);
        return Ok(());
    }
    // Run the queue here unless another process (the app, a worker) already does.
    let runner = match start_runner(ctx).await {
        Ok(handle) => Some(handle),
        Err(Error::Unavailable { .. }) => None,
        Err(e) => return Err(e),
    };
    if !ctx.out.json {
        let who =
            if runner.is_some() { "here" } else { "by the process that runs this data dir's jobs" };
        println!("setting {} up (job {}, run {who})", p.name, queued.job.id);
    }
    let job = tokio::select! {
        job = watch(ctx, &actor, queued.job.id) => Some(job),
        signal = crate::worker::stop_signal() => {
            if !ctx.out.json {
                println!();
            }
            eprintln!("{signal}: stopping");
            None
        }
    };
    let ours = runner.is_some();
    if let Some(handle) = runner {
        // Stops the running step's whole process group and records the attempt as
        // interrupted (it does not count): the job waits in the queue.
        handle.stop().await;
    }
    let Some(job) = job else {
        let next = if ours {
            "it goes on when the app or `codemyspec worker` runs the queue"
        } else {
            "it goes on in the process that runs this data dir's jobs"
        };
        return Err(Error::Unavailable {
            message: format!(
                "stopped watching the setup of {} (job {}); {next}; `codemyspec setup {} --wait` follows it again, `codemyspec jobs cancel {}` stops it",
                p.name, queued.job.id, p.name, queued.job.id
            ),
        });
    };
    let project = codemyspec_core::projects::get(&ctx.store, &actor, &p.id).await?;
    finished(ctx, &project, job?)
}

/// What `setup` without `--wait` says: the job it queued, or the one already running.
fn print_queued(ctx: &Ctx, name: &str, queued: &jobs::Inserted) {
    if ctx.out.json {
        ctx.out.json_value(queued);
    } else if queued.conflict {
        println!("{name} is already being set up: job {} ({})", queued.job.id, queued.job.state);
    } else {
        println!(
            "queued job {} to set {name} up; watch it with `codemyspec jobs show {}`",
            queued.job.id, queued.job.id
        );
    }
}

/// How a watched setup ended: ready (with its note, if any), or an error saying how it ended.
fn finished(ctx: &Ctx, project: &codemyspec_core::projects::Project, job: Job) -> Result<()> {
    if ctx.out.json {
        ctx.out.json_value(&serde_json::json!({ "job": job, "project": project }));
    }
    match job.state {
        JobState::Completed => {
            if !ctx.out.json {
                println!("{} is ready (stage {})", project.name, project.stage);
                // A ready setup's message is worth reading (its tree was copied, say, and
                // the original could not be removed).
                if let Some(note) = &project.setup_error {
                    eprintln!("note: {note}");
                }
            }
            Ok(())
        }
        _ => Err(Error::Unavailable {
            message: format!(
                "the setup of {} ended {}: {}",
                project.name,
                job.state,
                job.errors.last().map(|e| e.error.as_str()).unwrap_or("no error was recorded")
            ),
        }),
    }
}

/// Shows a job's steps as they happen until it finishes for good (its last attempt).
async fn watch(ctx: &Ctx, actor: &AccountId, id: i64) -> Result<Job> {
    let mut shown =
        Watched { live: std::io::stdout().is_terminal() && !ctx.out.json, ..Watched::default() };
    loop {
        let job = jobs::get(&ctx.store, actor, id).await?;
        let steps = jobs::steps(&ctx.store, actor, id).await?;
        if !ctx.out.json {
            shown.show(&job, &steps);
        }
        if job.state.is_final() {
            if shown.live {
                println!();
            }
            if !ctx.out.json && job.state != JobState::Completed {
                if let Some(e) = job.errors.last() {
                    eprintln!("{}", e.error);
                }
            }
            return Ok(job);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// What `watch` has printed so far, so that each line is printed once.
#[derive(Default)]
struct Watched {
    /// A terminal: the running step's line is redrawn in place.
    live: bool,
    printed: Vec<(i64, i64)>,
    running: Option<(StepRecord, Instant)>,
    retry_noted: i64,
    path_noted: bool,
}

impl Watched {
    fn show(&mut self, job: &Job, steps: &[StepRecord]) {
        // Which way the setup goes (generate and push, or clone), once it is decided.
        if let (false, Some(path), Some(why)) =
            (self.path_noted, job.meta.get("path"), job.meta.get("path_reason"))
        {
            self.path_noted = true;
            println!("{path}: {why}");
        }
        for s in steps {
            let key = (s.attempt, s.position);
            if s.outcome.is_some() && !self.printed.contains(&key) {
                self.printed.push(key);
                if self.live {
                    print!("\r\x1b[2K");
                }
                println!("{}", step_line(s));
            }
        }
        self.show_running(steps);
        if job.state == JobState::Retryable && self.retry_noted < job.attempt {
            self.retry_noted = job.attempt;
            if let Some(e) = job.errors.last() {
                println!(
                    "\rattempt {} of {} failed ({}); retrying at {}",
                    e.attempt, job.max_attempts, e.class, job.scheduled_at
                );
            }
        }
    }

    /// The step running now, with the time it has taken so far (on a terminal).
    fn show_running(&mut self, steps: &[StepRecord]) {
        let current = steps.iter().find(|s| s.outcome.is_none()).cloned();
        match (&current, &self.running) {
            (Some(c), Some((r, _))) if (c.attempt, c.position) == (r.attempt, r.position) => {}
            (Some(c), _) => self.running = Some((c.clone(), Instant::now())),
            (None, _) => self.running = None,
        }
        if let (true, Some((s, since))) = (self.live, &self.running) {
            print!(
                "\r\x1b[2K… {:<16} {:>6.1}s  {}",
                s.status,
                since.elapsed().as_secs_f64(),
                s.command
            );
            let _ = std::io::stdout().flush();
        }
    }
}

/// A finished step's line: its mark, status, time, command and how it ended.
fn step_line(s: &StepRecord) -> String {
    let took = s.duration_ms.unwrap_or(0) as f64 / 1000.0;
    let mark = match s.outcome {
        Some(StepOutcome::Ok) => "✓",
        Some(StepOutcome::Reused) => "↺",
        _ => "✗",
    };
    let end = match (s.outcome, s.exit_code) {
        (Some(StepOutcome::Ok), _) => String::new(),
        (Some(StepOutcome::Reused), _) => " reused (done by an earlier attempt)".into(),
        (Some(o), Some(c)) => format!(" {o} (exit {c})"),
        (Some(o), None) => format!(" {o}"),
        _ => String::new(),
    };
    format!("{mark} {:<16} {:>6.1}s  {}{end}", s.status, took, s.command)
}

/// `codemyspec doctor [PROJECT]`: what a setup needs, checked now.
pub async fn doctor(ctx: &Ctx, project: Option<String>) -> Result<()> {
    let config = pipeline_config();
    let actor = ctx.actor().await?;
    let project = match project {
        Some(p) => Some(ctx.project(&p).await?),
        None => None,
    };
    let checks = preflight::doctor(&ctx.store, &config, &actor, project.as_ref()).await?;
    ctx.out.table(&checks, &["check", "ok", "detail"], |c| {
        vec![c.name.clone(), if c.ok { "ok" } else { "MISSING" }.into(), c.detail.clone()]
    });
    match preflight::problems(&checks) {
        Some(p) => Err(Error::Unavailable { message: p }),
        None => Ok(()),
    }
}
