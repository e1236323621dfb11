//! An in-memory copy of each project's dependency edges, so that cycle checks and dirty
//! propagation over 100k components take milliseconds instead of a recursive query per edit.
//!
//! The database stays the truth: every change to a project's edges bumps
//! `projects.graph_version` (by trigger), and a copy is used only while its version matches
//! the one read inside the caller's write transaction. Another process (the CLI next to the
//! window) changing edges therefore just makes the next writer reload.

use crate::error::{Error, Result};
use crate::ids::ProjectId;
use sqlx::SqliteConnection;
use std::collections::HashMap;
use std::sync::Mutex;

const UNSEEN: u32 = u32::MAX;

/// Edges of one project, both ways, over dense node numbers (one per component `seq` that
/// has an edge), so that walks index vectors instead of hashing.
#[derive(Debug, Default)]
struct ProjectGraph {
    version: i64,
    node_of: HashMap<i64, u32>,
    seq_of: Vec<i64>,
    depends_on: Vec<Vec<u32>>,
    dependents: Vec<Vec<u32>>,
}

impl ProjectGraph {
    fn node(&mut self, seq: i64) -> u32 {
        if let Some(&n) = self.node_of.get(&seq) {
            return n;
        }
        let n = self.seq_of.len() as u32;
        self.node_of.insert(seq, n);
        self.seq_of.push(seq);
        self.depends_on.push(Vec::new());
        self.dependents.push(Vec::new());
        n
    }

    fn add(&mut self, from: i64, to: i64) {
        let (a, b) = (self.node(from), self.node(to));
        if !self.depends_on[a as usize].contains(&b) {
            self.depends_on[a as usize].push(b);
            self.dependents[b as usize].push(a);
        }
    }

    fn remove(&mut self, from: i64, to: i64) {
        if let (Some(&a), Some(&b)) = (self.node_of.get(&from), self.node_of.get(&to)) {
            self.depends_on[a as usize].retain(|d| *d != b);
            self.dependents[b as usize].retain(|u| *u != a);
        }
    }

    /// Every component that depends on one of `seqs`, transitively (a seed only when it is
    /// reached from another).
    fn dependents_of(&self, seqs: &[i64]) -> Vec<i64> {
        let mut seen = vec![false; self.seq_of.len()];
        let mut queue: Vec<u32> =
            seqs.iter().filter_map(|s| self.node_of.get(s).copied()).collect();
        let mut out = Vec::new();
        while let Some(node) = queue.pop() {
            for &next in &self.dependents[node as usize] {
                if !seen[next as usize] {
                    seen[next as usize] = true;
                    out.push(self.seq_of[next as usize]);
                    queue.push(next);
                }
            }
        }
        out
    }

    /// A path `from → … → to` along "depends on" edges, if there is one. Searches from both
    /// ends at once, always widening the side that is cheaper to widen, so that a question
    /// about a component at the edge of the graph (a new one, a leaf) is answered in a step
    /// or two however deep the graph is behind the other end.
    fn path(&self, from: i64, to: i64) -> Option<Vec<i64>> {
        if from == to {
            return Some(vec![from]);
        }
        let (Some(&a), Some(&b)) = (self.node_of.get(&from), self.node_of.get(&to)) else {
            return None; // a component without edges is on no path
        };
        // down[n]: the node n was reached from, walking from `from`; up[n] likewise from `to`.
        let n = self.seq_of.len();
        let (mut down, mut up) = (vec![UNSEEN; n], vec![UNSEEN; n]);
        down[a as usize] = a;
        up[b as usize] = b;
        let (mut down_frontier, mut up_frontier) = (vec![a], vec![b]);
        let cost = |frontier: &[u32], edges: &[Vec<u32>]| -> usize {
            frontier.iter().map(|&f| edges[f as usize].len()).sum()
        };
        while !down_frontier.is_empty() && !up_frontier.is_empty() {
            let forward =
                cost(&down_frontier, &self.depends_on) <= cost(&up_frontier, &self.dependents);
            let (frontier, edges, seen, other) = if forward {
                (&mut down_frontier, &self.depends_on, &mut down, &up)
            } else {
                (&mut up_frontier, &self.dependents, &mut up, &down)
            };
            let mut next_frontier = Vec::new();
            for node in frontier.drain(..) {
                for &next in &edges[node as usize] {
                    if seen[next as usize] != UNSEEN {
                        continue;
                    }
                    seen[next as usize] = node;
                    if other[next as usize] != UNSEEN {
                        return Some(self.join(&down, &up, next));
                    }
                    next_frontier.push(next);
                }
            }
            *frontier = next_frontier;
        }
        None
    }

    /// Joins the two half-paths at `meet`: `from … meet` from `down`, `meet … to` from `up`.
    fn join(&self, down: &[u32], up: &[u32], meet: u32) -> Vec<i64> {
        let mut nodes = vec![meet];
        let mut at = meet;
        while down[at as usize] != at {
            at = down[at as usize];
            nodes.push(at);
        }
        nodes.reverse();
        let mut at = meet;
        while up[at as usize] != at {
            at = up[at as usize];
            nodes.push(at);
        }
        nodes.into_iter().map(|n| self.seq_of[n as usize]).collect()
    }
}

/// The copies of every project's graph this process has loaded.
#[derive(Debug, Default)]
pub struct GraphCache {
    projects: Mutex<HashMap<ProjectId, ProjectGraph>>,
}

impl GraphCache {
    /// Runs `f` on the project's graph, current as of the caller's transaction.
    async fn with<T>(
        &self,
        conn: &mut SqliteConnection,
        project_id: &ProjectId,
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
        // One row holding every edge: fetching 100k rows one by one costs several times more.
        let packed: Option<String> = sqlx::query_scalar(
            "SELECT group_concat(component_seq || ',' || depends_on_seq, ' ') \
             FROM component_dependencies WHERE project_id = ?",
        )
        .bind(project_id)
        .fetch_one(&mut *conn)
        .await?;
        let mut g = ProjectGraph { version, ..Default::default() };
        for pair in packed.as_deref().unwrap_or_default().split_ascii_whitespace() {
            let edge =
                pair.split_once(',').and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
            let (from, to) = edge.ok_or_else(|| Error::Internal(format!("bad edge {pair:?}")))?;
            g.add(from, to);
        }
        let out = f(&g);
        self.lock().insert(*project_id, g);
        Ok(out)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ProjectId, ProjectGraph>> {
        self.projects.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every component that depends on one of `seqs`, transitively.
    pub(crate) async fn dependents(
        &self,
        conn: &mut SqliteConnection,
        project_id: &ProjectId,
        seqs: &[i64],
    ) -> Result<Vec<i64>> {
        self.with(conn, project_id, |g| g.dependents_of(seqs)).await
    }

    /// The path `to → … → from` that the edge `from → to` would close into a cycle.
    pub(crate) async fn cycle_path(
        &self,
        conn: &mut SqliteConnection,
        project_id: &ProjectId,
        from: i64,
        to: i64,
    ) -> Result<Option<Vec<i64>>> {
        self.with(conn, project_id, |g| g.path(to, from)).await
    }

    /// Records an edge change the caller committed, which moved the project's graph to
    /// `version`. Applied only onto the version just before it; otherwise the copy is left
    /// for the next reader to reload.
    pub(crate) fn committed(&self, project_id: &ProjectId, version: i64, change: EdgeChange) {
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
        let mut up = g.dependents_of(&[1]);
        up.sort();
        assert_eq!(up, [2, 3, 4, 5]);
        assert_eq!(g.dependents_of(&[3]), [4]);
        assert!(g.dependents_of(&[5]).is_empty());
        assert!(g.dependents_of(&[99]).is_empty(), "unknown components have no dependents");
    }

    #[test]
    fn path_finds_the_chain_between_two_components() {
        let g = graph(&[(2, 1), (3, 2), (4, 3)]);
        assert_eq!(g.path(4, 1), Some(vec![4, 3, 2, 1]));
        assert_eq!(g.path(1, 4), None);
        assert_eq!(g.path(2, 2), Some(vec![2]));
    }

    #[test]
    fn path_meets_in_the_middle_of_diamonds_and_long_chains() {
        // 1 -> 2 -> 4, 1 -> 3 -> 4, 4 -> 5 -> ... -> 40
        let mut edges = vec![(1, 2), (1, 3), (2, 4), (3, 4)];
        edges.extend((4..40).map(|i| (i, i + 1)));
        let g = graph(&edges);
        let p = g.path(1, 40).expect("a path");
        assert_eq!((p[0], p[p.len() - 1], p.len()), (1, 40, 39));
        for w in p.windows(2) {
            let (a, b) = (g.node_of[&w[0]], g.node_of[&w[1]]);
            assert!(g.depends_on[a as usize].contains(&b), "{w:?} is an edge");
        }
        assert_eq!(g.path(40, 1), None);
        assert_eq!(g.path(2, 3), None);
    }

    #[test]
    fn removing_an_edge_removes_both_directions() {
        let mut g = graph(&[(2, 1), (3, 1)]);
        g.remove(2, 1);
        g.add(3, 1);
        assert_eq!(g.dependents_of(&[1]), [3]);
        assert!(g.path(2, 1).is_none());
    }
}
