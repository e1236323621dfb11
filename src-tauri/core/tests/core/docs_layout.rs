//! The docs repository's layout (docs/DECISIONS.md, "The docs repository's layout"): files in
//! sub-folders by the id's first two hex digits; a repository an older version left flat is
//! moved by the first sync of a machine with this version, in one commit of renames, and a
//! second machine that still knows the old paths follows without duplicates or lost edits.
//! Two data dirs (two machines), real git over the local smart-HTTP server, the OS keyring
//! (run under `tests/with-session.sh`).

use crate::support::*;
use codemyspec_core::contexts::{self, ContextType, NewContext};
use codemyspec_core::docs_sync::{self, SyncReport};
use codemyspec_core::projects::{self, NewProject, ProjectChanges};
use codemyspec_core::secrets::{Keyring, SecretStore};
use codemyspec_core::stories::{self, NewStory, StoryChanges};
use codemyspec_core::AccountId;
use codemyspec_core::{ProjectId, Secret, StoryId};
use codemyspec_tests::{GitServer, Recorder};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// A data dir with a profile, its token for the git server and the project `shop`.
struct Machine {
    f: Fixture,
    secrets: Arc<dyn SecretStore>,
    actor: AccountId,
    project: ProjectId,
}

impl Machine {
    async fn new(git: &GitServer, url: &str, email: &str) -> Machine {
        let f = fixture().await;
        let who = account(&f.store, email).await;
        let secrets: Arc<dyn SecretStore> = Arc::new(Keyring);
        secrets.set(&who.id, &git.host(), &Secret::new(&git.token)).expect("the OS keyring");
        let new =
            NewProject { name: "shop".into(), docs_repo: Some(url.into()), ..Default::default() };
        let p = projects::create(&f.store, &who.id, new).await.unwrap();
        Machine { f, secrets, actor: who.id, project: p.id }
    }

    async fn sync(&self) -> SyncReport {
        let cancel = CancellationToken::new();
        docs_sync::run_once(&self.f.store, &self.secrets, &self.actor, &self.project, &cancel)
            .await
            .unwrap_or_else(|e| panic!("sync: {e}"))
    }

    async fn story(&self, title: &str) -> String {
        let new = NewStory {
            title: title.into(),
            description: "As a buyer.".into(),
            ..Default::default()
        };
        stories::create(&self.f.store, &self.actor, &self.project, new)
            .await
            .unwrap()
            .id
            .to_string()
    }

    async fn retitle(&self, id: &str, title: &str) {
        let id = StoryId::parse("story_id", id).unwrap();
        let s = stories::get(&self.f.store, &self.actor, &id).await.unwrap();
        let changes = StoryChanges { title: Some(title.into()), ..Default::default() };
        stories::update(&self.f.store, &self.actor, &id, s.version, changes).await.unwrap();
    }

    async fn title(&self, id: &str) -> String {
        let id = StoryId::parse("story_id", id).unwrap();
        stories::get(&self.f.store, &self.actor, &id).await.unwrap().title
    }

    /// The path this machine has stored for each entity's file.
    async fn stored_paths(&self) -> BTreeMap<String, String> {
        sqlx::query_as("SELECT entity_id, path FROM docs_entities WHERE project_id = ?")
            .bind(self.project)
            .fetch_all(self.f.store.pool())
            .await
            .unwrap()
            .into_iter()
            .collect()
    }

    /// This machine as an older version left it after syncing `flat`: that commit synced and
    /// every stored path in the flat layout (`stories/0f/x.md` was `stories/x.md`).
    async fn as_older_version_after(&self, flat: &str) {
        sqlx::query(
            "UPDATE docs_entities SET path = substr(path, 1, instr(path, '/')) || \
             substr(path, instr(path, '/') + 4) WHERE project_id = ?",
        )
        .bind(self.project)
        .execute(self.f.store.pool())
        .await
        .unwrap();
        sqlx::query("UPDATE docs_sync SET synced_commit = ? WHERE project_id = ?")
            .bind(flat)
            .bind(self.project)
            .execute(self.f.store.pool())
            .await
            .unwrap();
    }
}

fn bare(git: &GitServer) -> git2::Repository {
    git2::Repository::open_bare(git.root.path().join("acme/shop_docs.git")).unwrap()
}

/// The flat path of a file in a sub-folder (`stories/0f/x.md` → `stories/x.md`).
fn flat(path: &str) -> String {
    let (dir, rest) = path.split_once('/').unwrap();
    match rest.split_once('/') {
        Some((_, file)) => format!("{dir}/{file}"),
        None => path.to_owned(),
    }
}

/// Someone with an older version: `main` moved back to the flat layout (each file renamed,
/// the README's links too), as that version had written it. Returns the commit.
fn flatten_main(git: &GitServer) -> String {
    let repo = bare(git);
    let parent = repo.find_reference("refs/heads/main").unwrap().peel_to_commit().unwrap();
    let tree = parent.tree().unwrap();
    let mut update = git2::build::TreeUpdateBuilder::new();
    let mut readme = String::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        let path = format!("{dir}{}", entry.name().unwrap());
        if entry.kind() == Some(git2::ObjectType::Blob) && path == "README.md" {
            readme = String::from_utf8_lossy(repo.find_blob(entry.id()).unwrap().content()).into();
        } else if entry.kind() == Some(git2::ObjectType::Blob) && flat(&path) != path {
            update.remove(&path);
            update.upsert(flat(&path), entry.id(), git2::FileMode::Blob);
            readme = readme.replace(&format!("]({path})"), &format!("]({})", flat(&path)));
        }
        git2::TreeWalkResult::Ok
    })
    .unwrap();
    let blob = repo.blob(readme.as_bytes()).unwrap();
    update.upsert("README.md", blob, git2::FileMode::Blob);
    let tree = repo.find_tree(update.create_updated(&repo, &tree).unwrap()).unwrap();
    let sig = git2::Signature::now("Older version", "old@example.com").unwrap();
    let oid = repo.commit(Some("refs/heads/main"), &sig, &sig, "flat", &tree, &[&parent]).unwrap();
    oid.to_string()
}

/// `main`'s last commit: its message, and each file it changed (status, old → new path,
/// whether the content is the same blob).
fn last_commit(git: &GitServer) -> (String, Vec<(git2::Delta, String, String, bool)>) {
    let repo = bare(git);
    let head = repo.find_reference("refs/heads/main").unwrap().peel_to_commit().unwrap();
    let parent = head.parent(0).unwrap();
    let mut diff = repo
        .diff_tree_to_tree(Some(&parent.tree().unwrap()), Some(&head.tree().unwrap()), None)
        .unwrap();
    diff.find_similar(Some(git2::DiffFindOptions::new().renames(true))).unwrap();
    let deltas = diff
        .deltas()
        .map(|d| {
            let path = |f: git2::DiffFile| f.path().unwrap().to_str().unwrap().to_owned();
            let same = d.old_file().id() == d.new_file().id();
            (d.status(), path(d.old_file()), path(d.new_file()), same)
        })
        .collect();
    (head.message().unwrap().to_owned(), deltas)
}

/// The text of the file at `path` on `main`.
fn file_on(git: &GitServer, path: &str) -> String {
    let repo = bare(git);
    let tree = repo.find_reference("refs/heads/main").unwrap().peel_to_commit().unwrap().tree();
    let entry = tree.unwrap().get_path(std::path::Path::new(path)).unwrap();
    let blob = repo.find_blob(entry.id()).unwrap();
    String::from_utf8_lossy(blob.content()).into_owned()
}

fn messages(git: &GitServer) -> Vec<String> {
    let repo = bare(git);
    let mut walk = repo.revwalk().unwrap();
    walk.push_ref("refs/heads/main").unwrap();
    walk.map(|c| repo.find_commit(c.unwrap()).unwrap().message().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_flat_docs_repository_is_moved_into_id_folders_in_one_commit_and_a_second_machine_keeps_its_offline_edit(
) {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, &url, "ada@example.com").await;
    let checkout = a.story("Checkout").await;
    let refunds = a.story("Refunds").await;
    let ship = a.story("Ship to a locker").await;
    let new = NewContext {
        name: "Payments".into(),
        kind: ContextType::Domain,
        purpose: "Take the money.".into(),
        description: None,
    };
    contexts::create(&a.f.store, &a.actor, &a.project, new).await.unwrap();
    a.sync().await;
    let b = Machine::new(&git, &url, "bob@example.com").await;
    assert_eq!(b.sync().await.imported, 4);

    // Both machines as an older version left them, the repository flat.
    let flat_commit = flatten_main(&git);
    let files: Vec<String> = git.files("acme", "shop_docs");
    assert!(files.iter().all(|f| f.matches('/').count() <= 1), "{files:?}");
    a.as_older_version_after(&flat_commit).await;
    b.as_older_version_after(&flat_commit).await;
    // Offline, before it learns of the move, B edits a story.
    b.retitle(&refunds, "Refunds within 30 days").await;
    let commits = git.commits("acme", "shop_docs");

    // A's first sync with this version moves every file: one commit, renames only.
    let moved = a.sync().await;
    assert!(moved.commit.is_some(), "{moved:?}");
    assert_eq!(moved.published, 0, "nothing edited: {moved:?}");
    assert_eq!(git.commits("acme", "shop_docs"), commits + 1, "one commit");
    let (message, deltas) = last_commit(&git);
    assert!(message.starts_with("Spec layout: 4 files moved into sub-folders"), "{message}");
    let renames: Vec<_> =
        deltas.iter().filter(|(s, ..)| *s == git2::Delta::Renamed).cloned().collect();
    assert_eq!(renames.len(), 4, "{deltas:?}");
    for (_, from, to, same) in &renames {
        assert!(*same, "{from} → {to}: the content is unchanged");
        assert_eq!(&flat(to), from, "the file keeps its name: {from} → {to}");
    }
    let others: Vec<_> = deltas.iter().filter(|(s, ..)| *s != git2::Delta::Renamed).collect();
    assert!(
        others.iter().all(|(s, from, ..)| *s == git2::Delta::Modified && from == "README.md"),
        "only the README's links change beside the renames: {others:?}"
    );
    let stored = a.stored_paths().await;
    assert!(stored.values().all(|p| p.matches('/').count() == 2), "{stored:?}");
    assert!(git
        .files("acme", "shop_docs")
        .iter()
        .all(|f| f == "README.md" || stored.values().any(|p| p == f)));
    let readme = file_on(&git, "README.md");
    assert!(readme.contains(&format!("]({})", stored[&checkout])), "{readme}");

    // B syncs after the move: its edit lands in the moved file, nothing is duplicated, and
    // nothing is moved twice.
    let after = b.sync().await;
    assert_eq!(after.published, 1, "{after:?}");
    assert_eq!(after.merges, 1, "{after:?}");
    let files = git.files("acme", "shop_docs");
    assert_eq!(files.len(), 5, "four entities and the README, no duplicate: {files:?}");
    assert_eq!(b.stored_paths().await, stored, "B stores the moved paths");
    let text = file_on(&git, &stored[&refunds]);
    assert!(text.contains("title: \"Refunds within 30 days\""), "{text}");
    let moves = messages(&git).iter().filter(|m| m.starts_with("Spec layout")).count();
    assert_eq!(moves, 1, "one move");

    let back = a.sync().await;
    assert_eq!((back.commit, back.imported), (None, 1), "A takes B's edit, moves nothing");
    assert_eq!(a.title(&refunds).await, "Refunds within 30 days");
    assert_eq!(a.title(&ship).await, "Ship to a locker");
}

#[tokio::test]
async fn a_file_an_older_machine_adds_flat_after_the_move_is_read_and_stays_where_it_was_put() {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, &url, "ada@example.com").await;
    let checkout = a.story("Checkout").await;
    a.sync().await;
    let path = a.stored_paths().await[&checkout].clone();
    assert_eq!(path, format!("stories/{}/checkout-{}.md", &checkout[..2], &checkout[..8]));

    // A teammate on an older version publishes a new story in the flat layout.
    let id = "3c5d7e9f-1a2b-4c3d-8e4f-5a6b7c8d9e0f";
    let text = format!(
        "---\nid: \"{id}\"\ntitle: \"Wishlist\"\nstatus: \"draft\"\napproved: false\nversion: 1\n\
         ---\n\n# Wishlist\n\nKeep things for later.\n"
    );
    commit_flat(&git, "stories/wishlist-3c5d7e9f.md", &text);
    let commits = git.commits("acme", "shop_docs");
    let report = a.sync().await;
    assert_eq!(report.imported, 1, "{report:?}");
    assert_eq!(a.title(id).await, "Wishlist");
    assert_eq!(git.commits("acme", "shop_docs"), commits + 1, "the README lists it: {report:?}");
    assert_eq!(a.stored_paths().await[id], "stories/wishlist-3c5d7e9f.md", "left where it was put");
    assert!(messages(&git).iter().all(|m| !m.starts_with("Spec layout")), "nothing moved");

    // Edited here, it is written where it is.
    a.retitle(id, "Wishlist, shared").await;
    a.sync().await;
    let text = file_on(&git, "stories/wishlist-3c5d7e9f.md");
    assert!(text.contains("title: \"Wishlist, shared\""), "{text}");
    assert_eq!(git.files("acme", "shop_docs").len(), 3);
}

/// Commits `text` at `path` on `main`, as a teammate's machine would push it.
fn commit_flat(git: &GitServer, path: &str, text: &str) {
    let repo = bare(git);
    let parent = repo.find_reference("refs/heads/main").unwrap().peel_to_commit().unwrap();
    let mut update = git2::build::TreeUpdateBuilder::new();
    update.upsert(path, repo.blob(text.as_bytes()).unwrap(), git2::FileMode::Blob);
    let tree = repo.find_tree(update.create_updated(&repo, &parent.tree().unwrap()).unwrap());
    let sig = git2::Signature::now("Older version", "old@example.com").unwrap();
    repo.commit(
        Some("refs/heads/main"),
        &sig,
        &sig,
        "Spec: 1 entity edited",
        &tree.unwrap(),
        &[&parent],
    )
    .unwrap();
}

#[tokio::test]
async fn a_force_push_back_to_the_flat_layout_is_moved_again_and_its_edit_is_kept() {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, &url, "ada@example.com").await;
    let checkout = a.story("Checkout").await;
    let refunds = a.story("Refunds").await;
    a.sync().await;
    let flat_commit = flatten_main(&git);
    a.as_older_version_after(&flat_commit).await;
    assert!(a.sync().await.commit.is_some(), "moved");

    // Someone with an older version force-pushes main back to the flat commit, with an edit
    // of their own on top: the move is gone from the history.
    let repo = bare(&git);
    let flat_oid = git2::Oid::from_str(&flat_commit).unwrap();
    repo.reference("refs/heads/main", flat_oid, true, "force-push").unwrap();
    let flat_path = flat(&a.stored_paths().await[&refunds]);
    let text = file_on(&git, &flat_path).replace("title: \"Refunds\"", "title: \"Refunds, fast\"");
    commit_flat(&git, &flat_path, &text);

    let report = a.sync().await;
    assert_eq!(report.imported, 1, "{report:?}");
    assert_eq!(a.title(&refunds).await, "Refunds, fast");
    assert_eq!(a.title(&checkout).await, "Checkout");
    let files = git.files("acme", "shop_docs");
    assert_eq!(files.len(), 3, "two stories and the README, no duplicate: {files:?}");
    assert!(files.iter().all(|f| f == "README.md" || f.matches('/').count() == 2), "{files:?}");
    let stored = a.stored_paths().await;
    assert!(files.contains(&stored[&refunds]) && files.contains(&stored[&checkout]), "{stored:?}");
    let moves = messages(&git).iter().filter(|m| m.starts_with("Spec layout")).count();
    assert_eq!(moves, 1, "the history that is there has one move");
    assert!(file_on(&git, &stored[&refunds]).contains("Refunds, fast"));
}

#[tokio::test]
async fn each_owners_repository_gets_its_own_files_in_sub_folders_and_a_repository_repointed_to_another_host_never_gets_the_token(
) {
    let git = GitServer::start();
    // Two GitHub owners, one machine each.
    let acme = git.repo("acme", "shop_docs");
    let globex = git.repo("globex", "shop_docs");
    let a = Machine::new(&git, &acme, "ada@example.com").await;
    let g = Machine::new(&git, &globex, "gus@example.com").await;
    let checkout = a.story("Checkout").await;
    let invoices = g.story("Invoices").await;
    assert!(a.sync().await.commit.is_some());
    assert!(g.sync().await.commit.is_some());
    let in_folder = |files: &[String], id: &str| {
        files
            .iter()
            .any(|f| f.starts_with(&format!("stories/{}/", &id[..2])) && f.contains(&id[..8]))
    };
    let (acme_files, globex_files) =
        (git.files("acme", "shop_docs"), git.files("globex", "shop_docs"));
    assert!(
        in_folder(&acme_files, &checkout) && !in_folder(&acme_files, &invoices),
        "{acme_files:?}"
    );
    assert!(
        in_folder(&globex_files, &invoices) && !in_folder(&globex_files, &checkout),
        "{globex_files:?}"
    );

    // Ada repoints her docs repository to another host: the token kept for the git server's
    // host is not sent there, the sync fails and says so, and nothing is lost here.
    let elsewhere = Recorder::http("127.0.0.1");
    let moved = format!("{}/acme/shop_docs", elsewhere.url());
    let changes = ProjectChanges { docs_repo: Some(moved), ..Default::default() };
    projects::update(&a.f.store, &a.actor, &a.project, changes).await.unwrap();
    a.retitle(&checkout, "Checkout with a card").await;
    let cancel = CancellationToken::new();
    let failed = docs_sync::run_once(&a.f.store, &a.secrets, &a.actor, &a.project, &cancel).await;
    let why = failed.unwrap_err().to_string();
    // Git did ask the other host, and was told what to do; the token stayed home.
    assert!(!elsewhere.requests().is_empty(), "the sync went to the new address");
    assert!(why.contains("no token is set") && why.contains(&elsewhere.host()), "{why}");
    assert!(elsewhere.carrying(&git.token).is_empty(), "{:?}", elsewhere.carrying(&git.token));
    assert_eq!(a.title(&checkout).await, "Checkout with a card", "the edit is kept");
    assert_eq!(git.files("acme", "shop_docs"), acme_files, "the old repository is untouched");
}
