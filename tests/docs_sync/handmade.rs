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

/// Where most of these tests start: Ada's machine with one story (Checkout) synced to the
/// docs repository, and a clone of it to change by hand, as on GitHub. The git server stops
/// when `git` is dropped: bind it (`git: _git`) for the whole test.
struct Synced {
    git: GitServer,
    a: Machine,
    checkout: String,
    web: Web,
}

fn synced_checkout() -> Synced {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    let checkout = a.story("Checkout", "Pay for the cart.");
    a.sync();
    let web = Web::clone(&git, "acme", "shop_docs");
    Synced { git, a, checkout, web }
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
    let Synced { git, a, web, .. } = synced_checkout();
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
    let Synced { git: _git, a, web, .. } = synced_checkout();
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
    // The server holds each push for 3 s: B reads the file while A's push (with the id) hangs.
    let git = GitServer::start_with_push_delay(3);
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

    // A imports the file and makes its commit with the id; before that push is through, B reads
    // the same file without an id, makes the entity and pushes too: one push loses the race,
    // and that machine merges again with the other's commit.
    let remote_main = || {
        git2::Repository::open_bare(git.root.path().join("acme/shop_docs.git"))
            .and_then(|r| r.refname_to_id("refs/heads/main"))
            .ok()
    };
    let pushed = remote_main();
    let committed_here = || {
        let clones = std::fs::read_dir(a.path().join("docs")).into_iter().flatten().flatten();
        clones.filter(|e| e.path().extension().is_some_and(|x| x == "git")).any(|e| {
            git2::Repository::open_bare(e.path())
                .and_then(|r| r.refname_to_id("refs/heads/main"))
                .is_ok_and(|id| Some(id) != pushed)
        })
    };
    let sa = spawn_sync(&a);
    let started = std::time::Instant::now();
    while !committed_here() && started.elapsed() < std::time::Duration::from_secs(20) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(remote_main(), pushed, "A's push is held by the server");
    let sb = spawn_sync(&b);
    let (ra, rb) = (sa.wait_with_output().unwrap(), sb.wait_with_output().unwrap());
    assert!(ra.status.success() && rb.status.success());
    let (ra, rb): (Value, Value) =
        (serde_json::from_slice(&ra.stdout).unwrap(), serde_json::from_slice(&rb.stdout).unwrap());
    assert_eq!((ra["added"].as_u64(), rb["added"].as_u64()), (Some(1), Some(1)), "{ra}\n{rb}");
    // Whichever pushed second merged twice: it read the file without an id, then A's or B's.
    let merges = (ra["merges"].as_u64(), rb["merges"].as_u64());
    assert!(merges == (Some(1), Some(2)) || merges == (Some(2), Some(1)), "no race: {ra}\n{rb}");

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
    let Synced { git, a, checkout, web } = synced_checkout();
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
    let link = format!("[Pay](stories/{}/checkout-{}.md)", &checkout[..2], &checkout[..8]);
    assert!(renamed.contains(&link), "{renamed}");
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
    let Synced { git: _git, a, checkout, web } = synced_checkout();
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

#[test]
fn a_context_and_a_component_added_by_hand_with_only_a_name_arrive_with_defaults() {
    let Synced { git: _git, a, checkout, web } = synced_checkout();
    for folder in ["contexts", "components"] {
        std::fs::create_dir_all(web.work.join(folder)).unwrap();
    }
    std::fs::write(
        web.work.join("contexts/payments.md"),
        format!("---\nname: Payments\nstories:\n  - {checkout}\n---\nTaking money.\n"),
    )
    .unwrap();
    std::fs::write(
        web.work.join("components/card-charge.md"),
        "---\nname: Payments.CardCharge\n---\n",
    )
    .unwrap();
    web.push("A context and a component by hand");

    let report = a.sync();
    assert_eq!(report["added"], 2, "{report}");
    let contexts = a.run(&["context", "list", "--project", "shop"]);
    let payments = contexts.as_array().unwrap().iter().find(|c| c["name"] == "Payments");
    let payments = payments.unwrap_or_else(|| panic!("{contexts}"));
    assert_eq!(
        (payments["type"].as_str(), payments["description"].as_str()),
        (Some("domain"), Some("Taking money."))
    );
    let linked = a.run(&["context", "stories", payments["id"].as_str().unwrap()]);
    assert!(linked.to_string().contains(&checkout), "{linked}");
    let components = a.run(&["component", "list", "--project", "shop"]);
    let charge = components.as_array().unwrap().iter().find(|c| c["name"] == "Payments.CardCharge");
    let charge = charge.unwrap_or_else(|| panic!("{components}"));
    assert_eq!(
        (charge["type"].as_str(), charge["file_path"].as_str()),
        (Some("other"), Some("lib/payments/card_charge.ex"))
    );

    web.pull();
    for (folder, file) in [("contexts", "payments.md"), ("components", "card-charge.md")] {
        let text = std::fs::read_to_string(web.work.join(folder).join(file)).unwrap();
        assert!(text.starts_with("---\nid: \""), "{folder}/{file} has no id: {text}");
    }
    let overview = std::fs::read_to_string(web.work.join("README.md")).unwrap();
    assert!(
        overview.contains(&format!(
            "| [Payments](contexts/payments.md) | [Checkout](stories/{}/checkout-",
            &checkout[..2]
        )),
        "{overview}"
    );
    assert!(
        overview
            .contains("| [Payments.CardCharge](components/card-charge.md) | — | no | no | no |"),
        "{overview}"
    );
}

#[test]
fn a_file_whose_id_line_was_removed_by_hand_stays_its_entity_and_says_to_put_the_id_back() {
    let Synced { git: _git, a, checkout, web } = synced_checkout();
    let without_id: String = web
        .read("stories", &checkout)
        .lines()
        .filter(|l| !l.starts_with("id: "))
        .map(|l| format!("{l}\n"))
        .collect();
    web.write("stories", &checkout, &without_id);
    web.push("Oops, the id line");

    let report = a.sync();
    assert_eq!(report["added"], 0, "{report}");
    let list = stories(&a);
    assert_eq!(titled(&list, "Checkout").len(), 1, "{list:?}");
    assert!(a.get_story(&checkout).is_some(), "the story was replaced by a new one");
    let problems = a.status()["problems"].as_array().cloned().unwrap();
    assert!(
        problems.iter().any(|p| p["message"]
            .as_str()
            .unwrap()
            .contains(&format!("add back the line `id: {checkout}`"))),
        "{problems:?}"
    );
}
