package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/internal/storeutil"
)

// The Import methods copy records of another store (newsmon migrate-store)
// as they are, where SaveArticle, StartRun and RaiseAlert would stamp them
// anew: first sight, fetch time, modification time, content hash, event
// IDs, IDs when free. Each skips a record the store holds already, so an
// import run twice copies nothing twice. They raise no alert: what the
// other store raised is imported with ImportAlert.

// ImportArticle inserts a as stored elsewhere, keyed by its canonical URL
// (URL when empty): with its ID when no article has it, its FirstSeen,
// FetchedAt, Modified and ContentHash (computed when empty), every address
// in a.URLs (none taken from another article), its mentions, topics and
// agreements with their event IDs. It returns the article's ID in this
// store and whether it was inserted; an article already here is left as
// it is. Call FinishImport when done.
func (db *DB) ImportArticle(ctx context.Context, a *newsmon.Article) (id int64, created bool, err error) {
	if err := checkArticle(a); err != nil {
		return 0, false, err
	}
	key := clean(cmp.Or(a.CanonicalURL, a.URL))
	hash := a.ContentHash
	if hash == "" {
		hash = newsmon.ContentHash(a.Title, a.Text)
	}
	now := db.now().UTC().Truncate(time.Microsecond)
	firstSeen, fetchedAt := a.FirstSeen.UTC().Truncate(time.Microsecond), a.FetchedAt.UTC().Truncate(time.Microsecond)
	if a.FirstSeen.IsZero() {
		firstSeen = now
	}
	if a.FetchedAt.IsZero() {
		fetchedAt = firstSeen
	}
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var wantID *int64
		if a.ID > 0 {
			var taken bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM articles WHERE id = $1)`, a.ID).Scan(&taken); err != nil {
				return err
			}
			if !taken {
				wantID = &a.ID
			}
		}
		err := tx.QueryRow(ctx, `INSERT INTO articles (id, source, canonical_url, url, title, author,
			language, site_name, image, description, published, modified, published_source, text,
			is_article, not_article_reason, content_hash, first_seen, fetched_at, fts_config)
			VALUES (coalesce($1, nextval(pg_get_serial_sequence('articles', 'id'))), $2, $3, $4, $5, $6, $7, $8, $9, $10,
				$11, $12, $13, $14, $15, $16, $17, $18, $19, $20::regconfig)
			ON CONFLICT (canonical_url) DO NOTHING RETURNING id`,
			wantID, clean(a.Source), key, clean(a.URL), clean(a.Title), clean(a.Author), clean(a.Language),
			clean(a.SiteName), clean(a.Image), clean(a.Description), utc(a.Published), utc(a.Modified),
			clean(a.PublishedSource), clean(a.Text), a.IsArticle, clean(a.NotArticleReason), hash,
			firstSeen, fetchedAt, textConfig(a.Language)).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return tx.QueryRow(ctx, `SELECT id FROM articles WHERE canonical_url = $1`, key).Scan(&id)
		}
		if err != nil {
			return err
		}
		created = true
		for _, u := range append([]string{key, a.URL}, a.URLs...) {
			if u = clean(u); u == "" || len(u) > maxURLBytes {
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO article_urls (url, article_id, first_seen)
				VALUES ($1, $2, $3) ON CONFLICT (url) DO NOTHING`, u, id, firstSeen); err != nil {
				return fmt.Errorf("url %s: %w", u, err)
			}
		}
		day := firstSeen
		if a.Published != nil {
			day = *utc(a.Published)
		}
		w := &articleWriter{db: db, ctx: ctx, tx: tx, now: day}
		imported := *a
		imported.Agreements = make([]newsmon.Agreement, len(a.Agreements))
		for i, ag := range a.Agreements {
			if ag.EventID == "" {
				return fmt.Errorf("agreement %d has no event ID", i)
			}
			imported.Agreements[i] = ag
		}
		_, err = w.writeParts(id, &imported)
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("import article %s: %w", key, err)
	}
	return id, created, nil
}

// ImportFetchState inserts the state of a URL unless one is known; it
// reports whether it did. st.ArticleID must be an ID of this store (or 0).
func (db *DB) ImportFetchState(ctx context.Context, st *newsmon.FetchState) (bool, error) {
	if st == nil || st.URL == "" || len(st.URL) > maxURLBytes {
		return false, newsmon.Errorf(newsmon.EINVALID, "import fetch state: no URL, or one over %d bytes", maxURLBytes)
	}
	var articleID *int64
	if st.ArticleID != 0 {
		articleID = &st.ArticleID
	}
	tag, err := db.pool.Exec(ctx, `INSERT INTO fetch_state (url, etag, last_modified, lastmod, status,
		content_hash, fetched_at, article_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (url) DO NOTHING`,
		clean(st.URL), clean(st.ETag), clean(st.LastModified), utc(st.Lastmod), st.Status,
		clean(st.ContentHash), st.FetchedAt.UTC().Truncate(time.Microsecond), articleID)
	if err != nil {
		return false, fmt.Errorf("import fetch state %s: %w", st.URL, err)
	}
	return tag.RowsAffected() > 0, nil
}

// ImportRun inserts a run record unless the store has a run of the same
// source started at the same instant; it reports whether it did. The run
// keeps its ID when no run has it.
func (db *DB) ImportRun(ctx context.Context, r newsmon.Run) (bool, error) {
	if r.Source == "" {
		return false, newsmon.Errorf(newsmon.EINVALID, "import run: no source")
	}
	kinds, err := json.Marshal(storeutil.BoundKinds(r.ErrorKinds, clean))
	if err != nil {
		return false, err
	}
	var finished *time.Time
	if !r.Finished.IsZero() {
		finished = utc(&r.Finished)
	}
	var inserted bool
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		started := r.Started.UTC().Truncate(time.Microsecond)
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM runs WHERE source = $1 AND started = $2)`,
			clean(r.Source), started).Scan(&exists); err != nil || exists {
			return err
		}
		var wantID *int64
		if r.ID > 0 {
			var taken bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM runs WHERE id = $1)`, r.ID).Scan(&taken); err != nil {
				return err
			}
			if !taken {
				wantID = &r.ID
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO runs (id, source, started, finished, status, cut, requests,
			discovered, queued, new, updated, unchanged, aliases, skipped, not_article, errors,
			error_kinds, last_error)
			VALUES (coalesce($1, nextval(pg_get_serial_sequence('runs', 'id'))), $2, $3, $4, $5, $6, $7,
				$8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
			wantID, clean(r.Source), started, finished, clean(r.Status), storeutil.Clip(clean(r.Cut), maxRunText),
			r.Requests, r.Discovered, r.Queued, r.New, r.Updated, r.Unchanged, r.Aliases, r.Skipped,
			r.NotArticle, r.Errors, clean(string(kinds)), storeutil.Clip(clean(r.LastError), maxRunText))
		inserted = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("import run of %s: %w", r.Source, err)
	}
	return inserted, nil
}

// ImportAlert inserts an alert as raised elsewhere, with its version,
// times and articles (each tied to the stored article at its URL, so that
// later reports are not listed twice), unless an alert of its ID exists;
// it reports whether it did. It queues no delivery: an imported alert
// counts as sent, so that no alert goes out twice.
func (db *DB) ImportAlert(ctx context.Context, a newsmon.Alert) (bool, error) {
	if a.ID == "" || a.Rule == "" || len(a.ID) > maxAlertIDBytes || clean(a.ID) != a.ID {
		return false, newsmon.Errorf(newsmon.EINVALID, "import alert: an alert needs an ID of at most %d bytes and a rule", maxAlertIDBytes)
	}
	var inserted bool
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var event *string
		if a.Event != nil {
			b, err := json.Marshal(a.Event)
			if err != nil {
				return err
			}
			s := clean(string(b))
			event = &s
		}
		tag, err := tx.Exec(ctx, `INSERT INTO alerts (id, rule, kind, event_id, event, source, problem,
			created, updated, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (id) DO NOTHING`,
			a.ID, clean(a.Rule), clean(a.Kind), clean(eventIDOf(&a)), event, clipText(a.Source),
			clipText(a.Problem), a.Created.UTC().Truncate(time.Microsecond),
			a.Updated.UTC().Truncate(time.Microsecond), max(a.Version, 1))
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		inserted = true
		used := make(map[int64]bool)
		for i, art := range a.Articles[:min(len(a.Articles), maxAlertArticles)] {
			var articleID *int64
			var id int64
			err := tx.QueryRow(ctx, `SELECT article_id FROM article_urls WHERE url = $1`, clean(art.URL)).Scan(&id)
			switch {
			case err == nil && !used[id]:
				used[id], articleID = true, &id
			case err != nil && !errors.Is(err, pgx.ErrNoRows):
				return err
			}
			if err := insertAlertArticle(ctx, tx, a.ID, i, articleID, art); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("import alert %s: %w", a.ID, err)
	}
	return inserted, nil
}

// FinishImport moves the ID sequences of articles and runs past the
// highest ID imported, so that new records do not collide with imported
// ones.
func (db *DB) FinishImport(ctx context.Context) error {
	for _, table := range []string{"articles", "runs"} {
		if _, err := db.pool.Exec(ctx, `SELECT setval(pg_get_serial_sequence('`+table+`', 'id'),
			(SELECT coalesce(max(id), 0) + 1 FROM `+table+`), false)`); err != nil {
			return fmt.Errorf("finish import: %s: %w", table, err)
		}
	}
	return nil
}
