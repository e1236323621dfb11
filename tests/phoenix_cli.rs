//! The product's main path for real: the app's Phoenix recipe (phx.new → deps.get → gen.auth
//! → deps.get → compile → test → commit) through the `codemyspec` binary, against the offline
//! Hex repository in ../shared/hex-mirror (hex.pm cannot be reached here), the GitHub
//! stand-in (repositories created through its API, pushed to over its git endpoint) and, for
//! PostgreSQL, a cluster this test starts itself. Both apps are set up in one data dir, one
//! after the other: the second finds most of its dependencies in the machine's dependency
//! cache, which is how a person's second Phoenix project goes (docs/PIPELINE.md, "Warm
//! setups"), and costs the test run a fraction of the first.
//! Runs under `tests/with-session.sh` (the token is in the OS keyring), as `make test` does.

use codemyspec_tests::{cli_bin, codemyspec, json_of, GitHubStandIn, HexMirror, PgCluster};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

const TOKEN: &str = "ghp_phoenix_ada";

/// What a finished setup left: the CLI's output, the job and its log.
struct Finished {
    stdout: String,
    project: Value,
    job: Value,
    log: String,
}

/// A profile in `dir` signed in to the stand-in (org `acme`), its workspace inside `dir`.
fn sign_in(gh: &GitHubStandIn, dir: &Path) {
    gh.user("ada-gh", TOKEN);
    gh.org("acme");
    json_of(&codemyspec(
        dir,
        &["account", "create", "--email", "ada@example.com"],
        "pw 12345678\n",
    ));
    json_of(&codemyspec(dir, &["config", "set", "github_api_url", &gh.url()], ""));
    let workspace = dir.join("workspace").display().to_string();
    json_of(&codemyspec(dir, &["config", "set", "workspace_dir", &workspace], ""));
    json_of(&codemyspec(dir, &["github", "login", "--with-token"], &format!("{TOKEN}\n")));
}

/// A Phoenix project on the stand-in (in org `acme`), its setup run with `--wait` in the
/// mirror's scratch home, plus `extra_env` for the steps.
fn set_up(
    gh: &GitHubStandIn,
    mirror: &HexMirror,
    dir: &Path,
    name: &str,
    extra: &[&str],
    extra_env: &[(&str, String)],
) -> Finished {
    let (code, docs) =
        (format!("{}/acme/{name}", gh.url()), format!("{}/acme/{name}_docs", gh.url()));
    let mut create = vec!["project", "create", name, "--framework", "phoenix"];
    create.extend_from_slice(extra);
    create.extend_from_slice(&["--code-repo", &code, "--docs-repo", &docs]);
    json_of(&codemyspec(dir, &create, ""));

    let out = Command::new(cli_bin())
        .args(["setup", name, "--wait"])
        .env("CODEMYSPEC_DATA_DIR", dir)
        .envs(mirror.env())
        .envs(extra_env.iter().map(|(k, v)| (*k, v)))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the Phoenix setup failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let project = json_of(&codemyspec(dir, &["project", "show", name], ""));
    let jobs = json_of(&codemyspec(dir, &["jobs", "list", "--project", name], ""));
    let id = jobs
        .as_array()
        .and_then(|j| j.iter().find(|j| j["queue"] == "project_setup"))
        .unwrap_or_else(|| panic!("the setup's job in {jobs}"))["id"]
        .as_i64()
        .unwrap();
    let job = json_of(&codemyspec(dir, &["jobs", "show", &id.to_string(), "--log"], ""));
    let log = job["log"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["line"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    Finished { stdout, project, job, log }
}

/// Every step of the recipe ran once and ended `ok`, in the recipe's order; the project is
/// ready; the app's own tests passed inside the setup; gen.auth's context is in the app; the
/// commit with mix.exs reached the stand-in's repository.
fn check_phoenix_app(done: &Finished, gh: &GitHubStandIn, dir: &Path, name: &str) {
    let steps: Vec<(String, String)> = done.job["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["status"].as_str().unwrap().to_owned(), s["outcome"].to_string()))
        .collect();
    let order: Vec<&str> = steps.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        order,
        [
            "creating_repositories",
            "initializing",
            "deps_installing",
            "setting_up_auth",
            "deps_installing",
            "compiling",
            "testing",
            "committing"
        ],
        "the recipe's steps, once each"
    );
    for (status, outcome) in &steps {
        assert_eq!(outcome, "\"ok\"", "{status} ended {outcome}");
    }
    assert_eq!(done.job["job"]["state"], "completed");
    for step in ["initializing", "deps_installing", "setting_up_auth", "compiling", "testing"] {
        assert!(
            done.stdout.lines().any(|l| l.starts_with('✓') && l.contains(step)),
            "--wait shows {step} done:\n{}",
            done.stdout
        );
    }
    assert_eq!(done.project["setup_status"], "ready", "{}", done.project);
    // mix test's summary, e.g. "128 tests, 0 failures".
    let summary = done
        .log
        .lines()
        .find(|l| l.contains(" tests, ") && l.contains(" failure"))
        .unwrap_or_else(|| panic!("no test summary in the log:\n{}", done.log));
    assert!(summary.contains(", 0 failures"), "the app's own tests: {summary}");
    let tests: u32 = summary.split(" tests").next().unwrap().trim().parse().unwrap();
    assert!(tests > 50, "gen.auth's tests ran too: {summary}");

    let app = Path::new(done.project["local_path"].as_str().expect("the project's folder"));
    assert!(app.starts_with(dir), "{}", app.display());
    for file in [format!("lib/{name}/accounts.ex"), format!("lib/{name}/accounts/user.ex")] {
        assert!(app.join(&file).is_file(), "gen.auth made {file}");
    }
    let user = std::fs::read_to_string(app.join(format!("lib/{name}/accounts/user.ex"))).unwrap();
    assert!(user.contains("schema \"users\""), "the user schema:\n{user}");

    assert_eq!(gh.commits("acme", name), 1, "one commit pushed to the code repository");
    let repo =
        git2::Repository::open_bare(gh.git_root.path().join(format!("acme/{name}.git"))).unwrap();
    let tree = repo.find_reference("refs/heads/main").unwrap().peel_to_tree().unwrap();
    for file in ["mix.exs", "mix.lock", &format!("lib/{name}/accounts.ex")] {
        assert!(tree.get_path(Path::new(file)).is_ok(), "{file} is in the pushed commit");
    }
    assert!(tree.get_path(Path::new("deps")).is_err(), "deps/ is not committed");
}

/// The builds the dependency cache seeded for one step, from its log line
/// ("dependency cache: 30 test builds seeded: ..."), summed over the setup.
fn seeded(log: &str) -> u32 {
    log.lines()
        .filter_map(|l| l.split("dependency cache: ").nth(1))
        .filter(|l| l.contains(" builds seeded: "))
        .filter_map(|l| l.split(' ').next()?.parse::<u32>().ok())
        .sum()
}

/// Both databases on one machine (one data dir, so one dependency cache): the sqlite3 app
/// from cold, then the PostgreSQL app, whose dependencies the first one shares come from the
/// cache (warm) and whose own tests still pass against a cluster the test starts itself.
#[test]
fn phoenix_apps_with_sqlite_then_postgres_are_generated_tested_and_pushed_the_second_from_the_cache(
) {
    let mirror = HexMirror::start();
    let gh = GitHubStandIn::start();
    let dir = tempfile::tempdir().unwrap();
    sign_in(&gh, dir.path());

    let lite = set_up(&gh, &mirror, dir.path(), "phx_lite", &[], &[]);
    check_phoenix_app(&lite, &gh, dir.path(), "phx_lite");
    let app = Path::new(lite.project["local_path"].as_str().unwrap());
    let config = std::fs::read_to_string(app.join("config/test.exs")).unwrap();
    assert!(config.contains(".db"), "sqlite3 is the default database:\n{config}");
    assert_eq!(seeded(&lite.log), 0, "the first setup on this machine starts cold");

    let pg = PgCluster::start();
    // phx.new's config/test.exs names no port: Postgrex then reads PGPORT, which the app
    // passes to its steps, so the cluster need not hold 5432 (PgCluster says more).
    let port = [("PGPORT", pg.port.to_string())];
    let done = set_up(&gh, &mirror, dir.path(), "phx_pg", &["--database", "postgres"], &port);
    check_phoenix_app(&done, &gh, dir.path(), "phx_pg");
    let app = Path::new(done.project["local_path"].as_str().unwrap());
    let config = std::fs::read_to_string(app.join("config/test.exs")).unwrap();
    assert!(
        config.contains("Ecto.Adapters.SQL.Sandbox") && config.contains("username: \"postgres\"")
    );
    // mix test created the app's test database in this very cluster.
    let databases = pg.psql("SELECT datname FROM pg_database");
    assert!(databases.lines().any(|d| d == "phx_pg_test"), "{databases}");
    // Phoenix, Ecto, Plug and the rest came from the first app's builds.
    assert!(seeded(&done.log) > 20, "the second setup is warm:\n{}", done.log);
}
