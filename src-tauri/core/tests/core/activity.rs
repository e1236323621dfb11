//! What GitHub shows, followed through the activity feed (issue 21): two machines (two data
//! dirs, each with its own profile and working copy) against the GitHub stand-in, real git
//! over smart HTTP and the OS keyring (run under tests/with-session.sh). A push by someone
//! else shows on the project and Pull brings it; an unchanged feed costs no rate budget; a gap
//! in the feed is recovered by the listing (and a repository made is brought in by it); a
//! diverged or dirty working copy is refused with nothing lost; a rate-limited feed or one
//! answering 5xx moves nothing; the token goes to its own host only.

use crate::support::*;
use codemyspec_core::activity::{self, ActivityRun, Trigger};
use codemyspec_core::error::PullReason;
use codemyspec_core::events::Broadcaster;
use codemyspec_core::projects::{self, Project};
use codemyspec_core::secrets::{Keyring, SecretStore};
use codemyspec_core::{settings, sync, Error, Secret};
use codemyspec_tests::{GitHubStandIn, Recorder};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

const ADA: &str = "ghp_activity_ada";
const BOB: &str = "ghp_activity_bob";
const CY: &str = "ghp_activity_cy";

/// One machine: a data dir with one profile signed in to the stand-in, syncing `owner` ("":
/// the account itself).
struct Machine {
    f: Fixture,
    me: codemyspec_core::accounts::Account,
    events: Broadcaster,
    secrets: Arc<dyn SecretStore>,
    host: String,
}

impl Machine {
    async fn new(gh: &GitHubStandIn, email: &str, login: &str, token: &str, owner: &str) -> Self {
        let f = fixture().await;
        let me = account(&f.store, email).await;
        settings::set(&f.store, settings::Setting::GithubApiUrl, &gh.url()).await.unwrap();
        sync::set_org(&f.store, &me.id, owner).await.unwrap();
        let secrets: Arc<dyn SecretStore> = Arc::new(Keyring);
        let host = format!("127.0.0.1:{}", gh.port);
        secrets.set(&me.id, &host, &Secret::new(token)).expect("the OS keyring (with-session.sh)");
        sqlx::query("UPDATE accounts SET github_login = ? WHERE id = ?")
            .bind(login)
            .bind(me.id)
            .execute(f.store.pool())
            .await
            .unwrap();
        Machine { f, me, events: Broadcaster::new(), secrets, host }
    }

    /// Sync now: the listing, then the feed (as the CLI and the window do).
    async fn sync_now(&self) -> ActivityRun {
        let run = sync::run_once(&self.f.store, &self.events, &self.secrets, &self.me.id).await;
        assert_eq!(run.unwrap().status, "ok");
        self.poll(Trigger::Person, true).await
    }

    async fn poll(&self, trigger: Trigger, listed: bool) -> ActivityRun {
        activity::poll(&self.f.store, &self.events, &self.secrets, &self.me.id, trigger, listed)
            .await
            .unwrap()
    }

    async fn project(&self, github_name: &str) -> Project {
        projects::list(&self.f.store, &self.me.id)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.github_repo_name.as_deref() == Some(github_name))
            .unwrap_or_else(|| panic!("a project for {github_name}"))
    }

    /// The project as a setup on this machine leaves it: its folder is `dir` (the setup
    /// itself is tested in clone_setup.rs).
    async fn set_up_in(&self, project: &Project, dir: &Path) {
        as_set_up(&self.f.store, &project.id).await;
        sqlx::query("UPDATE projects SET local_path = ? WHERE id = ?")
            .bind(dir.to_str().unwrap())
            .bind(project.id)
            .execute(self.f.store.pool())
            .await
            .unwrap();
    }

    async fn last_change(&self, project: &Project) -> Option<activity::LastChange> {
        activity::last_change(&self.f.store, &self.me.id, &project.id).await.unwrap()
    }

    async fn pull(&self, project: &Project) -> Result<activity::Pulled, Error> {
        activity::pull(&self.f.store, &self.secrets, &self.me.id, &project.id).await
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        let _ = self.secrets.delete(&self.me.id, &self.host);
    }
}

/// `git ARGS…` in `dir` as a person at a terminal would, with their own credentials (a
/// credential helper) and name; returns its output.
fn git(dir: &Path, who: (&str, &str), args: &[&str]) -> String {
    let (login, token) = who;
    let helper = format!("!f() {{ echo username=x-access-token; echo password={token}; }}; f");
    let out = Command::new("git")
        .args(["-c", &format!("credential.helper={helper}")])
        .args(["-c", &format!("user.name={login}")])
        .args(["-c", &format!("user.email={login}@users.noreply.github.com")])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A working copy of `acme/NAME` cloned into a new folder under `root`.
fn clone(gh: &GitHubStandIn, root: &Path, who: (&str, &str), name: &str, folder: &str) -> PathBuf {
    git(root, who, &["clone", "-q", &format!("{}/acme/{name}.git", gh.url()), folder]);
    root.join(folder)
}

/// Commits `file` with `text` as `who` and pushes it.
/// Commits `file` as `who` and pushes to main; returns the new head.
fn push(dir: &Path, who: (&str, &str), file: &str, text: &str, message: &str) -> String {
    std::fs::write(dir.join(file), text).unwrap();
    git(dir, who, &["add", file]);
    git(dir, who, &["commit", "-q", "-m", message]);
    git(dir, who, &["push", "-q", "origin", "HEAD:main"]);
    git(dir, who, &["rev-parse", "HEAD"])
}

/// The stand-in with ada (the org's owner here), bob (a teammate) and cy (own account),
/// and `acme/shop` with a first commit of ada's.
fn github() -> (GitHubStandIn, tempfile::TempDir) {
    let gh = GitHubStandIn::start();
    gh.user("ada-gh", ADA);
    gh.user("bob-gh", BOB);
    gh.user("cy-gh", CY);
    gh.control("orgs", json!({ "login": "acme", "members": ["ada-gh", "bob-gh"] }));
    gh.repo("acme", "shop");
    let root = tempfile::tempdir().unwrap();
    let first = root.path().join("first");
    std::fs::create_dir(&first).unwrap();
    git(&first, ("ada-gh", ADA), &["init", "-q", "-b", "main"]);
    git(
        &first,
        ("ada-gh", ADA),
        &["remote", "add", "origin", &format!("{}/acme/shop.git", gh.url())],
    );
    push(&first, ("ada-gh", ADA), "README.md", "# shop\n", "First commit");
    (gh, root)
}

#[tokio::test]
async fn a_push_by_another_user_shows_on_the_project_and_pull_brings_it() {
    let (gh, root) = github();
    let a = Machine::new(&gh, "ada@example.com", "ada-gh", ADA, "acme").await;
    let b = Machine::new(&gh, "bob@example.com", "bob-gh", BOB, "acme").await;
    let ada_copy = clone(&gh, root.path(), ("ada-gh", ADA), "shop", "ada");
    let bob_copy = clone(&gh, root.path(), ("bob-gh", BOB), "shop", "bob");
    a.sync_now().await;
    b.sync_now().await;
    let (shop_a, shop_b) = (a.project("shop").await, b.project("shop").await);
    a.set_up_in(&shop_a, &ada_copy).await;
    b.set_up_in(&shop_b, &bob_copy).await;
    a.poll(Trigger::Person, false).await;
    let first = a.last_change(&shop_a).await.expect("the head was read");
    assert_eq!((first.who.as_str(), first.title.as_str()), ("ada-gh", "First commit"));

    // Bob pushes from his machine; Ada's next poll sees it.
    push(&bob_copy, ("bob-gh", BOB), "prices.txt", "tea 3\n", "Add the price list\n\nWith tea.");
    let polled = a.poll(Trigger::Person, false).await;
    assert_eq!((polled.status.as_str(), polled.heads_changed), ("ok", 1), "{polled:?}");
    assert!(polled.events >= 1 && !polled.gap, "{polled:?}");
    let change = a.last_change(&shop_a).await.unwrap();
    assert_eq!((change.who.as_str(), change.title.as_str()), ("bob-gh", "Add the price list"));
    assert_eq!(change.behind, Some(1), "one commit on GitHub Ada does not have: {change:?}");
    assert!(!ada_copy.join("prices.txt").exists(), "a poll fetches, it does not change files");
    let recorded = activity::project_events(&a.f.store, &a.me.id, &shop_a.id, 10).await.unwrap();
    let push_event = recorded.iter().find(|e| e.kind == "PushEvent").expect("the push recorded");
    assert_eq!(push_event.actor, "bob-gh");
    assert_eq!(push_event.head_sha.as_deref(), Some(change.sha.as_str()));

    // Bob's machine shows it too, and has it.
    b.poll(Trigger::Person, false).await;
    assert_eq!(b.last_change(&shop_b).await.unwrap().behind, Some(0));

    let pulled = a.pull(&shop_a).await.unwrap();
    assert_eq!((pulled.commits, pulled.to.as_str()), (1, change.sha.as_str()));
    assert_eq!(std::fs::read_to_string(ada_copy.join("prices.txt")).unwrap(), "tea 3\n");
    assert_eq!(git(&ada_copy, ("ada-gh", ADA), &["rev-parse", "HEAD"]), change.sha);
    assert!(git(&ada_copy, ("ada-gh", ADA), &["status", "--porcelain"]).is_empty(), "clean");
    assert_eq!(a.last_change(&shop_a).await.unwrap().behind, Some(0), "the notice is gone");
    assert_eq!(a.pull(&shop_a).await.unwrap().commits, 0, "a second Pull has nothing to bring");
}

#[tokio::test]
async fn an_unchanged_feed_spends_no_rate_budget_over_ten_polls_for_each_owner() {
    let (gh, _root) = github();
    gh.repo("cy-gh", "notes");
    let a = Machine::new(&gh, "ada@example.com", "ada-gh", ADA, "acme").await;
    let c = Machine::new(&gh, "cy@example.com", "cy-gh", CY, "").await;
    a.sync_now().await;
    c.sync_now().await;
    // Once more so that every ETag is kept (the first poll reads each head).
    a.poll(Trigger::Person, false).await;
    c.poll(Trigger::Person, false).await;
    let (ada_before, cy_before) = (gh.remaining(ADA), gh.remaining(CY));
    for _ in 0..10 {
        let (ran_a, ran_c) =
            (a.poll(Trigger::Person, false).await, c.poll(Trigger::Person, false).await);
        for ran in [&ran_a, &ran_c] {
            assert_eq!(
                (ran.status.as_str(), ran.requests, ran.not_modified),
                ("unchanged", 1, 1),
                "{ran:?}"
            );
        }
        assert_eq!((ran_a.owner.as_str(), ran_c.owner.as_str()), ("acme", "cy-gh"));
    }
    assert_eq!(gh.remaining(ADA), ada_before, "ten 304s cost Ada nothing");
    let discovered = a.project("shop").await;
    assert_eq!(a.last_change(&discovered).await, None, "a discovered project's head is not read");
    assert_eq!(gh.remaining(CY), cy_before, "ten 304s cost Cy nothing");

    // The heartbeat waits out GitHub's X-Poll-Interval (60 s): no request before it passes.
    let waited = a.poll(Trigger::Heartbeat, false).await;
    assert_eq!((waited.status.as_str(), waited.requests), ("waited", 0));
    a.f.clock.advance(chrono::Duration::seconds(61));
    let due = a.poll(Trigger::Heartbeat, false).await;
    assert_eq!((due.status.as_str(), due.requests), ("unchanged", 1));
}

#[tokio::test]
async fn a_feed_gap_is_recovered_by_the_listing() {
    let (gh, root) = github();
    let a = Machine::new(&gh, "ada@example.com", "ada-gh", ADA, "acme").await;
    a.sync_now().await;
    let shop = a.project("shop").await;
    as_set_up(&a.f.store, &shop.id).await;
    // A repository made is in the feed: the listing runs and brings it in.
    gh.control("repos", json!({ "owner": "acme", "name": "wiki", "actor": "bob-gh" }));
    let made = a.poll(Trigger::Person, false).await;
    assert!(made.listed && !made.gap, "{made:?}");
    assert_eq!(a.project("wiki").await.name, "wiki");

    // GitHub keeps a limited window of events: here the newest three.
    gh.control("events_window", json!({ "size": 3 }));
    let bob_copy = clone(&gh, root.path(), ("bob-gh", BOB), "shop", "bob");
    gh.control("repos", json!({ "owner": "acme", "name": "blog", "actor": "bob-gh" }));
    for i in 1..=4 {
        push(&bob_copy, ("bob-gh", BOB), "n.txt", &format!("{i}\n"), &format!("Change {i}"));
    }

    let polled = a.poll(Trigger::Person, false).await;
    assert!(polled.gap && polled.listed, "the repository made fell out of the feed: {polled:?}");
    assert_eq!(a.project("blog").await.name, "blog", "the listing found what the feed lost");
    let change = a.last_change(&shop).await.unwrap();
    assert_eq!((change.who.as_str(), change.title.as_str()), ("bob-gh", "Change 4"));
    let runs = sync::runs(&a.f.store, &a.me.id, 10).await.unwrap();
    assert_eq!(runs.len(), 3, "each fallback listing is a sync run of its own");

    // Caught up: the next poll has no gap.
    push(&bob_copy, ("bob-gh", BOB), "n.txt", "5\n", "Change 5");
    let next = a.poll(Trigger::Person, false).await;
    assert!(!next.gap && !next.listed && next.heads_changed == 1, "{next:?}");
}

#[tokio::test]
async fn a_diverged_or_dirty_working_copy_is_refused_and_nothing_is_lost() {
    let (gh, root) = github();
    let a = Machine::new(&gh, "ada@example.com", "ada-gh", ADA, "acme").await;
    a.sync_now().await;
    let shop = a.project("shop").await;
    let ada_copy = clone(&gh, root.path(), ("ada-gh", ADA), "shop", "ada");
    a.set_up_in(&shop, &ada_copy).await;
    let bob_copy = clone(&gh, root.path(), ("bob-gh", BOB), "shop", "bob");

    // Uncommitted changes to a file the pull would write.
    push(&bob_copy, ("bob-gh", BOB), "README.md", "# shop, by Bob\n", "Bob's README");
    std::fs::write(ada_copy.join("README.md"), "# shop, Ada's draft\n").unwrap();
    let head = git(&ada_copy, ("ada-gh", ADA), &["rev-parse", "HEAD"]);
    let dirty = a.pull(&shop).await.unwrap_err();
    assert!(matches!(&dirty, Error::Pull { reason: PullReason::Uncommitted, .. }), "{dirty:?}");
    assert!(
        dirty.to_string().contains("README.md") && dirty.to_string().contains("stash"),
        "{dirty}"
    );
    assert_eq!(dirty.to_view().field.as_deref(), Some("pull"));
    assert_eq!(
        std::fs::read_to_string(ada_copy.join("README.md")).unwrap(),
        "# shop, Ada's draft\n"
    );
    assert_eq!(git(&ada_copy, ("ada-gh", ADA), &["rev-parse", "HEAD"]), head, "the branch stayed");

    // Ada commits her draft instead: now the copies have diverged.
    git(&ada_copy, ("ada-gh", ADA), &["commit", "-q", "-am", "Ada's README"]);
    let mine = git(&ada_copy, ("ada-gh", ADA), &["rev-parse", "HEAD"]);
    let diverged = a.pull(&shop).await.unwrap_err();
    assert!(matches!(&diverged, Error::Pull { reason: PullReason::Diverged, .. }), "{diverged:?}");
    assert!(
        diverged
            .to_string()
            .contains("1 commit here is not on GitHub and 1 commit on GitHub is not here")
            && diverged.to_string().contains("git pull --rebase"),
        "{diverged}"
    );
    assert_eq!(
        git(&ada_copy, ("ada-gh", ADA), &["rev-parse", "HEAD"]),
        mine,
        "nothing merged or reset"
    );
    assert_eq!(
        std::fs::read_to_string(ada_copy.join("README.md")).unwrap(),
        "# shop, Ada's draft\n"
    );
    assert!(git(&ada_copy, ("ada-gh", ADA), &["status", "--porcelain"]).is_empty());

    // A project with no working copy here says so.
    gh.repo("acme", "blog");
    a.sync_now().await;
    let blog = a.project("blog").await;
    let none = a.pull(&blog).await.unwrap_err();
    assert!(matches!(&none, Error::Pull { reason: PullReason::NoWorkingCopy, .. }), "{none:?}");
}

#[tokio::test]
async fn a_rate_limited_or_5xx_feed_moves_nothing_and_the_next_poll_catches_up() {
    let (gh, root) = github();
    let a = Machine::new(&gh, "ada@example.com", "ada-gh", ADA, "acme").await;
    a.sync_now().await;
    let shop = a.project("shop").await;
    as_set_up(&a.f.store, &shop.id).await;
    a.poll(Trigger::Person, false).await;
    let before = a.last_change(&shop).await.unwrap();
    let bob_copy = clone(&gh, root.path(), ("bob-gh", BOB), "shop", "bob");
    push(&bob_copy, ("bob-gh", BOB), "prices.txt", "tea 3\n", "Add the price list");
    let feed = "/users/ada-gh/events/orgs/acme";
    let reset = (chrono::Utc::now().timestamp() + 600).to_string();
    let limited = json!({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset });
    let body = json!({ "message": "API rate limit exceeded for user ID 1." });
    gh.control("fail", json!({ "path": feed, "status": 403, "headers": limited, "body": body }));
    gh.control("fail", json!({ "path": feed, "status": 502, "times": 1 }));
    let snapshot_before = snapshot(&a.f.store).await;

    let skipped = a.poll(Trigger::Person, false).await;
    assert_eq!(skipped.status, "skipped", "{skipped:?}");
    assert!(skipped.error.as_deref().unwrap_or_default().contains("rate limit"), "{skipped:?}");
    assert_eq!(snapshot(&a.f.store).await, snapshot_before, "nothing written");
    let failed = a.poll(Trigger::Person, false).await;
    assert_eq!(failed.status, "failed", "{failed:?}");
    assert!(failed.error.as_deref().unwrap_or_default().contains("502"), "{failed:?}");
    assert_eq!(snapshot(&a.f.store).await, snapshot_before, "nothing written");
    assert_eq!(a.last_change(&shop).await.unwrap(), before);

    let next = a.poll(Trigger::Person, false).await;
    assert_eq!((next.status.as_str(), next.heads_changed, next.gap), ("ok", 1, false), "{next:?}");
    assert_eq!(a.last_change(&shop).await.unwrap().title, "Add the price list");
}

#[tokio::test]
async fn the_token_goes_only_to_the_host_it_was_kept_for() {
    let (gh, root) = github();
    let a = Machine::new(&gh, "ada@example.com", "ada-gh", ADA, "acme").await;
    a.sync_now().await;
    let shop = a.project("shop").await;
    let ada_copy = clone(&gh, root.path(), ("ada-gh", ADA), "shop", "ada");
    a.set_up_in(&shop, &ada_copy).await;
    // The working copy's origin is on another host than the token's.
    let elsewhere = Recorder::http("127.0.0.1");
    git(
        &ada_copy,
        ("ada-gh", ADA),
        &["remote", "set-url", "origin", &format!("{}/acme/shop.git", elsewhere.url())],
    );
    let bob_copy = clone(&gh, root.path(), ("bob-gh", BOB), "shop", "bob");
    push(&bob_copy, ("bob-gh", BOB), "prices.txt", "tea 3\n", "Add the price list");

    let polled = a.poll(Trigger::Person, false).await;
    assert_eq!(polled.heads_changed, 1, "the head came from the API: {polled:?}");
    assert!(!elsewhere.requests().is_empty(), "the fetch went to origin");
    let pulled = a.pull(&shop).await.unwrap_err();
    assert!(matches!(&pulled, Error::Pull { reason: PullReason::Unavailable, .. }), "{pulled:?}");
    assert!(elsewhere.carrying(ADA).is_empty(), "{:?}", elsewhere.requests());
    assert!(!ada_copy.join("prices.txt").exists());
}

/// Moves the project to `stage` as if a person had walked it there.
async fn at_stage(m: &Machine, project: &Project, stage: &str) {
    sqlx::query("UPDATE projects SET stage = ? WHERE id = ?")
        .bind(stage)
        .bind(project.id)
        .execute(m.f.store.pool())
        .await
        .unwrap();
}

fn check_run(gh: &GitHubStandIn, sha: &str, status: &str, conclusion: Option<&str>) {
    gh.control(
        "check_runs",
        json!({ "owner": "acme", "repo": "shop", "sha": sha, "name": "ci / test",
                "status": status, "conclusion": conclusion }),
    );
}

async fn stage_of(m: &Machine, project: &Project) -> codemyspec_core::Stage {
    projects::get(&m.f.store, &m.me.id, &project.id).await.unwrap().stage
}

#[tokio::test]
async fn implementation_md_pushed_moves_initialized_to_designed_and_a_merged_branch_with_passing_checks_to_verified(
) {
    use codemyspec_core::{lifecycle, stage_rules, Stage, Trigger as By};
    let (gh, root) = github();
    let a = Machine::new(&gh, "ada@example.com", "ada-gh", ADA, "acme").await;
    let ada_copy = clone(&gh, root.path(), ("ada-gh", ADA), "shop", "ada");
    let bob_copy = clone(&gh, root.path(), ("bob-gh", BOB), "shop", "bob");
    a.sync_now().await;
    let shop = a.project("shop").await;
    a.set_up_in(&shop, &ada_copy).await;
    a.poll(Trigger::Person, false).await;
    assert_eq!(stage_of(&a, &shop).await, Stage::Initialized, "nothing the rules look for yet");
    let why = stage_rules::why(&a.f.store, &a.me.id, &shop.id).await.unwrap();
    assert!(why.rules[0].missing[0].starts_with("none of IMPLEMENTATION.md"), "{why:?}");

    // Bob commits the implementation plan on his machine.
    let head = push(&bob_copy, ("bob-gh", BOB), "IMPLEMENTATION.md", "# Plan\n", "Plan the shop");
    a.poll(Trigger::Person, false).await;
    assert_eq!(stage_of(&a, &shop).await, Stage::Designed);
    let history = lifecycle::history(&a.f.store, &a.me.id, &shop.id).await.unwrap();
    let by_github: Vec<_> = history.iter().filter(|t| t.trigger == By::Sync).collect();
    assert_eq!(by_github.len(), 2, "{history:?}");
    assert_eq!((by_github[0].to_stage, by_github[1].to_stage), (Stage::Designing, Stage::Designed));
    assert!(by_github[1].reason.contains(&format!("IMPLEMENTATION.md on main at {}", &head[..7])));

    // A feature branch pushed, then merged into main, with its checks queued at the push and
    // passing a little later.
    git(&bob_copy, ("bob-gh", BOB), &["checkout", "-q", "-b", "feature/cart"]);
    std::fs::write(bob_copy.join("cart.txt"), "cart\n").unwrap();
    git(&bob_copy, ("bob-gh", BOB), &["add", "cart.txt"]);
    git(&bob_copy, ("bob-gh", BOB), &["commit", "-q", "-m", "Add the cart"]);
    git(&bob_copy, ("bob-gh", BOB), &["push", "-q", "origin", "feature/cart"]);
    git(&bob_copy, ("bob-gh", BOB), &["checkout", "-q", "main"]);
    git(
        &bob_copy,
        ("bob-gh", BOB),
        &["merge", "-q", "--no-ff", "-m", "Merge feature/cart", "feature/cart"],
    );
    let merged = git(&bob_copy, ("bob-gh", BOB), &["rev-parse", "HEAD"]);
    check_run(&gh, &merged, "queued", None);
    git(&bob_copy, ("bob-gh", BOB), &["push", "-q", "origin", "main"]);
    a.poll(Trigger::Person, false).await;
    assert_eq!(stage_of(&a, &shop).await, Stage::Implemented, "merged; the checks still run");
    let why = stage_rules::why(&a.f.store, &a.me.id, &shop.id).await.unwrap();
    assert_eq!(why.rules[0].missing, [format!("checks still running on main at {}", &merged[..7])]);

    check_run(&gh, &merged, "completed", Some("success"));
    a.poll(Trigger::Person, false).await;
    assert_eq!(stage_of(&a, &shop).await, Stage::Verified);
    let last = lifecycle::history(&a.f.store, &a.me.id, &shop.id).await.unwrap().pop().unwrap();
    assert_eq!((last.to_stage, last.trigger), (Stage::Verified, By::Sync));
    assert!(last.reason.contains("checks passed on main") && last.reason.contains("ci / test"));

    // Settled: the next polls cost nothing more than the feed's 304.
    let quiet = a.poll(Trigger::Person, false).await;
    assert_eq!((quiet.status.as_str(), quiet.requests), ("unchanged", 1), "{quiet:?}");
}

#[tokio::test]
async fn checks_failing_on_an_active_project_raise_error_with_a_notice_and_passing_return_it() {
    use codemyspec_core::notices::{self, Claimer};
    use codemyspec_core::Stage;
    let (gh, root) = github();
    let a = Machine::new(&gh, "ada@example.com", "ada-gh", ADA, "acme").await;
    let ada_copy = clone(&gh, root.path(), ("ada-gh", ADA), "shop", "ada");
    let bob_copy = clone(&gh, root.path(), ("bob-gh", BOB), "shop", "bob");
    a.sync_now().await;
    let shop = a.project("shop").await;
    a.set_up_in(&shop, &ada_copy).await;
    at_stage(&a, &shop, "active").await;

    let broken = push(&bob_copy, ("bob-gh", BOB), "bug.txt", "oops\n", "Break the build");
    check_run(&gh, &broken, "completed", Some("failure"));
    a.poll(Trigger::Person, false).await;
    assert_eq!(stage_of(&a, &shop).await, Stage::Error);
    let shown = notices::claim(&a.f.store, Claimer::Worker).await.unwrap();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0].kind, "incident");
    assert!(shown[0]
        .body
        .contains(&format!("checks failing on main at {}: ci / test", &broken[..7])));

    let fixed = push(&bob_copy, ("bob-gh", BOB), "bug.txt", "fixed\n", "Fix the build");
    check_run(&gh, &fixed, "completed", Some("success"));
    a.poll(Trigger::Person, false).await;
    assert_eq!(stage_of(&a, &shop).await, Stage::Active, "the checks pass again");
    assert!(notices::claim(&a.f.store, Claimer::Worker).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_teammates_push_shows_at_the_next_look_without_sync_now() {
    let (gh, root) = github();
    let a = Machine::new(&gh, "ada@example.com", "ada-gh", ADA, "acme").await;
    let bob_copy = clone(&gh, root.path(), ("bob-gh", BOB), "shop", "bob");
    a.sync_now().await;
    let shop = a.project("shop").await;
    as_set_up(&a.f.store, &shop.id).await;
    a.poll(Trigger::Person, false).await;
    assert_eq!(a.last_change(&shop).await.unwrap().title, "First commit");

    // The app's and the worker's follower, looking every 200 ms here (every minute there).
    let stop = tokio_util::sync::CancellationToken::new();
    let follower = tokio::spawn(codemyspec_core::background::follow_github(
        a.f.store.clone(),
        a.events.clone(),
        a.secrets.clone(),
        std::time::Duration::from_millis(200),
        stop.clone(),
    ));
    push(&bob_copy, ("bob-gh", BOB), "prices.txt", "tea 3\n", "Add the price list");
    // GitHub's X-Poll-Interval (60 s) passes; nobody presses Sync now.
    a.f.clock.advance(chrono::Duration::seconds(61));
    let mut seen = None;
    for _ in 0..100 {
        let change = a.last_change(&shop).await.unwrap();
        if change.title == "Add the price list" {
            seen = Some(change);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    stop.cancel();
    follower.await.unwrap();
    let seen = seen.expect("the follower read the new head within 10 s");
    assert_eq!(seen.who, "bob-gh");
}

#[tokio::test]
async fn a_force_push_that_drops_the_plan_on_github_moves_nothing_back_and_a_new_plan_is_read() {
    use codemyspec_core::{stage_rules, Stage};
    let (gh, root) = github();
    let a = Machine::new(&gh, "ada@example.com", "ada-gh", ADA, "acme").await;
    let ada_copy = clone(&gh, root.path(), ("ada-gh", ADA), "shop", "ada");
    let bob_copy = clone(&gh, root.path(), ("bob-gh", BOB), "shop", "bob");
    a.sync_now().await;
    let shop = a.project("shop").await;
    a.set_up_in(&shop, &ada_copy).await;
    push(&bob_copy, ("bob-gh", BOB), "IMPLEMENTATION.md", "# Plan\n", "Plan the shop");
    a.poll(Trigger::Person, false).await;
    assert_eq!(stage_of(&a, &shop).await, Stage::Designed);

    // Bob rewrites main on GitHub without the plan.
    git(&bob_copy, ("bob-gh", BOB), &["reset", "-q", "--hard", "HEAD~1"]);
    std::fs::write(bob_copy.join("other.txt"), "x\n").unwrap();
    git(&bob_copy, ("bob-gh", BOB), &["add", "other.txt"]);
    git(&bob_copy, ("bob-gh", BOB), &["commit", "-q", "-m", "Start over"]);
    git(&bob_copy, ("bob-gh", BOB), &["push", "-q", "--force", "origin", "HEAD:main"]);
    a.poll(Trigger::Person, false).await;
    assert_eq!(a.last_change(&shop).await.unwrap().title, "Start over");
    assert_eq!(stage_of(&a, &shop).await, Stage::Designed, "a rule never moves a project back");
    let why = stage_rules::why(&a.f.store, &a.me.id, &shop.id).await.unwrap();
    let kept = why.evidence.expect("the new head's evidence is kept");
    assert!(kept.files.is_empty(), "the plan is gone from the new head: {kept:?}");
}
