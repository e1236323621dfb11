//! The shell under Tauri's mock runtime, with a real database file: the commands answer
//! through IPC as the window would call them. Also keeps `ui/src/bindings.ts` current.

use super::*;
use codemyspec_core::accounts::NewAccount;
use codemyspec_core::projects::NewProject;
use codemyspec_core::Secret;
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;

/// Regenerates the TypeScript bindings; `make test` fails when the committed copy differs.
#[test]
fn typescript_bindings_are_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings.ts");
    let exporter = specta_typescript::Typescript::default().header(
        "// Generated from the Rust commands by `cargo test -p codemyspec-desktop`. Do not edit.",
    );
    specta_builder::<tauri::Wry>().export(exporter, &path).expect("export bindings");
    let text = std::fs::read_to_string(&path).expect("read bindings");
    assert!(text.contains("listProjects"), "the command is in the bindings");
}

fn invoke(store: Store, cmd: &str) -> Result<serde_json::Value, serde_json::Value> {
    let app = mock_builder()
        .manage(AppState { store })
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
        body: tauri::ipc::InvokeBody::default(),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(&webview, request).map(|body| body.deserialize().expect("json body"))
}

#[test]
fn list_projects_answers_through_ipc_from_a_real_database() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = tauri::async_runtime::block_on(async {
        let store = Store::open(dir.path()).await.expect("open");
        let new = NewAccount {
            email: "ada@example.com".into(),
            password: Secret::new("a long password"),
            name: None,
        };
        let ada = accounts::create(&store, new).await.expect("account");
        let project = NewProject { name: "my_shop".into(), ..Default::default() };
        codemyspec_core::projects::create(&store, &ada.id, project).await.expect("project");
        store
    });
    let list = invoke(store, "list_projects").expect("a list");
    assert_eq!(list[0]["name"], "my_shop");
    assert_eq!(list[0]["stage"], "draft");
    assert_eq!(list[0]["setup_status"], "created");
}

#[test]
fn without_a_profile_the_error_is_typed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = tauri::async_runtime::block_on(Store::open(dir.path())).expect("open");
    let err = invoke(store, "list_projects").expect_err("no profile yet");
    assert_eq!(err["code"], "unauthenticated");
    assert!(err["message"].as_str().is_some_and(|m| m.contains("no profile")), "{err}");
}

#[test]
fn the_data_dir_flag_wins_over_the_environment() {
    let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(data_dir(args(&["--data-dir", "/tmp/x"])).unwrap(), PathBuf::from("/tmp/x"));
    assert_eq!(data_dir(args(&["--data-dir=/tmp/y"])).unwrap(), PathBuf::from("/tmp/y"));
}
