//! Desktop notifications: a setup's end, the notices of a sync (a project missing on GitHub,
//! new docs conflicts), the first close to the tray. Clicking one about a project opens that
//! project in the window (Linux: through the notification's default action; elsewhere the
//! notification only informs).

use crate::events::OpenProject;
use codemyspec_core::notices::Notice;
use codemyspec_core::projects::Project;
use tauri::{AppHandle, Runtime};

/// A notice of a sync (a project missing on GitHub, new docs conflicts); an error when no
/// notification service took it.
pub async fn notice<R: Runtime>(app: &AppHandle<R>, notice: &Notice) -> Result<(), String> {
    let shown = show_with(
        app,
        Some(notice.project_id.to_string()),
        notice.summary.clone(),
        notice.body.clone(),
    );
    shown.await.unwrap_or_else(|_| Err("the notification thread ended".into()))
}

/// A notification about no project in particular.
pub fn plain<R: Runtime>(app: &AppHandle<R>, summary: String, body: String) {
    drop(show_with(app, None, summary, body));
}

pub fn setup_ended<R: Runtime>(app: &AppHandle<R>, project: &Project, error: Option<&str>) {
    let (summary, body) = match error {
        None => (
            format!("{} is ready", project.name),
            format!("Its setup finished; the project is {}.", project.stage),
        ),
        Some(e) => (
            format!("The setup of {} failed", project.name),
            e.lines().next().unwrap_or(e).to_owned(),
        ),
    };
    show(app, project, summary, body);
}

/// Shows a notification that opens `project` when clicked (Linux).
fn show<R: Runtime>(app: &AppHandle<R>, project: &Project, summary: String, body: String) {
    drop(show_with(app, Some(project.id.to_string()), summary, body));
}

/// Shows a notification on a thread of its own (it waits there for a click); the receiver
/// says whether the notification service took it.
fn show_with<R: Runtime>(
    app: &AppHandle<R>,
    project_id: Option<String>,
    summary: String,
    body: String,
) -> tokio::sync::oneshot::Receiver<Result<(), String>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let app = app.clone();
    std::thread::spawn(move || {
        let mut note = notify_rust::Notification::new();
        note.appname("CodeMySpec").summary(&summary).body(&body);
        if project_id.is_some() {
            note.action("default", "Open project");
        }
        match note.show() {
            #[cfg(all(unix, not(target_os = "macos")))]
            Ok(handle) => {
                let _ = tx.send(Ok(()));
                let Some(project_id) = project_id else { return };
                handle.wait_for_action(|action| {
                    if action == "default" {
                        crate::show_main(&app);
                        let _ = tauri_specta::Event::emit(
                            &OpenProject { project_id: project_id.clone() },
                            &app,
                        );
                    }
                })
            }
            #[cfg(not(all(unix, not(target_os = "macos"))))]
            Ok(_) => {
                let _ = (&app, &project_id);
                let _ = tx.send(Ok(()));
            }
            Err(e) => {
                tracing::warn!("cannot show a notification: {e}");
                let _ = tx.send(Err(e.to_string()));
            }
        }
    });
    rx
}
