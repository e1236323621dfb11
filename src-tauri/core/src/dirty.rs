//! Which components need regenerating: their dirty marks, kept as ranges of component keys
//! (`component_dirty_ranges`, migration 0020). Components made one after another have
//! consecutive keys, so one edit at the bottom of a 100,000-deep chain writes one range, not
//! 100,000 rows: the cost of marking follows the number of runs, not of components.
//!
//! A range holds only marked keys, ranges never overlap or touch, and the range that can
//! hold a key is the one with the greatest `lo` not above it ([`is_dirty`]). Clearing a key
//! (and deleting a component) splits its range in SQL (the `component_dirty_clears` view).

use crate::error::Result;
use sqlx::SqliteConnection;

/// Whether the `components` row in scope is marked: an SQL expression that is 1 or 0 (a
/// macro, for `concat!` into the queries' column lists).
macro_rules! is_dirty {
    () => {
        "coalesce((SELECT r.hi >= components.seq FROM component_dirty_ranges r \
         WHERE r.lo <= components.seq ORDER BY r.lo DESC LIMIT 1), 0)"
    };
}
pub(crate) use is_dirty;

/// Marks `seqs` (component keys, in any order, repeats allowed) dirty, in `conn`'s
/// transaction: the ranges around each run of them are read and merged with them, and the
/// ranges that changed are written back (others' ranges in between are neither read nor
/// written).
pub(crate) async fn mark(conn: &mut SqliteConnection, seqs: &[i64]) -> Result<()> {
    let mut seqs = seqs.to_vec();
    seqs.sort_unstable();
    seqs.dedup();
    if seqs.is_empty() {
        return Ok(());
    }
    let runs = runs_of(&seqs);
    // For each run [a, b]: from the range with the greatest lo not above a - 1 (it may hold
    // or touch a) to the last range starting at b + 1 (it touches b).
    let around: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT DISTINCT r.lo, r.hi FROM json_each(?) j JOIN component_dirty_ranges r \
         ON r.lo >= coalesce((SELECT max(lo) FROM component_dirty_ranges \
                              WHERE lo <= (j.value ->> 0) - 1), (j.value ->> 0) - 1) \
         AND r.lo <= (j.value ->> 1) + 1 ORDER BY r.lo",
    )
    .bind(json(&runs)?)
    .fetch_all(&mut *conn)
    .await?;
    let ranges = merged(&around, &runs);
    let gone: Vec<i64> =
        around.iter().filter(|r| ranges.binary_search(r).is_err()).map(|r| r.0).collect();
    let new: Vec<(i64, i64)> =
        ranges.iter().filter(|r| around.binary_search(r).is_err()).copied().collect();
    if !gone.is_empty() {
        sqlx::query(
            "DELETE FROM component_dirty_ranges WHERE lo IN (SELECT value FROM json_each(?))",
        )
        .bind(json(&gone)?)
        .execute(&mut *conn)
        .await?;
    }
    if !new.is_empty() {
        sqlx::query(
            "INSERT INTO component_dirty_ranges (lo, hi) \
             SELECT value ->> 0, value ->> 1 FROM json_each(?)",
        )
        .bind(json(&new)?)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn json(value: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|e| crate::error::Error::Internal(format!("cannot encode the dirty ranges: {e}")))
}

/// Sorted, distinct keys as runs of consecutive keys.
fn runs_of(seqs: &[i64]) -> Vec<(i64, i64)> {
    seqs.chunk_by(|a, b| b - a == 1).map(|run| (run[0], run[run.len() - 1])).collect()
}

/// Clears the mark of the component with key `seq`, if it has one.
pub(crate) async fn clear(conn: &mut SqliteConnection, seq: i64) -> Result<()> {
    sqlx::query("INSERT INTO component_dirty_clears (seq) VALUES (?)")
        .bind(seq)
        .execute(conn)
        .await?;
    Ok(())
}

/// `ranges` (sorted, apart) with the sorted runs `runs` added: sorted ranges that neither
/// overlap nor touch.
fn merged(ranges: &[(i64, i64)], runs: &[(i64, i64)]) -> Vec<(i64, i64)> {
    let mut all: Vec<(i64, i64)> = ranges.iter().chain(runs).copied().collect();
    all.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::with_capacity(all.len());
    for (lo, hi) in all {
        match out.last_mut() {
            Some(last) if lo <= last.1 + 1 => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{clear, mark, merged, runs_of};
    use proptest::prelude::*;
    use sqlx::{Connection, SqliteConnection};
    use std::collections::BTreeSet;

    fn ranges_of(keys: &BTreeSet<i64>) -> Vec<(i64, i64)> {
        runs_of(&keys.iter().copied().collect::<Vec<_>>())
    }

    fn merge_keys(ranges: &[(i64, i64)], keys: &[i64]) -> Vec<(i64, i64)> {
        merged(ranges, &runs_of(keys))
    }

    #[test]
    fn new_keys_join_the_ranges_they_touch_and_fill() {
        assert_eq!(merge_keys(&[(1, 3), (7, 9)], &[4, 5, 6]), [(1, 9)]);
        assert_eq!(merge_keys(&[(1, 3)], &[5]), [(1, 3), (5, 5)]);
        assert_eq!(merge_keys(&[(1, 3)], &[0, 2]), [(0, 3)]);
        assert_eq!(merge_keys(&[], &[10, 11, 12, 20]), [(10, 12), (20, 20)]);
        assert_eq!(merge_keys(&[(5, 6)], &[]), [(5, 6)]);
    }

    /// An in-memory database with components 0..60 and the marks' tables as migration 0020
    /// leaves them (run over the tables it replaces).
    async fn database() -> SqliteConnection {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        sqlx::raw_sql(
            "CREATE TABLE components (seq INTEGER PRIMARY KEY); \
             CREATE TABLE component_dirty (seq INTEGER PRIMARY KEY NOT NULL); \
             CREATE TRIGGER components_deleted AFTER DELETE ON components BEGIN SELECT 1; END; \
             WITH RECURSIVE k(seq) AS (SELECT 0 UNION ALL SELECT seq + 1 FROM k WHERE seq < 59) \
             INSERT INTO components (seq) SELECT seq FROM k;",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        sqlx::raw_sql(include_str!("../../../migrations/0020_dirty_ranges.sql"))
            .execute(&mut conn)
            .await
            .unwrap();
        conn
    }

    #[derive(Debug, Clone)]
    enum Op {
        Mark(Vec<i64>),
        Clear(i64),
        Delete(i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => proptest::collection::vec(0i64..60, 1..15).prop_map(Op::Mark),
            2 => (0i64..60).prop_map(Op::Clear),
            1 => (0i64..60).prop_map(Op::Delete),
        ]
    }

    proptest! {
        #[test]
        fn merging_marks_exactly_the_union(
            before in proptest::collection::btree_set(0i64..200, 0..80),
            added in proptest::collection::btree_set(0i64..200, 0..80),
        ) {
            let seqs: Vec<i64> = added.iter().copied().collect();
            let union: BTreeSet<i64> = before.union(&added).copied().collect();
            prop_assert_eq!(merge_keys(&ranges_of(&before), &seqs), ranges_of(&union));
        }

        /// Marks, clears and deletions in SQLite, against a set of the marked keys: the
        /// components read as dirty are exactly the set, and the ranges stay apart.
        #[test]
        fn the_stored_ranges_hold_exactly_the_marked_keys(
            ops in proptest::collection::vec(op(), 1..25),
        ) {
            let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
            rt.block_on(async {
                let mut conn = database().await;
                let mut alive: BTreeSet<i64> = (0..60).collect();
                let mut marked = BTreeSet::new();
                for op in ops {
                    match op {
                        Op::Mark(keys) => {
                            // Only components that exist are ever marked.
                            let keys: Vec<i64> =
                                keys.into_iter().filter(|k| alive.contains(k)).collect();
                            mark(&mut conn, &keys).await.unwrap();
                            marked.extend(keys);
                        }
                        Op::Clear(key) => {
                            clear(&mut conn, key).await.unwrap();
                            marked.remove(&key);
                        }
                        Op::Delete(key) => {
                            sqlx::query("DELETE FROM components WHERE seq = ?")
                                .bind(key)
                                .execute(&mut conn)
                                .await
                                .unwrap();
                            alive.remove(&key);
                            marked.remove(&key);
                        }
                    }
                    let dirty: BTreeSet<i64> = sqlx::query_scalar(concat!(
                        "SELECT seq FROM components WHERE ",
                        super::is_dirty!()
                    ))
                    .fetch_all(&mut conn)
                    .await
                    .unwrap()
                    .into_iter()
                    .collect();
                    prop_assert_eq!(&dirty, &marked);
                    let ranges: Vec<(i64, i64)> =
                        sqlx::query_as("SELECT lo, hi FROM component_dirty_ranges ORDER BY lo")
                            .fetch_all(&mut conn)
                            .await
                            .unwrap();
                    prop_assert!(
                        ranges.windows(2).all(|w| w[1].0 > w[0].1 + 1),
                        "ranges overlap or touch: {:?}",
                        ranges
                    );
                }
                Ok(())
            })?;
        }
    }
}
