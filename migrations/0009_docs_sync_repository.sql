-- The docs sync's state belongs to one repository (issue "Trust across machines"): the URL
-- the synced commit, the bases, the conflicts and the problems were made with. A project
-- pointed at another repository starts a new state (projects::update clears it); the clone
-- is made anew when the URL it was made for is not the project's any more. '*' conflicts
-- whose `theirs` is a JSON string hold the raw text of a file that could not be read.
ALTER TABLE docs_sync ADD COLUMN repo_url TEXT;
UPDATE docs_sync SET repo_url = (SELECT docs_repo FROM projects WHERE projects.id = docs_sync.project_id);
