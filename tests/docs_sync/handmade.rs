//! Issue 23: people working in the docs repository itself (a clone and `git push`, as GitHub's
//! web editor does): a story file added by hand without an id, one deleted by hand, and the
//! README's overview of the spec.

use super::machine::*;
use codemyspec_tests::GitServer;
use serde_json::Value;

fn stories(m: &Machine) -> Vec<Value> {
    m.run(&["story", "list", "--project", "shop"]).as_array().cloned().unwrap_or_default()
}

fn titled<'a>(list: &'a [Value], title: &str) -> Vec<&'a Value> {
    list.iter().filter(|s| s["title"] == title).collect()
}

fn readme(web: &Web) -> String {
    web.pull();
    std::fs::read_to_string(web.work.join("README.md")).unwrap()
}

#[test]
fn a_story_file_deleted_by_hand_on_github_is_deleted_here() {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    let gone = a.story("Gift cards", "Pay with a card someone gave you.");
    let kept = a.story("Checkout", "Pay for the cart.");
    a.sync();
    let web = Web::clone(&git, "acme", "shop_docs");
    std::fs::remove_file(web.path_of("stories", &gone)).unwrap();
    web.push("Delete gift cards");

    let report = a.sync();
    assert_eq!(a.get_story(&gone), None, "the story deleted on GitHub is still here: {report}");
    assert!(a.get_story(&kept).is_some());
    assert!(a.conflicts().is_empty(), "{:?}", a.conflicts());
    assert!(!readme(&web).contains("Gift cards"), "the overview still lists the deleted story");
}

#[test]
fn a_story_added_by_hand_with_only_a_title_arrives_and_its_file_gains_an_id_in_the_next_commit() {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    a.story("Checkout", "Pay for the cart.");
    a.sync();
    let web = Web::clone(&git, "acme", "shop_docs");
    // As GitHub's "Add file" leaves it: CRLF, a byte order mark, only a title, a body.
    let path = web.work.join("stories/wishlist.md");
    std::fs::write(&path, "\u{feff}---\r\ntitle: Wishlist\r\n---\r\nKeep things for later.\r\n")
        .unwrap();
    // And one that cannot become a story: no title.
    std::fs::write(web.work.join("stories/untitled.md"), "---\nstatus: draft\n---\nSomething.\n")
        .unwrap();
    web.push("Add a wishlist story");
    let before = git.commits("acme", "shop_docs");

    let report = a.sync();
    assert_eq!(report["added"], 1, "{report}");
    let list = stories(&a);
    let found = titled(&list, "Wishlist");
    assert_eq!(found.len(), 1, "{list:?}");
    let story = found[0];
    assert_eq!(story["description"], "Keep things for later.");
    assert_eq!(story["status"], "draft");
    let id = story["id"].as_str().unwrap();

    // The same file, same name, now with its id and the fields the app filled in.
    assert_eq!(git.commits("acme", "shop_docs"), before + 1);
    web.pull();
    let file = std::fs::read_to_string(&path).unwrap();
    assert!(file.contains(&format!("id: \"{id}\"")), "{file}");
    assert!(file.contains("status: \"draft\"") && file.contains("version: 1"), "{file}");
    assert!(readme(&web).contains("[Wishlist](stories/wishlist.md) | draft | no"));

    let status = a.status();
    assert_eq!(status["added"], 1, "{status}");
    let problem = status["problems"].as_array().unwrap();
    assert!(
        problem.iter().any(|p| p["path"] == "stories/untitled.md"
            && p["message"].as_str().unwrap().contains("add a line `title: ...`")),
        "{status}"
    );

    // A second sync adds nothing and makes no commit.
    let again = a.sync();
    assert_eq!(again["added"], 0, "{again}");
    assert_eq!(git.commits("acme", "shop_docs"), before + 1);
    assert_eq!(titled(&stories(&a), "Wishlist").len(), 1);
}

#[test]
fn a_hand_made_story_named_like_another_stays_a_problem_that_says_what_to_change() {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    a.story("Checkout", "Pay for the cart.");
    a.sync();
    let web = Web::clone(&git, "acme", "shop_docs");
    std::fs::write(web.work.join("stories/checkout-again.md"), "---\ntitle: Checkout\n---\n")
        .unwrap();
    web.push("Another checkout");
    let report = a.sync();
    assert_eq!(titled(&stories(&a), "Checkout").len(), 1, "{report}");
    let problems = a.status()["problems"].as_array().cloned().unwrap();
    assert!(
        problems.iter().any(|p| p["path"] == "stories/checkout-again.md"
            && p["message"].as_str().unwrap().contains("give it a title no other story has")),
        "{problems:?}"
    );
}

#[test]
fn two_machines_syncing_around_a_hand_made_story_end_with_one_entity() {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    a.story("Checkout", "Pay for the cart.");
    a.sync();
    let b = Machine::new(&git, "bob@example.com", &url);
    b.sync();
    let web = Web::clone(&git, "acme", "shop_docs");
    std::fs::write(web.work.join("stories/returns.md"), "---\ntitle: Returns\n---\nSend back.\n")
        .unwrap();
    web.push("Add returns");

    // Both machines read the file without an id at the same moment: each makes the entity
    // and writes the id; whichever pushes second merges with the first one's commit.
    let (mut sa, mut sb) = (spawn_sync(&a), spawn_sync(&b));
    assert!(sa.wait().unwrap().success() && sb.wait().unwrap().success());
    a.sync();
    b.sync();
    let (on_a, on_b) = (stories(&a), stories(&b));
    let (ra, rb) = (titled(&on_a, "Returns"), titled(&on_b, "Returns"));
    assert_eq!((ra.len(), rb.len()), (1, 1), "A: {on_a:?}\nB: {on_b:?}");
    assert_eq!(ra[0]["id"], rb[0]["id"], "one entity, the same id on both machines");
    let in_repo = repo_files(&git).values().filter(|f| f.contains("title: \"Returns\"")).count();
    assert_eq!(in_repo, 1);
    assert!(a.conflicts().is_empty() && b.conflicts().is_empty());
}

#[test]
fn the_overview_changes_only_when_the_listed_set_changes() {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    let checkout = a.story("Checkout", "Pay for the cart.");
    a.sync();
    let web = Web::clone(&git, "acme", "shop_docs");
    let first = readme(&web);
    assert!(first.contains("| Checkout") || first.contains("[Checkout](stories/"), "{first}");

    // A description is not listed: a commit, the same README.
    let commits = git.commits("acme", "shop_docs");
    a.edit_story(&checkout, "--description", "Pay for the whole cart.");
    a.sync();
    assert_eq!(git.commits("acme", "shop_docs"), commits + 1);
    assert_eq!(readme(&web), first);

    // A title is: the README follows.
    a.edit_story(&checkout, "--title", "Pay");
    a.sync();
    let renamed = readme(&web);
    assert!(renamed.contains("[Pay](stories/checkout-"), "{renamed}");
    assert_ne!(renamed, first);

    // Nothing changed: no commit at all.
    let commits = git.commits("acme", "shop_docs");
    a.sync();
    assert_eq!(git.commits("acme", "shop_docs"), commits);

    // A person's words around the overview are kept.
    let mine = format!("{renamed}\nWritten by a person.\n");
    std::fs::write(web.work.join("README.md"), &mine).unwrap();
    web.push("README note");
    a.edit_story(&checkout, "--title", "Pay now");
    a.sync();
    let after = readme(&web);
    assert!(after.contains("Written by a person.") && after.contains("[Pay now]"), "{after}");
}

#[test]
fn a_persons_formatting_is_kept_until_the_app_has_a_change_of_its_own_for_that_entity() {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    let checkout = a.story("Checkout", "Pay for the cart.");
    a.sync();
    let web = Web::clone(&git, "acme", "shop_docs");
    let theirs = format!(
        "\u{feff}---\r\nversion: 1\r\ntitle: Checkout by card\r\nid: {checkout}\r\nstatus: ready\r\n---\r\n# Checkout\r\n\r\nPay for the cart.\r\n"
    );
    web.write("stories", &checkout, &theirs);
    web.push("Plain YAML, Windows line ends");

    let report = a.sync();
    let story = a.get_story(&checkout).unwrap();
    assert_eq!(
        (story["title"].as_str(), story["status"].as_str()),
        (Some("Checkout by card"), Some("ready")),
        "{report}"
    );
    web.pull();
    assert_eq!(web.read("stories", &checkout), theirs, "the import rewrote their file");

    a.edit_story(&checkout, "--description", "Pay for the whole cart.");
    a.sync();
    web.pull();
    let mine = web.read("stories", &checkout);
    assert!(mine.starts_with("---\nid: \"") && mine.contains("Pay for the whole cart."), "{mine}");
}
