//! The org listing without noise (issue 18) through the `codemyspec` binary, against the
//! GitHub stand-in, with the OS keyring (run under tests/with-session.sh): forks and
//! archived repositories come in only when the profile asks; `sync ignore`, `sync ignored`,
//! `sync unignore`; deleting a discovered project asks whether to ignore it; a code and a docs
//! repository are one project; a renamed repository shows its new name beside the project's.

use codemyspec_tests::{cli_bin, codemyspec, json_of, GitHubStandIn};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Output};

fn ada(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut all = vec!["--as", "ada@example.com"];
    all.extend_from_slice(args);
    codemyspec(dir, &all, stdin)
}

fn ok(dir: &Path, args: &[&str]) -> Value {
    json_of(&ada(dir, args, ""))
}

/// The projects as `project list --json` shows them: name → the project.
fn listed(dir: &Path) -> Vec<(String, Value)> {
    let mut all: Vec<(String, Value)> = ok(dir, &["project", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_owned(), p.clone()))
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0));
    all
}

fn names(dir: &Path) -> Vec<String> {
    listed(dir).into_iter().map(|(name, _)| name).collect()
}

fn discovered(dir: &Path) -> i64 {
    let run = ok(dir, &["sync", "now"]);
    assert_eq!(run["status"], "ok", "{run}");
    run["discovered"].as_i64().unwrap()
}

#[test]
fn ignored_repositories_stay_out_forks_come_in_when_asked_and_a_rename_shows_beside_the_name() {
    let gh = GitHubStandIn::start();
    gh.user("ada-gh", "ghp_noise_cli");
    gh.org("acme");
    for name in ["shop", "shop_docs", "blog"] {
        gh.repo("acme", name);
    }
    gh.control("repos", json!({ "owner": "acme", "name": "fork", "fork": true }));
    gh.control("repos", json!({ "owner": "acme", "name": "old", "archived": true }));
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    json_of(&codemyspec(
        d,
        &["account", "create", "--email", "ada@example.com"],
        "a long password\n",
    ));
    json_of(&codemyspec(d, &["config", "set", "github_api_url", &gh.url()], ""));
    ok(d, &["config", "set", "github_org", "acme"]);
    json_of(&ada(d, &["github", "login", "--with-token"], "ghp_noise_cli\n"));

    // Neither the fork nor the archived one; shop and its docs repository are one project.
    assert_eq!(discovered(d), 2);
    assert_eq!(names(d), ["blog", "shop"]);
    let shop = ok(d, &["project", "show", "shop"]);
    assert_eq!(shop["repository"], "acme/shop");
    assert!(shop["docs_repo"].as_str().unwrap().ends_with("/acme/shop_docs"), "{shop}");

    // The profile asks for forks: `config set`, seen in `config list`.
    let bad = ada(d, &["config", "set", "sync_include_forks", "maybe"], "");
    assert_eq!(bad.status.code(), Some(3), "true or false");
    ok(d, &["config", "set", "sync_include_forks", "true"]);
    let config = ok(d, &["config", "list"]);
    let row = |key: &str| config.as_array().unwrap().iter().find(|r| r["key"] == key).cloned();
    assert_eq!(row("sync_include_forks").unwrap()["value"], "true");
    assert_eq!(row("sync_include_archived").unwrap()["value"], Value::Null);
    assert_eq!(discovered(d), 1);
    assert_eq!(names(d), ["blog", "fork", "shop"]);

    // `sync ignore` a discovered project: gone, listed as ignored, not brought back.
    let done = ok(d, &["sync", "ignore", "shop"]);
    assert_eq!(done["removed_project"]["name"], "shop");
    assert_eq!(done["ignored"]["full_name"], "acme/shop");
    let ignored = ok(d, &["sync", "ignored"]);
    assert_eq!(ignored.as_array().unwrap().len(), 1);
    assert_eq!(ignored[0]["full_name"], "acme/shop");
    assert_eq!(discovered(d), 0);
    assert_eq!(names(d), ["blog", "fork"]);

    // Deleting a discovered project asks whether to ignore it: "y" ignores it too.
    let asked = ada(d, &["project", "delete", "fork"], "y\n");
    assert!(asked.status.success(), "{}", String::from_utf8_lossy(&asked.stderr));
    assert!(String::from_utf8_lossy(&asked.stderr).contains("ignore acme/fork too"));
    // No answer (or "n") deletes it only: the sync brings it back at its next run.
    let blog = ada(d, &["project", "delete", "blog"], "");
    assert!(blog.status.success(), "{}", String::from_utf8_lossy(&blog.stderr));
    assert_eq!(names(d), Vec::<String>::new());
    let ignored: Vec<String> = ok(d, &["sync", "ignored"])
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["full_name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ignored, ["acme/fork", "acme/shop"]);

    // blog is renamed on GitHub meanwhile: it comes back under its new repository name, and
    // a project renamed after it is imported keeps its own name.
    gh.control("rename", json!({ "owner": "acme", "name": "blog", "new_name": "journal" }));
    assert_eq!(discovered(d), 1);
    assert_eq!(names(d), ["journal"]);
    ok(d, &["sync", "unignore", "acme/shop"]);
    assert_eq!(discovered(d), 1, "shop is back, with its docs");
    assert_eq!(names(d), ["journal", "shop"]);
    gh.control("rename", json!({ "owner": "acme", "name": "shop", "new_name": "storefront" }));
    let run = ok(d, &["sync", "now"]);
    assert_eq!(run["renamed"], 1, "{run}");
    let shop = ok(d, &["project", "show", "shop"]);
    assert_eq!(
        (shop["name"].as_str(), shop["repository"].as_str()),
        (Some("shop"), Some("acme/storefront"))
    );
    let table = Command::new(cli_bin())
        .args(["--as", "ada@example.com", "project", "list"])
        .env("CODEMYSPEC_DATA_DIR", d)
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&table.stdout);
    let row = table.lines().find(|l| l.starts_with("shop ")).unwrap_or_else(|| panic!("{table}"));
    assert!(row.contains("acme/storefront"), "the project's name and its repository's: {row}");
    assert!(table.lines().next().unwrap().contains("REPOSITORY"), "{table}");

    // Unknown names are said so, with their exit codes.
    assert_eq!(ada(d, &["sync", "unignore", "acme/nothing"], "").status.code(), Some(4));
    assert_eq!(ada(d, &["sync", "ignore", "acme/"], "").status.code(), Some(3));
    ok(d, &["project", "update", "journal", "--description", "ours now"]);
    let worked_on = ada(d, &["sync", "ignore", "journal"], "");
    assert_eq!(worked_on.status.code(), Some(5), "worked on: a conflict");
    assert!(String::from_utf8_lossy(&worked_on.stderr).contains("delete it"));
    assert_eq!(names(d), ["journal", "shop"], "nothing deleted");
    // Deleting it with --ignore answers beforehand: both, whatever it held.
    ok(d, &["project", "delete", "journal", "--ignore"]);
    assert_eq!(names(d), ["shop"]);
    assert!(ok(d, &["sync", "ignored"]).to_string().contains("acme/journal"));
    // --ignore on a project of one's own (not discovered) is refused, and deletes nothing.
    ok(d, &["project", "create", "mine"]);
    let refused = ada(d, &["project", "delete", "mine", "--ignore"], "");
    assert_eq!(refused.status.code(), Some(5), "{}", String::from_utf8_lossy(&refused.stderr));
    assert_eq!(names(d), ["mine", "shop"]);
    json_of(&ada(d, &["github", "logout"], ""));
}
