//! An in-memory copy of each project's dependency edges, so that cycle checks and dirty
//! propagation over 100k components take milliseconds instead of a recursive query per edit.
//!
//! The database stays the truth: every change to a project's edges bumps
//! `projects.graph_version` (by trigger), and a copy is used only while its version matches
//! the one read inside the caller's write transaction. Another process (the CLI next to the
//! window) changing edges therefore just makes the next writer reload.

use crate::error::Result;
use sqlx::SqliteConnection;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;

/// Edges of one project, by component `seq`, both ways.
#[derive(Debug, Default)]
struct ProjectGraph {
    version: i64,
    depends_on: HashMap<i64, Vec<i64>>,
    dependents: HashMap<i64, Vec<i64>>,
}

impl ProjectGraph {
    fn add(&mut self, from: i64, to: i64) {
        let deps = self.depends_on.entry(from).or_default();
        if !deps.contains(&to) {
            deps.push(to);
            self.dependents.entry(to).or_default().push(from);
        }
    }

    fn remove(&mut self, from: i64, to: i64) {
        if let Some(deps) = self.depends_on.get_mut(&from) {
            deps.retain(|d| *d != to);
        }
        if let Some(users) = self.dependents.get_mut(&to) {
            users.retain(|u| *u != from);
        }
    }

    /// Every node reachable from `starts` along `edges`, the starts excluded unless reached.
    fn reach(edges: &HashMap<i64, Vec<i64>>, starts: &[i64]) -> Vec<i64> {
        let mut seen: HashSet<i64> = HashSet::new();
        let mut queue: VecDeque<i64> = starts.iter().copied().collect();
        let mut out = Vec::new();
        while let Some(node) = queue.pop_front() {
            for &next in edges.get(&node).map(Vec::as_slice).unwrap_or_default() {
                if seen.insert(next) {
                    out.push(next);
                    queue.push_back(next);
                }
            }
        }
        out
    }

    /// A path `from → … → to` along "depends on" edges, if there is one.
    fn path(&self, from: i64, to: i64) -> Option<Vec<i64>> {
        let mut parent: HashMap<i64, i64> = HashMap::new();
        let mut queue = VecDeque::from([from]);
        while let Some(node) = queue.pop_front() {
            if node == to {
                let mut path = vec![to];
                let mut at = to;
                while at != from {
                    at = parent[&at];
                    path.push(at);
                }
                path.reverse();
                return Some(path);
            }
            for &next in self
                .depends_on
                .get(&node)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                if next != from && !parent.contains_key(&next) {
                    parent.insert(next, node);
                    queue.push_back(next);
                }
            }
        }
        None
    }
}

/// The copies of every project's graph this process has loaded.
#[derive(Debug, Default)]
pub struct GraphCache {
    projects: Mutex<HashMap<String, ProjectGraph>>,
}

impl GraphCache {
    /// Runs `f` on the project's graph, current as of the caller's transaction.
    async fn with<T>(
        &self,
        conn: &mut SqliteConnection,
        project_id: &str,
        f: impl FnOnce(&ProjectGraph) -> T,
    ) -> Result<T> {
        let version: i64 = sqlx::query_scalar("SELECT graph_version FROM projects WHERE id = ?")
            .bind(project_id)
            .fetch_one(&mut *conn)
            .await?;
        {
            let cache = self.lock();
            if let Some(g) = cache.get(project_id).filter(|g| g.version == version) {
                return Ok(f(g));
            }
        }
        let edges: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT component_seq, depends_on_seq FROM component_dependencies WHERE project_id = ?",
        )
        .bind(project_id)
        .fetch_all(&mut *conn)
        .await?;
        let mut g = ProjectGraph {
            version,
            ..Default::default()
        };
        for (from, to) in edges {
            g.add(from, to);
        }
        let out = f(&g);
        self.lock().insert(project_id.to_owned(), g);
        Ok(out)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, ProjectGraph>> {
        self.projects.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every component that depends on one of `seqs`, transitively.
    pub(crate) async fn dependents(
        &self,
        conn: &mut SqliteConnection,
        project_id: &str,
        seqs: &[i64],
    ) -> Result<Vec<i64>> {
        self.with(conn, project_id, |g| {
            ProjectGraph::reach(&g.dependents, seqs)
        })
        .await
    }

    /// The path `to → … → from` that the edge `from → to` would close into a cycle.
    pub(crate) async fn cycle_path(
        &self,
        conn: &mut SqliteConnection,
        project_id: &str,
        from: i64,
        to: i64,
    ) -> Result<Option<Vec<i64>>> {
        self.with(conn, project_id, |g| g.path(to, from)).await
    }

    /// Records an edge change the caller committed, which moved the project's graph to
    /// `version`. Applied only onto the version just before it; otherwise the copy is left
    /// for the next reader to reload.
    pub(crate) fn committed(&self, project_id: &str, version: i64, change: EdgeChange) {
        let mut cache = self.lock();
        if let Some(g) = cache.get_mut(project_id) {
            if g.version == version - 1 {
                match change {
                    EdgeChange::Added(from, to) => g.add(from, to),
                    EdgeChange::Removed(from, to) => g.remove(from, to),
                }
                g.version = version;
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum EdgeChange {
    Added(i64, i64),
    Removed(i64, i64),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(i64, i64)]) -> ProjectGraph {
        let mut g = ProjectGraph::default();
        for &(a, b) in edges {
            g.add(a, b);
        }
        g
    }

    #[test]
    fn reach_follows_edges_transitively_once_each() {
        // 4 -> 3 -> 2 -> 1, 4 -> 1 (a diamond), 5 -> 1
        let g = graph(&[(2, 1), (3, 2), (4, 3), (4, 1), (5, 1)]);
        let mut up = ProjectGraph::reach(&g.dependents, &[1]);
        up.sort();
        assert_eq!(up, [2, 3, 4, 5]);
        assert_eq!(ProjectGraph::reach(&g.dependents, &[3]), [4]);
        assert!(ProjectGraph::reach(&g.dependents, &[5]).is_empty());
    }

    #[test]
    fn path_finds_the_chain_between_two_components() {
        let g = graph(&[(2, 1), (3, 2), (4, 3)]);
        assert_eq!(g.path(4, 1), Some(vec![4, 3, 2, 1]));
        assert_eq!(g.path(1, 4), None);
        assert_eq!(g.path(2, 2), Some(vec![2]));
    }

    #[test]
    fn removing_an_edge_removes_both_directions() {
        let mut g = graph(&[(2, 1), (3, 1)]);
        g.remove(2, 1);
        g.add(3, 1);
        assert_eq!(ProjectGraph::reach(&g.dependents, &[1]), [3]);
        assert!(g.path(2, 1).is_none());
    }
}
