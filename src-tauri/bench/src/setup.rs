//! The setup pipeline's overhead: the `elixir` recipe end to end through the job runner
//! (status updates, step records, logs, libgit2 commit) against the same commands run by a
//! plain shell script, as a ratio of medians.

use crate::report::{Report, Timing};
use crate::{seed, Args};
use codemyspec_core::events::Broadcaster;
use codemyspec_core::jobs::{self, JobFilter, JobState};
use codemyspec_core::pipeline::{self, PipelineConfig};
use codemyspec_core::projects::{self, Framework, NewProject};
use codemyspec_core::runner::{Runner, RunnerConfig};
use codemyspec_core::secrets::Keyring;
use codemyspec_core::{Error, Result, Store};
use std::sync::Arc;
use std::time::{Duration, Instant};

const RUNS: usize = 5;

fn module(name: &str) -> String {
    codemyspec_core::validate::module_name(name)
}

fn shell_script(name: &str) -> String {
    format!(
        "mix new {name} --module {module} && cd {name} && mix deps.get && mix compile && mix test \
         && git init -q -b main && git add -A \
         && git -c user.name=bench -c user.email=bench@example.com commit -qm 'Initial commit'",
        module = module(name)
    )
}

async fn by_shell(name: &str) -> Result<Duration> {
    let dir =
        tempfile::tempdir().map_err(|source| Error::Io { context: "temp dir".into(), source })?;
    let t = Instant::now();
    let out = tokio::process::Command::new("sh")
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
    Ok(t.elapsed())
}

pub async fn run(_args: &Args, report: &mut Report) -> Result<()> {
    report.section("setup pipeline (elixir recipe, real mix)");
    let dir =
        tempfile::tempdir().map_err(|source| Error::Io { context: "temp dir".into(), source })?;
    let store = Store::open(dir.path()).await?;
    let events = Broadcaster::new();
    let actor = seed::account(&store).await?;
    let config = Arc::new(PipelineConfig::new(Arc::new(Keyring)));
    let runner_config = RunnerConfig { poll: Duration::from_millis(100), ..Default::default() };
    let runner = Runner::new(&store, &events, runner_config)
        .worker(pipeline::WORKER, move |run| pipeline::perform(run, config.clone()))
        .start()
        .await?;
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
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
        loop {
            let filter = JobFilter { project_id: Some(project.id.clone()), ..Default::default() };
            let job = jobs::list(&store, &actor.id, &filter).await?.into_iter().next();
            match job.map(|j| j.state) {
                Some(JobState::Completed) => break,
                Some(s) if s.is_final() => {
                    return Err(Error::Internal(format!("the setup of {name} ended {s}")))
                }
                _ => tokio::time::sleep(Duration::from_millis(2)).await,
            }
        }
        let pipeline_took = t.elapsed();
        let shell_took = by_shell(&format!("shell_{i}")).await?;
        if i > 0 {
            ours.push(pipeline_took);
            theirs.push(shell_took);
        }
    }
    runner.stop().await;
    let (ours, theirs) = (Timing::from(ours), Timing::from(theirs));
    let ratio = ours.median().as_secs_f64() / theirs.median().as_secs_f64();
    report.value(
        &format!("elixir recipe via the pipeline vs a shell script (median of {RUNS})"),
        format!("ratio {ratio:.3}"),
        format!("{:.2} s vs {:.2} s", ours.median().as_secs_f64(), theirs.median().as_secs_f64()),
        format!("target <= 1.10: {}", if ratio <= 1.10 { "met" } else { "MISSED" }),
    );
    Ok(())
}
