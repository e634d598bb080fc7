package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/internal/storeutil"
)

// Limits on what one article may bring and bounds on one group commit are
// internal/storeutil's, shared with the SQLite store.
const (
	keptRevisions = 20
	exportBatch   = 100
	// maxTxRetries is how often a batch that lost a deadlock or a
	// serialization conflict to another process is run again.
	maxTxRetries = 5
)

// checkArticle refuses what no store saves, and URLs longer than a btree
// index takes.
func checkArticle(a *newsmon.Article) error { return storeutil.CheckArticle(a, maxURLBytes) }

// SaveArticle writes a with its URLs, mentions, topics, agreements and the
// fetch state st (when not nil) in one transaction, keyed by
// a.CanonicalURL (a.URL when that is empty), exactly as the SQLite store
// does (see its SaveArticle). It is SaveArticles with a batch of one.
func (db *DB) SaveArticle(ctx context.Context, a *newsmon.Article, st *newsmon.FetchState) (newsmon.SaveResult, error) {
	res := db.SaveArticles(ctx, []newsmon.ArticleWrite{{Article: a, State: st}})[0]
	err := res.Err
	res.Err = nil
	return res, err
}

// SaveArticles saves each article of ws as SaveArticle would, in order, in
// one transaction per batch of at most maxBatchArticles articles or
// maxBatchBytes of text (a group commit). Each article is written under a
// savepoint, so one that fails (its error in its result's Err) is rolled
// back alone and the others commit. A batch that loses a deadlock to
// another process is run again whole.
func (db *DB) SaveArticles(ctx context.Context, ws []newsmon.ArticleWrite) []newsmon.SaveResult {
	results := make([]newsmon.SaveResult, len(ws))
	storeutil.GroupWrites(ws, results, checkArticle, func(idx []int) { db.saveGroup(ctx, ws, idx, results) })
	return results
}

func (db *DB) saveGroup(ctx context.Context, ws []newsmon.ArticleWrite, idx []int, results []newsmon.SaveResult) {
	if len(idx) == 0 {
		return
	}
	for attempt := 0; ; attempt++ {
		err := db.saveBatch(ctx, ws, idx, results)
		if err == nil {
			return
		}
		if retryable(err) && attempt < maxTxRetries && ctx.Err() == nil {
			continue
		}
		for _, i := range idx {
			results[i] = newsmon.SaveResult{Err: err}
		}
		return
	}
}

// savedArticle is what saving one article did, applied to the caller's
// article and state after the commit.
type savedArticle struct {
	err       error
	res       newsmon.SaveResult
	hash      string
	firstSeen time.Time
	modified  *time.Time
	eventIDs  []string
	state     newsmon.FetchState
}

func (s *savedArticle) apply(w newsmon.ArticleWrite, now time.Time) {
	a := w.Article
	a.ID = s.res.ID
	if s.modified != nil {
		a.Modified = s.modified
	}
	for i, eventID := range s.eventIDs {
		a.Agreements[i].EventID = eventID
	}
	a.ContentHash = s.hash
	a.FirstSeen = s.firstSeen
	a.FetchedAt = now
	if w.State != nil {
		*w.State = s.state
	}
}

// saveBatch saves ws[i] for i in idx in one transaction, each article under
// a savepoint, and once committed sets their results. It returns an error
// only when the whole transaction failed.
func (db *DB) saveBatch(ctx context.Context, ws []newsmon.ArticleWrite, idx []int, results []newsmon.SaveResult) error {
	now := db.now().UTC().Truncate(time.Microsecond)
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("save articles: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))

	w := &articleWriter{db: db, ctx: ctx, tx: tx, now: now, rules: db.alertRules.Get()}
	// Agreement events are clustered under a lock per instrument class,
	// taken up front in a fixed order so batches cannot deadlock on them.
	if err := w.lockClusters(ws, idx); err != nil {
		return err
	}
	saved := make([]savedArticle, len(idx))
	for j, i := range idx {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("save articles: %w", err)
		}
		if len(idx) == 1 {
			if err := w.save(ws[i].Article, ws[i].State, &saved[j]); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.Exec(ctx, `SAVEPOINT article`); err != nil {
			return fmt.Errorf("save articles: %w", err)
		}
		if err := w.save(ws[i].Article, ws[i].State, &saved[j]); err != nil {
			if retryable(err) || ctx.Err() != nil {
				return err
			}
			saved[j] = savedArticle{err: err}
			if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT article`); err != nil {
				return fmt.Errorf("save articles: %w", err)
			}
			continue
		}
		if _, err := tx.Exec(ctx, `RELEASE SAVEPOINT article`); err != nil {
			return fmt.Errorf("save articles: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("save articles: commit: %w", err)
	}
	for j, i := range idx {
		if saved[j].err != nil {
			results[i] = newsmon.SaveResult{Err: saved[j].err}
			continue
		}
		saved[j].apply(ws[i], now)
		results[i] = saved[j].res
	}
	return nil
}

// articleWriter writes articles inside one transaction.
type articleWriter struct {
	db    *DB
	ctx   context.Context
	tx    pgx.Tx
	now   time.Time
	rules []*alertRule // the alert rules in force when the transaction began
}

// clusterLockKey is the advisory lock key of an instrument class.
func clusterLockKey(class string) int64 {
	h := fnv.New64a()
	h.Write([]byte("newsmon agreement class\x1f" + class))
	return int64(h.Sum64())
}

// lockClusters takes the transaction's advisory locks of the instrument
// classes whose events the batch may cluster.
func (w *articleWriter) lockClusters(ws []newsmon.ArticleWrite, idx []int) error {
	var keys []int64
	for _, i := range idx {
		for _, ag := range ws[i].Article.Agreements {
			if ag.EventID == "" && newsmon.PartyKey(ag.Parties) != "" {
				keys = append(keys, clusterLockKey(newsmon.InstrumentClass(ag.Instrument)))
			}
		}
	}
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		if _, err := w.tx.Exec(w.ctx, `SELECT pg_advisory_xact_lock($1)`, k); err != nil {
			return fmt.Errorf("save articles: lock agreement events: %w", err)
		}
	}
	return nil
}

// save writes one article and its fetch state and records in out what to
// tell the caller after the commit.
func (w *articleWriter) save(a *newsmon.Article, st *newsmon.FetchState, out *savedArticle) error {
	ctx, tx := w.ctx, w.tx
	key := clean(cmp.Or(a.CanonicalURL, a.URL))
	hash := a.ContentHash
	if hash == "" {
		hash = newsmon.ContentHash(a.Title, a.Text)
	}
	out.hash = hash
	res := &out.res

	var (
		id      int64
		oldHash string
		created bool
	)
	for {
		err := tx.QueryRow(ctx, `SELECT id, content_hash, first_seen FROM articles
			WHERE canonical_url = $1 FOR UPDATE`, key).Scan(&id, &oldHash, &out.firstSeen)
		if err == nil {
			break
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("save article %s: find: %w", key, err)
		}
		// Another transaction may insert the same story meanwhile: then
		// ours inserts nothing and the next look finds (and locks) it.
		err = tx.QueryRow(ctx, `INSERT INTO articles (source, canonical_url, url, title, author,
			language, site_name, image, description, published, modified, published_source, text,
			is_article, not_article_reason, content_hash, first_seen, fetched_at, fts_config)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18::regconfig)
			ON CONFLICT (canonical_url) DO NOTHING RETURNING id`,
			clean(a.Source), key, clean(a.URL), clean(a.Title), clean(a.Author), clean(a.Language),
			clean(a.SiteName), clean(a.Image), clean(a.Description), utc(a.Published), utc(a.Modified),
			clean(a.PublishedSource), clean(a.Text), a.IsArticle, clean(a.NotArticleReason), hash,
			w.now, textConfig(a.Language)).Scan(&id)
		if err == nil {
			created, out.firstSeen = true, w.now
			break
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("save article %s: insert: %w", key, err)
		}
	}
	out.firstSeen = out.firstSeen.UTC()

	switch {
	case created:
		var err error
		if out.eventIDs, err = w.writeParts(id, a); err != nil {
			return fmt.Errorf("save article %s: %w", key, err)
		}
		if err := w.raiseAgreementAlerts(id, key, a, out.eventIDs); err != nil {
			return fmt.Errorf("save article %s: %w", key, err)
		}
		res.Created = true
	case oldHash == hash:
		if _, err := tx.Exec(ctx, `UPDATE articles SET fetched_at = $1 WHERE id = $2`, w.now, id); err != nil {
			return fmt.Errorf("save article %s: %w", key, err)
		}
		var err error
		if out.eventIDs, err = w.storedEventIDs(id); err != nil {
			return fmt.Errorf("save article %s: %w", key, err)
		}
	default:
		if _, err := tx.Exec(ctx, `INSERT INTO article_revisions (article_id, content_hash, title,
			text, modified, fetched_at, replaced_at)
			SELECT id, content_hash, title, text, modified, fetched_at, $2 FROM articles WHERE id = $1`,
			id, w.now); err != nil {
			return fmt.Errorf("save article %s: revision: %w", key, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM article_revisions WHERE article_id = $1 AND id NOT IN
			(SELECT id FROM article_revisions WHERE article_id = $1 ORDER BY id DESC LIMIT $2)`,
			id, keptRevisions); err != nil {
			return fmt.Errorf("save article %s: revisions: %w", key, err)
		}
		modified := a.Modified
		if modified == nil {
			modified = &w.now
		}
		out.modified = utc(modified)
		if _, err := tx.Exec(ctx, `UPDATE articles SET source = $1, url = $2, title = $3, author = $4,
			language = $5, site_name = $6, image = $7, description = $8,
			published = coalesce($9, published), modified = $10, published_source = $11, text = $12,
			is_article = $13, not_article_reason = $14, content_hash = $15, fetched_at = $16,
			fts_config = $17::regconfig WHERE id = $18`,
			clean(a.Source), clean(a.URL), clean(a.Title), clean(a.Author), clean(a.Language),
			clean(a.SiteName), clean(a.Image), clean(a.Description), utc(a.Published), out.modified,
			clean(a.PublishedSource), clean(a.Text), a.IsArticle, clean(a.NotArticleReason), hash,
			w.now, textConfig(a.Language), id); err != nil {
			return fmt.Errorf("save article %s: update: %w", key, err)
		}
		for _, table := range []string{"mentions", "article_topics", "agreements"} {
			if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE article_id = $1`, id); err != nil {
				return fmt.Errorf("save article %s: %w", key, err)
			}
		}
		var err error
		if out.eventIDs, err = w.writeParts(id, a); err != nil {
			return fmt.Errorf("save article %s: %w", key, err)
		}
		if err := w.raiseAgreementAlerts(id, key, a, out.eventIDs); err != nil {
			return fmt.Errorf("save article %s: %w", key, err)
		}
		res.Updated = true
	}

	if _, err := w.recordURL(key, id); err != nil {
		return fmt.Errorf("save article %s: url: %w", key, err)
	}
	if u := clean(a.URL); u != "" && u != key {
		moved, err := w.recordURL(u, id)
		if err != nil {
			return fmt.Errorf("save article %s: url %s: %w", key, u, err)
		}
		if moved && !res.Created {
			res.Alias = true
		}
	}

	if st != nil {
		out.state = *st
		if out.state.ArticleID == 0 {
			out.state.ArticleID = id
		}
		if out.state.ContentHash == "" {
			out.state.ContentHash = hash
		}
		if err := saveFetchState(ctx, tx, &out.state, w.now); err != nil {
			return fmt.Errorf("save article %s: %w", key, err)
		}
	}
	if created {
		if err := w.raiseSearchAlerts(id, key, a); err != nil {
			return fmt.Errorf("save article %s: %w", key, err)
		}
	}
	res.ID = id
	return nil
}

// recordURL records u as an address of article id; the URL moves to it
// when it held another one (the page there now says it is this story).
// It reports whether a row was written.
func (w *articleWriter) recordURL(u string, id int64) (bool, error) {
	tag, err := w.tx.Exec(w.ctx, `INSERT INTO article_urls (url, article_id, first_seen) VALUES ($1, $2, $3)
		ON CONFLICT (url) DO UPDATE SET article_id = excluded.article_id
		WHERE article_urls.article_id <> excluded.article_id`, u, id, w.now)
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() > 0, nil
}

// writeParts inserts the mentions, topics and agreements of article id and
// returns the event IDs of the agreements.
func (w *articleWriter) writeParts(id int64, a *newsmon.Article) ([]string, error) {
	ctx, tx := w.ctx, w.tx
	if n := len(a.Mentions); n > 0 {
		seq := make([]int32, n)
		starts, ends := make([]int32, n), make([]int32, n)
		topics, terms, matched, sentences := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		for i, m := range a.Mentions {
			seq[i], starts[i], ends[i] = int32(i), int32(m.Start), int32(m.End)
			topics[i], terms[i], matched[i], sentences[i] = clean(m.Topic), clean(m.Term), clean(m.Matched), clean(m.Sentence)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO mentions (article_id, seq, topic, term, matched,
			sentence, start_offset, end_offset)
			SELECT $1, u.* FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[]) AS u`,
			id, seq, topics, terms, matched, sentences, starts, ends); err != nil {
			return nil, fmt.Errorf("mentions: %w", err)
		}
	}
	if topics := a.AllTopics(); len(topics) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO article_topics (article_id, topic)
			SELECT $1, t FROM unnest($2::text[]) AS t ON CONFLICT DO NOTHING`, id, cleanAll(topics)); err != nil {
			return nil, fmt.Errorf("topics: %w", err)
		}
	}
	eventIDs := make([]string, len(a.Agreements))
	day := w.now
	if a.Published != nil {
		day = *utc(a.Published)
	}
	for i, ag := range a.Agreements {
		pkey := clean(newsmon.PartyKey(ag.Parties))
		eventIDs[i] = clean(ag.EventID)
		if eventIDs[i] == "" {
			var err error
			if eventIDs[i], err = w.clusterEvent(id, ag, pkey, day); err != nil {
				return nil, fmt.Errorf("agreement %d: %w", i, err)
			}
		}
		parties := cleanAll(ag.Parties)
		if _, err := tx.Exec(ctx, `INSERT INTO agreements (article_id, seq, event_id, instrument,
			status, parties, value, place, date, sentence, party_key, day)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			id, i, eventIDs[i], clean(ag.Instrument), clean(ag.Status), parties, clean(ag.Value),
			clean(ag.Place), clean(ag.Date), clean(ag.Sentence), pkey, day); err != nil {
			return nil, fmt.Errorf("agreement %d: %w", i, err)
		}
	}
	return eventIDs, nil
}

// FindArticleByID returns the article with its mentions, agreements,
// topics and URLs, or an ENOTFOUND error.
func (db *DB) FindArticleByID(ctx context.Context, id int64) (*newsmon.Article, error) {
	as, err := db.loadArticles(ctx, `WHERE a.id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("find article %d: %w", id, err)
	}
	if len(as) == 0 {
		return nil, newsmon.Errorf(newsmon.ENOTFOUND, "article %d not found", id)
	}
	return as[0], nil
}

// FindArticleByURL returns the article seen at url (its canonical URL or
// any other address), or an ENOTFOUND error.
func (db *DB) FindArticleByURL(ctx context.Context, url string) (*newsmon.Article, error) {
	as, err := db.loadArticles(ctx, `WHERE a.id = (SELECT article_id FROM article_urls WHERE url = $1)`, clean(url))
	if err != nil {
		return nil, fmt.Errorf("find article %s: %w", url, err)
	}
	if len(as) == 0 {
		return nil, newsmon.Errorf(newsmon.ENOTFOUND, "no article at %s", url)
	}
	return as[0], nil
}

// ExportArticles calls fn for every article first seen at or after
// f.Since (every article when nil) and, when f.Match is set, selected by
// its query and filters; oldest first by first_seen then id. It reads in
// batches by key, so no transaction stays open while fn runs. A malformed
// f.Match query is EINVALID.
func (db *DB) ExportArticles(ctx context.Context, f newsmon.ExportFilter, fn func(*newsmon.Article) error) error {
	var (
		query *newsmon.Query
		match newsmon.SearchFilter
	)
	if f.Match != nil {
		match = *f.Match
		match.Limit, match.Offset = 0, 0 // an export takes every match
		var err error
		if query, err = checkSearch(match); err != nil {
			return err
		}
	}
	var after *time.Time // first_seen of the last article exported
	lastID := int64(0)
	if f.Since != nil {
		after = utc(f.Since)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var (
			args  sqlArgs
			where = []string{"true"}
		)
		if after != nil {
			where = append(where, "(a.first_seen, a.id) > ("+args.add(*after)+", "+args.add(lastID)+")")
		}
		if f.Match != nil {
			where = append(where, searchConditions(match, query, &args)...)
		}
		batch, err := db.loadArticles(ctx, `WHERE `+strings.Join(where, " AND ")+
			` ORDER BY a.first_seen, a.id LIMIT `+args.add(exportBatch), args.vals...)
		if err != nil {
			return fmt.Errorf("export articles: %w", err)
		}
		for _, a := range batch {
			if err := fn(a); err != nil {
				return err
			}
		}
		if len(batch) < exportBatch {
			return nil
		}
		last := batch[len(batch)-1]
		after, lastID = &last.FirstSeen, last.ID
	}
}

const articleColumns = `a.id, a.source, a.url, a.canonical_url, a.title, a.author, a.language,
	a.site_name, a.image, a.description, a.published, a.modified, a.published_source, a.text,
	a.is_article, a.not_article_reason, a.content_hash, a.first_seen, a.fetched_at`

// loadArticles reads the articles selected by the clause that follows
// "FROM articles a", with all their parts, in one read-only transaction
// (a consistent snapshot).
func (db *DB) loadArticles(ctx context.Context, clause string, args ...any) ([]*newsmon.Article, error) {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var (
		list []*newsmon.Article
		byID = make(map[int64]*newsmon.Article)
	)
	err = queryEach(ctx, tx, `SELECT `+articleColumns+` FROM articles a `+clause, args, func(rows pgx.Rows) error {
		var a newsmon.Article
		if err := rows.Scan(&a.ID, &a.Source, &a.URL, &a.CanonicalURL, &a.Title, &a.Author,
			&a.Language, &a.SiteName, &a.Image, &a.Description, &a.Published, &a.Modified,
			&a.PublishedSource, &a.Text, &a.IsArticle, &a.NotArticleReason, &a.ContentHash,
			&a.FirstSeen, &a.FetchedAt); err != nil {
			return err
		}
		a.Published, a.Modified = utc(a.Published), utc(a.Modified)
		a.FirstSeen, a.FetchedAt = a.FirstSeen.UTC(), a.FetchedAt.UTC()
		a.Topics, a.Mentions, a.Agreements = []string{}, []newsmon.Mention{}, []newsmon.Agreement{}
		list = append(list, &a)
		byID[a.ID] = &a
		return nil
	})
	if err != nil || len(list) == 0 {
		return nil, err
	}
	ids := make([]int64, len(list))
	for i, a := range list {
		ids[i] = a.ID
	}
	if err := loadParts(ctx, tx, ids, byID); err != nil {
		return nil, err
	}
	return list, nil
}

// loadParts fills in the URLs, topics, mentions and agreements of the
// articles in byID.
func loadParts(ctx context.Context, q querier, ids []int64, byID map[int64]*newsmon.Article) error {
	err := queryEach(ctx, q, `SELECT article_id, url FROM article_urls WHERE article_id = ANY($1)
		ORDER BY article_id, first_seen, url`, []any{ids}, func(rows pgx.Rows) error {
		var id int64
		var u string
		if err := rows.Scan(&id, &u); err != nil {
			return err
		}
		byID[id].URLs = append(byID[id].URLs, u)
		return nil
	})
	if err != nil {
		return fmt.Errorf("urls: %w", err)
	}
	err = queryEach(ctx, q, `SELECT article_id, topic FROM article_topics WHERE article_id = ANY($1)
		ORDER BY article_id, topic`, []any{ids}, func(rows pgx.Rows) error {
		var id int64
		var t string
		if err := rows.Scan(&id, &t); err != nil {
			return err
		}
		byID[id].Topics = append(byID[id].Topics, t)
		return nil
	})
	if err != nil {
		return fmt.Errorf("topics: %w", err)
	}
	err = queryEach(ctx, q, `SELECT article_id, topic, term, matched, sentence, start_offset, end_offset
		FROM mentions WHERE article_id = ANY($1) ORDER BY article_id, seq`, []any{ids}, func(rows pgx.Rows) error {
		var id int64
		var m newsmon.Mention
		if err := rows.Scan(&id, &m.Topic, &m.Term, &m.Matched, &m.Sentence, &m.Start, &m.End); err != nil {
			return err
		}
		byID[id].Mentions = append(byID[id].Mentions, m)
		return nil
	})
	if err != nil {
		return fmt.Errorf("mentions: %w", err)
	}
	err = queryEach(ctx, q, `SELECT article_id, event_id, instrument, status, parties, value, place, date, sentence
		FROM agreements WHERE article_id = ANY($1) ORDER BY article_id, seq`, []any{ids}, func(rows pgx.Rows) error {
		var id int64
		var ag newsmon.Agreement
		if err := rows.Scan(&id, &ag.EventID, &ag.Instrument, &ag.Status, &ag.Parties, &ag.Value,
			&ag.Place, &ag.Date, &ag.Sentence); err != nil {
			return err
		}
		if ag.Parties == nil {
			ag.Parties = []string{}
		}
		byID[id].Agreements = append(byID[id].Agreements, ag)
		return nil
	})
	if err != nil {
		return fmt.Errorf("agreements: %w", err)
	}
	return nil
}
