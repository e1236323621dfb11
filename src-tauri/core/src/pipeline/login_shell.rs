//! The login shell's `PATH`, read once per process. A window started from the desktop menu
//! does not have the terminal's `PATH`, so tools installed with asdf, mise, kiex, nix or
//! Homebrew (whose profiles extend `PATH` in `~/.profile`, `~/.bashrc`, `~/.zshrc`, …) are not
//! found. As editors do, the person's `$SHELL` is run as an interactive login shell that
//! prints `PATH` between two markers; whatever the profile prints around them is ignored, and
//! a shell that hangs is killed after a short timeout (the caller then goes on without it).

use std::ffi::OsString;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncReadExt;

/// How long the login shell may take: long enough for a slow profile (nvm, conda), short
/// enough that a shell waiting for input does not hold a setup up for long.
pub const TIMEOUT: Duration = Duration::from_secs(5);

const BEGIN: &str = "_CODEMYSPEC_PATH_BEGIN_";
const END: &str = "_CODEMYSPEC_PATH_END_";

/// What the shell runs: `PATH` between the markers (sh, bash, zsh, fish and csh all read it).
fn script() -> String {
    format!("printf '\\n%s%s%s\\n' '{BEGIN}' \"$PATH\" '{END}'")
}

/// Why the login shell's `PATH` could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginShellError {
    #[error("no login shell: SHELL is not set")]
    NoShell,
    #[error("{shell} could not be started: {reason}")]
    Start { shell: String, reason: String },
    #[error("{shell} did not print its PATH within {secs} s; it was stopped")]
    TimedOut { shell: String, secs: u64 },
    #[error("{shell} ended without printing its PATH")]
    NoPath { shell: String },
}

/// The text between the last pair of markers in `output`: the shell's `PATH`.
pub fn parse(output: &str) -> Option<String> {
    let start = output.rfind(BEGIN)? + BEGIN.len();
    let len = output[start..].find(END)?;
    let path = output[start..start + len].trim();
    (!path.is_empty()).then(|| path.to_owned())
}

/// Runs `shell -l -i -c …` with `env` added to this process's environment and returns the
/// `PATH` it printed. Stdin is closed; the shell runs in a session of its own where
/// `setsid` exists (an interactive shell must not take the terminal `codemyspec` runs in),
/// else in a process group of its own; either way the whole group is killed when it is done
/// or out of time, so nothing the profile started outlives the read.
pub async fn read_path(
    shell: &Path,
    env: &[(&str, &OsString)],
    timeout: Duration,
) -> Result<String, LoginShellError> {
    let name = shell.display().to_string();
    let setsid =
        ["/usr/bin/setsid", "/bin/setsid"].into_iter().map(Path::new).find(|p| p.is_file());
    let mut command = match setsid {
        Some(setsid) => {
            let mut c = tokio::process::Command::new(setsid);
            c.arg(shell);
            c
        }
        None => {
            let mut c = tokio::process::Command::new(shell);
            c.process_group(0);
            c
        }
    };
    command
        .args(["-l", "-i", "-c", &script()])
        .envs(env.iter().map(|(k, v)| (*k, *v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let mut child = command
        .spawn()
        .map_err(|e| LoginShellError::Start { shell: name.clone(), reason: e.to_string() })?;
    let pid = child.id();
    let mut stdout = child.stdout.take();
    // Reads until the closing marker: a daemon the profile started may keep the pipe open.
    let read = async {
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        while let Some(out) = stdout.as_mut() {
            match out.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    seen.extend_from_slice(&buf[..n]);
                    if let Some(path) = parse(&String::from_utf8_lossy(&seen)) {
                        return Some(path);
                    }
                }
            }
        }
        None
    };
    let found = tokio::time::timeout(timeout, read).await;
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        // The shell is its group's leader (setsid or process_group(0)).
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    let _ = child.wait().await;
    match found {
        Ok(Some(path)) => Ok(path),
        Ok(None) => Err(LoginShellError::NoPath { shell: name }),
        Err(_) => Err(LoginShellError::TimedOut { shell: name, secs: timeout.as_secs() }),
    }
}

static LOGIN_PATH: tokio::sync::OnceCell<Option<OsString>> = tokio::sync::OnceCell::const_new();

/// `$SHELL`'s login `PATH`, read at most once per process (later calls get the first answer,
/// even one that failed: a broken profile costs one timeout, not one per setup).
pub async fn path_once() -> Option<OsString> {
    LOGIN_PATH
        .get_or_init(|| async {
            let Some(shell) = std::env::var_os("SHELL").filter(|s| !s.is_empty()) else {
                tracing::info!("{}", LoginShellError::NoShell);
                return None;
            };
            match read_path(Path::new(&shell), &[], TIMEOUT).await {
                Ok(path) => {
                    tracing::info!(%path, "the login shell's PATH");
                    Some(OsString::from(path))
                }
                Err(e) => {
                    tracing::warn!("{e}");
                    None
                }
            }
        })
        .await
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_between_the_markers_is_read_and_profile_noise_is_not() {
        let out = format!(
            "Welcome back!\n{BEGIN}not this{END}\nnvm: using 20\n\n{BEGIN}/home/a/.asdf/shims:/usr/bin{END}\nbye\n"
        );
        assert_eq!(parse(&out).as_deref(), Some("/home/a/.asdf/shims:/usr/bin"));
        assert_eq!(parse(&format!("{BEGIN}/usr/bin")), None, "no closing marker yet");
        assert_eq!(parse(&format!("{BEGIN}{END}")), None, "an empty PATH is none");
        assert_eq!(parse("PATH=/usr/bin"), None);
    }
}
