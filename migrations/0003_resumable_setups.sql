-- Setups that resume and that nothing can wedge (docs/PIPELINE.md "Interruption, resume
-- and rescue"): a step of a resumed attempt can be `reused` (done by an earlier attempt in
-- the job's kept work dir) or `interrupted` (its runner was stopped on request); a set-up
-- project records where its tree is on disk.

CREATE TABLE job_steps_new (
    id          INTEGER PRIMARY KEY,
    job_id      INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    status      TEXT NOT NULL,
    command     TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    duration_ms INTEGER,
    exit_code   INTEGER,
    outcome     TEXT CHECK (outcome IN ('ok', 'failed', 'timed_out', 'cancelled', 'interrupted',
                                        'reused')),
    UNIQUE (job_id, attempt, position)
);
INSERT INTO job_steps_new SELECT * FROM job_steps;
DROP TABLE job_steps;
ALTER TABLE job_steps_new RENAME TO job_steps;

ALTER TABLE projects ADD COLUMN local_path TEXT;

-- A change counter on jobs, so that a window can follow jobs that another process (a
-- `codemyspec worker`) runs: it asks for the jobs changed after the last number it saw.
ALTER TABLE jobs ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX jobs_changed_index ON jobs (changed);
CREATE TRIGGER jobs_changed_on_insert AFTER INSERT ON jobs BEGIN
    UPDATE jobs SET changed = (SELECT coalesce(max(changed), 0) + 1 FROM jobs) WHERE id = NEW.id;
END;
CREATE TRIGGER jobs_changed_on_update
AFTER UPDATE OF state, attempt, max_attempts, scheduled_at, errors, meta ON jobs BEGIN
    UPDATE jobs SET changed = (SELECT coalesce(max(changed), 0) + 1 FROM jobs) WHERE id = NEW.id;
END;
