-- A project leaves an account's list when it is deleted or the account's membership ends —
-- by whatever process: the CLI, a team change from the docs repository, the org sync, a
-- provision that merges a placeholder. Each such end is written here, numbered, so that a
-- window can ask "which of my projects left after removal N?" as it asks for spec changes
-- (spec_revisions). A deleted project's memberships go by its cascade, which fires this
-- trigger too. Only the newest 10,000 are kept: a window that fell further behind reloads
-- its whole list.
CREATE TABLE membership_removals (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    TEXT NOT NULL,
    project_id TEXT NOT NULL
);
CREATE INDEX membership_removals_user_index ON membership_removals (user_id, seq);

CREATE TRIGGER membership_removed AFTER DELETE ON project_memberships BEGIN
    INSERT INTO membership_removals (user_id, project_id) VALUES (OLD.user_id, OLD.project_id);
    DELETE FROM membership_removals
    WHERE seq <= (SELECT max(seq) FROM membership_removals) - 10000;
END;
