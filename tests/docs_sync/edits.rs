//! Edits on two machines, offline and online: merged per field, clashes kept, nothing lost;
//! the remote down, a killed push, a lost race, a worker publishing by itself.

use super::machine::*;
use codemyspec_tests::{codemyspec, json_of, GitServer};
use serde_json::Value;
use std::process::Output;
use std::time::{Duration, Instant};

fn scenario(first_is_a: bool) {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    let checkout = a.story("Checkout", "Pay for the cart.");
    let refunds = a.story("Refunds", "Money back.");
    let (accounts, billing, catalog, search) = (
        a.component("Accounts"),
        a.component("Billing"),
        a.component("Catalog"),
        a.component("Search"),
    );
    let first = a.sync();
    assert!(first["commit"].is_string(), "{first}");
    assert_eq!(git.commits("acme", "shop_docs"), 1);

    let b = Machine::new(&git, "bob@example.com", &url);
    let pulled = b.sync();
    assert_eq!(pulled["imported"], 6, "{pulled}");
    assert_eq!(pulled["commit"], Value::Null, "nothing of B's to publish: {pulled}");
    assert_eq!(b.get_story(&checkout).unwrap()["title"], "Checkout", "same ids on both machines");

    // Offline on both machines.
    a.edit_story(&checkout, "--title", "Checkout (A)");
    b.edit_story(&checkout, "--title", "Checkout (B)");
    a.edit_story(&refunds, "--description", "Money back within 30 days.");
    let wishlist = b.story("Wishlist", "Keep things for later.");
    a.run(&["component", "delete", &catalog]);
    let cat_version = b.run(&["component", "show", &catalog])["version"].to_string();
    let _ = cat_version;
    b.run(&["component", "update", &catalog, "--description", "Browse products by shelf."]);
    a.run(&["component", "depend", &accounts, "--on", &billing]);
    b.run(&["component", "depend", &search, "--on", &billing]);

    let (first, second) = if first_is_a { (&a, &b) } else { (&b, &a) };
    first.sync();
    second.sync();
    first.sync();
    let files = repo_files(&git);

    // Every edit is in the repository or in a conflict with both values kept.
    let mut lost = Vec::new();
    let mut check = |what: &str, ok: bool| {
        if !ok {
            lost.push(what.to_owned());
        }
    };
    let title_in_repo = |t: &str| files[&checkout].contains(&format!("title: \"{t}\""));
    let (winner, loser, win_t, lose_t) = if first_is_a {
        (&a, &b, "Checkout (A)", "Checkout (B)")
    } else {
        (&b, &a, "Checkout (B)", "Checkout (A)")
    };
    check("the first sync's title", title_in_repo(win_t));
    check(
        "the second sync's title, kept in its conflict",
        has_conflict(loser, &checkout, "title", Some(lose_t), Some(win_t)),
    );
    check("no conflict where nothing clashed", winner.conflicts().is_empty());
    check("A's refund text", files[&refunds].contains("Money back within 30 days."));
    check(
        "B's new story",
        files.get(&wishlist).is_some_and(|f| f.contains("Keep things for later.")),
    );
    check("B's new story on A", a.get_story(&wishlist).is_some());
    check(
        "A's refund text on B",
        b.get_story(&refunds).unwrap()["description"] == "Money back within 30 days.",
    );
    if first_is_a {
        // A's delete went first: B's edit of the deleted component waits in B's conflict.
        check("A's delete", !files.contains_key(&catalog));
        check(
            "B's edit against it",
            has_conflict(&b, &catalog, "*", Some("Browse products by shelf."), None),
        );
    } else {
        check(
            "B's edit",
            files.get(&catalog).is_some_and(|f| f.contains("Browse products by shelf.")),
        );
        check(
            "A's delete against it",
            has_conflict(&a, &catalog, "*", None, Some("Browse products by shelf.")),
        );
    }
    check("A's dependency", files[&accounts].contains(&billing));
    check("B's dependency", files[&search].contains(&billing));
    check(
        "both dependencies on A",
        a.deps(&accounts) == vec![billing.clone()] && a.deps(&search) == vec![billing.clone()],
    );
    check(
        "both dependencies on B",
        b.deps(&accounts) == vec![billing.clone()] && b.deps(&search) == vec![billing.clone()],
    );
    assert!(lost.is_empty(), "lost edits: {lost:?}");

    // The loser keeps its title: published at its next sync, and the other machine takes it.
    let resolved = loser.run(&["docs", "resolve", "shop", &checkout, "--keep", "mine"]);
    assert!(resolved["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["entity_id"] != checkout.as_str()));
    loser.sync();
    assert!(repo_files(&git)[&checkout].contains(&format!("title: \"{lose_t}\"")));
    winner.sync();
    assert_eq!(winner.get_story(&checkout).unwrap()["title"], lose_t);
    assert_eq!(winner.status()["state"], "published");
}

#[test]
fn two_machines_editing_offline_lose_no_edit_when_a_syncs_first() {
    scenario(true);
}

#[test]
fn two_machines_editing_offline_lose_no_edit_when_b_syncs_first() {
    scenario(false);
}

#[test]
fn two_syncs_of_an_unchanged_spec_make_no_commit() {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    a.story("Checkout", "Pay.");
    a.sync();
    let commits = git.commits("acme", "shop_docs");
    for _ in 0..2 {
        let again = a.sync();
        assert_eq!(again["commit"], Value::Null, "{again}");
        assert_eq!(again["published"], 0);
    }
    assert_eq!(git.commits("acme", "shop_docs"), commits);
    let status = a.status();
    assert_eq!(
        (status["state"].as_str(), status["outbox"]["entities"].as_i64()),
        (Some("published"), Some(0))
    );

    // Deleting the project removes its local clone, never the repository.
    let clones = || std::fs::read_dir(a.path().join("docs")).unwrap().flatten().count();
    assert_eq!(clones(), 2, "the clone and its lock file");
    a.run(&["project", "delete", "shop"]);
    assert_eq!(clones(), 0);
    assert_eq!(git.commits("acme", "shop_docs"), commits);
}

#[test]
fn a_file_edited_by_hand_is_imported_and_a_broken_one_is_reported_and_skipped() {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    let checkout = a.story("Checkout", "Pay.");
    let refunds = a.story("Refunds", "Money back.");
    let ctx = a.run(&["context", "create", "-p", "shop", "--purpose", "Take payments", "Payments"]);
    a.run(&["context", "link", ctx["id"].as_str().unwrap(), "--story", &checkout]);
    let version = a.get_story(&checkout).unwrap()["version"].to_string();
    a.run(&["story", "approve", &checkout, "--version", &version]);
    a.sync();

    // Someone edits on GitHub's web editor: plain YAML, a new title and criteria; and
    // breaks another file's front matter.
    let work = tempfile::tempdir().unwrap();
    let bare = git.root.path().join("acme/shop_docs.git");
    git_cli(work.path(), &["clone", "-q", "-b", "main", bare.to_str().unwrap(), "w"]);
    let w = work.path().join("w");
    let files = repo_files(&git);
    let path_of = |id: &str| {
        let short = &id[..8];
        std::fs::read_dir(w.join("stories").join(&id[..2]))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().contains(short))
            .unwrap()
    };
    let edited = format!(
        "---\nid: {checkout}\ntitle: Checkout in one step\nstatus: draft\napproved: true\n---\n\n# Checkout in one step\n\nPay for the cart at once.\n\n## Acceptance criteria\n\n- one page\n"
    );
    std::fs::write(path_of(&checkout), edited).unwrap();
    let broken = files[&refunds].replacen("title: \"Refunds\"", "title: [Refunds", 1).replacen(
        "Money back.",
        "Money back at once.",
        1,
    );
    std::fs::write(path_of(&refunds), broken).unwrap();
    git_cli(&w, &["commit", "-qam", "Edited on the web"]);
    git_cli(&w, &["push", "-q", "origin", "HEAD:main"]);
    let commits = git.commits("acme", "shop_docs");

    let report = a.sync();
    assert_eq!(report["imported"], 1, "{report}");
    let problems = report["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{report}");
    let path = problems[0]["path"].as_str().unwrap();
    assert_eq!(path, format!("stories/{}/refunds-{}.md", &refunds[..2], &refunds[..8]), "{report}");
    assert!(problems[0]["message"].as_str().unwrap().contains("YAML"), "{report}");
    let story = a.get_story(&checkout).unwrap();
    assert_eq!(story["title"], "Checkout in one step");
    assert_eq!(story["description"], "Pay for the cart at once.");
    assert_eq!(story["acceptance_criteria"], "- one page");
    assert_eq!(story["approved"], false, "a story changed elsewhere needs approving again");
    let context = a.run(&["context", "show", ctx["id"].as_str().unwrap()]);
    assert_eq!(context["dirty"], true, "its context needs regenerating, as after a local edit");
    assert_eq!(
        a.get_story(&refunds).unwrap()["description"],
        "Money back.",
        "nothing local touched by the broken file"
    );
    assert_eq!(a.status()["problems"].as_array().unwrap().len(), 1, "the problem stays visible");
    // The approval cleared here is published; the broken file is left as it is.
    assert!(git.commits("acme", "shop_docs") > commits);
    assert!(repo_files(&git).get(&refunds).is_none_or(|f| f.contains("title: [Refunds")));

    // Fixed on the web: imported at the next sync, and the problem is gone.
    git_cli(&w, &["pull", "-q", "--rebase", "origin", "main"]);
    let fixed = std::fs::read_to_string(path_of(&refunds)).unwrap().replacen(
        "title: [Refunds",
        "title: Refunds",
        1,
    );
    std::fs::write(path_of(&refunds), fixed).unwrap();
    git_cli(&w, &["commit", "-qam", "Fixed"]);
    git_cli(&w, &["push", "-q", "origin", "HEAD:main"]);
    let report = a.sync();
    assert_eq!(report["problems"].as_array().unwrap().len(), 0, "{report}");
    assert_eq!(a.get_story(&refunds).unwrap()["description"], "Money back at once.");
}

fn sync_error(m: &Machine) -> Output {
    codemyspec(m.path(), &["docs", "sync", "shop"], "")
}

#[test]
fn with_the_remote_down_edits_wait_in_the_outbox_and_are_published_when_it_is_back() {
    let mut git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    let checkout = a.story("Checkout", "Pay.");
    a.sync();
    git.stop();
    a.edit_story(&checkout, "--title", "Checkout offline");
    a.story("Wishlist", "Later.");
    let failed = sync_error(&a);
    assert!(!failed.status.success());
    let err: Value = serde_json::from_slice(&failed.stdout)
        .or_else(|_| serde_json::from_slice(&failed.stderr))
        .unwrap_or(Value::Null);
    let text = format!("{err} {}", String::from_utf8_lossy(&failed.stderr));
    assert!(text.contains("offline — 2 edits not published"), "{text}");
    let status = a.status();
    assert_eq!(status["state"], "offline", "{status}");
    assert_eq!(status["outbox"]["entities"], 2, "{status}");
    // Editing goes on while offline.
    a.edit_story(&checkout, "--description", "Pay, even offline.");
    assert_eq!(a.status()["outbox"]["entities"], 2);

    git.restart();
    let report = a.sync();
    assert_eq!(report["published"], 2, "{report}");
    let status = a.status();
    assert_eq!(
        (status["state"].as_str(), status["outbox"]["entities"].as_i64()),
        (Some("published"), Some(0)),
        "{status}"
    );
    let files = repo_files(&git);
    assert!(
        files[&checkout].contains("title: \"Checkout offline\"")
            && files[&checkout].contains("Pay, even offline.")
    );
    assert!(files.values().any(|f| f.contains("title: \"Wishlist\"")));
}

#[test]
fn a_sync_killed_mid_push_makes_no_duplicate_commit_and_loses_no_edit() {
    let git = GitServer::start_with_push_delay(3);
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    let checkout = a.story("Checkout", "Pay.");
    a.sync();
    assert_eq!(git.commits("acme", "shop_docs"), 1);
    a.edit_story(&checkout, "--title", "Checkout, killed");
    let mut child = a.spawn(&["--json", "docs", "sync", "shop"]);
    // Inside the push (the server holds it for 3 s): the commit is made, not yet sent.
    let started = Instant::now();
    while !a.path().join("docs").exists() && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1200));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(git.commits("acme", "shop_docs"), 1, "the killed push sent nothing");
    let status = a.status();
    assert_eq!(status["outbox"]["entities"], 1, "the edit still waits: {status}");

    let report = a.sync();
    assert!(report["commit"].is_string(), "{report}");
    assert_eq!(git.commits("acme", "shop_docs"), 2, "one commit for the edit");
    assert!(repo_files(&git)[&checkout].contains("title: \"Checkout, killed\""));
    let again = a.sync();
    assert_eq!(again["commit"], Value::Null);
    assert_eq!(git.commits("acme", "shop_docs"), 2);
    assert_eq!(a.status()["state"], "published");
}

#[test]
fn a_push_that_loses_the_race_merges_again_and_both_edits_land() {
    let git = GitServer::start_with_push_delay(4);
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    let checkout = a.story("Checkout", "Pay.");
    a.sync();
    let b = Machine::new(&git, "bob@example.com", &url);
    b.sync();
    a.edit_story(&checkout, "--description", "Pay by card.");
    let wishlist = b.story("Wishlist", "Later.");
    // Both fetch the same main, both push; the server holds each push for 4 s.
    let (ca, cb) = (spawn_sync(&a), spawn_sync(&b));
    let (oa, ob) = (ca.wait_with_output().unwrap(), cb.wait_with_output().unwrap());
    let (ra, rb) = (json_of(&oa), json_of(&ob));
    let merges = ra["merges"].as_u64().unwrap() + rb["merges"].as_u64().unwrap();
    assert_eq!(merges, 3, "one of them merged again: {ra} {rb}");
    assert_eq!(git.commits("acme", "shop_docs"), 3, "the first sync, then one commit each");
    let files = repo_files(&git);
    assert!(files[&checkout].contains("Pay by card."));
    assert!(files.contains_key(&wishlist));
    a.sync();
    assert!(a.get_story(&wishlist).is_some());
}

#[test]
fn a_worker_publishes_an_edit_by_itself_shortly_after_it_is_made() {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    let checkout = a.story("Checkout", "Pay.");
    a.sync();
    let mut worker = a.spawn(&["worker"]);
    a.edit_story(&checkout, "--title", "Checkout, by itself");
    let started = Instant::now();
    let published = loop {
        let files = repo_files(&git);
        if files[&checkout].contains("title: \"Checkout, by itself\"") {
            break true;
        }
        if started.elapsed() > Duration::from_secs(30) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    // The push lands a moment before the sync records it: wait for the record too.
    let started = Instant::now();
    let mut status = a.status();
    while published && status["state"] != "published" && started.elapsed() < Duration::from_secs(15)
    {
        std::thread::sleep(Duration::from_millis(200));
        status = a.status();
    }
    stop(&mut worker);
    assert!(published, "the worker's docs sync did not publish the edit within 30 s");
    assert_eq!(
        (status["state"].as_str(), status["outbox"]["entities"].as_i64()),
        (Some("published"), Some(0)),
        "{status}"
    );
}

#[test]
fn a_worker_retries_a_sync_the_remote_refused_while_down_and_publishes_once_it_is_back() {
    let mut git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    let checkout = a.story("Checkout", "Pay.");
    a.sync();
    git.stop();
    let mut worker = a.spawn(&["worker"]);
    a.edit_story(&checkout, "--title", "Checkout, retried");
    let wait = |what: &str, secs: u64, check: &dyn Fn() -> bool| {
        let started = Instant::now();
        while !check() {
            assert!(started.elapsed() < Duration::from_secs(secs), "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(250));
        }
    };
    wait("the window's offline state", 30, &|| a.status()["state"] == "offline");
    let status = a.status();
    assert_eq!(status["outbox"]["entities"], 1, "{status}");
    let jobs = a.run(&["jobs", "list"]);
    let retrying = jobs
        .as_array()
        .unwrap()
        .iter()
        .any(|j| j["worker"] == "DocsSync" && j["state"] == "retryable");
    assert!(retrying, "the failed sync waits for its retry: {jobs}");
    git.restart();
    // The runner's backoff is 15 s (±10 %) after a first failure.
    wait("the retry to publish", 45, &|| {
        repo_files(&git)[&checkout].contains("title: \"Checkout, retried\"")
    });
    // The push lands a moment before the sync records it.
    wait("the published state", 15, &|| a.status()["state"] == "published");
    stop(&mut worker);
    assert_eq!(a.status()["outbox"]["entities"], 0);
}

#[test]
fn conflicts_are_settled_with_theirs_an_edited_merge_or_mine_and_each_choice_is_published() {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    let s1 = a.story("One", "First.");
    let s2 = a.story("Two", "Second.");
    let s3 = a.story("Three", "Third.");
    a.sync();
    let b = Machine::new(&git, "bob@example.com", &url);
    b.sync();
    // The same fields changed on both machines; B syncs first.
    for (id, field) in [(&s1, "--title"), (&s2, "--description"), (&s3, "--title")] {
        b.edit_story(id, field, "from B");
        a.edit_story(id, field, "from A");
    }
    b.sync();
    let report = a.sync();
    assert_eq!(report["conflicts"], 3, "{report}");
    // Until A chooses, the repository keeps B's values.
    let files = repo_files(&git);
    assert!(files[&s1].contains("title: \"from B\"") && files[&s2].contains("from B"));

    let left = a.run(&["docs", "resolve", "shop", &s1, "--keep", "theirs"]);
    assert_eq!(left["conflicts"].as_array().unwrap().len(), 2);
    assert_eq!(a.get_story(&s1).unwrap()["title"], "from B");
    let merged =
        codemyspec(a.path(), &["docs", "resolve", "shop", &s2, "--merged", "-"], "from A and B\n");
    json_of(&merged);
    assert_eq!(a.get_story(&s2).unwrap()["description"], "from A and B");
    a.run(&["docs", "resolve", "shop", &s3, "--keep", "mine"]);
    assert!(a.conflicts().is_empty());
    // Nothing is left to settle on a story whose conflict was settled.
    let wrong = codemyspec(a.path(), &["docs", "resolve", "shop", &s1, "--keep", "mine"], "");
    assert!(!wrong.status.success(), "no conflict left on that story");

    a.sync();
    let files = repo_files(&git);
    assert!(files[&s1].contains("title: \"from B\""));
    assert!(files[&s2].contains("from A and B"));
    assert!(files[&s3].contains("title: \"from A\""));
    b.sync();
    assert_eq!(b.get_story(&s2).unwrap()["description"], "from A and B");
    assert_eq!(b.get_story(&s3).unwrap()["title"], "from A");
    assert!(b.conflicts().is_empty() && a.conflicts().is_empty());
}
