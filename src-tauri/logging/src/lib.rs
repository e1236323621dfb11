//! Where tracing goes. The app writes a file per day, `codemyspec.log.YYYY-MM-DD`, in the OS
//! log folder (the last [`KEPT`] days are kept); the CLI writes to stderr, quiet unless asked
//! (`-v`, `-vv`). `RUST_LOG` overrides both filters. Nothing here knows what is logged:
//! secrets never reach a log because they are `Secret`s, whose `Debug` and `Display` print
//! `[redacted]`.

use std::path::{Path, PathBuf};
use tracing_subscriber::EnvFilter;

/// Days of log files the app keeps.
pub const KEPT: usize = 7;
const APP_ID: &str = "dev.codemyspec.desktop";

/// The OS log folder for the app (`CODEMYSPEC_LOG_DIR` overrides it): `~/Library/Logs/<id>`
/// on macOS, `<local data>/<id>/logs` elsewhere (`$XDG_DATA_HOME` on Linux, `%LOCALAPPDATA%`
/// on Windows) — where Tauri's own `app_log_dir` points.
pub fn log_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CODEMYSPEC_LOG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    if cfg!(target_os = "macos") {
        return dirs::home_dir().map(|h| h.join("Library/Logs").join(APP_ID));
    }
    dirs::data_local_dir().map(|d| d.join(APP_ID).join("logs"))
}

fn filter(default: &str) -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default))
}

/// Keeps the file writer flushing; dropped at exit.
pub struct Guard {
    _worker: tracing_appender::non_blocking::WorkerGuard,
}

/// The app's logging: daily files in `dir`, `info` and up (our crates) unless `RUST_LOG`
/// says otherwise. Fails when the folder cannot be made (the app then runs without a log).
pub fn to_files(dir: &Path) -> Result<Guard, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("codemyspec.log")
        .max_log_files(KEPT)
        .build(dir)
        .map_err(|e| format!("cannot open a log file in {}: {e}", dir.display()))?;
    let (writer, worker) = tracing_appender::non_blocking(appender);
    tracing_subscriber::fmt()
        .with_env_filter(filter("warn,codemyspec=info,codemyspec_core=info,codemyspec_desktop=info,codemyspec_github=info"))
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .map_err(|e| format!("a logger is already set: {e}"))?;
    Ok(Guard { _worker: worker })
}

/// The CLI's logging on stderr: warnings by default, `-v` info, `-vv` debug.
pub fn to_stderr(verbosity: u8) {
    let level = match verbosity {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter(level))
        .with_writer(std::io::stderr)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_writes_a_dated_file_in_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let guard = to_files(dir.path()).unwrap();
        tracing::info!(target: "codemyspec_core", "a line for the file");
        drop(guard);
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(files.len(), 1);
        let name = files[0].file_name().to_string_lossy().into_owned();
        assert!(name.starts_with("codemyspec.log"), "{name}");
        let text = std::fs::read_to_string(files[0].path()).unwrap();
        assert!(text.contains("a line for the file"), "{text}");
    }
}
