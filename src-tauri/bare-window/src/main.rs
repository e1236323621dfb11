//! A bare Tauri 2 window on an empty page: what Tauri and the system's web view cost by
//! themselves. `make bench` starts it beside the app, in the same run and the same way, and
//! prints the app's start time and memory as ratios to it (docs/BENCHMARKS.md).

// No console window on Windows release builds, as for the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

// The app's own renderer choice (compositing off without a GPU), so both draw the same way.
#[path = "../../src/rendering.rs"]
mod rendering;

fn main() {
    rendering::choose();
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the bare window failed to start");
}
