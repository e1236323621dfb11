//! The org sync judges only what it saw (issue 17): a project whose repository lives in
//! another owner than the one a profile lists is asked after by id, never marked missing for
//! being absent from someone else's listing; a 404 for its id is what makes it missing; two
//! members who sync different owners leave a shared project where it is.

use crate::support::*;
use crate::sync::World;
use codemyspec_core::events::{ProjectEvent, Subscription};
use codemyspec_core::lifecycle;
use codemyspec_core::memberships;
use codemyspec_core::projects::{self, NewProject, Project, ProjectChanges};
use codemyspec_core::sync;
use codemyspec_core::AccountId;
use codemyspec_core::{Role, Secret, Stage};
use serde_json::json;

/// The errors (desktop notifications) published so far.
fn errors(sub: &mut Subscription<ProjectEvent>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    while let Ok(event) = sub.try_recv() {
        if let ProjectEvent::ProjectError { project, error } = event {
            out.push((project.name, error));
        }
    }
    out
}

/// Ada's project on `owner/name`, discovered by a sync of that owner and adopted
/// (`initialized`); her profile then syncs `then_org` ("" = her own account).
async fn adopted_elsewhere(w: &World, owner: &str, name: &str, then_org: &str) -> Project {
    sync::set_org(&w.f.store, &w.ada.id, owner).await.unwrap();
    w.sync().await;
    let p = w.named(name).await;
    as_set_up(&w.f.store, &p.id).await;
    sync::set_org(&w.f.store, &w.ada.id, then_org).await.unwrap();
    projects::get(&w.f.store, &w.ada.id, &p.id).await.unwrap()
}

async fn went_missing(w: &World, actor: &AccountId, p: &Project) -> bool {
    lifecycle::history(&w.f.store, actor, &p.id)
        .await
        .unwrap()
        .iter()
        .any(|t| t.to_stage == Stage::Missing)
}

#[tokio::test]
async fn a_project_whose_repository_lives_in_another_org_stays_put_heartbeat_after_heartbeat() {
    let w = World::new().await;
    w.gh.org("globex");
    w.gh.repo("acme", "site");
    w.gh.repo("globex", "shop");
    let shop = adopted_elsewhere(&w, "globex", "shop", "acme").await;
    let mut notes = w.events.subscribe_to_all_projects();

    let first = w.sync().await;
    assert_eq!((first.status.as_str(), first.missing), ("ok", 0), "{first:?}");
    assert_eq!(first.requests, 2, "the acme listing, and globex/shop asked after by id");
    let again = w.sync().await;
    assert_eq!((again.missing, again.requests, again.not_modified), (0, 2, 2), "{again:?}");
    assert_eq!(again.rate_remaining, first.rate_remaining, "an unchanged repository is a free 304");

    let now = projects::get(&w.f.store, &w.ada.id, &shop.id).await.unwrap();
    assert_eq!(now.stage, Stage::Initialized);
    assert_eq!(now.code_repo, shop.code_repo);
    assert!(!went_missing(&w, &w.ada.id, &shop).await, "no missing in its history");
    assert_eq!(errors(&mut notes), [], "no notification");
}

#[tokio::test]
async fn with_no_org_set_a_project_in_an_org_goes_missing_only_when_github_answers_404_for_its_id()
{
    let w = World::new().await;
    let id = w.gh.repo("acme", "shop");
    let shop = adopted_elsewhere(&w, "acme", "shop", "").await;
    let mut notes = w.events.subscribe_to_all_projects();

    // Ada's own account is listed; shop is not in it, and GitHub still has it.
    let own = w.sync().await;
    assert_eq!((own.status.as_str(), own.missing), ("ok", 0), "{own:?}");
    assert_eq!(w.named("shop").await.stage, Stage::Initialized);

    // GitHub fails the check: that says nothing about the repository.
    let path = format!("/repositories/{id}");
    w.gh.control("fail", json!({ "path": path, "status": 502, "body": "" }));
    w.gh.control("hide", json!({ "owner": "acme", "name": "shop", "hidden": true }));
    let failed = w.sync().await;
    assert_eq!((failed.status.as_str(), failed.missing), ("ok", 0), "{failed:?}");
    assert_eq!(w.named("shop").await.stage, Stage::Initialized);
    assert_eq!(errors(&mut notes), []);

    // A 404 for its id: missing, with a notification.
    let gone = w.sync().await;
    assert_eq!(gone.missing, 1, "{gone:?}");
    assert_eq!(w.named("shop").await.stage, Stage::Missing);
    let said = errors(&mut notes);
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].1.contains("shop is gone from GitHub"), "{said:?}");

    // Back on GitHub: back to the stage it had.
    w.gh.control("hide", json!({ "owner": "acme", "name": "shop", "hidden": false }));
    let back = w.sync().await;
    assert_eq!(back.reappeared, 1, "{back:?}");
    assert_eq!(w.named("shop").await.stage, Stage::Initialized);
    assert!(went_missing(&w, &w.ada.id, &shop).await);
}

#[tokio::test]
async fn a_repository_moved_to_another_owner_is_followed_not_marked_missing() {
    let w = World::new().await;
    w.gh.org("globex");
    w.gh.repo("acme", "shop");
    let shop = adopted_elsewhere(&w, "acme", "shop", "acme").await;
    let mut notes = w.events.subscribe_to_all_projects();
    w.gh.control("transfer", json!({ "owner": "acme", "name": "shop", "new_owner": "globex" }));

    let run = w.sync().await;
    assert_eq!((run.missing, run.renamed), (0, 1), "{run:?}");
    let now = projects::get(&w.f.store, &w.ada.id, &shop.id).await.unwrap();
    assert_eq!(now.stage, Stage::Initialized);
    assert_eq!(now.code_repo, Some(format!("{}/globex/shop", w.gh.url())), "the URL follows");
    let history = lifecycle::history(&w.f.store, &w.ada.id, &shop.id).await.unwrap();
    assert!(
        history.iter().any(|t| t.reason == "moved on GitHub: acme/shop → globex/shop"),
        "{history:?}"
    );
    assert_eq!(errors(&mut notes), []);
}

#[tokio::test]
async fn two_members_syncing_different_owners_never_flip_a_shared_project() {
    let w = World::new().await;
    w.gh.org("globex");
    w.gh.repo("acme", "site");
    w.gh.repo("globex", "shop");
    // Bob syncs globex; his adopted shop is shared with Ada, who syncs acme.
    let bob = account(&w.f.store, "bob@example.com").await;
    let host = format!("127.0.0.1:{}", w.gh.port);
    w.gh.user("bob-gh", "ghp_sync_bob");
    w.secrets.set(&bob.id, &host, &Secret::new("ghp_sync_bob")).unwrap();
    sync::set_org(&w.f.store, &bob.id, "globex").await.unwrap();
    sync::run_once(&w.f.store, &w.events, &w.secrets, &bob.id).await.unwrap();
    let shop = projects::list(&w.f.store, &bob.id).await.unwrap().remove(0);
    as_set_up(&w.f.store, &shop.id).await;
    memberships::add(&w.f.store, &bob.id, &shop.id, &w.ada.id, Role::Member).await.unwrap();
    let mut notes = w.events.subscribe_to_all_projects();

    for round in 0..2 {
        let ada = w.sync().await;
        let bobs = sync::run_once(&w.f.store, &w.events, &w.secrets, &bob.id).await.unwrap();
        assert_eq!((ada.missing, ada.reappeared), (0, 0), "round {round}, Ada: {ada:?}");
        assert_eq!((bobs.missing, bobs.reappeared), (0, 0), "round {round}, Bob: {bobs:?}");
        let seen = projects::get(&w.f.store, &w.ada.id, &shop.id).await.unwrap();
        assert_eq!(seen.stage, Stage::Initialized, "round {round}");
    }
    assert!(!went_missing(&w, &w.ada.id, &shop).await, "no missing in its history");
    assert_eq!(errors(&mut notes), [], "no notification");
    let adas: Vec<String> =
        projects::list(&w.f.store, &w.ada.id).await.unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(adas, ["shop", "site"], "each repository once: {adas:?}");
    w.secrets.delete(&bob.id, &host).unwrap();
}

#[tokio::test]
async fn a_project_naming_a_repository_by_url_is_linked_to_it_and_a_new_url_forgets_the_old_id() {
    let w = World::new().await;
    let shop = w.gh.repo("acme", "shop");
    let url = |name: &str| Some(format!("{}/acme/{name}", w.gh.url()));
    let new = NewProject { name: "my_shop".into(), code_repo: url("shop"), ..Default::default() };
    let mine = projects::create(&w.f.store, &w.ada.id, new).await.unwrap();

    let run = w.sync().await;
    assert_eq!(run.discovered, 0, "named by a project already: {run:?}");
    let linked = projects::get(&w.f.store, &w.ada.id, &mine.id).await.unwrap();
    assert_eq!(
        (linked.github_repo_id, linked.github_repo_name.as_deref()),
        (Some(shop as i64), Some("shop"))
    );
    let history = lifecycle::history(&w.f.store, &w.ada.id, &mine.id).await.unwrap();
    assert_eq!(history, [], "a link is not a rename");

    // Pointed at another repository: the old id goes with the old URL.
    let third = w.gh.repo("acme", "third");
    let changes = ProjectChanges { code_repo: url("third"), ..Default::default() };
    let moved = projects::update(&w.f.store, &w.ada.id, &mine.id, changes).await.unwrap();
    assert_eq!((moved.github_repo_id, moved.github_repo_name), (None, None));
    let run = w.sync().await;
    assert_eq!(run.discovered, 1, "shop is nobody's now: {run:?}");
    let now = projects::get(&w.f.store, &w.ada.id, &mine.id).await.unwrap();
    assert_eq!(now.github_repo_id, Some(third as i64));
    assert_eq!(w.named("shop").await.stage, Stage::Discovered);
}

/// A second machine: its own data dir and profile, the same GitHub, and a token of its own.
struct Machine {
    f: Fixture,
    bo: codemyspec_core::accounts::Account,
    key: String,
}

impl Machine {
    async fn new(w: &World) -> Machine {
        w.gh.user("bo-gh", "ghp_sync_bo");
        let f = fixture().await;
        let bo = account(&f.store, "bo@example.com").await;
        codemyspec_core::settings::set(
            &f.store,
            codemyspec_core::settings::Setting::GithubApiUrl,
            &w.gh.url(),
        )
        .await
        .unwrap();
        sync::set_org(&f.store, &bo.id, "acme").await.unwrap();
        let key = format!("127.0.0.1:{}", w.gh.port);
        w.secrets.set(&bo.id, &key, &Secret::new("ghp_sync_bo")).unwrap();
        Machine { f, bo, key }
    }

    async fn sync(&self, w: &World) -> sync::SyncRun {
        sync::run_once(&self.f.store, &w.events, &w.secrets, &self.bo.id).await.unwrap()
    }

    async fn named(&self, name: &str) -> Project {
        projects::list(&self.f.store, &self.bo.id)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.github_repo_name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("a project for {name} on the second machine"))
    }
}

#[tokio::test]
async fn a_missing_project_pointed_at_another_owners_repository_is_back_on_that_machine_and_the_other_keeps_its_own_until_it_does_the_same(
) {
    let w = World::new().await;
    let b = Machine::new(&w).await;
    w.gh.org("globex");
    w.gh.repo("acme", "blog");
    w.sync().await;
    b.sync(&w).await;
    let (on_a, on_b) = (w.named("blog").await, b.named("blog").await);
    as_set_up(&w.f.store, &on_a.id).await;
    as_set_up(&b.f.store, &on_b.id).await;

    // Someone deletes acme/blog on GitHub: both machines see it gone.
    w.gh.control("hide", json!({ "owner": "acme", "name": "blog", "hidden": true }));
    assert_eq!(w.sync().await.missing, 1);
    assert_eq!(b.sync(&w).await.missing, 1);

    // Ada moves the code to a new repository in another owner and points her project at it.
    w.gh.repo("globex", "blog");
    let url = format!("{}/globex/blog", w.gh.url());
    let changes = ProjectChanges { code_repo: Some(url.clone()), ..Default::default() };
    projects::update(&w.f.store, &w.ada.id, &on_a.id, changes).await.unwrap();
    let run = w.sync().await;
    assert_eq!((run.reappeared, run.discovered), (1, 0), "{run:?}");
    let back = projects::get(&w.f.store, &w.ada.id, &on_a.id).await.unwrap();
    assert_eq!(back.stage, Stage::Initialized, "back on Ada's machine at its next heartbeat");

    // Bo's machine knows nothing of Ada's edit: its project stays missing, nothing is invented.
    let run = b.sync(&w).await;
    assert_eq!((run.discovered, run.reappeared), (0, 0), "{run:?}");
    let still = projects::get(&b.f.store, &b.bo.id, &on_b.id).await.unwrap();
    assert_eq!(still.stage, Stage::Missing);
    assert!(went_missing(&w, &w.ada.id, &on_a).await, "Ada's history keeps the loss");

    // Bo points his at the same repository and it is back on his machine too.
    let changes = ProjectChanges { code_repo: Some(url), ..Default::default() };
    projects::update(&b.f.store, &b.bo.id, &on_b.id, changes).await.unwrap();
    b.sync(&w).await;
    let back = projects::get(&b.f.store, &b.bo.id, &on_b.id).await.unwrap();
    assert_eq!(back.stage, Stage::Initialized, "back on Bo's machine");
    assert_eq!(back.github_repo_name.as_deref(), Some("blog"));
    let _ = w.secrets.delete(&b.bo.id, &b.key);
}
