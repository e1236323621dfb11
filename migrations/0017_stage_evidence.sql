-- Stages from evidence (issue 21): what GitHub last showed about each project's default branch
-- (its head, which of the paths the stage rules name exist, its checks, the branches merged
-- into it), as one JSON document per project, kept so that `codemyspec stage why` can say
-- which rule would move the project next and what is missing.
CREATE TABLE stage_evidence (
    project_id TEXT PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    evidence   TEXT NOT NULL,
    read_at    TEXT NOT NULL
);

-- A failing check on an active project's default branch is an incident: its notice is a new
-- kind. SQLite cannot change a CHECK in place, so the table is made again.
CREATE TABLE notices_new (
    id         INTEGER PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('missing', 'docs_conflicts', 'incident')),
    summary    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    shown_at   TEXT,
    shown_by   TEXT
);
INSERT INTO notices_new SELECT id, project_id, kind, summary, body, created_at, shown_at, shown_by
    FROM notices;
DROP TABLE notices;
ALTER TABLE notices_new RENAME TO notices;
CREATE INDEX notices_waiting ON notices (id) WHERE shown_at IS NULL;
