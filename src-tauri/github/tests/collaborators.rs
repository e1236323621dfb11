//! A repository's collaborators and invitations through the client, against the local GitHub
//! stand-in: GitHub's payloads over `Link` pages, invitations and role changes, and its
//! refusals as typed errors.

use codemyspec_github::{Added, Client, GitHubError, Permission};
use codemyspec_tests::GitHubStandIn;

const ADMIN: &str = "ghp_collab_ada";
const READER: &str = "ghp_collab_bob";

/// `acme/shop`, where ada is an admin and bob may read; cy and dee have accounts.
fn team() -> (GitHubStandIn, Client, Client) {
    let gh = GitHubStandIn::start();
    gh.user("ada", ADMIN);
    gh.user("bob", READER);
    gh.user("cy", "ghp_collab_cy");
    gh.user("dee", "ghp_collab_dee");
    gh.org("acme");
    gh.repo("acme", "shop");
    gh.access("acme", "shop", "ada", Some("admin"));
    gh.access("acme", "shop", "bob", Some("read"));
    let admin = Client::new(&gh.url(), Some(ADMIN)).unwrap();
    let reader = Client::new(&gh.url(), Some(READER)).unwrap();
    (gh, admin, reader)
}

#[tokio::test]
async fn everyone_who_can_reach_a_repository_is_listed_with_their_role_over_every_page() {
    let (gh, admin, _) = team();
    for i in 0..120 {
        let login = format!("dev{i:03}");
        gh.user(&login, &format!("ghp_dev{i:03}"));
        gh.access("acme", "shop", &login, Some(if i % 2 == 0 { "write" } else { "triage" }));
    }
    let people = admin.collaborators("acme", "shop").await.unwrap();
    assert_eq!(people.len(), 122, "two pages of 100, all of them");
    let ada = people.iter().find(|c| c.login == "ada").unwrap();
    assert_eq!((ada.permission(), ada.permissions.admin), (Some(Permission::Admin), true));
    let bob = people.iter().find(|c| c.login == "bob").unwrap();
    assert_eq!(bob.permission(), Some(Permission::Read));
    assert!(bob.permissions.pull && !bob.permissions.push);
    let dev1 = people.iter().find(|c| c.login == "dev001").unwrap();
    assert_eq!(dev1.role_name.as_deref(), Some("triage"));
    let access = admin.repo_access("acme", "shop").await.unwrap().unwrap();
    assert!(access.permissions.admin && !access.personal());
}

#[tokio::test]
async fn an_invitation_waits_until_accepted_and_a_collaborators_role_changes_in_place() {
    let (gh, admin, _) = team();
    let Added::Invited(invitation) =
        admin.add_collaborator("acme", "shop", "cy", Permission::Write).await.unwrap()
    else {
        panic!("cy is new to acme/shop: invited");
    };
    assert_eq!(invitation.invitee.unwrap().login, "cy");
    assert_eq!(invitation.permissions, "write");
    // Not a collaborator until they accept; meanwhile the invitation is listed.
    let logins: Vec<String> =
        admin.collaborators("acme", "shop").await.unwrap().into_iter().map(|c| c.login).collect();
    assert!(!logins.contains(&"cy".to_owned()), "{logins:?}");
    let pending = admin.invitations("acme", "shop").await.unwrap();
    assert_eq!(pending.len(), 1);
    let changed =
        admin.update_invitation("acme", "shop", pending[0].id, Permission::Read).await.unwrap();
    assert_eq!(changed.permissions, "read");
    gh.accept("acme", "shop", "cy");
    assert_eq!(gh.collaborators("acme", "shop")["access"]["cy"], "read");

    assert_eq!(
        admin.add_collaborator("acme", "shop", "bob", Permission::Maintain).await.unwrap(),
        Added::Updated
    );
    assert_eq!(gh.collaborators("acme", "shop")["access"]["bob"], "maintain");

    // A removal also cancels a pending invitation.
    admin.add_collaborator("acme", "shop", "dee", Permission::Read).await.unwrap();
    admin.remove_collaborator("acme", "shop", "dee").await.unwrap();
    admin.remove_collaborator("acme", "shop", "cy").await.unwrap();
    let held = gh.collaborators("acme", "shop");
    assert_eq!(held["invitations"], serde_json::json!([]));
    assert!(held["access"].get("cy").is_none(), "{held}");
}

#[tokio::test]
async fn a_token_without_rights_and_an_unknown_login_are_refused_in_githubs_words() {
    let (gh, admin, reader) = team();
    let listing = reader.collaborators("acme", "shop").await.unwrap_err();
    assert_eq!(
        listing,
        GitHubError::Forbidden {
            message: "Must have push access to view repository collaborators.".into()
        }
    );
    let invite = reader.add_collaborator("acme", "shop", "cy", Permission::Read).await.unwrap_err();
    assert_eq!(
        invite,
        GitHubError::Forbidden { message: "Must have admin rights to Repository.".into() }
    );
    assert!(matches!(
        reader.invitations("acme", "shop").await.unwrap_err(),
        GitHubError::Forbidden { .. }
    ));
    assert_eq!(gh.collaborators("acme", "shop")["invitations"], serde_json::json!([]));

    assert_eq!(admin.user_named("nobody-here").await.unwrap(), None);
    assert_eq!(admin.user_named("cy").await.unwrap().unwrap().login, "cy");
    assert!(matches!(
        admin.add_collaborator("acme", "shop", "nobody-here", Permission::Read).await.unwrap_err(),
        GitHubError::NotFound { .. }
    ));
    // A repository the token cannot see at all does not exist for it.
    let stranger = Client::new(&gh.url(), Some("ghp_collab_dee")).unwrap();
    assert_eq!(stranger.repo_access("acme", "shop").await.unwrap(), None);
}

#[tokio::test]
async fn a_personal_repository_gives_its_collaborators_write_whatever_was_asked() {
    let gh = GitHubStandIn::start();
    gh.user("ada", ADMIN);
    gh.user("cy", "ghp_collab_cy");
    gh.repo("ada", "notes");
    let ada = Client::new(&gh.url(), Some(ADMIN)).unwrap();
    let access = ada.repo_access("ada", "notes").await.unwrap().unwrap();
    assert!(access.personal() && access.permissions.admin);
    let Added::Invited(invitation) =
        ada.add_collaborator("ada", "notes", "cy", Permission::Read).await.unwrap()
    else {
        panic!("invited");
    };
    assert_eq!(invitation.permissions, "write");
    let owner = ada.add_collaborator("ada", "notes", "ada", Permission::Write).await.unwrap_err();
    assert!(
        matches!(&owner, GitHubError::Invalid { message } if message.contains("Repository owner cannot be a collaborator")),
        "{owner:?}"
    );
}
