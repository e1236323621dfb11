//! `codemyspec github …` against the local GitHub stand-in, with the OS keyring (run under
//! tests/with-session.sh, as `make test` does): a token is checked before it is kept, per
//! profile; the device flow; status and sign-out.

use codemyspec_tests::{cli_bin, codemyspec, json_of, GitHubStandIn};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

fn profiles(dir: &Path, gh: &GitHubStandIn) {
    for email in ["bob@example.com", "ada@example.com"] {
        json_of(&codemyspec(dir, &["account", "create", "--email", email], "a long password\n"));
    }
    json_of(&codemyspec(dir, &["config", "set", "github_api_url", &gh.url()], ""));
}

fn as_(dir: &Path, email: &str, args: &[&str], stdin: &str) -> std::process::Output {
    let mut all = vec!["--as", email];
    all.extend_from_slice(args);
    codemyspec(dir, &all, stdin)
}

fn status(dir: &Path, email: &str) -> Value {
    json_of(&as_(dir, email, &["github", "status"], ""))
}

#[test]
fn a_token_is_checked_before_it_is_kept_and_one_profile_never_sees_anothers() {
    let gh = GitHubStandIn::start();
    gh.user("ada-gh", "ghp_ada_token");
    gh.user("bob-gh", "ghp_bob_token");
    let dir = tempfile::tempdir().unwrap();
    profiles(dir.path(), &gh);

    // A refused token: a clear error, and nothing stored.
    let refused =
        as_(dir.path(), "ada@example.com", &["github", "login", "--with-token"], "ghp_wrong\n");
    assert_eq!(refused.status.code(), Some(3), "invalid input");
    let err: Value = serde_json::from_slice(&refused.stderr).unwrap();
    assert!(err["error"]["message"].as_str().unwrap().contains("401"), "{err}");
    assert_eq!(status(dir.path(), "ada@example.com")["token_set"], false);

    let signed = json_of(&as_(
        dir.path(),
        "ada@example.com",
        &["github", "login", "--with-token"],
        "ghp_ada_token\n",
    ));
    assert_eq!(signed["login"], "ada-gh");
    assert_eq!(signed["host"], format!("127.0.0.1:{}", gh.port));
    let now = status(dir.path(), "ada@example.com");
    assert_eq!((now["login"].as_str(), now["token_set"].as_bool()), (Some("ada-gh"), Some(true)));
    assert_eq!(now["scopes"], json!(["repo", "read:org"]));
    assert!(now["rate"]["remaining"].as_u64().unwrap() < 5000, "{now}");
    let account = json_of(&as_(dir.path(), "ada@example.com", &["account", "list"], ""));
    let ada = account.as_array().unwrap().iter().find(|a| a["email"] == "ada@example.com").unwrap();
    assert_eq!(ada["github_login"], "ada-gh", "the profile records its login");

    // Bob cannot use Ada's token, and signing Bob in does not replace it.
    assert_eq!(status(dir.path(), "bob@example.com")["token_set"], false);
    json_of(&as_(
        dir.path(),
        "bob@example.com",
        &["github", "login", "--with-token"],
        "ghp_bob_token\n",
    ));
    assert_eq!(status(dir.path(), "bob@example.com")["login"], "bob-gh");
    assert_eq!(status(dir.path(), "ada@example.com")["login"], "ada-gh");

    // Sign-out removes only that profile's token.
    json_of(&as_(dir.path(), "ada@example.com", &["github", "logout"], ""));
    assert_eq!(status(dir.path(), "ada@example.com")["token_set"], false);
    assert_eq!(status(dir.path(), "bob@example.com")["login"], "bob-gh");
    json_of(&as_(dir.path(), "bob@example.com", &["github", "logout"], ""));
}

#[test]
fn the_device_flow_signs_in_after_the_code_is_entered_and_says_why_when_refused() {
    let gh = GitHubStandIn::start();
    gh.user("ada-gh", "gho_device_token");
    let dir = tempfile::tempdir().unwrap();
    profiles(dir.path(), &gh);
    // Without a client id it says what to set.
    let no_id = as_(dir.path(), "ada@example.com", &["github", "login", "--device"], "");
    assert_eq!(no_id.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&no_id.stderr).contains("github_client_id"));
    json_of(&codemyspec(dir.path(), &["config", "set", "github_client_id", "Iv1.standin"], ""));

    gh.control("device", json!({ "answers": ["authorization_pending", "ok"], "token": "gho_device_token", "interval": 1 }));
    let out = Command::new(cli_bin())
        .args(["--json", "--as", "ada@example.com", "github", "login", "--device"])
        .env("CODEMYSPEC_DATA_DIR", dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("WDJB-MJHT") && stderr.contains("/login/device"),
        "shows the code and the URL: {stderr}"
    );
    let signed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(signed["login"], "ada-gh");
    assert_eq!(status(dir.path(), "ada@example.com")["login"], "ada-gh");

    gh.control("device", json!({ "answers": ["access_denied"], "interval": 1 }));
    let denied = as_(dir.path(), "ada@example.com", &["github", "login", "--device"], "");
    assert_ne!(denied.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&denied.stderr).contains("refused"),
        "{}",
        String::from_utf8_lossy(&denied.stderr)
    );
    json_of(&as_(dir.path(), "ada@example.com", &["github", "logout"], ""));
}

#[test]
fn status_offline_still_answers_and_says_so() {
    let gh = GitHubStandIn::start();
    gh.user("ada-gh", "ghp_ada_token");
    let dir = tempfile::tempdir().unwrap();
    profiles(dir.path(), &gh);
    json_of(&as_(
        dir.path(),
        "ada@example.com",
        &["github", "login", "--with-token"],
        "ghp_ada_token\n",
    ));
    drop(gh); // GitHub goes away
    let now = status(dir.path(), "ada@example.com");
    assert_eq!(now["token_set"], true);
    assert!(now["problem"].as_str().unwrap_or_default().contains("cannot be reached"), "{now}");
    json_of(&as_(dir.path(), "ada@example.com", &["github", "logout"], ""));
}

#[test]
fn the_worker_beats_once_signed_in_and_sync_now_runs_and_reports_a_sync() {
    let gh = GitHubStandIn::start();
    gh.user("ada-gh", "ghp_ada_token");
    gh.org("acme");
    gh.repo("acme", "Shop-Front");
    gh.repo("acme", "blog");
    let dir = tempfile::tempdir().unwrap();
    profiles(dir.path(), &gh);
    json_of(&as_(dir.path(), "ada@example.com", &["config", "set", "github_org", "acme"], ""));
    let bad =
        as_(dir.path(), "ada@example.com", &["config", "set", "github_org", "acme--corp"], "");
    assert_eq!(bad.status.code(), Some(3), "GitHub's own rules for an org name");
    json_of(&as_(
        dir.path(),
        "ada@example.com",
        &["github", "login", "--with-token"],
        "ghp_ada_token\n",
    ));

    // The worker's runner beats for the signed-in profile at once, then every interval.
    let mut worker = Command::new(cli_bin())
        .arg("worker")
        .env("CODEMYSPEC_DATA_DIR", dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let runs = loop {
        let runs = json_of(&as_(dir.path(), "ada@example.com", &["sync", "runs"], ""));
        // The first run once it has ended (its row is written "running" first).
        if runs.as_array().is_some_and(|r| r.last().is_some_and(|f| f["status"] != "running")) {
            break runs;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "no heartbeat ran");
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let first = runs.as_array().unwrap().last().unwrap();
    assert_eq!(
        (first["status"].as_str(), first["discovered"].as_i64()),
        (Some("ok"), Some(2)),
        "{first}"
    );
    let names: Vec<String> = json_of(&as_(dir.path(), "ada@example.com", &["project", "list"], ""))
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"shop_front".to_owned()), "{names:?}");
    let status = json_of(&as_(dir.path(), "ada@example.com", &["sync", "status"], ""));
    assert_eq!(status["org"], "acme");
    assert!(status["next_at"].is_string(), "the next heartbeat waits: {status}");
    Command::new("kill").args(["-TERM", &worker.id().to_string()]).status().unwrap();
    assert!(worker.wait().unwrap().success());

    // `sync now`, with exactly the documented fields.
    gh.control("rename", json!({ "owner": "acme", "name": "blog", "new_name": "journal" }));
    let run = json_of(&as_(dir.path(), "ada@example.com", &["sync", "now"], ""));
    let mut fields: Vec<&str> = run.as_object().unwrap().keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "activity",
            "discovered",
            "error",
            "finished_at",
            "id",
            "missing",
            "not_modified",
            "owner",
            "rate_remaining",
            "reappeared",
            "renamed",
            "requests",
            "started_at",
            "status"
        ]
    );
    assert_eq!((run["renamed"].as_i64(), run["not_modified"].as_i64()), (Some(1), Some(0)));
    json_of(&as_(dir.path(), "ada@example.com", &["github", "logout"], ""));
}

#[test]
fn doctor_asks_github_about_the_sign_in_and_each_repository_before_anything_compiles() {
    let gh = GitHubStandIn::start();
    gh.user("ada-gh", "ghp_ada_token");
    gh.org("acme");
    gh.repo("acme", "taken");
    gh.foreign_commit("acme", "taken");
    gh.repo("acme", "empty_one");
    let dir = tempfile::tempdir().unwrap();
    profiles(dir.path(), &gh);
    let code = format!("{}/acme/fresh", gh.url());
    let docs = format!("{}/acme/taken", gh.url());
    json_of(&as_(
        dir.path(),
        "ada@example.com",
        &[
            "project",
            "create",
            "fresh",
            "--framework",
            "elixir",
            "--code-repo",
            &code,
            "--docs-repo",
            &docs,
        ],
        "",
    ));
    let doctor = |dir: &Path| {
        let out = as_(dir, "ada@example.com", &["doctor", "fresh"], "");
        let checks: Value = serde_json::from_slice(&out.stdout).expect("checks as JSON");
        (out.status.code(), checks)
    };
    let find = |checks: &Value, prefix: &str| {
        checks
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"].as_str().unwrap().starts_with(prefix))
            .cloned()
    };
    let (_, before) = doctor(dir.path());
    let sign_in = find(&before, "GitHub sign-in").expect("a sign-in check");
    assert_eq!(sign_in["ok"], false);
    assert!(sign_in["detail"].as_str().unwrap().contains("github login"));

    json_of(&as_(
        dir.path(),
        "ada@example.com",
        &["github", "login", "--with-token"],
        "ghp_ada_token\n",
    ));
    let (code_exit, checks) = doctor(dir.path());
    assert_eq!(find(&checks, "GitHub sign-in").unwrap()["detail"], "signed in as ada-gh");
    let fresh = find(&checks, "code repository acme/fresh").unwrap();
    assert_eq!(fresh["ok"], true);
    assert!(fresh["detail"].as_str().unwrap().contains("creates it"), "{fresh}");
    let taken = find(&checks, "docs repository acme/taken").unwrap();
    assert_eq!(taken["ok"], false);
    assert!(taken["detail"].as_str().unwrap().contains("did not make"), "{taken}");
    assert_ne!(code_exit, Some(0), "doctor fails when the setup would");

    json_of(&as_(
        dir.path(),
        "ada@example.com",
        &["project", "update", "fresh", "--docs-repo", &format!("{}/acme/empty_one", gh.url())],
        "",
    ));
    let (_, checks) = doctor(dir.path());
    let adopted = find(&checks, "docs repository acme/empty_one").unwrap();
    assert_eq!(
        (adopted["ok"].as_bool(), adopted["detail"].as_str()),
        (Some(true), Some("exists and is empty: the setup adopts it"))
    );
    json_of(&as_(dir.path(), "ada@example.com", &["github", "logout"], ""));
}

#[test]
fn another_profiles_org_sync_job_is_neither_listed_shown_cancelled_nor_retried() {
    let gh = GitHubStandIn::start();
    gh.user("ada-gh", "ghp_ada_beats");
    gh.user("bob-gh", "ghp_bob_beats");
    let dir = tempfile::tempdir().unwrap();
    profiles(dir.path(), &gh);
    for (email, token) in
        [("ada@example.com", "ghp_ada_beats"), ("bob@example.com", "ghp_bob_beats")]
    {
        json_of(&as_(
            dir.path(),
            email,
            &["github", "login", "--with-token"],
            &format!("{token}\n"),
        ));
    }
    // Each sign-in queued its profile's heartbeat; each profile sees its own only.
    let heartbeats = |email: &str| -> Vec<i64> {
        let list =
            json_of(&as_(dir.path(), email, &["jobs", "list", "--queue", "github_sync"], ""));
        list.as_array().unwrap().iter().map(|j| j["id"].as_i64().unwrap()).collect()
    };
    let (adas, bobs) = (heartbeats("ada@example.com"), heartbeats("bob@example.com"));
    assert_eq!((adas.len(), bobs.len()), (1, 1), "ada {adas:?}, bob {bobs:?}");
    assert_ne!(adas, bobs);
    let ada_beat = adas[0].to_string();
    let state = |email: &str| -> Value {
        json_of(&as_(dir.path(), email, &["jobs", "show", &ada_beat], ""))["job"]["state"].clone()
    };
    let waiting = state("ada@example.com");

    // To Bob, Ada's heartbeat does not exist: not shown, not cancelled, not retried.
    for verb in ["show", "cancel"] {
        let refused = as_(dir.path(), "bob@example.com", &["jobs", verb, &ada_beat], "");
        assert_eq!(refused.status.code(), Some(4), "bob {verb}: not found");
    }
    assert_eq!(state("ada@example.com"), waiting, "Bob's cancel changed nothing");
    let cancelled =
        json_of(&as_(dir.path(), "ada@example.com", &["jobs", "cancel", &ada_beat], ""));
    assert_eq!(cancelled["state"], "cancelled");
    let refused = as_(dir.path(), "bob@example.com", &["jobs", "retry", &ada_beat], "");
    assert_eq!(refused.status.code(), Some(4), "bob retry: not found");
    assert_eq!(state("ada@example.com"), "cancelled");
    let retried = json_of(&as_(dir.path(), "ada@example.com", &["jobs", "retry", &ada_beat], ""));
    assert_eq!(retried["state"], "available");
    for email in ["ada@example.com", "bob@example.com"] {
        json_of(&as_(dir.path(), email, &["github", "logout"], ""));
    }
}
