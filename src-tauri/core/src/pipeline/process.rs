//! Running one step's program: an argument vector (never a shell), stdin closed, in its own
//! process group, with a timeout. Output is read line by line as it comes, a long line cut
//! while it is read ([`super::lines`]). When the step ends — by itself, by timeout or by
//! cancellation — the whole group is killed, so no process it started outlives it.

use super::lines::read_lines;
use super::logs::{LogSink, Stream};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::BufReader;
use tokio::process::Command;
use tokio_util::sync::CancellationToken;

/// The only variables of the app's environment a step gets (docs/PIPELINE.md): what mix,
/// hex, Erlang and a compiler need to find themselves, the locale, the proxy. Not the
/// session's secrets: no SSH agent, no D-Bus session (so no keyring), no tokens.
pub const STEP_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "TMPDIR",
    "TERM",
    "MIX_HOME",
    "MIX_ARCHIVES",
    "MIX_REBAR3",
    "HEX_HOME",
    "HEX_MIRROR",
    "HEX_CDN",
    "HEX_CACERTS_PATH",
    "HEX_OFFLINE",
    "HEX_HTTP_TIMEOUT",
    // Postgrex's default port when the app's config names none (phx.new's dev and test
    // configs do not): a PostgreSQL on another port than 5432.
    "PGPORT",
    "ERL_AFLAGS",
    "ERL_FLAGS",
    "ELIXIR_ERL_OPTIONS",
    "ASDF_DIR",
    "ASDF_DATA_DIR",
    "MISE_DATA_DIR",
    "KERL_BASE_DIR",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "CC",
    "CXX",
    "PKG_CONFIG_PATH",
    // Windows: where the system and the user's profile are.
    "SystemRoot",
    "SYSTEMROOT",
    "windir",
    "COMSPEC",
    "PATHEXT",
    "TEMP",
    "TMP",
    "USERPROFILE",
    "APPDATA",
    "LOCALAPPDATA",
    "ProgramData",
    "ProgramFiles",
];

/// A step's whole environment: the [`STEP_ENV`] variables the app has, then `overrides`.
pub fn step_environment(
    overrides: Vec<(String, std::ffi::OsString)>,
) -> Vec<(String, std::ffi::OsString)> {
    let mut env: Vec<(String, std::ffi::OsString)> = STEP_ENV
        .iter()
        .filter(|k| !overrides.iter().any(|(o, _)| o == *k))
        .filter_map(|k| std::env::var_os(k).map(|v| ((*k).to_owned(), v)))
        .collect();
    env.extend(overrides);
    env
}

/// How much of a pipe is read at once: Linux's default pipe size.
const PIPE: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub struct StepCommand {
    pub program: String,
    pub args: Vec<String>,
    pub dir: PathBuf,
    pub timeout: Duration,
    /// The step's whole environment (nothing is inherited): see [`step_environment`].
    pub env: Vec<(String, std::ffi::OsString)>,
}

impl StepCommand {
    /// The command as a person reads it (arguments quoted when they need it).
    pub fn display(&self) -> String {
        std::iter::once(&self.program)
            .chain(&self.args)
            .map(|a| {
                if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == '"') {
                    format!("{a:?}")
                } else {
                    a.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[derive(Debug)]
pub enum StepEnd {
    Exited(i32),
    /// Killed by a signal it did not get from us.
    Signalled,
    TimedOut,
    Cancelled,
    /// The program could not be started (not installed, not executable).
    SpawnFailed(std::io::Error),
}

/// Runs the command to its end, feeding `sink` with its output. `on_spawn` gets the
/// process group id as soon as the process exists (the runner records it so that a
/// restarted app can kill a group left behind by a crash).
pub async fn run(
    cmd: &StepCommand,
    cancel: &CancellationToken,
    sink: &mut LogSink,
    on_spawn: impl FnOnce(u32),
) -> StepEnd {
    let mut command = Command::new(&cmd.program);
    command
        .args(&cmd.args)
        .current_dir(&cmd.dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .env_clear();
    for (key, value) in &cmd.env {
        command.env(key, value);
    }
    #[cfg(unix)]
    command.process_group(0);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return StepEnd::SpawnFailed(e),
    };
    let pgid = child.id().unwrap_or(0);
    on_spawn(pgid);
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(Stream, String)>(1024);
    if let Some(out) = child.stdout.take() {
        tokio::spawn(read_lines(BufReader::with_capacity(PIPE, out), Stream::Stdout, tx.clone()));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(read_lines(BufReader::with_capacity(PIPE, err), Stream::Stderr, tx.clone()));
    }
    drop(tx);

    let deadline = tokio::time::sleep(cmd.timeout);
    tokio::pin!(deadline);
    let mut flush = tokio::time::interval(Duration::from_millis(100));
    let mut streams_open = true;
    let end = loop {
        tokio::select! {
            line = rx.recv(), if streams_open => match line {
                Some((stream, text)) => sink.push(stream, text),
                None => streams_open = false,
            },
            status = child.wait() => {
                break match status {
                    Ok(s) => s.code().map(StepEnd::Exited).unwrap_or(StepEnd::Signalled),
                    Err(_) => StepEnd::Signalled,
                };
            }
            _ = &mut deadline => break StepEnd::TimedOut,
            _ = cancel.cancelled() => break StepEnd::Cancelled,
            _ = flush.tick() => sink.flush().await,
        }
    };
    kill_group(pgid);
    let _ = child.wait().await;
    // What was printed before the end is still in the pipe; children are dead, so the
    // readers reach EOF promptly.
    let drain = async {
        while let Some((stream, text)) = rx.recv().await {
            sink.push(stream, text);
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
    sink.flush().await;
    end
}

/// Kills every process of the group (SIGKILL). A group that is already gone is fine.
pub fn kill_group(pgid: u32) {
    #[cfg(unix)]
    if pgid > 0 {
        if let Ok(pid) = i32::try_from(pgid) {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
    }
}

/// What tells a process apart from a later one that the OS gave the same id: the boot it
/// runs in and its start time (`<boot id>:<start ticks>`). `None` when the process is gone
/// or the OS does not tell (then a recorded group is never killed by a rescue).
pub fn identity(pid: u32) -> Option<String> {
    #[cfg(target_os = "linux")]
    {
        let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the command name (which may hold spaces and parentheses) start at
        // field 3; the start time is field 22.
        let start = stat.rsplit_once(')')?.1.split_whitespace().nth(19)?;
        Some(format!("{}:{start}", boot.trim()))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        None
    }
}

/// Kills the group `pgid` only if its leader is still the process recorded as `identity`
/// (same boot, same start time): after a reboot or a wrap-around the id can belong to any
/// program of the user's. Returns whether it killed.
pub fn kill_group_if_ours(pgid: u32, recorded: &str) -> bool {
    if pgid > 0 && identity(pgid).as_deref() == Some(recorded) {
        kill_group(pgid);
        true
    } else {
        false
    }
}

/// Whether any process of the group is still alive.
pub fn group_alive(pgid: u32) -> bool {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(pgid) {
        return pgid > 0 && nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pid), None).is_ok();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{Broadcaster, JobEvent};
    use crate::jobs::{self, Fields, NewJob};
    use crate::store::Store;
    use std::time::Instant;

    #[tokio::test]
    async fn output_reaches_subscribers_while_the_step_runs() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let new = NewJob {
            queue: "q".into(),
            worker: "w".into(),
            args: Fields::new(),
            priority: 0,
            max_attempts: 1,
            scheduled_at: None,
            unique: None,
        };
        let job = jobs::insert(&store, new).await.unwrap().job;
        let events = Broadcaster::new();
        let mut sub = events.subscribe_to_jobs();
        let mut sink = LogSink::new(&store, &events, job.id, 1, 1);
        let cmd = StepCommand {
            program: "sh".into(),
            args: vec!["-c".into(), "echo one; sleep 1; echo two; sleep 1; echo three".into()],
            dir: dir.path().to_owned(),
            timeout: Duration::from_secs(30),
            env: Vec::new(),
        };
        let started = Instant::now();
        let watcher = tokio::spawn(async move {
            let mut seen = Vec::new();
            while let Ok(event) = sub.recv().await {
                if let JobEvent::Log { lines, .. } = event {
                    for l in lines {
                        seen.push((l.line, started.elapsed()));
                    }
                }
                if seen.len() == 3 {
                    break;
                }
            }
            seen
        });
        let end = run(&cmd, &CancellationToken::new(), &mut sink, |_| {}).await;
        assert!(matches!(end, StepEnd::Exited(0)), "{end:?}");
        sink.finish().await;
        let seen = tokio::time::timeout(Duration::from_secs(5), watcher).await.unwrap().unwrap();
        let lines: Vec<&str> = seen.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(lines, ["one", "two", "three"]);
        assert!(
            seen[0].1 < Duration::from_millis(900),
            "the first line came live, at {:?}",
            seen[0].1
        );
        assert!(
            seen[1].1 < Duration::from_millis(1900),
            "the second line came live, at {:?}",
            seen[1].1
        );
    }
}
