// The package root is the repository root, so tauri-build finds ../tauri.conf.json as
// tauri.conf.json in CARGO_MANIFEST_DIR. The app manifest lists our commands: Tauri then
// generates one permission per command (`allow-<name>`), and the capability in
// tauri.conf.json grants exactly those.
fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&["list_projects"]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri-build failed (check tauri.conf.json and icons/)");
}
