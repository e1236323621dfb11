-- The org sync (seed 003 "Sync Logic", DESIGN.md §8): each run of the heartbeat, the pages
-- of the last complete listing (their ETags), and per-profile settings (the source-of-truth
-- organization).

CREATE TABLE sync_runs (
    id             INTEGER PRIMARY KEY,
    account_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The organization (or the user's own account) that was listed.
    owner          TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    finished_at    TEXT,
    status         TEXT NOT NULL DEFAULT 'running'
                   CHECK (status IN ('running', 'ok', 'failed', 'skipped')),
    requests       INTEGER NOT NULL DEFAULT 0,
    not_modified   INTEGER NOT NULL DEFAULT 0,
    discovered     INTEGER NOT NULL DEFAULT 0,
    missing        INTEGER NOT NULL DEFAULT 0,
    renamed        INTEGER NOT NULL DEFAULT 0,
    reappeared     INTEGER NOT NULL DEFAULT 0,
    rate_remaining INTEGER,
    rate_limit     INTEGER,
    rate_reset     INTEGER,
    error          TEXT
);
CREATE INDEX sync_runs_account_index ON sync_runs (account_id, id);

CREATE TABLE sync_pages (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    owner      TEXT NOT NULL,
    -- The listing's pages as JSON: URL → ETag, repositories, next page.
    pages      TEXT NOT NULL,
    PRIMARY KEY (account_id, owner)
);

CREATE TABLE profile_settings (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (account_id, key)
);

INSERT INTO queues (name, paused, concurrency) VALUES ('github_sync', 0, 1);
