-- The outbox (issue "local-first"): every change of a project's spec — stories, contexts,
-- their story links, components, dependencies, design docs — writes an entry in the same
-- transaction (these triggers), so that "not yet published to the docs repository" is what
-- the outbox holds. Deleting a project removes its entries; a row removed by a cascade from
-- a parent that is itself being removed is recorded by the parent's own entry.

CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    project_id TEXT NOT NULL,
    entity     TEXT NOT NULL
               CHECK (entity IN ('story', 'context', 'context_story', 'component',
                                 'dependency', 'design_doc')),
    entity_id  TEXT NOT NULL,
    op         TEXT NOT NULL CHECK (op IN ('create', 'update', 'delete')),
    at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX outbox_project_index ON outbox (project_id, id);

CREATE TRIGGER outbox_project_gone AFTER DELETE ON projects BEGIN
    DELETE FROM outbox WHERE project_id = OLD.id;
END;

CREATE TRIGGER outbox_story_insert AFTER INSERT ON stories BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op) VALUES (NEW.project_id, 'story', NEW.id, 'create');
END;
CREATE TRIGGER outbox_story_update AFTER UPDATE ON stories BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op) VALUES (NEW.project_id, 'story', NEW.id, 'update');
END;
CREATE TRIGGER outbox_story_delete AFTER DELETE ON stories
WHEN EXISTS (SELECT 1 FROM projects WHERE id = OLD.project_id) BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op) VALUES (OLD.project_id, 'story', OLD.id, 'delete');
END;

CREATE TRIGGER outbox_context_insert AFTER INSERT ON contexts BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op) VALUES (NEW.project_id, 'context', NEW.id, 'create');
END;
CREATE TRIGGER outbox_context_update AFTER UPDATE ON contexts BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op) VALUES (NEW.project_id, 'context', NEW.id, 'update');
END;
CREATE TRIGGER outbox_context_delete AFTER DELETE ON contexts
WHEN EXISTS (SELECT 1 FROM projects WHERE id = OLD.project_id) BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op) VALUES (OLD.project_id, 'context', OLD.id, 'delete');
END;

CREATE TRIGGER outbox_link_insert AFTER INSERT ON context_stories BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op)
    SELECT project_id, 'context_story', NEW.id, 'create' FROM contexts WHERE id = NEW.context_id;
END;
CREATE TRIGGER outbox_link_delete AFTER DELETE ON context_stories BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op)
    SELECT project_id, 'context_story', OLD.id, 'delete' FROM contexts WHERE id = OLD.context_id;
END;

CREATE TRIGGER outbox_component_insert AFTER INSERT ON components BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op) VALUES (NEW.project_id, 'component', NEW.id, 'create');
END;
CREATE TRIGGER outbox_component_update AFTER UPDATE ON components BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op) VALUES (NEW.project_id, 'component', NEW.id, 'update');
END;
CREATE TRIGGER outbox_component_delete AFTER DELETE ON components
WHEN EXISTS (SELECT 1 FROM projects WHERE id = OLD.project_id) BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op) VALUES (OLD.project_id, 'component', OLD.id, 'delete');
END;

CREATE TRIGGER outbox_dependency_insert AFTER INSERT ON component_dependencies BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op) VALUES (NEW.project_id, 'dependency', NEW.id, 'create');
END;
CREATE TRIGGER outbox_dependency_delete AFTER DELETE ON component_dependencies
WHEN EXISTS (SELECT 1 FROM projects WHERE id = OLD.project_id) BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op) VALUES (OLD.project_id, 'dependency', OLD.id, 'delete');
END;

CREATE TRIGGER outbox_design_doc_insert AFTER INSERT ON design_docs BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op)
    SELECT project_id, 'design_doc', NEW.id, 'create' FROM components WHERE id = NEW.component_id;
END;
CREATE TRIGGER outbox_design_doc_update AFTER UPDATE ON design_docs BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op)
    SELECT project_id, 'design_doc', NEW.id, 'update' FROM components WHERE id = NEW.component_id;
END;
CREATE TRIGGER outbox_design_doc_delete AFTER DELETE ON design_docs BEGIN
    INSERT INTO outbox (project_id, entity, entity_id, op)
    SELECT project_id, 'design_doc', OLD.id, 'delete' FROM components WHERE id = OLD.component_id;
END;
