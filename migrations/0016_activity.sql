-- What GitHub shows (issue 21): the events feed polled per profile and owner (its ETag, the
-- newest event seen, GitHub's X-Poll-Interval), the events of tracked projects it brought,
-- and each project's default-branch head as GitHub last showed it (with the commit's ETag).

CREATE TABLE activity_feeds (
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The organization (or the user's own account) whose feed this is.
    owner         TEXT NOT NULL,
    etag          TEXT,
    last_event_id TEXT,
    poll_interval INTEGER,
    polled_at     TEXT,
    PRIMARY KEY (account_id, owner)
);

CREATE TABLE activity_events (
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    event_id    TEXT NOT NULL,
    project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    -- GitHub's event type: PushEvent, CreateEvent, DeleteEvent, RepositoryEvent.
    kind        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    -- The branch or tag (refs/heads/main for a push; the short name for create/delete).
    ref         TEXT,
    before_sha  TEXT,
    head_sha    TEXT,
    -- RepositoryEvent's action (renamed, deleted, …), CreateEvent/DeleteEvent's ref_type.
    detail      TEXT,
    happened_at TEXT,
    PRIMARY KEY (account_id, event_id, project_id)
);
CREATE INDEX activity_events_project_index ON activity_events (project_id, happened_at);

CREATE TABLE project_heads (
    project_id   TEXT PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    branch       TEXT NOT NULL,
    etag         TEXT,
    sha          TEXT,
    author_login TEXT,
    author_name  TEXT,
    committed_at TEXT,
    title        TEXT,
    -- The feed said it changed (or nothing was read yet): read it at the next poll.
    stale        INTEGER NOT NULL DEFAULT 1,
    read_at      TEXT
);
