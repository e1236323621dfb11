//! `codemyspec worker`: this data dir's jobs, run until a signal stops it; and the signals
//! that stop a terminal's long-running commands.

use crate::setup::start_runner;
use crate::Ctx;
use codemyspec_core::pipeline;
use codemyspec_core::Result;
use std::io::Write;

/// `codemyspec worker`: runs this data dir's jobs until interrupted.
pub async fn worker(ctx: &Ctx) -> Result<()> {
    let handle = start_runner(ctx).await?;
    let mut events = ctx.events.subscribe_to_jobs();
    println!(
        "running the jobs of {} (queue {}); Ctrl-C stops",
        ctx.store.data_dir().display(),
        pipeline::QUEUE
    );
    let _ = std::io::stdout().flush();
    // Edits (this machine's, the CLI's, the window's) reach the docs repository from here.
    let watching = tokio_util::sync::CancellationToken::new();
    let interval = codemyspec_core::sync::interval(&ctx.store).await?.max(30) as u64;
    let watcher = tokio::spawn(codemyspec_core::docs_sync::watch(
        ctx.store.clone(),
        interval,
        watching.clone(),
    ));
    // What the syncs found that the person must hear of, as desktop notifications.
    let notices = tokio::spawn(crate::notices::deliver(ctx.store.clone(), watching.clone()));
    let stop = stop_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            event = events.recv() => {
                if let Ok(codemyspec_core::events::JobEvent::JobChanged { job }) = event {
                    println!("job {} {} (attempt {}/{})", job.id, job.state, job.attempt, job.max_attempts);
                    let _ = std::io::stdout().flush();
                }
            }
        }
    }
    println!("stopping: running steps are stopped and their jobs go back to the queue");
    watching.cancel();
    let _ = watcher.await;
    let _ = notices.await;
    handle.stop().await;
    Ok(())
}

/// Resolves at the first SIGINT (Ctrl-C), SIGTERM or SIGHUP (the terminal closed), with its
/// name; on other systems at Ctrl-C.
pub async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut int), Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = int.recv() => "SIGINT",
            _ = term.recv() => "SIGTERM",
            _ = hup.recv() => "SIGHUP",
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}
