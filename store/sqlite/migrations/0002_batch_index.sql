-- 0002_batch_index: the full-text entries of new and changed articles are
-- written by the store once per transaction (see articleWriter), no longer
-- by triggers row by row: FTS5 flushes its pending terms into a new segment
-- at every savepoint, and SQLite opens a statement savepoint for every
-- statement that fires a trigger, so the triggers wrote one segment per
-- article. The delete trigger stays: deleting an article still removes its
-- entry.
DROP TRIGGER articles_fts_insert;
DROP TRIGGER articles_fts_update;

-- Pending terms are kept in memory up to 8 MB before FTS5 writes a segment
-- (1 MB by default, less than a batch of 32 articles of 60 KB).
INSERT INTO articles_fts (articles_fts, rank) VALUES ('hashsize', 8388608);

-- FTS5 merges segments once 8 of a size have piled up (4 by default): on
-- batches of 60 KB articles that is 7% less CPU per article saved, for 3-7%
-- more CPU per search over 5,000 articles (BenchmarkSaveArticles,
-- BenchmarkSearchNews).
INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 8);
