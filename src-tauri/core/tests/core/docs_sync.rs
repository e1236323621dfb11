//! The docs sync's guarantees that a process test cannot time: a sync that died after its
//! push but before recording it makes no second commit; a remote that kept our commit but
//! lost our record of it is recognised. Real git over the local smart-HTTP server, the OS
//! keyring (run under `make test`'s D-Bus session).

use crate::support::*;
use chrono::Duration;
use codemyspec_core::docs_sync::{self, SyncReport};
use codemyspec_core::jobs::{self, JobState};
use codemyspec_core::projects::{self, NewProject};
use codemyspec_core::secrets::{Keyring, SecretStore};
use codemyspec_core::settings::{self, Setting};
use codemyspec_core::stories::{self, NewStory, StoryChanges};
use codemyspec_core::AccountId;
use codemyspec_core::ProjectId;
use codemyspec_core::Secret;
use codemyspec_core::StoryId;
use codemyspec_specdocs::Kind;
use codemyspec_tests::GitServer;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

async fn sync(
    f: &Fixture,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    project: &ProjectId,
) -> SyncReport {
    docs_sync::run_once(&f.store, secrets, actor, project, &CancellationToken::new())
        .await
        .unwrap_or_else(|e| panic!("sync: {e}"))
}

async fn exec(f: &Fixture, sql: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(f.store.pool()).await.unwrap();
}

#[tokio::test]
async fn a_sync_that_died_after_its_push_makes_no_second_commit_and_loses_nothing() {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let secrets: Arc<dyn SecretStore> = Arc::new(Keyring);
    secrets.set(&ada.id, &git.host(), &Secret::new(&git.token)).expect("the OS keyring");
    let new = NewProject { name: "shop".into(), docs_repo: Some(url), ..Default::default() };
    let p = projects::create(&f.store, &ada.id, new).await.unwrap();
    let new =
        NewStory { title: "Checkout".into(), description: "Pay.".into(), ..Default::default() };
    let story = stories::create(&f.store, &ada.id, &p.id, new).await.unwrap();
    let first = sync(&f, &secrets, &ada.id, &p.id).await;
    assert!(first.commit.is_some());

    let changes = StoryChanges { title: Some("Checkout, pushed".into()), ..Default::default() };
    stories::update(&f.store, &ada.id, &story.id, story.version, changes).await.unwrap();
    // What the database holds before the sync records anything...
    exec(
        &f,
        "CREATE TABLE saved_entities AS SELECT * FROM docs_entities; \
         CREATE TABLE saved_outbox AS SELECT * FROM outbox; \
         CREATE TABLE saved_sync AS SELECT * FROM docs_sync;",
    )
    .await;
    let pushed = sync(&f, &secrets, &ada.id, &p.id).await;
    assert!(pushed.commit.is_some());
    assert_eq!(git.commits("acme", "shop_docs"), 2);
    // ...is what it holds when the process dies between the push and its record.
    exec(
        &f,
        "DELETE FROM docs_entities; INSERT INTO docs_entities SELECT * FROM saved_entities; \
         DELETE FROM outbox; INSERT INTO outbox SELECT * FROM saved_outbox; \
         DELETE FROM docs_sync; INSERT INTO docs_sync SELECT * FROM saved_sync;",
    )
    .await;
    assert_eq!(docs_sync::status(&f.store, &ada.id, &p.id).await.unwrap().outbox.entities, 1);

    let again = sync(&f, &secrets, &ada.id, &p.id).await;
    assert_eq!(again.commit, None, "its own commit is already there: {again:?}");
    assert_eq!(again.synced_commit, pushed.commit);
    assert_eq!(git.commits("acme", "shop_docs"), 2, "no duplicate commit");
    let status = docs_sync::status(&f.store, &ada.id, &p.id).await.unwrap();
    assert_eq!((status.outbox.entities, status.conflicts), (0, 0));
    let here = stories::get(&f.store, &ada.id, &story.id).await.unwrap();
    assert_eq!(here.title, "Checkout, pushed", "nothing lost or undone");
}

/// A profile with a token for `git` and a project `name` publishing to `owner/repo` there.
async fn publishing(
    f: &Fixture,
    git: &GitServer,
    email: &str,
    name: &str,
    repo: &str,
) -> (Arc<dyn SecretStore>, AccountId, ProjectId) {
    let url = git.repo("acme", repo);
    let who = account(&f.store, email).await;
    let secrets: Arc<dyn SecretStore> = Arc::new(Keyring);
    secrets.set(&who.id, &git.host(), &Secret::new(&git.token)).expect("the OS keyring");
    let new = NewProject { name: name.into(), docs_repo: Some(url), ..Default::default() };
    let p = projects::create(&f.store, &who.id, new).await.unwrap();
    (secrets, who.id, p.id)
}

/// Commits `text` at `path` on `main` of `acme/repo`, as someone working in the repository.
fn commit_file(git: &GitServer, repo: &str, path: &str, text: &[u8]) {
    let bare =
        git2::Repository::open_bare(git.root.path().join(format!("acme/{repo}.git"))).unwrap();
    let parent = bare.find_reference("refs/heads/main").unwrap().peel_to_commit().unwrap();
    let blob = bare.blob(text).unwrap();
    let mut update = git2::build::TreeUpdateBuilder::new();
    update.upsert(path, blob, git2::FileMode::Blob);
    let tree = update.create_updated(&bare, &parent.tree().unwrap()).unwrap();
    let tree = bare.find_tree(tree).unwrap();
    let sig = git2::Signature::now("Someone", "someone@example.com").unwrap();
    bare.commit(Some("refs/heads/main"), &sig, &sig, "by hand", &tree, &[&parent]).unwrap();
}

fn file_on_main(git: &GitServer, repo: &str, path: &str) -> String {
    let bare =
        git2::Repository::open_bare(git.root.path().join(format!("acme/{repo}.git"))).unwrap();
    let tree =
        bare.find_reference("refs/heads/main").unwrap().peel_to_commit().unwrap().tree().unwrap();
    let entry = tree.get_path(std::path::Path::new(path)).unwrap();
    let text = String::from_utf8(bare.find_blob(entry.id()).unwrap().content().to_vec()).unwrap();
    text
}

#[tokio::test]
async fn a_docs_file_over_one_mib_is_a_problem_named_by_its_path_and_nothing_is_imported_from_it() {
    let git = GitServer::start();
    let f = fixture().await;
    let (secrets, ada, p) = publishing(&f, &git, "ada@example.com", "shop", "shop_docs").await;
    let new =
        NewStory { title: "Checkout".into(), description: "Pay.".into(), ..Default::default() };
    stories::create(&f.store, &ada, &p, new).await.unwrap();
    sync(&f, &secrets, &ada, &p).await;
    let id = "0f0f0f0f-0000-4000-8000-000000000001";
    let mut huge =
        format!("---\nid: {id}\ntitle: Huge\nstatus: draft\n---\n\n# Huge\n\n").into_bytes();
    huge.resize(2 * 1024 * 1024, b'x');
    commit_file(&git, "shop_docs", "stories/huge.md", &huge);

    let report = sync(&f, &secrets, &ada, &p).await;
    assert_eq!(report.imported, 0, "{report:?}");
    let problem = report.problems.iter().find(|p| p.path == "stories/huge.md");
    let problem = problem.unwrap_or_else(|| panic!("no problem for the big file: {report:?}"));
    assert!(problem.message.contains("2097152 bytes"), "{}", problem.message);
    assert!(
        stories::get(&f.store, &ada, &id.parse().unwrap()).await.is_err(),
        "nothing imported from it"
    );
    let status = docs_sync::status(&f.store, &ada, &p).await.unwrap();
    assert_eq!(status.problems.len(), 1, "it stays visible: {status:?}");
}

#[tokio::test]
async fn a_sync_past_its_deadline_stops_frees_its_lock_and_the_next_sync_publishes() {
    let mut git = GitServer::start_with_push_delay(60);
    let f = fixture().await;
    let (secrets, ada, p) = publishing(&f, &git, "ada@example.com", "shop", "shop_docs").await;
    settings::set(&f.store, Setting::DocsSyncTimeout, "2").await.unwrap();
    let new =
        NewStory { title: "Checkout".into(), description: "Pay.".into(), ..Default::default() };
    stories::create(&f.store, &ada, &p, new).await.unwrap();

    // The server holds the push for a minute: the sync gives up at its deadline.
    let cancel = CancellationToken::new();
    let late = docs_sync::run_once(&f.store, &secrets, &ada, &p, &cancel).await.unwrap_err();
    assert!(late.to_string().contains("took longer than 2 s"), "{late}");
    assert!(late.is_offline(), "retried with backoff like an unreachable remote: {late}");
    let status = docs_sync::status(&f.store, &ada, &p).await.unwrap();
    assert_eq!(status.state, docs_sync::PublishState::Offline, "{status:?}");
    assert_eq!(status.outbox.entities, 1, "the edit still waits");

    // Its lock is free: the next sync in this process runs at once once the remote answers.
    git.restart();
    let next = docs_sync::run_once(&f.store, &secrets, &ada, &p, &cancel);
    let report = tokio::time::timeout(std::time::Duration::from_secs(60), next)
        .await
        .expect("the lock of the stopped sync was not freed")
        .unwrap();
    assert_eq!(report.published, 1, "{report:?}");
    assert_eq!(docs_sync::status(&f.store, &ada, &p).await.unwrap().outbox.entities, 0);
}

#[tokio::test]
async fn a_version_of_i64_max_in_a_file_is_published_again_without_overflowing() {
    let git = GitServer::start();
    let f = fixture().await;
    let (secrets, ada, p) = publishing(&f, &git, "ada@example.com", "shop", "shop_docs").await;
    let new =
        NewStory { title: "Checkout".into(), description: "Pay.".into(), ..Default::default() };
    let story = stories::create(&f.store, &ada, &p, new).await.unwrap();
    sync(&f, &secrets, &ada, &p).await;
    let path =
        git.files("acme", "shop_docs").into_iter().find(|f| f.starts_with("stories/")).unwrap();
    let text = file_on_main(&git, "shop_docs", &path)
        .replace("version: 1", &format!("version: {}", i64::MAX));
    commit_file(&git, "shop_docs", &path, text.as_bytes());
    sync(&f, &secrets, &ada, &p).await;

    let here = stories::get(&f.store, &ada, &story.id).await.unwrap();
    let changes = StoryChanges { title: Some("Checkout, again".into()), ..Default::default() };
    stories::update(&f.store, &ada, &story.id, here.version, changes).await.unwrap();
    let report = sync(&f, &secrets, &ada, &p).await;
    assert_eq!(report.published, 1, "{report:?}");
    let text = file_on_main(&git, "shop_docs", &path);
    assert!(
        text.contains("Checkout, again") && text.contains(&format!("version: {}", i64::MAX)),
        "{text}"
    );
}

#[tokio::test]
async fn a_file_with_the_id_of_another_projects_story_changes_nothing_in_that_project() {
    let git = GitServer::start();
    let f = fixture().await;
    let (secrets, ada, shop) = publishing(&f, &git, "ada@example.com", "shop", "shop_docs").await;
    let other =
        projects::create(&f.store, &ada, NewProject { name: "blog".into(), ..Default::default() })
            .await
            .unwrap();
    let new =
        NewStory { title: "Blog post".into(), description: "Write.".into(), ..Default::default() };
    let theirs = stories::create(&f.store, &ada, &other.id, new).await.unwrap();
    let new =
        NewStory { title: "Checkout".into(), description: "Pay.".into(), ..Default::default() };
    let mine = stories::create(&f.store, &ada, &shop, new).await.unwrap();
    sync(&f, &secrets, &ada, &shop).await;
    let text = format!(
        "---\nid: {}\ntitle: Hijacked\nstatus: draft\n---\n\n# Hijacked\n\nNot yours.\n",
        theirs.id
    );
    commit_file(&git, "shop_docs", "stories/hijacked.md", text.as_bytes());

    let report = sync(&f, &secrets, &ada, &shop).await;
    assert_eq!(report.imported, 0, "{report:?}");
    assert!(report.problems.iter().any(|p| p.path == "stories/hijacked.md"), "{report:?}");
    let still = stories::get(&f.store, &ada, &theirs.id).await.unwrap();
    assert_eq!((still.title.as_str(), still.project_id), ("Blog post", other.id));
    let here: Vec<StoryId> =
        stories::list(&f.store, &ada, &shop).await.unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(here, vec![mine.id]);
}

/// The docs-sync jobs of `project` that wait to run.
async fn waiting_syncs(f: &Fixture, actor: &AccountId, project: &ProjectId) -> Vec<jobs::Job> {
    let filter = jobs::JobFilter {
        queue: Some(docs_sync::QUEUE.into()),
        project_id: Some(project.to_string()),
        ..Default::default()
    };
    let all = jobs::list(&f.store, actor, &filter).await.unwrap();
    all.into_iter()
        .filter(|j| matches!(j.state, JobState::Available | JobState::Scheduled))
        .collect()
}

#[tokio::test]
async fn edits_in_a_burst_leave_one_docs_sync_waiting_and_it_publishes_all_of_them() {
    let git = GitServer::start();
    let f = fixture().await;
    let (secrets, ada, p) = publishing(&f, &git, "ada@example.com", "shop", "shop_docs").await;
    exec(&f, "UPDATE projects SET setup_complete = 1").await;
    const N: u32 = 6;
    // A person's pace: slower than a fixed debounce of a few seconds, inside this one.
    let pace = Duration::seconds(docs_sync::DEBOUNCE_SECS - 2);
    let mut made = Vec::new();
    for i in 0..N {
        let new = NewStory { title: format!("Story {i}"), ..Default::default() };
        made.push(stories::create(&f.store, &ada, &p, new).await.unwrap());
        // What the outbox watcher does when it sees the edit.
        docs_sync::schedule_projects(&f.store, false, docs_sync::DEBOUNCE_SECS).await.unwrap();
        f.clock.advance(pace);
        // The runner takes what is due: nothing while the edits keep coming.
        let started = jobs::claim(&f.store, docs_sync::QUEUE, 10).await.unwrap();
        assert!(started.is_empty(), "a sync started in the middle of the burst, after edit {i}");
    }
    let waiting = waiting_syncs(&f, &ada, &p).await;
    assert_eq!(waiting.len(), 1, "one sync waits for the whole burst: {waiting:?}");

    f.clock.advance(Duration::seconds(docs_sync::DEBOUNCE_SECS));
    let started = jobs::claim(&f.store, docs_sync::QUEUE, 10).await.unwrap();
    assert_eq!(started.iter().map(|j| j.id).collect::<Vec<_>>(), vec![waiting[0].id]);
    let report = sync(&f, &secrets, &ada, &p).await;
    jobs::complete(&f.store, started[0].id).await.unwrap();
    assert_eq!(report.published, N, "{report:?}");
    assert_eq!(docs_sync::status(&f.store, &ada, &p).await.unwrap().outbox.entities, 0);
    for story in &made {
        let path = codemyspec_specdocs::path_for(Kind::Story, &story.id.to_string(), &story.title);
        assert!(file_on_main(&git, "shop_docs", &path).contains(&story.title), "{path}");
    }
    assert!(waiting_syncs(&f, &ada, &p).await.is_empty(), "nothing else queued");
}

#[tokio::test]
async fn edits_that_never_pause_are_still_published_by_one_sync() {
    let git = GitServer::start();
    let f = fixture().await;
    let (_secrets, ada, p) = publishing(&f, &git, "ada@example.com", "shop", "shop_docs").await;
    exec(&f, "UPDATE projects SET setup_complete = 1").await;
    let pace = Duration::seconds(docs_sync::DEBOUNCE_SECS - 2);
    let mut started = Vec::new();
    // Edits for twice the longest wait, never pausing long enough for the debounce.
    let edits = 2 * docs_sync::MAX_DEBOUNCE_SECS / pace.num_seconds();
    for i in 0..edits {
        let new = NewStory { title: format!("Story {i}"), ..Default::default() };
        stories::create(&f.store, &ada, &p, new).await.unwrap();
        docs_sync::schedule_projects(&f.store, false, docs_sync::DEBOUNCE_SECS).await.unwrap();
        f.clock.advance(pace);
        for job in jobs::claim(&f.store, docs_sync::QUEUE, 10).await.unwrap() {
            started.push(i);
            jobs::complete(&f.store, job.id).await.unwrap();
        }
    }
    assert!(!started.is_empty(), "the sync waited for the edits to stop, which they never did");
    assert!(started.len() < edits as usize / 2, "not one sync per edit: {started:?}");
}
