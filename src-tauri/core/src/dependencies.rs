//! The component dependency graph: edges inside one project, never a cycle (the error names
//! it), and dirty propagation — when a component or context changes, every component that
//! depends on it, transitively, is marked dirty. Walks run on the in-memory copy of the graph
//! ([`crate::graph`]); the marks are one `UPDATE` by component `seq`.

use crate::access::{self, Need, Owned};
use crate::components::{self, Component};
use crate::error::{Error, Result};
use crate::graph::EdgeChange;
use crate::ids::{AccountId, ProjectId};
use crate::ids::{ComponentId, ContextId};
use crate::store::{new_id, Store};
use serde::Serialize;
use sqlx::SqliteConnection;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Dependency {
    pub id: String,
    /// The component that depends…
    pub component_id: ComponentId,
    /// …on this one.
    pub depends_on_id: ComponentId,
    pub inserted_at: String,
}

/// The whole graph of a project, for drawing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Graph {
    pub components: Vec<Component>,
    pub dependencies: Vec<Dependency>,
}

const DEPENDENCY: &str = "SELECT d.id, a.id AS component_id, b.id AS depends_on_id, d.inserted_at \
     FROM component_dependencies d \
     JOIN components a ON a.seq = d.component_seq \
     JOIN components b ON b.seq = d.depends_on_seq";

/// A component's `seq` and project, by id.
async fn locate(conn: &mut SqliteConnection, id: &ComponentId) -> Result<Option<(i64, ProjectId)>> {
    Ok(sqlx::query_as("SELECT seq, project_id FROM components WHERE id = ?")
        .bind(id)
        .fetch_optional(conn)
        .await?)
}

async fn graph_version(conn: &mut SqliteConnection, project_id: &ProjectId) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT graph_version FROM projects WHERE id = ?")
        .bind(project_id)
        .fetch_one(conn)
        .await?)
}

/// The original design's `add_dependency/2` (docs/DESIGN.md): `component_id` comes to depend on
/// `depends_on_id`. Idempotent for an existing edge. The dependent component and everything that
/// depends on it become dirty.
pub async fn add(
    store: &Store,
    actor: &AccountId,
    component_id: &ComponentId,
    depends_on_id: &ComponentId,
) -> Result<Dependency> {
    let mut tx = store.write().await?;
    let project =
        access::require_owner_of(&mut *tx, actor, Owned::Component, component_id, Need::Write)
            .await?;
    let (from, _) = locate(&mut tx, component_id).await?.ok_or(Error::not_found("component"))?;
    let to = match locate(&mut tx, depends_on_id).await? {
        None => return Err(Error::invalid("depends_on_id", "that component does not exist")),
        Some((_, p)) if p != project => {
            return Err(Error::invalid(
                "depends_on_id",
                "a component can only depend on components of its own project",
            ))
        }
        Some((seq, _)) => seq,
    };
    if let Some(existing) = find(&mut tx, from, to).await? {
        return Ok(existing);
    }
    let cycle = if from == to {
        Some(vec![from, from])
    } else {
        let path = store.graphs().cycle_path(&mut tx, &project, from, to).await?;
        path.map(|p| std::iter::once(from).chain(p).collect())
    };
    if let Some(cycle) = cycle {
        return Err(Error::DependencyCycle { cycle: names(&mut tx, &cycle).await? });
    }
    // Who depends on `from` does not change with an edge out of it: mark now, while the
    // in-memory graph is current.
    mark_with_dependents(&mut tx, store, &project, &[from], true).await?;
    let now = store.now();
    sqlx::query(
        "INSERT INTO component_dependencies \
         (id, project_id, component_seq, depends_on_seq, inserted_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(new_id())
    .bind(project)
    .bind(from)
    .bind(to)
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    let version = graph_version(&mut tx, &project).await?;
    let dep = find(&mut tx, from, to).await?.ok_or(Error::not_found("dependency"))?;
    tx.commit().await?;
    store.graphs().committed(&project, version, EdgeChange::Added(from, to));
    Ok(dep)
}

pub async fn remove(
    store: &Store,
    actor: &AccountId,
    component_id: &ComponentId,
    depends_on_id: &ComponentId,
) -> Result<()> {
    let mut tx = store.write().await?;
    let project =
        access::require_owner_of(&mut *tx, actor, Owned::Component, component_id, Need::Write)
            .await?;
    let (from, _) = locate(&mut tx, component_id).await?.ok_or(Error::not_found("component"))?;
    let to = locate(&mut tx, depends_on_id)
        .await?
        .map(|(seq, _)| seq)
        .ok_or(Error::not_found("dependency"))?;
    mark_with_dependents(&mut tx, store, &project, &[from], true).await?;
    let gone = sqlx::query(
        "DELETE FROM component_dependencies WHERE component_seq = ? AND depends_on_seq = ?",
    )
    .bind(from)
    .bind(to)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if gone == 0 {
        return Err(Error::not_found("dependency"));
    }
    let version = graph_version(&mut tx, &project).await?;
    tx.commit().await?;
    store.graphs().committed(&project, version, EdgeChange::Removed(from, to));
    Ok(())
}

async fn find(conn: &mut SqliteConnection, from: i64, to: i64) -> Result<Option<Dependency>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{DEPENDENCY} WHERE d.component_seq = ? AND d.depends_on_seq = ?"
    )))
    .bind(from)
    .bind(to)
    .fetch_optional(conn)
    .await?)
}

/// The names along a cycle, for the error. A long cycle is shortened to its ends.
async fn names(conn: &mut SqliteConnection, seqs: &[i64]) -> Result<Vec<String>> {
    const ENDS: usize = 6;
    let long = seqs.len() > 2 * ENDS;
    let shown: Vec<i64> = if long {
        seqs[..ENDS].iter().chain(&seqs[seqs.len() - ENDS..]).copied().collect()
    } else {
        seqs.to_vec()
    };
    let list = serde_json::to_string(&shown)
        .map_err(|e| Error::Internal(format!("cannot encode component keys: {e}")))?;
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT seq, name FROM components WHERE seq IN (SELECT value FROM json_each(?))",
    )
    .bind(list)
    .fetch_all(&mut *conn)
    .await?;
    let by_seq: std::collections::HashMap<i64, String> = rows.into_iter().collect();
    let mut out: Vec<String> =
        shown.iter().map(|s| by_seq.get(s).cloned().unwrap_or_else(|| format!("#{s}"))).collect();
    if long {
        out.insert(ENDS, format!("… {} more …", seqs.len() - 2 * ENDS));
    }
    Ok(out)
}

/// Marks every component depending on `seeds`, transitively, dirty — and the seeds too when
/// `include_seeds`.
async fn mark_with_dependents(
    conn: &mut SqliteConnection,
    store: &Store,
    project_id: &ProjectId,
    seeds: &[i64],
    include_seeds: bool,
) -> Result<()> {
    let mut marked = store.graphs().dependents(conn, project_id, seeds).await?;
    if include_seeds {
        marked.extend_from_slice(seeds);
    }
    crate::dirty::mark(conn, &marked).await
}

/// A component changed: everything that depends on it, transitively, becomes dirty.
pub(crate) async fn component_changed(
    conn: &mut SqliteConnection,
    store: &Store,
    component_id: &ComponentId,
) -> Result<()> {
    match locate(conn, component_id).await? {
        Some((seq, project)) => mark_with_dependents(conn, store, &project, &[seq], false).await,
        None => Err(Error::not_found("component")),
    }
}

/// A context changed: its components, and everything depending on them, become dirty.
pub(crate) async fn context_changed(
    conn: &mut SqliteConnection,
    store: &Store,
    context_id: &ContextId,
) -> Result<()> {
    let project: ProjectId = sqlx::query_scalar("SELECT project_id FROM contexts WHERE id = ?")
        .bind(context_id)
        .fetch_one(&mut *conn)
        .await?;
    let seeds: Vec<i64> = sqlx::query_scalar("SELECT seq FROM components WHERE context_id = ?")
        .bind(context_id)
        .fetch_all(&mut *conn)
        .await?;
    mark_with_dependents(conn, store, &project, &seeds, true).await
}

/// The original design's `list_dependencies/1` (docs/DESIGN.md): what the component depends on
/// directly.
pub async fn list(
    store: &Store,
    actor: &AccountId,
    component_id: &ComponentId,
) -> Result<Vec<Component>> {
    let depended_on = "seq IN (SELECT d.depends_on_seq FROM component_dependencies d \
         JOIN components c ON c.seq = d.component_seq WHERE c.id = ?)";
    neighbours(store, actor, component_id, depended_on).await
}

/// The components that depend on this one directly.
pub async fn list_dependents(
    store: &Store,
    actor: &AccountId,
    component_id: &ComponentId,
) -> Result<Vec<Component>> {
    let depending = "seq IN (SELECT d.component_seq FROM component_dependencies d \
         JOIN components c ON c.seq = d.depends_on_seq WHERE c.id = ?)";
    neighbours(store, actor, component_id, depending).await
}

/// The components one edge away from `component_id` that `condition` picks.
async fn neighbours(
    store: &Store,
    actor: &AccountId,
    component_id: &ComponentId,
    condition: &'static str,
) -> Result<Vec<Component>> {
    access::require_owner_of(store.pool(), actor, Owned::Component, component_id, Need::Read)
        .await?;
    components::query_where(store.pool(), condition, component_id).await
}

pub async fn graph(store: &Store, actor: &AccountId, project_id: &ProjectId) -> Result<Graph> {
    let components = components::list(store, actor, project_id).await?;
    let dependencies = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{DEPENDENCY} WHERE d.project_id = ? ORDER BY d.inserted_at, d.id"
    )))
    .bind(project_id)
    .fetch_all(store.pool())
    .await?;
    Ok(Graph { components, dependencies })
}
