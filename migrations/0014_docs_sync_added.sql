-- Issue 23: how many entities the last sync made from files people added by hand on GitHub
-- (files without an id), for the window's publish line and `docs status`.
ALTER TABLE docs_sync ADD COLUMN added INTEGER NOT NULL DEFAULT 0;
