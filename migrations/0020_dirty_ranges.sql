-- Dirty marks as ranges of component keys (issue 22: the cost of an edit follows the change).
-- One edit at the bottom of a 100,000-deep chain used to insert 100,000 rows into
-- `component_dirty`; components made one after another have consecutive keys, so the same
-- marks are one row [lo, hi] here. A range holds only keys that are all marked: every key
-- between lo and hi is a component that is dirty. Ranges never overlap and never touch (two
-- that would are one), so the range that can hold a key is the one with the greatest lo not
-- above it. Marking (core/src/dirty.rs) merges new keys into the ranges around them; clearing
-- one key splits its range, through the view below so that a deleted component's mark goes
-- the same way.
CREATE TABLE component_dirty_ranges (
    lo INTEGER PRIMARY KEY NOT NULL,
    hi INTEGER NOT NULL CHECK (hi >= lo)
);

-- The marks there are now, each run of consecutive keys as one range.
INSERT INTO component_dirty_ranges (lo, hi)
SELECT min(seq), max(seq)
FROM (SELECT seq, seq - row_number() OVER (ORDER BY seq) AS run FROM component_dirty)
GROUP BY run;

DROP TRIGGER components_deleted;
DROP TABLE component_dirty;

-- Clearing a key's mark: insert the key here. The range holding it keeps what is below the
-- key, and what is above becomes a range of its own.
CREATE VIEW component_dirty_clears AS SELECT NULL AS seq WHERE 0;

CREATE TRIGGER component_dirty_clear INSTEAD OF INSERT ON component_dirty_clears BEGIN
    INSERT INTO component_dirty_ranges (lo, hi)
    SELECT NEW.seq + 1, hi FROM component_dirty_ranges
    WHERE lo = (SELECT max(lo) FROM component_dirty_ranges WHERE lo <= NEW.seq)
      AND hi > NEW.seq;
    DELETE FROM component_dirty_ranges WHERE lo = NEW.seq;
    UPDATE component_dirty_ranges SET hi = NEW.seq - 1
    WHERE lo = (SELECT max(lo) FROM component_dirty_ranges WHERE lo <= NEW.seq)
      AND hi >= NEW.seq;
END;

-- A deleted component's key is no longer marked: a component made later may get the same key
-- (SQLite reuses the greatest one), and it starts clean.
CREATE TRIGGER components_deleted AFTER DELETE ON components BEGIN
    INSERT INTO component_dirty_clears (seq) VALUES (OLD.seq);
END;
