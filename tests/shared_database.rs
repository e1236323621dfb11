//! The CLI and the core library (as the desktop shell uses it) on one database file, in
//! separate processes at once.

use codemyspec_core::stories::{self, NewStory};
use codemyspec_core::{accounts, projects, Store};
use codemyspec_tests::{codemyspec, json_of};

#[tokio::test]
async fn what_the_cli_writes_the_core_reads_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let ada = json_of(&codemyspec(
        dir.path(),
        &["account", "create", "--email", "ada@example.com"],
        "a long password\n",
    ));
    let p = json_of(&codemyspec(
        dir.path(),
        &["project", "create", "my_shop", "--framework", "elixir"],
        "",
    ));

    let store = Store::open(dir.path()).await.unwrap();
    let actor = accounts::current(&store, None).await.unwrap();
    assert_eq!(Some(actor.id.to_string().as_str()), ada["id"].as_str());
    let listed = projects::list(&store, &actor.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(Some(listed[0].id.to_string().as_str()), p["id"].as_str());

    let story = stories::create(
        &store,
        &actor.id,
        &listed[0].id,
        NewStory { title: "Pay".into(), ..Default::default() },
    )
    .await
    .unwrap();
    let shown = json_of(&codemyspec(dir.path(), &["story", "show", &story.id.to_string()], ""));
    assert_eq!(shown["title"], "Pay");
    assert_eq!(shown["version"], 1);
}

#[tokio::test]
async fn many_processes_write_at_once_without_losing_a_row() {
    let dir = tempfile::tempdir().unwrap();
    json_of(&codemyspec(
        dir.path(),
        &["account", "create", "--email", "ada@example.com"],
        "a long password\n",
    ));
    json_of(&codemyspec(dir.path(), &["project", "create", "my_shop"], ""));
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let dir = dir.path().to_owned();
            std::thread::spawn(move || {
                for i in 0..5 {
                    let title = format!("story {w}-{i}");
                    json_of(&codemyspec(
                        &dir,
                        &["story", "create", "-p", "my_shop", "--title", &title],
                        "",
                    ));
                }
            })
        })
        .collect();
    for w in writers {
        w.join().expect("a writer process failed");
    }
    let store = Store::open(dir.path()).await.unwrap();
    let actor = accounts::current(&store, None).await.unwrap();
    let p = projects::find(&store, &actor.id, "my_shop").await.unwrap();
    assert_eq!(stories::list(&store, &actor.id, &p.id).await.unwrap().len(), 40);
}

#[test]
fn docs_status_counts_the_edits_not_yet_published() {
    let dir = tempfile::tempdir().unwrap();
    json_of(&codemyspec(
        dir.path(),
        &["account", "create", "--email", "ada@example.com"],
        "a long password\n",
    ));
    json_of(&codemyspec(dir.path(), &["project", "create", "shop"], ""));
    let empty = json_of(&codemyspec(dir.path(), &["docs", "status", "shop"], ""));
    assert_eq!(empty["outbox"]["entities"], 0);
    let story = json_of(&codemyspec(
        dir.path(),
        &["story", "create", "-p", "shop", "--title", "Pay by card", "--description", "As a buyer"],
        "",
    ));
    let id = story["id"].as_str().unwrap();
    json_of(&codemyspec(
        dir.path(),
        &["story", "update", id, "--version", "1", "--title", "Pay"],
        "",
    ));
    let now = json_of(&codemyspec(dir.path(), &["docs", "status", "shop"], ""));
    assert_eq!(
        (now["outbox"]["entities"].as_i64(), now["outbox"]["changes"].as_i64()),
        (Some(1), Some(2))
    );
}
