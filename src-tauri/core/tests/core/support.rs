//! Fixtures built by code: a fresh database file in a temp dir with a clock fixed at
//! 2026-01-01, profiles, and projects.

use codemyspec_core::accounts::{self, Account, NewAccount};
use codemyspec_core::clock::ManualClock;
use codemyspec_core::projects::{self, NewProject, Project};
use codemyspec_core::{Secret, Store};
use sqlx::Row;
use std::sync::Arc;
use tempfile::TempDir;

pub struct Fixture {
    pub store: Store,
    pub clock: ManualClock,
    pub dir: TempDir,
}

pub async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = ManualClock::fixed();
    let store =
        Store::open_with_clock(dir.path(), Arc::new(clock.clone())).await.expect("open store");
    Fixture { store, clock, dir }
}

pub const PASSWORD: &str = "correct horse battery";

pub async fn account(store: &Store, email: &str) -> Account {
    accounts::create(
        store,
        NewAccount { email: email.into(), password: Secret::new(PASSWORD), name: None },
    )
    .await
    .expect("create account")
}

pub async fn project(store: &Store, owner: &Account, name: &str) -> Project {
    projects::create(store, &owner.id, NewProject { name: name.into(), ..Default::default() })
        .await
        .expect("create project")
}

/// Every row of every table, in a stable order: two snapshots are equal exactly when the
/// database holds the same data. Not the log of projects that left a list
/// (`membership_removals`): a deletion is meant to leave that behind, and its tests read it.
pub async fn snapshot(store: &Store) -> String {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT IN ('_sqlx_migrations', 'membership_removals') ORDER BY name",
    )
    .fetch_all(store.pool())
    .await
    .expect("list tables");
    let mut out = String::new();
    for table in tables {
        let rows =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM \"{table}\" ORDER BY rowid")))
                .fetch_all(store.pool())
                .await
                .expect("read table");
        out.push_str(&format!("## {table} ({} rows)\n", rows.len()));
        for row in rows {
            let cells: Vec<String> = (0..row.len())
                .map(|i| {
                    row.try_get::<Option<String>, _>(i)
                        .map(|v| format!("{v:?}"))
                        .or_else(|_| row.try_get::<Option<i64>, _>(i).map(|v| format!("{v:?}")))
                        .unwrap_or_else(|_| "?".into())
                })
                .collect();
            out.push_str(&cells.join("|"));
            out.push('\n');
        }
    }
    out
}

/// A discovered project as a setup on this machine leaves it — cloned, `ready`, stage
/// `initialized` — without running one: the org sync's tests need a project whose repository
/// exists (so that it can go missing), not its code. The clone itself is tested in
/// `clone_setup.rs`.
pub async fn as_set_up(store: &Store, project_id: &codemyspec_core::ProjectId) {
    sqlx::query(
        "UPDATE projects SET stage = 'initialized', setup_status = 'ready', setup_complete = 1 \
         WHERE id = ? AND stage = 'discovered'",
    )
    .bind(project_id)
    .execute(store.pool())
    .await
    .expect("a discovered project");
}
