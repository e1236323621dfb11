//! The org sync's figures (issue "GitHub"): an organization of 10,000 repositories on the
//! local GitHub stand-in (tests/support/github_api_server.py, GitHub's payloads and headers):
//! requests of a cold sync (100 is the floor at 100 a page), rate budget spent by an
//! unchanged re-sync (goal 0: every page a 304), reconcile time for 10,000 repositories
//! (goal < 20 ms, issue 22) and each sync's wall time.

use crate::report::{Report, Timing};
use codemyspec_core::events::Broadcaster;
use codemyspec_core::secrets::SecretStore;
use codemyspec_core::AccountId;
use codemyspec_core::{settings, sync, Error, Result, Secret, Store};
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const REPOS: usize = 10_000;
const TOKEN: &str = "ghp_bench";

/// Tokens in memory: the bench measures the sync, not the OS keyring.
#[derive(Debug, Default)]
pub(crate) struct Memory(Mutex<HashMap<String, Secret>>);

impl SecretStore for Memory {
    fn get(&self, profile: &AccountId, host: &str) -> Result<Option<Secret>> {
        Ok(self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&format!("{profile}@{host}"))
            .cloned())
    }
    fn set(&self, profile: &AccountId, host: &str, token: &Secret) -> Result<()> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(format!("{profile}@{host}"), token.clone());
        Ok(())
    }
    fn delete(&self, profile: &AccountId, host: &str) -> Result<()> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(&format!("{profile}@{host}"));
        Ok(())
    }
}

pub(crate) struct StandIn {
    child: Child,
    pub(crate) port: u16,
}

impl StandIn {
    pub(crate) fn start(git_root: &Path) -> Result<StandIn> {
        let support = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/support");
        let io = |source| Error::Io {
            context: "cannot start the GitHub stand-in (python3)".into(),
            source,
        };
        let mut child = Command::new("python3")
            .arg(support.join("github_api_server.py"))
            .arg(support.join("github-api"))
            .arg(git_root)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(io)?;
        let mut line = String::new();
        std::io::BufReader::new(
            child.stdout.take().ok_or_else(|| Error::Internal("no stdout".into()))?,
        )
        .read_line(&mut line)
        .map_err(io)?;
        let port = line
            .trim()
            .parse()
            .map_err(|_| Error::Internal(format!("the stand-in said {line:?}")))?;
        Ok(StandIn { child, port })
    }

    pub(crate) fn control(&self, what: &str, body: &str) -> Result<()> {
        let io = |source| Error::Io { context: format!("stand-in control {what}"), source };
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).map_err(io)?;
        write!(
            stream,
            "POST /_stand_in/{what} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .map_err(io)?;
        let mut answer = String::new();
        std::io::Read::read_to_string(&mut stream, &mut answer).map_err(io)?;
        if !answer.starts_with("HTTP/1.1 20") {
            return Err(Error::Internal(format!("stand-in control {what}: {answer}")));
        }
        Ok(())
    }
}

impl StandIn {
    /// `X-RateLimit-Remaining` for `token`, as `GET /rate_limit` says it (free on GitHub).
    pub(crate) fn remaining(&self, token: &str) -> Result<i64> {
        let io = |source| Error::Io { context: "stand-in rate_limit".into(), source };
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).map_err(io)?;
        write!(
            stream,
            "GET /rate_limit HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token {token}\r\nConnection: close\r\n\r\n"
        )
        .map_err(io)?;
        let mut answer = String::new();
        std::io::Read::read_to_string(&mut stream, &mut answer).map_err(io)?;
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(body)
            .map_err(|e| Error::Internal(format!("the stand-in's rate_limit: {e}")))?;
        value["resources"]["core"]["remaining"]
            .as_i64()
            .ok_or_else(|| Error::Internal(format!("no remaining budget in {body}")))
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn run(report: &mut Report) -> Result<()> {
    report.section("GitHub org sync (10,000 repositories on the local stand-in)");
    let dir =
        tempfile::tempdir().map_err(|source| Error::Io { context: "temp dir".into(), source })?;
    let stand_in = StandIn::start(&dir.path().join("git"))?;
    stand_in.control("users", &format!(r#"{{"login": "bench", "token": "{TOKEN}"}}"#))?;
    stand_in.control("orgs", r#"{"login": "acme"}"#)?;
    stand_in.control(
        "bulk",
        &format!(r#"{{"owner": "acme", "prefix": "service-", "count": {REPOS}}}"#),
    )?;
    let store = Store::open(&dir.path().join("data")).await?;
    let actor = crate::seed::account(&store).await?;
    settings::set(
        &store,
        settings::Setting::GithubApiUrl,
        &format!("http://127.0.0.1:{}", stand_in.port),
    )
    .await?;
    sync::set_org(&store, &actor.id, "acme").await?;
    sqlx::query("UPDATE accounts SET github_login = 'bench' WHERE id = ?")
        .bind(actor.id)
        .execute(store.pool())
        .await?;
    let secrets: Arc<dyn SecretStore> = Arc::new(Memory::default());
    secrets.set(&actor.id, &format!("127.0.0.1:{}", stand_in.port), &Secret::new(TOKEN))?;
    let events = Broadcaster::new();

    let t = Instant::now();
    let cold = sync::run_once(&store, &events, &secrets, &actor.id).await?;
    let cold_took = t.elapsed();
    if cold.status != "ok" || cold.discovered != REPOS as i64 {
        return Err(Error::Internal(format!("the cold sync did not import everything: {cold:?}")));
    }
    report.value(
        "cold sync: requests",
        cold.requests.to_string(),
        format!("{} repositories discovered in {:.2} s", cold.discovered, cold_took.as_secs_f64()),
        format!(
            "floor {}: {}",
            REPOS / 100,
            if cold.requests as usize == REPOS / 100 { "met" } else { "MISSED" }
        ),
    );
    let t = Instant::now();
    let warm = sync::run_once(&store, &events, &secrets, &actor.id).await?;
    let warm_took = t.elapsed();
    let spent = cold.rate_remaining.unwrap_or(0) - warm.rate_remaining.unwrap_or(0);
    report.value(
        "unchanged re-sync: rate budget spent",
        spent.to_string(),
        format!(
            "{} requests, {} answered 304, {:.2} s",
            warm.requests,
            warm.not_modified,
            warm_took.as_secs_f64()
        ),
        format!("goal 0: {}", if spent == 0 { "met" } else { "MISSED" }),
    );
    // Reconcile alone, on the listing as it is (nothing to change: the steady state).
    let client =
        codemyspec_github::Client::new(&format!("http://127.0.0.1:{}", stand_in.port), Some(TOKEN))
            .map_err(codemyspec_core::github::error)?;
    let repos = client
        .list_repos(Some("acme"), &Default::default())
        .await
        .map_err(codemyspec_core::github::error)?
        .repos;
    let seen = sync::Seen { listed: repos, checked: Default::default() };
    let mut times = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        sync::reconcile(&store, &actor.id, &seen).await?;
        times.push(t.elapsed());
    }
    let timing = Timing::from(times);
    report.value(
        &format!("reconcile {} repositories (median of 7)", seen.listed.len()),
        format!("{:.1} ms", timing.median().as_secs_f64() * 1000.0),
        String::new(),
        format!(
            "goal < 20 ms: {}",
            if timing.median() < Duration::from_millis(20) { "met" } else { "MISSED" }
        ),
    );
    Ok(())
}
