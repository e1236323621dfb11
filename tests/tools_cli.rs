//! Finding the person's tools: a window started from the desktop menu lacks the terminal's
//! `PATH`, so `mix` installed through a version manager is found through the login shell's
//! profile; `tools_path` overrides both; a login shell that hangs is stopped and nothing
//! waits on it. Real `bash` with a real profile in a scratch home, Debian's real `mix` and
//! `elixir` linked into a folder only that profile puts on `PATH`, the `codemyspec` binary
//! started with a `PATH` that lacks them. Runs under `tests/with-session.sh` (doctor asks
//! the OS keyring about the token).

use codemyspec_tests::cli_bin;
use serde_json::Value;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output};

/// A scratch home whose `~/.bash_profile` puts `~/.elixir/bin` (links to Debian's `mix`
/// and `elixir`) first on `PATH`, as asdf's or mise's lines do; a data dir with a profile.
struct Machine {
    home: tempfile::TempDir,
    data: tempfile::TempDir,
}

impl Machine {
    fn new(profile: &str) -> Machine {
        let home = tempfile::tempdir().unwrap();
        let bin = home.path().join(".elixir/bin");
        std::fs::create_dir_all(&bin).unwrap();
        for tool in ["mix", "elixir"] {
            let real = std::fs::canonicalize(Path::new("/usr/bin").join(tool)).unwrap();
            symlink(real, bin.join(tool)).unwrap();
        }
        std::fs::write(home.path().join(".bash_profile"), profile).unwrap();
        let m = Machine { home, data: tempfile::tempdir().unwrap() };
        let made = m.run(
            "/bin/bash",
            &["account", "create", "--email", "ada@example.com"],
            "a long password\n",
        );
        assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
        m
    }

    /// `codemyspec --json ARGS` as the desktop menu starts a program: `PATH` without the
    /// person's tools (only a folder holding neither mix nor elixir), `SHELL` and `HOME` set.
    fn run(&self, shell: &str, args: &[&str], stdin: &str) -> Output {
        use std::io::Write;
        let bare = self.home.path().join("menu-path");
        std::fs::create_dir_all(&bare).unwrap();
        let mut child = Command::new(cli_bin())
            .arg("--json")
            .args(args)
            .env("CODEMYSPEC_DATA_DIR", self.data.path())
            .env_remove("CODEMYSPEC_AS")
            .env("HOME", self.home.path())
            .env("SHELL", shell)
            .env("PATH", &bare)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn codemyspec");
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }

    /// `doctor`'s checks by name (it exits non-zero when a check fails; the table is printed).
    fn doctor(&self, shell: &str) -> Value {
        let out = self.run(shell, &["doctor"], "");
        let checks: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("doctor printed no JSON ({e}): {}", String::from_utf8_lossy(&out.stderr))
        });
        let mut by_name = serde_json::Map::new();
        for c in checks.as_array().unwrap() {
            by_name.insert(c["name"].as_str().unwrap().to_owned(), c.clone());
        }
        Value::Object(by_name)
    }
}

const PROFILE: &str = "echo 'welcome to this machine'\nexport PATH=\"$HOME/.elixir/bin:$PATH\"\n";

#[test]
fn mix_reachable_only_through_the_login_shells_profile_is_found_and_said_to_come_from_it() {
    let m = Machine::new(PROFILE);
    let checks = m.doctor("/bin/bash");
    let mix = &checks["program mix"];
    let at = m.home.path().join(".elixir/bin/mix");
    assert_eq!(mix["ok"], true, "{checks:#}");
    assert_eq!(mix["detail"], format!("{} (from login shell)", at.display()), "{checks:#}");
    assert_eq!(
        checks["Elixir and Erlang/OTP"]["ok"], true,
        "elixir ran with that PATH: {checks:#}"
    );
}

#[test]
fn tools_path_overrides_path_and_the_login_shell() {
    let m = Machine::new(PROFILE);
    let chosen = m.home.path().join("chosen");
    std::fs::create_dir_all(&chosen).unwrap();
    symlink(std::fs::canonicalize("/usr/bin/mix").unwrap(), chosen.join("mix")).unwrap();
    let set = m.run("/bin/bash", &["config", "set", "tools_path", chosen.to_str().unwrap()], "");
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));

    let checks = m.doctor("/bin/bash");
    let detail = checks["program mix"]["detail"].as_str().unwrap().to_owned();
    assert_eq!(detail, format!("{} (from tools_path)", chosen.join("mix").display()));
    // The login shell is not asked: elixir, only on its PATH, is not found.
    assert_eq!(checks["program elixir"]["ok"], false, "{checks:#}");

    let refused = m.run("/bin/bash", &["config", "set", "tools_path", "relative/bin"], "");
    assert_eq!(refused.status.code(), Some(3), "invalid input");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not an absolute path"));
    let kept = m.run("/bin/bash", &["config", "list"], "");
    assert!(String::from_utf8_lossy(&kept.stdout).contains(chosen.to_str().unwrap()));
}

/// Processes whose command line holds `marker`.
fn running_with(marker: &str) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| {
            std::fs::read(e.path().join("cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(marker))
        })
        .count()
}

#[test]
fn a_login_shell_that_hangs_is_stopped_and_doctor_still_answers() {
    let m = Machine::new(PROFILE);
    // A "shell" whose profile never returns, with a child of its own (a fork: the same
    // command line, so both are found by the script's own path).
    let shell = m.home.path().join("hanging-shell");
    std::fs::write(
        &shell,
        "#!/bin/sh\n(while :; do /bin/sleep 1; done) &\nwhile :; do /bin/sleep 1; done\n",
    )
    .unwrap();
    std::fs::set_permissions(&shell, std::fs::Permissions::from_mode(0o755)).unwrap();
    let marker = shell.display().to_string();

    let checks = m.doctor(shell.to_str().unwrap());
    assert_eq!(checks["program mix"]["ok"], false, "{checks:#}");
    assert!(
        checks["program mix"]["detail"].as_str().unwrap().contains("tools_path"),
        "says how to point at it: {checks:#}"
    );
    assert_eq!(running_with(&marker), 0, "the hanging shell and its child were stopped");
}
