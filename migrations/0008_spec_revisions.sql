-- Every spec change (each outbox entry) bumps its project's revision to the next number of
-- one sequence across projects, so that a window can ask "which projects' specs changed
-- after revision N?" with one index range — however the change was made (this process, the
-- CLI, a worker, an import from the docs repository).
CREATE TABLE spec_revisions (
    project_id TEXT PRIMARY KEY NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    revision   INTEGER NOT NULL
);
CREATE INDEX spec_revisions_revision_index ON spec_revisions (revision);

CREATE TRIGGER spec_revision_bump AFTER INSERT ON outbox BEGIN
    INSERT INTO spec_revisions (project_id, revision)
    VALUES (NEW.project_id, (SELECT coalesce(max(revision), 0) + 1 FROM spec_revisions))
    ON CONFLICT (project_id) DO UPDATE SET revision = excluded.revision;
END;
