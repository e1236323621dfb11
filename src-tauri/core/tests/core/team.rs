//! A project's team on GitHub (issue 18), against the local GitHub stand-in with the OS
//! keyring (run under `tests/with-session.sh`): two profiles of one data dir, Ada (the
//! project's owner, an admin of both repositories on GitHub) and Bob (an admin here, but
//! GitHub lets him only read), each acting with their own token.

use crate::support::*;
use codemyspec_core::accounts::{self, Account, AccountChanges};
use codemyspec_core::memberships;
use codemyspec_core::projects::{self, NewProject, Project};
use codemyspec_core::secrets::{Keyring, SecretStore};
use codemyspec_core::team::{self, GitHubReason, Outcome};
use codemyspec_core::{settings, Code, Error, ErrorDetail, Role, Secret};
use codemyspec_tests::GitHubStandIn;
use serde_json::json;
use std::sync::Arc;

const ADA_TOKEN: &str = "ghp_team_ada";
const BOB_TOKEN: &str = "ghp_team_bob";

struct Team {
    gh: GitHubStandIn,
    f: Fixture,
    ada: Account,
    bob: Account,
    /// A profile on this machine that is not a member yet, signed in to GitHub as `cy-gh`.
    cy: Account,
    project: Project,
    secrets: Arc<dyn SecretStore>,
}

impl Team {
    /// `acme/shop` and `acme/shop_docs` on GitHub: ada-gh is an admin of both, bob-gh may
    /// read them; cy-gh and dee-gh have GitHub accounts and no access.
    async fn new() -> Team {
        let gh = GitHubStandIn::start();
        for (login, token) in [
            ("ada-gh", ADA_TOKEN),
            ("bob-gh", BOB_TOKEN),
            ("cy-gh", "ghp_team_cy"),
            ("dee-gh", "ghp_team_dee"),
        ] {
            gh.user(login, token);
        }
        gh.org("acme");
        for repo in ["shop", "shop_docs"] {
            gh.repo("acme", repo);
            gh.access("acme", repo, "ada-gh", Some("admin"));
            gh.access("acme", repo, "bob-gh", Some("read"));
        }
        let f = fixture().await;
        settings::set(&f.store, settings::Setting::GithubApiUrl, &gh.url()).await.unwrap();
        let linked = |email: &'static str, login: &'static str| {
            let store = f.store.clone();
            async move {
                let a = account(&store, email).await;
                let changes = AccountChanges { github_login: Some(login.into()), name: None };
                accounts::update(&store, &a.id, changes).await.unwrap()
            }
        };
        let ada = linked("ada@example.com", "ada-gh").await;
        let bob = linked("bob@example.com", "bob-gh").await;
        let cy = linked("cy@example.com", "Cy-GH").await;
        let project = projects::create(
            &f.store,
            &ada.id,
            NewProject {
                name: "shop".into(),
                code_repo: Some(format!("{}/acme/shop", gh.url())),
                docs_repo: Some(format!("{}/acme/shop_docs", gh.url())),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        memberships::add(&f.store, &ada.id, &project.id, &bob.id, Role::Admin).await.unwrap();
        let secrets: Arc<dyn SecretStore> = Arc::new(Keyring);
        let host = format!("127.0.0.1:{}", gh.port);
        secrets.set(&ada.id, &host, &Secret::new(ADA_TOKEN)).expect("the OS keyring");
        secrets.set(&bob.id, &host, &Secret::new(BOB_TOKEN)).expect("the OS keyring");
        Team { gh, f, ada, bob, cy, project, secrets }
    }

    async fn overview(&self, who: &Account) -> team::Team {
        team::overview(&self.f.store, &self.secrets, &who.id, &self.project.id).await.unwrap()
    }

    async fn invite(
        &self,
        who: &Account,
        login: &str,
        role: Role,
    ) -> Result<team::TeamChange, Error> {
        team::invite(&self.f.store, &self.secrets, &who.id, &self.project.id, login, role).await
    }

    /// What GitHub holds for `acme/REPO`.
    fn held(&self, repo: &str) -> serde_json::Value {
        self.gh.collaborators("acme", repo)
    }

    async fn local_role(&self, who: &Account) -> Option<Role> {
        memberships::list(&self.f.store, &self.ada.id, &self.project.id)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.user_id == who.id)
            .map(|m| m.role)
    }
}

impl Drop for Team {
    fn drop(&mut self) {
        let host = format!("127.0.0.1:{}", self.gh.port);
        let _ = self.secrets.delete(&self.ada.id, &host);
        let _ = self.secrets.delete(&self.bob.id, &host);
    }
}

/// The error's wire view: code, field and the GitHub reason in its detail.
fn refusal(e: &Error) -> (Code, Option<String>, Option<GitHubReason>) {
    let view = e.to_view();
    let reason = match view.detail {
        Some(ErrorDetail::GitHub { reason }) => Some(reason),
        _ => None,
    };
    (view.code, view.field, reason)
}

#[tokio::test]
async fn the_members_page_shows_githubs_people_with_their_permission_as_our_role_beside_local_profiles(
) {
    let t = Team::new().await;
    t.gh.access("acme", "shop", "cy-gh", Some("write"));
    t.gh.access("acme", "shop", "dee-gh", Some("triage"));
    t.gh.user("eve-gh", "ghp_team_eve");
    t.gh.access("acme", "shop", "eve-gh", Some("maintain"));

    let page = t.overview(&t.ada).await;
    let local: Vec<(&str, Role)> =
        page.members.iter().map(|m| (m.email.as_str(), m.role)).collect();
    assert_eq!(local, [("ada@example.com", Role::Owner), ("bob@example.com", Role::Admin)]);
    assert_eq!(page.absent, None);
    let github = page.github.expect("GitHub's side");
    assert_eq!(github.repository, "acme/shop");
    assert_eq!(github.repositories, ["acme/shop", "acme/shop_docs"]);
    assert!(github.can_manage && !github.personal);
    let people: Vec<(&str, Role, &str, Option<&str>)> = github
        .people
        .iter()
        .map(|p| (p.login.as_str(), p.role, p.github_role.as_str(), p.email.as_deref()))
        .collect();
    assert_eq!(
        people,
        [
            ("ada-gh", Role::Owner, "admin", Some("ada@example.com")),
            ("cy-gh", Role::Member, "write", Some("cy@example.com")),
            ("eve-gh", Role::Member, "maintain", None),
            ("bob-gh", Role::Viewer, "read", Some("bob@example.com")),
            ("dee-gh", Role::Viewer, "triage", None),
        ]
    );
}

#[tokio::test]
async fn an_invitation_by_github_login_reaches_both_repositories_and_role_changes_and_removal_follow(
) {
    let t = Team::new().await;
    // Cy's profile here signed in as "Cy-GH": GitHub's logins compare without case.
    let invited = t.invite(&t.ada, "cy-gh", Role::Viewer).await.unwrap();
    let outcomes: Vec<(&str, Outcome)> =
        invited.repositories.iter().map(|c| (c.repository.as_str(), c.outcome)).collect();
    assert_eq!(outcomes, [("acme/shop", Outcome::Invited), ("acme/shop_docs", Outcome::Invited)]);
    assert_eq!(invited.profiles, ["cy@example.com"]);
    for repo in ["shop", "shop_docs"] {
        assert_eq!(
            t.held(repo)["invitations"],
            json!([{ "login": "cy-gh", "permissions": "read" }])
        );
    }
    assert_eq!(t.local_role(&t.cy).await, Some(Role::Viewer));
    let cy =
        t.overview(&t.ada).await.github.unwrap().people.into_iter().find(|p| p.login == "cy-gh");
    let cy = cy.expect("the invitee is listed");
    assert!(cy.invited && cy.role == Role::Viewer, "{cy:?}");

    // A role change reaches the pending invitations, then, once accepted, the collaborator.
    let changed =
        team::set_role(&t.f.store, &t.secrets, &t.ada.id, &t.project.id, "cy-gh", Role::Member)
            .await
            .unwrap();
    assert!(changed.repositories.iter().all(|c| c.outcome == Outcome::InvitationChanged));
    assert_eq!(t.held("shop_docs")["invitations"][0]["permissions"], "write");
    assert_eq!(t.local_role(&t.cy).await, Some(Role::Member));
    t.gh.accept("acme", "shop", "cy-gh");
    let changed =
        team::set_role(&t.f.store, &t.secrets, &t.ada.id, &t.project.id, "cy-gh", Role::Owner)
            .await
            .unwrap();
    let outcomes: Vec<Outcome> = changed.repositories.iter().map(|c| c.outcome).collect();
    assert_eq!(outcomes, [Outcome::RoleChanged, Outcome::InvitationChanged]);
    assert_eq!(t.held("shop")["access"]["cy-gh"], "admin");
    // GitHub's admin is our owner; here the owner is the creator, so Cy is an admin.
    assert_eq!(t.local_role(&t.cy).await, Some(Role::Admin));

    // A window on Cy's profile, another process on the same data dir, watches its list.
    let window = codemyspec_core::Store::open(t.f.dir.path()).await.unwrap();
    let watched = projects::removed_after(&window, &t.cy.id, i64::MAX).await.unwrap();
    let removed =
        team::remove(&t.f.store, &t.secrets, &t.ada.id, &t.project.id, "cy-gh").await.unwrap();
    let left = projects::removed_after(&window, &t.cy.id, watched.newest).await.unwrap();
    assert_eq!(left.projects, [t.project.id], "Cy's window is told the project left its list");
    let ada_left = projects::removed_after(&window, &t.ada.id, watched.newest).await.unwrap();
    assert!(ada_left.projects.is_empty(), "the owner's list keeps it");
    let outcomes: Vec<Outcome> = removed.repositories.iter().map(|c| c.outcome).collect();
    assert_eq!(outcomes, [Outcome::Removed, Outcome::InvitationCancelled]);
    assert!(t.held("shop")["access"].get("cy-gh").is_none());
    assert_eq!(t.held("shop_docs")["invitations"], json!([]));
    assert_eq!(t.local_role(&t.cy).await, None);
    let page = t.overview(&t.ada).await;
    assert!(page.github.unwrap().people.iter().all(|p| p.login != "cy-gh"));

    // Nobody left to remove, and the owner's login is not for removing.
    let gone =
        team::remove(&t.f.store, &t.secrets, &t.ada.id, &t.project.id, "cy-gh").await.unwrap_err();
    assert_eq!(
        refusal(&gone),
        (Code::NotFound, Some("login".into()), Some(GitHubReason::NotAMember))
    );
    let owner =
        team::remove(&t.f.store, &t.secrets, &t.bob.id, &t.project.id, "ADA-gh").await.unwrap_err();
    assert_eq!(refusal(&owner), (Code::Conflict, Some("login".into()), None));
    assert_eq!(t.held("shop")["access"]["ada-gh"], "admin");
}

#[tokio::test]
async fn a_token_that_is_not_an_admin_is_refused_at_the_field_and_nothing_changes_anywhere() {
    let t = Team::new().await;
    let before = snapshot(&t.f.store).await;
    let (code_before, docs_before) = (t.held("shop"), t.held("shop_docs"));

    // Bob manages the project here, but GitHub lets him only read.
    let e = t.invite(&t.bob, "cy-gh", Role::Member).await.unwrap_err();
    assert_eq!(refusal(&e), (Code::Forbidden, Some("login".into()), Some(GitHubReason::NotAdmin)));
    assert!(e.to_string().contains("acme/shop"), "{e}");
    let e = team::set_role(&t.f.store, &t.secrets, &t.bob.id, &t.project.id, "bob-gh", Role::Admin)
        .await
        .unwrap_err();
    assert_eq!(refusal(&e), (Code::Forbidden, Some("role".into()), Some(GitHubReason::NotAdmin)));
    let e =
        team::remove(&t.f.store, &t.secrets, &t.bob.id, &t.project.id, "bob-gh").await.unwrap_err();
    assert_eq!(refusal(&e), (Code::Forbidden, Some("login".into()), Some(GitHubReason::NotAdmin)));

    // An admin of the code repository only is refused before the code repository changes.
    t.gh.access("acme", "shop_docs", "ada-gh", Some("write"));
    let e = t.invite(&t.ada, "cy-gh", Role::Member).await.unwrap_err();
    assert_eq!(refusal(&e), (Code::Forbidden, Some("login".into()), Some(GitHubReason::NotAdmin)));
    assert!(e.to_string().contains("acme/shop_docs"), "{e}");
    assert_eq!(t.held("shop"), code_before);
    assert_eq!(t.held("shop_docs")["invitations"], docs_before["invitations"]);
    assert_eq!(snapshot(&t.f.store).await, before);

    // Bob sees the local members and why GitHub's people are not there.
    let page = t.overview(&t.bob).await;
    assert_eq!(page.members.len(), 2);
    let absent = page.absent.expect("a reason");
    assert_eq!(absent.reason, GitHubReason::NoAccess);
    assert!(absent.message.contains("write access"), "{}", absent.message);
}

#[tokio::test]
async fn an_unknown_login_a_malformed_one_and_a_role_github_cannot_give_are_refused_at_their_field()
{
    let t = Team::new().await;
    let dee = account(&t.f.store, "dee@example.com").await;
    let before = snapshot(&t.f.store).await;
    let e = t.invite(&t.ada, "nobody-at-all", Role::Member).await.unwrap_err();
    assert_eq!(refusal(&e), (Code::NotFound, Some("login".into()), Some(GitHubReason::NoSuchUser)));
    let e = t.invite(&t.ada, "not a login", Role::Member).await.unwrap_err();
    assert_eq!(refusal(&e), (Code::InvalidInput, Some("login".into()), None));
    // A viewer here cannot manage the team at all: refused before GitHub is asked.
    memberships::add(&t.f.store, &t.ada.id, &t.project.id, &dee.id, Role::Viewer).await.unwrap();
    let e = t.invite(&dee, "cy-gh", Role::Member).await.unwrap_err();
    assert_eq!(e.code(), Code::Forbidden);
    memberships::remove(&t.f.store, &t.ada.id, &t.project.id, &dee.id).await.unwrap();
    assert_eq!(snapshot(&t.f.store).await, before);
    assert_eq!(t.held("shop")["invitations"], json!([]));

    // A personal account's repositories give collaborators write only.
    let personal = projects::create(
        &t.f.store,
        &t.ada.id,
        NewProject {
            name: "notes".into(),
            code_repo: Some(format!("{}/ada-gh/notes", t.gh.url())),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    t.gh.repo("ada-gh", "notes");
    let e = team::invite(&t.f.store, &t.secrets, &t.ada.id, &personal.id, "cy-gh", Role::Viewer)
        .await
        .unwrap_err();
    assert_eq!(refusal(&e), (Code::InvalidInput, Some("role".into()), Some(GitHubReason::Refused)));
    assert_eq!(t.gh.collaborators("ada-gh", "notes")["invitations"], json!([]));
    let ok = team::invite(&t.f.store, &t.secrets, &t.ada.id, &personal.id, "cy-gh", Role::Member)
        .await
        .unwrap();
    assert_eq!(ok.repositories[0].outcome, Outcome::Invited);
    let page = team::overview(&t.f.store, &t.secrets, &t.ada.id, &personal.id).await.unwrap();
    assert!(page.github.unwrap().personal);
}

#[tokio::test]
async fn offline_a_change_is_unavailable_and_the_page_still_shows_local_members_saying_why() {
    let mut t = Team::new().await;
    let before = snapshot(&t.f.store).await;
    t.gh.stop();
    let e = t.invite(&t.ada, "cy-gh", Role::Member).await.unwrap_err();
    assert_eq!(
        refusal(&e),
        (Code::Unavailable, Some("login".into()), Some(GitHubReason::Unavailable))
    );
    let e =
        team::remove(&t.f.store, &t.secrets, &t.ada.id, &t.project.id, "bob-gh").await.unwrap_err();
    assert_eq!(e.code(), Code::Unavailable);
    assert_eq!(snapshot(&t.f.store).await, before, "no local change waits on GitHub");
    let page = t.overview(&t.ada).await;
    assert_eq!(page.members.len(), 2);
    assert_eq!(page.github, None);
    assert_eq!(page.absent.unwrap().reason, GitHubReason::Unavailable);
}

#[tokio::test]
async fn github_lost_between_the_two_repositories_says_what_was_done_and_the_same_invitation_finishes_it(
) {
    let t = Team::new().await;
    t.gh.control(
        "fail",
        json!({ "method": "PUT", "path": "/repos/acme/shop_docs/collaborators/cy-gh", "status": 502 }),
    );
    let e = t.invite(&t.ada, "cy-gh", Role::Member).await.unwrap_err();
    assert_eq!(
        refusal(&e),
        (Code::Unavailable, Some("login".into()), Some(GitHubReason::Unavailable))
    );
    assert!(e.to_string().contains("acme/shop invited"), "{e}");
    assert_eq!(t.local_role(&t.cy).await, None, "the local row waits for GitHub");
    let again = t.invite(&t.ada, "cy-gh", Role::Member).await.unwrap();
    let outcomes: Vec<Outcome> = again.repositories.iter().map(|c| c.outcome).collect();
    assert_eq!(outcomes, [Outcome::InvitationChanged, Outcome::Invited]);
    for repo in ["shop", "shop_docs"] {
        assert_eq!(
            t.held(repo)["invitations"],
            json!([{ "login": "cy-gh", "permissions": "write" }])
        );
    }
    assert_eq!(t.local_role(&t.cy).await, Some(Role::Member));
}

#[tokio::test]
async fn without_a_github_repository_or_a_token_the_page_shows_local_members_and_says_why() {
    let t = Team::new().await;
    let local = projects::create(
        &t.f.store,
        &t.ada.id,
        NewProject { name: "offline_app".into(), ..Default::default() },
    )
    .await
    .unwrap();
    let page = team::overview(&t.f.store, &t.secrets, &t.ada.id, &local.id).await.unwrap();
    assert_eq!(page.members.len(), 1);
    assert_eq!(page.absent.unwrap().reason, GitHubReason::NoRepository);
    let e = team::invite(&t.f.store, &t.secrets, &t.ada.id, &local.id, "cy-gh", Role::Member)
        .await
        .unwrap_err();
    assert_eq!(
        refusal(&e),
        (Code::Conflict, Some("login".into()), Some(GitHubReason::NoRepository))
    );

    t.secrets.delete(&t.ada.id, &format!("127.0.0.1:{}", t.gh.port)).unwrap();
    let page = t.overview(&t.ada).await;
    assert_eq!(page.members.len(), 2);
    let absent = page.absent.unwrap();
    assert_eq!(absent.reason, GitHubReason::NotSignedIn);
    assert!(absent.message.contains("github login"), "{}", absent.message);
    let e = t.invite(&t.ada, "cy-gh", Role::Member).await.unwrap_err();
    assert_eq!(
        refusal(&e),
        (Code::Unauthenticated, Some("login".into()), Some(GitHubReason::NotSignedIn))
    );
}

#[tokio::test]
async fn a_local_members_role_changes_here_and_the_owners_never_does() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let bob = account(&f.store, "bob@example.com").await;
    let p = project(&f.store, &ada, "shop").await;
    memberships::add(&f.store, &ada.id, &p.id, &bob.id, Role::Viewer).await.unwrap();
    let bob_now = memberships::set_role(&f.store, &ada.id, &p.id, &bob.id, Role::Admin).await;
    assert_eq!(bob_now.unwrap().role, Role::Admin);
    let e = memberships::set_role(&f.store, &bob.id, &p.id, &ada.id, Role::Member).await;
    assert_eq!(e.unwrap_err().code(), Code::Forbidden);
    let e = memberships::set_role(&f.store, &ada.id, &p.id, &bob.id, Role::Owner).await;
    assert_eq!(e.unwrap_err().field(), Some("role"));
    let roles: Vec<Role> = memberships::list(&f.store, &ada.id, &p.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.role)
        .collect();
    assert_eq!(roles, [Role::Owner, Role::Admin]);
}

#[tokio::test]
async fn before_the_docs_repository_exists_the_code_repositorys_people_show_and_no_change_is_half_made(
) {
    let t = Team::new().await;
    let early = projects::create(
        &t.f.store,
        &t.ada.id,
        NewProject {
            name: "early".into(),
            code_repo: Some(format!("{}/acme/shop", t.gh.url())),
            docs_repo: Some(format!("{}/acme/early_docs", t.gh.url())),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let page = team::overview(&t.f.store, &t.secrets, &t.ada.id, &early.id).await.unwrap();
    let github = page.github.expect("the code repository's people");
    assert_eq!(github.people.len(), 2);
    assert!(!github.can_manage, "a change could not reach the docs repository");
    let e = team::invite(&t.f.store, &t.secrets, &t.ada.id, &early.id, "cy-gh", Role::Member)
        .await
        .unwrap_err();
    assert_eq!(refusal(&e), (Code::Forbidden, Some("login".into()), Some(GitHubReason::NoAccess)));
    assert!(e.to_string().contains("acme/early_docs"), "{e}");
    assert_eq!(t.held("shop")["invitations"], json!([]));
}
