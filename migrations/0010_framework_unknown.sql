-- no-transaction
-- A discovered project's framework is `unknown` until its clone reads `mix.exs` (issue 18):
-- the projects table's CHECK allows it. SQLite cannot change a CHECK in place, so the table
-- is rebuilt (SQLite's documented 12 steps): foreign keys off around one transaction that
-- copies every row, drops the old table (its children are kept: no cascade with foreign keys
-- off), renames the new one, and makes its indexes and trigger again. Running it twice (a
-- crash between its commit and sqlx's record of it) copies the rows again, to the same end.
PRAGMA foreign_keys = OFF;
-- The rename below must not re-check the triggers of other tables that name `projects`
-- while it is briefly gone (SQLite's procedure, step 8's note).
PRAGMA legacy_alter_table = ON;
BEGIN IMMEDIATE;
DROP TABLE IF EXISTS projects_rebuilt;
CREATE TABLE projects_rebuilt (
    id                         TEXT PRIMARY KEY NOT NULL,
    name                       TEXT NOT NULL,
    module_name                TEXT NOT NULL,
    description                TEXT,
    framework                  TEXT NOT NULL DEFAULT 'phoenix'
                               CHECK (framework IN ('phoenix', 'elixir', 'unknown')),
    database                   TEXT NOT NULL DEFAULT 'sqlite3'
                               CHECK (database IN ('postgres', 'sqlite3', 'mysql')),
    code_repo                  TEXT,
    docs_repo                  TEXT,
    github_repo_id             INTEGER UNIQUE,
    github_repo_name           TEXT,
    stage                      TEXT NOT NULL DEFAULT 'draft',
    -- Where the detour stages (error, archived, missing) return to: a stack, newest last,
    -- comma-separated.
    stage_return               TEXT NOT NULL DEFAULT '',
    setup_status               TEXT NOT NULL DEFAULT 'created',
    setup_error                TEXT,
    executive_summary          TEXT,
    executive_summary_approved INTEGER NOT NULL DEFAULT 0,
    setup_complete             INTEGER NOT NULL DEFAULT 0,
    context_mapping_approved   INTEGER NOT NULL DEFAULT 0,
    -- Bumped by triggers whenever the project's component dependencies change.
    graph_version              INTEGER NOT NULL DEFAULT 0,
    owner_id                   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    inserted_at                TEXT NOT NULL,
    updated_at                 TEXT NOT NULL,
    local_path                 TEXT,
    docs_repo_id               INTEGER,
    public_repos               INTEGER NOT NULL DEFAULT 0
);
INSERT INTO projects_rebuilt (id, name, module_name, description, framework, database,
    code_repo, docs_repo, github_repo_id, github_repo_name, stage, stage_return, setup_status,
    setup_error, executive_summary, executive_summary_approved, setup_complete,
    context_mapping_approved, graph_version, owner_id, inserted_at, updated_at, local_path,
    docs_repo_id, public_repos)
SELECT id, name, module_name, description,
    -- A discovered project was given `phoenix` before it could be `unknown`: nothing of its
    -- code was read then.
    CASE WHEN stage = 'discovered' AND setup_status = 'created' THEN 'unknown' ELSE framework END,
    database, code_repo, docs_repo, github_repo_id, github_repo_name, stage, stage_return,
    setup_status, setup_error, executive_summary, executive_summary_approved, setup_complete,
    context_mapping_approved, graph_version, owner_id, inserted_at, updated_at, local_path,
    docs_repo_id, public_repos
FROM projects;
DROP TABLE projects;
ALTER TABLE projects_rebuilt RENAME TO projects;
CREATE INDEX projects_owner_id_index ON projects (owner_id);
CREATE UNIQUE INDEX projects_owner_name_index ON projects (owner_id, name);
CREATE TRIGGER outbox_project_gone AFTER DELETE ON projects BEGIN
    DELETE FROM outbox WHERE project_id = OLD.id;
END;
COMMIT;
PRAGMA legacy_alter_table = OFF;
PRAGMA foreign_keys = ON;
