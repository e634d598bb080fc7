package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/newsmon/newsmon"
)

// FindFetchStates returns the known states of the given URLs, keyed by URL;
// URLs never seen are absent. It looks them up in chunks, so any number of
// URLs may be asked for at once.
func (db *DB) FindFetchStates(ctx context.Context, urls []string) (map[string]*newsmon.FetchState, error) {
	states := make(map[string]*newsmon.FetchState, len(urls))
	if len(urls) == 0 {
		return states, nil
	}
	for chunk := range slices.Chunk(urls, maxIDsPerStatement) {
		args := make([]any, len(chunk))
		for i, u := range chunk {
			args[i] = u
		}
		in := placeholders(len(chunk))
		err := queryEach(ctx, db.reader, `SELECT url, etag, last_modified, lastmod, status,
			content_hash, fetched_at, article_id FROM fetch_state WHERE url IN `+in, args,
			func(rows *sql.Rows) error {
				var (
					st        newsmon.FetchState
					lastmod   sql.NullInt64
					fetchedAt int64
					articleID sql.NullInt64
				)
				if err := rows.Scan(&st.URL, &st.ETag, &st.LastModified, &lastmod, &st.Status,
					&st.ContentHash, &fetchedAt, &articleID); err != nil {
					return err
				}
				st.Lastmod = timePtr(lastmod)
				st.FetchedAt = fromMicros(fetchedAt)
				st.ArticleID = articleID.Int64
				states[st.URL] = &st
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("find fetch states: %w", err)
		}
	}
	return states, nil
}

// SaveFetchState records the state of a URL, replacing what was known about
// it. A zero FetchedAt is set to now. An ArticleID that names no article is
// an error.
func (db *DB) SaveFetchState(ctx context.Context, st *newsmon.FetchState) error {
	if st == nil || st.URL == "" {
		return newsmon.Errorf(newsmon.EINVALID, "save fetch state: no URL")
	}
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save fetch state %s: %w", st.URL, err)
	}
	defer tx.Rollback()
	if err := db.saveFetchState(ctx, tx.StmtContext(ctx, db.stmts.saveFetchState), st, db.now()); err != nil {
		return fmt.Errorf("save fetch state %s: %w", st.URL, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save fetch state %s: %w", st.URL, err)
	}
	return nil
}

// saveFetchState writes st with save, the saveFetchState statement bound to
// the caller's transaction; a zero st.FetchedAt is set to now.
func (db *DB) saveFetchState(ctx context.Context, save *sql.Stmt, st *newsmon.FetchState, now time.Time) error {
	if st.URL == "" {
		return newsmon.Errorf(newsmon.EINVALID, "fetch state without a URL")
	}
	if st.FetchedAt.IsZero() {
		st.FetchedAt = now.UTC().Truncate(time.Microsecond)
	}
	articleID := sql.NullInt64{Int64: st.ArticleID, Valid: st.ArticleID != 0}
	if _, err := save.ExecContext(ctx, st.URL, st.ETag,
		st.LastModified, nullMicros(st.Lastmod), st.Status, st.ContentHash,
		toMicros(st.FetchedAt), articleID); err != nil {
		return fmt.Errorf("fetch state: %w", err)
	}
	return nil
}
