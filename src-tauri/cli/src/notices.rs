//! What `codemyspec worker` tells the person while it runs the queue: a project gone missing
//! on GitHub, new docs conflicts. The worker has no window, so it raises the desktop
//! notification itself (over D-Bus on Linux) and prints it; when the app runs beside it,
//! whichever claims a notice first shows it ([`codemyspec_core::notices`]), so it is shown
//! once.

use codemyspec_core::notices::{self, Claimer, Notice};
use codemyspec_core::Store;
use std::io::Write;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Claims and shows notices every two seconds until `stop`. A notice that cannot be shown (no
/// notification service in this session) goes back for the app, and showing pauses a minute.
pub async fn deliver(store: Store, stop: CancellationToken) {
    loop {
        let mut wait = Duration::from_secs(2);
        match notices::claim(&store, Claimer::Worker).await {
            Ok(claimed) => {
                for notice in claimed {
                    println!("notice: {} — {}", notice.summary, notice.body);
                    let _ = std::io::stdout().flush();
                    if let Err(e) = show(&notice).await {
                        tracing::warn!("cannot show a notification: {e}");
                        let _ = notices::release(&store, notice.id).await;
                        wait = Duration::from_secs(60);
                        break;
                    }
                }
            }
            Err(e) => tracing::warn!("cannot read notices: {e}"),
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

async fn show(notice: &Notice) -> Result<(), String> {
    let (summary, body) = (notice.summary.clone(), notice.body.clone());
    tokio::task::spawn_blocking(move || {
        notify_rust::Notification::new()
            .appname("CodeMySpec")
            .summary(&summary)
            .body(&body)
            .show()
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}
