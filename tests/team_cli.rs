//! `codemyspec member … --github` against the local GitHub stand-in, with the OS keyring
//! (run under tests/with-session.sh, as `make test` does): the team GitHub says can reach a
//! project's code repository beside its local members; inviting, changing and removing by
//! GitHub login on both repositories; each refusal a typed error at its field.

use codemyspec_tests::{codemyspec, json_of, GitHubStandIn};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Output;

fn as_(dir: &Path, email: &str, args: &[&str]) -> Output {
    let mut all = vec!["--as", email];
    all.extend_from_slice(args);
    codemyspec(dir, &all, "")
}

/// The JSON error a failed run printed (its last line on stderr: octocrab's own log line
/// about a refused connection may come first), and its exit status.
fn refused(out: &Output) -> (Option<i32>, Value) {
    assert!(!out.status.success(), "expected a refusal: {}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    let err: Value = serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("stderr does not end in JSON ({e}): {stderr}"));
    (out.status.code(), err["error"].clone())
}

/// `acme/shop` and `acme/shop_docs`: ada-gh is an admin of both, bob-gh may read them. Ada
/// (the project's owner), Bob (an admin of it here) and Cy are profiles of one data dir,
/// each signed in to GitHub with their own token.
fn team() -> (GitHubStandIn, tempfile::TempDir) {
    let gh = GitHubStandIn::start();
    for (login, token) in
        [("ada-gh", "ghp_cli_ada"), ("bob-gh", "ghp_cli_bob"), ("cy-gh", "ghp_cli_cy")]
    {
        gh.user(login, token);
    }
    gh.org("acme");
    for repo in ["shop", "shop_docs"] {
        gh.repo("acme", repo);
        gh.access("acme", repo, "ada-gh", Some("admin"));
        gh.access("acme", repo, "bob-gh", Some("read"));
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for email in ["ada@example.com", "bob@example.com", "cy@example.com"] {
        json_of(&codemyspec(d, &["account", "create", "--email", email], "a long password\n"));
    }
    json_of(&codemyspec(d, &["config", "set", "github_api_url", &gh.url()], ""));
    for (email, token) in [
        ("ada@example.com", "ghp_cli_ada"),
        ("bob@example.com", "ghp_cli_bob"),
        ("cy@example.com", "ghp_cli_cy"),
    ] {
        let login = ["--as", email, "github", "login", "--with-token"];
        json_of(&codemyspec(d, &login, &format!("{token}\n")));
    }
    let code = format!("{}/acme/shop", gh.url());
    let docs = format!("{}/acme/shop_docs", gh.url());
    json_of(&as_(
        d,
        "ada@example.com",
        &[
            "project",
            "create",
            "shop",
            "--framework",
            "elixir",
            "--code-repo",
            &code,
            "--docs-repo",
            &docs,
        ],
    ));
    json_of(&as_(
        d,
        "ada@example.com",
        &["member", "add", "shop", "bob@example.com", "--role", "admin"],
    ));
    (gh, dir)
}

fn logout_all(dir: &Path) {
    for email in ["ada@example.com", "bob@example.com", "cy@example.com"] {
        let _ = as_(dir, email, &["github", "logout"]);
    }
}

#[test]
fn member_list_github_shows_githubs_people_as_our_roles_beside_the_local_members() {
    let (gh, dir) = team();
    gh.access("acme", "shop", "cy-gh", Some("maintain"));
    let d = dir.path();
    let page = json_of(&as_(d, "ada@example.com", &["member", "list", "shop", "--github"]));
    let local: Vec<(&str, &str)> = page["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["email"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(local, [("ada@example.com", "owner"), ("bob@example.com", "admin")]);
    let people: Vec<(&str, &str, &str)> = page["github"]["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["login"].as_str().unwrap(),
                p["role"].as_str().unwrap(),
                p["github_role"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        people,
        [
            ("ada-gh", "owner", "admin"),
            ("cy-gh", "member", "maintain"),
            ("bob-gh", "viewer", "read")
        ]
    );
    assert_eq!(
        page["github"]["people"][1]["email"], "cy@example.com",
        "the profile signed in as cy-gh"
    );

    // Bob may only read on GitHub: he sees the local members and why GitHub's are missing.
    let bobs = json_of(&as_(d, "bob@example.com", &["member", "list", "shop", "--github"]));
    assert_eq!(bobs["members"].as_array().unwrap().len(), 2);
    assert_eq!(bobs["github"], Value::Null);
    assert_eq!(bobs["absent"]["reason"], "no_access");
    // The plain list is the local members, as before.
    let plain = json_of(&as_(d, "bob@example.com", &["member", "list", "shop"]));
    assert_eq!(plain.as_array().unwrap().len(), 2);
    logout_all(d);
}

#[test]
fn member_add_role_and_remove_by_github_login_change_both_repositories_and_the_profile_here() {
    let (gh, dir) = team();
    let d = dir.path();
    let added = json_of(&as_(
        d,
        "ada@example.com",
        &["member", "add", "shop", "--github", "cy-gh", "--role", "viewer"],
    ));
    assert_eq!(
        added["repositories"],
        json!([
            { "repository": "acme/shop", "outcome": "invited" },
            { "repository": "acme/shop_docs", "outcome": "invited" }
        ])
    );
    assert_eq!(added["profiles"], json!(["cy@example.com"]));
    for repo in ["shop", "shop_docs"] {
        let held = gh.collaborators("acme", repo);
        assert_eq!(held["invitations"], json!([{ "login": "cy-gh", "permissions": "read" }]));
    }
    let list = json_of(&as_(d, "ada@example.com", &["member", "list", "shop"]));
    let cy = list.as_array().unwrap().iter().find(|m| m["email"] == "cy@example.com").cloned();
    assert_eq!(cy.expect("cy is a member here")["role"], "viewer");

    gh.accept("acme", "shop", "cy-gh");
    gh.accept("acme", "shop_docs", "cy-gh");
    let changed = json_of(&as_(
        d,
        "ada@example.com",
        &["member", "role", "shop", "--github", "cy-gh", "--role", "member"],
    ));
    assert_eq!(changed["repositories"][0]["outcome"], "role_changed");
    assert_eq!(gh.collaborators("acme", "shop_docs")["access"]["cy-gh"], "write");
    let page = json_of(&as_(d, "ada@example.com", &["member", "list", "shop", "--github"]));
    let cy = page["github"]["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["login"] == "cy-gh")
        .cloned();
    assert_eq!(cy.expect("listed")["role"], "member");

    let removed =
        json_of(&as_(d, "ada@example.com", &["member", "remove", "shop", "--github", "cy-gh"]));
    assert_eq!(
        removed["repositories"][1],
        json!({ "repository": "acme/shop_docs", "outcome": "removed" })
    );
    for repo in ["shop", "shop_docs"] {
        assert!(gh.collaborators("acme", repo)["access"].get("cy-gh").is_none());
    }
    let list = json_of(&as_(d, "ada@example.com", &["member", "list", "shop"]));
    assert!(list.as_array().unwrap().iter().all(|m| m["email"] != "cy@example.com"));
    logout_all(d);
}

#[test]
fn each_refusal_is_a_typed_error_at_its_field_and_changes_nothing() {
    let (mut gh, dir) = team();
    let d = dir.path();
    let before = gh.collaborators("acme", "shop");

    // Not an admin on GitHub (Bob manages the project here, but may only read there).
    let (status, err) =
        refused(&as_(d, "bob@example.com", &["member", "add", "shop", "--github", "cy-gh"]));
    assert_eq!(status, Some(6));
    assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("forbidden"), Some("login")));
    assert_eq!(err["detail"], json!({ "kind": "github", "reason": "not_admin" }));
    let (status, err) = refused(&as_(
        d,
        "bob@example.com",
        &["member", "role", "shop", "--github", "bob-gh", "--role", "admin"],
    ));
    assert_eq!(status, Some(6));
    assert_eq!(err["field"], "role");

    // No such user.
    let (status, err) = refused(&as_(
        d,
        "ada@example.com",
        &["member", "add", "shop", "--github", "no-such-person"],
    ));
    assert_eq!(status, Some(4));
    assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("not_found"), Some("login")));
    assert_eq!(err["detail"]["reason"], "no_such_user");

    // Not a login at all, and a role that does not exist.
    let (status, err) =
        refused(&as_(d, "ada@example.com", &["member", "add", "shop", "--github", "two words"]));
    assert_eq!((status, err["field"].as_str()), (Some(3), Some("login")));
    let (status, err) = refused(&as_(
        d,
        "ada@example.com",
        &["member", "add", "shop", "--github", "cy-gh", "--role", "boss"],
    ));
    assert_eq!((status, err["field"].as_str()), (Some(3), Some("role")));
    assert_eq!(gh.collaborators("acme", "shop"), before);

    // Offline: unavailable, and no local change waits for GitHub.
    gh.stop();
    let (status, err) =
        refused(&as_(d, "ada@example.com", &["member", "add", "shop", "--github", "cy-gh"]));
    assert_eq!(status, Some(1));
    assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("unavailable"), Some("login")));
    let list = json_of(&as_(d, "ada@example.com", &["member", "list", "shop"]));
    assert_eq!(list.as_array().unwrap().len(), 2);
    let page = json_of(&as_(d, "ada@example.com", &["member", "list", "shop", "--github"]));
    assert_eq!(page["absent"]["reason"], "unavailable");
    logout_all(d);
}
