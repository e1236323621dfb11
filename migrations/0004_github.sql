-- GitHub (DESIGN.md §8): the docs repository's id beside the code repository's, so that
-- both are followed by id through renames.
ALTER TABLE projects ADD COLUMN docs_repo_id INTEGER;
-- Whether the repositories a setup creates on GitHub are public (private by default).
ALTER TABLE projects ADD COLUMN public_repos INTEGER NOT NULL DEFAULT 0;
