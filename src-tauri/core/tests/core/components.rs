use crate::support::*;
use codemyspec_core::components::{
    self, ComponentChanges, ComponentType, NewComponent, StatusFlags,
};
use codemyspec_core::contexts::{self, ContextType, NewContext};
use codemyspec_core::{dependencies, design_docs, Code, Error};
use codemyspec_core::{AccountId, ComponentId};

fn named(name: &str) -> NewComponent {
    NewComponent {
        name: name.into(),
        kind: ComponentType::Context,
        file_path: format!("lib/{}.ex", name.to_lowercase()),
        description: None,
        context_id: None,
    }
}

async fn dirty_of(f: &Fixture, actor: &AccountId, ids: &[&ComponentId]) -> Vec<bool> {
    let mut out = Vec::new();
    for id in ids {
        out.push(components::get(&f.store, actor, id).await.unwrap().dirty);
    }
    out
}

async fn clean_all(f: &Fixture) {
    sqlx::query("DELETE FROM component_dirty_ranges").execute(f.store.pool()).await.unwrap();
}

#[tokio::test]
async fn a_component_keeps_a_normalised_relative_path() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let mut new = named("Accounts");
    new.file_path = ".\\lib\\my_shop\\accounts.ex".into();
    let c = components::create(&f.store, &ada.id, &p.id, new).await.unwrap();
    assert_eq!(c.file_path, "lib/my_shop/accounts.ex");
    for bad in ["/etc/passwd", "../outside.ex", "lib/../../x.ex", "C:\\x.ex"] {
        let change = ComponentChanges { file_path: Some(bad.into()), ..Default::default() };
        let err = components::update(&f.store, &ada.id, &c.id, change).await.unwrap_err();
        assert_eq!((err.code(), err.field()), (Code::InvalidInput, Some("file_path")), "{bad}");
    }
    assert_eq!(
        components::get(&f.store, &ada.id, &c.id).await.unwrap().file_path,
        "lib/my_shop/accounts.ex"
    );
}

#[tokio::test]
async fn a_dependency_that_closes_a_cycle_is_refused_and_the_error_names_it() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let a = components::create(&f.store, &ada.id, &p.id, named("A")).await.unwrap();
    let b = components::create(&f.store, &ada.id, &p.id, named("B")).await.unwrap();
    let c = components::create(&f.store, &ada.id, &p.id, named("C")).await.unwrap();
    dependencies::add(&f.store, &ada.id, &a.id, &b.id).await.unwrap();
    dependencies::add(&f.store, &ada.id, &b.id, &c.id).await.unwrap();
    let before = snapshot(&f.store).await;

    let err = dependencies::add(&f.store, &ada.id, &c.id, &a.id).await.unwrap_err();
    match &err {
        Error::DependencyCycle { cycle } => assert_eq!(cycle, &["C", "A", "B", "C"]),
        other => panic!("expected a cycle, got {other:?}"),
    }
    assert_eq!(err.code(), Code::Conflict);
    assert_eq!(err.to_string(), "adding this dependency would form a cycle: C -> A -> B -> C");
    let err = dependencies::add(&f.store, &ada.id, &a.id, &a.id).await.unwrap_err();
    assert!(matches!(&err, Error::DependencyCycle { cycle } if cycle == &["A", "A"]), "{err:?}");
    assert_eq!(snapshot(&f.store).await, before, "nothing written");

    // The same edge twice is one edge.
    let again = dependencies::add(&f.store, &ada.id, &a.id, &b.id).await.unwrap();
    let deps = dependencies::list(&f.store, &ada.id, &a.id).await.unwrap();
    assert_eq!((deps.len(), deps[0].id), (1, again.depends_on_id));
    let dependents = dependencies::list_dependents(&f.store, &ada.id, &c.id).await.unwrap();
    assert_eq!(dependents.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(), ["B"]);
}

#[tokio::test]
async fn dependencies_stay_inside_one_project() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let q = project(&f.store, &ada, "my_blog").await;
    let a = components::create(&f.store, &ada.id, &p.id, named("A")).await.unwrap();
    let x = components::create(&f.store, &ada.id, &q.id, named("X")).await.unwrap();
    let before = snapshot(&f.store).await;
    let err = dependencies::add(&f.store, &ada.id, &a.id, &x.id).await.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::InvalidInput, Some("depends_on_id")));
    // The schema refuses it too, whatever the code does.
    let seq_of = "SELECT seq FROM components WHERE id = ?";
    let a_seq: i64 = sqlx::query_scalar(seq_of).bind(a.id).fetch_one(f.store.pool()).await.unwrap();
    let x_seq: i64 = sqlx::query_scalar(seq_of).bind(x.id).fetch_one(f.store.pool()).await.unwrap();
    let raw = sqlx::query("INSERT INTO component_dependencies VALUES ('d', ?, ?, ?, 'now', 'now')")
        .bind(p.id)
        .bind(a_seq)
        .bind(x_seq)
        .execute(f.store.pool())
        .await;
    assert!(raw.is_err(), "a foreign key keeps both ends in one project");
    assert_eq!(snapshot(&f.store).await, before);
}

#[tokio::test]
async fn a_change_dirties_every_transitive_dependent_and_nothing_else() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    // d -> c -> b -> a (d depends on c ...), and e -> a, and z apart; also d -> a (diamond).
    let mut ids = Vec::new();
    for n in ["A", "B", "C", "D", "E", "Z"] {
        ids.push(components::create(&f.store, &ada.id, &p.id, named(n)).await.unwrap().id);
    }
    let [a, b, c, d, e, z] = [&ids[0], &ids[1], &ids[2], &ids[3], &ids[4], &ids[5]];
    for (from, to) in [(b, a), (c, b), (d, c), (e, a), (d, a)] {
        dependencies::add(&f.store, &ada.id, from, to).await.unwrap();
    }
    clean_all(&f).await;
    let change = ComponentChanges { description: Some("new API".into()), ..Default::default() };
    components::update(&f.store, &ada.id, b, change).await.unwrap();
    assert_eq!(
        dirty_of(&f, &ada.id, &[a, b, c, d, e, z]).await,
        [false, false, true, true, false, false]
    );

    clean_all(&f).await;
    let change = ComponentChanges { description: Some("new schema".into()), ..Default::default() };
    components::update(&f.store, &ada.id, a, change).await.unwrap();
    assert_eq!(
        dirty_of(&f, &ada.id, &[a, b, c, d, e, z]).await,
        [false, true, true, true, true, false]
    );

    // Progress flags are not a change to what the component is.
    clean_all(&f).await;
    let flags = StatusFlags { code_complete: Some(true), ..Default::default() };
    let a_done = components::update_status(&f.store, &ada.id, a, flags).await.unwrap();
    assert!(a_done.code_complete && !a_done.docs_complete);
    assert_eq!(dirty_of(&f, &ada.id, &[a, b, c, d, e, z]).await, [false; 6]);

    // Deleting a component dirties what depended on it.
    components::delete(&f.store, &ada.id, b).await.unwrap();
    assert_eq!(dirty_of(&f, &ada.id, &[a, c, d, e, z]).await, [false, true, true, false, false]);
    let graph = dependencies::graph(&f.store, &ada.id, &p.id).await.unwrap();
    assert_eq!((graph.components.len(), graph.dependencies.len()), (5, 3));
}

#[tokio::test]
async fn design_docs_are_versioned_one_per_component() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let a = components::create(&f.store, &ada.id, &p.id, named("A")).await.unwrap();
    let b = components::create(&f.store, &ada.id, &p.id, named("B")).await.unwrap();
    dependencies::add(&f.store, &ada.id, &b.id, &a.id).await.unwrap();
    clean_all(&f).await;
    assert_eq!(
        design_docs::get(&f.store, &ada.id, &a.id).await.unwrap_err().code(),
        Code::NotFound
    );
    let doc = design_docs::save(&f.store, &ada.id, &a.id, None, "# A\n").await.unwrap();
    assert_eq!((doc.version, doc.approved), (1, false));
    assert!(
        components::get(&f.store, &ada.id, &b.id).await.unwrap().dirty,
        "B depends on A's design"
    );
    let err = design_docs::save(&f.store, &ada.id, &a.id, None, "# A again\n").await.unwrap_err();
    assert_eq!(err.code(), Code::Conflict, "a second create would overwrite");
    let doc = design_docs::approve(&f.store, &ada.id, &a.id, 1).await.unwrap();
    assert_eq!((doc.version, doc.approved), (2, true));
    let doc = design_docs::save(&f.store, &ada.id, &a.id, Some(2), "# A v2\n").await.unwrap();
    assert_eq!((doc.version, doc.approved, doc.content.as_str()), (3, false, "# A v2\n"));
    let err = design_docs::save(&f.store, &ada.id, &a.id, Some(2), "# lost\n").await.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::Conflict, Some("version")));
    assert_eq!(design_docs::get(&f.store, &ada.id, &a.id).await.unwrap().content, "# A v2\n");
}

#[tokio::test]
async fn a_components_context_must_be_in_its_project() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let q = project(&f.store, &ada, "my_blog").await;
    let new_ctx = NewContext {
        name: "Blog".into(),
        kind: ContextType::Domain,
        purpose: "Posts".into(),
        description: None,
    };
    let foreign = contexts::create(&f.store, &ada.id, &q.id, new_ctx).await.unwrap();
    let mut new = named("A");
    new.context_id = Some(foreign.id.to_string());
    let err = components::create(&f.store, &ada.id, &p.id, new).await.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::InvalidInput, Some("context_id")));
    let dup = components::create(&f.store, &ada.id, &p.id, named("A")).await.unwrap();
    let err = components::create(&f.store, &ada.id, &p.id, named("A")).await.unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::Conflict, Some("name")));
    assert_eq!(components::list(&f.store, &ada.id, &p.id).await.unwrap(), vec![dup]);
}

#[tokio::test]
async fn two_processes_on_one_file_see_each_others_edges() {
    let f = fixture().await;
    let other = codemyspec_core::Store::open(f.dir.path()).await.unwrap();
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let mut ids = Vec::new();
    for n in ["A", "B", "C"] {
        ids.push(components::create(&f.store, &ada.id, &p.id, named(n)).await.unwrap().id);
    }
    let (a, b, c) = (&ids[0], &ids[1], &ids[2]);
    // This store loads its copy of the graph; the other store then adds B -> A behind it.
    dependencies::add(&f.store, &ada.id, c, b).await.unwrap();
    dependencies::add(&other, &ada.id, b, a).await.unwrap();
    clean_all(&f).await;
    let change = ComponentChanges { description: Some("changed".into()), ..Default::default() };
    components::update(&f.store, &ada.id, a, change).await.unwrap();
    assert_eq!(dirty_of(&f, &ada.id, &[a, b, c]).await, [false, true, true]);
    let err = dependencies::add(&f.store, &ada.id, a, c).await.unwrap_err();
    assert!(
        matches!(&err, Error::DependencyCycle { cycle } if cycle == &["A", "C", "B", "A"]),
        "{err:?}"
    );
    // And the other way round, after removals.
    dependencies::remove(&f.store, &ada.id, c, b).await.unwrap();
    dependencies::add(&other, &ada.id, a, c).await.unwrap();
    let err = dependencies::add(&f.store, &ada.id, c, b).await.unwrap_err();
    assert!(
        matches!(&err, Error::DependencyCycle { cycle } if cycle == &["C", "B", "A", "C"]),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_long_cycle_is_named_by_its_ends() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let mut ids = Vec::new();
    for i in 0..15 {
        ids.push(
            components::create(&f.store, &ada.id, &p.id, named(&format!("C{i}"))).await.unwrap().id,
        );
    }
    for i in 1..15 {
        dependencies::add(&f.store, &ada.id, &ids[i], &ids[i - 1]).await.unwrap();
    }
    let err = dependencies::add(&f.store, &ada.id, &ids[0], &ids[14]).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "adding this dependency would form a cycle: \
         C0 -> C14 -> C13 -> C12 -> C11 -> C10 -> … 4 more … -> C5 -> C4 -> C3 -> C2 -> C1 -> C0"
    );
}

/// A component's key.
async fn seq_of(f: &Fixture, id: &ComponentId) -> i64 {
    sqlx::query_scalar("SELECT seq FROM components WHERE id = ?")
        .bind(id)
        .fetch_one(f.store.pool())
        .await
        .unwrap()
}

/// The project's dirty marks as stored: how many ranges.
async fn ranges(f: &Fixture) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM component_dirty_ranges")
        .fetch_one(f.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_chains_marks_are_a_range_per_run_of_keys_and_clearing_or_deleting_one_splits_it() {
    let f = fixture().await;
    let ada = account(&f.store, "ada@example.com").await;
    let p = project(&f.store, &ada, "my_shop").await;
    let q = project(&f.store, &ada, "blog").await;
    // C(i+1) depends on C(i); another project's component is made between C2 and C3, so the
    // chain's keys are two runs.
    let mut c = Vec::new();
    let mut other = None;
    for i in 0..6 {
        if i == 3 {
            other =
                Some(components::create(&f.store, &ada.id, &q.id, named("Other")).await.unwrap());
        }
        c.push(
            components::create(&f.store, &ada.id, &p.id, named(&format!("C{i}"))).await.unwrap(),
        );
        if i > 0 {
            dependencies::add(&f.store, &ada.id, &c[i].id, &c[i - 1].id).await.unwrap();
        }
    }
    let other = other.unwrap();
    let ids: Vec<&ComponentId> = c.iter().map(|c| &c.id).collect();
    clean_all(&f).await;
    let change = || ComponentChanges { description: Some("changed".into()), ..Default::default() };
    components::update(&f.store, &ada.id, ids[0], change()).await.unwrap();
    assert_eq!(dirty_of(&f, &ada.id, &ids).await, [false, true, true, true, true, true]);
    assert_eq!(ranges(&f).await, 2, "C1–C2 and C3–C5: one row a run, not one a component");
    assert!(!dirty_of(&f, &ada.id, &[&other.id]).await[0], "the key between is not marked");

    components::clear_dirty(&f.store, &ada.id, ids[3]).await.unwrap();
    assert_eq!(dirty_of(&f, &ada.id, &ids).await, [false, true, true, false, true, true]);
    let last_key = seq_of(&f, ids[5]).await;
    components::delete(&f.store, &ada.id, ids[5]).await.unwrap();
    assert_eq!(dirty_of(&f, &ada.id, &ids[..5]).await, [false, true, true, false, true]);
    // SQLite gives the next component the deleted greatest key: it starts clean.
    let new = components::create(&f.store, &ada.id, &p.id, named("New")).await.unwrap();
    assert_eq!(seq_of(&f, &new.id).await, last_key, "the deleted component's key, made again");
    assert!(!new.dirty, "a new component is not dirty, even on a key that was");

    components::update(&f.store, &ada.id, ids[0], change()).await.unwrap();
    assert_eq!(dirty_of(&f, &ada.id, &ids[..5]).await, [false, true, true, true, true]);
    assert_eq!(dirty_of(&f, &ada.id, &[&new.id, &other.id]).await, [false, false]);
    assert_eq!(ranges(&f).await, 2, "C3 joined C4 again");
}

#[tokio::test]
async fn marks_stored_one_a_row_before_become_ranges_of_the_same_keys() {
    let dir = tempfile::tempdir().unwrap();
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.path().join("old.db"))
        .create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    let migrations = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let all = sqlx::migrate::Migrator::new(migrations.clone()).await.unwrap();
    // The database as it was before marks became ranges, with marks stored one a row.
    let mut before = sqlx::migrate::Migrator::new(migrations).await.unwrap();
    before.migrations = all.migrations.iter().filter(|m| m.version < 20).cloned().collect();
    before.run(&pool).await.unwrap();
    for seq in [1, 2, 3, 5, 7, 8] {
        sqlx::query("INSERT INTO component_dirty (seq) VALUES (?)")
            .bind(seq)
            .execute(&pool)
            .await
            .unwrap();
    }
    all.run(&pool).await.unwrap();
    let after: Vec<(i64, i64)> =
        sqlx::query_as("SELECT lo, hi FROM component_dirty_ranges ORDER BY lo")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(after, [(1, 3), (5, 5), (7, 8)]);
}
