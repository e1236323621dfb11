//! `codemyspec jobs …`: the job queue — list, show (steps, every attempt's error, the log),
//! cancel, retry, pause, resume, prune.

use crate::output::{opt, Out};
use crate::Ctx;
use clap::Subcommand;
use codemyspec_core::jobs::{self, Job, JobDetail, JobFilter, JobState};
use codemyspec_core::pipeline;
use codemyspec_core::{Error, Result};

#[derive(Debug, Subcommand)]
pub enum JobsCmd {
    /// List jobs, newest first.
    List {
        /// available, scheduled, executing, retryable, completed, discarded or cancelled.
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        queue: Option<String>,
        /// Only this project's jobs (name or id).
        #[arg(long, short)]
        project: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// How many jobs are in each state, and the queues' settings.
    Counts,
    /// A job: its attempts, errors, steps and the end of its log (--log: all of it).
    Show {
        id: i64,
        #[arg(long)]
        log: bool,
    },
    /// Cancel a job; a running step's whole process group is killed.
    Cancel { id: i64 },
    /// Run a discarded or cancelled job again.
    Retry { id: i64 },
    /// Stop starting jobs from a queue (running ones finish).
    Pause {
        #[arg(default_value = pipeline::QUEUE)]
        queue: String,
    },
    /// Start jobs from a paused queue again.
    Resume {
        #[arg(default_value = pipeline::QUEUE)]
        queue: String,
    },
    /// How many jobs of a queue run at once.
    Concurrency {
        n: i64,
        #[arg(long, default_value = pipeline::QUEUE)]
        queue: String,
    },
    /// Delete finished jobs older than this many days.
    Prune {
        #[arg(long, default_value_t = 14)]
        older_than_days: i64,
    },
}

pub fn job_table(out: &Out, list: &[Job]) {
    out.table(list, &["id", "state", "queue", "worker", "attempt", "project", "inserted"], |j| {
        vec![
            j.id.to_string(),
            j.state.to_string(),
            j.queue.clone(),
            j.worker.clone(),
            format!("{}/{}", j.attempt, j.max_attempts),
            opt(&j.project_id().map(str::to_owned)),
            j.inserted_at.clone(),
        ]
    });
}

pub async fn run(ctx: &Ctx, cmd: JobsCmd) -> Result<()> {
    let store = &ctx.store;
    let out = &ctx.out;
    match cmd {
        JobsCmd::List { state, queue, project, limit } => {
            let actor = ctx.actor().await?;
            let project_id = match project {
                Some(p) => Some(ctx.project(&p).await?.id.to_string()),
                None => None,
            };
            let state = state.map(|s| JobState::parse("state", &s)).transpose()?;
            let filter = JobFilter { state, queue, project_id, limit: Some(limit) };
            job_table(out, &jobs::list(store, &actor, &filter).await?);
        }
        JobsCmd::Counts => {
            let actor = ctx.actor().await?;
            let counts = jobs::counts(store, &actor).await?;
            let queues = jobs::queues(store).await?;
            if out.json {
                out.json_value(&serde_json::json!({ "counts": counts, "queues": queues }));
            } else {
                let line: Vec<String> = counts.iter().map(|(s, n)| format!("{s} {n}")).collect();
                println!("{}", line.join(", "));
                for q in queues {
                    let state = if q.paused { "paused" } else { "running" };
                    println!("queue {}: {state}, concurrency {}", q.name, q.concurrency);
                }
            }
        }
        JobsCmd::Show { id, log } => show(ctx, id, log).await?,
        JobsCmd::Cancel { id } => {
            let job = pipeline::cancel_job(store, &ctx.events, &ctx.actor().await?, id).await?;
            out.record(&job);
        }
        JobsCmd::Retry { id } => {
            let job = pipeline::retry_job(store, &ctx.events, &ctx.actor().await?, id).await?;
            out.record(&job);
        }
        JobsCmd::Pause { queue } => out.record(&jobs::set_paused(store, &queue, true).await?),
        JobsCmd::Resume { queue } => out.record(&jobs::set_paused(store, &queue, false).await?),
        JobsCmd::Concurrency { n, queue } => {
            out.record(&jobs::set_concurrency(store, &queue, n).await?)
        }
        JobsCmd::Prune { older_than_days } => {
            if !(0..=36_500).contains(&older_than_days) {
                return Err(Error::invalid("older_than_days", "give 0 to 36500 days"));
            }
            let n = jobs::prune(store, chrono::Duration::days(older_than_days)).await?;
            out.done(&format!("pruned {n} finished jobs"));
        }
    }
    Ok(())
}

async fn show(ctx: &Ctx, id: i64, all: bool) -> Result<()> {
    let actor = ctx.actor().await?;
    let detail = jobs::detail(&ctx.store, &actor, id, jobs::MAX_LOG_LINES).await?;
    if ctx.out.json {
        ctx.out.json_value(&detail);
        return Ok(());
    }
    let JobDetail { job, steps, log: lines } = detail;
    println!(
        "job {} ({}) {} — attempt {}/{}",
        job.id, job.worker, job.state, job.attempt, job.max_attempts
    );
    println!(
        "queue {}, priority {}, inserted {}, scheduled {}",
        job.queue, job.priority, job.inserted_at, job.scheduled_at
    );
    for (k, v) in &job.args {
        println!("  {k}: {v}");
    }
    for e in &job.errors {
        println!("attempt {} failed at {} ({}): {}", e.attempt, e.at, e.class, e.error);
    }
    if !steps.is_empty() {
        println!();
        for s in &steps {
            let took = s
                .duration_ms
                .map(|ms| format!("{:.1}s", ms as f64 / 1000.0))
                .unwrap_or_else(|| "…".into());
            let end = s.outcome.map_or("running", |o| o.as_str());
            let code = s.exit_code.map(|c| format!(" exit {c}")).unwrap_or_default();
            println!(
                "[{}.{}] {:<16} {:<9} {:>7}{code}  {}",
                s.attempt, s.position, s.status, end, took, s.command
            );
        }
    }
    let shown = if all { &lines[..] } else { &lines[lines.len().saturating_sub(30)..] };
    if !shown.is_empty() {
        println!();
        if shown.len() < lines.len() {
            println!("… the last {} of {} log lines (--log shows all)", shown.len(), lines.len());
        }
        for l in shown {
            println!("{}", l.line);
        }
    }
    Ok(())
}
