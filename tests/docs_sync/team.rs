//! A team sharing one docs repository, tried the way teams break things: a delete made on one
//! machine, a project pointed at another repository, history rewritten on the remote, a file
//! someone broke. Each test checks what each person sees afterwards.

use super::machine::*;
use codemyspec_tests::GitServer;
use serde_json::Value;

#[test]
fn a_story_deleted_on_one_machine_is_gone_from_the_other_and_an_edit_against_a_delete_stays_a_conflict(
) {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    let (s1, s2, s3) =
        (a.story("One", "First."), a.story("Two", "Second."), a.story("Three", "Third."));
    let ctx = a.run(&["context", "create", "-p", "shop", "--purpose", "Take payments", "Payments"]);
    let ctx = ctx["id"].as_str().unwrap().to_owned();
    a.sync();
    let b = Machine::new(&git, "bob@example.com", &url);
    assert_eq!(b.sync()["imported"], 4);

    // Offline on both: A edits S1 and S2 and adds S4; B deletes S3 and the context, adds S5.
    a.edit_story(&s1, "--title", "One (A)");
    a.edit_story(&s2, "--description", "Second, by A.");
    let s4 = a.story("Four", "Fourth.");
    b.run(&["story", "delete", &s3]);
    b.run(&["context", "delete", &ctx]);
    let s5 = b.story("Five", "Fifth.");
    a.sync();
    b.sync();
    a.sync();

    for (who, m) in [("A", &a), ("B", &b)] {
        assert!(m.get_story(&s3).is_none(), "{who} still has the story B deleted");
        let contexts = m.run(&["context", "list", "-p", "shop"]);
        assert_eq!(contexts.as_array().map(Vec::len), Some(0), "{who} still has the context");
        for id in [&s1, &s2, &s4, &s5] {
            assert!(m.get_story(id).is_some(), "{who} lost story {id}");
        }
        let status = m.status();
        assert_eq!(status["state"], "published", "{who}: {status}");
        assert!(m.conflicts().is_empty(), "{who} has a conflict: {:?}", m.conflicts());
    }
    let files = repo_files(&git);
    assert!(!files.contains_key(&s3) && !files.contains_key(&ctx), "deleted in the repository");
    assert!(files[&s1].contains("One (A)") && files.contains_key(&s4) && files.contains_key(&s5));

    // Another sync changes nothing: the delete is settled, not waiting to be published.
    assert_eq!(a.sync()["commit"], Value::Null);

    // An edit against a delete stays a conflict, and nothing is deleted under the editor.
    a.edit_story(&s1, "--description", "First, still wanted by A.");
    b.run(&["story", "delete", &s1]);
    b.sync();
    let report = a.sync();
    assert_eq!(report["conflicts"], 1, "{report}");
    assert!(has_conflict(&a, &s1, "*", Some("First, still wanted by A."), None));
    assert_eq!(a.get_story(&s1).unwrap()["description"], "First, still wanted by A.");
}

#[test]
fn a_project_pointed_at_another_docs_repository_publishes_its_whole_spec_there_and_loses_nothing_here(
) {
    let git = GitServer::start();
    let old = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &old);
    let s1 = a.story("One", "First.");
    let s2 = a.story("Two", "Second.");
    let ctx = a.run(&["context", "create", "-p", "shop", "--purpose", "Take payments", "Payments"]);
    let ctx = ctx["id"].as_str().unwrap().to_owned();
    a.run(&["context", "link", &ctx, "--story", &s1]);
    a.sync();
    let b = Machine::new(&git, "bob@example.com", &old);
    b.sync();
    let old_commits = git.commits("acme", "shop_docs");

    // Another owner's repository, empty: the whole spec goes there.
    let new = git.repo("globex", "shop_spec");
    a.run(&["project", "update", "shop", "--docs-repo", &new]);
    let status = a.status();
    assert_eq!(status["state"], "pending", "nothing is published there yet: {status}");
    let report = a.sync();
    assert_eq!(report["published"], 3, "{report}");
    let files = repo_files_of(&git, "globex", "shop_spec");
    assert!(files.contains_key(&s1) && files.contains_key(&s2) && files.contains_key(&ctx));
    assert!(files[&ctx].contains(&s1), "the context's stories are in its file");
    assert!(git.files("globex", "shop_spec").contains(&"README.md".to_owned()));
    assert_eq!(a.status()["state"], "published");
    assert_eq!(git.commits("acme", "shop_docs"), old_commits, "the old repository is left alone");
    for id in [&s1, &s2] {
        assert!(a.get_story(id).is_some(), "nothing local is deleted by the change");
    }

    // The teammate follows: the same spec is there, so nothing clashes and nothing is lost.
    b.run(&["project", "update", "shop", "--docs-repo", &new]);
    let report = b.sync();
    assert_eq!(
        (report["conflicts"].as_u64(), report["commit"].is_null()),
        (Some(0), true),
        "{report}"
    );
    assert_eq!(b.status()["state"], "published");
    // Edits flow through the new repository from then on.
    b.edit_story(&s2, "--title", "Two (B)");
    b.sync();
    a.sync();
    assert_eq!(a.get_story(&s2).unwrap()["title"], "Two (B)");
    assert_eq!(git.commits("acme", "shop_docs"), old_commits);
}

#[test]
fn history_rewritten_on_the_remote_deletes_nothing_here_and_what_it_lacks_is_published_again() {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    let s1 = a.story("One", "First.");
    let s2 = a.story("Two", "Second.");
    a.sync();
    let web = Web::clone(&git, "acme", "shop_docs");
    let first = web.work.clone();
    let _ = first;
    let s3 = a.story("Three", "Third.");
    a.sync();
    let b = Machine::new(&git, "bob@example.com", &url);
    b.sync();
    assert!(b.get_story(&s3).is_some());

    // Someone force-pushes main back to the first commit, with an edit of their own on top.
    let edited = web.read("stories", &s1).replace("First.", "First, rewritten.");
    web.write("stories", &s1, &edited);
    web.git(&["add", "-A"]);
    web.git(&["commit", "-qm", "An edit on old history"]);
    web.git(&["push", "-q", "--force", "origin", "HEAD:main"]);
    assert!(!repo_files(&git).contains_key(&s3), "the force-push dropped Three");

    for (who, m) in [("A", &a), ("B", &b)] {
        let report = m.sync();
        assert!(m.get_story(&s3).is_some(), "{who} lost Three to a force-push: {report}");
        assert_eq!(
            m.get_story(&s1).unwrap()["description"],
            "First, rewritten.",
            "{who} merged the edit that came with it"
        );
        assert!(m.conflicts().is_empty(), "{who}: {:?}", m.conflicts());
        assert_eq!(m.status()["state"], "published", "{who}");
    }
    let files = repo_files(&git);
    assert!(files.contains_key(&s3), "Three is published again");
    assert!(files[&s1].contains("First, rewritten.") && files.contains_key(&s2));

    // The repository deleted and created again with only a README.
    std::fs::remove_dir_all(git.root.path().join("acme/shop_docs.git")).unwrap();
    git.repo("acme", "shop_docs");
    let fresh = tempfile::tempdir().unwrap();
    git_cli(fresh.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(fresh.path().join("README.md"), "# shop docs\n").unwrap();
    git_cli(fresh.path(), &["add", "README.md"]);
    git_cli(fresh.path(), &["commit", "-qm", "Initial commit"]);
    let bare = git.root.path().join("acme/shop_docs.git");
    git_cli(fresh.path(), &["push", "-q", bare.to_str().unwrap(), "main"]);
    b.edit_story(&s2, "--title", "Two (B)");
    let report = b.sync();
    for id in [&s1, &s2, &s3] {
        assert!(b.get_story(id).is_some(), "B lost {id} to a recreated repository: {report}");
    }
    let files = repo_files(&git);
    assert!(files.contains_key(&s1) && files.contains_key(&s3), "the whole spec is back");
    assert!(files[&s2].contains("Two (B)"), "with B's edit");
    assert!(git.files("acme", "shop_docs").contains(&"README.md".to_owned()));
    let report = a.sync();
    assert!(a.get_story(&s3).is_some(), "{report}");
    assert_eq!(a.get_story(&s2).unwrap()["title"], "Two (B)");
    assert!(a.conflicts().is_empty() && b.conflicts().is_empty());
}

#[test]
fn a_file_someone_broke_is_never_overwritten_by_a_local_edit_and_waits_as_a_conflict_with_their_text(
) {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    let s1 = a.story("One", "First.");
    let s2 = a.story("Two", "Second.");
    a.sync();
    let web = Web::clone(&git, "acme", "shop_docs");
    for id in [&s1, &s2] {
        let broken = web.read("stories", id).replacen("title: \"", "title: [", 1);
        web.write("stories", id, &broken);
    }
    web.push("Broken by hand");
    let theirs1 = web.read("stories", &s1);
    let theirs2 = web.read("stories", &s2);
    a.edit_story(&s1, "--title", "One, edited here");
    a.edit_story(&s2, "--title", "Two, edited here");

    let report = a.sync();
    assert_eq!(report["conflicts"], 2, "{report}");
    assert_eq!(report["problems"].as_array().unwrap().len(), 2, "{report}");
    web.pull();
    assert_eq!(web.read("stories", &s1), theirs1, "their file is left exactly as they wrote it");
    assert_eq!(web.read("stories", &s2), theirs2);
    let c = a.conflicts();
    let mine = |id: &str| c.iter().find(|c| c["entity_id"] == id).unwrap().clone();
    assert_eq!(mine(&s1)["field"], "*");
    assert_eq!(mine(&s1)["theirs"], theirs1.as_str(), "their raw text is kept in the conflict");
    assert!(mine(&s1)["mine"].as_str().unwrap().contains("One, edited here"));
    assert_eq!(a.get_story(&s1).unwrap()["title"], "One, edited here", "nothing local undone");
    // Syncing again changes nothing while the choice waits.
    assert_eq!(a.sync()["commit"], Value::Null);
    assert_eq!(a.status()["state"], "conflicts");

    // Mine: this machine's version replaces their broken file.
    a.run(&["docs", "resolve", "shop", &s1, "--keep", "mine"]);
    // Theirs: back to what both last agreed; their file waits to be fixed.
    a.run(&["docs", "resolve", "shop", &s2, "--keep", "theirs"]);
    assert_eq!(a.get_story(&s2).unwrap()["title"], "Two");
    a.sync();
    web.pull();
    assert!(web.read("stories", &s1).contains("title: \"One, edited here\""));
    assert_eq!(web.read("stories", &s2), theirs2, "theirs keeps their file");
    assert!(a.conflicts().is_empty());
    // They fix it: imported like any edit.
    let fixed = web.read("stories", &s2).replacen("title: [", "title: \"Two, fixed\" #", 1);
    web.write("stories", &s2, &fixed);
    web.push("Fixed by hand");
    let report = a.sync();
    assert_eq!(report["problems"].as_array().unwrap().len(), 0, "{report}");
    assert_eq!(a.get_story(&s2).unwrap()["title"], "Two, fixed");
    assert_eq!(a.status()["state"], "published");
}

#[test]
fn a_context_or_design_doc_changed_elsewhere_loses_its_approval_here_and_marks_what_depends_on_it_dirty(
) {
    let git = GitServer::start();
    let url = git.repo("acme", "shop_docs");
    let a = Machine::new(&git, "ada@example.com", &url);
    let ctx = a.run(&["context", "create", "-p", "shop", "--purpose", "Take payments", "Payments"]);
    let ctx = ctx["id"].as_str().unwrap().to_owned();
    let version = a.run(&["context", "show", &ctx])["version"].to_string();
    a.run(&["context", "approve", &ctx, "--version", &version]);
    let pay = a.run(&[
        "component",
        "create",
        "-p",
        "shop",
        "Payments.Charge",
        "--file",
        "lib/charge.ex",
        "--context",
        &ctx,
    ]);
    let pay = pay["id"].as_str().unwrap().to_owned();
    let web_live = a.component("ShopWeb.PayLive");
    a.run(&["component", "depend", &web_live, "--on", &pay]);
    let doc = a.run(&["doc", "save", &pay, "--content", "# Charge\n\nOne call."]);
    a.run(&["doc", "approve", &pay, "--version", &doc["version"].to_string()]);
    for id in [&pay, &web_live] {
        a.run(&["component", "clean", id]);
    }
    a.sync();
    let b = Machine::new(&git, "bob@example.com", &url);
    b.sync();

    // On the web: the context's purpose changed, its approval left as it was.
    let web = Web::clone(&git, "acme", "shop_docs");
    let text = web.read("contexts", &ctx);
    assert!(text.contains("approved: true"), "{text}");
    web.write("contexts", &ctx, &text.replace("Take payments", "Take and refund payments"));
    web.push("Purpose, by hand");
    // On B: the design doc rewritten and approved there.
    let doc = b.run(&[
        "doc",
        "save",
        &pay,
        "--version",
        &doc["version"].to_string(),
        "--content",
        "# Charge\n\nTwo calls.",
    ]);
    b.run(&["doc", "approve", &pay, "--version", &doc["version"].to_string()]);
    b.sync();

    let report = a.sync();
    assert_eq!(report["imported"], 2, "{report}");
    let context = a.run(&["context", "show", &ctx]);
    assert_eq!(context["purpose"], "Take and refund payments");
    assert_eq!(context["approved"], false, "an approval given for another text is not kept");
    let design = a.run(&["doc", "show", &pay]);
    assert_eq!(design["content"], "# Charge\n\nTwo calls.");
    assert_eq!(design["approved"], false, "an imported approval of a changed text is not trusted");
    for id in [&pay, &web_live] {
        let c = a.run(&["component", "show", id]);
        assert_eq!(c["dirty"], true, "{} is out of date after the import", c["name"]);
    }
    // The cleared approvals are published, so the other machine agrees.
    let files = repo_files(&git);
    assert!(files[&ctx].contains("approved: false"), "{}", files[&ctx]);
    assert!(files[&pay].contains("design_approved: false"), "{}", files[&pay]);
    b.sync();
    assert_eq!(b.run(&["context", "show", &ctx])["approved"], false);
}
