-- 0003_agreement_events: agreements of different articles that report the
-- same event share an event_id. An agreement joins the event of another
-- article's agreement with the same instrument, status and party set
-- (party_key: the sorted, lower-cased parties between \x1e separators)
-- whose article is dated within a week of its own (day: the article's
-- publication, or its first sight, in microseconds).
ALTER TABLE agreements ADD COLUMN party_key TEXT NOT NULL DEFAULT '';
ALTER TABLE agreements ADD COLUMN day INTEGER NOT NULL DEFAULT 0;
CREATE INDEX agreements_cluster ON agreements (instrument, status, party_key, day);
CREATE INDEX agreements_day ON agreements (day);
