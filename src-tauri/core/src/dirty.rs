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
/// transaction: the ranges around them are read, merged with them, and written back.
pub(crate) async fn mark(conn: &mut SqliteConnection, seqs: &[i64]) -> Result<()> {
    let mut seqs = seqs.to_vec();
    seqs.sort_unstable();
    seqs.dedup();
    let (Some(&first), Some(&last)) = (seqs.first(), seqs.last()) else { return Ok(()) };
    // From the range that may hold or touch the first key to the last range that may touch
    // the last one.
    const AROUND: &str = "lo >= coalesce((SELECT max(lo) FROM component_dirty_ranges \
        WHERE lo <= ?1), ?1) AND lo <= ?2";
    let around: Vec<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT lo, hi FROM component_dirty_ranges WHERE {AROUND} ORDER BY lo"
    )))
    .bind(first - 1)
    .bind(last + 1)
    .fetch_all(&mut *conn)
    .await?;
    let ranges = merged(&around, &seqs);
    if ranges == around {
        return Ok(());
    }
    sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM component_dirty_ranges WHERE {AROUND}")))
        .bind(first - 1)
        .bind(last + 1)
        .execute(&mut *conn)
        .await?;
    let list = serde_json::to_string(&ranges).map_err(|e| {
        crate::error::Error::Internal(format!("cannot encode the dirty ranges: {e}"))
    })?;
    sqlx::query(
        "INSERT INTO component_dirty_ranges (lo, hi) \
         SELECT value ->> 0, value ->> 1 FROM json_each(?)",
    )
    .bind(list)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Clears the mark of the component with key `seq`, if it has one.
pub(crate) async fn clear(conn: &mut SqliteConnection, seq: i64) -> Result<()> {
    sqlx::query("INSERT INTO component_dirty_clears (seq) VALUES (?)")
        .bind(seq)
        .execute(conn)
        .await?;
    Ok(())
}

/// `ranges` (sorted, apart) with the sorted, distinct keys `seqs` added: sorted ranges that
/// neither overlap nor touch.
fn merged(ranges: &[(i64, i64)], seqs: &[i64]) -> Vec<(i64, i64)> {
    let runs = seqs.chunk_by(|a, b| b - a == 1).map(|run| (run[0], run[run.len() - 1]));
    let mut all: Vec<(i64, i64)> = ranges.iter().copied().chain(runs).collect();
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
    use super::merged;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    /// The ranges a set of keys is: each run of consecutive keys.
    fn ranges_of(keys: &BTreeSet<i64>) -> Vec<(i64, i64)> {
        let keys: Vec<i64> = keys.iter().copied().collect();
        keys.chunk_by(|a, b| b - a == 1).map(|run| (run[0], run[run.len() - 1])).collect()
    }

    #[test]
    fn new_keys_join_the_ranges_they_touch_and_fill() {
        assert_eq!(merged(&[(1, 3), (7, 9)], &[4, 5, 6]), [(1, 9)]);
        assert_eq!(merged(&[(1, 3)], &[5]), [(1, 3), (5, 5)]);
        assert_eq!(merged(&[(1, 3)], &[0, 2]), [(0, 3)]);
        assert_eq!(merged(&[], &[10, 11, 12, 20]), [(10, 12), (20, 20)]);
        assert_eq!(merged(&[(5, 6)], &[]), [(5, 6)]);
    }

    proptest! {
        #[test]
        fn merging_marks_exactly_the_union(
            before in proptest::collection::btree_set(0i64..200, 0..80),
            added in proptest::collection::btree_set(0i64..200, 0..80),
        ) {
            let seqs: Vec<i64> = added.iter().copied().collect();
            let union: BTreeSet<i64> = before.union(&added).copied().collect();
            prop_assert_eq!(merged(&ranges_of(&before), &seqs), ranges_of(&union));
        }
    }
}
