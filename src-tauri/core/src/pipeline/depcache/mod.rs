//! Warm setups: a per-machine cache of fetched and compiled Mix dependencies
//! (docs/PIPELINE.md, "Warm setups"). Before a `mix` step, each dependency of the project's
//! `mix.lock` with no build of the step's MIX_ENV yet is seeded from the cache — its source
//! (`deps/<package>`) and its build (`_build/<env>/lib/<package>`) together, as Mix left
//! them, times kept — and Mix's own staleness checks decide what still compiles. After a
//! step succeeds, the builds it made that the cache lacks are stored. An entry whose
//! contents no longer hash as stored is removed, never used: Mix builds it again.

pub mod files;
pub mod lock;

use crate::error::{Error, Result};
use crate::settings::{self, Setting};
use crate::store::Store;
use lock::BuildOf;
use std::path::{Path, PathBuf};

/// The cache's size bound when `dep_cache_max_mb` is not set: about twenty Phoenix apps'
/// dependencies in two environments.
pub const DEFAULT_MAX_MB: u64 = 2048;

/// The MIX_ENV a `mix` step compiles in: `mix test` builds `test`, everything else `dev`.
pub fn env_of(args: &[String]) -> &'static str {
    match args.first().map(String::as_str) {
        Some("test") => "test",
        _ => "dev",
    }
}

/// The cache of one data dir (its files in `<data dir>/dep-cache`, its index in SQLite).
#[derive(Debug, Clone)]
pub struct DepCache {
    store: Store,
    root: PathBuf,
}

/// What one seeding did, for the step's log.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Seeded {
    pub seeded: Vec<String>,
    /// Entries that failed their checksum: removed, to be built again.
    pub rejected: Vec<String>,
}

/// The cache as `doctor` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub entries: u64,
    pub bytes: u64,
    pub max_bytes: u64,
    pub root: PathBuf,
}

fn io(context: String) -> impl FnOnce(std::io::Error) -> Error {
    move |source| Error::Io { context, source }
}

impl DepCache {
    pub fn new(store: &Store) -> Self {
        DepCache { store: store.clone(), root: store.data_dir().join("dep-cache") }
    }

    fn entry_dir(&self, key: &str) -> PathBuf {
        self.root.join("entries").join(key)
    }

    /// The size bound in bytes: the `dep_cache_max_mb` setting, else [`DEFAULT_MAX_MB`].
    pub async fn max_bytes(&self) -> Result<u64> {
        let mb = settings::get(&self.store, Setting::DepCacheMaxMb)
            .await?
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(DEFAULT_MAX_MB);
        Ok(mb * 1024 * 1024)
    }

    /// Seeds `project` (a folder with `mix.lock`) for a step building `of.env`.
    pub async fn seed(&self, project: &Path, of: &BuildOf) -> Result<Seeded> {
        let lock = lock::read(project);
        let mut out = Seeded::default();
        for package in lock.keys() {
            let build = project.join("_build").join(&of.env).join("lib").join(package);
            if build.exists() {
                continue; // built here already: Mix decides about it
            }
            let key = lock::key(&lock, package, of);
            let row: Option<(String,)> =
                sqlx::query_as("SELECT content_hash FROM dep_cache WHERE key = ?")
                    .bind(&key)
                    .fetch_optional(self.store.pool())
                    .await?;
            let Some((stored_hash,)) = row else { continue };
            let dir = self.entry_dir(&key);
            let (d, h) = (dir.clone(), stored_hash);
            let intact = blocking(move || Ok(files::hash_tree(&d).ok() == Some(h))).await?;
            if !intact {
                self.remove(&key).await?;
                out.rejected.push(package.clone());
                continue;
            }
            let (d, p, name) = (dir, project.to_owned(), package.clone());
            blocking(move || install(&d, &p, &name, &build)).await?;
            let mut tx = self.store.write().await?;
            sqlx::query(
                "UPDATE dep_cache SET used_seq = (SELECT COALESCE(MAX(used_seq), 0) + 1 FROM dep_cache) WHERE key = ?",
            )
            .bind(&key)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            out.seeded.push(package.clone());
        }
        Ok(out)
    }

    /// Stores the builds of `of.env` in `project` that the cache lacks (after a step that
    /// succeeded), then evicts the least recently used entries over the bound. Returns the
    /// packages stored.
    pub async fn store_builds(&self, project: &Path, of: &BuildOf) -> Result<Vec<String>> {
        let lock = lock::read(project);
        let mut stored = Vec::new();
        for (package, locked) in &lock {
            let build = project.join("_build").join(&of.env).join("lib").join(package);
            let source = project.join("deps").join(package);
            if !build.join("ebin").is_dir() || !source.is_dir() {
                continue;
            }
            let key = lock::key(&lock, package, of);
            let known: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM dep_cache WHERE key = ?")
                .bind(&key)
                .fetch_optional(self.store.pool())
                .await?;
            if known.is_some() {
                continue;
            }
            let dir = self.entry_dir(&key);
            let tmp = self.root.join("tmp").join(format!("{key}-{}", uuid::Uuid::new_v4()));
            let (t, d) = (tmp.clone(), dir.clone());
            let made = blocking(move || {
                files::copy_tree(&source, &t.join("deps"))
                    .and_then(|()| files::copy_tree(&build, &t.join("build")))
                    .map_err(io(format!(
                        "cannot copy {} into the dependency cache",
                        source.display()
                    )))?;
                let hash = files::hash_tree(&t).map_err(io("cannot hash a cache entry".into()))?;
                let size = files::size_of(&t).map_err(io("cannot measure a cache entry".into()))?;
                let _ = files::remove(&d);
                std::fs::create_dir_all(d.parent().unwrap_or(&d))
                    .and_then(|()| std::fs::rename(&t, &d))
                    .map_err(io(format!("cannot move a cache entry to {}", d.display())))?;
                Ok((hash, size))
            })
            .await;
            let (hash, size) = match made {
                Ok(made) => made,
                Err(e) => {
                    let _ = files::remove(&tmp);
                    return Err(e);
                }
            };
            let mut tx = self.store.write().await?;
            sqlx::query(
                "INSERT OR REPLACE INTO dep_cache (key, package, version, env, elixir, otp, size_bytes, \
                 content_hash, stored_at, used_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, \
                 (SELECT COALESCE(MAX(used_seq), 0) + 1 FROM dep_cache))",
            )
            .bind(&key)
            .bind(package)
            .bind(&locked.version)
            .bind(&of.env)
            .bind(&of.elixir)
            .bind(&of.otp)
            .bind(size as i64)
            .bind(&hash)
            .bind(self.store.now())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            stored.push(package.clone());
        }
        self.evict(self.max_bytes().await?).await?;
        Ok(stored)
    }

    /// Removes least recently used entries until the cache holds at most `max_bytes`.
    /// Returns the keys removed.
    pub async fn evict(&self, max_bytes: u64) -> Result<Vec<String>> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT key, size_bytes FROM dep_cache ORDER BY used_seq")
                .fetch_all(self.store.pool())
                .await?;
        let mut total: u64 = rows.iter().map(|(_, s)| *s as u64).sum();
        let mut removed = Vec::new();
        for (key, size) in rows {
            if total <= max_bytes {
                break;
            }
            self.remove(&key).await?;
            total = total.saturating_sub(size as u64);
            removed.push(key);
        }
        Ok(removed)
    }

    /// One entry's row, then its files (a row never points at files that are gone).
    async fn remove(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM dep_cache WHERE key = ?")
            .bind(key)
            .execute(self.store.pool())
            .await?;
        let dir = self.entry_dir(key);
        blocking(move || files::remove(&dir).map_err(io("cannot remove a cache entry".into())))
            .await
    }

    /// Empties the cache; returns the entries and bytes removed.
    pub async fn clear(&self) -> Result<(u64, u64)> {
        let before = self.summary().await?;
        sqlx::query("DELETE FROM dep_cache").execute(self.store.pool()).await?;
        let root = self.root.clone();
        blocking(move || {
            files::remove(&root).map_err(io(format!("cannot remove {}", root.display())))
        })
        .await?;
        Ok((before.entries, before.bytes))
    }

    pub async fn summary(&self) -> Result<Summary> {
        let (entries, bytes): (i64, i64) =
            sqlx::query_as("SELECT COUNT(*), COALESCE(SUM(size_bytes), 0) FROM dep_cache")
                .fetch_one(self.store.pool())
                .await?;
        Ok(Summary {
            entries: entries as u64,
            bytes: bytes as u64,
            max_bytes: self.max_bytes().await?,
            root: self.root.clone(),
        })
    }
}

/// Puts a verified entry in place: `deps/<package>` is replaced by the entry's source (the
/// same lock entry, so the same files; but the build was made from this copy, and Mix
/// rebuilds a dependency fetched after its build), then the build goes beside the others.
fn install(entry: &Path, project: &Path, package: &str, build: &Path) -> Result<()> {
    let source = project.join("deps").join(package);
    let staged = project.join("deps").join(format!(".{package}.seeding"));
    let staged_build = build.with_file_name(format!(".{package}.seeding"));
    let step = || -> std::io::Result<()> {
        files::remove(&staged)?;
        files::remove(&staged_build)?;
        files::copy_tree(&entry.join("deps"), &staged)?;
        files::copy_tree(&entry.join("build"), &staged_build)?;
        files::remove(&source)?;
        std::fs::rename(&staged, &source)?;
        std::fs::rename(&staged_build, build)
    };
    step().map_err(|source| {
        let _ = files::remove(&staged);
        let _ = files::remove(&staged_build);
        Error::Io { context: format!("cannot seed {package} from the dependency cache"), source }
    })
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| Error::Io {
        context: "a dependency cache task failed".into(),
        source: std::io::Error::other(e.to_string()),
    })?
}

/// Bytes as people read them.
pub fn human(bytes: u64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 1024.0 {
        format!("{:.1} GB", mb / 1024.0)
    } else {
        format!("{mb:.1} MB")
    }
}
