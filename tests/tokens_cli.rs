//! Tokens go only where they belong (issue 17), seen through the `codemyspec` CLI with the OS
//! keyring (run under tests/with-session.sh, as `make test` does): a token kept for a host
//! is sent only to that host's API, whatever `github_api_url` says, and a token typed at a
//! terminal is never shown on it.

use codemyspec_core::Store;
use codemyspec_tests::{cli_bin, codemyspec, json_of, GitHubStandIn, Recorder, ThrowawayCa};
use serde_json::Value;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ADA: &str = "ada@example.com";

fn profile(dir: &Path) {
    json_of(&codemyspec(dir, &["account", "create", "--email", ADA], "a long password\n"));
}

/// `codemyspec --json --as ADA ARGS…` trusting `ca` (as a person's system would trust a
/// real certificate authority).
fn as_ada(dir: &Path, ca: &ThrowawayCa, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(cli_bin())
        .args(["--json", "--as", ADA])
        .args(args)
        .env("CODEMYSPEC_DATA_DIR", dir)
        .env("SSL_CERT_FILE", ca.ca_file())
        .env_remove("CODEMYSPEC_AS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn codemyspec");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("wait for codemyspec")
}

/// The message of a failed `--json` run, after checking its exit code.
fn refused(out: &Output, code: i32) -> String {
    assert_eq!(out.status.code(), Some(code), "{}", String::from_utf8_lossy(&out.stderr));
    let err: Value = serde_json::from_slice(&out.stderr).expect("a JSON error");
    err["error"]["message"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_token_kept_for_github_com_is_never_sent_to_another_api() {
    let ca = ThrowawayCa::new();
    // Another address than the GitHub stand-in, serving HTTPS with a certificate the CLI
    // trusts: any HTTPS server someone could name as github_api_url.
    let elsewhere = Recorder::https("127.0.0.2", &ca);
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path());
    let both = |message: &str| message.contains(&elsewhere.url()) && message.contains("github.com");

    // `config set` refuses it, naming both.
    let set = as_ada(dir.path(), &ca, &["config", "set", "github_api_url", &elsewhere.url()], "");
    let message = refused(&set, 3);
    assert!(both(&message), "{message}");

    // Ada keeps a token for github.com; then the same value reaches the database anyway (an
    // older version wrote it, or a hand edit).
    let token = "ghp_kept_for_github_com_only";
    json_of(&as_ada(dir.path(), &ca, &["token", "set"], &format!("{token}\n")));
    let store = Store::open(dir.path()).await.unwrap();
    sqlx::query("INSERT INTO settings (key, value) VALUES ('github_api_url', ?)")
        .bind(elsewhere.url())
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;

    // Everything that would send the token refuses, naming the API URL and the host.
    let status = as_ada(dir.path(), &ca, &["github", "status"], "");
    assert!(both(&refused(&status, 3)), "github status");
    let sync = as_ada(dir.path(), &ca, &["sync", "now"], "");
    assert!(both(&refused(&sync, 3)), "sync now");
    let login = as_ada(dir.path(), &ca, &["github", "login", "--with-token"], "ghp_another\n");
    assert!(both(&refused(&login, 3)), "github login");
    let doctor = as_ada(dir.path(), &ca, &["doctor"], "");
    let checks: Value = serde_json::from_slice(&doctor.stdout).expect("doctor's checks");
    let api = checks.as_array().unwrap().iter().find(|c| c["name"] == "GitHub API");
    let api = api.unwrap_or_else(|| panic!("doctor names the API problem: {checks}"));
    assert_eq!(api["ok"], false);
    assert!(both(api["detail"].as_str().unwrap_or_default()), "{api}");

    // The heartbeat's run is recorded as failed, saying why.
    let runs = json_of(&as_ada(dir.path(), &ca, &["sync", "runs"], ""));
    assert_eq!(runs[0]["status"], "failed", "{runs}");
    assert!(both(runs[0]["error"].as_str().unwrap_or_default()), "{runs}");

    // Nothing was sent there at all, the token least of all.
    assert!(elsewhere.carrying(token).is_empty(), "{:?}", elsewhere.carrying(token));
    assert!(elsewhere.requests().is_empty(), "{:?}", elsewhere.requests());

    // The token is still kept, and can be removed while the setting is wrong.
    let kept = json_of(&as_ada(dir.path(), &ca, &["token", "status"], ""));
    assert!(kept.to_string().contains("is set"), "{kept}");
    json_of(&as_ada(dir.path(), &ca, &["token", "delete"], ""));
}

#[test]
fn a_loopback_stand_in_still_gets_its_own_token_and_nothing_else_does() {
    let ca = ThrowawayCa::new();
    let elsewhere = Recorder::https("127.0.0.2", &ca);
    let gh = GitHubStandIn::start();
    gh.user("ada-gh", "ghp_for_the_stand_in");
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path());
    json_of(&as_ada(dir.path(), &ca, &["token", "set"], "ghp_kept_for_github_com_only\n"));
    json_of(&as_ada(dir.path(), &ca, &["config", "set", "github_api_url", &gh.url()], ""));

    let signed = json_of(&as_ada(
        dir.path(),
        &ca,
        &["github", "login", "--with-token"],
        "ghp_for_the_stand_in\n",
    ));
    assert_eq!(signed["login"], "ada-gh", "the stand-in got its token and accepted it");
    assert_eq!(signed["host"], format!("127.0.0.1:{}", gh.port), "kept for its own origin");
    let run = json_of(&as_ada(dir.path(), &ca, &["sync", "now"], ""));
    assert_eq!(run["status"], "ok", "{run}");
    assert!(elsewhere.requests().is_empty());
    json_of(&as_ada(dir.path(), &ca, &["github", "logout"], ""));
    json_of(&as_ada(dir.path(), &ca, &["token", "delete", "--host", "github.com"], ""));
}

#[test]
fn config_set_takes_only_the_api_of_the_github_host_and_names_both_when_it_refuses() {
    let ca = ThrowawayCa::new();
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path());
    let set = |key: &str, value: &str| as_ada(dir.path(), &ca, &["config", "set", key, value], "");

    json_of(&set("github_api_url", "https://api.github.com"));
    for elsewhere in ["https://evil.example", "https://api.github.com.evil.example"] {
        let message = refused(&set("github_api_url", elsewhere), 3);
        assert!(message.contains(elsewhere) && message.contains("github.com"), "{message}");
    }
    // Moving to an Enterprise host while the API set is github.com's: refused, both named.
    let message = refused(&set("github_host", "ghe.example.com"), 3);
    assert!(
        message.contains("https://api.github.com") && message.contains("ghe.example.com"),
        "{message}"
    );
    json_of(&set("github_api_url", ""));
    json_of(&set("github_host", "ghe.example.com"));
    json_of(&set("github_api_url", "https://ghe.example.com/api/v3"));
    let message = refused(&set("github_api_url", "https://api.github.com"), 3);
    assert!(message.contains("ghe.example.com"), "{message}");
    // A loopback stand-in is a host of its own.
    json_of(&set("github_api_url", "http://127.0.0.1:9"));
    let list = json_of(&as_ada(dir.path(), &ca, &["config", "list"], ""));
    assert!(list.to_string().contains("http://127.0.0.1:9"), "{list}");
}

/// Runs `codemyspec ARGS…` on a real pseudo-terminal (`script`), types `typed` and Enter
/// once `prompt` is on the screen, and returns whether it succeeded and everything the
/// terminal showed.
fn on_a_terminal(dir: &Path, args: &[&str], prompt: &str, typed: &str) -> (bool, String) {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut line = quote(&cli_bin().display().to_string());
    for a in args {
        line.push(' ');
        line.push_str(&quote(a));
    }
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .env("CODEMYSPEC_DATA_DIR", dir)
        .env_remove("CODEMYSPEC_AS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs");
    let screen = Arc::new(Mutex::new(Vec::new()));
    let mut out = child.stdout.take().unwrap();
    let shown = screen.clone();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 {
                break;
            }
            shown.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let text = |s: &Arc<Mutex<Vec<u8>>>| String::from_utf8_lossy(&s.lock().unwrap()).into_owned();
    // Typed only once the prompt is up, as a person would: typed earlier, the terminal would
    // echo it before any program could stop that.
    let start = Instant::now();
    while !text(&screen).contains(prompt) {
        assert!(start.elapsed() < Duration::from_secs(60), "no prompt: {:?}", text(&screen));
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(format!("{typed}\n").as_bytes()).unwrap();
    stdin.flush().unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "stuck: {:?}", text(&screen));
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    reader.join().unwrap();
    (status.success(), text(&screen))
}

#[test]
fn a_token_typed_for_token_set_at_a_terminal_is_never_shown_and_is_kept_exactly() {
    let gh = GitHubStandIn::start();
    let token = "ghp_typed_at_the_terminal_1";
    gh.user("ada-gh", token);
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path());
    json_of(&codemyspec(dir.path(), &["config", "set", "github_api_url", &gh.url()], ""));

    let host = format!("127.0.0.1:{}", gh.port);
    let (ok, screen) =
        on_a_terminal(dir.path(), &["token", "set", "--host", &host], "token for", token);
    assert!(ok, "{screen}");
    assert!(screen.contains(&format!("token for {host} stored")), "{screen}");
    assert!(!screen.contains(token) && !screen.contains("ghp_"), "shown: {screen}");
    // Kept exactly as typed: GitHub accepts it.
    let status = json_of(&codemyspec(dir.path(), &["github", "status"], ""));
    assert_eq!(status["login"], "ada-gh", "{status}");
    json_of(&codemyspec(dir.path(), &["token", "delete"], ""));
}

#[test]
fn a_token_typed_for_github_login_at_a_terminal_is_never_shown() {
    let gh = GitHubStandIn::start();
    let token = "ghp_typed_at_the_terminal_2";
    gh.user("ada-gh", token);
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path());
    json_of(&codemyspec(dir.path(), &["config", "set", "github_api_url", &gh.url()], ""));

    let (ok, screen) =
        on_a_terminal(dir.path(), &["github", "login", "--with-token"], "GitHub token", token);
    assert!(ok, "{screen}");
    assert!(screen.contains("as ada-gh"), "{screen}");
    assert!(!screen.contains(token) && !screen.contains("ghp_"), "shown: {screen}");
    json_of(&codemyspec(dir.path(), &["github", "logout"], ""));
}
