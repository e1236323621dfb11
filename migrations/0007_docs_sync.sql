-- The docs sync (issue "local-first", docs/DOCS_SYNC.md).
--
-- outbox.subject: the entity whose file a change touches — a story, context or component
-- id. A story link changes its context's file, a dependency or a design doc its
-- component's. The story, context and component triggers leave it NULL: their entity_id is
-- the subject.
ALTER TABLE outbox ADD COLUMN subject TEXT;

DROP TRIGGER outbox_link_insert;
DROP TRIGGER outbox_link_delete;
DROP TRIGGER outbox_dependency_insert;
DROP TRIGGER outbox_dependency_delete;
DROP TRIGGER outbox_design_doc_insert;
DROP TRIGGER outbox_design_doc_update;
DROP TRIGGER outbox_design_doc_delete;

CREATE TRIGGER outbox_link_insert AFTER INSERT ON context_stories BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op, subject)
    SELECT project_id, 'context_story', NEW.id, 'create', NEW.context_id FROM contexts WHERE id = NEW.context_id;
END;
CREATE TRIGGER outbox_link_delete AFTER DELETE ON context_stories BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op, subject)
    SELECT project_id, 'context_story', OLD.id, 'delete', OLD.context_id FROM contexts WHERE id = OLD.context_id;
END;
CREATE TRIGGER outbox_dependency_insert AFTER INSERT ON component_dependencies BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op, subject)
    VALUES (NEW.project_id, 'dependency', NEW.id, 'create',
            (SELECT id FROM components WHERE seq = NEW.component_seq));
END;
CREATE TRIGGER outbox_dependency_delete AFTER DELETE ON component_dependencies
WHEN EXISTS (SELECT 1 FROM projects WHERE id = OLD.project_id) BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op, subject)
    VALUES (OLD.project_id, 'dependency', OLD.id, 'delete',
            (SELECT id FROM components WHERE seq = OLD.component_seq));
END;
CREATE TRIGGER outbox_design_doc_insert AFTER INSERT ON design_docs BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op, subject)
    SELECT project_id, 'design_doc', NEW.id, 'create', NEW.component_id FROM components WHERE id = NEW.component_id;
END;
CREATE TRIGGER outbox_design_doc_update AFTER UPDATE ON design_docs BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op, subject)
    SELECT project_id, 'design_doc', NEW.id, 'update', NEW.component_id FROM components WHERE id = NEW.component_id;
END;
CREATE TRIGGER outbox_design_doc_delete AFTER DELETE ON design_docs BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op, subject)
    SELECT project_id, 'design_doc', OLD.id, 'delete', OLD.component_id FROM components WHERE id = OLD.component_id;
END;

-- Per project: the last commit both sides agree on (the merge base), and how the last
-- attempt went.
CREATE TABLE docs_sync (
    project_id      TEXT PRIMARY KEY NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    synced_commit   TEXT,
    synced_at       TEXT,
    attempted_at    TEXT,
    -- The last attempt's failure, and whether it was the network (offline) or not.
    error           TEXT,
    offline         INTEGER NOT NULL DEFAULT 0
);

-- Every entity as the synced commit holds it: the merge base, and where its file is.
CREATE TABLE docs_entities (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    entity_id  TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('story', 'context', 'component')),
    path       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    fields     TEXT NOT NULL,
    PRIMARY KEY (project_id, entity_id)
);
CREATE INDEX docs_entities_path_index ON docs_entities (project_id, path);

-- Clashes waiting for a person: field '*' is an edit against a delete. `theirs` is the
-- remote value as JSON (for '*': the remote entity's fields, or null when it was deleted
-- there); the local value is the database's.
CREATE TABLE docs_conflicts (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    entity_id  TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('story', 'context', 'component')),
    field      TEXT NOT NULL,
    label      TEXT NOT NULL,
    base       TEXT NOT NULL,
    theirs     TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (project_id, entity_id, field)
);

-- Remote files that could not be read or imported; read again at every sync until fixed.
CREATE TABLE docs_problems (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    path       TEXT NOT NULL,
    message    TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (project_id, path)
);

INSERT INTO queues (name, paused, concurrency) VALUES ('docs_sync', 0, 2);
