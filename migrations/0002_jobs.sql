-- The local job runner (DESIGN.md §5, Oban's model) and the setup pipeline's records.
-- Job ids are integers, as Oban's are: claiming orders by (priority, scheduled_at, id).

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    state        TEXT NOT NULL DEFAULT 'available'
                 CHECK (state IN ('available', 'scheduled', 'executing', 'retryable',
                                  'completed', 'discarded', 'cancelled')),
    queue        TEXT NOT NULL,
    worker       TEXT NOT NULL,
    args         TEXT NOT NULL DEFAULT '{}',
    meta         TEXT NOT NULL DEFAULT '{}',
    priority     INTEGER NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 9),
    attempt      INTEGER NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    max_attempts INTEGER NOT NULL DEFAULT 20 CHECK (max_attempts > 0),
    -- Every attempt's error: a JSON array of {attempt, at, class, error}.
    errors       TEXT NOT NULL DEFAULT '[]',
    -- "worker:key" for unique jobs (the seed's unique: [period: 300, ...]).
    unique_key   TEXT,
    inserted_at  TEXT NOT NULL,
    scheduled_at TEXT NOT NULL,
    attempted_at TEXT,
    completed_at TEXT,
    cancelled_at TEXT,
    discarded_at TEXT
);
CREATE INDEX jobs_claim_index ON jobs (queue, state, priority, scheduled_at, id);
CREATE INDEX jobs_unique_index ON jobs (unique_key, inserted_at) WHERE unique_key IS NOT NULL;
CREATE INDEX jobs_state_index ON jobs (state, completed_at);

-- One row per step of an attempt: when it ran, how long, how it ended.
CREATE TABLE job_steps (
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
    outcome     TEXT CHECK (outcome IN ('ok', 'failed', 'timed_out', 'cancelled')),
    UNIQUE (job_id, attempt, position)
);

-- What the steps printed, line by line (bounded per step: the head and the tail are kept).
CREATE TABLE job_logs (
    id       INTEGER PRIMARY KEY,
    job_id   INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt  INTEGER NOT NULL,
    position INTEGER NOT NULL,
    stream   TEXT NOT NULL CHECK (stream IN ('stdout', 'stderr', 'system')),
    line     TEXT NOT NULL,
    at       TEXT NOT NULL
);
CREATE INDEX job_logs_job_index ON job_logs (job_id, id);

-- Per-queue settings: paused, and how many jobs run at once.
CREATE TABLE queues (
    name        TEXT PRIMARY KEY NOT NULL,
    paused      INTEGER NOT NULL DEFAULT 0,
    concurrency INTEGER NOT NULL DEFAULT 1 CHECK (concurrency BETWEEN 1 AND 64)
);
INSERT INTO queues (name, paused, concurrency) VALUES ('project_setup', 0, 1);
