-- 0005_outbox: the alert outbox. An agreement or search alert is written
-- in the same transaction as the article that raised it, with one delivery
-- row per channel of its rule, so a crash loses none and repeats none.
--
-- alerts: one row per alert; its id is stable (a hash of the rule and the
-- event id, or of the rule and the article's canonical URL), so every
-- later report of one event updates the row (version + 1) instead of
-- adding one. event is the AlertEvent as JSON, NULL for other kinds.
--
-- alert_articles: the articles an alert points to, in the order they
-- reported it, with the sentence that made them match. article_id is NULL
-- for articles given to RaiseAlert; one stored article appears once.
--
-- alert_deliveries: what is still to go out, one row per alert and channel.
-- delivered is NULL until the channel accepted it. A worker claims due rows
-- by setting claimed_until (a lease) in the UPDATE ... RETURNING that picks
-- them, so two workers never hold one row at once; a row whose worker died
-- comes back when its lease runs out.
--
-- Digest rules (digest = "1h") have no delivery per alert. Instead, while
-- alerts of the rule are raised or updated, one delivery row per channel
-- and digest period waits: its alert_id is "digest:<rule>:<period start,
-- Unix seconds>", periods are aligned on the Unix epoch (start = now - now
-- mod digest), and its next_attempt is the end of the period. The delivery
-- side builds the message from FindAlerts(rule, since the period start),
-- leaving out alerts updated at or after the period end (they belong to the
-- next digest). Times are microseconds since the epoch, UTC.
CREATE TABLE alerts (
    id       TEXT    PRIMARY KEY,
    rule     TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    event_id TEXT    NOT NULL DEFAULT '',
    event    TEXT,
    source   TEXT    NOT NULL DEFAULT '',
    problem  TEXT    NOT NULL DEFAULT '',
    created  INTEGER NOT NULL,
    updated  INTEGER NOT NULL,
    version  INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX alerts_updated ON alerts (updated DESC, id);
CREATE INDEX alerts_rule_updated ON alerts (rule, updated DESC, id);

CREATE TABLE alert_articles (
    alert_id   TEXT    NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    article_id INTEGER,
    url        TEXT    NOT NULL,
    title      TEXT    NOT NULL DEFAULT '',
    source     TEXT    NOT NULL DEFAULT '',
    published  INTEGER,
    sentence   TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (alert_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX alert_articles_article ON alert_articles (alert_id, article_id)
    WHERE article_id IS NOT NULL;

CREATE TABLE alert_deliveries (
    alert_id      TEXT    NOT NULL,
    channel       TEXT    NOT NULL,
    rule          TEXT    NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt  INTEGER NOT NULL,
    last_error    TEXT    NOT NULL DEFAULT '',
    claimed_until INTEGER NOT NULL DEFAULT 0,
    delivered     INTEGER,
    created       INTEGER NOT NULL,
    PRIMARY KEY (alert_id, channel)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt, created)
    WHERE delivered IS NULL;
