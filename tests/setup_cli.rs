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
    // Set-up projects land in the test's own folder, not the user's home.
    let workspace = dir.join("workspace").display().to_string();
    json_of(&codemyspec(dir, &["config", "set", "workspace_dir", &workspace], ""));
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
    codemyspec_tests::group_running(pgid)
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
        .args(["setup", "cli_app", "--wait", "-vv"])
        .env("CODEMYSPEC_DATA_DIR", dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // -vv logs the run on stderr: what happened, never the token or the password.
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("DEBUG") || log.contains("INFO"), "the run is logged: {log}");
    assert!(!log.contains(&git.token), "the token is in the log");
    assert!(!log.contains("a long password"), "the password is in the log");
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
    let setups = counts["queues"].as_array().unwrap().iter().find(|q| q["name"] == "project_setup");
    assert_eq!(
        (counts["counts"]["available"].as_i64(), setups.and_then(|q| q["paused"].as_bool())),
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

/// A recipe whose one step runs until it is stopped, in a process group of two sleepers.
const SLOW: &str = "name = \"slow\"\n[[steps]]\nstatus = \"compiling\"\nprogram = \"sh\"\n\
    args = [\"-c\", \"sleep 300 & sleep 300 & wait\"]\ntimeout_secs = 600\non_failure = \"step\"\n";

/// Waits for the job's running step to record a process group other than `previous`.
fn step_group(dir: &Path, id: i64, previous: i32) -> i32 {
    let mut pgid = 0;
    wait_until("the step to start", Duration::from_secs(30), || {
        let job = job(dir, id);
        pgid = job["job"]["meta"]["pgid"].as_str().and_then(|p| p.parse().ok()).unwrap_or(0);
        job["job"]["state"] == "executing" && pgid > 0 && pgid != previous
    });
    pgid
}

fn signal(child: &Child, name: &str) {
    assert!(Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap()
        .success());
}

fn project_json(dir: &Path, name: &str) -> Value {
    json_of(&codemyspec(dir, &["project", "show", name], ""))
}

/// Starts a worker, waits for it to run the job's step, and SIGKILLs it: returns the group
/// its step ran in (left running: nobody cleaned up).
fn kill_worker_mid_step(dir: &Path, id: i64, previous: i32) -> i32 {
    let mut w = worker(dir);
    let pgid = step_group(dir, id, previous);
    w.kill().unwrap();
    w.wait().unwrap();
    pgid
}

#[test]
fn a_setup_killed_in_every_attempt_ends_failed_with_a_way_out_and_is_retried_to_ready() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path());
    recipe(dir.path(), SLOW);
    json_of(&codemyspec(dir.path(), &["project", "create", "wedged", "--framework", "elixir"], ""));
    let id =
        json_of(&codemyspec(dir.path(), &["setup", "wedged"], ""))["job"]["id"].as_i64().unwrap();
    let mut groups = Vec::new();
    let mut previous = 0;
    for _ in 0..3 {
        previous = kill_worker_mid_step(dir.path(), id, previous);
        groups.push(previous);
    }
    // The next worker rescues the third attempt: out of attempts, the job is discarded and
    // the project must not stay "compiling" with nothing to finish it.
    let mut w = worker(dir.path());
    wait_until("the project to show the failure", Duration::from_secs(30), || {
        project_json(dir.path(), "wedged")["setup_status"] == "failed"
    });
    let project = project_json(dir.path(), "wedged");
    assert_eq!(project["stage"], "error");
    let error = project["setup_error"].as_str().unwrap_or_default();
    assert!(
        error.contains("interrupted in its last attempt") && error.contains("retry"),
        "{error}"
    );
    let done = job(dir.path(), id);
    assert_eq!(done["job"]["state"], "discarded");
    assert_eq!(done["job"]["errors"].as_array().map(Vec::len), Some(3));
    for pgid in &groups {
        assert!(!group_alive(*pgid), "the killed workers' steps ({pgid}) were stopped");
    }

    // The way out: retry runs it again (a quick step now).
    recipe(dir.path(), "name = \"quick\"\n[[steps]]\nstatus = \"compiling\"\nprogram = \"true\"\ntimeout_secs = 5\non_failure = \"step\"\n");
    let retried = json_of(&codemyspec(dir.path(), &["jobs", "retry", &id.to_string()], ""));
    assert_eq!(retried["state"], "available");
    wait_until("the retried setup to finish", Duration::from_secs(30), || {
        project_json(dir.path(), "wedged")["setup_status"] == "ready"
    });
    signal(&w, "TERM");
    assert!(w.wait().unwrap().success());
}

#[test]
fn quitting_the_worker_during_the_last_attempt_gives_the_attempt_back_and_the_next_run_finishes() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path());
    recipe(dir.path(), SLOW);
    json_of(&codemyspec(
        dir.path(),
        &["project", "create", "quitter", "--framework", "elixir"],
        "",
    ));
    let id =
        json_of(&codemyspec(dir.path(), &["setup", "quitter"], ""))["job"]["id"].as_i64().unwrap();
    let mut previous = 0;
    for _ in 0..2 {
        previous = kill_worker_mid_step(dir.path(), id, previous);
    }
    for quit in ["TERM", "HUP", "INT"] {
        let mut w = worker(dir.path());
        let pgid = step_group(dir.path(), id, previous);
        previous = pgid;
        signal(&w, quit);
        assert!(w.wait().unwrap().success(), "SIG{quit} stops the worker cleanly");
        assert!(!group_alive(pgid), "SIG{quit}: the step's process group is gone");
        let j = job(dir.path(), id);
        assert_eq!(j["job"]["state"], "retryable", "SIG{quit}: waiting, not executing");
        assert_eq!(j["job"]["errors"].as_array().unwrap().last().unwrap()["class"], "interrupted");
        let (attempt, max) =
            (j["job"]["attempt"].as_i64().unwrap(), j["job"]["max_attempts"].as_i64().unwrap());
        assert!(attempt < max, "SIG{quit}: an attempt remains ({attempt}/{max})");
        let project = project_json(dir.path(), "quitter");
        assert_eq!(project["setup_status"], "setup_queued", "SIG{quit}");
        let steps = j["steps"].as_array().unwrap();
        assert_eq!(steps.last().unwrap()["outcome"], "interrupted", "SIG{quit}: {steps:?}");
    }
    recipe(dir.path(), "name = \"quick\"\n[[steps]]\nstatus = \"compiling\"\nprogram = \"true\"\ntimeout_secs = 5\non_failure = \"step\"\n");
    let mut w = worker(dir.path());
    wait_until("the setup to finish", Duration::from_secs(30), || {
        project_json(dir.path(), "quitter")["setup_status"] == "ready"
    });
    signal(&w, "TERM");
    assert!(w.wait().unwrap().success());
}

#[test]
fn stopping_setup_wait_with_a_signal_leaves_no_process_and_a_job_that_resumes() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path());
    recipe(dir.path(), SLOW);
    for (n, quit) in ["TERM", "HUP", "INT"].into_iter().enumerate() {
        let name = format!("waited_{n}");
        json_of(&codemyspec(
            dir.path(),
            &["project", "create", &name, "--framework", "elixir"],
            "",
        ));
        let waiting = Command::new(cli_bin())
            .args(["setup", &name, "--wait"])
            .env("CODEMYSPEC_DATA_DIR", dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut id = 0;
        wait_until("the job to exist", Duration::from_secs(30), || {
            let list = json_of(&codemyspec(dir.path(), &["jobs", "list", "--project", &name], ""));
            id = list[0]["id"].as_i64().unwrap_or(0);
            id > 0
        });
        let pgid = step_group(dir.path(), id, 0);
        signal(&waiting, quit);
        let out = waiting.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "SIG{quit}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("SIG{quit}")) && stderr.contains("codemyspec worker"),
            "{stderr}"
        );
        assert!(!group_alive(pgid), "SIG{quit}: no step process is left behind");
        let j = job(dir.path(), id);
        assert_eq!(j["job"]["state"], "retryable", "SIG{quit}");
        assert_eq!(j["job"]["errors"][0]["class"], "interrupted");
        assert_eq!(project_json(dir.path(), &name)["setup_status"], "setup_queued");
        json_of(&codemyspec(dir.path(), &["jobs", "cancel", &id.to_string()], ""));
    }
}

#[test]
fn cancel_then_retry_from_another_process_never_runs_the_step_twice_at_once() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path());
    recipe(dir.path(), SLOW);
    json_of(&codemyspec(dir.path(), &["jobs", "concurrency", "2"], ""));
    json_of(&codemyspec(dir.path(), &["project", "create", "twice", "--framework", "elixir"], ""));
    let mut w = worker(dir.path());
    let id =
        json_of(&codemyspec(dir.path(), &["setup", "twice"], ""))["job"]["id"].as_i64().unwrap();
    let first = step_group(dir.path(), id, 0);
    // Both before the worker's next poll.
    json_of(&codemyspec(dir.path(), &["jobs", "cancel", &id.to_string()], ""));
    json_of(&codemyspec(dir.path(), &["jobs", "retry", &id.to_string()], ""));
    let second = step_group(dir.path(), id, first);
    assert!(!group_alive(first), "the cancelled attempt's step was stopped before the retry ran");
    let j = job(dir.path(), id);
    assert_eq!(j["job"]["attempt"], 2);
    let outcomes: Vec<&str> =
        j["steps"].as_array().unwrap().iter().filter_map(|s| s["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["cancelled"], "attempt 1 cancelled, attempt 2 running");
    json_of(&codemyspec(dir.path(), &["jobs", "cancel", &id.to_string()], ""));
    wait_until("the second attempt to stop", Duration::from_secs(30), || !group_alive(second));
    signal(&w, "TERM");
    assert!(w.wait().unwrap().success());
}

#[test]
fn doctor_names_the_elixir_and_otp_versions_and_a_generator_that_does_not_fit_them() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path());
    json_of(&codemyspec(dir.path(), &["project", "create", "phx_app"], ""));
    // A stand-in MIX_HOME with hex and Phoenix 1.8's generator, which needs Elixir 1.17.
    let mix_home = tempfile::tempdir().unwrap();
    for archive in ["hex-2.1.1", "phx_new-1.8.1"] {
        std::fs::create_dir_all(mix_home.path().join("archives").join(archive)).unwrap();
    }
    let doctor = |args: &[&str]| {
        Command::new(cli_bin())
            .args(args)
            .env("CODEMYSPEC_DATA_DIR", dir.path())
            .env("MIX_HOME", mix_home.path())
            .output()
            .unwrap()
    };
    let out = doctor(&["--json", "doctor", "phx_app"]);
    let checks: Value = serde_json::from_slice(&out.stdout).expect("the checks as JSON");
    let find = |name: &str| {
        checks
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} in {checks}"))
    };
    let versions = find("Elixir and Erlang/OTP");
    assert_eq!(versions["ok"], true);
    assert!(versions["detail"].as_str().unwrap().contains("on Erlang/OTP"), "{versions}");
    let fit = find("phx_new fits Elixir");
    // "Elixir 1.14.0 on Erlang/OTP 25": Phoenix 1.8's generator needs 1.17 or later.
    let installed = versions["detail"].as_str().unwrap();
    let minor: u32 = installed.split('.').nth(1).and_then(|m| m.parse().ok()).unwrap();
    assert_eq!(fit["ok"], minor >= 17, "{installed}: {fit}");
    if minor < 17 {
        assert!(fit["detail"].as_str().unwrap().contains("needs Elixir 1.17 or later"), "{fit}");
        assert_ne!(out.status.code(), Some(0), "doctor fails when something does not fit");
    }
    // With no project: the versions are reported too.
    let plain = doctor(&["doctor"]);
    assert!(String::from_utf8_lossy(&plain.stdout).contains("Elixir and Erlang/OTP"));
}

#[test]
fn doctor_says_which_hex_repository_does_not_answer_and_how_big_the_dependency_cache_is() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path());
    json_of(&codemyspec(dir.path(), &["project", "create", "phx_app"], ""));
    // A Hex home whose hexpm repository points where nothing listens any more.
    let hex_home = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    std::fs::write(
        hex_home.path().join("hex.config"),
        format!("{{'$repos',#{{<<\"hexpm\">> => #{{url => <<\"{url}\">>}}}}}}.\n"),
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::new(cli_bin())
            .args(args)
            .env("CODEMYSPEC_DATA_DIR", dir.path())
            .env("HEX_HOME", hex_home.path())
            .env_remove("HEX_MIRROR")
            .output()
            .unwrap()
    };
    for args in [&["--json", "doctor", "phx_app"][..], &["--json", "doctor"][..]] {
        let out = run(args);
        let checks: Value = serde_json::from_slice(&out.stdout).expect("the checks as JSON");
        let find =
            |name: &str| checks.as_array().unwrap().iter().find(|c| c["name"] == name).cloned();
        let hex = find("Hex repository").unwrap_or_else(|| panic!("{args:?}: {checks}"));
        assert_eq!(hex["ok"], false, "{hex}");
        let detail = hex["detail"].as_str().unwrap();
        assert!(
            detail.starts_with(&format!("{url} (hex.config's hexpm repository) does not answer")),
            "{detail}"
        );
        assert!(detail.contains("mix hex.repo set hexpm --url"), "{detail}");
        assert_ne!(out.status.code(), Some(0), "doctor fails when Hex cannot be reached");
        // This machine has Debian's erlang-dev (the Phoenix apps here need it).
        let nif = find("Erlang headers (erl_nif.h)").unwrap_or_else(|| panic!("{checks}"));
        assert_eq!(nif["ok"], true, "{nif}");
        let cache = find("dependency cache").unwrap_or_else(|| panic!("{checks}"));
        assert!(
            cache["detail"].as_str().unwrap().starts_with("0 entries, 0.0 MB of 2.0 GB"),
            "{cache}"
        );
    }
    // The bound is a setting; `cache show` says it, `cache clear` empties the cache.
    let set = run(&["config", "set", "dep_cache_max_mb", "10"]);
    assert_ne!(set.status.code(), Some(0), "below 64 MB is refused");
    assert!(String::from_utf8_lossy(&set.stderr).contains("64 to 1048576"));
    assert!(run(&["config", "set", "dep_cache_max_mb", "512"]).status.success());
    let shown: Value = serde_json::from_slice(&run(&["--json", "cache", "show"]).stdout).unwrap();
    assert_eq!(shown["entries"], 0);
    assert_eq!(shown["max"], "512.0 MB");
    let cleared = run(&["cache", "clear"]);
    assert!(cleared.status.success());
    assert!(
        String::from_utf8_lossy(&cleared.stdout).contains("dependency cache cleared: 0 entries")
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_child_left_running_by_a_step_whose_worker_and_shell_died_is_stopped_by_the_next_worker() {
    // Orphans come to this test process, which reaps the step's shell when it exits: its id
    // is then truly gone (no zombie holding it), as under a desktop's init.
    nix::sys::prctl::set_child_subreaper(true).unwrap();
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path());
    // The shell starts a program in the background and exits a few seconds later.
    recipe(
        dir.path(),
        "name = \"leaves_a_child\"\n[[steps]]\nstatus = \"compiling\"\nprogram = \"sh\"\n\
         args = [\"-c\", \"sleep 300 & sleep 4\"]\ntimeout_secs = 60\non_failure = \"step\"\n",
    );
    json_of(&codemyspec(
        dir.path(),
        &["project", "create", "left_behind", "--framework", "elixir"],
        "",
    ));
    // A program of the user's, in a group of its own: it must outlive every rescue.
    let mut theirs = Command::new("sleep");
    std::os::unix::process::CommandExt::process_group(theirs.arg("300"), 0);
    let mut theirs = theirs.spawn().unwrap();

    let id = json_of(&codemyspec(dir.path(), &["setup", "left_behind"], ""))["job"]["id"]
        .as_i64()
        .unwrap();
    let pgid = kill_worker_mid_step(dir.path(), id, 0);
    // The worker is dead; its step's shell exits on its own and is reaped here.
    nix::sys::wait::waitpid(nix::unistd::Pid::from_raw(pgid), None).expect("the shell exits");
    assert!(!Path::new(&format!("/proc/{pgid}")).exists(), "the group's leader is gone for good");
    assert!(group_alive(pgid), "its background child runs on in the step's group");

    let mut second = worker(dir.path());
    wait_until("the rescued job to complete", Duration::from_secs(60), || {
        job(dir.path(), id)["job"]["state"] == "completed"
    });
    assert!(!group_alive(pgid), "the child the dead step left behind was stopped");
    assert_eq!(theirs.try_wait().unwrap(), None, "the user's program still runs");
    let done = job(dir.path(), id);
    assert_eq!(
        (done["job"]["attempt"].as_i64(), &done["job"]["errors"][0]["class"]),
        (Some(2), &Value::from("orphaned"))
    );
    assert_eq!(project_json(dir.path(), "left_behind")["setup_status"], "ready");
    signal(&second, "TERM");
    assert!(second.wait().unwrap().success());
    theirs.kill().unwrap();
    theirs.wait().unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn setup_wait_names_the_copy_as_the_projects_folder_when_the_original_cannot_be_removed() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path());
    // The workspace on a tmpfs, the data dir on disk: the tree is copied, then removed.
    let workspace = tempfile::tempdir_in("/dev/shm").expect("a tmpfs at /dev/shm");
    assert_ne!(
        std::fs::metadata(dir.path()).unwrap().dev(),
        std::fs::metadata(workspace.path()).unwrap().dev(),
        "the test needs two filesystems"
    );
    let ws = workspace.path().display().to_string();
    json_of(&codemyspec(dir.path(), &["config", "set", "workspace_dir", &ws], ""));
    // An immutable file (chattr +i stops root too), or a read-only folder where chattr is
    // not allowed (which stops anyone else): the original cannot be removed.
    recipe(
        dir.path(),
        "name = \"stuck\"\n[[steps]]\nstatus = \"compiling\"\nprogram = \"sh\"\n\
         args = [\"-c\", \"mkdir -p locked && echo mine > locked/file && \
         (chattr +i locked/file 2>/dev/null || chmod 0555 locked)\"]\n\
         timeout_secs = 30\non_failure = \"step\"\n",
    );
    json_of(&codemyspec(dir.path(), &["project", "create", "copied", "--framework", "elixir"], ""));
    let out = Command::new(cli_bin())
        .args(["setup", "copied", "--wait"])
        .env("CODEMYSPEC_DATA_DIR", dir.path())
        .output()
        .unwrap();
    let locked = dir.path().join("work/job-1/locked");
    let _ = Command::new("chattr").arg("-i").arg(locked.join("file")).status();
    let _ = Command::new("chmod").arg("0755").arg(&locked).status();
    let (stdout, stderr) =
        (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("copied is ready"), "{stdout}");
    let copy = workspace.path().join("copied");
    assert!(
        stderr.contains(&format!("copied in full to {}, its folder from now on", copy.display())),
        "the message names the copy: {stderr}"
    );
    let project = project_json(dir.path(), "copied");
    assert_eq!(project["local_path"], copy.display().to_string());
    assert_eq!(std::fs::read_to_string(copy.join("locked/file")).unwrap(), "mine\n");
}
