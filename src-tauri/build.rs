// The package root is the repository root, so tauri-build finds tauri.conf.json in
// CARGO_MANIFEST_DIR. The app manifest lists our commands: Tauri then generates one
// permission per command (`allow-<name>`), and the app grants exactly those to its window.
include!("src/command_names.rs");

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/src/command_names.rs");
    // The benchmark build adds one command that floods the window with events.
    let commands: &'static [&'static str] = if std::env::var_os("CARGO_FEATURE_BENCH").is_some() {
        Box::leak([COMMANDS, &["emit_test_events"]].concat().into_boxed_slice())
    } else {
        COMMANDS
    };
    let manifest = tauri_build::AppManifest::new().commands(commands);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build failed (check tauri.conf.json and icons/)");
}
