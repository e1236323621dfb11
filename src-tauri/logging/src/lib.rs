//! Where tracing goes. The app writes a file per day, `codemyspec.log.YYYY-MM-DD`, in the OS
//! log folder (the last [`KEPT`] days are kept; on Unix the folder is 0700 and the files
//! 0600); the CLI writes to stderr, quiet unless asked
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

/// The log files' names begin with this (then `.YYYY-MM-DD`).
const PREFIX: &str = "codemyspec.log";

/// The app's logging: daily files in `dir`, `info` and up (our crates) unless `RUST_LOG`
/// says otherwise. The folder is its owner's only (0700 on Unix) and so is every file in it
/// (0600): logs name projects, repositories and paths. Fails when the folder cannot be made
/// (the app then runs without a log).
pub fn to_files(dir: &Path) -> Result<Guard, String> {
    private_dir(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(PREFIX)
        .max_log_files(KEPT)
        .build(dir)
        .map_err(|e| format!("cannot open a log file in {}: {e}", dir.display()))?;
    narrow_files(dir);
    let files = PrivateFiles { inner: appender, dir: dir.to_owned(), day: None };
    let (writer, worker) = tracing_appender::non_blocking(files);
    tracing_subscriber::fmt()
        .with_env_filter(filter("warn,codemyspec=info,codemyspec_core=info,codemyspec_desktop=info,codemyspec_github=info"))
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .map_err(|e| format!("a logger is already set: {e}"))?;
    Ok(Guard { _worker: worker })
}

/// Makes `dir` (and any missing parent) readable by its owner only; an existing `dir` is
/// narrowed too (an older version made it with the umask's mode).
fn private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

/// Narrows every log file in `dir` to its owner (0600 on Unix). Best effort: a file that
/// cannot be narrowed is still written.
fn narrow_files(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let is_log = entry.file_name().to_string_lossy().starts_with(PREFIX);
            // symlink_metadata: a link is not followed out of the folder.
            let Ok(meta) = entry.path().symlink_metadata() else { continue };
            if is_log && meta.is_file() && meta.permissions().mode() & 0o077 != 0 {
                let _ =
                    std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o600));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The rolling appender, keeping its files private. tracing-appender opens each day's file
/// with the process's umask (0644 as a rule) and has no setting for the mode, so the folder
/// is swept once per (UTC) day, right after the write that may have opened a new file; until
/// then that file sits in a folder no one else can enter.
struct PrivateFiles {
    inner: tracing_appender::rolling::RollingFileAppender,
    dir: PathBuf,
    /// The UTC day of the last sweep.
    day: Option<u64>,
}

impl std::io::Write for PrivateFiles {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        // Read after the write: a write that rolled over to a new day's file is swept.
        let day = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() / 86_400)
            .unwrap_or_default();
        if self.day != Some(day) {
            narrow_files(&self.dir);
            self.day = Some(day);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
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
    fn the_app_writes_a_dated_file_only_its_owner_can_read_in_a_folder_only_its_owner_can_enter() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("logs");
        // What an older version left: a folder and a file anyone could read.
        std::fs::create_dir(&dir).unwrap();
        let older = dir.join("codemyspec.log.2020-01-01");
        std::fs::write(&older, "an older line\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
            std::fs::set_permissions(&older, std::fs::Permissions::from_mode(0o644)).unwrap();
        }

        let guard = to_files(&dir).unwrap();
        tracing::info!(target: "codemyspec_core", "a line for the file");
        drop(guard);
        let files: Vec<_> =
            std::fs::read_dir(&dir).unwrap().flatten().filter(|f| f.path() != older).collect();
        assert_eq!(files.len(), 1);
        let name = files[0].file_name().to_string_lossy().into_owned();
        assert!(name.starts_with("codemyspec.log"), "{name}");
        let text = std::fs::read_to_string(files[0].path()).unwrap();
        assert!(text.contains("a line for the file"), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| {
                format!("{:o}", std::fs::metadata(p).unwrap().permissions().mode() & 0o777)
            };
            assert_eq!(mode(&dir), "700", "the folder");
            assert_eq!(mode(&files[0].path()), "600", "today's file");
            assert_eq!(mode(&older), "600", "a file an older version left");
        }
    }
}
