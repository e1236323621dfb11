//! Warm setups (issue 24): a cold Phoenix setup (phx.new, deps.get, phx.gen.auth, compile,
//! test) with an empty dependency cache, then a second one that the cache makes warm, on the
//! offline Hex repository (`make bench-warm` serves it and points Mix, Hex and git at it).
//! Besides the figures, it checks what the goal is about: both end `ready` with their own
//! `mix test` passed, and Mix compiled no dependency in the warm one.

use crate::pipeline_env::{self, PipelineEnv};
use crate::report::Report;
use codemyspec_core::events::Broadcaster;
use codemyspec_core::jobs::{self, JobFilter, JobState};
use codemyspec_core::pipeline;
use codemyspec_core::projects::{self, Framework, NewProject, SetupStatus};
use codemyspec_core::AccountId;
use codemyspec_core::{Error, Result, Store};
use std::time::{Duration, Instant};

/// The goal: a warm setup takes at most this share of a cold one.
const GOAL: f64 = 0.40;

pub async fn run(report: &mut Report) -> Result<()> {
    report.section("warm setups (phoenix recipe, real mix, offline Hex repository)");
    let PipelineEnv { dir: _dir, store, events, actor, runner } = pipeline_env::start(None).await?;
    let cold = setup(&store, &events, &actor.id, "cold_shop").await?;
    let warm = setup(&store, &events, &actor.id, "warm_shop").await?;
    runner.stop().await;
    for (name, log) in [("cold_shop", &cold.1), ("warm_shop", &warm.1)] {
        if !log.iter().any(|l| l.contains(" tests, 0 failures")) {
            return Err(Error::Internal(format!("{name}: no passing `mix test` in its log")));
        }
    }
    // Mix prints `==> <dependency>` for each dependency it compiles.
    let deps_compiled = |log: &[String]| {
        log.iter().filter(|l| l.starts_with("==> ") && !l.contains("_shop")).count()
    };
    let recompiled = deps_compiled(&warm.1);
    if recompiled > 0 || deps_compiled(&cold.1) == 0 {
        return Err(Error::Internal(format!(
            "expected the cold setup to compile dependencies and the warm one none; the warm one compiled {recompiled}"
        )));
    }
    let ratio = warm.0.as_secs_f64() / cold.0.as_secs_f64();
    report.single("a cold phoenix setup (empty dependency cache)", cold.0);
    report.single("a warm phoenix setup (the same dependencies cached)", warm.0);
    report.value(
        "warm vs cold",
        format!("ratio {ratio:.2}"),
        format!(
            "{:.1} s vs {:.1} s; dependencies compiled: {} cold, {recompiled} warm",
            warm.0.as_secs_f64(),
            cold.0.as_secs_f64(),
            deps_compiled(&cold.1)
        ),
        format!("goal <= {GOAL:.2}: {}", if ratio <= GOAL { "met" } else { "MISSED" }),
    );
    Ok(())
}

/// Sets a Phoenix project up and waits until it is `ready`; its time and its steps' log.
async fn setup(
    store: &Store,
    events: &Broadcaster,
    actor: &AccountId,
    name: &str,
) -> Result<(Duration, Vec<String>)> {
    let new =
        NewProject { name: name.into(), framework: Some(Framework::Phoenix), ..Default::default() };
    let project = projects::create(store, actor, new).await?;
    let t = Instant::now();
    pipeline::setup_project(store, events, actor, &project.id).await?;
    let job = loop {
        let filter = JobFilter { project_id: Some(project.id.to_string()), ..Default::default() };
        match jobs::list(store, actor, &filter).await?.into_iter().next() {
            Some(j) if j.state.is_final() => break j,
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    let took = t.elapsed();
    let log: Vec<(String,)> =
        sqlx::query_as("SELECT line FROM job_logs WHERE job_id = ? ORDER BY rowid")
            .bind(job.id)
            .fetch_all(store.pool())
            .await
            .map_err(Error::from)?;
    let log: Vec<String> = log.into_iter().map(|(l,)| l).collect();
    let project = projects::get(store, actor, &project.id).await?;
    if job.state != JobState::Completed || project.setup_status != SetupStatus::Ready {
        let tail = log.iter().rev().take(30).rev().cloned().collect::<Vec<_>>().join("\n");
        return Err(Error::Internal(format!(
            "the {name} setup ended {} ({}): {:?}\n{tail}",
            job.state, project.setup_status, job.errors
        )));
    }
    Ok((took, log))
}
