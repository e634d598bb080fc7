-- 0001_init: articles with their addresses, revisions, mentions, topics,
-- agreements, the crawler's fetch state and the full-text index.
--
-- Times are INTEGER microseconds since the Unix epoch, UTC: they compare and
-- sort as numbers and cover any date a page may print.

CREATE TABLE articles (
	id                 INTEGER PRIMARY KEY,
	source             TEXT    NOT NULL DEFAULT '',
	canonical_url      TEXT    NOT NULL UNIQUE,
	url                TEXT    NOT NULL DEFAULT '',
	title              TEXT    NOT NULL DEFAULT '',
	author             TEXT    NOT NULL DEFAULT '',
	language           TEXT    NOT NULL DEFAULT '',
	site_name          TEXT    NOT NULL DEFAULT '',
	image              TEXT    NOT NULL DEFAULT '',
	description        TEXT    NOT NULL DEFAULT '',
	published          INTEGER,
	modified           INTEGER,
	published_source   TEXT    NOT NULL DEFAULT '',
	text               TEXT    NOT NULL DEFAULT '',
	is_article         INTEGER NOT NULL DEFAULT 1,
	not_article_reason TEXT    NOT NULL DEFAULT '',
	content_hash       TEXT    NOT NULL,
	first_seen         INTEGER NOT NULL,
	fetched_at         INTEGER NOT NULL
);

-- The date searches filter and sort on: published, or first_seen when the
-- page gave no date. Queries must use this exact expression.
CREATE INDEX articles_date ON articles (coalesce(published, first_seen), id);
CREATE INDEX articles_first_seen ON articles (first_seen, id);
CREATE INDEX articles_source ON articles (source);

-- Every address an article was seen at, its canonical URL included.
CREATE TABLE article_urls (
	url        TEXT    PRIMARY KEY,
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	first_seen INTEGER NOT NULL
);
CREATE INDEX article_urls_article ON article_urls (article_id);

-- Earlier versions of articles whose content changed.
CREATE TABLE article_revisions (
	id           INTEGER PRIMARY KEY,
	article_id   INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	content_hash TEXT    NOT NULL,
	title        TEXT    NOT NULL,
	text         TEXT    NOT NULL,
	modified     INTEGER,
	fetched_at   INTEGER NOT NULL,
	replaced_at  INTEGER NOT NULL
);
CREATE INDEX article_revisions_article ON article_revisions (article_id, id);

CREATE TABLE mentions (
	article_id   INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	seq          INTEGER NOT NULL,
	topic        TEXT    NOT NULL,
	term         TEXT    NOT NULL,
	matched      TEXT    NOT NULL,
	sentence     TEXT    NOT NULL,
	start_offset INTEGER NOT NULL,
	end_offset   INTEGER NOT NULL,
	PRIMARY KEY (article_id, seq)
) WITHOUT ROWID;
CREATE INDEX mentions_topic ON mentions (topic, article_id);

CREATE TABLE article_topics (
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	topic      TEXT    NOT NULL,
	PRIMARY KEY (article_id, topic)
) WITHOUT ROWID;
CREATE INDEX article_topics_topic ON article_topics (topic, article_id);

CREATE TABLE agreements (
	article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL,
	event_id   TEXT    NOT NULL,
	instrument TEXT    NOT NULL,
	status     TEXT    NOT NULL,
	parties    TEXT    NOT NULL, -- JSON array of strings
	value      TEXT    NOT NULL DEFAULT '',
	place      TEXT    NOT NULL DEFAULT '',
	date       TEXT    NOT NULL DEFAULT '',
	sentence   TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (article_id, seq)
) WITHOUT ROWID;
CREATE INDEX agreements_event ON agreements (event_id);

CREATE TABLE fetch_state (
	url           TEXT    PRIMARY KEY,
	etag          TEXT    NOT NULL DEFAULT '',
	last_modified TEXT    NOT NULL DEFAULT '',
	lastmod       INTEGER,
	status        INTEGER NOT NULL DEFAULT 0,
	content_hash  TEXT    NOT NULL DEFAULT '',
	fetched_at    INTEGER NOT NULL,
	article_id    INTEGER REFERENCES articles (id) ON DELETE SET NULL
);

-- The full-text index over title and text, with the articles table as its
-- external content (no second copy of the text). No porter stemmer: it
-- applies English rules to every Latin-script word, Turkish and Azerbaijani
-- included; unicode61 folds case and diacritics in every script.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
	title, text,
	content = 'articles', content_rowid = 'id',
	tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
	INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
	INSERT INTO articles_fts (articles_fts, rowid, title, text)
	VALUES ('delete', old.id, old.title, old.text);
END;

CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
	INSERT INTO articles_fts (articles_fts, rowid, title, text)
	VALUES ('delete', old.id, old.title, old.text);
	INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;
