//! `codemyspec worker`: this data dir's jobs, run until a signal stops it; and the signals
//! that stop a terminal's long-running commands.

use crate::setup::pipeline_config;
use crate::Ctx;
use codemyspec_core::Result;
use codemyspec_core::{background, pipeline};
use std::io::Write;

/// `codemyspec worker`: runs this data dir's jobs until interrupted.
pub async fn worker(ctx: &Ctx) -> Result<()> {
    let config = pipeline_config();
    let work = background::start(&ctx.store, &ctx.events, config.clone()).await?;
    // Where steps find mix (tools_path, PATH, or the login shell's PATH, read once here).
    if let Err(e) = config.resolve_tools(&ctx.store).await {
        work.stop().await;
        return Err(e);
    }
    let mut events = ctx.events.subscribe_to_jobs();
    println!(
        "running the jobs of {} (queue {}); Ctrl-C stops",
        ctx.store.data_dir().display(),
        pipeline::QUEUE
    );
    let _ = std::io::stdout().flush();
    // What the syncs found that the person must hear of, as desktop notifications.
    let delivering = tokio_util::sync::CancellationToken::new();
    let notices = tokio::spawn(crate::notices::deliver(ctx.store.clone(), delivering.clone()));
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
    delivering.cancel();
    let _ = notices.await;
    work.stop().await;
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
