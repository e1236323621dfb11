//! Setups through the `codemyspec` binary: `setup --wait` against a token-demanding git
//! server, a worker killed mid-step and its successor, failures, the keyring's absence.
//! Runs under `tests/with-session.sh` (D-Bus + gnome-keyring), as `make test` does.

use codemyspec_tests::{cli_bin, codemyspec, json_of, GitServer};
use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn profile(dir: &Path) {
    json_of(&codemyspec(
        dir,
        &["account", "create", "--email", "ada@example.com"],
        "a long password\n",
    ));
}

fn recipe(dir: &Path, text: &str) {
    std::fs::create_dir_all(dir.join("recipes")).unwrap();
    std::fs::write(dir.join("recipes/elixir.toml"), text).unwrap();
}

fn job(dir: &Path, id: i64) -> Value {
    json_of(&codemyspec(dir, &["jobs", "show", &id.to_string()], ""))
}

fn wait_until(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(started.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn group_alive(pgid: i32) -> bool {
    nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pgid), None).is_ok()
}

fn worker(dir: &Path) -> Child {
    Command::new(cli_bin())
        .arg("worker")
        .env("CODEMYSPEC_DATA_DIR", dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start a worker")
}

#[test]
fn setup_wait_shows_each_step_and_lands_in_the_repositories() {
    let git = GitServer::start();
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path());
    let token = codemyspec(
        dir.path(),
        &["token", "set", "--host", &git.host()],
        &format!("{}\n", git.token),
    );
    assert!(token.status.success(), "token set: {}", String::from_utf8_lossy(&token.stderr));
    let (code, docs) = (git.repo("acme", "cli_app"), git.repo("acme", "cli_app_docs"));
    json_of(&codemyspec(
        dir.path(),
        &[
            "project",
            "create",
            "cli_app",
            "--framework",
            "elixir",
            "--code-repo",
            &code,
            "--docs-repo",
            &docs,
        ],
        "",
    ));

    let out = Command::new(cli_bin())
        .args(["setup", "cli_app", "--wait"])
        .env("CODEMYSPEC_DATA_DIR", dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "setup failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for step in ["initializing", "deps_installing", "compiling", "testing", "committing"] {
        assert!(
            stdout.lines().any(|l| l.starts_with('✓') && l.contains(step)),
            "{step} in:\n{stdout}"
        );
    }
    assert!(stdout.contains("cli_app is ready (stage initialized)"), "{stdout}");
    assert!(git.files("acme", "cli_app").contains(&"mix.exs".to_owned()));
    assert!(git.files("acme", "cli_app_docs").contains(&"README.md".to_owned()));
    let status = codemyspec(dir.path(), &["token", "status", "--host", &git.host()], "");
    assert!(String::from_utf8_lossy(&status.stdout).contains("is set"));
    assert!(!String::from_utf8_lossy(&status.stdout).contains(&git.token), "never shown");
    codemyspec(dir.path(), &["token", "delete", "--host", &git.host()], "");
}

#[test]
fn a_failed_setup_exits_non_zero_with_the_failing_steps_last_lines() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path());
    recipe(
        dir.path(),
        "name = \"fails\"\n[[steps]]\nstatus = \"testing\"\nprogram = \"sh\"\n\
         args = [\"-c\", \"echo 1 test, 1 failure; echo the assertion was false >&2; exit 2\"]\n\
         timeout_secs = 30\non_failure = \"step\"\n",
    );
    json_of(&codemyspec(
        dir.path(),
        &["project", "create", "failing", "--framework", "elixir"],
        "",
    ));
    let out = Command::new(cli_bin())
        .args(["setup", "failing", "--wait"])
        .env("CODEMYSPEC_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.lines().any(|l| l.starts_with('✗') && l.contains("testing") && l.contains("exit 2")),
        "{stdout}"
    );
    assert!(stderr.contains("the assertion was false"), "the failing step's last lines: {stderr}");
    let project = json_of(&codemyspec(dir.path(), &["project", "show", "failing"], ""));
    assert_eq!(
        (project["setup_status"].as_str(), project["stage"].as_str()),
        (Some("failed"), Some("error"))
    );
}

#[test]
fn a_killed_worker_leaves_a_job_that_the_next_worker_rescues_and_completes() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path());
    recipe(
        dir.path(),
        "name = \"slow\"\n[[steps]]\nstatus = \"compiling\"\nprogram = \"sleep\"\nargs = [\"3\"]\ntimeout_secs = 60\non_failure = \"step\"\n",
    );
    json_of(&codemyspec(
        dir.path(),
        &["project", "create", "slow_app", "--framework", "elixir"],
        "",
    ));
    let mut first = worker(dir.path());
    let queued = json_of(&codemyspec(dir.path(), &["setup", "slow_app"], ""));
    let id = queued["job"]["id"].as_i64().unwrap();
    let mut pgid = 0;
    wait_until("the step to start", Duration::from_secs(30), || {
        pgid = job(dir.path(), id)["job"]["meta"]["pgid"]
            .as_str()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        pgid > 0
    });
    first.kill().unwrap(); // SIGKILL: no chance to clean up
    first.wait().unwrap();
    assert_eq!(job(dir.path(), id)["job"]["state"], "executing", "left behind");
    assert!(group_alive(pgid), "the step outlived its worker");

    // While nobody runs the queue, a second worker takes the lock and rescues the job.
    let mut second = worker(dir.path());
    wait_until("the rescued job to complete", Duration::from_secs(60), || {
        job(dir.path(), id)["job"]["state"] == "completed"
    });
    let done = job(dir.path(), id);
    assert_eq!(done["job"]["attempt"], 2);
    assert_eq!(done["job"]["errors"][0]["class"], "orphaned");
    assert!(!group_alive(pgid), "the orphaned step's group was killed");
    let project = json_of(&codemyspec(dir.path(), &["project", "show", "slow_app"], ""));
    assert_eq!(project["setup_status"], "ready");

    // Only one process runs a data dir's jobs.
    let third = codemyspec(dir.path(), &["worker"], "");
    assert_eq!(third.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&third.stderr).contains("another process"),
        "{}",
        String::from_utf8_lossy(&third.stderr)
    );
    Command::new("kill").args(["-TERM", &second.id().to_string()]).status().unwrap();
    assert!(second.wait().unwrap().success(), "SIGTERM stops the worker cleanly");
}

#[test]
fn the_jobs_commands_list_pause_cancel_retry_and_prune() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path());
    recipe(dir.path(), "name = \"quick\"\n[[steps]]\nstatus = \"compiling\"\nprogram = \"true\"\ntimeout_secs = 5\non_failure = \"step\"\n");
    json_of(&codemyspec(
        dir.path(),
        &["project", "create", "queued_app", "--framework", "elixir"],
        "",
    ));
    json_of(&codemyspec(dir.path(), &["jobs", "pause"], ""));
    let queued = json_of(&codemyspec(dir.path(), &["setup", "queued_app"], ""));
    let id = queued["job"]["id"].as_i64().unwrap().to_string();
    let again = json_of(&codemyspec(dir.path(), &["setup", "queued_app"], ""));
    assert_eq!(
        (again["conflict"].as_bool(), again["job"]["id"].as_i64()),
        (Some(true), queued["job"]["id"].as_i64())
    );
    let list = json_of(&codemyspec(dir.path(), &["jobs", "list", "--state", "available"], ""));
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    let counts = json_of(&codemyspec(dir.path(), &["jobs", "counts"], ""));
    assert_eq!(
        (counts["counts"]["available"].as_i64(), counts["queues"][0]["paused"].as_bool()),
        (Some(1), Some(true))
    );
    let cancelled = json_of(&codemyspec(dir.path(), &["jobs", "cancel", &id], ""));
    assert_eq!(cancelled["state"], "cancelled");
    let again = codemyspec(dir.path(), &["jobs", "cancel", &id], "");
    assert_eq!(again.status.code(), Some(5), "already completed is a conflict-class exit");
    let retried = json_of(&codemyspec(dir.path(), &["jobs", "retry", &id], ""));
    assert_eq!(retried["state"], "available");
    json_of(&codemyspec(dir.path(), &["jobs", "resume"], ""));
    let mut w = worker(dir.path());
    wait_until("the job to run", Duration::from_secs(30), || {
        job(dir.path(), id.parse().unwrap())["job"]["state"] == "completed"
    });
    w.kill().unwrap();
    let _ = w.wait();
    let pruned = json_of(&codemyspec(dir.path(), &["jobs", "prune", "--older-than-days", "0"], ""));
    assert_eq!(pruned["message"], "pruned 1 finished jobs");
    let bad = codemyspec(dir.path(), &["jobs", "list", "--state", "sleeping"], "");
    assert_eq!(bad.status.code(), Some(3));
}

#[test]
fn without_a_keyring_a_token_is_refused_and_stored_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = tempfile::tempdir().unwrap();
    profile(dir.path());
    let out = Command::new(cli_bin())
        .args(["--json", "token", "set"])
        .env("CODEMYSPEC_DATA_DIR", dir.path())
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("XDG_RUNTIME_DIR", runtime.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(b"ghp_secret_value\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err: Value = serde_json::from_slice(&out.stderr).expect("a JSON error");
    assert_eq!(err["error"]["code"], "unavailable");
    assert!(err["error"]["message"].as_str().unwrap_or_default().contains("keyring"), "{err}");
    // Nothing in the data dir holds it.
    for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
        if entry.path().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains("ghp_secret_value"),
                "{:?}",
                entry.path()
            );
        }
    }
}
