-- Desktop notifications that outlive the process that called for them (issue 18): the org
-- sync marking a project missing and a docs sync recording new conflicts write a notice in
-- the same transaction; whichever process is running (the app or `codemyspec worker`)
-- claims it and shows it, once. A notice not yet shown waits for a process that can.
CREATE TABLE notices (
    id         INTEGER PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('missing', 'docs_conflicts')),
    summary    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    shown_at   TEXT,
    shown_by   TEXT
);
CREATE INDEX notices_waiting ON notices (id) WHERE shown_at IS NULL;
