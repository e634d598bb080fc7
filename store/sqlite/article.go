package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/internal/storeutil"
)

// Limits on what one article may bring (internal/storeutil's, shared with
// the PostgreSQL store): a hostile or broken page must not bloat the
// store. The crawler's body limit keeps real pages far below them.
const (
	maxTextBytes       = storeutil.MaxTextBytes
	maxMentions        = storeutil.MaxMentions
	maxAgreements      = storeutil.MaxAgreements
	maxTopics          = storeutil.MaxTopics
	keptRevisions      = 20 // older versions beyond these are dropped
	exportBatch        = 100
	maxIDsPerStatement = 500 // bound on an IN (...) list
)

// writeStatements are prepared once on the writer's single connection.
type writeStatements struct {
	findByCanonical *sql.Stmt
	insertArticle   *sql.Stmt
	updateArticle   *sql.Stmt
	touchArticle    *sql.Stmt
	saveRevision    *sql.Stmt
	pruneRevisions  *sql.Stmt
	recordURL       *sql.Stmt
	deleteMentions  *sql.Stmt
	insertMention   *sql.Stmt
	deleteTopics    *sql.Stmt
	insertTopic     *sql.Stmt
	deleteAgreement *sql.Stmt
	insertAgreement *sql.Stmt
	findEvent       *sql.Stmt
	eventIDs        *sql.Stmt
	saveFetchState  *sql.Stmt
	unindexArticle  *sql.Stmt
	indexArticles   *sql.Stmt
}

func (s *writeStatements) prepare(db *sql.DB) error {
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&s.findByCanonical, `SELECT id, content_hash, first_seen FROM articles WHERE canonical_url = ?`},
		{&s.insertArticle, `INSERT INTO articles (source, canonical_url, url, title, author, language,
			site_name, image, description, published, modified, published_source, text,
			is_article, not_article_reason, content_hash, first_seen, fetched_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&s.updateArticle, `UPDATE articles SET source = ?, url = ?, title = ?, author = ?,
			language = ?, site_name = ?, image = ?, description = ?,
			published = coalesce(?, published), modified = ?, published_source = ?, text = ?,
			is_article = ?, not_article_reason = ?, content_hash = ?, fetched_at = ?
			WHERE id = ?`},
		{&s.touchArticle, `UPDATE articles SET fetched_at = ? WHERE id = ?`},
		{&s.saveRevision, `INSERT INTO article_revisions (article_id, content_hash, title, text,
			modified, fetched_at, replaced_at)
			SELECT id, content_hash, title, text, modified, fetched_at, ?2 FROM articles WHERE id = ?1`},
		{&s.pruneRevisions, `DELETE FROM article_revisions WHERE article_id = ?1 AND id NOT IN
			(SELECT id FROM article_revisions WHERE article_id = ?1 ORDER BY id DESC LIMIT ?2)`},
		// The URL moves to this article when it held another one: the page at
		// that address now says it is this story.
		{&s.recordURL, `INSERT INTO article_urls (url, article_id, first_seen) VALUES (?, ?, ?)
			ON CONFLICT (url) DO UPDATE SET article_id = excluded.article_id
			WHERE article_id != excluded.article_id`},
		{&s.deleteMentions, `DELETE FROM mentions WHERE article_id = ?`},
		{&s.insertMention, `INSERT INTO mentions (article_id, seq, topic, term, matched, sentence,
			start_offset, end_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`},
		{&s.deleteTopics, `DELETE FROM article_topics WHERE article_id = ?`},
		{&s.insertTopic, `INSERT OR IGNORE INTO article_topics (article_id, topic) VALUES (?, ?)`},
		{&s.deleteAgreement, `DELETE FROM agreements WHERE article_id = ?`},
		{&s.insertAgreement, `INSERT INTO agreements (article_id, seq, event_id, instrument, status,
			parties, value, place, date, sentence, party_key, day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&s.findEvent, findEventsSQL},
		{&s.eventIDs, `SELECT event_id FROM agreements WHERE article_id = ? ORDER BY seq`},
		{&s.saveFetchState, `INSERT INTO fetch_state (url, etag, last_modified, lastmod, status,
			content_hash, fetched_at, article_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (url) DO UPDATE SET etag = excluded.etag,
			last_modified = excluded.last_modified, lastmod = excluded.lastmod,
			status = excluded.status, content_hash = excluded.content_hash,
			fetched_at = excluded.fetched_at, article_id = excluded.article_id`},
		// The index is external content over articles: an entry is deleted
		// with the values it was indexed with, and written from the row.
		{&s.unindexArticle, `INSERT INTO articles_fts (articles_fts, rowid, title, text)
			SELECT 'delete', id, title, text FROM articles WHERE id = ?`},
		{&s.indexArticles, `INSERT INTO articles_fts (rowid, title, text)
			SELECT id, title, text FROM articles WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`},
	} {
		st, err := db.Prepare(p.sql)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", strings.Fields(p.sql)[:3], err)
		}
		*p.stmt = st
	}
	return nil
}

func (s *writeStatements) close() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.findByCanonical, s.insertArticle, s.updateArticle,
		s.touchArticle, s.saveRevision, s.pruneRevisions, s.recordURL, s.deleteMentions,
		s.insertMention, s.deleteTopics, s.insertTopic, s.deleteAgreement, s.insertAgreement, s.findEvent, s.eventIDs,
		s.saveFetchState, s.unindexArticle, s.indexArticles} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// checkArticle refuses what no store saves; SQLite indexes a URL of any
// length.
func checkArticle(a *newsmon.Article) error { return storeutil.CheckArticle(a, 0) }

// Bounds on one group commit. maxBatchRetries is how many times
// SaveArticles reruns a batch without an article that failed in it before
// it saves the rest one transaction each; a batch longer than
// maxBatchArticles or maxBatchBytes of text is written as several, so that
// no caller can make one transaction (and the WAL) grow without bound.
const (
	maxBatchRetries  = 3
	maxBatchArticles = storeutil.MaxBatchArticles
	maxBatchBytes    = storeutil.MaxBatchBytes
)

// SaveArticle writes a with its URLs, mentions, topics, agreements, full-text
// entry and the fetch state st (when not nil) in one transaction, keyed by
// a.CanonicalURL (a.URL when that is empty). It is SaveArticles with a batch
// of one.
//
// The content hash (a.ContentHash, or sha256 of title and text when empty)
// decides what happens to a known article: the same hash changes only its
// fetch time and records a.URL; a different one keeps the old version in
// article_revisions (the latest 20 are kept), updates the article in place,
// sets Modified (to a.Modified, or the fetch time when the page gave none)
// and replaces the mentions, topics and agreements. SaveArticle sets a.ID, a.ContentHash,
// a.FirstSeen, a.FetchedAt, and the EventID of agreements that had none;
// it fills in st's ArticleID, ContentHash and FetchedAt when they are zero.
// It changes neither a nor st when it fails.
// An article without any URL or over the size limits is EINVALID.
func (db *DB) SaveArticle(ctx context.Context, a *newsmon.Article, st *newsmon.FetchState) (newsmon.SaveResult, error) {
	res := db.SaveArticles(ctx, []newsmon.ArticleWrite{{Article: a, State: st}})[0]
	err := res.Err
	res.Err = nil
	return res, err
}

// SaveArticles saves each article of ws as SaveArticle would, in order, in
// one transaction (a group commit): the full-text index then writes one
// segment for the whole batch instead of one per article. The results are
// in the order of ws; an article that cannot be saved has its error in Err
// and leaves the others saved. The same canonical URL twice in ws behaves
// as two SaveArticle calls one after the other.
//
// When an article fails inside the batch, the transaction is rolled back and
// the batch is run again without it (so it costs the others one rerun);
// after maxBatchRetries such failures, or when the commit itself fails, the
// remaining articles are saved one transaction each. A batch over
// maxBatchArticles articles or maxBatchBytes of text is split.
func (db *DB) SaveArticles(ctx context.Context, ws []newsmon.ArticleWrite) []newsmon.SaveResult {
	results := make([]newsmon.SaveResult, len(ws))
	storeutil.GroupWrites(ws, results, checkArticle, func(idx []int) { db.saveGroup(ctx, ws, idx, results) })
	return results
}

// saveGroup saves the articles ws[i] for i in pending, valid and within the
// bounds of one batch, and sets their results.
func (db *DB) saveGroup(ctx context.Context, ws []newsmon.ArticleWrite, pending []int, results []newsmon.SaveResult) {
	for retries := 0; len(pending) > 0; retries++ {
		if retries >= maxBatchRetries && len(pending) > 1 {
			for _, i := range pending {
				if _, err := db.saveBatch(ctx, ws, []int{i}, results); err != nil {
					results[i].Err = err
				}
			}
			return
		}
		failed, err := db.saveBatch(ctx, ws, pending, results)
		switch {
		case err == nil:
			return
		case failed >= 0:
			results[failed].Err = err
			pending = slices.DeleteFunc(pending, func(i int) bool { return i == failed })
		case len(pending) == 1 || ctx.Err() != nil:
			for _, i := range pending {
				results[i].Err = err
			}
			return
		default:
			// Nothing to blame on one article (the commit failed): try
			// each on its own.
			retries = maxBatchRetries - 1
		}
	}
}

// saveBatch saves the articles ws[i] for i in idx in one transaction and,
// once it committed, sets their results and updates the callers' articles
// and states. On failure it returns the index in ws of the article that
// failed, or -1 when the failure was not one article's.
func (db *DB) saveBatch(ctx context.Context, ws []newsmon.ArticleWrite, idx []int, results []newsmon.SaveResult) (failed int, err error) {
	now := db.now().UTC().Truncate(time.Microsecond)
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return -1, fmt.Errorf("save articles: %w", err)
	}
	defer tx.Rollback()

	w := &articleWriter{db: db, ctx: ctx, tx: tx, now: now, nowUS: toMicros(now),
		stmts: make(map[*sql.Stmt]*sql.Stmt), unindexed: make(map[int64]bool, len(idx)),
		rules: db.alertRules.Get()}
	saved := make([]savedArticle, len(idx))
	searching := w.hasSearchRules()
	var created []searchCandidate
	for j, i := range idx {
		if err := ctx.Err(); err != nil {
			return -1, fmt.Errorf("save articles: %w", err)
		}
		if err := w.save(ws[i].Article, ws[i].State, &saved[j]); err != nil {
			return i, err
		}
		if searching && saved[j].res.Created {
			a := ws[i].Article
			created = append(created, searchCandidate{idx: i, id: saved[j].res.ID, key: cmp.Or(a.CanonicalURL, a.URL), a: a})
		}
	}
	if err := w.index(); err != nil {
		return -1, fmt.Errorf("save articles: full-text index: %w", err)
	}
	// Search rules run on the full-text entries just written, in the same
	// transaction: the alert commits with the article or not at all.
	if failed, err := w.raiseSearchAlerts(created); err != nil {
		return failed, err
	}
	if err := tx.Commit(); err != nil {
		return -1, fmt.Errorf("save articles: commit: %w", err)
	}
	for j, i := range idx {
		saved[j].apply(ws[i], now)
		results[i] = saved[j].res
	}
	return -1, nil
}

// savedArticle is what saving one article did, kept until the commit and
// then applied to the caller's article and state.
type savedArticle struct {
	res       newsmon.SaveResult
	hash      string
	firstSeen int64
	modified  *time.Time // set when the content changed
	eventIDs  []string
	state     newsmon.FetchState // the state as written
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
	a.FirstSeen = fromMicros(s.firstSeen)
	a.FetchedAt = now
	if w.State != nil {
		*w.State = s.state
	}
}

// articleWriter writes articles inside one transaction. The full-text
// entries of new and changed articles are written together by index, just
// before the commit: FTS5 flushes its pending terms to a new segment at
// every savepoint, and SQLite opens one for each statement that fires a
// trigger, so indexing article by article (as triggers did) wrote one
// segment per article and made FTS5 merge them all again later.
type articleWriter struct {
	db         *DB
	ctx        context.Context
	tx         *sql.Tx
	now        time.Time
	nowUS      int64
	stmts      map[*sql.Stmt]*sql.Stmt // the writer's statements bound to tx
	unindexed  map[int64]bool          // articles whose full-text entry index writes
	toIndexIDs []int64
	rules      []*alertRule // the alert rules in force when the transaction began
}

// stmt returns s bound to the transaction, binding it once.
func (w *articleWriter) stmt(s *sql.Stmt) *sql.Stmt {
	if ts, ok := w.stmts[s]; ok {
		return ts
	}
	ts := w.tx.StmtContext(w.ctx, s)
	w.stmts[s] = ts
	return ts
}

// reindex marks article id for indexing, first deleting its current
// full-text entry when it has one (it was saved before this batch).
func (w *articleWriter) reindex(id int64, indexed bool) error {
	if w.unindexed[id] {
		return nil
	}
	if indexed {
		if _, err := w.stmt(w.db.stmts.unindexArticle).ExecContext(w.ctx, id); err != nil {
			return fmt.Errorf("unindex: %w", err)
		}
	}
	w.unindexed[id] = true
	w.toIndexIDs = append(w.toIndexIDs, id)
	return nil
}

// index writes the full-text entries of the articles saved in this
// transaction, in rowid order, so that FTS5 keeps them in one segment.
func (w *articleWriter) index() error {
	if len(w.toIndexIDs) == 0 {
		return nil
	}
	slices.Sort(w.toIndexIDs)
	for chunk := range slices.Chunk(w.toIndexIDs, maxIDsPerStatement) {
		ids, err := json.Marshal(chunk)
		if err != nil {
			return err
		}
		if _, err := w.stmt(w.db.stmts.indexArticles).ExecContext(w.ctx, string(ids)); err != nil {
			return err
		}
	}
	return nil
}

// save writes one article and its fetch state and records in out what to
// tell the caller after the commit.
func (w *articleWriter) save(a *newsmon.Article, st *newsmon.FetchState, out *savedArticle) error {
	ctx, db, nowUS := w.ctx, w.db, w.nowUS
	key := cmp.Or(a.CanonicalURL, a.URL)
	hash := a.ContentHash
	if hash == "" {
		hash = newsmon.ContentHash(a.Title, a.Text)
	}
	out.hash = hash
	res := &out.res

	var (
		id      int64
		oldHash string
	)
	err := w.stmt(db.stmts.findByCanonical).QueryRowContext(ctx, key).Scan(&id, &oldHash, &out.firstSeen)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		out.firstSeen = nowUS
		r, err := w.stmt(db.stmts.insertArticle).ExecContext(ctx, a.Source, key, a.URL, a.Title,
			a.Author, a.Language, a.SiteName, a.Image, a.Description, nullMicros(a.Published),
			nullMicros(a.Modified), a.PublishedSource, a.Text, a.IsArticle, a.NotArticleReason,
			hash, nowUS, nowUS)
		if err != nil {
			return fmt.Errorf("save article %s: insert: %w", key, err)
		}
		if id, err = r.LastInsertId(); err != nil {
			return fmt.Errorf("save article %s: insert: %w", key, err)
		}
		if err := w.reindex(id, false); err != nil {
			return fmt.Errorf("save article %s: %w", key, err)
		}
		if out.eventIDs, err = w.writeParts(id, a); err != nil {
			return fmt.Errorf("save article %s: %w", key, err)
		}
		if err := w.raiseAgreementAlerts(id, key, a, out.eventIDs); err != nil {
			return fmt.Errorf("save article %s: %w", key, err)
		}
		res.Created = true
	case err != nil:
		return fmt.Errorf("save article %s: find: %w", key, err)
	case oldHash == hash:
		if _, err := w.stmt(db.stmts.touchArticle).ExecContext(ctx, nowUS, id); err != nil {
			return fmt.Errorf("save article %s: %w", key, err)
		}
		if out.eventIDs, err = w.storedEventIDs(id); err != nil {
			return fmt.Errorf("save article %s: %w", key, err)
		}
	default:
		if _, err := w.stmt(db.stmts.saveRevision).ExecContext(ctx, id, nowUS); err != nil {
			return fmt.Errorf("save article %s: revision: %w", key, err)
		}
		if _, err := w.stmt(db.stmts.pruneRevisions).ExecContext(ctx, id, keptRevisions); err != nil {
			return fmt.Errorf("save article %s: revisions: %w", key, err)
		}
		// The old entry is deleted with the old title and text, so before
		// the update.
		if err := w.reindex(id, true); err != nil {
			return fmt.Errorf("save article %s: %w", key, err)
		}
		modified := a.Modified
		if modified == nil {
			modified = &w.now
		}
		out.modified = modified
		if _, err := w.stmt(db.stmts.updateArticle).ExecContext(ctx, a.Source, a.URL, a.Title,
			a.Author, a.Language, a.SiteName, a.Image, a.Description, nullMicros(a.Published),
			toMicros(*modified), a.PublishedSource, a.Text, a.IsArticle, a.NotArticleReason,
			hash, nowUS, id); err != nil {
			return fmt.Errorf("save article %s: update: %w", key, err)
		}
		for _, s := range []*sql.Stmt{db.stmts.deleteMentions, db.stmts.deleteTopics, db.stmts.deleteAgreement} {
			if _, err := w.stmt(s).ExecContext(ctx, id); err != nil {
				return fmt.Errorf("save article %s: %w", key, err)
			}
		}
		if out.eventIDs, err = w.writeParts(id, a); err != nil {
			return fmt.Errorf("save article %s: %w", key, err)
		}
		if err := w.raiseAgreementAlerts(id, key, a, out.eventIDs); err != nil {
			return fmt.Errorf("save article %s: %w", key, err)
		}
		res.Updated = true
	}

	if _, err := w.stmt(db.stmts.recordURL).ExecContext(ctx, key, id, nowUS); err != nil {
		return fmt.Errorf("save article %s: url: %w", key, err)
	}
	if a.URL != "" && a.URL != key {
		r, err := w.stmt(db.stmts.recordURL).ExecContext(ctx, a.URL, id, nowUS)
		if err != nil {
			return fmt.Errorf("save article %s: url %s: %w", key, a.URL, err)
		}
		if n, _ := r.RowsAffected(); n > 0 && !res.Created {
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
		if err := db.saveFetchState(ctx, w.stmt(db.stmts.saveFetchState), &out.state, w.now); err != nil {
			return fmt.Errorf("save article %s: %w", key, err)
		}
	}
	res.ID = id
	return nil
}

// writeParts inserts the mentions, topics and agreements of article id, and
// returns the event IDs of the agreements. The topics are a.Topics together
// with the topics of its mentions.
func (w *articleWriter) writeParts(id int64, a *newsmon.Article) ([]string, error) {
	ctx := w.ctx
	insertMention := w.stmt(w.db.stmts.insertMention)
	for i, m := range a.Mentions {
		if _, err := insertMention.ExecContext(ctx, id, i, m.Topic, m.Term, m.Matched, m.Sentence,
			m.Start, m.End); err != nil {
			return nil, fmt.Errorf("mention %d: %w", i, err)
		}
	}
	insertTopic := w.stmt(w.db.stmts.insertTopic)
	for _, t := range a.AllTopics() {
		if _, err := insertTopic.ExecContext(ctx, id, t); err != nil {
			return nil, fmt.Errorf("topic %s: %w", t, err)
		}
	}
	insertAgreement := w.stmt(w.db.stmts.insertAgreement)
	eventIDs := make([]string, len(a.Agreements))
	day := toMicros(w.now)
	if a.Published != nil {
		day = toMicros(*a.Published)
	}
	for i, ag := range a.Agreements {
		pkey := newsmon.PartyKey(ag.Parties)
		eventIDs[i] = ag.EventID
		if eventIDs[i] == "" {
			var err error
			if eventIDs[i], err = w.clusterEvent(id, ag, pkey, day); err != nil {
				return nil, fmt.Errorf("agreement %d: %w", i, err)
			}
		}
		parties := ag.Parties
		if parties == nil {
			parties = []string{}
		}
		pj, err := json.Marshal(parties)
		if err != nil {
			return nil, fmt.Errorf("agreement %d: %w", i, err)
		}
		if _, err := insertAgreement.ExecContext(ctx, id, i, eventIDs[i], ag.Instrument, ag.Status,
			string(pj), ag.Value, ag.Place, ag.Date, ag.Sentence, pkey, day); err != nil {
			return nil, fmt.Errorf("agreement %d: %w", i, err)
		}
	}
	return eventIDs, nil
}

// FindArticleByID returns the article with its mentions, agreements, topics
// and URLs, or an ENOTFOUND error.
func (db *DB) FindArticleByID(ctx context.Context, id int64) (*newsmon.Article, error) {
	as, err := db.loadArticles(ctx, `WHERE a.id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("find article %d: %w", id, err)
	}
	if len(as) == 0 {
		return nil, newsmon.Errorf(newsmon.ENOTFOUND, "article %d not found", id)
	}
	return as[0], nil
}

// FindArticleByURL returns the article seen at url (its canonical URL or any
// other address), or an ENOTFOUND error.
func (db *DB) FindArticleByURL(ctx context.Context, url string) (*newsmon.Article, error) {
	as, err := db.loadArticles(ctx,
		`WHERE a.id = (SELECT article_id FROM article_urls WHERE url = ?)`, url)
	if err != nil {
		return nil, fmt.Errorf("find article %s: %w", url, err)
	}
	if len(as) == 0 {
		return nil, newsmon.Errorf(newsmon.ENOTFOUND, "no article at %s", url)
	}
	return as[0], nil
}

// ExportArticles calls fn for every article first seen at or after f.Since
// (every article when nil), oldest first by first_seen then id. It reads
// the store in batches by key, so no read transaction stays open while fn
// runs and memory holds one batch at most. With f.Match, only the articles
// its query and filters select are exported (see exportMatches); a
// malformed query is EINVALID.
func (db *DB) ExportArticles(ctx context.Context, f newsmon.ExportFilter, fn func(*newsmon.Article) error) error {
	if f.Match != nil {
		return db.exportMatches(ctx, f, fn)
	}
	lastSeen, lastID := int64(-1<<63), int64(0)
	if f.Since != nil {
		lastSeen, lastID = toMicros(*f.Since), 0
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch, err := db.loadArticles(ctx,
			`WHERE (a.first_seen, a.id) > (?, ?) ORDER BY a.first_seen, a.id LIMIT ?`,
			lastSeen, lastID, exportBatch)
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
		lastSeen, lastID = toMicros(last.FirstSeen), last.ID
	}
}

// exportMatches exports the articles f.Match selects, first seen at or
// after f.Since, oldest first by first_seen then id. It lists the IDs of
// the matches first, in one query (16 bytes a match in memory), and then
// loads them in batches: a query condition in every batch would make FTS5
// find every match again for each batch.
func (db *DB) exportMatches(ctx context.Context, f newsmon.ExportFilter, fn func(*newsmon.Article) error) error {
	expr, err := checkFilter(*f.Match)
	if err != nil {
		return err
	}
	where, args := matchConds(*f.Match, expr)
	if f.Since != nil {
		where = append(where, "a.first_seen >= ?")
		args = append(args, toMicros(*f.Since))
	}
	q := `SELECT a.id FROM articles a`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += ` ORDER BY a.first_seen, a.id`
	var ids []int64
	err = queryEach(ctx, db.reader, q, args, func(rows *sql.Rows) error {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	})
	if err != nil {
		if e := searchError(err); newsmon.ErrorCode(e) == newsmon.EINVALID {
			return e
		}
		return fmt.Errorf("export articles: %w", err)
	}
	for len(ids) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(len(ids), exportBatch)
		in, inArgs := inList(ids[:n])
		batch, err := db.loadArticles(ctx, `WHERE a.id IN `+in+` ORDER BY a.first_seen, a.id`, inArgs...)
		if err != nil {
			return fmt.Errorf("export articles: %w", err)
		}
		ids = ids[n:]
		// An article deleted since the IDs were listed is left out.
		for _, a := range batch {
			if err := fn(a); err != nil {
				return err
			}
		}
	}
	return nil
}

const articleColumns = `a.id, a.source, a.url, a.canonical_url, a.title, a.author, a.language,
	a.site_name, a.image, a.description, a.published, a.modified, a.published_source, a.text,
	a.is_article, a.not_article_reason, a.content_hash, a.first_seen, a.fetched_at`

// loadArticles reads the articles selected by the clause that follows
// "FROM articles a", with all their parts, in one read transaction.
func (db *DB) loadArticles(ctx context.Context, clause string, args ...any) ([]*newsmon.Article, error) {
	tx, err := db.reader.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	rows, err := tx.QueryContext(ctx, `SELECT `+articleColumns+` FROM articles a `+clause, args...)
	if err != nil {
		return nil, err
	}
	var (
		list []*newsmon.Article
		byID = make(map[int64]*newsmon.Article)
	)
	for rows.Next() {
		var (
			a                    newsmon.Article
			published, modified  sql.NullInt64
			firstSeen, fetchedAt int64
		)
		if err := rows.Scan(&a.ID, &a.Source, &a.URL, &a.CanonicalURL, &a.Title, &a.Author,
			&a.Language, &a.SiteName, &a.Image, &a.Description, &published, &modified,
			&a.PublishedSource, &a.Text, &a.IsArticle, &a.NotArticleReason, &a.ContentHash,
			&firstSeen, &fetchedAt); err != nil {
			rows.Close()
			return nil, err
		}
		a.Published, a.Modified = timePtr(published), timePtr(modified)
		a.FirstSeen, a.FetchedAt = fromMicros(firstSeen), fromMicros(fetchedAt)
		a.Topics, a.Mentions, a.Agreements = []string{}, []newsmon.Mention{}, []newsmon.Agreement{}
		list = append(list, &a)
		byID[a.ID] = &a
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, nil
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
func loadParts(ctx context.Context, tx *sql.Tx, ids []int64, byID map[int64]*newsmon.Article) error {
	for chunk := range slices.Chunk(ids, maxIDsPerStatement) {
		in, args := inList(chunk)
		err := queryEach(ctx, tx, `SELECT article_id, url FROM article_urls WHERE article_id IN `+in+
			` ORDER BY article_id, first_seen, url`, args, func(rows *sql.Rows) error {
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
		err = queryEach(ctx, tx, `SELECT article_id, topic FROM article_topics WHERE article_id IN `+in+
			` ORDER BY article_id, topic`, args, func(rows *sql.Rows) error {
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
		err = queryEach(ctx, tx, `SELECT article_id, topic, term, matched, sentence, start_offset, end_offset
			FROM mentions WHERE article_id IN `+in+` ORDER BY article_id, seq`, args, func(rows *sql.Rows) error {
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
		err = queryEach(ctx, tx, `SELECT article_id, event_id, instrument, status, parties, value, place, date, sentence
			FROM agreements WHERE article_id IN `+in+` ORDER BY article_id, seq`, args, func(rows *sql.Rows) error {
			var id int64
			var ag newsmon.Agreement
			var parties string
			if err := rows.Scan(&id, &ag.EventID, &ag.Instrument, &ag.Status, &parties, &ag.Value,
				&ag.Place, &ag.Date, &ag.Sentence); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(parties), &ag.Parties); err != nil {
				return fmt.Errorf("parties of article %d: %w", id, err)
			}
			byID[id].Agreements = append(byID[id].Agreements, ag)
			return nil
		})
		if err != nil {
			return fmt.Errorf("agreements: %w", err)
		}
	}
	return nil
}

// inList returns "(?, ?, ...)" and the arguments for ids.
func inList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return placeholders(len(ids)), args
}

// placeholders returns "(?, ?, ...)" with n question marks.
func placeholders(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// queryEach runs a query and calls scan for each row.
func queryEach(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
