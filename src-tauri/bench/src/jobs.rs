//! The job runner's figures: enqueue rate, claim rate under 8 concurrent claimers (with the
//! SQLITE_BUSY errors and double claims counted), enqueue-to-start latency with an idle
//! runner, and the broadcaster's delivery latency with 100 subscribers.

use crate::report::{Report, Timing};
use crate::Args;
use codemyspec_core::events::Broadcaster;
use codemyspec_core::jobs::{self, Fields, NewJob};
use codemyspec_core::runner::{Runner, RunnerConfig};
use codemyspec_core::{Error, Result, Store};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn job(i: usize) -> NewJob {
    NewJob {
        queue: "bench".into(),
        worker: "Noop".into(),
        args: Fields::from([("n".to_owned(), i.to_string())]),
        priority: (i % 10) as i64,
        max_attempts: 3,
        scheduled_at: None,
        unique: None,
    }
}

async fn fresh() -> Result<(Store, tempfile::TempDir)> {
    let dir =
        tempfile::tempdir().map_err(|source| Error::Io { context: "temp dir".into(), source })?;
    let store = Store::open(dir.path()).await?;
    sqlx::query("INSERT INTO queues (name, paused, concurrency) VALUES ('bench', 0, 8)")
        .execute(store.pool())
        .await?;
    Ok((store, dir))
}

pub async fn run(args: &Args, report: &mut Report) -> Result<()> {
    report.section("job runner");
    let n = args.jobs;

    // Enqueue: one transaction per job, and all in one (Oban's insert_all).
    let (store, dir) = fresh().await?;
    let t = Instant::now();
    for i in 0..n {
        jobs::insert(&store, job(i)).await?;
    }
    let one_by_one = t.elapsed();
    report.value(
        &format!("enqueue {n} jobs, a transaction each"),
        format!("{:.0} ms", one_by_one.as_secs_f64() * 1000.0),
        format!("{:.0} jobs/s", n as f64 / one_by_one.as_secs_f64()),
        verdict(one_by_one < Duration::from_secs(1), "target < 1 s"),
    );
    let t = Instant::now();
    jobs::insert_all(&store, (0..n).map(job).collect()).await?;
    let batch = t.elapsed();
    report.value(
        &format!("enqueue {n} jobs with insert_all (one transaction)"),
        format!("{:.0} ms", batch.as_secs_f64() * 1000.0),
        format!("{:.0} jobs/s", n as f64 / batch.as_secs_f64()),
        verdict(batch < Duration::from_secs(1), "target < 1 s"),
    );

    // Claims: 8 claimers, each with its own connection pool as separate processes would
    // have, claiming one job at a time until the queue is empty.
    let claimers = 8;
    let mut stores = Vec::new();
    for _ in 0..claimers {
        stores.push(Store::open(dir.path()).await?);
    }
    let claimed: Arc<Mutex<Vec<i64>>> = Arc::default();
    let busy = Arc::new(Mutex::new(0usize));
    let t = Instant::now();
    let tasks: Vec<_> = stores
        .into_iter()
        .map(|s| {
            let (claimed, busy) = (claimed.clone(), busy.clone());
            tokio::spawn(async move {
                loop {
                    match jobs::claim(&s, "bench", 1).await {
                        Ok(got) if got.is_empty() => return,
                        Ok(got) => claimed
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .extend(got.iter().map(|j| j.id)),
                        Err(Error::Busy) => *busy.lock().unwrap_or_else(|e| e.into_inner()) += 1,
                        Err(e) => panic!("claim failed: {e}"),
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.map_err(|e| Error::Internal(e.to_string()))?;
    }
    let took = t.elapsed();
    let ids = claimed.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let distinct: HashSet<i64> = ids.iter().copied().collect();
    let busy = *busy.lock().unwrap_or_else(|e| e.into_inner());
    let doubles = ids.len() - distinct.len();
    report.value(
        &format!("claim {} jobs with {claimers} concurrent claimers", ids.len()),
        format!("{:.0} claims/s", ids.len() as f64 / took.as_secs_f64()),
        format!("SQLITE_BUSY {busy}, double claims {doubles}"),
        verdict(
            busy == 0 && doubles == 0 && distinct.len() == 2 * n,
            "target: both 0, every job once",
        ),
    );
    store.close().await;

    latency(args, report).await?;
    broadcaster(report).await
}

fn verdict(ok: bool, target: &str) -> String {
    format!("{target}: {}", if ok { "met" } else { "MISSED" })
}

/// Enqueue-to-start with an idle runner: one job at a time, in this process.
async fn latency(args: &Args, report: &mut Report) -> Result<()> {
    let (store, _dir) = fresh().await?;
    let started: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let seen = started.clone();
    let config = RunnerConfig { queues: vec!["bench".into()], ..Default::default() };
    let runner = Runner::new(&store, &Broadcaster::new(), config)
        .worker("Noop", move |run| {
            let seen = seen.clone();
            async move {
                let key = run.job.args.get("n").cloned().unwrap_or_default();
                seen.lock().unwrap_or_else(|e| e.into_inner()).insert(key, Instant::now());
                Ok(())
            }
        })
        .start()
        .await?;
    let samples = args.runs.max(200);
    let mut waits = Vec::with_capacity(samples);
    for i in 0..samples {
        tokio::time::sleep(Duration::from_millis(5)).await; // the runner is idle again
        let t = Instant::now();
        jobs::insert(&store, job(i)).await?;
        let key = i.to_string();
        let deadline = Instant::now() + Duration::from_secs(10);
        let start = loop {
            if let Some(at) = started.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
                break *at;
            }
            if Instant::now() > deadline {
                return Err(Error::Internal(format!("job {i} never started")));
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        };
        waits.push(start.saturating_duration_since(t));
    }
    runner.stop().await;
    let timing = Timing::from(waits);
    report.value(
        &format!("enqueue-to-start, idle runner ({samples} jobs)"),
        format!("p50 {:.2} ms", timing.percentile(50.0).as_secs_f64() * 1000.0),
        format!("p99 {:.2} ms", timing.percentile(99.0).as_secs_f64() * 1000.0),
        verdict(timing.percentile(50.0) < Duration::from_millis(5), "target p50 < 5 ms"),
    );
    Ok(())
}

/// Publish-to-receive with 100 subscribers on one project's topic.
async fn broadcaster(report: &mut Report) -> Result<()> {
    let b = Broadcaster::new();
    let subscribers = 100;
    let messages = 1000;
    let sent: Arc<Mutex<Vec<Instant>>> = Arc::new(Mutex::new(Vec::with_capacity(messages)));
    let mut tasks = Vec::new();
    let project = crate::seed::sample_project();
    for _ in 0..subscribers {
        let mut sub = b.subscribe_to_project(&project.id);
        let sent = sent.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(messages);
            for _ in 0..messages {
                match sub.recv().await {
                    Ok(event) => {
                        let now = Instant::now();
                        let i: usize = event.project().updated_at.parse().unwrap_or(0);
                        let at = sent.lock().unwrap_or_else(|e| e.into_inner())[i];
                        lat.push(now.saturating_duration_since(at));
                    }
                    Err(_) => break,
                }
            }
            lat
        }));
    }
    for i in 0..messages {
        let mut p = project.clone();
        p.updated_at = i.to_string();
        sent.lock().unwrap_or_else(|e| e.into_inner()).push(Instant::now());
        b.broadcast_project_update(&p);
        if i % 50 == 0 {
            tokio::task::yield_now().await;
        }
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.map_err(|e| Error::Internal(e.to_string()))?);
    }
    let delivered = all.len();
    let timing = Timing::from(all);
    report.value(
        &format!("broadcaster, {subscribers} subscribers x {messages} updates"),
        format!("p99 {:.2} ms", timing.percentile(99.0).as_secs_f64() * 1000.0),
        format!(
            "p50 {:.3} ms, {delivered} of {} delivered",
            timing.percentile(50.0).as_secs_f64() * 1000.0,
            subscribers * messages
        ),
        String::new(),
    );
    Ok(())
}
