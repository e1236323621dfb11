//! The shell under Tauri's mock runtime, with a real database file: the commands answer
//! through IPC as the window would call them. Also checks that `ui/src/bindings.ts` is current.

use super::*;
use codemyspec_core::accounts::{self, NewAccount};
use codemyspec_core::projects::NewProject;
use codemyspec_core::Secret;
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;

fn bindings_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings.ts")
}

/// The committed bindings are what the commands generate (`make bindings` rewrites them; this
/// test only compares), and the permission list (`COMMANDS`) names exactly their commands.
#[test]
fn typescript_bindings_are_current_and_every_command_is_granted() {
    let fresh = tempfile::tempdir().expect("temp dir");
    let generated = fresh.path().join("bindings.ts");
    write_bindings(&generated).expect("export bindings");
    let text = std::fs::read_to_string(&generated).expect("read bindings");
    let committed = std::fs::read_to_string(bindings_path()).unwrap_or_default();
    assert!(text == committed, "ui/src/bindings.ts is stale: run `make bindings` and commit it");
    let mut invoked: Vec<&str> =
        text.split("__TAURI_INVOKE(\"").skip(1).filter_map(|rest| rest.split('"').next()).collect();
    invoked.sort_unstable();
    invoked.dedup();
    let mut granted: Vec<&str> = COMMANDS.to_vec();
    granted.sort_unstable();
    assert_eq!(invoked, granted);
}

fn invoke(
    store: Store,
    cmd: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    invoke_on(AppState::new(store, Arc::new(codemyspec_core::secrets::Keyring)), cmd, body)
}

fn invoke_on(
    state: AppState,
    cmd: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    let app = mock_builder()
        .manage(state)
        .invoke_handler(specta_builder().invoke_handler())
        .build(mock_context(noop_assets()))
        .expect("build the mock app");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("mock window");
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost".parse().expect("url"),
        body: tauri::ipc::InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(&webview, request).map(|body| body.deserialize().expect("json body"))
}

fn seeded() -> (tempfile::TempDir, Store, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, project) = tauri::async_runtime::block_on(async {
        let store = Store::open(dir.path()).await.expect("open");
        let new = NewAccount {
            email: "ada@example.com".into(),
            password: Secret::new("a long password"),
            name: None,
        };
        let ada = accounts::create(&store, new).await.expect("account");
        let project = NewProject { name: "my_shop".into(), ..Default::default() };
        let p = codemyspec_core::projects::create(&store, &ada.id, project).await.expect("project");
        (store, p.id.to_string())
    });
    (dir, store, project)
}

#[test]
fn list_projects_answers_through_ipc_from_a_real_database() {
    let (_dir, store, _) = seeded();
    let list = invoke(store, "list_projects", serde_json::json!({})).expect("a list");
    assert_eq!(list[0]["name"], "my_shop");
    assert_eq!(list[0]["stage"], "draft");
    assert_eq!(list[0]["setup_status"], "created");
    assert!(
        list[0].get("module_name").is_none(),
        "the list carries only what its rows show: {list}"
    );
}

#[test]
fn a_bad_project_name_comes_back_as_a_field_error() {
    let (_dir, store, _) = seeded();
    let err = invoke(store, "create_project", serde_json::json!({ "input": { "name": "My App" } }))
        .expect_err("refused");
    assert_eq!(
        (err["code"].as_str(), err["field"].as_str()),
        (Some("invalid_input"), Some("name"))
    );
}

#[test]
fn a_stale_story_edit_is_a_conflict_on_version() {
    let (_dir, store, project) = seeded();
    let story = invoke(
        store.clone(),
        "create_story",
        serde_json::json!({ "projectId": project, "input": { "title": "Pay" } }),
    )
    .expect("story");
    let id = story["id"].as_str().expect("id").to_owned();
    invoke(
        store.clone(),
        "update_story",
        serde_json::json!({ "id": id, "version": 1, "input": { "title": "Pay now" } }),
    )
    .expect("first edit");
    let err = invoke(
        store,
        "update_story",
        serde_json::json!({ "id": id, "version": 1, "input": { "title": "Pay later" } }),
    )
    .expect_err("stale");
    assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("conflict"), Some("version")));
}

#[test]
fn without_a_profile_the_error_is_typed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = tauri::async_runtime::block_on(Store::open(dir.path())).expect("open");
    let err =
        invoke(store.clone(), "list_projects", serde_json::json!({})).expect_err("no profile yet");
    assert_eq!(err["code"], "unauthenticated");
    let state = invoke(store, "profile_state", serde_json::json!({})).expect("profile state");
    assert_eq!(
        (state["current"].is_null(), state["profiles"].as_array().map(Vec::len)),
        (true, Some(0))
    );
}

#[test]
fn the_data_dir_flag_wins_and_must_name_a_folder() {
    let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(data_dir(args(&["--data-dir", "/tmp/x"])).unwrap(), PathBuf::from("/tmp/x"));
    assert_eq!(data_dir(args(&["--data-dir=/tmp/y"])).unwrap(), PathBuf::from("/tmp/y"));
    assert!(data_dir(args(&["--data-dir"])).is_err());
    assert!(data_dir(args(&["--data-dir="])).is_err());
}

/// A project named by a short tag (`"old"`, `"p"`): its id is the tag's bytes in a UUID, so
/// equal tags are the same project.
fn project_with(
    tag: &str,
    status: codemyspec_core::projects::SetupStatus,
) -> codemyspec_core::projects::Project {
    let n = tag.bytes().fold(0u64, |n, b| n << 8 | u64::from(b));
    let id = format!("00000000-0000-4000-8000-{n:012x}");
    let mut p: codemyspec_core::projects::Project = serde_json::from_value(serde_json::json!({
        "id": id, "name": "shop", "module_name": "Shop", "description": null,
        "framework": "elixir", "database": "sqlite3", "code_repo": null, "docs_repo": null,
        "github_repo_id": null, "docs_repo_id": null, "github_repo_name": null, "stage": "provisioning",
        "setup_status": "created", "setup_error": null, "executive_summary": null,
        "executive_summary_approved": false, "setup_complete": false,
        "context_mapping_approved": false, "public_repos": false, "local_path": null, "owner_id": "00000000-0000-4000-8000-0000000000a1",
        "inserted_at": "2026-01-01T00:00:00.000000Z", "updated_at": "2026-01-01T00:00:00.000000Z"
    }))
    .unwrap();
    p.setup_status = status;
    p
}

#[test]
fn a_setup_end_is_notified_once_on_the_transition_and_never_for_later_updates() {
    use codemyspec_core::projects::SetupStatus::*;
    let mut ends = events::SetupEnds::seeded(&[(&project_with("old", Ready)).into()]);
    // A project that was ready before the app started, edited later: no notification.
    assert!(!ends.ended(&project_with("old", Ready)));
    let sequence = [
        (SetupQueued, false),
        (Compiling, false),
        (Ready, true),
        (Ready, false), // the description was edited
        (Ready, false),
    ];
    for (status, notified) in sequence {
        assert_eq!(ends.ended(&project_with("p", status)), notified, "{status}");
    }
    // Set up again after a failure: the failure once, then the new end once.
    for (status, notified) in [(Failed, true), (Failed, false), (SetupQueued, false), (Ready, true)]
    {
        assert_eq!(ends.ended(&project_with("q", status)), notified, "{status}");
    }
}

#[test]
fn a_repository_gone_from_github_is_left_to_its_notice_and_a_failure_says_why() {
    use codemyspec_core::events::ProjectEvent;
    use codemyspec_core::projects::SetupStatus::*;
    let mut ends = events::SetupEnds::default();
    let mut gone = project_with("g", Ready);
    gone.stage = codemyspec_core::Stage::Missing;
    let why = "its repository shop is gone from GitHub".to_owned();
    // Not here: the org sync records a notice that one process shows (notices.rs), so a
    // window and a worker never both raise it.
    assert_eq!(ends.notice(&ProjectEvent::ProjectError { project: gone, error: why }), None);
    let mut failed = project_with("f", Failed);
    failed.setup_error = Some("`mix test` failed".into());
    assert_eq!(
        ends.notice(&ProjectEvent::ProjectUpdated { project: failed.clone() }),
        Some(events::Notice::SetupEnded { error: Some("`mix test` failed".into()) })
    );
    assert_eq!(ends.notice(&ProjectEvent::ProjectUpdated { project: failed }), None, "once");
}

#[test]
fn a_cancelled_setup_raises_no_failed_notification_and_a_later_failure_still_does() {
    use codemyspec_core::events::ProjectEvent;
    use codemyspec_core::projects::SetupStatus::*;
    let mut ends = events::SetupEnds::seeded(&[(&project_with("c", Compiling)).into()]);
    let mut cancelled = project_with("c", Failed);
    cancelled.setup_error = Some(codemyspec_core::pipeline::CANCELLED.into());
    let event =
        ProjectEvent::ProjectError { project: cancelled.clone(), error: "cancelled".into() };
    assert_eq!(ends.notice(&event), None);
    assert_eq!(ends.notice(&ProjectEvent::ProjectUpdated { project: cancelled }), None);
    // Retried, and this time it fails by itself: that is told.
    assert_eq!(
        ends.notice(&ProjectEvent::ProjectUpdated { project: project_with("c", Compiling) }),
        None
    );
    let mut failed = project_with("c", Failed);
    failed.setup_error = Some("`mix compile` failed".into());
    assert_eq!(
        ends.notice(&ProjectEvent::ProjectUpdated { project: failed }),
        Some(events::Notice::SetupEnded { error: Some("`mix compile` failed".into()) })
    );
}

/// A stand-in for the OS side of the app (the one thing a mock runtime has not): records what
/// it was asked, and refuses the login start when told to.
#[derive(Default)]
struct RecordingShell {
    refuse: bool,
    asked: std::sync::Mutex<Vec<String>>,
}

impl state::Shell for RecordingShell {
    fn quit(&self) {
        self.asked.lock().unwrap().push("quit".into());
    }
    fn start_at_login(&self, on: bool) -> Result<(), codemyspec_core::Error> {
        self.asked.lock().unwrap().push(format!("start_at_login {on}"));
        if self.refuse {
            return Err(codemyspec_core::Error::Unavailable {
                message: "cannot change the start at login: no autostart folder".into(),
            });
        }
        Ok(())
    }
}

fn with_shell(store: Store, shell: Arc<RecordingShell>) -> AppState {
    let state = AppState::new(store, Arc::new(codemyspec_core::secrets::Keyring));
    state.set_shell(shell);
    state
}

#[test]
fn start_at_login_from_the_window_changes_the_os_entry_and_a_refusal_keeps_the_setting_as_it_was() {
    let (_dir, store, _) = seeded();
    let shell = Arc::new(RecordingShell::default());
    let on = serde_json::json!({ "key": "start_at_login", "value": "true" });
    invoke_on(with_shell(store.clone(), shell.clone()), "set_setting", on.clone()).expect("saved");
    let overview = invoke(store.clone(), "app_settings", serde_json::json!({})).expect("settings");
    assert_eq!(overview["start_at_login"], true);
    assert_eq!(*shell.asked.lock().unwrap(), ["start_at_login true"]);

    let refusing = Arc::new(RecordingShell { refuse: true, ..Default::default() });
    let off = serde_json::json!({ "key": "start_at_login", "value": "false" });
    let err = invoke_on(with_shell(store.clone(), refusing.clone()), "set_setting", off)
        .expect_err("refused");
    assert_eq!(err["code"], "unavailable");
    assert!(err["message"].as_str().unwrap().contains("no autostart folder"), "{err}");
    let overview = invoke(store, "app_settings", serde_json::json!({})).expect("settings");
    assert_eq!(overview["start_at_login"], true, "the setting still says what the OS does");
    assert_eq!(overview["keep_in_tray"], true, "on by default");
}

#[test]
fn quit_from_the_window_quits_as_the_tray_does() {
    let (_dir, store, _) = seeded();
    let shell = Arc::new(RecordingShell::default());
    invoke_on(with_shell(store, shell.clone()), "quit_app", serde_json::json!({})).expect("quit");
    assert_eq!(*shell.asked.lock().unwrap(), ["quit"]);
}
