//! The SQLite store: one database file in the data dir, WAL, foreign keys, a busy timeout,
//! migrations applied on open, and write transactions that start with `BEGIN IMMEDIATE`
//! (a deferred transaction that later writes fails with SQLITE_BUSY instead of waiting).

use crate::clock::{format_ts, Clock, SystemClock};
use crate::error::{Error, Result};
use crate::graph::GraphCache;
use crate::ids::ProjectId;
use crate::validate::RepoHost;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub const DB_FILE: &str = "codemyspec.db";
/// The app identifier; the data dir is `<OS data dir>/<identifier>`, which is also where
/// Tauri's `app_data_dir()` points, so the window and the CLI share one database.
pub const APP_IDENTIFIER: &str = "dev.codemyspec.desktop";
pub const DATA_DIR_ENV: &str = "CODEMYSPEC_DATA_DIR";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// The default data dir: `$CODEMYSPEC_DATA_DIR`, else the OS app-data dir.
pub fn default_data_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir()
        .map(|d| d.join(APP_IDENTIFIER))
        .ok_or_else(|| Error::Internal("this OS reports no application data directory".into()))
}

#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    clock: Arc<dyn Clock>,
    data_dir: PathBuf,
    graphs: Arc<GraphCache>,
    jobs_changed: Arc<tokio::sync::Notify>,
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir` and runs pending migrations.
    pub async fn open(data_dir: &Path) -> Result<Store> {
        Self::open_with_clock(data_dir, Arc::new(SystemClock)).await
    }

    pub async fn open_with_clock(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<Store> {
        create_private_dir(data_dir)?;
        let options = SqliteConnectOptions::new()
            .filename(data_dir.join(DB_FILE))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory")
            // 32 MiB of page cache per connection (the default is 2 MiB): marking 100k
            // components dirty otherwise spills and re-reads pages mid-statement.
            .pragma("cache_size", "-32768");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        private_file(&data_dir.join(DB_FILE))?;
        Ok(Store {
            pool,
            clock,
            data_dir: data_dir.to_owned(),
            graphs: Arc::default(),
            jobs_changed: Arc::default(),
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The bare clone of a project's docs repository, which the docs sync keeps.
    pub fn docs_clone_dir(&self, project_id: &ProjectId) -> std::path::PathBuf {
        self.data_dir.join("docs").join(format!("{project_id}.git"))
    }

    /// Tells this process's job runner that jobs changed (inserted, cancelled, retried), so
    /// it looks at once instead of at its next poll.
    pub fn notify_jobs(&self) {
        self.jobs_changed.notify_one();
    }

    /// Resolves at the next [`Store::notify_jobs`] (or at once if one came since the last).
    pub async fn jobs_changed(&self) {
        self.jobs_changed.notified().await;
    }

    pub(crate) fn graphs(&self) -> &GraphCache {
        &self.graphs
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// The current time in the stored text format.
    pub fn now(&self) -> String {
        format_ts(self.clock.now())
    }

    /// A write transaction; it holds SQLite's write lock from its first statement.
    pub async fn write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The GitHub host repository URLs must point at (setting `github_host`).
    pub async fn repo_host(&self) -> Result<RepoHost> {
        match crate::settings::get(self, crate::settings::Setting::GithubHost).await? {
            Some(host) => RepoHost::new("github_host", &host),
            None => Ok(RepoHost::default()),
        }
    }
}

/// Creates the data dir readable by its owner only (0700 on Unix): it holds the database,
/// job logs and generated projects. An existing dir is narrowed to that too.
fn create_private_dir(dir: &Path) -> Result<()> {
    let io = |source| Error::Io {
        context: format!("cannot create the data dir {}", dir.display()),
        source,
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(io)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir).map_err(io)?;
    Ok(())
}

/// Narrows the database file (and SQLite's WAL and shared-memory files) to 0600 on Unix.
fn private_file(db: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            let path = PathBuf::from(name);
            if path.exists() {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(
                    |source| Error::Io {
                        context: format!("cannot protect {}", path.display()),
                        source,
                    },
                )?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = db;
    Ok(())
}

/// A fresh UUID v4 in its stored text form.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().hyphenated().to_string()
}

/// The row of a project's `table` (stories, contexts, components) named `name` (trimmed), read
/// as `T` from `columns`; not found as `what`. Names are unique within a project.
pub(crate) async fn by_name<T>(
    store: &Store,
    table: &str,
    columns: &str,
    project_id: &ProjectId,
    name: &str,
    what: &'static str,
) -> Result<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
{
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {columns} FROM {table} WHERE project_id = ? AND name = ?"
    )))
    .bind(project_id)
    .bind(name.trim())
    .fetch_optional(store.pool())
    .await?
    .ok_or(Error::not_found(what))
}

/// Rows of `table` matching a fixed `condition` with one bound parameter, read as `T` from
/// `columns` in `order`: the lists of one kind of entity (a project's stories, a context's
/// components).
pub(crate) async fn rows_where<'e, T, E, P>(
    exec: E,
    table: &str,
    columns: &str,
    condition: &'static str,
    order: &'static str,
    param: P,
) -> Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
    E: sqlx::SqliteExecutor<'e>,
    P: for<'q> sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + Send,
{
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {columns} FROM {table} WHERE {condition} ORDER BY {order}"
    )))
    .bind(param)
    .fetch_all(exec)
    .await?)
}

/// Maps a unique-constraint violation to a conflict on `field`; other errors pass through.
pub(crate) fn unique_as_conflict(err: sqlx::Error, field: &str, message: &str) -> Error {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            Error::conflict(Some(field), message)
        }
        _ => err.into(),
    }
}
