//! What following GitHub costs (issue 21): an organization of 100 set-up projects on the local
//! GitHub stand-in, each with a real git repository. The rate budget an unchanged organization
//! spends over 10 polls of its events feed (goal 0: every poll a 304), and the requests a burst
//! of 100 pushes (one to each project) costs at the next poll, per changed project: the feed's
//! pages, then each head and the stage rules' evidence (goal: a few).

use crate::github::{Memory, StandIn};
use crate::report::Report;
use codemyspec_core::activity::{self, Trigger};
use codemyspec_core::events::Broadcaster;
use codemyspec_core::secrets::SecretStore;
use codemyspec_core::{settings, sync, Error, Result, Secret, Store};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

const PROJECTS: usize = 100;
const TOKEN: &str = "ghp_bench_activity";
const MATE: &str = "ghp_bench_activity_mate";
/// What "a few requests per changed project" is held to: the head, two paths, the checks
/// (statuses and runs), and the feed's share.
const PER_PROJECT_GOAL: f64 = 6.0;

/// `git ARGS` in `dir` as the teammate, with their token.
fn git(dir: &Path, args: &[&str]) -> Result<()> {
    let helper = format!("!f() {{ echo username=x-access-token; echo password={MATE}; }}; f");
    let out = Command::new("git")
        .args(["-c", &format!("credential.helper={helper}"), "-c", "user.name=mate"])
        .args(["-c", "user.email=mate@users.noreply.github.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|source| Error::Io { context: "git".into(), source })?;
    if !out.status.success() {
        return Err(Error::Internal(format!(
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(())
}

/// One commit in `work`, pushed to every project's repository.
fn push_to_all(stand_in: &StandIn, work: &Path, text: &str) -> Result<()> {
    std::fs::write(work.join("notes.txt"), text)
        .map_err(|source| Error::Io { context: "notes.txt".into(), source })?;
    git(work, &["add", "notes.txt"])?;
    git(work, &["commit", "-q", "-m", text])?;
    for i in 0..PROJECTS {
        let url = format!("http://127.0.0.1:{}/acme/app-{i:03}.git", stand_in.port);
        git(work, &["push", "-q", &url, "HEAD:main"])?;
    }
    Ok(())
}

pub async fn run(report: &mut Report) -> Result<()> {
    report.section(&format!(
        "GitHub activity: the events feed and per-project reads ({PROJECTS} projects on the local stand-in)"
    ));
    let dir =
        tempfile::tempdir().map_err(|source| Error::Io { context: "temp dir".into(), source })?;
    let stand_in = StandIn::start(&dir.path().join("git"))?;
    stand_in.control("users", &format!(r#"{{"login": "bench", "token": "{TOKEN}"}}"#))?;
    stand_in.control("users", &format!(r#"{{"login": "mate", "token": "{MATE}"}}"#))?;
    stand_in.control("orgs", r#"{"login": "acme", "members": ["bench", "mate"]}"#)?;
    for i in 0..PROJECTS {
        stand_in.control("repos", &format!(r#"{{"owner": "acme", "name": "app-{i:03}"}}"#))?;
    }
    let work = dir.path().join("work");
    std::fs::create_dir(&work).map_err(|source| Error::Io { context: "work".into(), source })?;
    git(&work, &["init", "-q", "-b", "main"])?;
    push_to_all(&stand_in, &work, "first")?;

    let store = Store::open(&dir.path().join("data")).await?;
    let actor = crate::seed::account(&store).await?;
    let api = format!("http://127.0.0.1:{}", stand_in.port);
    settings::set(&store, settings::Setting::GithubApiUrl, &api).await?;
    sync::set_org(&store, &actor.id, "acme").await?;
    sqlx::query("UPDATE accounts SET github_login = 'bench' WHERE id = ?")
        .bind(actor.id)
        .execute(store.pool())
        .await?;
    let secrets: Arc<dyn SecretStore> = Arc::new(Memory::default());
    secrets.set(&actor.id, &format!("127.0.0.1:{}", stand_in.port), &Secret::new(TOKEN))?;
    let events = Broadcaster::new();
    let listing = sync::run_once(&store, &events, &secrets, &actor.id).await?;
    if listing.discovered != PROJECTS as i64 {
        return Err(Error::Internal(format!(
            "the listing did not find every project: {listing:?}"
        )));
    }
    // Set up on this machine (the setups themselves are measured elsewhere): heads followed.
    sqlx::query(
        "UPDATE projects SET stage = 'initialized', setup_status = 'ready', setup_complete = 1 \
         WHERE stage = 'discovered'",
    )
    .execute(store.pool())
    .await?;
    let poll = || activity::poll(&store, &events, &secrets, &actor.id, Trigger::Person, true);
    let first = poll().await?;
    report.value(
        "first poll after setting up the projects: requests",
        first.requests.to_string(),
        format!("{} heads read, with the stage rules' evidence", first.heads_changed),
        "once per project: the head and its evidence".into(),
    );
    poll().await?;

    let before = stand_in.remaining(TOKEN)?;
    let mut requests = 0;
    for _ in 0..10 {
        requests += poll().await?.requests;
    }
    let spent = before - stand_in.remaining(TOKEN)?;
    report.value(
        "unchanged organization, 10 polls: rate budget spent",
        spent.to_string(),
        format!("{requests} requests, each answered 304"),
        format!("goal 0: {}", if spent == 0 { "met" } else { "MISSED" }),
    );

    push_to_all(&stand_in, &work, "a burst of pushes")?;
    let before = stand_in.remaining(TOKEN)?;
    let t = Instant::now();
    let burst = poll().await?;
    let took = t.elapsed();
    let spent = before - stand_in.remaining(TOKEN)?;
    let per = spent as f64 / burst.heads_changed.max(1) as f64;
    report.value(
        &format!("a burst of {PROJECTS} pushes, one per project: rate budget per changed project"),
        format!("{per:.2}"),
        format!(
            "{spent} spent in {} requests for {} changed heads, {:.2} s",
            burst.requests,
            burst.heads_changed,
            took.as_secs_f64()
        ),
        format!(
            "goal <= {PER_PROJECT_GOAL} (a few): {}",
            if per <= PER_PROJECT_GOAL && burst.heads_changed as usize == PROJECTS {
                "met"
            } else {
                "MISSED"
            }
        ),
    );
    Ok(())
}
