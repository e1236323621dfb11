//! Desktop notifications when a setup ends. Clicking one opens that project in the window
//! (Linux: through the notification's default action; elsewhere the notification only
//! informs).

use crate::events::OpenProject;
use codemyspec_core::projects::Project;
use tauri::{AppHandle, Runtime};

/// A project whose repository vanished from GitHub (the org sync moved it to `missing`).
pub fn incident<R: Runtime>(app: &AppHandle<R>, project: &Project, why: &str) {
    show(app, project, format!("{} is missing on GitHub", project.name), why.to_owned());
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
    let app = app.clone();
    let project_id = project.id.clone();
    std::thread::spawn(move || {
        let mut note = notify_rust::Notification::new();
        note.appname("CodeMySpec").summary(&summary).body(&body).action("default", "Open project");
        match note.show() {
            #[cfg(all(unix, not(target_os = "macos")))]
            Ok(handle) => handle.wait_for_action(|action| {
                if action == "default" {
                    crate::show_main(&app);
                    let _ = tauri_specta::Event::emit(
                        &OpenProject { project_id: project_id.clone() },
                        &app,
                    );
                }
            }),
            #[cfg(not(all(unix, not(target_os = "macos"))))]
            Ok(_) => {
                let _ = (&app, &project_id);
            }
            Err(e) => tracing::warn!("cannot show a notification: {e}"),
        }
    });
}
