-- 0004_runs: the history of crawl runs, one row a run of a source, for
-- `newsmon sources` and source health. Times are microseconds since the
-- epoch, UTC; finished is NULL while running and for interrupted runs.
-- error_kinds is a JSON object from error kind to count.
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    source      TEXT    NOT NULL,
    started     INTEGER NOT NULL,
    finished    INTEGER,
    status      TEXT    NOT NULL,
    cut         TEXT    NOT NULL DEFAULT '',
    requests    INTEGER NOT NULL DEFAULT 0,
    discovered  INTEGER NOT NULL DEFAULT 0,
    queued      INTEGER NOT NULL DEFAULT 0,
    new         INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    aliases     INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,
    not_article INTEGER NOT NULL DEFAULT 0,
    errors      INTEGER NOT NULL DEFAULT 0,
    error_kinds TEXT    NOT NULL DEFAULT '{}',
    last_error  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX runs_source_started ON runs (source, started DESC, id DESC);
CREATE INDEX runs_started ON runs (started DESC, id DESC);
