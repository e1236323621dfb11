//! The setup pipeline's overhead: the `elixir` recipe end to end through the job runner
//! (status updates, step records, logs, libgit2 commit) against the same commands run by a
//! plain shell script, as a ratio of medians. And what resuming saves: a retry that resumes
//! at a failed `mix test` against a full run of the same recipe.

use crate::pipeline_env::{self, PipelineEnv};
use crate::report::{Report, Timing};
use crate::Args;
use codemyspec_core::clock::parse_ts;
use codemyspec_core::events::Broadcaster;
use codemyspec_core::jobs::{self, Job, JobFilter, JobState};
use codemyspec_core::pipeline;
use codemyspec_core::projects::{self, Framework, NewProject};
use codemyspec_core::AccountId;
use codemyspec_core::ProjectId;
use codemyspec_core::{Error, Result, Store};
use std::path::Path;
use std::time::{Duration, Instant};

const RUNS: usize = 5;

fn module(name: &str) -> String {
    codemyspec_core::validate::module_name(name)
}

/// The recipe's commands in bash, each followed by a line "<its setup status> <the time>"
/// (`$EPOCHREALTIME` is a builtin: no process is started for it).
fn shell_script(name: &str) -> String {
    format!(
        "at() {{ echo \"$1 $EPOCHREALTIME\"; }}; at start \
         && mix new {name} --module {module} >/dev/null && at initializing && cd {name} \
         && mix deps.get >/dev/null && at deps_installing && mix compile >/dev/null && at compiling \
         && mix test >/dev/null && at testing \
         && git init -q -b main && git add -A \
         && git -c user.name=bench -c user.email=bench@example.com commit -qm 'Initial commit' \
         && at committing",
        module = module(name)
    )
}

/// Each step's time, by its setup status.
type Steps = Vec<(String, Duration)>;

/// What the script's "<status> <time>" lines say each step took.
fn shell_steps(stdout: &[u8]) -> Steps {
    let stamps: Vec<(String, f64)> = String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter_map(|(s, t)| Some((s.to_owned(), t.trim().parse().ok()?)))
        .collect();
    stamps.windows(2).map(|w| (w[1].0.clone(), Duration::from_secs_f64(w[1].1 - w[0].1))).collect()
}

/// What the job's step records say each step of its last attempt took.
async fn pipeline_steps(store: &Store, actor: &AccountId, job: &Job) -> Result<Steps> {
    let steps = jobs::steps(store, actor, job.id).await?;
    Ok(steps
        .into_iter()
        .filter(|s| s.attempt == job.attempt)
        .map(|s| {
            let at = |t: &str| parse_ts(t);
            let took = match (at(&s.started_at), s.finished_at.as_deref().and_then(at)) {
                (Some(a), Some(b)) => (b - a).to_std().unwrap_or_default(),
                _ => Duration::ZERO,
            };
            (s.status.to_string(), took)
        })
        .collect())
}

async fn by_shell(name: &str) -> Result<(Duration, Steps)> {
    let dir =
        tempfile::tempdir().map_err(|source| Error::Io { context: "temp dir".into(), source })?;
    let t = Instant::now();
    let out = tokio::process::Command::new("bash")
        .args(["-c", &shell_script(name)])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(|source| Error::Io { context: "cannot run sh".into(), source })?;
    if !out.status.success() {
        return Err(Error::Internal(format!(
            "the shell script failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok((t.elapsed(), shell_steps(&out.stdout)))
}

/// Each step's median through the pipeline against the shell's, and the pipeline's time
/// outside its steps (the claim, the preflight, the records between steps).
fn report_steps(report: &mut Report, ours: &[(Duration, Steps)], theirs: &[Steps]) {
    let median = |mut xs: Vec<Duration>| {
        xs.sort();
        xs.get(xs.len() / 2).copied().unwrap_or_default()
    };
    let of = |runs: &[&Steps], status: &str| {
        median(
            runs.iter()
                .flat_map(|r| r.iter().filter(|(s, _)| s == status))
                .map(|(_, d)| *d)
                .collect(),
        )
    };
    let our_steps: Vec<&Steps> = ours.iter().map(|(_, s)| s).collect();
    let their_steps: Vec<&Steps> = theirs.iter().collect();
    let statuses: Vec<String> =
        ours.first().map(|(_, s)| s.iter().map(|(n, _)| n.clone()).collect()).unwrap_or_default();
    for status in statuses {
        let (a, b) = (of(&our_steps, &status), of(&their_steps, &status));
        report.value(
            &format!("  step {status}: pipeline vs shell (medians)"),
            format!("{:+.0} ms", (a.as_secs_f64() - b.as_secs_f64()) * 1000.0),
            format!("{:.0} ms vs {:.0} ms", a.as_secs_f64() * 1000.0, b.as_secs_f64() * 1000.0),
            String::new(),
        );
    }
    let outside = median(
        ours.iter()
            .map(|(total, steps)| total.saturating_sub(steps.iter().map(|(_, d)| *d).sum()))
            .collect(),
    );
    report.value(
        "  the pipeline outside its steps (median)",
        format!("{:.0} ms", outside.as_secs_f64() * 1000.0),
        "enqueue to completion, less the steps' own times".into(),
        String::new(),
    );
}

pub async fn run(_args: &Args, report: &mut Report) -> Result<()> {
    report.section("setup pipeline (elixir recipe, real mix)");
    // Retries at once: the resume figure times the retried attempt, not the backoff.
    let PipelineEnv { dir, store, events, actor, runner } =
        pipeline_env::start(Some(jobs::Backoff::immediate())).await?;
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let (mut our_steps, mut their_steps) = (Vec::new(), Vec::new());
    // The first of each is a warm-up (cold file caches), not counted.
    for i in 0..=RUNS {
        let name = format!("overhead_{i}");
        let project = projects::create(
            &store,
            &actor.id,
            NewProject {
                name: name.clone(),
                framework: Some(Framework::Elixir),
                ..Default::default()
            },
        )
        .await?;
        let t = Instant::now();
        pipeline::setup_project(&store, &events, &actor.id, &project.id).await?;
        let job = completed(&store, &events, &actor.id, &project.id).await?;
        let pipeline_took = t.elapsed();
        let (shell_took, shell_steps) = by_shell(&format!("shell_{i}")).await?;
        if i > 0 {
            ours.push(pipeline_took);
            theirs.push(shell_took);
            our_steps.push((pipeline_took, pipeline_steps(&store, &actor.id, &job).await?));
            their_steps.push(shell_steps);
        }
    }
    let (ours, theirs) = (Timing::from(ours), Timing::from(theirs));
    let ratio = ours.median().as_secs_f64() / theirs.median().as_secs_f64();
    report.value(
        &format!("elixir recipe via the pipeline vs a shell script (median of {RUNS})"),
        format!("ratio {ratio:.3}"),
        format!("{:.2} s vs {:.2} s", ours.median().as_secs_f64(), theirs.median().as_secs_f64()),
        format!("goal <= 1.05 (issue 22): {}", if ratio <= 1.05 { "met" } else { "MISSED" }),
    );
    report_steps(report, &our_steps, &their_steps);
    resume(&store, &events, &actor.id, dir.path(), report).await?;
    runner.stop().await;
    Ok(())
}

/// Waits for the project's setup job to complete; returns it. It looks again at each of the
/// runner's job events (and at least every second), not every 2 ms as it did: that poll took
/// a share of the 2 cores from the very steps it timed.
async fn completed(
    store: &Store,
    events: &Broadcaster,
    actor: &AccountId,
    project_id: &ProjectId,
) -> Result<Job> {
    let mut changes = events.subscribe_to_jobs();
    loop {
        let filter = JobFilter { project_id: Some(project_id.to_string()), ..Default::default() };
        let job = jobs::list(store, actor, &filter).await?.into_iter().next();
        match job {
            Some(j) if j.state == JobState::Completed => return Ok(j),
            Some(j) if j.state.is_final() => {
                return Err(Error::Internal(format!(
                    "a bench setup ended {}: {:?}",
                    j.state, j.errors
                )))
            }
            _ => {
                let _ = tokio::time::timeout(Duration::from_secs(1), changes.recv()).await;
            }
        }
    }
}

/// The elixir recipe whose `mix test` step fails once per work dir (`flaky`) or never.
fn recipe(flaky: bool) -> String {
    let test = if flaky {
        r#"program = "sh"
args = ["-c", "if [ -e ../.failed_once ]; then exec mix test; fi; touch ../.failed_once; exit 1"]
on_failure = "infrastructure""#
    } else {
        "program = \"mix\"\nargs = [\"test\"]\non_failure = \"infrastructure\""
    };
    let step = |status: &str, dir: &str, run: &str| {
        format!("[[steps]]\nstatus = \"{status}\"\n{dir}{run}\ntimeout_secs = 900\n")
    };
    let d = "dir = \"{name}\"\n";
    [
        "name = \"elixir-resume\"\n".to_owned(),
        step(
            "initializing",
            "",
            "program = \"mix\"\nargs = [\"new\", \"{name}\", \"--module\", \"{module}\"]\non_failure = \"step\"\nrerun_in_place = false",
        ),
        step("deps_installing", d, "program = \"mix\"\nargs = [\"deps.get\"]\non_failure = \"infrastructure\""),
        step("compiling", d, "program = \"mix\"\nargs = [\"compile\"]\non_failure = \"step\""),
        step("testing", d, test),
        step("committing", d, "action = \"publish\"\non_failure = \"infrastructure\""),
    ]
    .join("\n")
}

/// How long an attempt ran: from its start to the job's completion (database times).
fn last_attempt(job: &Job) -> Result<Duration> {
    let at = |t: &Option<String>| t.as_deref().and_then(parse_ts);
    match (at(&job.attempted_at), at(&job.completed_at)) {
        (Some(start), Some(end)) => Ok((end - start).to_std().unwrap_or_default()),
        _ => Err(Error::Internal(format!("job {} has no attempt times", job.id))),
    }
}

/// A retry that resumes at a failed `mix test` against a full run of the same recipe.
async fn resume(
    store: &Store,
    events: &Broadcaster,
    actor: &AccountId,
    data_dir: &Path,
    report: &mut Report,
) -> Result<()> {
    let file = data_dir.join("recipes/elixir.toml");
    let io = |source| Error::Io { context: format!("cannot write {}", file.display()), source };
    std::fs::create_dir_all(data_dir.join("recipes")).map_err(io)?;
    let (mut resumed, mut full) = (Vec::new(), Vec::new());
    for i in 0..=RUNS {
        for flaky in [true, false] {
            std::fs::write(&file, recipe(flaky)).map_err(io)?;
            let name = format!("{}_{i}", if flaky { "resumed" } else { "full" });
            let new = NewProject { name, framework: Some(Framework::Elixir), ..Default::default() };
            let project = projects::create(store, actor, new).await?;
            pipeline::setup_project(store, events, actor, &project.id).await?;
            let job = completed(store, events, actor, &project.id).await?;
            let expected = if flaky { 2 } else { 1 };
            if job.attempt != expected {
                return Err(Error::Internal(format!(
                    "expected {expected} attempts, saw {}",
                    job.attempt
                )));
            }
            // The first of each is a warm-up, not counted.
            if i > 0 {
                if flaky { &mut resumed } else { &mut full }.push(last_attempt(&job)?);
            }
        }
    }
    let _ = std::fs::remove_file(&file);
    let (resumed, full) = (Timing::from(resumed), Timing::from(full));
    let ratio = resumed.median().as_secs_f64() / full.median().as_secs_f64();
    report.value(
        &format!("a retry resuming at a failed mix test vs a full run (median of {RUNS})"),
        format!("ratio {ratio:.2}"),
        format!("{:.2} s vs {:.2} s", resumed.median().as_secs_f64(), full.median().as_secs_f64()),
        format!("goal <= 0.30 (issue 22): {}", if ratio <= 0.30 { "met" } else { "MISSED" }),
    );
    Ok(())
}
