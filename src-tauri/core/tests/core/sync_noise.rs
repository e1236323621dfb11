//! The org listing without noise (issue 18), against the GitHub stand-in: forks and archived
//! repositories stay out unless the profile asks; an ignored repository never comes back,
//! renamed or not, until it is unignored; a code repository and its docs repository are one
//! project; two owners and two profiles keep their own choices.

use crate::support::*;
use crate::sync::World;
use codemyspec_core::accounts::Account;
use codemyspec_core::projects::{self, Project};
use codemyspec_core::stories::{self, NewStory};
use codemyspec_core::sync::{self, SyncFilter};
use codemyspec_core::AccountId;
use codemyspec_core::{Code, Secret, Stage};
use serde_json::json;

/// A repository with GitHub's flags (`fork`, `archived`); returns its id.
fn flagged(w: &World, owner: &str, name: &str, flags: serde_json::Value) -> i64 {
    let mut spec = json!({ "owner": owner, "name": name });
    spec.as_object_mut().unwrap().extend(flags.as_object().unwrap().clone());
    w.gh.control("repos", spec)["id"].as_i64().unwrap()
}

/// The names of the actor's projects, sorted.
async fn names(w: &World, actor: &AccountId) -> Vec<String> {
    let mut names: Vec<String> =
        projects::list(&w.f.store, actor).await.unwrap().into_iter().map(|p| p.name).collect();
    names.sort();
    names
}

/// Bob, a second profile of the data dir, signed in to the stand-in, syncing `org`.
async fn bob(w: &World, org: &str) -> Account {
    let bob = account(&w.f.store, "bob@example.com").await;
    w.gh.user("bob-gh", "ghp_noise_bob");
    w.secrets
        .set(&bob.id, &format!("127.0.0.1:{}", w.gh.port), &Secret::new("ghp_noise_bob"))
        .unwrap();
    sync::set_org(&w.f.store, &bob.id, org).await.unwrap();
    bob
}

async fn sync_as(w: &World, who: &Account) -> codemyspec_core::sync::SyncRun {
    sync::run_once(&w.f.store, &w.events, &w.secrets, &who.id).await.unwrap()
}

fn forget(w: &World, who: &Account) {
    let _ = w.secrets.delete(&who.id, &format!("127.0.0.1:{}", w.gh.port));
}

#[tokio::test]
async fn forks_and_archived_repositories_stay_out_until_the_profile_asks_for_them() {
    let w = World::new().await;
    w.gh.org("globex");
    w.gh.repo("acme", "shop");
    flagged(&w, "acme", "upstream", json!({ "fork": true }));
    flagged(&w, "acme", "legacy", json!({ "archived": true }));
    flagged(&w, "globex", "widgets", json!({ "fork": true }));
    w.gh.repo("globex", "site");

    let first = w.sync().await;
    assert_eq!((first.status.as_str(), first.discovered), ("ok", 1), "{first:?}");
    assert_eq!(names(&w, &w.ada.id).await, ["shop"]);
    let filters = sync::filters(&w.f.store, &w.ada.id).await.unwrap();
    assert!(!filters.include_forks && !filters.include_archived, "the defaults");

    // Asking for forks: the next run imports them, from the listing GitHub answers 304 to.
    sync::set_filter(&w.f.store, &w.ada.id, SyncFilter::IncludeForks, true).await.unwrap();
    let forks = w.sync().await;
    assert_eq!((forks.discovered, forks.not_modified), (1, 1), "{forks:?}");
    assert_eq!(names(&w, &w.ada.id).await, ["shop", "upstream"]);
    sync::set_filter(&w.f.store, &w.ada.id, SyncFilter::IncludeArchived, true).await.unwrap();
    assert_eq!(w.sync().await.discovered, 1);
    assert_eq!(names(&w, &w.ada.id).await, ["legacy", "shop", "upstream"]);

    // Turning them off again imports nothing more and deletes nothing imported.
    sync::set_filter(&w.f.store, &w.ada.id, SyncFilter::IncludeForks, false).await.unwrap();
    sync::set_filter(&w.f.store, &w.ada.id, SyncFilter::IncludeArchived, false).await.unwrap();
    // A project's repository archived on GitHub is still followed, as before.
    let shop = w.named("shop").await;
    as_set_up(&w.f.store, &shop.id).await;
    w.gh.control("archive", json!({ "owner": "acme", "name": "shop" }));
    let after = w.sync().await;
    assert_eq!((after.discovered, after.missing), (0, 0), "{after:?}");
    assert_eq!(names(&w, &w.ada.id).await, ["legacy", "shop", "upstream"]);
    assert_eq!(w.named("shop").await.stage, Stage::Initialized);

    // Another profile, another owner, its own choice: Bob syncs globex with forks.
    let bob = bob(&w, "globex").await;
    assert_eq!(sync_as(&w, &bob).await.discovered, 1);
    assert_eq!(names(&w, &bob.id).await, ["site"], "Ada's choice is not Bob's");
    sync::set_filter(&w.f.store, &bob.id, SyncFilter::IncludeForks, true).await.unwrap();
    assert_eq!(sync_as(&w, &bob).await.discovered, 1);
    assert_eq!(names(&w, &bob.id).await, ["site", "widgets"]);
    assert!(!sync::filters(&w.f.store, &w.ada.id).await.unwrap().include_forks);
    forget(&w, &bob);
}

#[tokio::test]
async fn an_ignored_repository_never_comes_back_even_renamed_until_it_is_unignored() {
    let w = World::new().await;
    let shop_id = w.gh.repo("acme", "shop");
    w.gh.repo("acme", "blog");
    let fork = flagged(&w, "acme", "upstream-fork", json!({ "fork": true }));
    w.sync().await;
    assert_eq!(names(&w, &w.ada.id).await, ["blog", "shop"]);

    // Ignoring the discovered project: it goes, and its repository is remembered by id.
    let shop = w.named("shop").await;
    let done = sync::ignore(&w.f.store, &w.ada.id, "shop").await.unwrap();
    assert_eq!(done.removed_project.as_ref().map(|r| r.id), Some(shop.id));
    assert_eq!(
        (done.ignored.repo_id, done.ignored.full_name.as_str()),
        (shop_id as i64, "acme/shop")
    );
    assert_eq!(names(&w, &w.ada.id).await, ["blog"]);
    let run = w.sync().await;
    assert_eq!((run.status.as_str(), run.discovered), ("ok", 0), "{run:?}");

    // Renamed on GitHub: still ignored, and the list names it as GitHub does now.
    w.gh.control("rename", json!({ "owner": "acme", "name": "shop", "new_name": "storefront" }));
    assert_eq!(w.sync().await.discovered, 0);
    let ignored = sync::ignored(&w.f.store, &w.ada.id).await.unwrap();
    assert_eq!(ignored.len(), 1);
    assert_eq!(ignored[0].full_name, "acme/storefront");
    assert!(ignored[0].html_url.ends_with("/acme/storefront"), "{ignored:?}");

    // A repository the sync left out (a fork) can be ignored by name from the last listing.
    let by_name = sync::ignore(&w.f.store, &w.ada.id, "ACME/upstream-fork").await.unwrap();
    assert_eq!((by_name.ignored.repo_id, by_name.removed_project), (fork, None));
    sync::set_filter(&w.f.store, &w.ada.id, SyncFilter::IncludeForks, true).await.unwrap();
    assert_eq!(w.sync().await.discovered, 0, "ignored beats asked-for");

    // Unignored: the next run brings it back, under its new name.
    let back = sync::unignore(&w.f.store, &w.ada.id, "acme/storefront").await.unwrap();
    assert_eq!(back.repo_id, shop_id as i64);
    sync::unignore(&w.f.store, &w.ada.id, &fork.to_string()).await.unwrap();
    assert_eq!(w.sync().await.discovered, 2);
    assert_eq!(names(&w, &w.ada.id).await, ["blog", "storefront", "upstream_fork"]);
    assert_eq!(sync::ignored(&w.f.store, &w.ada.id).await.unwrap(), []);

    // One profile's ignore is not another's: Ada ignores blog, Bob (same org) still gets it.
    let blog = w.named("blog").await;
    sync::ignore(&w.f.store, &w.ada.id, &blog.id.to_string()).await.unwrap();
    let bob = bob(&w, "acme").await;
    sync_as(&w, &bob).await;
    assert!(names(&w, &bob.id).await.contains(&"blog".to_owned()), "Ada's ignore is hers");
    forget(&w, &bob);
}

#[tokio::test]
async fn ignoring_refuses_what_is_not_noise_and_a_delete_can_ignore_a_worked_on_project() {
    let w = World::new().await;
    w.gh.repo("acme", "shop");
    w.gh.repo("acme", "blog");
    w.gh.repo("acme", "notes");
    w.sync().await;
    let code = |e: codemyspec_core::Error| e.code();

    // A project in use is followed, never ignored.
    let blog = w.named("blog").await;
    as_set_up(&w.f.store, &blog.id).await;
    let refused = sync::ignore(&w.f.store, &w.ada.id, "acme/blog").await.unwrap_err();
    assert_eq!(refused.code(), Code::Conflict);
    assert!(refused.to_string().contains("only a discovered project"), "{refused}");

    // A discovered project someone wrote a story in: ignoring would lose it, so it refuses.
    let shop = w.named("shop").await;
    let story =
        NewStory { title: "Pay".into(), description: "by card".into(), acceptance_criteria: None };
    stories::create(&w.f.store, &w.ada.id, &shop.id, story).await.unwrap();
    let refused = sync::ignore(&w.f.store, &w.ada.id, "shop").await.unwrap_err();
    assert_eq!(refused.code(), Code::Conflict);
    assert!(refused.to_string().contains("delete it"), "{refused}");
    assert_eq!(projects::get(&w.f.store, &w.ada.id, &shop.id).await.unwrap().name, "shop");
    // Deleting it, choosing to ignore its repository too: both, in one go.
    let done = sync::delete_and_ignore(&w.f.store, &w.ada.id, &shop.id).await.unwrap();
    assert_eq!(done.ignored.full_name, "acme/shop");
    assert_eq!(
        code(projects::get(&w.f.store, &w.ada.id, &shop.id).await.unwrap_err()),
        Code::NotFound
    );
    assert_eq!(w.sync().await.discovered, 0, "the heartbeat does not bring it back");

    // Bad and unknown names are said so; nothing changes.
    let bob = account(&w.f.store, "bob@example.com").await;
    let before = snapshot(&w.f.store).await;
    assert_eq!(
        code(sync::ignore(&w.f.store, &w.ada.id, "acme/").await.unwrap_err()),
        Code::InvalidInput
    );
    assert_eq!(
        code(sync::ignore(&w.f.store, &w.ada.id, " ").await.unwrap_err()),
        Code::InvalidInput
    );
    assert_eq!(
        code(sync::ignore(&w.f.store, &w.ada.id, "acme/nope").await.unwrap_err()),
        Code::NotFound
    );
    assert_eq!(
        code(sync::unignore(&w.f.store, &w.ada.id, "acme/notes").await.unwrap_err()),
        Code::NotFound
    );
    // Another profile cannot ignore (and so delete) Ada's discovered project.
    let notes = w.named("notes").await;
    assert_eq!(
        code(sync::ignore(&w.f.store, &bob.id, &notes.id.to_string()).await.unwrap_err()),
        Code::NotFound
    );
    assert_eq!(
        code(sync::delete_and_ignore(&w.f.store, &bob.id, &notes.id).await.unwrap_err()),
        Code::NotFound
    );
    assert_eq!(snapshot(&w.f.store).await, before, "nothing changed");
}

/// The project standing for `acme/name` (its code repository).
async fn with_code(w: &World, name: &str) -> Project {
    w.named(name).await
}

#[tokio::test]
async fn a_code_repository_and_its_docs_repository_are_one_project_never_two() {
    let w = World::new().await;
    w.gh.org("globex");
    w.gh.repo("acme", "shop");
    let shop_docs = w.gh.repo("acme", "shop_docs");
    w.gh.repo("acme", "blog-docs"); // no blog yet: a repository like any
    w.gh.repo("acme", "docs"); // nobody's docs
    flagged(&w, "acme", "fork", json!({ "fork": true }));
    w.gh.repo("acme", "fork-docs"); // the docs of a repository left out: out too

    let first = w.sync().await;
    assert_eq!(first.discovered, 3, "{first:?}");
    assert_eq!(names(&w, &w.ada.id).await, ["blog_docs", "docs", "shop"]);
    let shop = with_code(&w, "shop").await;
    assert!(shop.docs_repo.as_deref().unwrap().ends_with("/acme/shop_docs"), "{shop:?}");
    assert_eq!(shop.docs_repo_id, Some(shop_docs as i64));

    // blog appears: its docs repository joins it, and the project that stood for the docs
    // alone (nobody worked on it) gives way.
    w.gh.repo("acme", "Blog");
    let second = w.sync().await;
    assert_eq!(second.discovered, 1, "{second:?}");
    assert_eq!(names(&w, &w.ada.id).await, ["blog", "docs", "shop"]);
    assert!(with_code(&w, "Blog").await.docs_repo.as_deref().unwrap().ends_with("/acme/blog-docs"));

    // One that someone wrote a story in stays, story and all.
    w.gh.repo("acme", "news_docs");
    w.sync().await;
    let news_docs = with_code(&w, "news_docs").await;
    let story =
        NewStory { title: "Read".into(), description: "".into(), acceptance_criteria: None };
    stories::create(&w.f.store, &w.ada.id, &news_docs.id, story).await.unwrap();
    w.gh.repo("acme", "news");
    assert_eq!(w.sync().await.discovered, 1);
    assert_eq!(names(&w, &w.ada.id).await, ["blog", "docs", "news", "news_docs", "shop"]);
    assert_eq!(with_code(&w, "news").await.docs_repo, None, "the docs stay where the work is");
    assert_eq!(stories::list(&w.f.store, &w.ada.id, &news_docs.id).await.unwrap().len(), 1);

    // A second docs-named repository for shop, or one for a project in use without docs:
    // never a project of its own, and a project in use keeps the docs repository it names.
    let docs = with_code(&w, "docs").await;
    as_set_up(&w.f.store, &docs.id).await;
    w.gh.repo("acme", "shop-docs");
    w.gh.repo("acme", "docs-docs");
    let third = w.sync().await;
    assert_eq!((third.discovered, third.missing), (0, 0), "{third:?}");
    assert_eq!(names(&w, &w.ada.id).await, ["blog", "docs", "news", "news_docs", "shop"]);
    assert_eq!(with_code(&w, "docs").await.docs_repo, None);
    assert_eq!(with_code(&w, "shop").await.docs_repo_id, Some(shop_docs as i64));

    // The docs repository renamed on GitHub: the project names it as GitHub does now.
    w.gh.control(
        "rename",
        json!({ "owner": "acme", "name": "shop_docs", "new_name": "shop_documentation" }),
    );
    w.sync().await;
    assert!(with_code(&w, "shop")
        .await
        .docs_repo
        .as_deref()
        .unwrap()
        .ends_with("/acme/shop_documentation"));

    // Another owner's docs-named repository is not acme's: Bob, syncing globex, gets it as
    // a project of its own.
    w.gh.repo("globex", "shop_docs");
    let bob = bob(&w, "globex").await;
    assert_eq!(sync_as(&w, &bob).await.discovered, 1);
    assert_eq!(names(&w, &bob.id).await, ["shop_docs"]);
    forget(&w, &bob);

    // Ignoring a discovered pair leaves both out.
    sync::ignore(&w.f.store, &w.ada.id, "blog").await.unwrap();
    let run = w.sync().await;
    assert_eq!(run.discovered, 0, "{run:?}");
    assert_eq!(names(&w, &w.ada.id).await, ["docs", "news", "news_docs", "shop"]);
}

#[tokio::test]
async fn a_docs_repository_beside_a_project_named_by_url_is_not_imported_on_its_own() {
    let w = World::new().await;
    let site = w.gh.repo("acme", "site");
    w.gh.repo("acme", "site-docs");
    let url = format!("{}/acme/site", w.gh.url());
    let new =
        projects::NewProject { name: "my_site".into(), code_repo: Some(url), ..Default::default() };
    let mine = projects::create(&w.f.store, &w.ada.id, new).await.unwrap();

    let run = w.sync().await;
    assert_eq!(run.discovered, 0, "{run:?}");
    assert_eq!(names(&w, &w.ada.id).await, ["my_site"]);
    let linked = projects::get(&w.f.store, &w.ada.id, &mine.id).await.unwrap();
    assert_eq!(linked.github_repo_id, Some(site as i64));
    assert_eq!(linked.docs_repo, None, "a project's docs repository is the person's to name");
    assert_eq!(w.sync().await.discovered, 0, "nor at the next run");
}
