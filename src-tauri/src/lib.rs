//! CodeMySpec Desktop's shell: the Tauri window over `codemyspec-core`. It owns the window,
//! the typed commands (tauri-specta) and the app state; it never writes SQL. See
//! `docs/ARCHITECTURE.md`.

mod commands;

use codemyspec_core::{accounts, store, ErrorView, Store};
use std::path::PathBuf;

/// What the commands share: the open store.
pub struct AppState {
    pub store: Store,
}

impl AppState {
    /// The acting profile's id (the last one used, or the only one).
    pub async fn actor(&self) -> Result<String, ErrorView> {
        Ok(accounts::current(&self.store, None).await?.id)
    }
}

/// Every command the window may call; `ui/src/bindings.ts` is generated from this list.
pub fn specta_builder<R: tauri::Runtime>() -> tauri_specta::Builder<R> {
    tauri_specta::Builder::<R>::new()
        .commands(tauri_specta::collect_commands![commands::list_projects])
}

/// The data dir: `--data-dir DIR` (or `--data-dir=DIR`), else `CODEMYSPEC_DATA_DIR`, else the
/// OS app-data dir — the same rule as the CLI's, so both open one database.
fn data_dir(args: impl IntoIterator<Item = String>) -> Result<PathBuf, codemyspec_core::Error> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        if arg == "--data-dir" {
            if let Some(dir) = args.next() {
                return Ok(PathBuf::from(dir));
            }
        } else if let Some(dir) = arg.strip_prefix("--data-dir=") {
            return Ok(PathBuf::from(dir));
        }
    }
    store::default_data_dir()
}

pub fn run() {
    let builder = specta_builder::<tauri::Wry>();
    let opened = data_dir(std::env::args().skip(1))
        .and_then(|dir| tauri::async_runtime::block_on(Store::open(&dir)));
    let store = match opened {
        Ok(store) => store,
        Err(err) => {
            eprintln!("codemyspec: cannot open the database: {err}");
            std::process::exit(1);
        }
    };
    tauri::Builder::default()
        .manage(AppState { store })
        .invoke_handler(builder.invoke_handler())
        .run(tauri::generate_context!())
        .expect("error while running tauri application");
}

#[cfg(test)]
mod tests;
