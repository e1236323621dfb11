//! The component dependency graph: edges inside one project, never a cycle (the error names
//! it), and dirty propagation — when a component or context changes, every component that
//! depends on it, transitively, is marked dirty. Both walks are recursive CTEs in SQLite, so
//! a 100k-component graph is never loaded into memory.

use crate::access::{self, Need, Owned};
use crate::components::{self, Component};
use crate::error::{Error, Result};
use crate::store::{new_id, Store};
use serde::Serialize;
use sqlx::SqliteConnection;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Dependency {
    pub id: String,
    pub component_id: String,
    pub depends_on_id: String,
    pub inserted_at: String,
}

/// The whole graph of a project, for drawing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Graph {
    pub components: Vec<Component>,
    pub dependencies: Vec<Dependency>,
}

/// Seed 004's `add_dependency/2`: `component_id` comes to depend on `depends_on_id`.
/// Idempotent for an existing edge. The dependent component and everything that depends on
/// it become dirty.
pub async fn add(
    store: &Store,
    actor: &str,
    component_id: &str,
    depends_on_id: &str,
) -> Result<Dependency> {
    let mut tx = store.write().await?;
    let (from, project) =
        access::require_owned(&mut *tx, actor, Owned::Component, component_id, Need::Write).await?;
    let to = crate::validate::id("depends_on_id", depends_on_id)?;
    let to_project: Option<String> =
        sqlx::query_scalar("SELECT project_id FROM components WHERE id = ?")
            .bind(&to)
            .fetch_optional(&mut *tx)
            .await?;
    match to_project {
        None => {
            return Err(Error::invalid(
                "depends_on_id",
                "that component does not exist",
            ))
        }
        Some(p) if p != project => {
            return Err(Error::invalid(
                "depends_on_id",
                "a component can only depend on components of its own project",
            ))
        }
        Some(_) => {}
    }
    if let Some(existing) = find(&mut tx, &from, &to).await? {
        return Ok(existing);
    }
    if let Some(cycle) = cycle_through(&mut tx, &from, &to).await? {
        return Err(Error::DependencyCycle {
            cycle: names(&mut tx, &cycle).await?,
        });
    }
    let now = store.now();
    sqlx::query(
        "INSERT INTO component_dependencies \
         (id, project_id, component_id, depends_on_id, inserted_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(new_id())
    .bind(&project)
    .bind(&from)
    .bind(&to)
    .bind(&now)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    mark_dirty_with_dependents(&mut tx, &from).await?;
    let dep = find(&mut tx, &from, &to)
        .await?
        .ok_or(Error::not_found("dependency"))?;
    tx.commit().await?;
    Ok(dep)
}

pub async fn remove(
    store: &Store,
    actor: &str,
    component_id: &str,
    depends_on_id: &str,
) -> Result<()> {
    let mut tx = store.write().await?;
    let (from, _) =
        access::require_owned(&mut *tx, actor, Owned::Component, component_id, Need::Write).await?;
    let to = crate::validate::id("depends_on_id", depends_on_id)?;
    let gone = sqlx::query(
        "DELETE FROM component_dependencies WHERE component_id = ? AND depends_on_id = ?",
    )
    .bind(&from)
    .bind(&to)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if gone == 0 {
        return Err(Error::not_found("dependency"));
    }
    mark_dirty_with_dependents(&mut tx, &from).await?;
    tx.commit().await?;
    Ok(())
}

async fn find(conn: &mut SqliteConnection, from: &str, to: &str) -> Result<Option<Dependency>> {
    Ok(sqlx::query_as(
        "SELECT id, component_id, depends_on_id, inserted_at FROM component_dependencies \
         WHERE component_id = ? AND depends_on_id = ?",
    )
    .bind(from)
    .bind(to)
    .fetch_optional(conn)
    .await?)
}

/// Would `from → to` close a cycle? If `from` is reachable from `to` along "depends on"
/// edges, returns the cycle as ids: `[from, to, …, from]`.
async fn cycle_through(
    conn: &mut SqliteConnection,
    from: &str,
    to: &str,
) -> Result<Option<Vec<String>>> {
    if from == to {
        return Ok(Some(vec![from.to_owned(), from.to_owned()]));
    }
    // Cheap test first: the walk stops at the first hit.
    let hit: Option<i64> = sqlx::query_scalar(
        "WITH RECURSIVE reach(id) AS ( \
            SELECT ?1 \
            UNION \
            SELECT e.depends_on_id FROM component_dependencies e JOIN reach r ON e.component_id = r.id \
         ) SELECT 1 FROM reach WHERE id = ?2 LIMIT 1",
    )
    .bind(to)
    .bind(from)
    .fetch_optional(&mut *conn)
    .await?;
    if hit.is_none() {
        return Ok(None);
    }
    // Rare path: walk again keeping each node's predecessor to name the cycle.
    let steps: Vec<(String, Option<String>)> = sqlx::query_as(
        "WITH RECURSIVE reach(id, via) AS ( \
            SELECT ?1, NULL \
            UNION \
            SELECT e.depends_on_id, e.component_id FROM component_dependencies e \
            JOIN reach r ON e.component_id = r.id \
         ) SELECT id, via FROM reach",
    )
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let mut via: HashMap<&str, &str> = HashMap::new();
    for (id, parent) in &steps {
        if let Some(parent) = parent {
            via.entry(id.as_str()).or_insert(parent.as_str());
        }
    }
    // Follow predecessors from `from` back to `to`: to → … → from.
    let mut path = vec![from.to_owned()];
    let mut at = from;
    while at != to {
        at = via
            .get(at)
            .ok_or_else(|| Error::Internal("cycle path broke off".into()))?;
        path.push(at.to_owned());
        if path.len() > steps.len() + 1 {
            return Err(Error::Internal("cycle path did not close".into()));
        }
    }
    path.reverse(); // to … from
    let mut cycle = vec![from.to_owned()];
    cycle.extend(path);
    Ok(Some(cycle))
}

async fn names(conn: &mut SqliteConnection, ids: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let name: String = sqlx::query_scalar("SELECT name FROM components WHERE id = ?")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        out.push(name);
    }
    Ok(out)
}

/// Marks every component that depends on `component_id`, transitively, dirty. Returns how
/// many were newly marked.
pub(crate) async fn mark_dependents_dirty(
    conn: &mut SqliteConnection,
    component_id: &str,
) -> Result<u64> {
    Ok(sqlx::query(
        "WITH RECURSIVE dependents(id) AS ( \
            SELECT component_id FROM component_dependencies WHERE depends_on_id = ?1 \
            UNION \
            SELECT e.component_id FROM component_dependencies e \
            JOIN dependents d ON e.depends_on_id = d.id \
         ) UPDATE components SET dirty = 1 WHERE dirty = 0 AND id IN (SELECT id FROM dependents)",
    )
    .bind(component_id)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Marks the component itself and its transitive dependents dirty.
pub(crate) async fn mark_dirty_with_dependents(
    conn: &mut SqliteConnection,
    component_id: &str,
) -> Result<u64> {
    let own = sqlx::query("UPDATE components SET dirty = 1 WHERE id = ? AND dirty = 0")
        .bind(component_id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok(own + mark_dependents_dirty(conn, component_id).await?)
}

/// Marks the components of a context, and everything depending on them, dirty.
pub(crate) async fn mark_context_dirty(
    conn: &mut SqliteConnection,
    context_id: &str,
) -> Result<u64> {
    Ok(sqlx::query(
        "WITH RECURSIVE affected(id) AS ( \
            SELECT id FROM components WHERE context_id = ?1 \
            UNION \
            SELECT e.component_id FROM component_dependencies e \
            JOIN affected a ON e.depends_on_id = a.id \
         ) UPDATE components SET dirty = 1 WHERE dirty = 0 AND id IN (SELECT id FROM affected)",
    )
    .bind(context_id)
    .execute(conn)
    .await?
    .rows_affected())
}

/// Seed 004's `list_dependencies/1`: what the component depends on directly.
pub async fn list(store: &Store, actor: &str, component_id: &str) -> Result<Vec<Component>> {
    let (id, _) = access::require_owned(
        store.pool(),
        actor,
        Owned::Component,
        component_id,
        Need::Read,
    )
    .await?;
    components::query_where(
        store.pool(),
        "id IN (SELECT depends_on_id FROM component_dependencies WHERE component_id = ?)",
        &id,
    )
    .await
}

/// The components that depend on this one directly.
pub async fn list_dependents(
    store: &Store,
    actor: &str,
    component_id: &str,
) -> Result<Vec<Component>> {
    let (id, _) = access::require_owned(
        store.pool(),
        actor,
        Owned::Component,
        component_id,
        Need::Read,
    )
    .await?;
    components::query_where(
        store.pool(),
        "id IN (SELECT component_id FROM component_dependencies WHERE depends_on_id = ?)",
        &id,
    )
    .await
}

pub async fn graph(store: &Store, actor: &str, project_id: &str) -> Result<Graph> {
    let components = components::list(store, actor, project_id).await?;
    let dependencies = sqlx::query_as(
        "SELECT id, component_id, depends_on_id, inserted_at FROM component_dependencies \
         WHERE project_id = ? ORDER BY inserted_at, id",
    )
    .bind(crate::validate::id("project_id", project_id)?)
    .fetch_all(store.pool())
    .await?;
    Ok(Graph {
        components,
        dependencies,
    })
}
