-- Warm setups (issue 24): the index of the per-machine cache of fetched and compiled Mix
-- dependencies. Each row is one folder under <data dir>/dep-cache/entries/<key> holding a
-- dependency's source (deps/<package>) and its build (_build/<env>/lib/<package>), keyed by
-- what decides that build (docs/PIPELINE.md, "Warm setups"). `content_hash` is checked before
-- an entry is used; `used_seq` orders least recently used first for eviction.
CREATE TABLE dep_cache (
    key          TEXT PRIMARY KEY,
    package      TEXT NOT NULL,
    version      TEXT NOT NULL,
    env          TEXT NOT NULL,
    elixir       TEXT NOT NULL,
    otp          TEXT NOT NULL,
    size_bytes   INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    stored_at    TEXT NOT NULL,
    used_seq     INTEGER NOT NULL
);
CREATE INDEX dep_cache_lru ON dep_cache (used_seq);
