-- The core domain of seed 004, reconciled with seeds 000 and 003 as DESIGN.md §3 says.
-- Ids are UUID v4 as TEXT; timestamps are UTC text in one fixed format
-- (YYYY-MM-DDTHH:MM:SS.ffffffZ) so that they sort as text.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE accounts (
    id              TEXT PRIMARY KEY NOT NULL,
    email           TEXT NOT NULL,
    hashed_password TEXT NOT NULL,
    name            TEXT,
    github_login    TEXT,
    inserted_at     TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
-- Emails are unique case-insensitively.
CREATE UNIQUE INDEX accounts_email_index ON accounts (email COLLATE NOCASE);

-- Failed sign-ins per (lower-cased) email, kept also for unknown emails so that a
-- lockout does not tell which emails have a profile.
CREATE TABLE login_throttle (
    email        TEXT PRIMARY KEY NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT
);

CREATE TABLE projects (
    id                         TEXT PRIMARY KEY NOT NULL,
    name                       TEXT NOT NULL,
    module_name                TEXT NOT NULL,
    description                TEXT,
    framework                  TEXT NOT NULL DEFAULT 'phoenix'
                               CHECK (framework IN ('phoenix', 'elixir')),
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
    updated_at                 TEXT NOT NULL
);
CREATE INDEX projects_owner_id_index ON projects (owner_id);
CREATE UNIQUE INDEX projects_owner_name_index ON projects (owner_id, name);

CREATE TABLE project_memberships (
    id          TEXT PRIMARY KEY NOT NULL,
    project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role        TEXT NOT NULL DEFAULT 'member'
                CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    inserted_at TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (project_id, user_id)
);
CREATE INDEX project_memberships_user_id_index ON project_memberships (user_id, project_id);

CREATE TABLE stage_transitions (
    id          TEXT PRIMARY KEY NOT NULL,
    project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    from_stage  TEXT NOT NULL,
    to_stage    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    trigger     TEXT NOT NULL CHECK (trigger IN ('user', 'setup', 'sync')),
    actor_id    TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    inserted_at TEXT NOT NULL
);
CREATE INDEX stage_transitions_project_id_index ON stage_transitions (project_id, inserted_at);

CREATE TABLE stories (
    id                  TEXT PRIMARY KEY NOT NULL,
    title               TEXT NOT NULL,
    description         TEXT NOT NULL,
    acceptance_criteria TEXT,
    status              TEXT NOT NULL DEFAULT 'draft'
                        CHECK (status IN ('draft', 'ready', 'implemented')),
    dirty               INTEGER NOT NULL DEFAULT 0,
    approved            INTEGER NOT NULL DEFAULT 0,
    version             INTEGER NOT NULL DEFAULT 1,
    project_id          TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    inserted_at         TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX stories_project_id_index ON stories (project_id);

CREATE TABLE contexts (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL CHECK (type IN ('domain', 'coordination')),
    purpose     TEXT NOT NULL,
    description TEXT,
    approved    INTEGER NOT NULL DEFAULT 0,
    dirty       INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 1,
    project_id  TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    inserted_at TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (project_id, name)
);
CREATE INDEX contexts_project_id_index ON contexts (project_id);

CREATE TABLE context_stories (
    id          TEXT PRIMARY KEY NOT NULL,
    context_id  TEXT NOT NULL REFERENCES contexts (id) ON DELETE CASCADE,
    story_id    TEXT NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    inserted_at TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (context_id, story_id)
);
CREATE INDEX context_stories_story_id_index ON context_stories (story_id);

-- `seq` is the component's compact key inside this database: the dependency graph refers
-- to components by it, so that walking and marking 100k components stays fast. The public
-- id is `id`, as everywhere else.
CREATE TABLE components (
    seq            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    type           TEXT NOT NULL
                   CHECK (type IN ('context', 'schema', 'controller', 'liveview', 'genserver',
                                   'task', 'other')),
    file_path      TEXT NOT NULL,
    description    TEXT,
    docs_complete  INTEGER NOT NULL DEFAULT 0,
    code_complete  INTEGER NOT NULL DEFAULT 0,
    tests_complete INTEGER NOT NULL DEFAULT 0,
    context_id     TEXT REFERENCES contexts (id) ON DELETE SET NULL,
    project_id     TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    inserted_at    TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (project_id, name)
);
CREATE INDEX components_project_id_index ON components (project_id);
CREATE INDEX components_context_id_index ON components (context_id);
CREATE UNIQUE INDEX components_seq_project_index ON components (seq, project_id);

-- The components that need regenerating. A narrow table of its own: one edit can mark 100k
-- components, and marking a row here writes a few bytes where updating a flag in
-- `components` rewrites the whole (wide) row.
-- No foreign key: checking one per marked row would read 100k wide component rows again; a
-- trigger removes the mark with its component instead.
CREATE TABLE component_dirty (
    seq INTEGER PRIMARY KEY NOT NULL
);
CREATE TRIGGER components_deleted AFTER DELETE ON components
BEGIN
    DELETE FROM component_dirty WHERE seq = OLD.seq;
END;

-- "component depends on depends_on". project_id is denormalised so that the foreign keys
-- keep both ends in one project whatever the code does.
CREATE TABLE component_dependencies (
    id             TEXT PRIMARY KEY NOT NULL,
    project_id     TEXT NOT NULL,
    component_seq  INTEGER NOT NULL,
    depends_on_seq INTEGER NOT NULL,
    inserted_at    TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (component_seq, depends_on_seq),
    CHECK (component_seq <> depends_on_seq),
    FOREIGN KEY (component_seq, project_id)
        REFERENCES components (seq, project_id) ON DELETE CASCADE,
    FOREIGN KEY (depends_on_seq, project_id)
        REFERENCES components (seq, project_id) ON DELETE CASCADE
);
CREATE INDEX component_dependencies_depends_on_index
    ON component_dependencies (depends_on_seq, component_seq);
CREATE INDEX component_dependencies_project_id_index ON component_dependencies (project_id);

-- Every change to a project's edges bumps its graph_version, however it happens (an insert,
-- a delete, a cascade): in-memory copies of the graph compare versions to stay current.
CREATE TRIGGER component_dependencies_inserted AFTER INSERT ON component_dependencies
BEGIN
    UPDATE projects SET graph_version = graph_version + 1 WHERE id = NEW.project_id;
END;
CREATE TRIGGER component_dependencies_deleted AFTER DELETE ON component_dependencies
BEGIN
    UPDATE projects SET graph_version = graph_version + 1 WHERE id = OLD.project_id;
END;

CREATE TABLE design_docs (
    id           TEXT PRIMARY KEY NOT NULL,
    component_id TEXT NOT NULL UNIQUE REFERENCES components (id) ON DELETE CASCADE,
    content      TEXT NOT NULL,
    approved     INTEGER NOT NULL DEFAULT 0,
    version      INTEGER NOT NULL DEFAULT 1,
    inserted_at  TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY NOT NULL,
    session_type TEXT NOT NULL
                 CHECK (session_type IN ('design', 'test', 'implementation', 'setup')),
    target_type  TEXT NOT NULL CHECK (target_type IN ('component', 'context', 'project')),
    target_id    TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'in_progress', 'complete', 'failed')),
    project_id   TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    inserted_at  TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX sessions_project_id_index ON sessions (project_id, status);
