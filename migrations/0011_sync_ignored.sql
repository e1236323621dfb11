-- The org listing without noise (issue 18): repositories a profile told the heartbeat to
-- leave alone. An ignored repository is never imported as a `discovered` project again (nor
-- its docs repository) until the profile unignores it. Known by GitHub's id, so that a
-- rename does not bring it back; `full_name` and `html_url` are how GitHub last showed it.
CREATE TABLE sync_ignored (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    repo_id    INTEGER NOT NULL,
    full_name  TEXT NOT NULL,
    html_url   TEXT NOT NULL,
    ignored_at TEXT NOT NULL,
    PRIMARY KEY (account_id, repo_id)
);

-- The cached listing pages were written before a repository's `fork` and `archived` flags
-- were kept: read back after a 304, every fork would look like a plain repository. The next
-- run lists everything once more (at most one full listing's requests).
DELETE FROM sync_pages;
